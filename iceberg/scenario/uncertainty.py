"""Monte Carlo over lever ranges: P10 / P50 / P90 bands, batched over draws.

Each lever named in ``ranges`` is drawn uniformly in ``[low, high]`` (seeded); the others keep
the scenario's value. Draws are an extra matrix axis, never a Python loop:

- adoption only varies by occupation *class* (SOC major group), so for every level
  ``Σ_o B_go e_o a_o(t) = Σ_c a_c(t) · Z_gc`` with ``Z = B @ (e ∘ onehot(class))`` built once;
- ``e = base + λ·slope`` is linear in λ (when no clipping happens over the range), giving two
  basis vectors with per-draw coefficients ``(1, λ_d)``. In threshold mode (or when clipping
  would bite) λ is snapped to a 0.05 grid and each distinct grid vector is one basis vector;
- all draws and years then come from one product ``Z (G × basis·classes) @ W (… × T·D)``.

Reskilling keeps the central scenario's targeting plan (which occupations, which geographies,
what share of their displaced workers are trained); in each draw the trained workers follow that
draw's displacement and are scaled down whenever the budget would be exceeded. Geographies are
processed in blocks only to bound memory. Bands are of totals (no visible/hidden split).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from iceberg.errors import IcebergArgumentError
from iceberg.scenario.engine import Engine
from iceberg.scenario.model import Scenario

#: Levers that may be given a range.
MC_LEVERS: tuple[str, ...] = (
    "tool_frontier",
    "adoption_ceiling",
    "substitution_share",
    "productivity_rate",
    "job_multiplier",
    "years_to_half",
    "steepness",
    "success_rate",
)
#: Outputs with bands; columns are ``{name}_p10``, ``{name}_p50``, ``{name}_p90``.
MC_OUTPUTS: tuple[str, ...] = (
    "displaced_wages",
    "displaced_workers",
    "productivity_gain",
    "reskilled_workers",
    "net_wage_impact",
    "gdp_proxy",
)
_LAMBDA_GRID = 0.05


def draw_levers(
    scenario: Scenario, ranges: dict[str, tuple[float, float]], draws: int, seed: int
) -> dict[str, np.ndarray]:
    """Uniform draws of every MC lever (fixed levers repeat the scenario value).

    Raises
    ------
    ValueError
        Naming the lever, for an unknown lever, ``low > high`` or a bound outside its range.
    """
    rng = np.random.default_rng(seed)
    out = {}
    for lever in MC_LEVERS:
        if lever not in ranges:
            out[lever] = np.full(draws, float(getattr(scenario, lever)))
            continue
        low, high = (float(x) for x in ranges[lever])
        if not low <= high:
            raise ValueError(f"lever {lever!r}: range low {low} is above high {high}")
        for bound in (low, high):  # reuse the model's own bounds and messages
            try:
                Scenario.model_validate({**scenario.model_dump(), lever: bound})
            except ValueError as exc:
                raise ValueError(f"lever {lever!r}: range bound {bound} is invalid") from exc
        out[lever] = rng.uniform(low, high, draws)
    unknown = set(ranges) - set(MC_LEVERS)
    if unknown:
        raise ValueError(f"lever(s) {sorted(unknown)} cannot be drawn; choose from {MC_LEVERS}")
    return out


def monte_carlo(
    engine: Engine,
    scenario: Scenario,
    ranges: dict[str, tuple[float, float]],
    draws: int = 1000,
    seed: int = 0,
    level: str = "county",
    quantiles: tuple[float, float, float] = (0.1, 0.5, 0.9),
    block_elements: int = 2_000_000,
) -> pd.DataFrame:
    """P10 / P50 / P90 of the headline outputs per geography and year.

    Parameters
    ----------
    engine : Engine
    scenario : Scenario
        The central scenario (levers not in ``ranges`` keep its values).
    ranges : dict
        ``lever → (low, high)`` for levers of :data:`MC_LEVERS`.
    draws, seed : int
        Number of draws and the random seed (same seed → same bands).
    level : str
        Geography level (``"county"``, ``"state"``, ``"nation"``, ...).

    Returns
    -------
    pd.DataFrame
        Index ``(id, year)``; columns ``{output}_p10/_p50/_p90`` for :data:`MC_OUTPUTS`.
    """
    if level not in engine.levels:
        raise ValueError(f"level {level!r} not in {list(engine.levels)}")
    if int(draws) < 1:  # i13: no ZeroDivisionError on an empty sample
        raise IcebergArgumentError("draws", draws, allowed="a whole number ≥ 1")
    lv = draw_levers(scenario, ranges, draws, seed)
    years = np.asarray(scenario.years, dtype=float)
    n_t, n_d = len(years), draws
    lvl = engine.levels[level]
    rows = engine.scope_rows(level, scenario)
    both = lvl.both if rows is None else np.vstack([lvl.bill[rows], lvl.employment[rows]])
    ids = lvl.ids if rows is None else lvl.ids[rows]
    n_g = len(ids)

    # occupation classes (major groups) and their adoption a[c, t, d]
    n_c = 23  # 22 major groups + one class for unknown codes (multiplier 1)
    cls = np.where(engine._major_pos < 0, n_c - 1, engine._major_pos)
    mult = np.array([*scenario.group_multipliers().values(), 1.0])
    if scenario.instant_adoption:
        curve = np.ones((n_t, n_d))
    else:
        arg = lv["steepness"][None, :] * (
            years[:, None] - scenario.start_year - lv["years_to_half"]
        )
        curve = 1.0 / (1.0 + np.exp(-arg))
    adopt = np.clip(lv["adoption_ceiling"] * mult[:, None, None] * curve[None], 0.0, 1.0)

    basis, coef = _exposure_basis(engine, scenario, lv["tool_frontier"], ranges)
    n_b = len(basis)
    onehot = np.zeros((len(cls), n_c))
    onehot[np.arange(len(cls)), cls] = 1.0
    x = (basis[:, :, None] * onehot[None]).transpose(1, 0, 2).reshape(len(cls), n_b * n_c)
    # W[(b, c), (t, d)] = coef[b, d] · a[c, t, d]
    w = (coef[:, None, None, :] * adopt[None]).reshape(n_b * n_c, n_t * n_d)

    # i13: as in the engine, state and national reskilling are sums of the county cells
    rolled = level in ("state", "nation") and "county" in engine.levels
    plan_level = "county" if rolled else level
    plan = engine.evaluate(scenario, levels=[plan_level]).plans[plan_level]
    resk = plan["reskilling"]
    mats = [x]
    if resk:
        mats += [plan["q"][:, None] * x, (plan["q"] * plan["ratio"])[:, None] * x]
    z = both @ np.hstack(mats)  # 2G × (n_b n_c · k)
    nbc = n_b * n_c
    s, succ = lv["substitution_share"], lv["success_rate"]
    scale = np.ones(n_d)
    if resk and rolled:
        z[:, nbc:], cap_rows = _county_reskilling(engine, scenario, level, ids, plan["geo"],
                                                  np.hstack(mats[1:]))
        geo = np.ones(n_g)
    else:
        geo = np.ones(n_g) if plan["geo"] is None else plan["geo"].astype(float)
        cap_rows = (geo, z[n_g:, nbc : 2 * nbc])
    zb, ze = z[:n_g], z[n_g:]
    if resk:  # budget cap per draw: total trained at the horizon ≤ floor(R / cost)
        trainees = np.floor(scenario.reskilling_budget / scenario.cost_per_worker)
        total = s * ((cap_rows[0] @ cap_rows[1]) @ w).reshape(n_t, n_d)[-1]
        scale = np.minimum(1.0, np.divide(trainees, total, out=np.ones(n_d), where=total > 0))

    # float32 for the draw arrays: bands need ~7 significant digits, and it halves the traffic
    f32 = np.float32
    w32 = w.astype(f32)
    zb32, ze32 = zb.astype(f32), ze.astype(f32)
    s32 = s.astype(f32)
    gain_f = (lv["productivity_rate"] * (1 - s)).astype(f32)
    m32 = lv["job_multiplier"].astype(f32)
    resk_f = (succ * s * scale).astype(f32)
    step = max(1, block_elements // (n_t * n_d))
    bands = np.zeros((len(MC_OUTPUTS), len(quantiles), n_g, n_t))
    pick = _quantile_picker(n_d, quantiles)

    def block(start: int) -> None:
        sl = slice(start, min(start + step, n_g))
        shape = (-1, n_t, n_d)
        adopted = (zb32[sl, :nbc] @ w32).reshape(shape)
        displaced = s32 * adopted
        gain = gain_f * adopted
        outs = {
            "displaced_wages": displaced,
            "displaced_workers": s32 * (ze32[sl, :nbc] @ w32).reshape(shape),
            "productivity_gain": gain,
        }
        if resk:
            g = geo[sl, None, None].astype(f32) * resk_f
            reemployed = g * (zb32[sl, 2 * nbc :] @ w32).reshape(shape)
            outs["reskilled_workers"] = g * (ze32[sl, nbc : 2 * nbc] @ w32).reshape(shape)
            outs["net_wage_impact"] = gain + reemployed - displaced
            outs["gdp_proxy"] = gain - m32 * (displaced - reemployed)
        else:
            outs["net_wage_impact"] = gain - displaced
            outs["gdp_proxy"] = gain - m32 * displaced
        for k, name in enumerate(MC_OUTPUTS):
            if name in outs:
                bands[k, :, sl] = pick(outs[name])

    starts = range(0, n_g, step)
    # blocks of geographies bound memory and run on all cores; draws stay one batched axis
    with ThreadPoolExecutor(max_workers=min(len(starts), os.cpu_count() or 1)) as pool:
        list(pool.map(block, starts))

    names = [f"p{round(q * 100):02d}" for q in quantiles]
    data = bands.reshape(len(MC_OUTPUTS) * len(quantiles), n_g * n_t)
    columns = [f"{o}_{n}" for o in MC_OUTPUTS for n in names]
    index = pd.MultiIndex.from_product(
        [pd.Index(ids, dtype="str"), scenario.years], names=["id", "year"]
    )
    return pd.DataFrame(data.T, index=index, columns=columns)


def _county_reskilling(engine: Engine, sc: Scenario, level: str, ids: np.ndarray,
                       geo: np.ndarray | None, mats: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Reskilling rows of a state/nation level as sums of the county cells (i13, issue 13).

    Returns the ``[B; E]`` rows of the reskilling blocks for the level's geographies and the
    county ``(targeted mask, E rows)`` on which the budget cap is computed.
    """
    county = engine.levels["county"]
    rows = engine.scope_rows("county", sc)
    both = county.both if rows is None else np.vstack([county.bill[rows], county.employment[rows]])
    cids = county.ids if rows is None else county.ids[rows]
    zc = both @ mats
    n_c = len(cids)
    geo = np.ones(n_c) if geo is None else np.asarray(geo, dtype=float)
    if level == "nation":
        member = np.ones((len(ids), n_c))
    else:
        member = (np.asarray(ids).astype(str)[:, None] == np.asarray(
            [c[:2] for c in cids])[None, :]).astype(float)
    weighted = member * geo[None, :]
    half = mats.shape[1] // 2
    return np.vstack([weighted @ zc[:n_c], weighted @ zc[n_c:]]), (geo, zc[n_c:, :half])


