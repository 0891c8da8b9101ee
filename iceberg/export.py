"""Tables out: CSV, Parquet, GeoParquet, GeoPackage and GeoJSON, with a provenance sidecar.

Every file is written atomically (temporary file in the same folder, then ``os.replace``) and
gets ``<file>.provenance.json`` next to it naming the sources, versions, scenario and time,
so a table found on its own can still be traced to what made it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

FORMATS = ("csv", "parquet", "geoparquet", "gpkg", "geojson")
_BY_SUFFIX = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".geoparquet": "geoparquet",
    ".gpkg": "gpkg",
    ".geojson": "geojson",
    ".json": "geojson",
}
#: Formats that keep geometry; the others drop it (and say so in the sidecar).
GEO_FORMATS = ("geoparquet", "gpkg", "geojson")


def format_of(path: str | os.PathLike, fmt: str | None = None) -> str:
    """Export format from ``fmt`` or the file extension.

    ``.parquet`` is plain Parquet for a DataFrame and GeoParquet for a GeoDataFrame
    unless ``fmt`` says otherwise (the caller resolves that; this returns ``"parquet"``).
    """
    if fmt is not None:
        key = fmt.lower().lstrip(".")
        key = {"geopackage": "gpkg", "json": "geojson"}.get(key, key)
        if key not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
        return key
    suffix = Path(path).suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise ValueError(
            f"cannot tell the export format from {Path(path).name!r}: use an extension "
            f"({', '.join(_BY_SUFFIX)}) or fmt="
        )
    return _BY_SUFFIX[suffix]


def _package_version() -> str:
    try:
        from iceberg import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover - the package is always importable here
        return "unknown"


def _library_versions() -> dict[str, str]:
    import numpy
    import pyarrow
    import pyogrio
    import shapely

    return {"pandas": pd.__version__, "geopandas": gpd.__version__, "numpy": numpy.__version__,
            "pyarrow": pyarrow.__version__, "pyogrio": pyogrio.__version__,
            "shapely": shapely.__version__}


def _json_default(obj: Any):
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, Path):
        return str(obj)
    return str(obj)


def _tmp_path(target: Path) -> Path:
    """A fresh temporary path in the target's folder with the same suffix (drivers need it)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix or ".tmp",
                               dir=target.parent)
    os.close(fd)
    os.unlink(tmp)  # some writers (GeoPackage) refuse to overwrite an existing empty file
    return Path(tmp)


def _write(frame: pd.DataFrame, tmp: Path, fmt: str) -> None:
    if fmt == "csv":
        frame.to_csv(tmp, index=False, lineterminator="\n")
    elif fmt == "parquet":
        pd.DataFrame(frame).to_parquet(tmp, index=False)
    elif fmt == "geoparquet":
        frame.to_parquet(tmp, index=False)
    elif fmt == "gpkg":
        frame.to_file(tmp, driver="GPKG", engine="pyogrio", layer=frame.attrs.get("layer"))
    elif fmt == "geojson":
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio")
    else:  # pragma: no cover - format_of already checked
        raise ValueError(fmt)


