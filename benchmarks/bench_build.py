"""Cold build and warm load of the data bundle (DESIGN §8: ≤ 60 s and ≤ 2.5 GB; ≤ 1.5 s).

Baselines measured in the same run: reading the raw files alone (the I/O floor of a build) and
reading the bundle's Parquet files with pyarrow alone (the floor of a load).

    python benchmarks/bench_build.py [RAW_DIR]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

RAW = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data" / "raw")

CHILD = r"""
import json, resource, sys, time
mode, raw = sys.argv[1], sys.argv[2]
t = time.perf_counter()
if mode == "build":
    from iceberg.bundle import build
    path = build(raw, force=True, progress=False)
elif mode == "load":
    from iceberg.bundle import build, read_bundle
    path = build(raw, progress=False)
    t = time.perf_counter()
    read_bundle(path)
elif mode == "read_raw":
    from iceberg.io import boundaries, crosswalks, layers, oews, onet
    for f in (onet.read_tasks, onet.read_tasks_to_dwas, onet.read_dwa_reference, onet.read_skills, onet.read_knowledge):
        f(raw + "/onet")
    oews.read_oews_dir(raw + "/oews_2025")
    layers.read_eloundou(raw + "/gpts_are_gpts")
    boundaries.read_boundaries(raw + "/census_cartographic_boundaries/cb_2023_us_county_20m")
elif mode == "read_parquet":
    import pyarrow.parquet as pq
    from iceberg.bundle import build
    path = build(raw, progress=False)
    t = time.perf_counter()
    for p in sorted(path.glob("*.parquet")):
        pq.read_table(p)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(mode: str, cache: str) -> dict:
    env = {**os.environ, "ICEBERG_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(RAW)], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"cores: {os.cpu_count()}  raw data: {RAW}")
    with tempfile.TemporaryDirectory() as cache:
        raw_read = measure("read_raw", cache)
        cold = measure("build", cache)
        warm = min((measure("load", cache) for _ in range(3)), key=lambda r: r["seconds"])
        floor = min((measure("read_parquet", cache) for _ in range(3)), key=lambda r: r["seconds"])
        size = sum(p.stat().st_size for p in Path(cache, "bundles").rglob("*") if p.is_file())
    print(f"cold build     {cold['seconds']:6.2f} s  peak {cold['peak_mb']:6.0f} MB   (bar ≤ 60 s, ≤ 2,500 MB)")
    print(f"  baseline: reading the raw files only {raw_read['seconds']:.2f} s -> build is "
          f"{cold['seconds'] / raw_read['seconds']:.1f}x the I/O floor")
    print(f"warm load      {warm['seconds']:6.3f} s                  (bar ≤ 1.5 s)")
    print(f"  baseline: pyarrow reading the same Parquet files {floor['seconds']:.3f} s -> load is "
          f"{warm['seconds'] / floor['seconds']:.1f}x")
    print(f"bundle size on disk {size / 1e6:.1f} MB")
    ok = cold["seconds"] <= 60 and cold["peak_mb"] <= 2500 and warm["seconds"] <= 1.5
    print("PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
