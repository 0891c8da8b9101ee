"""Shared fixtures: the real data folder (integration), an isolated cache, the real bundle."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _real_raw_dir() -> Path | None:
    env = os.environ.get("ICEBERG_TEST_RAW_DIR")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "data" / "raw")
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    return None


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """``../shared/data/raw``; skipped when absent, but never in CI (``CI`` set)."""
    path = _real_raw_dir()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but ../shared/data/raw is missing: integration tests must run")
        pytest.skip("real data folder ../shared/data/raw not present")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Never touch the user's real cache from a test, unless a test opts in."""
    if "ICEBERG_TEST_SHARED_CACHE" not in os.environ:
        monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(scope="session")
def real_bundle(raw_dir, tmp_path_factory):
    """The data bundle built once per session from ../shared/data/raw (in the session cache)."""
    from iceberg.bundle import build, read_bundle

    cache = tmp_path_factory.getbasetemp() / "cache"
    previous = os.environ.get("ICEBERG_CACHE_DIR")
    os.environ["ICEBERG_CACHE_DIR"] = str(cache)
    try:
        path = build(raw_dir, progress=False)
    finally:
        if previous is None:
            os.environ.pop("ICEBERG_CACHE_DIR", None)
        else:
            os.environ["ICEBERG_CACHE_DIR"] = previous
    return read_bundle(path)


@pytest.fixture(scope="session")
def unpacked_wheel(tmp_path_factory) -> Path:
    """The project's wheel, built from this checkout and unpacked as pip would install it."""
    import subprocess
    import sys
    import zipfile

    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    wheel = next(out.glob("iceberg_index-*.whl"))
    site = out / "site-packages"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    return site
