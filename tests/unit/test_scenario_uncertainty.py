"""Monte Carlo bands: reproducible, ordered, equal to the engine when ranges collapse."""

from __future__ import annotations

import numpy as np
import pytest

from iceberg.scenario import MC_OUTPUTS, Engine, Scenario, monte_carlo
from tests.unit.test_scenario_engine import random_inputs

ENGINE = Engine(random_inputs(5))
RANGES = {"tool_frontier": (0.0, 0.6), "adoption_ceiling": (0.2, 0.9), "substitution_share": (0.1, 0.5),
          "productivity_rate": (0.0, 0.4), "job_multiplier": (0.5, 2.0), "years_to_half": (2.0, 9.0)}  # fmt: skip


@pytest.mark.parametrize("budget", [0.0, 1e6])
def test_bands_ordered_and_reproducible(budget):
    sc = Scenario(reskilling_budget=budget)
    a = monte_carlo(ENGINE, sc, RANGES, draws=200, seed=3)
    b = monte_carlo(ENGINE, sc, RANGES, draws=200, seed=3)
    assert a.equals(b)
    assert not a.equals(monte_carlo(ENGINE, sc, RANGES, draws=200, seed=4))
    assert a.index.names == ["id", "year"] and len(a) == 7 * len(sc.years)
    for name in MC_OUTPUTS:
        assert np.all(a[f"{name}_p10"] <= a[f"{name}_p50"] + 1e-6)
        assert np.all(a[f"{name}_p50"] <= a[f"{name}_p90"] + 1e-6)


@pytest.mark.parametrize("level", ["county", "state", "nation"])
@pytest.mark.parametrize("update", [{}, {"reskilling_budget": 1e6, "cost_per_worker": 5000.0},
                                    {"threshold_mode": True, "threshold": 0.3},
                                    {"major_group_multipliers": {"43": 3.0}, "adoption_ceiling": 0.6}])  # fmt: skip
def test_collapsed_ranges_equal_the_engine(level, update):
    sc = Scenario(tool_frontier=0.3, **update)
    ranges = {k: (getattr(sc, k), getattr(sc, k)) for k in RANGES}
    bands = monte_carlo(ENGINE, sc, ranges, draws=4, level=level)
    ref = ENGINE.evaluate(sc).by_year[level]
    for name in MC_OUTPUTS:
        for q in ("p10", "p50", "p90"):  # float32 draw arrays: ~1e-6 relative
            np.testing.assert_allclose(bands[f"{name}_{q}"], ref[name], rtol=2e-5,
                                       atol=2e-5 * np.abs(ref[name]).max() + 1e-9)  # fmt: skip


def test_wider_adoption_range_widens_band():
    sc = Scenario()
    narrow = monte_carlo(ENGINE, sc, {"adoption_ceiling": (0.45, 0.55)}, draws=300)
    wide = monte_carlo(ENGINE, sc, {"adoption_ceiling": (0.1, 0.9)}, draws=300)
    w = wide["displaced_wages_p90"] - wide["displaced_wages_p10"]
    n = narrow["displaced_wages_p90"] - narrow["displaced_wages_p10"]
    assert np.all(w >= n - 1e-6)


@pytest.mark.parametrize(
    ("ranges", "lever"),
    [
        ({"adoption_ceiling": (0.5, 1.5)}, "adoption_ceiling"),
        ({"layer": (0, 1)}, "layer"),
        ({"substitution_share": (0.6, 0.2)}, "substitution_share"),
    ],
)
def test_bad_ranges_name_the_lever(ranges, lever):
    with pytest.raises(ValueError, match=lever):
        monte_carlo(ENGINE, Scenario(), ranges, draws=10)
