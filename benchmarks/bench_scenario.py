"""Benchmark: one scenario (all levels, full time path), ``iceberg.run``, and Monte Carlo.

One command prints everything: ``python benchmarks/bench_scenario.py`` — on synthetic inputs,
then on the real bundle: the bare matrix products, the engine and ``iceberg.run`` for the
default scenario (bar: run ≤ 3× the engine, issue 11), each with the load average.

Bars (DESIGN §8): one scenario ≤ 20 ms and ≤ 5× the bare matrix products it needs (measured
in the same run); Monte Carlo 1,000 draws over all counties ≤ 3 s. Runs on synthetic inputs of
the real size (3,222 counties × 830 occupations, 54 states, nation; 2025–2030) unless given an
engine: ``bench(engine)`` works on a real :class:`iceberg.scenario.Engine` too.
"""

from __future__ import annotations

import os
import time

import numpy as np

from iceberg.geomatrix import GeoMatrix
from iceberg.scenario import MAJOR_GROUPS, Engine, EngineInputs, Scenario, load_preset, monte_carlo

MC_RANGES = {"tool_frontier": (0.0, 0.5), "adoption_ceiling": (0.3, 0.8),
             "substitution_share": (0.2, 0.5), "productivity_rate": (0.1, 0.3),
             "job_multiplier": (0.8, 1.5), "years_to_half": (3.0, 8.0)}  # fmt: skip


class _Linear:
    def __init__(self, base, slope):
        self.base, self.slope = base, slope

    def components(self, layer, rater, tau):
        return self.base, self.slope

    def vector(self, layer, rater, lam, tau):
        c = self.base + lam * self.slope
        return np.clip(c, 0, 1) if tau is None else (c >= tau).astype(float)


def synthetic_inputs(n_counties=3222, n_occ=830, n_states=54, seed=0) -> EngineInputs:
    """Random inputs with the real shapes (about 60% of county cells employed)."""
    rng = np.random.default_rng(seed)
    occ = np.array([f"{MAJOR_GROUPS[i % 22]}-{1000 + i:04d}" for i in range(n_occ)])
    major = np.array([c[:2] for c in occ])

    def level(name, ids, scale, density):
        emp = rng.gamma(0.5, scale, (len(ids), n_occ)) * (rng.random((len(ids), n_occ)) < density)
        wage = np.where(emp > 0, rng.uniform(25e3, 150e3, emp.shape), 0.0)
        return GeoMatrix(name, np.asarray(ids), occ, emp, wage, wage)

    levels = {
        "county": level(
            "county", [f"{i % n_states:02d}{i:03d}" for i in range(n_counties)], 50, 0.6
        ),
        "state": level("state", [f"{i:02d}" for i in range(n_states)], 5000, 0.95),
        "nation": level("nation", ["US"], 300_000, 1.0),
    }
    x = rng.random((n_occ, 60))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sim = x @ x.T
    np.fill_diagonal(sim, 1.0)
    return EngineInputs(
        levels=levels, exposure=_Linear(rng.uniform(0, 0.5, n_occ), rng.uniform(0, 0.5, n_occ)),
        visible=major == "15", occ_major=major, occ_titles=occ, similarity=sim,
        layers=("eloundou",),
    )  # fmt: skip


def _best(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), float(np.median(times))


def bare_products(engine: Engine, sc: Scenario):
    """The matrix products one evaluation needs, and nothing else."""
    e = engine.exposure_vector(sc)
    ea = e[:, None] * engine.adoption(sc)
    vis = engine._vis_idx
    ev = e * engine.visible

    def run():
        for lvl in engine.levels.values():
            lvl.both @ ea
            lvl.both_vis @ ea[vis]
            lvl.bill @ e
            lvl.bill @ ev

    return run


