"""The public-API notebook (one example per public method added in issue 12) runs on the real data."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_public_api_notebook_runs(real_bundle, raw_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(real_bundle.path.parents[1]))  # the session bundle
    monkeypatch.setenv("ICEBERG_DATA_DIR", str(raw_dir))
    source = ROOT / "examples" / "public_api.ipynb"
    notebook = nbformat.read(source, as_version=4)
    assert all(not c.get("outputs") for c in notebook.cells if c.cell_type == "code")  # committed clean
    work = tmp_path / "examples"
    work.mkdir()
    shutil.copy(source, work)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(work)}}).execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors
    for name in ("counties.parquet", "tn_displaced_per_worker.png", "tn_hidden.html",
                 "validation_report.md"):
        assert (work / name).is_file() and (work / f"{name}.provenance.json").is_file(), name
    assert (work / "tn_displaced_per_worker.png").stat().st_size > 10_000
