"""Print layout: EPSG:5070 (CONUS Albers) with Alaska, Hawaii and Puerto Rico moved into inset
boxes below the contiguous US by one fixed transform per inset, so county and state layers line up.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from iceberg.labels import STATE_FIPS

from ._shapes import ALBERS, require_crs, state_codes

#: States (and equivalents) shown in the print layout: 50 states + DC + PR.
_KEPT_STATE_FIPS = STATE_FIPS | {"72"}


@dataclass(frozen=True)
class _Inset:
    """One inset: source CRS, a fixed source box in it, scale and destination box in 5070."""

    state_fips: str
    abbr: str
    crs: str
    src_box: tuple[float, float, float, float]  # minx, miny, maxx, maxy in ``crs``
    scale: float
    dst_box: tuple[float, float, float, float]  # frame in EPSG:5070

    def transform(self, geoms: np.ndarray) -> np.ndarray:
        """Scale about the source box centre, then move that centre to the frame centre."""
        sx, sy = (self.src_box[0] + self.src_box[2]) / 2, (self.src_box[1] + self.src_box[3]) / 2
        dx, dy = (self.dst_box[0] + self.dst_box[2]) / 2, (self.dst_box[1] + self.dst_box[3]) / 2
        # Uniform scale + translation on all coordinates at once (same as shapely.affinity's
        # affine_transform with [s, 0, 0, s, dx - s*sx, dy - s*sy], but vectorised).
        offset = np.array([dx - self.scale * sx, dy - self.scale * sy])
        return shapely.transform(np.asarray(geoms, dtype=object), lambda c: c * self.scale + offset)


# Source boxes are fixed constants (bounds of the 2023 Census shapes in each inset's own
# equal-area projection, slightly padded) so the transform never depends on the data passed in:
# a county layer and a state layer are moved identically and their outlines coincide.
INSETS: tuple[_Inset, ...] = (
    _Inset(
        "02",
        "AK",
        "EPSG:3338",  # NAD83 / Alaska Albers; handles the antimeridian
        (-2_180_000.0, 400_000.0, 1_500_000.0, 2_390_000.0),
        0.35,
        (-2_360_000.0, 180_000.0, -1_050_000.0, 900_000.0),
    ),
    _Inset(
        "15",
        "HI",
        "+proj=aea +lat_1=8 +lat_2=18 +lat_0=13 +lon_0=-157 +datum=NAD83 +units=m +no_defs",
        (-345_000.0, 650_000.0, 235_000.0, 1_030_000.0),
        1.0,
        (-1_040_000.0, 130_000.0, -440_000.0, 530_000.0),
    ),
    _Inset(
        "72",
        "PR",
        "+proj=aea +lat_1=18 +lat_2=18.5 +lat_0=18.2 +lon_0=-66.4 +datum=NAD83 +units=m +no_defs",
        (-170_000.0, -40_000.0, 130_000.0, 40_000.0),
        1.5,
        (1_000_000.0, 40_000.0, 1_500_000.0, 200_000.0),
    ),
)


def inset_layout(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to EPSG:5070 and move Alaska, Hawaii and Puerto Rico into inset boxes.

    Alaska (02) is drawn in Alaska Albers at 0.35×, Hawaii (15) in its own Albers at 1×,
    Puerto Rico (72) at 1.5×, each centred in its frame from :func:`inset_frames` (Alaska and
    Hawaii below-left of the contiguous US, Puerto Rico below Florida). The transform uses
    fixed constants only, so county and state layers line up. Other territories (AS, GU, MP,
    VI, ...) are dropped and counted.

    Parameters
    ----------
    gdf : GeoDataFrame
        County or state layer with a CRS and ``state_fips``/``STATEFP`` or ``geoid``/``GEOID``.

    Returns
    -------
    GeoDataFrame
        Same columns, EPSG:5070, rows of dropped territories removed (original order otherwise).
        ``.attrs["counts"] = {"territories_dropped": n, "inset_AK": n, "inset_HI": n, "inset_PR": n}``.
    """
    require_crs(gdf)
    states = state_codes(gdf)
    keep = states.isin(_KEPT_STATE_FIPS).to_numpy()
    counts = {"territories_dropped": int((~keep).sum())}
    kept = gdf.loc[keep]
    kept_states = states.to_numpy()[keep]
    geoms = np.asarray(kept.geometry.to_crs(ALBERS).values, dtype=object).copy()
    for inset in INSETS:
        sel = kept_states == inset.state_fips
        counts[f"inset_{inset.abbr}"] = int(sel.sum())
        if sel.any():
            local = np.asarray(kept.geometry.loc[sel].to_crs(inset.crs).values, dtype=object)
            geoms[sel] = inset.transform(local)
    out = gpd.GeoDataFrame(kept.drop(columns=kept.geometry.name), geometry=geoms, crs=ALBERS)
    if kept.geometry.name != "geometry":
        out = out.rename_geometry(kept.geometry.name)
    out.attrs["counts"] = counts
    return out


def state_crs(state_fips: str) -> str:
    """An equal-area CRS suited to one state: its inset's projection (AK, HI, PR), else CONUS
    Albers (EPSG:5070)."""
    return next((inset.crs for inset in INSETS if inset.state_fips == state_fips), ALBERS)


def inset_frames() -> gpd.GeoDataFrame:
    """Outlines of the inset boxes used by :func:`inset_layout` (EPSG:5070).

    Returns
    -------
    GeoDataFrame
        Columns ``state_fips, abbr, geometry`` (rectangles), one row per inset.
    """
    return gpd.GeoDataFrame(
        {"state_fips": [i.state_fips for i in INSETS], "abbr": [i.abbr for i in INSETS]},
        geometry=[shapely.box(*i.dst_box) for i in INSETS],
        crs=ALBERS,
    )
