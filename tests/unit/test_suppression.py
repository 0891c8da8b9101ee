"""Suppression fill and staffing patterns on hand-made OEWS frames (numbers worked on paper)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.staffing import national_staffing
from geodata.suppression import TOPCODE_ANNUAL, FilledLevel, detailed_occ_codes, fill_level
from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix

OCC = ["11-1011", "15-1252", "27-2011", "29-1141"]
NAN = np.nan


def oews(rows: list[tuple], geo_col: str = "area") -> pd.DataFrame:
    """Rows (geo, occ, emp, a_mean, a_median, h_mean, hourly); a str number is a BLS symbol."""
    recs = []
    for geo, occ, emp, mean, median, h_mean, hourly in rows:
        def split(v: object) -> tuple[float, str]:
            return (NAN, v) if isinstance(v, str) else (float(v), "")
        e, ef = split(emp)
        m, mf = split(mean)
        md, mdf = split(median)
        h, hf = split(h_mean)
        recs.append({
            geo_col: geo, "occ_code": occ, "o_group": "total" if occ == "00-0000" else "detailed",
            "tot_emp": e, "emp_flag": ef, "h_mean": h, "h_mean_flag": hf, "a_mean": m,
            "a_mean_flag": mf, "a_median": md, "a_median_flag": mdf, "annual": False,
            "hourly": hourly,
        })
    return pd.DataFrame(recs)


NATIONAL = oews([
    ("99", "00-0000", 1000, 70000, 50000, 33.0, False),
    ("99", "11-1011", 100, 250000, 180000, 120.0, False),
    ("99", "15-1252", 300, 300000, 250000, 140.0, False),
    ("99", "27-2011", 100, "*", "*", 50.0, True),  # hourly-only occupation
    ("99", "29-1141", 500, 80000, 70000, 38.0, False),
])

STATES = oews([
    ("01", "00-0000", 500, 60000, 50000, 30.0, False),
    ("01", "11-1011", "**", 150000, "#", 70.0, False),
    ("01", "15-1252", "**", "#", "#", "#", False),
    ("01", "27-2011", 50, "*", "*", 40.0, True),
    ("01", "29-1141", 350, "*", 60000, "*", False),
    ("02", "00-0000", 300, 60000, 50000, 30.0, False),
    ("02", "11-1011", 100, 120000, 100000, 60.0, False),
    ("02", "15-1252", "**", "*", "*", "*", False),
    ("02", "29-1141", 250, 75000, 70000, 36.0, False),
])


@pytest.fixture
def national() -> FilledLevel:
    return fill_level(NATIONAL, NATIONAL, NATIONAL, occ_codes=OCC)


@pytest.fixture
def states(national: FilledLevel) -> FilledLevel:
    return fill_level(STATES, national, national, occ_codes=OCC)


def test_national_hourly_only_wage_is_hourly_times_2080(national: FilledLevel) -> None:
    assert national.wage[0].tolist() == [250000, 300000, 50 * 2080, 80000]
    assert national.counts["wage_hourly_x2080"] == 1
    assert national.employment[0].tolist() == [100, 300, 100, 500]


def test_state_employment_fill_by_hand(states: FilledLevel) -> None:
    s01, s02 = states.employment
    # State 01: total 500 − published 400 = 100 unallocated; national shares 0.1 and 0.3.
    assert s01 == pytest.approx([25.0, 75.0, 50.0, 350.0])
    # State 02: published 350 > total 300 → unallocated set to 0, the ** cell gets 0.
    assert s02 == pytest.approx([100.0, 0.0, 0.0, 250.0])
    assert states.counts["geographies_negative_unallocated"] == 1
    assert states.counts["employment_suppressed"] == 3
    assert states.counts["employment_suppressed_set_to_zero"] == 1


def test_state_wage_fill_by_hand(states: FilledLevel) -> None:
    w, m = states.wage[0], states.wage_median[0]
    # 11-1011: mean published; median '#' and national median 180,000 < floor → floor.
    assert (w[0], m[0]) == (150000, TOPCODE_ANNUAL)
    # 15-1252: '#' and national 300,000 / 250,000 above the floor → national values.
    assert (w[1], m[1]) == (300000, 250000)
    # 27-2011 hourly-only: 40 $/h × 2080.
    assert (w[2], m[2]) == (83200, 83200)
    # 29-1141: mean '*' → reference (national) 80,000; median published.
    assert (w[3], m[3]) == (80000, 60000)
    # State 02 has no 27-2011 and 0 jobs in 15-1252: wages 0 there (GeoMatrix contract).
    assert states.wage[1].tolist() == [120000, 0, 0, 75000]
    c = states.counts
    assert (c["wage_topcode_national"], c["wage_topcode_floor"]) == (1, 0)
    assert (c["wage_median_topcode_national"], c["wage_median_topcode_floor"]) == (1, 1)
    assert c["wage_reference"] == 2  # 01/29-1141 and 02/15-1252


def test_fills_frame_lists_every_fill(states: FilledLevel) -> None:
    f = states.fills
    assert set(f.columns) == {"geo", "occ", "what", "how"}
    emp = f[f["what"] == "employment"]
    assert sorted(zip(emp["geo"], emp["occ"])) == [("01", "11-1011"), ("01", "15-1252"),
                                                   ("02", "15-1252")]
    assert len(f) == sum(v for k, v in states.counts.items()
                         if k.startswith(("employment_from", "employment_equal"))
                         or (k.startswith("wage") and not k.endswith("missing")))


def test_area_uses_state_shares_else_national(states: FilledLevel, national: FilledLevel) -> None:
    areas = oews([
        ("10000", "00-0000", 200, 60000, 50000, 30.0, False),
        ("10000", "11-1011", "**", "*", "*", "*", False),
        ("10000", "15-1252", 100, 90000, 85000, 45.0, False),
        ("10000", "29-1141", "**", "*", "*", "*", False),
        ("0900001", "00-0000", 50, 60000, 50000, 30.0, False),
        ("0900001", "15-1252", "**", "*", "*", "*", False),
        ("0900001", "29-1141", "**", "*", "*", "*", False),
    ])
    parent = {"10000": "01", "0900001": "09"}  # state 09 is not in the reference level
    filled = fill_level(areas, states, national, occ_codes=OCC, parent_of=parent)
    i = list(filled.ids).index("10000")
    # State 01 shares 25/500 and 350/500 split the 100 unallocated jobs 1:14.
    assert filled.employment[i] == pytest.approx([100 / 15, 100, 0, 1400 / 15])
    assert filled.wage[i].tolist() == [150000, 90000, 0, 80000]  # state 01's filled wages
    j = list(filled.ids).index("0900001")
    assert filled.employment[j] == pytest.approx([0, 18.75, 0, 31.25])  # national 0.3 : 0.5
    assert filled.wage[j].tolist() == [0, 300000, 0, 80000]
    assert filled.counts["geographies_without_reference"] == 1
    assert filled.counts["employment_from_reference_share"] == 2
    assert filled.counts["employment_from_national_share"] == 2
    # Conservation of the published totals where something was suppressed.
    assert filled.employment.sum(axis=1) == pytest.approx(filled.published_total)


def test_to_geomatrix(states: FilledLevel) -> None:
    gm = states.to_geomatrix("state")
    assert isinstance(gm, GeoMatrix)
    assert gm.level == "state" and gm.employment.shape == (2, 4)


def test_detailed_occ_codes() -> None:
    assert detailed_occ_codes(NATIONAL).tolist() == OCC


def test_duplicate_row_raises() -> None:
    bad = pd.concat([STATES, STATES.iloc[[1]]], ignore_index=True)
    with pytest.raises(IcebergDataError, match="duplicate"):
        fill_level(bad, NATIONAL, NATIONAL, occ_codes=OCC)


def test_missing_column_raises() -> None:
    with pytest.raises(IcebergDataError, match="required column"):
        fill_level(STATES.drop(columns="emp_flag"), NATIONAL, NATIONAL, occ_codes=OCC)


def test_several_references_need_parent_of(states: FilledLevel, national: FilledLevel) -> None:
    with pytest.raises(IcebergDataError, match="parent_of"):
        fill_level(STATES, states, national, occ_codes=OCC)


def test_staffing_patterns_by_hand(national: FilledLevel) -> None:
    rows = oews([
        ("11", "00-0000", 100, 1, 1, 1, False),
        ("11", "11-1011", 60, 1, 1, 1, False),
        ("11", "15-1252", "**", 1, 1, 1, False),
        ("11", "29-1141", "**", 1, 1, 1, False),
        ("21", "00-0000", 100, 1, 1, 1, False),
        ("21", "29-1141", 100, 1, 1, 1, False),
        ("99", "00-0000", 50, 1, 1, 1, False),
        ("99", "15-1252", 50, 1, 1, 1, False),
        ("999101", "00-0000", 999, 1, 1, 1, False),  # OEWS designation: overlaps, not used
        ("999101", "11-1011", 999, 1, 1, 1, False),
    ], geo_col="naics")
    rows["i_group"] = "sector"
    groups = pd.DataFrame({"group": ["C24050_002", "C24050_014", "C24050_001"],
                           "codes": ["11;21", "92", ""]})
    st = national_staffing(rows, national, occ_codes=OCC, groups=groups)
    assert st.groups.tolist() == ["C24050_002", "C24050_014"]
    # Sector 11: 40 unallocated split 0.3 : 0.5 (national shares) → 15 and 25.
    assert st.employment[0] == pytest.approx([60, 15, 0, 25 + 100])
    assert st.shares[0] == pytest.approx([0.3, 0.075, 0, 0.625])
    assert st.shares[1] == pytest.approx([0, 1, 0, 0])  # public administration = OEWS 99
    assert st.counts["sector_employment_suppressed"] == 2
    assert st.frame().loc["C24050_014", "15-1252"] == 1.0


def test_staffing_unknown_sector_raises(national: FilledLevel) -> None:
    rows = oews([("11", "00-0000", 100, 1, 1, 1, False)], geo_col="naics")
    rows["i_group"] = "sector"
    with pytest.raises(IcebergDataError, match="not found"):
        national_staffing(rows, national, occ_codes=OCC,
                          groups=pd.DataFrame({"group": ["g"], "codes": ["11;23"]}))
