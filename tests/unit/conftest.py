"""Unit-test fixtures shared by the cache and bad-input tests."""

from __future__ import annotations

import pytest

#: Bundle key the miniature cache uses (the real key hashes the source files).
TINY_KEY = "k" * 20


@pytest.fixture
def tiny_cache(tmp_path, monkeypatch):
    """A private cache whose builds produce the hand-made miniature of ``test_api_bundle``.

    Counties 01001, 01003, 02001; states 01 "AA", 02 "BB"; layer eloundou. Returns
    ``{"raw": data folder, "calls": one entry per build, "dir": the bundles folder}``.
    """
    import iceberg.build_steps
    from iceberg import bundle as bmod
    from tests.unit.test_api_bundle import tiny_parts

    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(bmod, "bundle_key", lambda raw, custom=(): (TINY_KEY, {}))
    calls: list[int] = []

    def parts(raw, progress=True, hashes=None, custom_layers=()):
        calls.append(1)
        return tiny_parts()

    monkeypatch.setattr(iceberg.build_steps, "build_parts", parts)
    raw = tmp_path / "raw"
    raw.mkdir()
    return {"raw": raw, "calls": calls, "dir": tmp_path / "cache" / "bundles"}
