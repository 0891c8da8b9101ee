"""The cached build: raw official files → one folder of Parquet/GeoParquet, keyed by source hashes.

``iceberg build`` (or the first :func:`load`) reads every source, builds the exposure model, fills
suppressed OEWS cells, allocates areas to counties and simplifies the web geometry, then writes
the result atomically into ``<cache>/bundles/<key>/`` where ``key`` hashes the source files'
sha256, the package version and :data:`RECIPE`. :func:`load` reads it back in about a second.

The cache heals itself. ``manifest.json`` records every file's size and sha256;
:func:`load` checks the sizes every time (a ``stat`` per file), ``iceberg build`` and
``iceberg data status --deep`` also check the hashes. A damaged or partial bundle (a truncated
or deleted Parquet file, a cut or missing manifest, a file that cannot be read) is moved to
``<cache>/bundles/.damaged/`` and built again, with a one-line notice (a
:class:`~iceberg.errors.IcebergDataWarning`, and ``Bundle.notices``). Staging folders left by
killed builds are removed. Builds write into a private staging folder and rename it into
place, so concurrent readers see the old bundle or the complete new one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import socket
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from iceberg import __version__, settings
from iceberg.fileutil import default_file_mode
from iceberg.geomatrix import GeoMatrix
from iceberg.provenance import Provenance
from iceberg.sources.registry import required_sources

if TYPE_CHECKING:  # pragma: no cover
    from iceberg.exposure import ExposureModel
    from iceberg.scenario.engine import Engine

#: Bump when the build changes what it writes (invalidates every cached bundle).
RECIPE = "1"
LEVELS = ("nation", "state", "area", "county")
#: How many built bundles the cache keeps (other data folders, older code).
KEEP_BUNDLES = 3
#: Folder (inside the bundle folder) where damaged bundles are set aside, and how many it keeps.
DAMAGED_DIR = ".damaged"
KEEP_DAMAGED = 2
#: A work folder (staging, trash) whose owner process is gone, or older than this, is removed.
STALE_WORK_SECONDS = 6 * 3600
#: Owner record written into every work folder first (pid, host, start time).
OWNER_FILE = ".owner.json"
#: Sources the build needs (``required = true`` in the registry); the rest is optional.
REQUIRED_SOURCES = required_sources()


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
        from iceberg.errors import IcebergArgumentError

        name, _, rest = text.strip().partition("=")
        level, _, path = rest.partition(":")
        if not (name and path) or level not in LEVELS or not name.isidentifier():
            raise IcebergArgumentError("--custom-layer", text, message="bad custom layer specification",
                                       allowed=f"NAME=LEVEL:PATH with LEVEL one of {', '.join(LEVELS)}")
        resolved = Path(path).expanduser().resolve()
        if not resolved.is_file():
            raise IcebergArgumentError("--custom-layer", text, message=f"no file at {resolved}",
                                       allowed="NAME=LEVEL:PATH naming an existing code,value CSV")
        from iceberg.capability.custom import BUILTIN_LAYERS as builtin

        if name.lower() in builtin:
            raise IcebergArgumentError("--custom-layer", text, message=f"the name {name.lower()!r} "
                                       "is a built-in layer", allowed="a name other than "
                                       + ", ".join(sorted(builtin)))
        return cls(name.lower(), level, resolved)


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
    #: One-line notices from loading (e.g. a damaged cached bundle that was set aside and rebuilt).
    notices: list[str] = field(default_factory=list)
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
        ``Bundle.notices`` lists what loading had to repair (also issued as
        :class:`~iceberg.errors.IcebergDataWarning`).
    """
    path, notices = _ensure(data_dir, force=rebuild, progress=progress, custom_layers=custom_layers)
    try:
        bundle = read_bundle(path)
    except _READ_ERRORS as exc:
        # the sizes matched but a file cannot be read: check the hashes, set aside, build once more
        problems = verify_bundle(path, deep=True) or [f"unreadable ({type(exc).__name__}: {exc})"]
        notices.append(set_aside(path, problems))
        _warn(notices[-1])
        path, more = _ensure(data_dir, force=False, progress=progress, custom_layers=custom_layers)
        notices += more
        try:
            bundle = read_bundle(path)
        except _READ_ERRORS as again:
            from iceberg.errors import IcebergDataError

            raise IcebergDataError("the freshly built bundle cannot be read", file=path,
                                   found=f"{type(again).__name__}: {again}") from again
    bundle.notices = notices
    return bundle


