"""Tables out: CSV, Parquet, GeoParquet, GeoPackage and GeoJSON, with a provenance sidecar.

Every file is written atomically and readable by others (:func:`iceberg.fileutil.atomic_write`)
and gets ``<file>.provenance.json`` next to it naming the sources, versions, scenario and time,
so a table found on its own can still be traced to what made it. Parquet, GeoParquet and
GeoPackage files also carry the same record inside (key ``iceberg_provenance``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from iceberg.fileutil import atomic_write
from iceberg.provenance import (
    METADATA_KEY,
    compact_json,
    output_record,
    parquet_metadata,
    read_sidecar,
    write_sidecar,
)

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


def _write(frame: pd.DataFrame, tmp: Path, fmt: str, record: dict) -> None:
    """Write ``frame`` to ``tmp`` in ``fmt``, with the provenance record embedded where the
    format has a place for it (Parquet key-value metadata, GeoPackage layer metadata)."""
    if fmt == "csv":
        frame.to_csv(tmp, index=False, lineterminator="\n")
    elif fmt in ("parquet", "geoparquet"):
        _write_parquet(frame, tmp, geo=fmt == "geoparquet", record=record)
    elif fmt == "gpkg":
        frame.to_file(tmp, driver="GPKG", engine="pyogrio", layer=frame.attrs.get("layer"),
                      layer_metadata={METADATA_KEY: compact_json(record)})
    elif fmt == "geojson":
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio")
    else:  # pragma: no cover - format_of already checked
        raise ValueError(fmt)


def _write_parquet(frame: pd.DataFrame, tmp: Path, *, geo: bool, record: dict) -> None:
    """(Geo)Parquet with the record added to the schema's key-value metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if geo:  # geopandas writes the "geo" metadata; add ours beside it
        frame.to_parquet(tmp, index=False)
        table = pq.read_table(tmp)
    else:
        table = pa.Table.from_pandas(pd.DataFrame(frame), preserve_index=False)
    meta = {**(table.schema.metadata or {}), **parquet_metadata(record)}
    pq.write_table(table.replace_schema_metadata(meta), tmp)


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

    See Also
    --------
    table_bytes : the same file as bytes (for a download button), provenance embedded.

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
    record = table_record(target, frame, kind, provenance, counts)
    atomic_write(target, lambda tmp: _write(frame, tmp, kind, record))
    write_sidecar(target, record)
    return target


def table_bytes(frame_or_gdf: pd.DataFrame, fmt: str, *, provenance: dict | Any | None = None,
                name: str = "table") -> tuple[bytes, dict]:
    """The file :func:`export_table` would write, as bytes, and its provenance record.

    Parameters
    ----------
    frame_or_gdf : DataFrame or GeoDataFrame
    fmt : str
        ``"csv" | "parquet" | "geoparquet" | "gpkg" | "geojson"``.
    provenance : dict or object with ``to_dict()``, optional
    name : str
        File stem recorded in the provenance (and the GeoPackage layer name).

    Returns
    -------
    (bytes, dict)
        The file's bytes (provenance embedded where the format allows) and the record to offer
        as ``<file>.provenance.json`` next to it.
    """
    import tempfile

    kind = format_of(f"{name}.{fmt}", fmt)
    with tempfile.TemporaryDirectory() as tmp:
        path = export_table(frame_or_gdf, Path(tmp) / f"{name}.{kind}", fmt=kind,
                            provenance=provenance, layer=name)
        return path.read_bytes(), read_sidecar(path)


def table_record(target: Path, frame: pd.DataFrame, kind: str, provenance: Any,
                 counts: dict[str, int] | None = None) -> dict:
    """The provenance record of a table file: rows, column dtypes, each metric column's label,
    unit and help text (from :mod:`iceberg.labels`), CRS, export counts."""
    from iceberg import labels

    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return output_record(
        target, kind, provenance,
        rows=len(frame),
        columns={str(c): str(frame[c].dtype) for c in frame.columns if c != geom},
        labels={str(c): {"label": labels.label(c), "unit": labels.unit(c),
                         "help": labels.help_text(c)}
                for c in frame.columns if labels.is_metric(str(c))},
        crs=str(frame.crs) if geom else None,
        export_counts=counts or {},
    )


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
    side = read_sidecar(target)
    dtypes = {}
    if side is not None:
        cols = side.get("columns", {})
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


__all__ = ["FORMATS", "export_table", "format_of", "read_table", "table_bytes", "table_record"]
