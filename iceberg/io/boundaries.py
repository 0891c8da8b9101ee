"""Census cartographic boundary readers: county and state polygons.

Each reader accepts a shapefile folder, a ``.shp`` or a ``.zip``, checks codes, duplicates and
geometry, and raises :class:`~iceberg.errors.IcebergDataError` naming file, 1-based data row,
column, expectation and what it found. Codes stay strings (``"01001"``, ``"01"``); the file's
CRS is kept (EPSG:4269 for Census files).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import geopandas as gpd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    COUNTY_FIPS,
    STATE_FIPS,
    check_pattern,
    check_unique,
    first_bad,
    require_columns,
)

PathLike = str | os.PathLike


def _require_file(path: Path) -> None:
    if not path.exists():
        raise IcebergDataError("file not found", file=path, expected="an existing file", found=None)


def _resolve_vector(path: Path, layer: str | None) -> tuple[str, str | None]:
    """Turn a folder / .shp / .zip into something pyogrio reads, plus the layer to read."""
    _require_file(path)
    if path.is_dir():
        shps = sorted(path.glob("*.shp"))
        if layer is not None:
            shps = [p for p in shps if p.stem == layer] or shps
        if len(shps) != 1:
            raise IcebergDataError(
                "folder must hold exactly one shapefile (or pass layer=)",
                file=path,
                expected="one *.shp",
                found=[p.name for p in shps],
            )
        return str(shps[0]), None
    if path.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(path):
            raise IcebergDataError(
                "not a valid zip archive", file=path, expected="a .zip", found=path.stat().st_size
            )
        return f"zip://{path}", layer
    return str(path), layer


def _read_vector(path: PathLike, layer: str | None) -> tuple[gpd.GeoDataFrame, Path]:
    p = Path(path)
    src, lyr = _resolve_vector(p, layer)
    try:
        gdf = gpd.read_file(src, layer=lyr, engine="pyogrio")
    except Exception as exc:  # pyogrio raises DataSourceError / DataLayerError / OSError
        raise IcebergDataError(
            "boundary file could not be read",
            file=p,
            expected="a shapefile folder, .shp or .zip",
            found=f"{type(exc).__name__}: {str(exc)[:200]}",
        ) from exc
    if gdf.crs is None:
        raise IcebergDataError(
            "boundary file has no CRS (.prj missing?)", file=p, expected="EPSG:4269", found=None
        )
    return gdf, p


def _check_geometry(gdf: gpd.GeoDataFrame, path: Path) -> None:
    geom = gdf.geometry
    bad = (
        geom.isna() | geom.is_empty | ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
    ).to_numpy()
    i = first_bad(bad)
    if i is not None:
        raise IcebergDataError(
            "missing, empty or non-polygon geometry",
            file=path,
            row=i + 1,
            column="geometry",
            expected="Polygon or MultiPolygon",
            found=None if geom.iloc[i] is None else geom.iloc[i].geom_type,
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
    require_columns(gdf, ["GEOID", "NAME"], p)
    gdf = gdf.assign(GEOID=gdf["GEOID"].astype("string"))
    check_pattern(gdf, "GEOID", COUNTY_FIPS, p, expected="5-digit county FIPS (e.g. '01001')")
    check_unique(gdf, "GEOID", p)
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
    require_columns(gdf, ["STATEFP", "STUSPS", "NAME"], p)
    gdf = gdf.assign(STATEFP=gdf["STATEFP"].astype("string"), STUSPS=gdf["STUSPS"].astype("string"))
    check_pattern(gdf, "STATEFP", STATE_FIPS, p, expected="2-digit state FIPS (e.g. '01')")
    check_pattern(gdf, "STUSPS", r"[A-Z]{2}", p, expected="2-letter USPS code")
    check_unique(gdf, "STATEFP", p)
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
