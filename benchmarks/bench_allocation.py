"""Benchmark: unpublished-cell estimation + county allocation on the real data, vs a bare population split.

Run: ``python benchmarks/bench_allocation.py [RAW_DIR]`` (default ``../shared/data/raw``).
Prints wall times (best of N), the tracemalloc peak of each step, and the process peak RSS.
The baseline, measured in the same run, is the plainest county split there is: each county gets
``area employment × population share`` (one numpy expression, no fill, no IPF).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from geodata.allocation import allocate_counties
from iceberg.io.census import read_acs_county, read_county_area_crosswalk, read_county_population
from iceberg.io.oews import read_oews_dir
from iceberg.oews.estimation import estimate_all
from iceberg.oews.staffing import national_staffing

REPEAT = 3


def timed(label: str, fn, repeat: int = REPEAT):
    """Best wall time over ``repeat`` runs, and the tracemalloc peak of one run."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44} {best * 1000:9.1f} ms   peak alloc {peak / 2**20:8.1f} MiB")
    return out, best


def main(raw: Path) -> None:
    t0 = time.perf_counter()
    frames = read_oews_dir(raw / "oews_2025")
    industry, groups = read_acs_county(raw / "acs5_2019_county_industry_occupation")
    crosswalk = read_county_area_crosswalk(raw / "oews_area_definitions")
    population = read_county_population(raw / "census_popest_2024")
    print(f"{'read raw files (loaders, once)':<44} {(time.perf_counter() - t0) * 1000:9.1f} ms")

    filled, t_fill = timed("estimate national → state → area", lambda: estimate_all(frames))
    area = filled["area"]
    staffing, t_staff = timed("national staffing patterns (13 ACS groups)", lambda: national_staffing(
        frames["national_by_industry"], filled["national"], occ_codes=area.occ_codes, groups=industry))
    kw = {"acs_industry": industry, "population": population, "staffing": staffing}
    auto, t_auto = timed("allocate, auto (industry mix + IPF)",
                         lambda: allocate_counties(area, crosswalk, **kw))
    timed("allocate, auto + occupation-group margin", lambda: allocate_counties(
        area, crosswalk, acs_occupation_groups=groups, **kw))
    timed("allocate, method='population'",
                     lambda: allocate_counties(area, crosswalk, method="population", **kw))

    # Baseline: bare population share split (inputs prepared outside the timed part).
    cw = crosswalk.set_index("county_fips").loc[auto.county_fips]
    a_idx = pd.Index(area.ids).get_indexer(cw["oews_area"].to_numpy())
    pop = population.set_index("county_fips")["population"].reindex(auto.county_fips)
    pop = pop.fillna(1.0).to_numpy(dtype=float)

    def baseline() -> np.ndarray:
        share = pop / np.bincount(a_idx, pop)[a_idx]
        return area.employment[a_idx] * share[:, None]

    _, t_base = timed("baseline: bare population-share split", baseline, repeat=10)
    total = t_fill + t_staff + t_auto
    print(f"\nfill + staffing + allocation (auto): {total * 1000:.1f} ms; "
          f"allocation alone is {t_auto / t_base:.0f}× the bare population split "
          f"({t_auto * 1000:.1f} vs {t_base * 1000:.2f} ms)")
    print(f"IPF iterations {auto.counts['ipf_iterations']}, conservation max rel error "
          f"{auto.diagnostics['conservation_max_rel_error']:.1e}, counties "
          f"{len(auto.county_fips)} × occupations {len(auto.occ_codes)}")
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
          "(includes the OEWS frames)")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "raw"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
