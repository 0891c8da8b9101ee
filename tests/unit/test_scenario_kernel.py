"""The one scenario output kernel (named outputs) and the Monte Carlo's argument checks."""

from __future__ import annotations

import numpy as np
import pytest

from iceberg.scenario.outputs import OUTPUTS, output_kernel


def test_kernel_names_every_output_and_follows_the_equations():
    out = output_kernel(technical=100.0, adopted=50.0, adopted_workers=2.0, trained=1.0,
                        former=30.0, reemployed=20.0, s=0.4, p=0.5, m=1.5, succ=0.5, cpw=1000.0)
    assert tuple(out) == OUTPUTS
    assert out["displaced_wages"] == pytest.approx(20.0)
    assert out["displaced_workers"] == pytest.approx(0.8)
    assert out["augmented_wages"] == pytest.approx(30.0)
    assert out["productivity_gain"] == pytest.approx(15.0)
    assert out["reskilled_workers"] == pytest.approx(0.5)
    assert out["reskilling_cost"] == pytest.approx(1000.0)
    assert out["remaining_displaced_wages"] == pytest.approx(-10.0)
    assert out["net_wage_impact"] == pytest.approx(15.0 + 20.0 - 20.0)
    assert out["gdp_proxy"] == pytest.approx(15.0 - 1.5 * (20.0 - 20.0))


def test_kernel_broadcasts_levers_over_draws_and_computes_only_what_is_asked():
    adopted = np.ones((3, 2, 4))  # geographies × years × draws
    s = np.array([0.1, 0.2, 0.3, 0.4])
    out = output_kernel(adopted=adopted, adopted_workers=adopted, s=s, p=0.5, m=1.0,
                        want=("displaced_wages", "gdp_proxy"))
    assert set(out) == {"displaced_wages", "gdp_proxy"}
    np.testing.assert_allclose(out["displaced_wages"][0, 0], s)
    np.testing.assert_allclose(out["gdp_proxy"][0, 0], 0.5 * (1 - s) - s)
    with pytest.raises(ValueError, match="unknown scenario output"):
        output_kernel(adopted=1.0, adopted_workers=1.0, s=0.1, p=0.1, m=1.0, want=("nope",))


@pytest.mark.parametrize("draws", [0, -5, 2.5, True])
def test_monte_carlo_refuses_draws_below_one(draws):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_scenario import synthetic_inputs

    from iceberg.scenario import Engine, Scenario, monte_carlo

    engine = Engine(synthetic_inputs(n_counties=20, n_occ=30, n_states=3))
    with pytest.raises(ValueError, match="draws"):
        monte_carlo(engine, Scenario(), {"adoption_ceiling": (0.2, 0.6)}, draws=draws)