def _exposure_basis(engine: Engine, sc: Scenario, lam: np.ndarray, ranges: dict):
    """Basis exposure vectors (b × O) and per-draw coefficients (b × D)."""
    n_d = len(lam)
    if not sc.threshold_mode:
        base, slope = engine.components(sc.layer, sc.rater)
        if "tool_frontier" not in ranges:
            return engine.exposure_vector(sc)[None, :], np.ones((1, n_d))
        lo, hi = (float(v) for v in ranges["tool_frontier"])
        ends = np.stack([base + lo * slope, base + hi * slope])
        if ends.min() >= 0.0 and ends.max() <= 1.0:  # no clipping: exactly linear in λ
            return np.stack([base, slope]), np.stack([np.ones(n_d), lam])
    grid = np.round(np.round(lam / _LAMBDA_GRID) * _LAMBDA_GRID, 10)
    values, which = np.unique(grid, return_inverse=True)  # ≤ 21 distinct vectors
    basis = np.stack([engine.exposure_vector(sc, lam=v) for v in values])
    coef = np.zeros((len(values), n_d))
    coef[which, np.arange(n_d)] = 1.0
    return basis, coef


def _quantile_picker(n: int, quantiles):
    """Quantiles along the last axis (numpy's default 'linear' method) via one partition."""
    pos = np.asarray(quantiles, dtype=float) * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    frac = pos - lo
    kth = np.unique(np.concatenate([lo, hi]))

    def pick(x: np.ndarray) -> np.ndarray:
        part = np.partition(x, kth, axis=-1)
        return np.stack(
            [part[..., a] + (part[..., b] - part[..., a]) * f for a, b, f in zip(lo, hi, frac)]
        )

    return pick