def _prepare(frame: pd.DataFrame, fmt: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop geometry for tabular formats; require it for geo formats."""
    counts: dict[str, int] = {}
    geo = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    if fmt in GEO_FORMATS:
        if not geo:
            raise ValueError(f"{fmt} needs a GeoDataFrame with geometry; use csv or parquet")
        if frame.crs is None:
            raise ValueError(f"{fmt} export needs a CRS on the GeoDataFrame")
        out = frame
        if fmt == "geojson" and not frame.crs.equals("EPSG:4326"):
            out = frame.to_crs("EPSG:4326")  # RFC 7946: GeoJSON is WGS 84
            counts["reprojected_to_epsg4326"] = len(out)
        return out.reset_index(drop=True), counts
    if geo:
        counts["geometry_dropped"] = 1
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    # the index carries ids in state/area tables: keep it as a column
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None:
        frame = frame.reset_index()
    return frame, counts


def export_table(
    frame_or_gdf: pd.DataFrame,
    path: str | os.PathLike,
    *,
    fmt: str | None = None,
    provenance: dict | Any | None = None,
    layer: str | None = None,
) -> Path:
    """Write a result table and its provenance sidecar.

    Parameters
    ----------
    frame_or_gdf : DataFrame or GeoDataFrame
        County / state / area results. A non-default index (e.g. state ids) is written as a
        column in tabular formats.
    path : str or PathLike
        Output file; the format comes from the extension (``.csv``, ``.parquet``,
        ``.geoparquet``, ``.gpkg``, ``.geojson``) unless ``fmt`` is given. ``.parquet`` with a
        GeoDataFrame writes GeoParquet (geometry kept).
    fmt : str, optional
        ``"csv" | "parquet" | "geoparquet" | "gpkg" | "geojson"``.
    provenance : dict or object with ``to_dict()``, optional
        Sources, versions, scenario... merged into the sidecar.
    layer : str, optional
        GeoPackage layer name (default: the file stem).

    Returns
    -------
    Path
        The data file; the sidecar is ``<path>.provenance.json``.

    Notes
    -----
    CSV and plain Parquet drop the geometry (``geometry_dropped`` in the sidecar); GeoJSON is
    reprojected to EPSG:4326 as RFC 7946 requires. Read CSV code columns back as strings
    (``dtype=str`` for ``geoid``/``state_fips``) to keep leading zeros; the sidecar lists
    each column's dtype.
    """
    target = Path(path)
    kind = format_of(target, fmt)
    if kind == "parquet" and fmt is None and isinstance(frame_or_gdf, gpd.GeoDataFrame):
        kind = "geoparquet"
    frame, counts = _prepare(frame_or_gdf, kind)
    if kind == "gpkg":
        frame.attrs["layer"] = layer or target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_path(target)
    try:
        _write(frame, tmp, kind)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    write_provenance(target, frame, kind, provenance, counts)
    return target


def write_provenance(
    target: Path,
    frame: pd.DataFrame,
    kind: str,
    provenance: dict | Any | None,
    counts: dict[str, int] | None = None,
) -> Path:
    """Write ``<target>.provenance.json`` (atomic) and return its path."""
    if provenance is not None and not isinstance(provenance, dict):
        provenance = provenance.to_dict() if hasattr(provenance, "to_dict") else dict(provenance)
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    record = {
        "file": target.name,
        "format": kind,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "package": {"name": "iceberg-index", "version": _package_version()},
        "libraries": _library_versions(),
        "rows": len(frame),
        "columns": {str(c): str(frame[c].dtype) for c in frame.columns if c != geom},
        "crs": str(frame.crs) if geom else None,
        "export_counts": counts or {},
        "provenance": provenance or {},
    }
    side = target.with_name(target.name + ".provenance.json")
    fd, tmp = tempfile.mkstemp(prefix=f".{side.name}.", suffix=".tmp", dir=side.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh, indent=2, default=_json_default, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, side)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return side


def read_table(path: str | os.PathLike, *, fmt: str | None = None) -> pd.DataFrame:
    """Read a table written by :func:`export_table`, restoring dtypes from the sidecar (CSV).

    Returns a GeoDataFrame for the geo formats.
    """
    target = Path(path)
    kind = format_of(target, fmt)
    if kind in ("gpkg", "geojson"):
        return gpd.read_file(target, engine="pyogrio")
    if kind in ("parquet", "geoparquet"):
        try:
            return gpd.read_parquet(target)
        except ValueError:  # no geo metadata: plain Parquet
            return pd.read_parquet(target)
    side = target.with_name(target.name + ".provenance.json")
    dtypes = {}
    if side.exists():
        cols = json.loads(side.read_text(encoding="utf-8")).get("columns", {})
        dtypes = {c: ("text" if t in ("str", "string", "object") else t) for c, t in cols.items()}
    # codes keep their leading zeros only when read as text
    text_cols = {c: str for c, t in dtypes.items() if t == "text"}
    frame = pd.read_csv(target, dtype=text_cols or None, keep_default_na=True)
    for col, dtype in dtypes.items():
        if col in frame.columns and dtype != "text" and str(frame[col].dtype) != dtype:
            try:
                frame[col] = frame[col].astype(dtype)
            except (TypeError, ValueError):
                pass  # leave what pandas read; the sidecar still documents the intended type
    return frame


__all__ = ["FORMATS", "export_table", "format_of", "read_table", "write_provenance"]
