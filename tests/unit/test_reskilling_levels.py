"""Reskilling agrees across levels: state and national totals are sums of the same county cells.

Property test (hypothesis) on random nested inputs shaped like the bundle: counties nested in
states, state and national matrices holding at least their counties' jobs (the official state
and national files also count jobs no county area carries).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iceberg.geomatrix import GeoMatrix
from iceberg.scenario import Engine, EngineInputs, Scenario, monte_carlo
from iceberg.scenario.reskilling import RESKILLING_SUMS
from tests.unit.test_scenario_engine import random_inputs


def nested_inputs(seed: int, n_g: int = 9, n_o: int = 12) -> EngineInputs:
    """``random_inputs`` with nested levels: state = its counties + extra jobs, nation = states + extra."""
    base = random_inputs(seed, n_g=n_g, n_o=n_o)
    rng = np.random.default_rng(seed + 100)
    county = base.levels["county"]
    emp, wage, occ = county.employment, county.wage, county.occ_codes
    sids = np.unique([c[:2] for c in county.ids])
    member = (sids[:, None] == np.array([c[:2] for c in county.ids])[None, :]).astype(float)
    s_emp = member @ emp + rng.gamma(0.5, 5.0, (len(sids), n_o))
    s_bill = member @ (emp * wage) + (s_emp - member @ emp) * 50e3
    s_wage = s_bill / s_emp
    n_emp = s_emp.sum(0, keepdims=True) + rng.gamma(0.5, 5.0, (1, n_o))
    n_wage = (s_bill.sum(0, keepdims=True) + (n_emp - s_emp.sum(0, keepdims=True)) * 50e3) / n_emp
    levels = {
        "county": county,
        "state": GeoMatrix("state", sids, occ, s_emp, s_wage, s_wage * 0.9),
        "nation": GeoMatrix("nation", np.array(["US"]), occ, n_emp, n_wage, n_wage * 0.9),
    }
    return dataclasses.replace(base, levels=levels)


ENGINES = {seed: Engine(nested_inputs(seed)) for seed in range(3)}
COUNTIES = sorted(ENGINES[0].levels["county"].ids)
levers = st.fixed_dictionaries({
    "adoption_ceiling": st.floats(0.05, 1.0),
    "substitution_share": st.floats(0.05, 1.0),
    "reskilling_budget": st.sampled_from([1e5, 1e6, 1e7, 1e9]),
    "cost_per_worker": st.floats(100.0, 50_000.0),
    "success_rate": st.floats(0.0, 1.0),
    "targeting": st.sampled_from(["most_exposed", "counties", "sectors"]),
    "target_counties": st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=4, unique=True),
    "target_sectors": st.just(("15", "43")),
    "scope": st.sampled_from(["nation", "states", "counties"]),
    "scope_states": st.lists(st.sampled_from(sorted(ENGINES[0].levels["state"].ids)), min_size=1, max_size=2, unique=True),
    "scope_counties": st.lists(st.sampled_from(COUNTIES), min_size=1, max_size=5, unique=True),
})  # fmt: skip


def _levels_agree(out, sc):
    county = out.by_year["county"]
    for name in RESKILLING_SUMS:
        for sfx in ("", "_visible", "_hidden"):
            col = name + sfx
            by_year = county.groupby(level="year")[col].sum()
            nation = out.by_year["nation"][col].groupby(level="year").sum()
            np.testing.assert_allclose(nation.to_numpy(), by_year.to_numpy(), rtol=1e-9,
                                       atol=1e-6, err_msg=col)
            states = out.by_year["state"][col]
            prefix = county.index.get_level_values("id").str[:2]
            rolled = county[col].groupby([prefix, county.index.get_level_values("year")]).sum()
            joined = states.to_frame("state").join(rolled.rename("counties").rename_axis(["id", "year"]),
                                                   how="left").fillna(0.0)
            np.testing.assert_allclose(joined["state"], joined["counties"], rtol=1e-9, atol=1e-6,
                                       err_msg=col)
    spent = out.by_year["nation"].xs(sc.horizon_year, level="year")["reskilling_cost"].sum()
    assert spent <= sc.reskilling_budget * (1 + 1e-12) + 1e-6


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2), levers)
def test_national_state_county_reskilling_are_sums_of_the_same_cells(seed, kw):
    sc = Scenario(**kw)
    out = ENGINES[seed].evaluate(sc)
    _levels_agree(out, sc)
    for level, frame in out.by_year.items():  # displacement never below zero after reskilling
        scale = max(1.0, frame["displaced_workers"].abs().max())
        assert np.all(frame["remaining_displaced_workers"] >= -1e-9 * scale), level


def test_target_county_outside_scope_trains_nobody_anywhere():
    sc = Scenario(reskilling_budget=1e9, targeting="counties", target_counties=(COUNTIES[0],),
                  scope="states", scope_states=(("02",) if COUNTIES[0][:2] != "02" else ("03",)))
    out = ENGINES[0].evaluate(sc)
    for level in ("county", "state", "nation"):
        assert out.by_year[level]["reskilled_workers"].abs().sum() == 0.0, level


def test_monte_carlo_collapsed_equals_the_rolled_up_engine():
    sc = Scenario(reskilling_budget=1e6, cost_per_worker=2000.0, tool_frontier=0.3)
    ranges = {"adoption_ceiling": (sc.adoption_ceiling,) * 2}
    ref = ENGINES[1].evaluate(sc).by_year
    for level in ("state", "nation"):
        bands = monte_carlo(ENGINES[1], sc, ranges, draws=4, level=level)
        np.testing.assert_allclose(bands["reskilled_workers_p50"], ref[level]["reskilled_workers"],
                                   rtol=2e-5, atol=1e-6)
