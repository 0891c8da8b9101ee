"""The registry against the real data folder: every source present, every hash as registered."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from iceberg.sources import (
    data_status,
    file_sha256,
    load_registry,
    source_hashes,
    source_path,
    status_ok,
)

pytestmark = pytest.mark.integration

REQUIRED = [s.id for s in load_registry().values() if s.required]


def test_real_data_dir_is_all_green(raw_dir):
    st = data_status(data_dir=raw_dir)
    assert len(st) == len(load_registry())  # every registered source, the tool catalogue too
    assert (st["status"] == "ok").all(), st[st["status"] != "ok"].to_dict("records")
    assert (st["hash"] == "ok").all(), st[st["hash"] != "ok"].to_dict("records")
    assert (st["files_found"] == st["files_expected"]).all()
    assert status_ok(st)
    editions = dict(zip(st["source"], st["edition"]))
    assert editions["onet"] == "excel" and editions["oews_2025"] == "csv"
    assert editions["census_cartographic_boundaries"] == "snapshot"


def test_registry_hashes_are_those_of_source_md(raw_dir):
    """Every pinned hash of the shared layout is the one its SOURCE.md states (or abbreviates)."""
    for src in load_registry().values():
        text = (raw_dir / src.id / "SOURCE.md").read_text(encoding="utf-8")
        stated = set(re.findall(r"[0-9a-f]{64}", text))
        abbreviated = set(re.findall(r"`([0-9a-f]{8})…`", text))
        checked = 0
        for ed in src.editions:
            for f in ed.files:
                if (
                    f.sha256
                    and "computed here" not in f.note
                    and (raw_dir / src.id / f.path).exists()
                ):
                    assert f.sha256 in stated or f.sha256[:8] in abbreviated, (src.id, f.path)
                    assert file_sha256(raw_dir / src.id / f.path) == f.sha256
                    checked += 1
        assert checked > 0, src.id


def test_source_hashes_and_source_path_on_real_data(raw_dir):
    hashes = source_hashes(REQUIRED, data_dir=raw_dir)
    assert set(hashes) == set(REQUIRED)
    assert hashes["onet"]["_edition"] == "excel"
    assert "Task Statements.xlsx" in hashes["onet"] and "Task Ratings.xlsx" not in hashes["onet"]
    assert hashes == source_hashes(REQUIRED, data_dir=raw_dir)  # memoised path gives the same
    assert source_path("gpts_are_gpts", data_dir=raw_dir) == raw_dir / "gpts_are_gpts"


@pytest.mark.parametrize("how", ["option", "env"])
def test_cli_status_exit_zero(raw_dir, how, monkeypatch):
    import iceberg.cli.data  # noqa: F401
    from iceberg import settings
    from iceberg.cli._app import app

    args = ["data", "status"]
    if how == "option":
        args = ["--data-dir", str(raw_dir), *args]
    else:
        monkeypatch.setenv("ICEBERG_DATA_DIR", str(raw_dir))
    try:
        res = CliRunner().invoke(app, args)
    finally:
        settings.set_data_dir(None)
    assert res.exit_code == 0, res.output
    assert "corrupt" not in res.output and "missing" not in res.output
