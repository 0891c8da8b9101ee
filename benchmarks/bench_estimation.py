"""Benchmark: the held-out check of the unpublished-cell estimation, vs two naive baselines.

Run: ``python benchmarks/bench_estimation.py [RAW_DIR] [--seed N] [--fraction F]`` (default
``../shared/data/raw``, the fixed seed and 10%). Hides a size-stratified share of the published
OEWS area × occupation employment cells, estimates them again and prints, for the estimation and
both baselines measured in the same run (residual spread by state share = the old fill; drop
the hidden cells): wMAPE of cell employment and wage bill, and the mean / max absolute error of
each area's iceberg and visible index. Also prints the wall time of one estimation of the area
level next to the old fill's one-line rule, and the machine's load average.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

import iceberg
from iceberg.build_steps import holdout_inputs
from iceberg.oews.estimation import estimate_level
from iceberg.oews.holdout import HOLDOUT_FRACTION, HOLDOUT_SEED, _state_share_residual, holdout_run
from iceberg.oews.published import published_matrices
from iceberg.validate import holdout_figures


def best_of(fn, repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main(raw: Path, seed: int, fraction: float) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} (1 min), 2 cores shared")
    inputs = holdout_inputs(raw)
    model = iceberg.load().exposure
    t0 = time.perf_counter()
    run = holdout_run(inputs["area_frame"], inputs["state"], inputs["national"], occ_codes=inputs["occ_codes"],
                      parent_of=inputs["area_states"], fraction=fraction, seed=seed,
                      prior_adjust=inputs["area_prior_adjust"])
    t_run = time.perf_counter() - t0
    figures = holdout_figures(run, model.vector("eloundou", "mean", 0.0), model.visible_mask())
    pd.set_option("display.width", 200)
    print(f"\nheld out: {int(figures['cells'].iloc[0]):,} published area cells "
          f"({fraction:.0%}, seed {seed}); whole check {t_run:.1f} s")
    print(figures.drop(columns="cells").round(4).to_string())

    pub, _ = published_matrices(inputs["area_frame"], inputs["occ_codes"], "area")
    primary = np.zeros(len(pub.ids), dtype=np.int64)  # timing only: the rule's cost, not its accuracy
    t_new = best_of(lambda: estimate_level(inputs["area_frame"], inputs["state"], inputs["national"],
                                           occ_codes=inputs["occ_codes"], parent_of=inputs["area_states"],
                                           prior_adjust=inputs["area_prior_adjust"]))
    t_old = best_of(lambda: _state_share_residual(pub, np.zeros_like(pub.present), inputs["state"],
                                                  inputs["national"], primary))
    print(f"\narea level, best of 3: estimation (incl. pivot + wages) {t_new * 1000:.0f} ms; "
          f"old fill rule alone {t_old * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", nargs="?", default=str(Path(__file__).resolve().parents[1].parent / "shared/data/raw"))
    parser.add_argument("--seed", type=int, default=HOLDOUT_SEED)
    parser.add_argument("--fraction", type=float, default=HOLDOUT_FRACTION)
    args = parser.parse_args()
    main(Path(args.raw), args.seed, args.fraction)
