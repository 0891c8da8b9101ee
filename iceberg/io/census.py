"""Census and geography loaders: county→OEWS area crosswalk, population, boundaries, ACS.

Each reader checks columns, code formats, ranges and duplicates and raises
:class:`~iceberg.errors.IcebergDataError` naming file, 1-based data row, column, expectation
and what it found. Codes stay strings (``"01001"``, ``"01"``).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError

PathLike = str | os.PathLike

_FIPS5 = r"\d{5}"
_FIPS2 = r"\d{2}"


# ---------------------------------------------------------------------------------------------
# shared checks


def _require_file(path: Path) -> None:
    if not path.exists():
        raise IcebergDataError("file not found", file=path, expected="an existing file", found=None)


def _read_csv(path: Path, *, encodings: tuple[str, ...] = ("utf-8",), dtype=str) -> pd.DataFrame:
    """Read a CSV with all columns as strings, trying the allowed encodings in order."""
    _require_file(path)
    last: Exception | None = None
    for enc in encodings:
        try:
            return pd.read_csv(path, dtype=dtype, encoding=enc, keep_default_na=False, na_values=[""])
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError as exc:
            raise IcebergDataError("file is empty", file=path, expected="a CSV with a header row", found="") from exc
        except pd.errors.ParserError as exc:
            raise IcebergDataError(
                "CSV could not be parsed (truncated or malformed?)", file=path, expected="a well-formed CSV",
                found=str(exc)[:200],
            ) from exc
    raise IcebergDataError(
        "file has an unexpected text encoding", file=path, expected=" or ".join(encodings),
        found=str(last)[:200],
    )


def _require_columns(df: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise IcebergDataError(
            "required column missing", file=path, column=missing[0],
            expected=", ".join(columns), found=", ".join(map(str, df.columns[:20])),
        )


def _first_bad(mask: np.ndarray | pd.Series) -> int | None:
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    return int(idx[0]) if idx.size else None


def _check_pattern(df: pd.DataFrame, column: str, pattern: str, expected: str, path: Path) -> None:
    values = df[column]
    ok = values.notna() & values.astype("string").str.fullmatch(pattern).fillna(False)
    i = _first_bad(~ok.to_numpy(dtype=bool))
    if i is not None:
        raise IcebergDataError(
            "bad code", file=path, row=i + 1, column=column, expected=expected,
            found=None if pd.isna(values.iloc[i]) else str(values.iloc[i]),
        )


def _check_unique(df: pd.DataFrame, column: str, path: Path) -> None:
    dup = df[column].duplicated()
    i = _first_bad(dup.to_numpy())
    if i is not None:
        raise IcebergDataError(
            "duplicate key", file=path, row=i + 1, column=column, expected="one row per value",
            found=str(df[column].iloc[i]),
        )


def _to_number(df: pd.DataFrame, column: str, path: Path, *, minimum: float = 0.0, integer: bool = False) -> pd.Series:
    """Parse a text column as numbers ≥ ``minimum``; the first bad cell raises."""
    raw = df[column]
    num = pd.to_numeric(raw.astype("string").str.strip(), errors="coerce").astype("float64")
    bad = num.isna().to_numpy() | (num.to_numpy() < minimum)
    if integer:
        bad |= ~np.isclose(num.fillna(0).to_numpy() % 1, 0)
    i = _first_bad(bad)
    if i is not None:
        raise IcebergDataError(
            "bad number", file=path, row=i + 1, column=column,
            expected=f"{'an integer' if integer else 'a number'} >= {minimum:g}",
            found=None if pd.isna(raw.iloc[i]) else str(raw.iloc[i]),
        )
    return num


# ---------------------------------------------------------------------------------------------
# boundaries


def _resolve_vector(path: Path, layer: str | None) -> tuple[str, str | None]:
    """Turn a folder / .shp / .zip into something pyogrio reads, plus the layer to read."""
    _require_file(path)
    if path.is_dir():
        shps = sorted(path.glob("*.shp"))
        if layer is not None:
            shps = [p for p in shps if p.stem == layer] or shps
        if len(shps) != 1:
            raise IcebergDataError(
                "folder must hold exactly one shapefile (or pass layer=)", file=path,
                expected="one *.shp", found=[p.name for p in shps],
            )
        return str(shps[0]), None
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            raise IcebergDataError("not a valid zip archive", file=path, expected="a .zip", found=path.stat().st_size)
        return f"zip://{path}", layer
    return str(path), layer


def _read_vector(path: PathLike, layer: str | None) -> tuple[gpd.GeoDataFrame, Path]:
    p = Path(path)
    src, lyr = _resolve_vector(p, layer)
    try:
        gdf = gpd.read_file(src, layer=lyr, engine="pyogrio")
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError / OSError
        raise IcebergDataError(
            "boundary file could not be read", file=p, expected="a shapefile folder, .shp or .zip",
            found=f"{type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    if gdf.crs is None:
        raise IcebergDataError("boundary file has no CRS (.prj missing?)", file=p, expected="EPSG:4269", found=None)
    return gdf, p


def _check_geometry(gdf: gpd.GeoDataFrame, path: Path) -> None:
    geom = gdf.geometry
    bad = (geom.isna() | geom.is_empty | ~geom.geom_type.isin(["Polygon", "MultiPolygon"])).to_numpy()
    i = _first_bad(bad)
    if i is not None:
        raise IcebergDataError(
            "missing, empty or non-polygon geometry", file=path, row=i + 1, column="geometry",
            expected="Polygon or MultiPolygon", found=None if geom.iloc[i] is None else geom.iloc[i].geom_type,
        )


def read_boundaries(path: PathLike, layer: str | None = None) -> gpd.GeoDataFrame:
    """County (or any GEOID-keyed) boundaries from a Census cartographic boundary file.

    Parameters
    ----------
    path : str or Path
        A shapefile folder holding one ``.shp``, a ``.shp`` file, or a ``.zip``.
    layer : str, optional
        Layer to read (a ``.shp`` stem inside a folder, or a layer name inside a zip/KML).

    Returns
    -------
    GeoDataFrame
        ``geoid`` (5-char string), ``state_fips`` (2-char), ``name``, ``geometry``;
        the file's CRS is kept (EPSG:4269 for Census files).

    Raises
    ------
    IcebergDataError
        Unreadable file, no CRS, missing ``GEOID``/``NAME``, bad or duplicate GEOID, bad geometry.
    """
    gdf, p = _read_vector(path, layer)
    gdf = gdf.rename(columns=str)
    _require_columns(gdf, ["GEOID", "NAME"], p)
    gdf = gdf.assign(GEOID=gdf["GEOID"].astype("string"))
    _check_pattern(gdf, "GEOID", _FIPS5, "5-digit county FIPS (e.g. '01001')", p)
    _check_unique(gdf, "GEOID", p)
    _check_geometry(gdf, p)
    out = gpd.GeoDataFrame(
        {
            "geoid": gdf["GEOID"].astype(str).to_numpy(),
            "state_fips": gdf["GEOID"].str[:2].astype(str).to_numpy(),
            "name": gdf["NAME"].astype(str).to_numpy(),
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
    return out


def read_states(path: PathLike, layer: str | None = None) -> gpd.GeoDataFrame:
    """State boundaries from a Census cartographic boundary file.

    Parameters
    ----------
    path : str or Path
        Shapefile folder, ``.shp`` or ``.zip`` (e.g. ``cb_2023_us_state_20m``).
    layer : str, optional
        Layer name, as in :func:`read_boundaries`.

    Returns
    -------
    GeoDataFrame
        ``state_fips`` (2-char), ``state_abbr``, ``name``, ``geometry`` (file CRS kept).
    """
    gdf, p = _read_vector(path, layer)
    gdf = gdf.rename(columns=str)
    _require_columns(gdf, ["STATEFP", "STUSPS", "NAME"], p)
    gdf = gdf.assign(STATEFP=gdf["STATEFP"].astype("string"), STUSPS=gdf["STUSPS"].astype("string"))
    _check_pattern(gdf, "STATEFP", _FIPS2, "2-digit state FIPS (e.g. '01')", p)
    _check_pattern(gdf, "STUSPS", r"[A-Z]{2}", "2-letter USPS code", p)
    _check_unique(gdf, "STATEFP", p)
    _check_geometry(gdf, p)
    return gpd.GeoDataFrame(
        {
            "state_fips": gdf["STATEFP"].astype(str).to_numpy(),
            "state_abbr": gdf["STUSPS"].astype(str).to_numpy(),
            "name": gdf["NAME"].astype(str).to_numpy(),
        },
        geometry=gdf.geometry.values,
        crs=gdf.crs,
    )
