"""Census loaders, crosswalk validation and geometry on the real files in ../shared/data/raw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geodata import boundaries as B
from geodata import insets
from geodata.crosswalk import county_area_matrix, validate_county_areas
from iceberg.io.boundaries import read_boundaries, read_states
from iceberg.io.census import (
    read_acs_county,
    read_county_area_crosswalk,
    read_county_population,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def counties(raw_dir):
    return read_boundaries(raw_dir / "census_cartographic_boundaries" / "cb_2023_us_county_20m")


@pytest.fixture(scope="module")
def crosswalk(raw_dir):
    return read_county_area_crosswalk(
        raw_dir / "oews_area_definitions" / "county_to_oews_area_may2025.csv"
    )


def test_boundaries(counties, raw_dir):
    assert len(counties) == 3222
    assert counties.crs.to_epsg() == 4269
    assert counties["geoid"].str.fullmatch(r"\d{5}").all() and counties["geoid"].is_unique
    assert (counties["state_fips"] == "72").sum() == 78
    ct = sorted(counties.loc[counties["state_fips"] == "09", "geoid"])
    assert ct == [f"09{c}" for c in range(110, 200, 10)]  # planning regions
    states = read_states(raw_dir / "census_cartographic_boundaries" / "cb_2023_us_state_20m")
    assert len(states) == 52
    assert set(states["state_fips"]) == set(counties["state_fips"])
    old = read_boundaries(raw_dir / "census_cartographic_boundaries" / "cb_2021_us_county_20m.zip")
    assert len(old) == 3221


def test_web_layer_real(counties):
    web = B.web_layer(counties)
    assert len(web) == 3222
    assert web["geoid"].tolist() == counties["geoid"].tolist()
    assert web.crs.to_epsg() == 4326
    assert shapely.coverage_is_valid(web.geometry.values)
    assert shapely.is_valid(web.geometry.values).all()
    assert web.attrs["counts"] == {
        "coverage_cleaned": 0,
        "repaired_after_rounding": 0,
        "coverage_valid": 1,
    }
    size = B.geojson_size(web)
    raw = B.geojson_size(counties.to_crs(4326)[["geoid", "geometry"]])
    print(f"\nweb county GeoJSON {size:,} bytes (unsimplified, unrounded {raw:,})")
    assert size < 1_600_000 and size < raw
    # Simplification keeps the shape: total area within 0.5 % of the source.
    a0, a1 = counties.to_crs(5070).area.sum(), web.to_crs(5070).area.sum()
    assert abs(a1 - a0) / a0 < 0.005

    outlines = B.state_outlines(counties, web=True)
    assert len(outlines) == 52
    print(f"web state outlines GeoJSON {B.geojson_size(outlines):,} bytes")


def test_print_outlines_match_state_file(counties, raw_dir):
    from_counties = B.state_outlines(counties).set_index("state_fips")
    states = read_states(raw_dir / "census_cartographic_boundaries" / "cb_2023_us_state_20m")
    from_file = B.state_outlines(states).set_index("state_fips")
    assert from_counties.crs.to_epsg() == 5070
    diff = from_counties.geometry.symmetric_difference(
        from_file.geometry.loc[from_counties.index]
    ).area
    rel = diff / from_file.geometry.loc[from_counties.index].area
    assert (rel < 0.02).all(), rel.sort_values().tail()


def test_inset_layout_real(counties, raw_dir):
    laid = insets.inset_layout(counties)
    assert laid.attrs["counts"] == {
        "territories_dropped": 0,
        "inset_AK": 30,
        "inset_HI": 5,
        "inset_PR": 78,
    }
    frames = insets.inset_frames().set_index("state_fips")
    minx, miny, maxx, maxy = laid.total_bounds
    assert -2.5e6 < minx and maxx < 2.4e6 and 0 < miny and maxy < 3.3e6
    conus = laid[~laid["state_fips"].isin(frames.index)]
    for fips, frame in frames.geometry.items():
        part = laid[laid["state_fips"] == fips]
        assert frame.contains(shapely.union_all(part.geometry.values)), fips
        assert not conus.geometry.intersects(frame).any(), fips
    # County and state layers move the same way.
    states = insets.inset_layout(
        read_states(raw_dir / "census_cartographic_boundaries" / "cb_2023_us_state_20m")
    )
    ak_c = shapely.union_all(laid.geometry[laid["state_fips"] == "02"].values)
    ak_s = states.geometry[states["state_fips"] == "02"].iloc[0]
    assert ak_c.symmetric_difference(ak_s).area / ak_s.area < 0.02
    # The 5m 2021 file has Island Areas: they are dropped and counted.
    t = read_boundaries(raw_dir / "census_cartographic_boundaries" / "cb_2021_us_county_5m")
    assert (
        insets.inset_layout(t).attrs["counts"]["territories_dropped"]
        == int(t["state_fips"].isin(["60", "66", "69", "78"]).sum())
        > 0
    )


def test_crosswalk_real(crosswalk, counties, raw_dir):
    areas = pd.read_csv(
        raw_dir / "oews_2025" / "oews_2025_msa_nonmetro.csv.gz", usecols=["AREA"], dtype=str
    )["AREA"].unique()
    counts = validate_county_areas(crosswalk, counties, areas)
    assert counts == {
        "counties": 3222,
        "areas": 528,
        "areas_msa": 393,
        "areas_nonmetro": 135,
        "counties_in_msa": 1252,
        "counties_in_nonmetro": 1970,
        "boundary_counties_ignored": 0,
    }
    m = county_area_matrix(crosswalk, counties["geoid"], np.sort(areas))
    assert m.shape == (3222, 528)
    np.testing.assert_array_equal(np.asarray(m.sum(axis=1)).ravel(), 1.0)
    assert (np.asarray(m.sum(axis=0)).ravel() >= 1).all()


def test_population_real(raw_dir, counties):
    pop = read_county_population(raw_dir / "census_popest_2024" / "co-est2024-alldata.csv")
    assert len(pop) == 3144
    assert pop["population"].sum() == 340_110_988
    assert pop.loc[pop["county_fips"] == "35013", "county_name"].iloc[0] == "Doña Ana County"
    non_pr = set(counties.loc[counties["state_fips"] != "72", "geoid"])
    assert set(pop["county_fips"]) == non_pr


def test_acs_real(raw_dir):
    industry, occupation = read_acs_county(raw_dir / "acs5_2019_county_industry_occupation")
    assert industry["county_fips"].nunique() == 3140 and len(industry) == 3140 * 13
    assert len(occupation) == 3140 * 5
    assert industry["employed"].sum() == occupation["employed"].sum() == 154_460_468
    la = occupation[(occupation["county_fips"] == "06037") & (occupation["group"] == "C24060_002")]
    assert la["employed"].iloc[0] == 1_855_069
