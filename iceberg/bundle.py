"""The cached build: raw official files → one folder of Parquet/GeoParquet, keyed by source hashes.

``iceberg build`` (or the first :func:`load`) reads every source, builds the exposure model, fills
suppressed OEWS cells, allocates areas to counties and simplifies the web geometry, then writes
the result atomically into ``<cache>/bundles/<key>/`` where ``key`` hashes the source files'
sha256, the package version and :data:`RECIPE`. :func:`load` reads it back in about a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from iceberg import __version__, settings
from iceberg.geomatrix import GeoMatrix
from iceberg.provenance import Provenance

if TYPE_CHECKING:  # pragma: no cover
    from iceberg.exposure import ExposureModel
    from iceberg.scenario.engine import Engine

#: Bump when the build changes what it writes (invalidates every cached bundle).
RECIPE = "1"
LEVELS = ("nation", "state", "area", "county")
#: How many built bundles the cache keeps (other data folders, older code).
KEEP_BUNDLES = 3
#: Sources the build needs; the rest of the registry is optional.
REQUIRED_SOURCES = (
    "onet", "onet_soc_crosswalk", "oews_2025", "oews_area_definitions", "census_cartographic_boundaries",
    "census_popest_2024", "acs5_2019_county_industry_occupation", "gpts_are_gpts",
    "microsoft_working_with_ai", "anthropic_economic_index", "aioe",
)


@dataclass(frozen=True)
class CustomLayerSpec:
    """A user capability layer added at build time: ``name``, ``level`` and a ``code,value`` CSV.

    ``level`` is ``task``, ``dwa``, ``iwa`` or ``occupation`` (see :mod:`iceberg.capability.custom`).
    """

    name: str
    level: str
    path: Path

    @classmethod
    def parse(cls, text: str) -> CustomLayerSpec:
        """``NAME=LEVEL:PATH`` (the CLI's ``--custom-layer`` and ``ICEBERG_CUSTOM_LAYERS`` form)."""
        from iceberg.capability.custom import LEVELS
        from iceberg.errors import IcebergDataError

        name, _, rest = text.strip().partition("=")
        level, _, path = rest.partition(":")
        if not (name and path) or level not in LEVELS or not name.isidentifier():
            raise IcebergDataError("bad custom layer specification", column="--custom-layer",
                                   expected=f"NAME=LEVEL:PATH with LEVEL one of {list(LEVELS)}", found=text)
        return cls(name.lower(), level, Path(path).expanduser().resolve())


def custom_layers_from_env() -> tuple[CustomLayerSpec, ...]:
    """Layers named in ``ICEBERG_CUSTOM_LAYERS`` (``;``-separated ``NAME=LEVEL:PATH``)."""
    text = os.environ.get("ICEBERG_CUSTOM_LAYERS", "").strip()
    return tuple(CustomLayerSpec.parse(part) for part in text.split(";") if part.strip())


@dataclass
class Bundle:
    """Everything the model, the maps and the app need, built once from the official files.

    Attributes
    ----------
    exposure : ExposureModel
        Capability layers → occupation exposure (DESIGN §2, §4).
    levels : dict[str, GeoMatrix]
        ``nation``, ``state`` (states, DC, PR, GU, VI), ``area`` (MSAs, nonmetro areas) after the
        suppression fill, and ``county`` after the allocation; same occupation order everywhere.
    occupations : pd.DataFrame
        The OEWS occupation codes of the matrices: ``occ_code, title, major, visible``.
    counties : GeoDataFrame
        Every county of the 2023 boundaries with ``geoid, name, state_fips, state_abbr, oews_area,
        oews_area_title, allocation_method`` and full-detail geometry (EPSG:4269).
    web_counties, web_states : GeoDataFrame
        Simplified web geometry (EPSG:4326), built once.
    states_geo : GeoDataFrame
        Full-detail state boundaries (EPSG:4269) for print maps.
    similarity : np.ndarray
        O × O cosine similarity of O*NET skill + knowledge importance (reskilling moves).
    provenance : Provenance
    path : Path
        The bundle folder.
    """

    exposure: ExposureModel
    levels: dict[str, GeoMatrix]
    occupations: pd.DataFrame
    counties: gpd.GeoDataFrame
    web_counties: gpd.GeoDataFrame
    web_states: gpd.GeoDataFrame
    states_geo: gpd.GeoDataFrame
    similarity: np.ndarray
    provenance: Provenance
    path: Path | None = None
    _engines: dict[str, Engine] = field(default_factory=dict, repr=False)

    @property
    def occ_codes(self) -> np.ndarray:
        return self.occupations["occ_code"].to_numpy(dtype=str)

    def engine(self, wage: str = "mean") -> Engine:
        """The scenario engine on this bundle for a wage basis (built on first use, then reused)."""
        if wage not in self._engines:
            from iceberg.scenario.engine import Engine, EngineInputs

            inputs = EngineInputs(
                levels={k: self.levels[k] for k in ("county", "state", "nation")},
                exposure=self.exposure,
                visible=self.exposure.visible_mask(),
                occ_major=self.occupations["major"].to_numpy(dtype=str),
                occ_titles=self.occupations["title"].to_numpy(dtype=str),
                similarity=self.similarity,
                layers=list(self.exposure.layers),
                wage_basis=wage,
            )
            self._engines[wage] = Engine(inputs)
        return self._engines[wage]

    def _repr_html_(self) -> str:
        c = self.levels["county"]
        return (f"<div><b>iceberg data bundle</b> — {len(self.occupations)} occupations, "
                f"{len(c.ids):,} counties, {len(self.levels['area'].ids)} OEWS areas, "
                f"{len(self.levels['state'].ids)} states/territories</div>" + self.provenance._repr_html_())


# ---------------------------------------------------------------------------------------------
# key and paths


def code_hash() -> str:
    """Hash of the code that builds a bundle (``iceberg`` and ``geodata`` sources).

    Part of the cache key, so an upgraded or edited build never reuses a stale bundle.
    """
    digest = hashlib.sha256()
    for package in (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "geodata"):
        for path in sorted(package.rglob("*.py")):
            if "cli" in path.relative_to(package).parts:
                continue  # the command line does not change what a build writes
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bundle_key(data_dir: Path, custom_layers: tuple[CustomLayerSpec, ...] = ()) -> tuple[str, dict[str, Any]]:
    """Hash of the sources' file hashes + custom layers + package version + recipe + build code."""
    from iceberg.sources import file_sha256, source_hashes

    hashes = source_hashes(REQUIRED_SOURCES, data_dir=data_dir)
    hashes.update(optional_source_hashes(data_dir))
    for spec in custom_layers:
        hashes[f"custom:{spec.name}"] = {"level": spec.level, str(spec.path): file_sha256(spec.path)}
    blob = json.dumps({"sources": hashes, "version": __version__, "recipe": RECIPE, "code": code_hash()},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:20], hashes


def optional_source_hashes(data_dir: Path) -> dict[str, Any]:
    """Hashes of the optional sources the build uses when present (the AI tool catalogue)."""
    from iceberg.tools.catalogue import snapshot_files

    folder = Path(data_dir) / "ai_tool_catalogue"
    files = snapshot_files(folder) if folder.is_dir() else {}
    if not files:
        return {}
    from iceberg.sources import file_sha256

    out = {p.name: file_sha256(p) for p in files.values()}
    manifest = folder / "metadata" / "manifest.json"  # fetched registry documents
    if manifest.is_file():
        out["metadata/manifest.json"] = file_sha256(manifest)
    return {"ai_tool_catalogue": out}


def _bundle_path(key: str) -> Path:
    return settings.bundle_dir() / key


# ---------------------------------------------------------------------------------------------
# public API


def load(data_dir: str | os.PathLike | None = None, *, rebuild: bool = False, progress: bool = True,
         custom_layers: tuple[CustomLayerSpec, ...] | None = None) -> Bundle:
    """The data bundle, built from the raw files on first use and cached.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding the official files (one sub-folder per source id). Default:
        ``--data-dir`` / ``ICEBERG_DATA_DIR`` / the download cache (see :mod:`iceberg.settings`).
    rebuild : bool
        Build again even when a cached bundle with the same key exists.
    progress : bool
        Show progress bars while building.
    custom_layers : tuple of CustomLayerSpec, optional
        Your own capability layers (``code,value`` CSVs); default: those named in
        ``ICEBERG_CUSTOM_LAYERS``. Each appears as a layer a scenario can choose.

    Returns
    -------
    Bundle
    """
    path = build(data_dir, force=rebuild, progress=progress, custom_layers=custom_layers)
    return read_bundle(path)


def build(data_dir: str | os.PathLike | None = None, *, force: bool = False, progress: bool = True,
          custom_layers: tuple[CustomLayerSpec, ...] | None = None) -> Path:
    """Build the bundle unless a cached one with the same key exists; return its folder.

    When no data folder was configured (neither ``data_dir``, ``--data-dir`` nor
    ``ICEBERG_DATA_DIR``), missing sources are first downloaded into the cache (``iceberg fetch``).
    """
    raw = Path(data_dir).expanduser().resolve() if data_dir else settings.data_dir()
    if data_dir is None and settings.data_dir_origin() == "cache":
        _fetch_missing(raw, progress=progress)
    custom = tuple(custom_layers) if custom_layers is not None else custom_layers_from_env()
    key, hashes = bundle_key(raw, custom)
    target = _bundle_path(key)
    if target.is_dir() and (target / "manifest.json").is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=target.parent))
    try:
        _build_into(raw, staging, hashes, key, progress=progress, custom_layers=custom)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)  # atomic: readers see the old bundle or the complete new one
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(target.parent, keep=KEEP_BUNDLES)
    return target


