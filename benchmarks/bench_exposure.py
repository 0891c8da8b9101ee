"""Benchmark: occupation exposure + national/state/area metrics for a new λ, vs building M.

Run: ``python benchmarks/bench_exposure.py [RAW_DIR]`` (default ../shared/data/raw). Uses the
test-only OEWS pivot for the matrices (the bundle's filled matrices have the same shapes).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from iceberg.build_steps import read_exposure_sources
from iceberg.exposure import ExposureModel
from iceberg.io import oews
from iceberg.metrics import geo_metrics
from iceberg.validate import _test_only_geomatrix


def best_of(fn, n: int = 20) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(raw: Path) -> None:
    t0 = time.perf_counter()
    data = oews.read_oews_dir(raw / "oews_2025", levels=("national", "state", "area"))
    det = data["national"][data["national"]["o_group"] == "detailed"]
    frames = read_exposure_sources(raw)
    codes = det["occ_code"].to_numpy()
    mats = [_test_only_geomatrix(data[k], codes, k) for k in ("national", "state", "area")]
    print(f"read raw files + pivot: {time.perf_counter() - t0:.2f} s")

    build = best_of(lambda: ExposureModel.from_sources(codes, **frames), n=3)
    model = ExposureModel.from_sources(codes, **frames)
    frames_out = model.to_frames()
    reload = best_of(lambda: ExposureModel.from_frames(frames_out), n=5)
    vis = model.visible_mask()
    base, slope = model.components()
    lam = iter(np.linspace(0, 1, 10_000))

    def new_lambda() -> None:
        e = np.clip(base + next(lam) * slope, 0, 1)
        for gm in mats:
            geo_metrics(gm.employment, gm.wage, e, vis, gm.ids)

    def bare_products() -> None:
        e = np.clip(base + 0.3 * slope, 0, 1)
        for gm in mats:
            bill = gm.employment * gm.wage
            bill @ e, bill @ (e * vis), gm.employment @ e

    def threshold() -> None:
        model.vector("eloundou", "mean", lam=0.5, tau=0.5)

    t_new, t_bare, t_tau = best_of(new_lambda), best_of(bare_products), best_of(threshold)
    shape = ", ".join(f"{gm.level} {gm.employment.shape}" for gm in mats)
    print(f"matrices: {shape}; operator M {model.operator.shape}, nnz {model.operator.nnz}")
    print(f"build operator + all layers : {1000 * build:8.1f} ms")
    print(f"reload from frames          : {1000 * reload:8.1f} ms")
    print(f"new λ: e + metrics (3 levels): {1000 * t_new:8.2f} ms")
    print(f"  bare matrix products       : {1000 * t_bare:8.2f} ms  (ratio {t_new / t_bare:.1f}×)")
    print(f"threshold vector (M @ c)    : {1000 * t_tau:8.2f} ms")
    print(f"new λ vs build              : {build / t_new:8.0f}× faster")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1]
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "data" / "raw")
