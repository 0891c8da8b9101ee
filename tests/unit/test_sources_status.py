"""data_status / source_hashes on a tiny data dir: one good, one corrupted, one missing source."""

from __future__ import annotations

import hashlib
import os

import pytest
from typer.testing import CliRunner

from iceberg.errors import IcebergDataError
from iceberg.sources import data_status, format_status, load_registry, source_hashes, status_ok
from iceberg.sources.hashing import _memo_path

A, B, C = b"alpha\n", b"bravo\n", b"charlie\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _source(sid: str, required: bool, files: str) -> str:
    return (
        f'[sources.{sid}]\nprovider = "p"\ntitle = "{sid} title"\nversion = "v1"\nlicence = "l"\n'
        f'homepage = "https://example.org/{sid}"\nrequired = {str(required).lower()}\n'
        f'[[sources.{sid}.editions]]\nname = "main"\nfiles = [{files}]\n'
        f'downloads = [{{ url = "https://example.org/{sid}.zip", unpack = "zip" }}]\n'
    )


@pytest.fixture()
def registry(tmp_path):
    path = tmp_path / "registry.toml"
    path.write_text(
        _source(
            "good",
            True,
            f'{{ path = "a.txt", required = true, sha256 = "{_sha(A)}" }}, '
            '{ path = "opt.txt", required = false }',
        )
        + _source("bad", False, f'{{ path = "b.txt", required = true, sha256 = "{_sha(B)}" }}')
        + _source("gone", True, f'{{ path = "c.txt", required = true, sha256 = "{_sha(C)}" }}')
        + '[[sources.good.editions]]\nname = "text"\nfiles = [{ path = "a.tsv", required = true }]\n',
        encoding="utf-8",
    )
    return load_registry(path)


@pytest.fixture()
def data_dir(tmp_path):
    root = tmp_path / "data"
    (root / "good").mkdir(parents=True)
    (root / "good" / "a.txt").write_bytes(A)
    (root / "bad").mkdir()
    (root / "bad" / "b.txt").write_bytes(b"bravo, altered\n")
    return root


def test_status_good_corrupt_missing(registry, data_dir):
    st = data_status(data_dir=data_dir, registry=registry).set_index("source")
    assert list(st.index) == ["good", "bad", "gone"]
    assert st.loc[
        "good", ["status", "hash", "edition", "files_found", "files_expected"]
    ].tolist() == [
        "ok",
        "ok",
        "main",
        1,
        1,
    ]
    assert (st.loc["good", "optional_found"], st.loc["good", "optional_expected"]) == (0, 1)
    assert st.loc["bad", ["status", "hash"]].tolist() == ["corrupt", "mismatch"]
    assert "b.txt" in st.loc["bad", "problems"]
    assert st.loc["gone", ["status", "found", "hash"]].tolist() == ["missing", False, ""]
    assert "https://example.org/gone.zip" in st.loc["gone", "problems"]
    assert not status_ok(st.reset_index())
    text = format_status(st.reset_index(), color=False)
    assert "corrupt" in text and "missing" in text and "gone" in text


def test_status_ok_rules(registry, data_dir):
    # corrupt optional source alone makes the check fail; fixing it leaves only a required one missing
    (data_dir / "bad" / "b.txt").write_bytes(B)
    st = data_status(data_dir=data_dir, registry=registry)
    assert st.set_index("source").loc["bad", "status"] == "ok"
    assert not status_ok(st)  # "gone" is required and missing
    (data_dir / "gone").mkdir()
    (data_dir / "gone" / "c.txt").write_bytes(C)
    assert status_ok(data_status(data_dir=data_dir, registry=registry))
    # an optional source that is missing does not fail the check
    (data_dir / "bad" / "b.txt").unlink()
    (data_dir / "bad").rmdir()
    st = data_status(data_dir=data_dir, registry=registry)
    assert st.set_index("source").loc["bad", "status"] == "missing" and status_ok(st)


def test_edition_detection(registry, tmp_path):
    root = tmp_path / "d2"
    (root / "good").mkdir(parents=True)
    (root / "good" / "a.tsv").write_bytes(b"x\ty\n")
    row = data_status(["good"], data_dir=root, registry=registry).iloc[0]
    assert (row["edition"], row["status"], row["hash"]) == ("text", "ok", "unknown")


def test_source_hashes_and_memo(registry, data_dir):
    (data_dir / "good" / "opt.txt").write_bytes(C)
    got = source_hashes(["good"], data_dir=data_dir, registry=registry)
    assert got == {"good": {"_edition": "main", "a.txt": _sha(A), "opt.txt": _sha(C)}}
    assert _memo_path().is_file()
    # the memo is keyed on (path, size, mtime_ns): same size and mtime -> the stored hash is reused
    p = data_dir / "good" / "opt.txt"
    st = p.stat()
    p.write_bytes(b"CHARLIE\n")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert source_hashes(["good"], data_dir=data_dir, registry=registry)["good"]["opt.txt"] == _sha(
        C
    )
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert source_hashes(["good"], data_dir=data_dir, registry=registry)["good"]["opt.txt"] == _sha(
        b"CHARLIE\n"
    )


def test_source_hashes_refuses_corrupt_or_missing(registry, data_dir):
    with pytest.raises(IcebergDataError) as err:
        source_hashes(["bad"], data_dir=data_dir, registry=registry)
    assert err.value.file.endswith("b.txt") and _sha(B) in err.value.expected
    with pytest.raises(IcebergDataError, match="'gone'.*--data-dir"):
        source_hashes(["gone"], data_dir=data_dir, registry=registry)
    (data_dir / "good" / "a.txt").unlink()
    with pytest.raises(IcebergDataError, match="incomplete"):
        source_hashes(["good"], data_dir=data_dir, registry=registry)


def test_cli_data_status_exit_codes(tmp_path):
    import iceberg.cli.data  # noqa: F401  (registers the commands)
    from iceberg import settings
    from iceberg.cli._app import app

    runner = CliRunner()
    try:
        res = runner.invoke(app, ["--data-dir", str(tmp_path), "data", "status"])
        assert res.exit_code == 1
        assert "missing" in res.output and "onet" in res.output
        res = runner.invoke(
            app, ["--data-dir", str(tmp_path), "data", "status", "bls_soc_2018", "--csv"]
        )
        assert res.exit_code == 0  # an optional source that is missing is not an error
        assert res.output.splitlines()[1].startswith("bls_soc_2018,False,missing,False")
    finally:
        settings.set_data_dir(None)
