"""Scenario engine on a tiny hand-computed input, plus the technical-ceiling identity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iceberg.geomatrix import GeoMatrix
from iceberg.metrics import geo_metrics
from iceberg.scenario import Engine, EngineInputs, Scenario, load_preset

OCC = np.array(["15-1252", "43-9061", "53-3032"])


class LinearExposure:
    """``e = clip(base + λ slope)``; threshold mode counts ``base + λ slope ≥ τ`` as 1."""

    def __init__(self, base, slope):
        self.base, self.slope = np.asarray(base, float), np.asarray(slope, float)

    def components(self, layer, rater, tau):
        return self.base, self.slope

    def vector(self, layer, rater, lam, tau):
        c = self.base + lam * self.slope
        return np.clip(c, 0, 1) if tau is None else (c >= tau).astype(float)


def tiny_inputs() -> EngineInputs:
    """2 counties × 3 occupations (see the hand computation in the tests)."""
    emp = np.array([[10.0, 20.0, 0.0], [0.0, 10.0, 30.0]])
    wage = np.array([[100.0, 50.0, 0.0], [0.0, 40.0, 60.0]])
    county = GeoMatrix("county", np.array(["01001", "02001"]), OCC, emp, wage, wage)
    sim = np.array([[1.0, 0.8, 0.5], [0.8, 1.0, 0.9], [0.5, 0.9, 1.0]])
    return EngineInputs(
        levels={"county": county},
        exposure=LinearExposure([0.5, 0.4, 0.1], [0.2, 0.2, 0.0]),
        visible=np.array([True, False, False]),
        occ_major=np.array(["15", "43", "53"]),
        occ_titles=np.array(["Data scientists", "Clerks", "Drivers"]),
        similarity=sim,
        layers=("eloundou",),
    )


def random_inputs(seed: int, n_g: int = 7, n_o: int = 12) -> EngineInputs:
    """Random county/state/nation levels of the shapes the bundle provides."""
    rng = np.random.default_rng(seed)
    majors = np.array(["11", "13", "15", "29", "41", "43", "47", "53"])
    occ = np.array([f"{majors[i % len(majors)]}-{1000 + i}" for i in range(n_o)])
    levels = {}
    for name, n in (("county", n_g), ("state", 3), ("nation", 1)):
        emp = rng.gamma(0.7, 30.0, (n, n_o)) * (rng.random((n, n_o)) < 0.75)
        wage = np.where(emp > 0, rng.uniform(20e3, 150e3, (n, n_o)), 0.0)
        ids = {"county": [f"{i % 3:02d}{i:03d}" for i in range(n)],
               "state": [f"{i:02d}" for i in range(n)], "nation": ["US"]}[name]  # fmt: skip
        levels[name] = GeoMatrix(name, np.array(ids), occ, emp, wage, wage * 0.9)
    x = rng.random((n_o, 5))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    np.fill_diagonal(sim, 1.0)
    return EngineInputs(
        levels=levels,
        exposure=LinearExposure(rng.uniform(0, 0.6, n_o), rng.uniform(0, 0.4, n_o)),
        visible=np.array([o.startswith("15") for o in occ]),
        occ_major=np.array([o[:2] for o in occ]),
        occ_titles=np.array([f"Occupation {o}" for o in occ]),
        similarity=sim,
        layers=("eloundou",),
    )


# λ = 0.5 → e = [0.6, 0.5, 0.1]; k = ln 3, t50 = 1 → curve 1/4 (2025), 1/2 (2026);
# a_max 0.5, group 43 ×2 → a = [.125, .25, .125] then [.25, .5, .25]
HAND = Scenario(
    tool_frontier=0.5, adoption_ceiling=0.5, major_group_multipliers={"43": 2.0},
    start_year=2025, horizon_year=2026, years_to_half=1.0, steepness=float(np.log(3.0)),
    substitution_share=0.4, productivity_rate=0.5, job_multiplier=2.0,
)  # fmt: skip


def test_hand_computed_without_reskilling():
    out = Engine(tiny_inputs()).evaluate(HAND)
    f = out.by_year["county"]
    a, b = ("01001", 2025), ("02001", 2025)
    a2, b2 = ("01001", 2026), ("02001", 2026)
    expect = {
        # bills A = [1000, 1000, 0], B = [0, 400, 1800]
        "technical_exposed_wages": {a: 1100, b: 380, a2: 1100, b2: 380},
        "technical_exposed_wages_visible": {a: 600, b: 0},
        "technical_exposed_wages_hidden": {a: 500, b: 380},
        "adopted_wages": {a: 200, b: 72.5, a2: 400, b2: 145},
        "adopted_wages_visible": {a: 75, a2: 150},
        "adopted_wages_hidden": {a: 125, b: 72.5},
        "displaced_wages": {a: 80, b: 29, a2: 160, b2: 58},
        "displaced_workers": {a: 1.3, b: 0.65, a2: 2.6, b2: 1.3},
        "augmented_wages": {a: 120, b: 43.5},
        "productivity_gain": {a: 60, b: 21.75, a2: 120, b2: 43.5},
        "net_wage_impact": {a: -20, b: -7.25, a2: -40, b2: -14.5},
        "gdp_proxy": {a: -100, b: -36.25, a2: -200, b2: -72.5},
        "reskilled_workers": {a: 0, b2: 0},
        "employment": {a: 30, b: 40},
        "wage_bill": {a: 2000, b2: 2200},
    }
    for col, cells in expect.items():
        for key, value in cells.items():
            assert f.loc[key, col] == pytest.approx(value, rel=1e-12, abs=1e-12), (col, key)
    assert list(out.horizon["county"].index) == ["01001", "02001"]
    assert out.horizon["county"].loc["02001", "gdp_proxy"] == pytest.approx(-72.5)


def test_hand_computed_reskilling():
    # floor(2500 / 1000) = 2 trainees; displaced shares at 2026: [.15, .25, .025] → clerks
    # (cap 0.4·.25·30 = 3) first, 2/3 of them; clerks go to drivers (.9) and scientists (.8)
    sc = HAND.model_copy(update={"reskilling_budget": 2500.0, "cost_per_worker": 1000.0,
                                 "success_rate": 0.5})  # fmt: skip
    out = Engine(tiny_inputs()).evaluate(sc)
    f = out.by_year["county"]
    q = 2.0 / 3.0
    trained = {("01001", 2026): 0.4 * q * 0.25 * 20, ("02001", 2026): 0.4 * q * 0.25 * 10,
               ("01001", 2025): 0.4 * q * 0.125 * 20}  # fmt: skip
    for key, value in trained.items():
        assert f.loc[key, "trained_workers"] == pytest.approx(value, rel=1e-12)
        assert f.loc[key, "reskilled_workers"] == pytest.approx(0.5 * value, rel=1e-12)
        assert f.loc[key, "reskilling_cost"] == pytest.approx(1000 * value, rel=1e-12)
        assert f.loc[key, "reskilled_workers_hidden"] == pytest.approx(0.5 * value, rel=1e-12)
    assert f.xs(2026, level="year")["reskilling_cost"].sum() == pytest.approx(2000.0)
    ratio = (0.8 * 100 + 0.9 * 60) / 1.7 / (1400 / 30)  # destination / origin mean wage
    assert f.loc[("01001", 2026), "reemployed_wages"] == pytest.approx(
        0.5 * 0.4 * 1000 * q * 0.25 * ratio, rel=1e-12
    )
    rem = f.loc[("01001", 2026), "remaining_displaced_workers"]
    assert rem == pytest.approx(2.6 - 0.5 * 0.4 * q * 0.25 * 20, rel=1e-12)
    gain, disp, re = 120.0, 160.0, f.loc[("01001", 2026), "reemployed_wages"]
    assert f.loc[("01001", 2026), "gdp_proxy"] == pytest.approx(gain - 2 * (disp - re))
    flows = out.reskilling_flows.set_index("to_occ")
    assert flows.loc["53-3032", "workers"] == pytest.approx(1.0 * 0.9 / 1.7)
    assert flows.loc["15-1252", "workers"] == pytest.approx(1.0 * 0.8 / 1.7)
    assert set(flows["from_occ"]) == {"43-9061"}


@pytest.mark.parametrize(
    ("update", "expected"),
    [
        ({"targeting": "sectors", "target_sectors": ("53",)}, {"01001": 0.0, "02001": 0.0}),
        ({"targeting": "sectors", "target_sectors": ("15",)}, {"01001": 0.6, "02001": 0.0}),
        ({"targeting": "counties", "target_counties": ("02001",)}, {"01001": 0.0, "02001": 1.0}),
    ],
)
def test_targeting(update, expected):
    sc = HAND.model_copy(update={"reskilling_budget": 2500.0, "cost_per_worker": 1000.0, **update})
    hz = Engine(tiny_inputs()).evaluate(sc).horizon["county"]
    for county, value in expected.items():
        assert hz.loc[county, "trained_workers"] == pytest.approx(value, abs=1e-12)


def test_scope_filters_rows():
    sc = HAND.model_copy(update={"scope": "states", "scope_states": ("02",)})
    hz = Engine(tiny_inputs()).evaluate(sc).horizon["county"]
    assert list(hz.index) == ["02001"]
    assert hz.loc["02001", "displaced_wages"] == pytest.approx(58.0)


def test_unknown_layer_names_lever():
    with pytest.raises(ValueError, match="layer"):
        Engine(tiny_inputs()).evaluate(Scenario(layer="nosuchlayer"))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("lam", [0.0, 0.5])
def test_technical_ceiling_equals_geo_metrics(seed, lam):
    inputs = random_inputs(seed)
    sc = load_preset("technical_ceiling").model_copy(update={"tool_frontier": lam})
    out = Engine(inputs).evaluate(sc)
    e = inputs.exposure.vector("eloundou", "mean", lam, None)
    for level, gm in inputs.levels.items():
        ref = geo_metrics(gm.employment, gm.wage, e, inputs.visible, gm.ids)
        for year in sc.years:
            got = out.by_year[level].xs(year, level="year")
            for mine, theirs in (("", "exposed_wages"), ("_visible", "surface_wages"),
                                 ("_hidden", "hidden_wages")):  # fmt: skip
                np.testing.assert_array_equal(
                    got[f"technical_exposed_wages{mine}"].to_numpy(), ref[theirs].to_numpy()
                )
                for col in ("adopted_wages", "displaced_wages"):
                    np.testing.assert_allclose(
                        got[f"{col}{mine}"].to_numpy(),
                        ref[theirs].to_numpy(),
                        rtol=1e-12,
                        atol=1e-6,
                    )
            np.testing.assert_allclose(got["displaced_workers"], ref["exposed_workers"], rtol=1e-12)
            np.testing.assert_allclose(got["gdp_proxy"], -ref["exposed_wages"], rtol=1e-12)


def test_frames_shape_and_occupations():
    inputs = random_inputs(3)
    out = Engine(inputs).evaluate(load_preset("fast_adoption_reskilling"))
    assert out.by_year["county"].index.names == ["id", "year"]
    assert len(out.by_year["county"]) == 7 * 6
    occ = out.occupations
    assert occ.index.name == "occ_code" and len(occ) == 12
    nation = out.horizon["nation"].iloc[0]
    assert occ["adopted_wages"].sum() == pytest.approx(nation["adopted_wages"], rel=1e-9)
    assert occ["displaced_workers"].sum() == pytest.approx(nation["displaced_workers"], rel=1e-9)
    assert isinstance(out.reskilling_flows, pd.DataFrame)
