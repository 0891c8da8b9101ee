"""Invariants of the engine over random inputs and levers (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from iceberg.scenario import Engine, Scenario
from tests.unit.test_reskilling_levels import ENGINES as RESKILLING_ENGINES
from tests.unit.test_scenario_engine import random_inputs

ENGINES = {seed: Engine(random_inputs(seed)) for seed in range(4)}
NESTED = RESKILLING_ENGINES
unit = st.floats(0.0, 1.0)
levers = st.fixed_dictionaries(
    {
        "tool_frontier": unit,
        "adoption_ceiling": unit,
        "substitution_share": unit,
        "productivity_rate": st.floats(0.0, 2.0),
        "job_multiplier": st.floats(0.0, 5.0),
        "years_to_half": st.floats(0.0, 10.0),
        "major_group_multipliers": st.dictionaries(st.sampled_from(["11", "15", "43", "53"]),
                                                   st.floats(0.0, 3.0), max_size=3),
        "reskilling_budget": st.sampled_from([0.0, 1e5, 1e6, 1e8]),
        "cost_per_worker": st.floats(100.0, 50_000.0),
        "success_rate": unit,
    }
)  # fmt: skip
seeds = st.integers(0, 3)
TOL = 1e-9


def _cols(out, level, name):
    return out.by_year[level][name].to_numpy()


@settings(max_examples=40, deadline=None)
@given(seeds, levers)
def test_zero_adoption_means_no_effect(seed, kw):
    out = ENGINES[seed].evaluate(Scenario(**{**kw, "adoption_ceiling": 0.0}))
    for level in out.by_year:
        for name in ("displaced_wages", "displaced_workers", "gdp_proxy", "net_wage_impact",
                     "reskilled_workers", "reskilling_cost", "productivity_gain"):  # fmt: skip
            assert np.all(_cols(out, level, name) == 0.0), (level, name)


@settings(max_examples=40, deadline=None)
@given(seeds, levers, unit, unit)
def test_monotone_in_adoption_ceiling_and_frontier(seed, kw, x, y):
    kw = {**kw, "reskilling_budget": 0.0}
    eng = ENGINES[seed]
    for lever in ("adoption_ceiling", "tool_frontier"):
        lo, hi = sorted((x, y))
        a = eng.evaluate(Scenario(**{**kw, lever: lo}))
        b = eng.evaluate(Scenario(**{**kw, lever: hi}))
        for level in a.by_year:
            for name in ("adopted_wages", "displaced_wages", "displaced_workers",
                         "productivity_gain", "adopted_wages_hidden"):  # fmt: skip
                lo_v, hi_v = _cols(a, level, name), _cols(b, level, name)
                assert np.all(hi_v >= lo_v - TOL * np.abs(hi_v).max() - TOL), (lever, level, name)


@settings(max_examples=60, deadline=None)
@given(seeds, levers)
def test_reskilling_invariants(seed, kw):
    sc = Scenario(**kw)
    # counties nested in states, as in the bundle: state/national reskilling are county sums (i13)
    eng = NESTED[seed % len(NESTED)]
    out = eng.evaluate(sc)
    base = eng.evaluate(sc.model_copy(update={"reskilling_budget": 0.0}))
    for level, frame in out.by_year.items():
        scale = max(1.0, frame["displaced_workers"].abs().max())
        # displacement never increases, never below zero
        rem = frame["remaining_displaced_workers"].to_numpy()
        assert np.all(rem <= frame["displaced_workers"].to_numpy() + TOL * scale)
        assert np.all(rem >= -TOL * scale)
        np.testing.assert_allclose(
            frame["displaced_workers"], _cols(base, level, "displaced_workers")
        )
        # the budget is never overspent (cost is cumulative to each year)
        spent = frame.groupby(level="year")["reskilling_cost"].sum()
        assert np.all(spent.to_numpy() <= sc.reskilling_budget * (1 + 1e-12) + 1e-6)
        # moves conserve worker-equivalents: flows out of origins = reskilled workers
        flows = out.reskilling_flows
        moved = flows.loc[flows["level"] == level, "workers"].sum() if len(flows) else 0.0
        reskilled = frame.xs(sc.horizon_year, level="year")["reskilled_workers"].sum()
        assert abs(moved - reskilled) <= 1e-9 * max(1, reskilled)
        # visible + hidden = total
        np.testing.assert_allclose(
            frame["reskilled_workers_visible"] + frame["reskilled_workers_hidden"],
            frame["reskilled_workers"], atol=1e-9 * scale,
        )  # fmt: skip
    if len(out.reskilling_flows):  # destinations are strictly less displaced than origins
        occ = out.occupations
        share = (occ["exposure"] * occ["adoption"]).to_dict()
        f = out.reskilling_flows
        assert all(share[t] < share[o] for o, t in zip(f["from_occ"], f["to_occ"]))
