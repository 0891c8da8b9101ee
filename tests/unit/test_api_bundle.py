"""run() and the bundle round trip on a hand-made miniature (5 occupations, 3 counties, 2 states)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import iceberg
from iceberg.api import top_occupations
from iceberg.bundle import _write_bundle, read_bundle
from iceberg.geomatrix import GeoMatrix
from iceberg.provenance import Provenance
from iceberg.report import format_table, summary_tables
from tests.unit.test_exposure import OCC, model

# employment: county A (state 01) mostly clerks, county B (01) mostly developers, county C (02) mixed
E = np.array([[10.0, 0, 40, 0, 0], [0, 5, 0, 0, 20], [5, 5, 5, 5, 5]])
W = np.array([[100_000.0, 0, 50_000, 0, 0], [0, 60_000, 0, 0, 120_000], [90_000, 55_000, 45_000, 40_000, 110_000]])


def tiny_parts():
    exposure = model()
    ids = np.array(["01001", "01003", "02001"])
    meta = pd.DataFrame({"state_fips": ["01", "01", "02"], "oews_area": ["A1", "A1", "A2"],
                         "allocation_method": "industry_mix"}, index=pd.Index(ids, name="id"))
    county = GeoMatrix("county", ids, np.array(OCC), E, W, W * 0.9, meta)
    state_e = np.vstack([E[:2].sum(0), E[2]])
    state_w = np.vstack([np.divide((E[:2] * W[:2]).sum(0), state_e[0], out=np.zeros(5), where=state_e[0] > 0), W[2]])
    state = GeoMatrix("state", np.array(["01", "02"]), np.array(OCC), state_e, state_w, state_w * 0.9,
                      pd.DataFrame({"name": ["One", "Two"], "is_state": True}, index=pd.Index(["01", "02"], name="id")))
    nation = GeoMatrix("nation", np.array(["99"]), np.array(OCC), E.sum(0, keepdims=True),
                       (E * W).sum(0, keepdims=True) / E.sum(0, keepdims=True), (E * W).sum(0, keepdims=True) / E.sum(0, keepdims=True) * 0.9,
                       pd.DataFrame({"name": ["US"]}, index=pd.Index(["99"], name="id")))
    area = GeoMatrix("area", np.array(["A1", "A2"]), np.array(OCC), state_e, state_w, state_w * 0.9,
                     pd.DataFrame({"name": ["Area one", "Area two"]}, index=pd.Index(["A1", "A2"], name="id")))
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)]
    counties = gpd.GeoDataFrame({"geoid": ids, "name": ["A", "B", "C"], "state_fips": ["01", "01", "02"],
                                 "state_abbr": ["AA", "AA", "BB"], "oews_area": ["A1", "A1", "A2"],
                                 "oews_area_title": ["Area one", "Area one", "Area two"],
                                 "allocation_method": "industry_mix"}, geometry=geoms, crs=4269)
    occupations = pd.DataFrame({"occ_code": OCC, "title": [f"t{i}" for i in range(5)],
                                "major": [c[:2] for c in OCC], "visible": exposure.visible_mask()})
    return {
        "exposure": exposure, "levels": {"nation": nation, "state": state, "area": area, "county": county},
        "occupations": occupations, "counties": counties,
        "web_counties": counties[["geoid", "geometry"]].to_crs(4326),
        "web_states": counties.dissolve("state_fips").reset_index()[["state_fips", "geometry"]].to_crs(4326),
        "states_geo": counties.dissolve("state_fips").reset_index()[["state_fips", "geometry"]],
        "similarity": np.eye(5), "provenance": Provenance(build={"task_weighting": exposure.weighting}),
    }


@pytest.fixture
def bundle(tmp_path):
    parts = tiny_parts()
    _write_bundle(tmp_path, parts)
    (tmp_path / "manifest.json").write_text(json.dumps({"provenance": parts["provenance"].to_dict()}))
    return read_bundle(tmp_path)


def test_bundle_round_trip_keeps_matrices_and_model(bundle):
    parts = tiny_parts()
    for level, matrix in parts["levels"].items():
        np.testing.assert_array_equal(bundle.levels[level].employment, matrix.employment)
        np.testing.assert_array_equal(bundle.levels[level].wage, matrix.wage)
        assert list(bundle.levels[level].ids) == list(matrix.ids)
    np.testing.assert_allclose(bundle.exposure.vector(), parts["exposure"].vector(), rtol=0, atol=0)
    assert list(bundle.counties["geoid"]) == ["01001", "01003", "02001"]


def test_run_indices_by_hand(bundle):
    result = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.0))
    e = model().vector()  # [1/3, 0.375, 0.25, 0.25, 5/6] at λ = 0 (test_exposure docstrings)
    visible = np.array([False, False, False, False, True])  # 15-1252 is the only tech occupation
    county = result.counties.set_index("geoid")
    # county A: wage bill 10·100k + 40·50k = 3.0M; exposed 1.0M/3 + 2.0M/4 = 833,333.33
    assert county.loc["01001", "wage_bill"] == pytest.approx(3_000_000)
    assert county.loc["01001", "exposed_wages"] == pytest.approx(1_000_000 / 3 + 500_000, abs=0.005)
    assert county.loc["01001", "surface_index"] == 0
    # county B: developers 20·120k·5/6 = 2.0M visible; 13-1020 5·60k·0.375 = 112.5k hidden
    assert county.loc["01003", "surface_wages"] == pytest.approx(2_000_000, abs=0.005)
    assert county.loc["01003", "hidden_wages"] == pytest.approx(112_500, abs=0.005)
    assert county.loc["01003", "hidden_multiple"] == pytest.approx((2_112_500) / 2_000_000)
    bill = E * W
    np.testing.assert_allclose(county["exposed_wages"].to_numpy(), bill @ e)
    np.testing.assert_allclose(county["surface_wages"].to_numpy(), bill @ (e * visible))
    # the state roll-up of counties equals the official state matrix here (built the same way)
    np.testing.assert_allclose(result.states_from_counties["exposed_wages"].to_numpy(),
                               result.states["exposed_wages"].to_numpy())


def test_top_hidden_names_the_largest_hidden_occupations(bundle):
    result = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.0))
    top = result.counties.set_index("geoid")["top_hidden"]
    # county A: t2 (13-1031: 2.0M × 0.25 = 500k) before t0 (11-1011: 1.0M/3 = 333k); shares of 833k
    assert top["01001"] == "t2 (60.0%); t0 (40.0%)"
    assert top["01003"] == "t1 (100.0%)"  # the developers are visible, not hidden


def test_top_occupations_ranks_rows_independently():
    bill = np.array([[1.0, 5.0, 3.0], [0.0, 0.0, 0.0]])
    out = top_occupations(bill, np.ones(3), np.array(["a", "b", "c"]), k=2)
    assert out[0] == "b (55.6%); c (33.3%)" and out[1] == ""


def test_scenario_outputs_join_the_county_layer(bundle):
    result = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.5, horizon_year=2027))
    assert {"displaced_wages", "net_wage_impact", "gdp_proxy"} <= set(result.counties.columns)
    assert (result.counties["displaced_wages"] >= 0).all()
    assert set(result.by_year["county"].index.get_level_values("year")) == {2025, 2026, 2027}
    assert result.counties["displaced_wages"].sum() > 0


def test_summary_tables_and_formatting(bundle):
    result = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.0))
    tables = summary_tables(result, state="AA")
    assert list(tables["counties"].index) == ["A", "B"] or set(tables["counties"].index) == {"A", "B"}
    shown = format_table(tables["nation"])
    assert shown.iloc[0]["iceberg_index"].endswith("%")
    assert shown.iloc[0]["exposed_wages"].startswith("$")


def test_state_mean_row_says_which_hidden_multiple(bundle):
    """Shipped bug: the row showed the mean of the state ratios next to means whose ratio differs."""
    result = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.0))
    nation = summary_tables(result)["nation"]
    row = nation.iloc[1]
    assert "ratio of the means" in nation.index[1]
    assert row["hidden_multiple"] == pytest.approx(row["iceberg_index"] / row["surface_index"])
    with pytest.raises(iceberg.errors.IcebergDataError):
        summary_tables(result, state="ZZ")


def test_median_wage_basis_reaches_the_scenario_outputs(bundle):
    mean = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.5))
    median = iceberg.run(bundle, iceberg.Scenario(adoption_ceiling=0.5), wage="median")
    # the miniature's medians are 0.9 × the means, so every dollar output scales by 0.9
    ratio = median.nation["displaced_wages"].iloc[0] / mean.nation["displaced_wages"].iloc[0]
    assert ratio == pytest.approx(0.9)
    assert median.nation["wage_bill"].iloc[0] == pytest.approx(0.9 * mean.nation["wage_bill"].iloc[0])
