"""County and state geometry for maps: web layer, state outlines, inset layout, cache.

Everything here works on the GeoDataFrames of :mod:`iceberg.io.census` (``geoid`` /
``state_fips`` columns). Two targets:

* **web** (folium/Leaflet): EPSG:4326, coverage-simplified in EPSG:5070 so neighbouring
  counties keep exactly the same shared border, coordinates rounded so the GeoJSON is small;
* **print** (static maps): EPSG:5070 (CONUS Albers) with Alaska, Hawaii and Puerto Rico moved
  into inset boxes below the contiguous US by one fixed transform per inset, so county and
  state layers line up (:mod:`geodata.insets`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from iceberg.errors import IcebergDataError

from ._shapes import ALBERS, WEB, require_crs, resolve_id_column, state_codes

__all__ = [
    "DEFAULT_PRECISION", "DEFAULT_TOLERANCE_M", "WEB_LAYER_VERSION", "geojson_size",
    "state_outlines", "web_layer",
]

#: Default web simplification: Visvalingam–Whyatt tolerance (metres, ~sqrt of removed
#: triangle area) and coordinate grid (degrees). 1,500 m keeps county shapes recognisable at
#: state zoom (a screen pixel is ~600 m at zoom 7) and gives ~1.3 MB of GeoJSON for the
#: 3,222 counties of the 2023 20m file; 1e-4 deg is ~10 m.
DEFAULT_TOLERANCE_M = 1500.0
DEFAULT_PRECISION = 1e-4

#: Bumped when the web-layer recipe changes, so cached layers are rebuilt.
WEB_LAYER_VERSION = "1"


# ---------------------------------------------------------------------------------------------
# helpers


def _decimals(precision: float) -> int:
    if not precision > 0:
        raise ValueError(f"precision must be a positive grid size in degrees, got {precision!r}")
    return round(-np.log10(precision))


def _round_coords(geoms: np.ndarray, decimals: int) -> tuple[np.ndarray, int]:
    """Round every coordinate to ``decimals`` places.

    Plain rounding maps a shared vertex to the same point in both neighbours, so an
    edge-matched coverage stays edge-matched. A polygon can become invalid (a collapsed
    sliver); only those are repaired (``make_valid``, polygonal parts kept) and counted.
    """
    rounded = shapely.transform(geoms, lambda c: np.round(c, decimals))
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        fixed = shapely.make_valid(rounded[bad], method="structure", keep_collapsed=False)
        rounded[bad] = fixed
    return rounded, int(bad.sum())


def _simplify_coverage(geoms: np.ndarray, tolerance_m: float) -> tuple[np.ndarray, dict[str, int]]:
    """Coverage-simplify projected polygons; clean the coverage first if it is not valid."""
    counts = {"coverage_cleaned": 0}
    if not shapely.coverage_is_valid(geoms):
        # Overlaps or mismatched edges would let simplification open gaps; clean them first.
        invalid = ~shapely.is_empty(shapely.coverage_invalid_edges(geoms))
        counts["coverage_cleaned"] = int(invalid.sum())
        geoms = shapely.coverage_clean(geoms)
    if tolerance_m > 0:
        geoms = shapely.coverage_simplify(geoms, tolerance_m)
    return np.asarray(geoms, dtype=object), counts


# ---------------------------------------------------------------------------------------------
# web layer


def web_layer(
    counties_gdf: gpd.GeoDataFrame,
    *,
    id_column: str = "geoid",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    precision: float = DEFAULT_PRECISION,
) -> gpd.GeoDataFrame:
    """Small, topologically clean polygons for web maps.

    Projects to EPSG:5070, simplifies with :func:`shapely.coverage_simplify` (shared borders
    stay shared, no gaps or slivers), checks :func:`shapely.coverage_is_valid`, returns to
    EPSG:4326 and rounds coordinates to ``precision`` degrees.

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        Polygons with a CRS and an id column (e.g. from :func:`iceberg.io.boundaries.read_boundaries`).
    id_column : str, default "geoid"
        Name of the id column (``"GEOID"`` is also accepted when ``"geoid"`` is absent); the
        output column is always named ``id_column`` lower-cased.
    tolerance_m : float, default 1500
        Coverage-simplification tolerance in metres (0 = no simplification).
    precision : float, default 1e-4
        Coordinate grid in degrees, a power of ten (1e-4 deg is about 10 m).

    Returns
    -------
    GeoDataFrame
        Columns ``[id_column, "geometry"]`` in EPSG:4326, same row order as the input.
        ``.attrs["counts"]`` holds ``coverage_cleaned`` (invalid input edges repaired before
        simplifying), ``repaired_after_rounding`` and ``coverage_valid`` (1/0).

    Raises
    ------
    IcebergDataError
        No CRS, no id column, or a non-polygon / empty geometry.
    """
    require_crs(counties_gdf)
    col = resolve_id_column(counties_gdf, id_column)
    geoms = counties_gdf.geometry.values
    kinds = shapely.get_type_id(np.asarray(geoms, dtype=object))
    bad = ~np.isin(kinds, [3, 6]) | shapely.is_empty(np.asarray(geoms, dtype=object))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise IcebergDataError(
            "boundary layer has a missing, empty or non-polygon geometry",
            row=i + 1,
            column="geometry",
            expected="Polygon or MultiPolygon",
            found=str(counties_gdf[col].iloc[i]),
        )
    projected = counties_gdf.geometry.to_crs(ALBERS).values
    simplified, counts = _simplify_coverage(np.asarray(projected, dtype=object), float(tolerance_m))
    back = gpd.GeoSeries(simplified, crs=ALBERS).to_crs(WEB).values
    rounded, n_fixed = _round_coords(np.asarray(back, dtype=object), _decimals(precision))
    counts["repaired_after_rounding"] = n_fixed
    counts["coverage_valid"] = int(bool(shapely.coverage_is_valid(rounded)))
    out = gpd.GeoDataFrame(
        {id_column.lower(): counties_gdf[col].astype(str).to_numpy()},
        geometry=rounded,
        crs=WEB,
        index=counties_gdf.index,
    )
    out.attrs["counts"] = counts
    return out


def geojson_size(gdf: gpd.GeoDataFrame) -> int:
    """Bytes of ``gdf.to_json(drop_id=True)`` (what a folium layer embeds, before properties)."""
    return len(gdf.to_json(drop_id=True).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# state outlines


def _is_county_layer(gdf: gpd.GeoDataFrame) -> bool:
    for col in ("geoid", "GEOID"):
        if col in gdf.columns:
            return bool((gdf[col].astype(str).str.len() == 5).all())
    return False


def state_outlines(
    gdf: gpd.GeoDataFrame,
    *,
    web: bool = False,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    precision: float = DEFAULT_PRECISION,
) -> gpd.GeoDataFrame:
    """State polygons (one per state) for drawing outlines over a county choropleth.

    From a county layer the states are dissolved from the counties (coverage union), so the
    outlines trace exactly the county borders drawn under them; a state layer is used as is.

    Parameters
    ----------
    gdf : GeoDataFrame
        A county layer (5-char ``geoid``/``GEOID``) or a state layer (``state_fips``/``STATEFP``).
    web : bool, default False
        True: the county layer is first passed through :func:`web_layer` with the same
        ``tolerance_m``/``precision`` (so outlines match the web county layer exactly); a state
        layer is simplified the same way. Result in EPSG:4326.
        False (print): no simplification, result in EPSG:5070.
    tolerance_m, precision : float
        As in :func:`web_layer` (web only).

    Returns
    -------
    GeoDataFrame
        Columns ``state_fips, geometry``, one row per state, sorted by ``state_fips``.
    """
    require_crs(gdf)
    states = state_codes(gdf).to_numpy()
    if web:
        if _is_county_layer(gdf):
            layer = web_layer(gdf, id_column="geoid", tolerance_m=tolerance_m, precision=precision)
            layer = layer.assign(state_fips=states)
        else:
            tmp = gpd.GeoDataFrame(
                {"state_fips": states}, geometry=gdf.geometry.values, crs=gdf.crs
            )
            layer = web_layer(
                tmp, id_column="state_fips", tolerance_m=tolerance_m, precision=precision
            )
    else:
        layer = gpd.GeoDataFrame(
            {"state_fips": states}, geometry=gdf.geometry.to_crs(ALBERS).values, crs=ALBERS
        )
    if _is_county_layer(gdf) or layer["state_fips"].duplicated().any():
        # Counties of one state are an edge-matched coverage, so a coverage union is exact.
        layer = layer[["state_fips", "geometry"]].dissolve(
            by="state_fips", method="coverage", as_index=False
        )
    out = layer[["state_fips", "geometry"]].sort_values("state_fips").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=layer.crs)


# ---------------------------------------------------------------------------------------------
# cache
