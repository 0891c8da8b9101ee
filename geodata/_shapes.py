"""Small helpers shared by the geometry modules: CRS constants, id and state columns."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from iceberg.errors import IcebergDataError

#: Equal-area CRS used for simplification, dissolves and print maps (NAD83 / CONUS Albers).
ALBERS = "EPSG:5070"
WEB = "EPSG:4326"


def resolve_id_column(gdf: pd.DataFrame, id_column: str) -> str:
    """``id_column`` or its upper-case form (Census files say ``GEOID``), whichever exists."""
    if id_column in gdf.columns:
        return id_column
    if id_column.upper() in gdf.columns:
        return id_column.upper()
    raise IcebergDataError(
        "boundary layer has no id column",
        column=id_column,
        expected=f"a column {id_column!r}",
        found=list(gdf.columns)[:12],
    )


def state_codes(gdf: gpd.GeoDataFrame) -> pd.Series:
    """2-digit state FIPS per row, from ``state_fips``/``STATEFP`` or the first 2 chars of the id."""
    for col in ("state_fips", "STATEFP"):
        if col in gdf.columns:
            return gdf[col].astype(str)
    for col in ("geoid", "GEOID"):
        if col in gdf.columns:
            return gdf[col].astype(str).str[:2]
    raise IcebergDataError(
        "cannot tell the state of each shape",
        expected="a column state_fips, STATEFP, geoid or GEOID",
        found=list(gdf.columns)[:12],
    )


def require_crs(gdf: gpd.GeoDataFrame) -> None:
    """Raise when the layer has no CRS (nothing can be reprojected)."""
    if gdf.crs is None:
        raise IcebergDataError(
            "boundary layer has no CRS", expected="a geographic or projected CRS", found=None
        )
