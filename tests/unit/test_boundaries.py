"""Unit tests for geodata.boundaries on tiny hand-made polygons."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from geodata import boundaries as B
from geodata import insets
from iceberg.errors import IcebergDataError


def _zigzag_pair(x0: float, y0: float, size: float = 1.0, teeth: int = 40, amp: float = 0.002):
    """Two squares (degrees) sharing a vertical border with tiny zigzags on it."""
    ys = np.linspace(y0, y0 + size, teeth + 1)
    xs = x0 + size / 2 + np.where(np.arange(teeth + 1) % 2 == 1, amp, 0.0)
    border = list(zip(xs, ys))
    left = Polygon([(x0, y0), *border, (x0, y0 + size)])
    right = Polygon([(x0 + size, y0), (x0 + size, y0 + size), *border[::-1]])
    return left, right


@pytest.fixture
def counties() -> gpd.GeoDataFrame:
    """Four counties in two states (Kansas-like 20, Missouri-like 29), an edge-matched coverage."""
    a, b = _zigzag_pair(-98.0, 38.0)
    c, d = _zigzag_pair(-98.0, 39.0)
    return gpd.GeoDataFrame(
        {"geoid": ["20001", "20003", "29001", "29003"], "name": list("abcd")},
        geometry=[a, b, c, d],
        crs="EPSG:4269",
    )


def test_web_layer_keeps_coverage_and_rounds(counties):
    assert shapely.coverage_is_valid(counties.to_crs(5070).geometry.values)
    web = B.web_layer(counties, tolerance_m=2000, precision=1e-4)
    assert web.crs.to_epsg() == 4326
    assert list(web.columns) == ["geoid", "geometry"]
    assert web["geoid"].tolist() == counties["geoid"].tolist()
    # Zigzag teeth (sqrt(area) ~ 480 m) are below the tolerance: fewer vertices, borders still shared.
    n_in = shapely.get_num_coordinates(counties.geometry.values).sum()
    n_out = shapely.get_num_coordinates(web.geometry.values).sum()
    assert n_out < n_in
    assert shapely.coverage_is_valid(web.geometry.values)
    assert web.attrs["counts"]["coverage_valid"] == 1
    coords = shapely.get_coordinates(web.geometry.values)
    np.testing.assert_allclose(coords, np.round(coords, 4), atol=1e-12)
    # No gaps: the union of the simplified counties is still one polygon of (almost) the same area.
    union = shapely.union_all(web.to_crs(5070).geometry.values)
    total = counties.to_crs(5070).area.sum()
    assert union.geom_type == "Polygon"
    assert abs(union.area - total) / total < 0.01


def test_web_layer_zero_tolerance_only_rounds(counties):
    web = B.web_layer(counties, tolerance_m=0, precision=1e-3)
    coords = shapely.get_coordinates(web.geometry.values)
    np.testing.assert_allclose(coords, np.round(coords, 3), atol=1e-12)
    assert len(web) == 4


def test_web_layer_accepts_census_GEOID(counties):
    raw = counties.rename(columns={"geoid": "GEOID"})
    web = B.web_layer(raw)
    assert "geoid" in web.columns


def test_web_layer_rejects_bad_input(counties):
    no_crs = counties.set_crs(None, allow_override=True)
    with pytest.raises(IcebergDataError, match="no CRS"):
        B.web_layer(no_crs)
    with pytest.raises(IcebergDataError, match="no id column"):
        B.web_layer(counties.drop(columns="geoid"))
    lines = counties.copy()
    lines.loc[2, "geometry"] = shapely.LineString([(-98, 39), (-97, 40)])
    with pytest.raises(IcebergDataError) as err:
        B.web_layer(lines)
    assert err.value.row == 3 and err.value.column == "geometry"


def test_web_layer_cleans_overlapping_input(counties):
    overlapping = counties.copy()
    overlapping.loc[0, "geometry"] = box(-98.0, 38.0, -97.4, 39.0)  # pokes into its neighbour
    web = B.web_layer(overlapping, tolerance_m=500)
    assert web.attrs["counts"]["coverage_cleaned"] > 0
    assert shapely.coverage_is_valid(web.geometry.values)


def test_state_outlines_print_and_web(counties):
    prt = B.state_outlines(counties)
    assert prt.crs.to_epsg() == 5070
    assert prt["state_fips"].tolist() == ["20", "29"]
    np.testing.assert_allclose(prt.area.sum(), counties.to_crs(5070).area.sum(), rtol=1e-9)
    assert all(g.geom_type == "Polygon" for g in prt.geometry)  # dissolved, no internal seams

    web = B.state_outlines(counties, web=True, tolerance_m=500)
    assert web.crs.to_epsg() == 4326
    county_web = B.web_layer(counties, tolerance_m=500)
    # Outlines trace the web county layer exactly (same vertices).
    for fips, geom in zip(web["state_fips"], web.geometry):
        members = county_web.geometry[county_web["geoid"].str[:2] == fips]
        assert shapely.equals(geom, shapely.union_all(members.values))


def test_state_outlines_from_state_layer(counties):
    states = counties.dissolve(by=counties["geoid"].str[:2]).reset_index(names="state_fips")[
        ["state_fips", "geometry"]
    ]
    out = B.state_outlines(states, web=True)
    assert out["state_fips"].tolist() == ["20", "29"]
    assert out.crs.to_epsg() == 4326


@pytest.fixture
def outlying() -> gpd.GeoDataFrame:
    """One square each in Kansas, Alaska (one across the antimeridian), Hawaii, Puerto Rico, Guam."""
    return gpd.GeoDataFrame(
        {"geoid": ["20001", "02020", "02016", "15003", "72127", "66010"]},
        geometry=[
            box(-98, 38, -97, 39),
            box(-150.5, 61, -149, 61.5),
            box(179.2, 51.2, 179.8, 51.6),
            box(-158.3, 21.2, -157.6, 21.7),
            box(-66.2, 18.3, -66.0, 18.45),
            box(144.6, 13.2, 145.0, 13.6),
        ],
        crs="EPSG:4269",
    )


def test_inset_layout_moves_into_frames(outlying):
    out = insets.inset_layout(outlying)
    assert out.crs.to_epsg() == 5070
    assert out.attrs["counts"] == {
        "territories_dropped": 1,
        "inset_AK": 2,
        "inset_HI": 1,
        "inset_PR": 1,
    }
    assert "66010" not in out["geoid"].tolist()
    frames = insets.inset_frames().set_index("state_fips")
    for geoid, geom in zip(out["geoid"], out.geometry):
        st = geoid[:2]
        if st in frames.index:
            assert frames.geometry[st].contains(geom), geoid
        else:
            # Contiguous-US shapes are only reprojected.
            ref = outlying.set_index("geoid").to_crs(5070).geometry[geoid]
            assert shapely.equals_exact(geom, ref, tolerance=1e-6)
    # Alaska is scaled 0.35 in Alaska Albers: area shrinks by 0.35**2.
    ak = outlying[outlying.geoid == "02020"]
    np.testing.assert_allclose(
        out.loc[out.geoid == "02020"].area.iloc[0],
        ak.to_crs(3338).area.iloc[0] * 0.35**2,
        rtol=1e-9,
    )


def test_inset_layout_same_transform_for_counties_and_states(outlying):
    counties = outlying[outlying.geoid.str[:2] == "02"]
    state = gpd.GeoDataFrame(
        {"state_fips": ["02"]}, geometry=[shapely.union_all(counties.geometry.values)], crs=4269
    )
    moved_counties = insets.inset_layout(counties)
    moved_state = insets.inset_layout(state)
    a = shapely.union_all(moved_counties.geometry.values)
    b = moved_state.geometry.iloc[0]
    assert a.symmetric_difference(b).area < 1e-6 * b.area


def test_inset_frames_disjoint():
    frames = insets.inset_frames()
    assert frames["abbr"].tolist() == ["AK", "HI", "PR"]
    g = frames.geometry.values
    assert not any(g[i].intersects(g[j]) for i in range(3) for j in range(i + 1, 3))




def test_state_crs_is_the_inset_projection_else_conus_albers():
    assert insets.state_crs("02") == "EPSG:3338"  # Alaska Albers, as in its inset
    assert insets.state_crs("15").startswith("+proj=aea")
    assert insets.state_crs("47") == "EPSG:5070"
