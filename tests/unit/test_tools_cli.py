"""``iceberg tools …`` on the hand-made catalogue: counts printed, bad options named."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from iceberg.cli._app import app
from tests.unit.test_tools import catalogue_dir  # noqa: F401  (fixture)

runner = CliRunner()


def flat(text: str) -> str:
    """The output without rich's box drawing and line wrapping."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_catalogue_prints_counts_by_reason(catalogue_dir):  # noqa: F811
    result = runner.invoke(app, ["tools", "catalogue", "--folder", str(catalogue_dir),
                                 "--show", "3"])
    assert result.exit_code == 0, result.output
    assert "kept" in result.output and "31" in result.output
    assert "duplicate_summary" in result.output and "snapshot 2025-11" in result.output


def test_missing_folder_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["tools", "catalogue", "--folder", str(tmp_path / "nope")])
    assert result.exit_code == 2  # one line naming the folder, no traceback
    assert "catalogue folder not found" in flat(result.output)
    assert "nope" in flat(result.output)


def test_evidence_options_are_checked_before_any_work():
    result = runner.invoke(app, ["tools", "evidence"])
    assert result.exit_code == 2 and "exactly one of --occupation or --county" in flat(result.output)
    result = runner.invoke(app, ["tools", "evidence", "--county", "47037", "--month", "2025/6"])
    assert result.exit_code == 2 and "YYYY-MM" in flat(result.output)


def test_fetch_rejects_a_bad_url_template(catalogue_dir):  # noqa: F811
    result = runner.invoke(app, ["tools", "fetch", "--folder", str(catalogue_dir),
                                 "--pypi-url", "ftp://x"])
    assert result.exit_code == 2 and "{name}" in flat(result.output)