def _fetch_missing(raw: Path, *, progress: bool) -> None:
    """Download the required sources absent from the cache (first run on a fresh machine)."""
    missing = [sid for sid in REQUIRED_SOURCES if not (raw / sid).is_dir()]
    if missing:
        from iceberg.sources import fetch

        fetch(missing, progress=progress, dest=raw)


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` most recently built bundles (each is ~25 MB)."""
    built = sorted((p for p in folder.iterdir() if p.is_dir() and (p / "manifest.json").is_file()),
                   key=lambda p: (p / "manifest.json").stat().st_mtime, reverse=True)
    for old in built[keep:]:
        shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# build


def _build_into(raw: Path, out: Path, hashes: dict[str, Any], key: str, *, progress: bool,
                custom_layers: tuple[CustomLayerSpec, ...] = ()) -> None:
    from iceberg.build_steps import build_parts

    started = time.perf_counter()
    parts = build_parts(raw, progress=progress, hashes=hashes, custom_layers=custom_layers)
    _write_bundle(out, parts)
    manifest = {
        "key": key,
        "package_version": __version__,
        "recipe": RECIPE,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "build_seconds": round(time.perf_counter() - started, 2),
        "data_dir": str(raw),
        "provenance": parts["provenance"].to_dict(),
        "source_hashes": hashes,
    }
    manifest["provenance"]["build"]["build_seconds"] = manifest["build_seconds"]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))


def _write_bundle(out: Path, parts: dict[str, Any]) -> None:
    occupations: pd.DataFrame = parts["occupations"]
    occupations.to_parquet(out / "occupations.parquet", index=False)
    for name, frame in parts["exposure"].to_frames().items():
        frame.to_parquet(out / f"exposure__{name}.parquet", index=False)
    tables = []
    for level, matrix in parts["levels"].items():
        g, o = np.nonzero(matrix.employment)
        tables.append(pd.DataFrame({
            "level": level, "g": g.astype("int32"), "o": o.astype("int32"),
            "employment": matrix.employment[g, o], "wage": matrix.wage[g, o],
            "wage_median": matrix.wage_median[g, o]}))
        meta = matrix.meta.copy()
        meta.index = pd.Index(matrix.ids, name="id")
        meta.reset_index().to_parquet(out / f"meta__{level}.parquet", index=False)
    pq.write_table(pa.Table.from_pandas(pd.concat(tables, ignore_index=True), preserve_index=False),
                   out / "levels.parquet")
    sim = parts["similarity"].astype("float32")
    pq.write_table(pa.table({"value": sim.ravel()}), out / "similarity.parquet")
    parts["counties"].to_parquet(out / "counties.parquet")
    parts["web_counties"].to_parquet(out / "web_counties.parquet")
    parts["web_states"].to_parquet(out / "web_states.parquet")
    parts["states_geo"].to_parquet(out / "states.parquet")


def read_bundle(path: str | os.PathLike) -> Bundle:
    """Read a built bundle folder."""
    from iceberg.exposure import ExposureModel

    path = Path(path)
    manifest = json.loads((path / "manifest.json").read_text())
    occupations = pd.read_parquet(path / "occupations.parquet")
    n_occ = len(occupations)
    exposure_frames = {p.stem.split("__", 1)[1]: pd.read_parquet(p) for p in path.glob("exposure__*.parquet")}
    exposure = ExposureModel.from_frames(exposure_frames)
    long = pq.read_table(path / "levels.parquet").to_pandas()
    levels = {}
    for level, part in long.groupby("level", sort=False):
        meta = pd.read_parquet(path / f"meta__{level}.parquet").set_index("id")
        ids = meta.index.to_numpy(dtype=str)
        mats = {}
        for column in ("employment", "wage", "wage_median"):
            mat = np.zeros((len(ids), n_occ))
            mat[part["g"].to_numpy(), part["o"].to_numpy()] = part[column].to_numpy()
            mats[column] = mat
        levels[str(level)] = GeoMatrix(level=str(level), ids=ids, occ_codes=occupations["occ_code"].to_numpy(dtype=str),
                                       meta=meta, **mats)
    sim = pq.read_table(path / "similarity.parquet")["value"].to_numpy().astype(float).reshape(n_occ, n_occ)
    return Bundle(
        exposure=exposure,
        levels={k: levels[k] for k in LEVELS if k in levels},
        occupations=occupations,
        counties=gpd.read_parquet(path / "counties.parquet"),
        web_counties=gpd.read_parquet(path / "web_counties.parquet"),
        web_states=gpd.read_parquet(path / "web_states.parquet"),
        states_geo=gpd.read_parquet(path / "states.parquet"),
        similarity=sim,
        provenance=Provenance.from_dict(manifest["provenance"]),
        path=path,
    )
