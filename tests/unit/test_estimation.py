"""Estimation of unpublished OEWS cells, wages and staffing patterns on hand-made frames.

Every expected number is worked on paper from the fixtures below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix
from iceberg.oews.estimation import (
    TOPCODE_ANNUAL,
    EstimatedLevel,
    estimate_level,
    parent_matrix,
)
from iceberg.oews.holdout import holdout_mask, holdout_run
from iceberg.oews.published import detailed_occ_codes, published_matrices
from iceberg.oews.staffing import national_staffing

OCC = ["11-1011", "11-1021", "15-1251", "15-1252", "29-1141"]
NAN = np.nan


def oews(rows: list[tuple], geo_col: str = "area") -> pd.DataFrame:
    """Rows (geo, occ, emp, a_mean, a_median, h_mean, hourly); a str number is a BLS symbol.

    ``occ`` ending in ``-0000`` is a major-group row (``00-0000`` the total)."""
    recs = []
    for geo, occ, emp, mean, median, h_mean, hourly in rows:
        def split(v: object) -> tuple[float, str]:
            return (NAN, v) if isinstance(v, str) else (float(v), "")
        e, ef = split(emp)
        m, mf = split(mean)
        md, mdf = split(median)
        h, hf = split(h_mean)
        group = "total" if occ == "00-0000" else "major" if occ.endswith("-0000") else "detailed"
        recs.append({
            geo_col: geo, "occ_code": occ, "o_group": group, "tot_emp": e, "emp_flag": ef,
            "h_mean": h, "h_mean_flag": hf, "a_mean": m, "a_mean_flag": mf, "a_median": md,
            "a_median_flag": mdf, "annual": False, "hourly": hourly,
        })
    return pd.DataFrame(recs)


def w(geo: str, occ: str, emp: object, mean: object = 50000, median: object = 45000,
      h: object = 24.0, hourly: bool = False) -> tuple:
    return (geo, occ, emp, mean, median, h, hourly)


NATIONAL = oews([
    w("99", "00-0000", 1000, 70000), w("99", "11-0000", 200), w("99", "15-0000", 300),
    w("99", "29-0000", 500),
    w("99", "11-1011", 50, 250000, 180000, 120.0),
    w("99", "11-1021", 150, 120000, 100000, 58.0),
    w("99", "15-1251", 100, 300000, 250000, 140.0),
    w("99", "15-1252", 200, 110000, 100000, 53.0),
    w("99", "29-1141", 500, "*", "*", 40.0, True),  # hourly-only occupation
])

STATES = oews([
    w("01", "00-0000", 500), w("01", "11-0000", 100), w("01", "15-0000", 150),
    w("01", "29-0000", 250),
    w("01", "11-1011", "**", 150000, "#", 70.0),
    w("01", "11-1021", 70, 90000, 80000, 43.0),
    w("01", "15-1251", 50, "#", "#", "#"),
    w("01", "15-1252", "**", "*", "*", "*"),
    w("01", "29-1141", 250, "*", 60000, "*"),
    w("02", "00-0000", 300), w("02", "11-0000", 60), w("02", "15-0000", 40),
    w("02", "29-0000", 200),
    w("02", "11-1021", 60, 80000, 70000, 38.0),
    w("02", "15-1252", 40, 100000, 90000, 48.0),
    w("02", "29-1141", 200, 75000, 70000, 36.0, True),
])


@pytest.fixture
def national() -> EstimatedLevel:
    return estimate_level(NATIONAL, None, None, occ_codes=OCC)


@pytest.fixture
def states(national: EstimatedLevel) -> EstimatedLevel:
    return estimate_level(STATES, national, national, occ_codes=OCC)


def test_national_passes_through_with_hourly_wage(national: EstimatedLevel) -> None:
    assert national.employment[0].tolist() == [50, 150, 100, 200, 500]
    assert national.wage[0].tolist() == [250000, 120000, 300000, 110000, 40 * 2080]
    assert national.counts["wage_hourly_x2080"] == 1
    assert national.counts["estimated_jobs"] == 0


def test_state_groups_take_their_own_residual(states: EstimatedLevel) -> None:
    s01, s02 = states.employment
    # 01: group 11 residual 100 − 70 → the ** cell; group 15 residual 150 − 50 → 15-1252.
    assert s01 == pytest.approx([30, 70, 50, 100, 250])
    # 02 lists every job it has: the unlisted occupations get nothing (residual 0).
    assert s02 == pytest.approx([0, 60, 0, 40, 200])
    assert states.employment.sum(axis=1) == pytest.approx(states.published_total)
    c = states.counts
    assert (c["suppressed_cells"], c["suppressed_jobs"]) == (2, 130)
    assert (c["unlisted_cells"], c["unlisted_jobs"], c["unlisted_cells_estimated_zero"]) == (2, 0, 2)
    assert states.kind[0].tolist() == [1, 0, 0, 1, 0] and states.kind[1].tolist() == [2, 0, 2, 0, 0]


def test_state_wages_keep_bls_conventions(states: EstimatedLevel) -> None:
    w01, m01 = states.wage[0], states.wage_median[0]
    # 11-1011 mean published; median '#' with national median 180,000 below the floor → floor.
    assert (w01[0], m01[0]) == (150000, TOPCODE_ANNUAL)
    # 15-1251 '#' with national 300,000 / 250,000 above the floor → national values.
    assert (w01[2], m01[2]) == (300000, 250000)
    # 15-1252 '*' → national (the parent) 110,000 / 100,000.
    assert (w01[3], m01[3]) == (110000, 100000)
    # 29-1141 mean '*' → national 40 $/h × 2080; median published.
    assert (w01[4], m01[4]) == (83200, 60000)
    assert states.wage[1].tolist() == [0, 80000, 0, 100000, 75000]  # 0 where no jobs


def test_area_estimation_by_hand(states: EstimatedLevel, national: EstimatedLevel) -> None:
    areas = oews([
        # A1 (state 01): group 11 residual 40 over ** 11-1021 and unlisted 11-1011 at the
        # state's 30 : 70; group 15 residual 40 → unlisted 15-1252.
        w("A1", "00-0000", 200), w("A1", "11-0000", 40), w("A1", "15-0000", 60),
        w("A1", "29-0000", 100),
        w("A1", "11-1021", "**"), w("A1", "15-1251", 20), w("A1", "29-1141", 100),
        # A3 (state 01): group 11 residual 140 but the state has only 30 of 11-1011 → capped.
        w("A3", "00-0000", 150), w("A3", "11-0000", 150), w("A3", "11-1021", 10),
        # A4 (state 02): state 02 employs no 15-1251 → it gets nothing; 10 jobs stay unplaced.
        w("A4", "00-0000", 30), w("A4", "15-0000", 30), w("A4", "15-1252", 20),
        # A5 (state 01): major 11 suppressed, 15 not listed: the rest 100 − 60 − 10 = 30 goes
        # to 11-1011 (share 0.3 of 11), 15-1251 (1/3 of 15), 15-1252 (2/3 of 15).
        w("A5", "00-0000", 100), w("A5", "11-0000", "**"), w("A5", "29-0000", 60),
        w("A5", "11-1021", 10), w("A5", "29-1141", 60),
    ])
    parent = {"A1": "01", "A3": "01", "A4": "02", "A5": "01"}
    est = estimate_level(areas, states, national, occ_codes=OCC, parent_of=parent)
    row = dict(zip(est.ids, est.employment))
    assert row["A1"] == pytest.approx([12, 28, 20, 40, 100])
    assert row["A3"] == pytest.approx([30, 10, 0, 0, 0])
    assert row["A4"] == pytest.approx([0, 0, 0, 20, 0])
    assert row["A5"] == pytest.approx([30 * 0.3 / 1.3, 10, 30 / 3 / 1.3, 30 * 2 / 3 / 1.3, 60])
    assert est.counts["residual_jobs_unplaced"] == 110 + 10
    # No estimated cell above the state's value.
    st = dict(zip(states.ids, states.employment))
    for a, p in parent.items():
        i = list(est.ids).index(a)
        assert np.all(est.employment[i][est.estimated[i]] <= st[p][est.estimated[i]] + 1e-9)
    # Unlisted cells take the state's wage: A1 15-1252 → state 01's filled 110,000.
    assert est.wage[list(est.ids).index("A1"), 3] == 110000
    gap = est.wage_gap.loc["A1"]
    assert gap["published_wage_bill"] == 200 * 50000
    assert gap["estimated_wage_bill"] == pytest.approx((est.employment[0] * est.wage[0]).sum())


def test_cross_state_area_prior_is_weighted(states: EstimatedLevel, national: EstimatedLevel) -> None:
    areas = oews([w("X", "00-0000", 20), w("X", "11-0000", 20)])
    weights = pd.DataFrame({"child": ["X", "X"], "parent": ["01", "02"], "weight": [3.0, 3.0]})
    mat = parent_matrix(np.array(["X"]), states.ids, weights)
    assert mat.toarray().tolist() == [[0.5, 0.5]]
    est = estimate_level(areas, states, national, occ_codes=OCC, parent_of=weights)
    # Shares within group 11: state 01 0.3 / 0.7, state 02 0 / 1 → 0.15 / 0.85 of 20.
    assert est.employment[0] == pytest.approx([3, 17, 0, 0, 0])


def test_parent_margin_option_rakes_to_state_residuals(states: EstimatedLevel,
                                                       national: EstimatedLevel) -> None:
    areas = oews([
        w("A", "00-0000", 50), w("A", "11-0000", 50), w("A", "11-1011", 10),
        w("B", "00-0000", 50), w("B", "11-0000", 50), w("B", "11-1021", 20),
    ])
    parent = {"A": "01", "B": "01"}
    est = estimate_level(areas, states, national, occ_codes=OCC, parent_of=parent, parent_margin=True)
    # Group margins hold exactly; B's 30 unknown 11-1011 jobs are bounded by the state's 30.
    assert est.employment[:, :2].sum(axis=1) == pytest.approx([50, 50])
    assert est.counts["raking_iterations"] > 0
    assert np.all(est.employment[:, 0] <= 30 + 1e-9)


def test_hidden_cells_are_estimated_and_counted(states: EstimatedLevel, national: EstimatedLevel) -> None:
    areas = oews([w("A", "00-0000", 100), w("A", "11-0000", 100), w("A", "11-1011", 30),
                  w("A", "11-1021", 70)])
    hidden = np.zeros((1, len(OCC)), bool)
    hidden[0, 1] = True
    est = estimate_level(areas, states, national, occ_codes=OCC, parent_of={"A": "01"}, hidden=hidden)
    assert est.employment[0, 1] == pytest.approx(70)  # the only unknown cell of its group
    assert est.counts["held_out_cells"] == 1 and est.kind[0, 1] == 3
    assert est.wage[0, 1] == 90000  # the state's wage, not the hidden published one


def test_estimates_frame_lists_every_estimate(states: EstimatedLevel) -> None:
    f = states.estimates
    assert set(f.columns) == {"geo", "occ", "what", "how"}
    emp = f[f["what"] == "employment"]
    assert sorted(zip(emp["geo"], emp["occ"])) == [("01", "11-1011"), ("01", "15-1252"),
                                                   ("02", "11-1011"), ("02", "15-1251")]


def test_holdout_mask_is_stratified_and_reproducible() -> None:
    rng = np.random.default_rng(1)
    rows = [w("99", "00-0000", 1e6)]
    occ = [f"11-{i:04d}" for i in range(1000, 1400)]
    rows += [w("99", o, float(v)) for o, v in zip(occ, rng.lognormal(5, 2, len(occ)).round() + 1)]
    pub, _ = published_matrices(oews(rows), np.array(occ), "area")
    a, b = holdout_mask(pub, seed=3), holdout_mask(pub, seed=3)
    assert np.array_equal(a, b) and a.sum() == 40
    size = pub.emp[0]
    top = size >= np.quantile(size, 0.9)
    assert a[0][top].sum() == 4  # one tenth of the largest decile


def test_holdout_run_beats_dropping(states: EstimatedLevel, national: EstimatedLevel) -> None:
    rows = []
    for k in range(30):
        a = f"A{k:02d}"
        rows += [w(a, "00-0000", 10), w(a, "11-0000", 10), w(a, "11-1011", 2 + k % 3),
                 w(a, "11-1021", 8 - k % 3)]
    areas = oews(rows)
    run = holdout_run(areas, states, national, occ_codes=OCC,
                      parent_of={f"A{k:02d}": "01" for k in range(30)}, fraction=0.2, seed=0)
    err = run.cell_errors()
    # A hidden cell whose group partner is published comes back exactly; where both are hidden
    # the group residual splits at the state's 30 : 70 (3 : 7 of 10) — within a job.
    assert err.loc["estimation", "employment_wmape"] < 0.05
    assert err.loc["estimation", "employment_wmape"] <= err.loc["state_share_residual", "employment_wmape"] + 1e-12
    assert err.loc["drop", "employment_wmape"] == 1.0


def test_to_geomatrix(states: EstimatedLevel) -> None:
    gm = states.to_geomatrix("state")
    assert isinstance(gm, GeoMatrix)
    assert gm.level == "state" and gm.employment.shape == (2, 5)


def test_detailed_occ_codes() -> None:
    assert detailed_occ_codes(NATIONAL).tolist() == OCC


def test_duplicate_row_raises(national: EstimatedLevel) -> None:
    bad = pd.concat([STATES, STATES.iloc[[5]]], ignore_index=True)
    with pytest.raises(IcebergDataError, match="duplicate"):
        estimate_level(bad, national, national, occ_codes=OCC)


def test_missing_column_raises(national: EstimatedLevel) -> None:
    with pytest.raises(IcebergDataError, match="required column"):
        estimate_level(STATES.drop(columns="emp_flag"), national, national, occ_codes=OCC)


def test_several_parents_need_parent_of(states: EstimatedLevel, national: EstimatedLevel) -> None:
    with pytest.raises(IcebergDataError, match="parent_of"):
        estimate_level(STATES, states, national, occ_codes=OCC)


def test_staffing_patterns_by_hand(national: EstimatedLevel) -> None:
    rows = oews([
        w("11", "00-0000", 100), w("11", "11-0000", 60), w("11", "15-0000", 40),
        w("11", "11-1011", 60), w("11", "15-1251", "**"), w("11", "15-1252", "**"),
        w("21", "00-0000", 100), w("21", "29-1141", 100),
        w("99", "00-0000", 50), w("99", "15-1252", 50),
        w("999101", "00-0000", 999), w("999101", "11-1011", 999),  # designation: not used
    ], geo_col="naics")
    rows["i_group"] = "sector"
    groups = pd.DataFrame({"group": ["C24050_002", "C24050_014", "C24050_001"],
                           "codes": ["11;21", "92", ""]})
    st = national_staffing(rows, national, occ_codes=OCC, groups=groups)
    assert st.groups.tolist() == ["C24050_002", "C24050_014"]
    # Sector 11: group 15's 40 jobs split 1 : 2 (national 100 : 200 within group 15).
    assert st.employment[0] == pytest.approx([60, 0, 40 / 3, 80 / 3, 100])
    assert st.shares[1] == pytest.approx([0, 0, 0, 1, 0])  # public administration = OEWS 99
    assert st.counts["sector_suppressed_cells"] == 2
    assert st.frame().loc["C24050_014", "15-1252"] == 1.0


def test_staffing_unknown_sector_raises(national: EstimatedLevel) -> None:
    rows = oews([w("11", "00-0000", 100)], geo_col="naics")
    rows["i_group"] = "sector"
    with pytest.raises(IcebergDataError, match="not found"):
        national_staffing(rows, national, occ_codes=OCC,
                          groups=pd.DataFrame({"group": ["g"], "codes": ["11;23"]}))


def test_industry_mix_adjustment_by_hand() -> None:
    from iceberg.oews.estimation import industry_mix_adjustment

    # Two industries: "tech" employs 15-1251 only, "health" 15-1252 and 29-1141 half each.
    shares = np.array([[0, 0, 1.0, 0, 0], [0, 0, 0, 0.5, 0.5]])
    area_x = np.array([[30.0, 10.0]])   # expected 15-1251 : 15-1252 = 30 : 5 → 6/7 of group 15
    state_x = np.array([[10.0, 10.0]])  # expected 10 : 5 → 2/3 of group 15
    weights = parent_matrix(np.array(["A"]), np.array(["01"]), {"A": "01"})
    adj = industry_mix_adjustment(np.array(["A"]), np.array(OCC), area_x, state_x, weights, shares)
    assert adj[0, 2] == pytest.approx((6 / 7) / (2 / 3))
    assert adj[0, 3] == pytest.approx((1 / 7) / (1 / 3))
    assert adj[0, 4] == pytest.approx(1.0)  # the only occupation of its group
    assert adj[0, 0] == 1.0  # no industry information: no change
