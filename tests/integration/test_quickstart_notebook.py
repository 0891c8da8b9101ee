"""The example notebook runs top to bottom on the real data."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def test_quickstart_runs(real_bundle, raw_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(real_bundle.path.parents[1]))  # reuse the session bundle
    monkeypatch.setenv("ICEBERG_DATA_DIR", str(raw_dir))
    notebook = nbformat.read(ROOT / "examples" / "quickstart.ipynb", as_version=4)
    work = tmp_path / "examples"
    work.mkdir()
    shutil.copy(ROOT / "examples" / "quickstart.ipynb", work)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    outputs = "".join(
        out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells if cell.cell_type == "code" for out in cell.get("outputs", [])
    )
    assert "Iceberg index" in outputs and "Hidden index" in outputs
    assert (work / "hidden_index.png").stat().st_size > 10_000
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
