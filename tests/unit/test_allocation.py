"""County allocation on hand-made areas: conservation, industry mix, fallbacks, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.allocation import allocate_counties
from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix
from iceberg.metrics import geo_metrics
from iceberg.oews.staffing import StaffingPatterns

OCC = np.array(["15-1252", "43-4051", "47-2061", "51-2090"])
WAGE = np.array([100000.0, 50000.0, 60000.0, 40000.0])
EXPOSURE = np.array([1.0, 0.5, 0.0, 0.0])  # made up for the test
VISIBLE = np.array([True, False, False, False])


def area_level(ids: list[str], emp: list[list[float]]) -> GeoMatrix:
    e = np.asarray(emp, dtype=float)
    w = np.where(e > 0, WAGE, 0.0)
    return GeoMatrix("area", np.array(ids), OCC, e, w, w * 0.9)


def staffing(shares: dict[str, list[float]]) -> StaffingPatterns:
    s = np.asarray(list(shares.values()), dtype=float)
    return StaffingPatterns(np.array(list(shares)), OCC, s, s * 1000, {}, {}, pd.DataFrame())


def acs_long(values: dict[str, dict[str, float]], codes: dict[str, str] | None = None) -> pd.DataFrame:
    rows = [(c, g, codes.get(g, "") if codes else "", v)
            for c, gs in values.items() for g, v in gs.items()]
    return pd.DataFrame(rows, columns=["county_fips", "group", "codes", "employed"])


def crosswalk(pairs: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"county_fips": list(pairs), "oews_area": list(pairs.values()),
                         "state_fips": [c[:2] for c in pairs]})


STAFF = staffing({"office": [0.5, 0.5, 0, 0], "build": [0, 0, 0.6, 0.4]})
AREAS = area_level(["10000", "30000"], [[100, 100, 60, 40], [50, 30, 15, 5]])
CW = crosswalk({"01001": "10000", "01003": "10000", "02001": "30000", "02002": "30000"})
ACS = acs_long({"01001": {"office": 150, "build": 0}, "01003": {"office": 50, "build": 100},
                "02001": {"office": 100, "build": 0}})
POP = pd.DataFrame({"county_fips": ["01001", "01003", "02001", "02002"],
                    "population": [300, 100, 200, 100]})


def conservation_error(alloc, areas: GeoMatrix) -> float:
    idx = pd.Index(areas.ids).get_indexer(alloc.area_of.to_numpy())
    sums = np.zeros_like(areas.employment)
    np.add.at(sums, idx, alloc.employment)
    return float(np.max(np.abs(sums - areas.employment)))


@pytest.fixture
def alloc():
    return allocate_counties(AREAS, CW, acs_industry=ACS, population=POP, staffing=STAFF)


def test_industry_mix_by_hand(alloc) -> None:
    # Priors 150·office = [75,75,0,0] and 50·office+100·build = [25,25,60,40] already meet
    # both margins (area columns and county totals 150/150), so IPF leaves them unchanged.
    e = pd.DataFrame(alloc.employment, index=alloc.county_fips)
    assert e.loc["01001"].tolist() == pytest.approx([75, 75, 0, 0])
    assert e.loc["01003"].tolist() == pytest.approx([25, 25, 60, 40])
    assert alloc.method.loc[["01001", "01003", "02001"]].eq("industry_mix").all()


def test_different_mixes_give_different_indices(alloc) -> None:
    m = geo_metrics(alloc.employment, alloc.wage, EXPOSURE, VISIBLE, alloc.county_fips)
    # 01001: (75·100k·1 + 75·50k·0.5) / (75·100k + 75·50k) = 9.375M / 11.25M
    assert m.loc["01001", "iceberg_index"] == pytest.approx(9.375 / 11.25)
    # 01003: (25·100k + 25·50k·0.5) / (2.5M + 1.25M + 3.6M + 1.6M) = 3.125M / 8.95M
    assert m.loc["01003", "iceberg_index"] == pytest.approx(3.125 / 8.95)
    assert m.loc["01001", "iceberg_index"] != pytest.approx(m.loc["01003", "iceberg_index"])


def test_conservation_exact(alloc) -> None:
    assert conservation_error(alloc, AREAS) < 1e-9
    assert alloc.diagnostics["conservation_max_rel_error"] < 1e-12


def test_wage_is_area_wage(alloc) -> None:
    w = pd.DataFrame(alloc.wage, index=alloc.county_fips)
    assert w.loc["01001"].tolist() == [100000, 50000, 0, 0]  # 0 where no jobs
    assert w.loc["01003"].tolist() == WAGE.tolist()


def test_population_fallback_in_mixed_area(alloc) -> None:
    # 02002 has no ACS row: signal = population 100 × area ratio (100 employed / 200 residents).
    assert alloc.method.loc["02002"] == "population_share"
    totals = pd.Series(alloc.employment.sum(axis=1), index=alloc.county_fips)
    assert totals.loc["02001"] == pytest.approx(100 * 100 / 150, rel=1e-9)
    assert totals.loc["02002"] == pytest.approx(100 * 50 / 150, rel=1e-9)
    assert alloc.counts["counties_industry_mix"] == 3
    assert alloc.counts["counties_population_share"] == 1
    assert alloc.counts["ipf_converged"] == 1


def test_method_population_everywhere() -> None:
    a = allocate_counties(AREAS, CW, acs_industry=ACS, population=POP, staffing=STAFF,
                          method="population")
    assert a.method.eq("population_share").all()
    e = pd.DataFrame(a.employment, index=a.county_fips)
    # 01001 holds 300 of the area's 400 residents → 3/4 of every occupation.
    assert e.loc["01001"].tolist() == pytest.approx([75, 75, 45, 30])
    assert e.loc["02002"].tolist() == pytest.approx(np.array([50, 30, 15, 5]) / 3)


def test_equal_share_without_any_signal() -> None:
    a = allocate_counties(AREAS, CW, population=POP.iloc[:2])
    assert a.method.loc["02001"] == "equal_share" and a.method.loc["02002"] == "equal_share"
    e = pd.DataFrame(a.employment, index=a.county_fips)
    assert e.loc["02001"].tolist() == pytest.approx([25, 15, 7.5, 2.5])
    assert a.counts["counties_equal_share"] == 2


def test_occupation_group_margin_by_hand() -> None:
    areas = area_level(["10000"], [[50, 50, 50, 50]])
    cw = crosswalk({"01001": "10000", "01003": "10000"})
    staff = staffing({"all": [0.25, 0.25, 0.25, 0.25]})
    ind = acs_long({"01001": {"all": 100}, "01003": {"all": 100}})
    codes = {"X": "11;13;15;43", "Y": "45;47;49;51;53"}
    groups = acs_long({"01001": {"X": 100, "Y": 0}, "01003": {"X": 0, "Y": 100}}, codes)
    plain = allocate_counties(areas, cw, acs_industry=ind, staffing=staff)
    assert plain.employment == pytest.approx(np.full((2, 4), 25.0))
    raked = allocate_counties(areas, cw, acs_industry=ind, staffing=staff,
                              acs_occupation_groups=groups)
    assert raked.employment == pytest.approx(np.array([[50, 50, 0, 0], [0, 0, 50, 50]]))
    assert raked.counts["acs_occupation_group_counties"] == 2


def test_counties_without_area_data_are_listed() -> None:
    cw = pd.concat([CW, crosswalk({"05001": "99999"})], ignore_index=True)
    a = allocate_counties(AREAS, cw, acs_industry=ACS, population=POP, staffing=STAFF,
                          state_ids=["01", "02", "05", "66", "78"])
    assert "05001" not in a.county_fips
    assert a.counts["counties_excluded_no_area_data"] == 1
    ex = a.excluded.set_index("id")
    assert "99999" in ex.loc["05001", "reason"]
    assert a.counts["states_state_level_only"] == 2
    assert set(ex.index[ex["kind"] == "state"]) == {"66", "78"}


def test_county_in_two_areas_raises() -> None:
    cw = pd.concat([CW, crosswalk({"01001": "30000"})], ignore_index=True)
    with pytest.raises(IcebergDataError, match="more than one"):
        allocate_counties(AREAS, cw, population=POP)


def test_area_without_counties_raises() -> None:
    cw = crosswalk({"01001": "10000", "01003": "10000"})
    with pytest.raises(IcebergDataError, match="no county"):
        allocate_counties(AREAS, cw, population=POP)


def test_acs_without_staffing_raises() -> None:
    with pytest.raises(IcebergDataError, match="staffing"):
        allocate_counties(AREAS, CW, acs_industry=ACS, population=POP)


def test_negative_population_raises() -> None:
    bad = POP.assign(population=[300, -1, 200, 100])
    with pytest.raises(IcebergDataError, match="negative"):
        allocate_counties(AREAS, CW, population=bad)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_conservation_property(data) -> None:
    n_areas = data.draw(st.integers(1, 4))
    n_counties = data.draw(st.integers(n_areas, 9))
    # Every area gets at least one county; the rest are assigned at random.
    extra = data.draw(st.lists(st.integers(0, n_areas - 1), min_size=n_counties - n_areas,
                               max_size=n_counties - n_areas))
    area_of = list(range(n_areas)) + extra
    pos = st.floats(0.5, 1e5)
    emp = [[data.draw(pos) for _ in OCC] for _ in range(n_areas)]
    areas = area_level([f"{10000 + i}" for i in range(n_areas)], emp)
    counties = [f"01{i:03d}" for i in range(n_counties)]
    cw = crosswalk({c: f"{10000 + a}" for c, a in zip(counties, area_of)})
    shares = np.array([[data.draw(st.floats(0.01, 1)) for _ in OCC] for _ in range(2)])
    staff = staffing({"g1": list(shares[0] / shares[0].sum()), "g2": list(shares[1] / shares[1].sum())})
    acs = acs_long({c: {"g1": data.draw(st.floats(1, 1e4)), "g2": data.draw(st.floats(1, 1e4))}
                    for c in counties})
    a = allocate_counties(areas, cw, acs_industry=acs, staffing=staff)
    assert (a.employment >= 0).all()
    idx = pd.Index(areas.ids).get_indexer(a.area_of.to_numpy())
    sums = np.zeros_like(areas.employment)
    np.add.at(sums, idx, a.employment)
    np.testing.assert_allclose(sums, areas.employment, rtol=1e-12, atol=1e-9)


def test_scope_to_oews_takes_farm_work_out() -> None:
    from geodata.allocation import AGRICULTURE_GROUP, scope_to_oews

    staff = StaffingPatterns(np.array([AGRICULTURE_GROUP, "office"]), OCC,
                             np.array([[0, 0, 0.5, 0.5], [0.5, 0.5, 0, 0]]),
                             np.array([[0, 0, 20, 20], [100, 100, 0, 0]]), {}, {}, pd.DataFrame())
    # ACS counts 160 farm/mining workers nationally, OEWS 40 → κ = 0.25.
    ind = acs_long({"01001": {AGRICULTURE_GROUP: 150, "office": 50},   # 112.5 of 200 removed
                    "01003": {AGRICULTURE_GROUP: 10, "office": 990}})  # 7.5 of 1000 removed
    groups = acs_long({"01001": {"mgmt": 120, "service": 80}, "01003": {"mgmt": 500, "service": 500}},
                      codes={"mgmt": "11;13", "service": "35"})
    scoped = scope_to_oews(ind, groups, staff)
    ag = scoped.acs_industry.set_index(["county_fips", "group"])["employed"]
    assert ag.loc[("01001", AGRICULTURE_GROUP)] == pytest.approx(37.5)
    assert ag.loc[("01003", "office")] == 990
    assert scoped.counts["acs_agriculture_scope_factor_permille"] == 250
    assert scoped.counts["acs_agriculture_jobs_removed"] == 120
    # 01001 (56% farm work outside OEWS) loses its occupation-group margin; 01003 keeps it.
    assert set(scoped.acs_occupation_groups["county_fips"]) == {"01003"}
    assert scoped.counts["counties_occupation_group_margin_dropped_farm"] == 1


def test_county_quality_columns(alloc) -> None:
    from geodata.allocation import county_quality

    estimated = np.array([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=bool)  # area 10000's 43-4051
    q = county_quality(alloc, AREAS.ids, estimated)
    e = pd.DataFrame(alloc.employment, index=alloc.county_fips)
    assert q.loc["01001", "estimated_share"] == pytest.approx(e.loc["01001", OCC.tolist().index("43-4051")] / 150)
    assert q.loc["02001", "estimated_share"] == 0
    # Area 10000 (300 jobs) splits 150 / 150: half of each county's jobs rest on the signal.
    assert q.loc["01001", "signal_share"] == pytest.approx(0.5)
    assert ((q >= 0) & (q <= 1)).all().all()
