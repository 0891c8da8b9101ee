"""The self-healing cache: damaged, partial and stale bundles on the hand-made miniature.

``build_parts`` is replaced by the miniature of ``test_api_bundle`` so each build takes
milliseconds; everything else (staging, manifest records, verification, setting aside,
cleaning) is the real code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import warnings

import pytest

from iceberg import bundle as bmod
from iceberg.errors import IcebergDataWarning
from tests.unit.conftest import TINY_KEY as KEY


@pytest.fixture
def cache(tiny_cache):
    return tiny_cache


def _load(cache):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = bmod.load(cache["raw"], progress=False)
    return data, [str(w.message) for w in caught if issubclass(w.category, IcebergDataWarning)]


def test_manifest_records_size_and_hash_of_every_file(cache):
    path = bmod.build(cache["raw"], progress=False)
    files = json.loads((path / "manifest.json").read_text())["files"]
    assert set(files) == {p.name for p in path.iterdir()} - {"manifest.json"}
    assert all(rec["size"] == (path / name).stat().st_size and len(rec["sha256"]) == 64
               for name, rec in files.items())
    assert bmod.verify_bundle(path, deep=True) == []
    umask = os.umask(0o022)
    os.umask(umask)
    assert (path / "levels.parquet").stat().st_mode & 0o777 == 0o666 & ~umask
    assert path.stat().st_mode & 0o777 == 0o777 & ~umask  # readable by others, like the files


def test_build_checks_hashes_but_load_only_sizes(cache):
    path = bmod.build(cache["raw"], progress=False)
    f = path / "occupations.parquet"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    f.write_bytes(bytes(data))
    assert bmod.verify_bundle(path) == []
    assert "sha256" in bmod.verify_bundle(path, deep=True)[0]
    with pytest.warns(IcebergDataWarning, match="occupations.parquet has other bytes"):
        bmod.build(cache["raw"], progress=False, deep=True)
    assert len(cache["calls"]) == 2 and bmod.verify_bundle(path, deep=True) == []


def test_stale_staging_of_a_killed_build_is_cleaned(cache):
    cache["dir"].mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = cache["dir"] / f".{KEY}.dead"
    stale.mkdir()
    (stale / bmod.OWNER_FILE).write_text(json.dumps({"pid": int(dead), "host": os.uname().nodename,
                                                     "started": 0}))
    (stale / "levels.parquet").write_bytes(b"partial")
    live = cache["dir"] / f".{KEY}.live"  # a concurrent build of this very process: kept
    live.mkdir()
    (live / bmod.OWNER_FILE).write_text(json.dumps({"pid": os.getpid(), "host": os.uname().nodename,
                                                    "started": 0}))
    bmod.build(cache["raw"], progress=False)
    assert not stale.exists() and live.exists()


def test_concurrent_loads_build_once_or_agree(cache):
    results, errors = [], []

    def worker():
        try:
            results.append(bmod.load(cache["raw"], progress=False))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 4
    assert bmod.verify_bundle(results[0].path, deep=True) == []
    assert not [p for p in cache["dir"].glob(".*") if p.name != bmod.DAMAGED_DIR]


def test_interrupted_build_leaves_no_bundle_and_no_staging(cache, monkeypatch):
    def boom(out, parts):
        (out / "levels.parquet").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(bmod, "_write_bundle", boom)
    with pytest.raises(KeyboardInterrupt):
        bmod.build(cache["raw"], progress=False)
    assert list(cache["dir"].iterdir()) == []
