"""Benchmark: the tools layer — catalogue cleaning, embedding, month-by-month matching of the full
catalogue against every O*NET task, DWA and IWA, calibration, frontier — cold (empty cache) and
warm (the cached path ``iceberg build`` takes), vs a brute-force baseline measured in the same run.

Run: ``python benchmarks/bench_tools.py [RAW_DIR]`` (default ``../shared/data/raw``).
The baseline is the plainest full match: one dense tasks × tools similarity matrix and a full
row sort for the top 20 at the last month only (no month-by-month frontier).
Prints wall times, the process peak RSS and the machine's load average.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def clock(label: str, fn):
    start = time.perf_counter()
    out = fn()
    print(f"{label:<52} {time.perf_counter() - start:7.2f} s")
    return out


def main(raw: Path) -> None:
    from iceberg.build_steps import read_exposure_sources
    from iceberg.capability import TaskUniverse
    from iceberg.tools.calibration import ablation
    from iceberg.tools.catalogue import load_catalogue
    from iceberg.tools.features import match_catalogue
    from iceberg.tools.layer import fit_tools
    from iceberg.tools.matching import embed, load_model

    print(f"load average (1/5/15 min): {os.getloadavg()}; cores: {os.cpu_count()}")
    sources = read_exposure_sources(raw)
    uni = TaskUniverse.from_frames(sources["tasks"], sources["tasks_to_dwas"],
                                   sources["dwa_reference"])
    cache = Path(tempfile.mkdtemp(prefix="bench-tools-"))
    clock("load wordllama from its wheel", load_model)
    cat = clock("catalogue: read + clean (cold)", lambda: load_catalogue(
        raw / "ai_tool_catalogue", cache_dir=cache))
    clock("catalogue: cached", lambda: load_catalogue(raw / "ai_tool_catalogue", cache_dir=cache))
    print(f"  tools kept {cat.counts['kept']:,} of {cat.counts['rows_read']:,}; "
          f"tasks {uni.n_tasks:,}, DWAs {len(uni.dwa_ids):,}, IWAs {len(uni.iwa_ids):,}")
    tools = clock("embed tools (cold)", lambda: embed(cat.tools["text"].tolist(), cache_dir=cache))
    tasks = clock("embed tasks (cold)", lambda: embed([str(t) for t in uni.task_text],
                                                      cache_dir=cache))
    matches = clock("match tasks+DWAs+IWAs, every month (embeddings cached)",
                    lambda: match_catalogue(cat, uni, sources["dwa_reference"], cache_dir=cache))
    print(f"  frontier months: {len(matches.months)} ({matches.months[0]} … {matches.months[-1]})")
    clock("match: cached", lambda: match_catalogue(cat, uni, sources["dwa_reference"],
                                                   cache_dir=cache))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS before the baseline: {peak:,.0f} MiB")

    def brute():
        sims = tasks @ tools.T
        return np.sort(sims, axis=1)[:, -20:]

    clock("baseline: dense tasks × tools + full sort (last month)", brute)
    fit = clock("fit_tools (cached matches): features + calibration",
                lambda: fit_tools(cat, uni, sources["eloundou"], sources["dwa_reference"],
                                  cache_dir=cache))
    clock("ablation incl. text-only reference", lambda: ablation(
        fit.matches.features(), fit.y, fit.known, fit.evaluate, tasks))
    clock("layer as of every frontier month (features + predict)",
          lambda: [fit.probability_as_of(m) for m in fit.matches.months])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:,.0f} MiB; load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else
         Path(__file__).resolve().parents[2] / "shared" / "data" / "raw")