def bench(engine: Engine, repeats: int = 30, draws: int = 1000) -> dict[str, float]:
    """Time scenarios and Monte Carlo on ``engine``; print and return the figures."""
    sizes = {k: v.employment.shape for k, v in engine.levels.items()}
    print(f"nproc: {os.cpu_count()}   levels: {sizes}   {_load()}")
    figures = {}
    for name in ("gradual_adoption", "fast_adoption_reskilling"):
        sc = load_preset(name).model_copy(update={"horizon_year": 2030})
        full_min, full_med = _best(lambda sc=sc: _frames(engine.evaluate(sc)), repeats)
        bare_min, _bare_med = _best(bare_products(engine, sc), repeats)
        figures[f"{name}_ms"] = full_min * 1e3
        figures[f"{name}_ratio"] = full_min / bare_min
        print(
            f"{name:<26} scenario {full_min * 1e3:6.1f} ms (median {full_med * 1e3:.1f})  "
            f"bare products {bare_min * 1e3:5.1f} ms  ratio {full_min / bare_min:4.2f}x  "
            f"[bar 20 ms, 5x] {'OK' if full_min <= 0.02 and full_min <= 5 * bare_min else 'MISS'}"
        )
    for name, budget in (("monte_carlo_1000", 0.0), ("monte_carlo_1000_reskilling", 5e9)):
        sc = Scenario(reskilling_budget=budget)
        t_min, t_med = _best(lambda sc=sc: monte_carlo(engine, sc, MC_RANGES, draws=draws), 2)
        figures[name + "_s"] = t_min
        print(f"{name:<26} {t_min:6.2f} s (median {t_med:.2f})  [bar 3 s] "
              f"{'OK' if t_min <= 3 else 'MISS'}")  # fmt: skip
    return figures


def _frames(out):
    return out.by_year, out.horizon


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def bench_run(bundle, repeats: int = 15) -> dict[str, float]:
    """Bare products, the engine and ``iceberg.run`` for the default scenario, same run."""
    import iceberg

    sc = Scenario()
    engine = bundle.engine()
    bare_min, bare_med = _best(bare_products(engine, sc), repeats)
    eng_min, eng_med = _best(lambda: _frames(engine.evaluate(sc)), repeats)
    run_min, run_med = _best(lambda: iceberg.run(bundle, sc), repeats)
    new = [Scenario(adoption_ceiling=0.3 + 0.01 * i) for i in range(repeats)]
    t = time.perf_counter()
    for s in new:
        iceberg.run(bundle, s)
    fresh = (time.perf_counter() - t) / repeats
    print(f"\ndefault scenario on the real bundle ({_load()}), median of {repeats}:")
    print(f"  bare matrix products   {bare_med * 1e3:7.1f} ms (best {bare_min * 1e3:.1f})")
    print(f"  engine (all levels)    {eng_med * 1e3:7.1f} ms (best {eng_min * 1e3:.1f})")
    print(f"  iceberg.run            {run_med * 1e3:7.1f} ms (best {run_min * 1e3:.1f})  "
          f"= {run_med / eng_med:.2f}x the engine [bar 3x] "
          f"{'OK' if run_med <= 3 * eng_med else 'MISS'}")
    print(f"  iceberg.run, a new adoption ceiling each time (technical part reused): "
          f"{fresh * 1e3:.1f} ms")
    return {"bare_ms": bare_med * 1e3, "engine_ms": eng_med * 1e3, "run_ms": run_med * 1e3}


if __name__ == "__main__":
    import sys
    from pathlib import Path

    t0 = time.perf_counter()
    eng = Engine(synthetic_inputs())
    print(f"engine build (synthetic 3,222 × 830): {time.perf_counter() - t0:.2f} s")
    bench(eng)
    # the same on the real bundle when the raw data is at hand (argv[1] or ../shared/data/raw)
    raw = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/data/raw"
    if raw.is_dir():
        from iceberg.bundle import load

        bundle = load(raw, progress=False)
        t0 = time.perf_counter()
        real = bundle.engine()
        print(f"\nengine build (real bundle): {time.perf_counter() - t0:.2f} s")
        bench(real)
        bench_run(bundle)

