"""County allocation on the real OEWS May 2025, ACS 2015–19 and Census 2024 files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.allocation import allocate_counties
from iceberg.io.census import read_acs_county, read_county_area_crosswalk, read_county_population
from iceberg.io.oews import read_oews_dir
from iceberg.metrics import geo_metrics
from iceberg.oews.estimation import estimate_all as fill_all
from iceberg.oews.staffing import national_staffing

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def inputs(raw_dir):
    frames = read_oews_dir(raw_dir / "oews_2025")
    filled = fill_all(frames)
    industry, groups = read_acs_county(raw_dir / "acs5_2019_county_industry_occupation")
    staffing = national_staffing(frames["national_by_industry"], filled["national"],
                                 occ_codes=filled["area"].occ_codes, groups=industry)
    return {
        "filled": filled, "staffing": staffing, "industry": industry, "groups": groups,
        "crosswalk": read_county_area_crosswalk(raw_dir / "oews_area_definitions"),
        "population": read_county_population(raw_dir / "census_popest_2024"),
    }


def run(inputs, **kw):
    return allocate_counties(
        inputs["filled"]["area"], inputs["crosswalk"], acs_industry=inputs["industry"],
        population=inputs["population"], staffing=inputs["staffing"],
        state_ids=inputs["filled"]["state"].ids, **kw)


def simple_index(alloc) -> pd.Series:
    """A made-up exposure (office/business/computing majors) through the one metrics function."""
    major = np.array([c[:2] for c in alloc.occ_codes])
    exposure = np.select([np.isin(major, ["13", "15", "23", "43"]), np.isin(major, ["11", "27", "41"])],
                         [1.0, 0.5], 0.0)
    m = geo_metrics(alloc.employment, alloc.wage, exposure, major == "15", alloc.county_fips)
    return m["iceberg_index"]


def within_area_spread(alloc, index: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"area": alloc.area_of, "method": alloc.method, "index": index})
    acs_areas = frame.groupby("area").filter(
        lambda g: len(g) > 1 and g["method"].eq("industry_mix").all())
    return acs_areas.groupby("area")["index"].agg(["std", "min", "max", "size"])


def test_fill_counts(inputs):
    for level, f in inputs["filled"].items():
        fills = {k: v for k, v in f.counts.items() if v}
        print(f"\n{level}: {fills}")
    area = inputs["filled"]["area"]
    assert area.counts["suppressed_cells"] == 3672 and area.counts["unlisted_cells"] > 200_000
    assert area.counts["wage_missing"] == 0
    assert np.isfinite(area.employment).all() and (area.employment >= 0).all()
    print("staffing:", {k: v for k, v in inputs["staffing"].counts.items() if v})
    assert np.allclose(inputs["staffing"].shares.sum(axis=1), 1.0)


@pytest.mark.parametrize("kw", [{}, {"with_groups": True}])
def test_allocation_auto(inputs, kw):
    extra = {"acs_occupation_groups": inputs["groups"]} if kw else {}
    alloc = run(inputs, **extra)
    c = alloc.counts
    print(f"\nauto{' + occupation groups' if kw else ''}: {c}\n{alloc.diagnostics}")
    n = len(inputs["crosswalk"])
    assert len(alloc.county_fips) == n  # every county of the crosswalk, once
    assert c["counties_industry_mix"] + c["counties_population_share"] + c["counties_equal_share"] == n
    assert c["counties_industry_mix"] == 3132  # ACS rows that match 2023 counties (SOURCE.md)
    assert c["ipf_converged"] == 1
    assert alloc.diagnostics["conservation_max_rel_error"] < 1e-12
    # Independent check of conservation against the filled area matrix.
    area = inputs["filled"]["area"]
    idx = pd.Index(area.ids).get_indexer(alloc.area_of.to_numpy())
    sums = np.zeros_like(area.employment)
    np.add.at(sums, idx, alloc.employment)
    rel = np.abs(sums - area.employment).max() / area.employment.max()
    print("max conservation error (abs):", np.abs(sums - area.employment).max(), "rel to max:", rel)
    assert np.allclose(sums, area.employment, rtol=1e-12, atol=1e-6)
    assert set(alloc.excluded["id"]) == {"66", "78"}

    spread = within_area_spread(alloc, simple_index(alloc))
    print(f"ACS-allocated multi-county areas: {len(spread)}; within-area std of index: "
          f"median {spread['std'].median():.4f}, max {spread['std'].max():.4f}; "
          f"widest range {(spread['max'] - spread['min']).max():.4f}")
    assert len(spread) > 100
    assert (spread["std"] > 0).all()


def test_population_method_has_no_within_area_spread(inputs):
    alloc = run(inputs, method="population")
    assert alloc.counts["counties_population_share"] == 3144  # all but Puerto Rico
    assert alloc.counts["counties_equal_share"] == 78
    index = simple_index(alloc)
    frame = pd.DataFrame({"area": alloc.area_of, "index": index})
    std = frame.groupby("area")["index"].std().dropna()
    print(f"\npopulation method: max within-area std {std.max():.2e}")
    assert std.max() < 1e-12