def build(data_dir: str | os.PathLike | None = None, *, force: bool = False, progress: bool = True,
          custom_layers: tuple[CustomLayerSpec, ...] | None = None, deep: bool = False) -> Path:
    """Build the bundle unless a sound cached one with the same key exists; return its folder.

    When no data folder was configured (neither ``data_dir``, ``--data-dir`` nor
    ``ICEBERG_DATA_DIR``), missing sources are first downloaded into the cache (``iceberg fetch``).

    A cached bundle is checked first (file sizes; with ``deep`` also the sha256 of every file);
    a damaged one is set aside and built again, with an :class:`~iceberg.errors.IcebergDataWarning`.
    """
    return _ensure(data_dir, force=force, progress=progress, custom_layers=custom_layers, deep=deep)[0]


def _ensure(data_dir: str | os.PathLike | None, *, force: bool, progress: bool,
            custom_layers: tuple[CustomLayerSpec, ...] | None, deep: bool = False) -> tuple[Path, list[str]]:
    """The bundle folder (built, healed or found) and the notices of what was repaired."""
    raw = Path(data_dir).expanduser().resolve() if data_dir else settings.data_dir()
    if data_dir is None and settings.data_dir_origin() == "cache":
        _fetch_missing(raw, progress=progress)
    custom = tuple(custom_layers) if custom_layers is not None else custom_layers_from_env()
    key, hashes = bundle_key(raw, custom)
    target = _bundle_path(key)
    notices: list[str] = []
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_work(target.parent)
    if target.exists() and not force:
        problems = verify_bundle(target, deep=deep)
        if not problems:
            return target, notices
        notices.append(set_aside(target, problems))
        _warn(notices[-1])
    staging = _work_dir(target.parent, f".{key}.")
    try:
        _build_into(raw, staging, hashes, key, progress=progress, custom_layers=custom)
        _install(staging, target, replace=force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(target.parent, keep=KEEP_BUNDLES)
    return target, notices


def _install(staging: Path, target: Path, *, replace: bool) -> None:
    """Rename a complete staging folder into place (atomic for readers).

    Another process may have installed the same key meanwhile: keep its bundle when sound
    (unless ``replace``), else move it to a trash folder first, then rename.
    """
    for _ in range(3):
        if target.exists():
            if not replace and not verify_bundle(target):
                shutil.rmtree(staging, ignore_errors=True)
                return
            trash = _work_dir(target.parent, f".trash.{target.name}.")
            try:
                os.replace(target, trash / "old")
            except FileNotFoundError:
                pass  # someone else moved it first
            shutil.rmtree(trash, ignore_errors=True)
        try:
            os.replace(staging, target)  # atomic: readers see the old bundle or the new one
            return
        except OSError as exc:
            if not target.exists() or exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise  # a real fault (no space, read-only …), not a race with another builder
    raise OSError(errno.EBUSY, "another process keeps installing this bundle", str(target))


# ---------------------------------------------------------------------------------------------
# integrity: manifest records, verification, setting aside, stale work folders

#: What reading a damaged bundle can raise (pyarrow, pandas, json, missing files).
_READ_ERRORS = (OSError, ValueError, KeyError, IndexError, pa.ArrowException, json.JSONDecodeError)


def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """``{file name: {"size": bytes, "sha256": hex}}`` of every file of a bundle folder."""
    from iceberg.sources import file_sha256

    return {p.name: {"size": p.stat().st_size, "sha256": file_sha256(p)}
            for p in sorted(folder.iterdir()) if p.is_file() and p.name != "manifest.json"}


def verify_bundle(path: str | os.PathLike, *, deep: bool = False) -> list[str]:
    """What is wrong with a built bundle folder (empty list: sound).

    Checks that ``manifest.json`` is complete JSON listing every file, and that each file
    exists with the recorded size; with ``deep``, also its sha256 (reads every byte, ~0.1 s).
    """
    from iceberg.sources import file_sha256

    path = Path(path)
    manifest_path = path / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ["manifest.json is missing (an unfinished or partial bundle)"]
    except (OSError, ValueError) as exc:
        return [f"manifest.json cannot be read ({type(exc).__name__}: {exc})"]
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or not files:
        return ["manifest.json lists no file sizes and hashes (an older or cut manifest)"]
    problems = []
    for name, record in files.items():
        file = path / name
        try:
            size = file.stat().st_size
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        if size != record.get("size"):
            problems.append(f"{name} has {size:,} bytes, the manifest says {record.get('size'):,}")
        elif deep and file_sha256(file) != record.get("sha256"):
            problems.append(f"{name} has other bytes than built (sha256 differs)")
    return problems


def set_aside(path: Path, problems: list[str]) -> str:
    """Move a damaged bundle into ``.damaged/`` (kept for inspection); return the notice."""
    damaged = path.parent / DAMAGED_DIR
    damaged.mkdir(exist_ok=True)
    dest = damaged / f"{path.name}.{time.strftime('%Y%m%dT%H%M%S')}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):  # another process set it aside first
        os.replace(path, dest)
    kept = sorted(damaged.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in kept[KEEP_DAMAGED:]:
        shutil.rmtree(old, ignore_errors=True)
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return (f"the cached data bundle {path.name} was damaged: {problems[0]}{more}; "
            f"set aside in {dest} and rebuilt")


def _warn(notice: str) -> None:
    from iceberg.errors import IcebergDataWarning

    warnings.warn(notice, IcebergDataWarning, stacklevel=3)


def _work_dir(parent: Path, prefix: str) -> Path:
    """A private work folder in ``parent`` with an owner record (for stale-folder cleaning)."""
    work = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    file_mode = default_file_mode()  # mkdtemp makes it 0700; the bundle is for every user
    os.chmod(work, file_mode | (file_mode & 0o444) >> 2)  # 0755 under umask 022
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
    (work / OWNER_FILE).write_text(json.dumps(owner))
    return work


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_work(folder: Path, *, max_age: float = STALE_WORK_SECONDS) -> list[Path]:
    """Remove staging/trash folders of builds that were killed; return what was removed.

    A work folder is stale when its owner process (same host) is gone, or it is older than
    ``max_age`` seconds, or it has no owner record and is older than a minute.
    """
    removed = []
    now = time.time()
    host = socket.gethostname()
    for work in folder.glob(".*"):
        if not work.is_dir() or work.name == DAMAGED_DIR:
            continue
        try:
            age = now - work.stat().st_mtime
        except OSError:  # removed meanwhile
            continue
        try:
            owner = json.loads((work / OWNER_FILE).read_text())
            gone = owner.get("host") == host and not _alive(int(owner.get("pid", -1)))
        except (OSError, ValueError, TypeError, AttributeError):  # killed before the record
            gone = age > 60
        if gone or age > max_age:
            shutil.rmtree(work, ignore_errors=True)
            removed.append(work)
    return removed


def _fetch_missing(raw: Path, *, progress: bool) -> None:
    """Download the required sources absent from the cache (first run on a fresh machine)."""
    missing = [sid for sid in REQUIRED_SOURCES if not (raw / sid).is_dir()]
    if missing:
        from iceberg.sources import fetch

        fetch(missing, progress=progress, dest=raw)


def _prune(folder: Path, keep: int) -> None:
    """Remove all but the ``keep`` most recently built bundles (each is ~25 MB)."""
    built = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")
                    and (p / "manifest.json").is_file()),
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
    (out / OWNER_FILE).unlink(missing_ok=True)
    manifest["files"] = file_records(out)  # sizes checked on every load, hashes on build/status
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
    # ~3 M long rows: split by a dictionary-encoded level in arrow (a pandas groupby on the
    # string column costs a quarter of a second)
    long = pq.read_table(path / "levels.parquet")
    level_codes = long.column("level").combine_chunks().dictionary_encode()
    codes = level_codes.indices.to_numpy(zero_copy_only=False)
    g, o = long.column("g").to_numpy(), long.column("o").to_numpy()
    values = {c: long.column(c).to_numpy() for c in ("employment", "wage", "wage_median")}
    levels = {}
    flat = g.astype(np.int64) * n_occ + o  # one flat index, reused by the three matrices
    for k, level in enumerate(level_codes.dictionary.to_pylist()):
        rows = np.flatnonzero(codes == k)
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
            rows = slice(rows[0], rows[-1] + 1)  # levels are written one after another
        meta = pd.read_parquet(path / f"meta__{level}.parquet").set_index("id")
        ids = meta.index.to_numpy(dtype=str)
        mats = {}
        for column in ("employment", "wage", "wage_median"):
            mat = np.zeros((len(ids), n_occ))
            mat.ravel()[flat[rows]] = values[column][rows]
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
