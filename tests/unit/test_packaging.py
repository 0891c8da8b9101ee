"""Dependency hygiene: what the code imports is declared, with bounds that work."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DEPS = {Requirement(r).name.lower(): Requirement(r) for r in PYPROJECT["project"]["dependencies"]}
#: import name -> distribution name, where they differ
DIST = {"PIL": "pillow", "sklearn": "scikit-learn", "python_calamine": "python-calamine", "streamlit_folium": "streamlit-folium",
        "xstatic": "xstatic-leaflet", "yaml": "pyyaml"}
LOCAL = {"iceberg", "geodata", "iceberg_app", "tests"}


def _lower_bound(name: str) -> Version:
    spec = next(s for s in DEPS[name].specifier if s.operator == ">=")
    return Version(spec.version)


def test_shapely_lower_bound_has_coverage_clean():
    """Shipped bug: shapely>=2.1 was declared but coverage_clean needs 2.2."""
    import shapely

    assert _lower_bound("shapely") >= Version("2.2")
    assert hasattr(shapely, "coverage_clean")


def test_every_third_party_import_is_declared():
    imported = set()
    for folder in ("iceberg", "geodata", "iceberg_app"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    imported |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m not in LOCAL}
    missing = sorted(m for m in third_party if DIST.get(m, m).lower().replace("_", "-") not in DEPS)
    assert not missing, f"imported but not declared in pyproject.toml: {missing}"


def test_one_excel_engine():
    assert "python-calamine" in DEPS and "openpyxl" not in DEPS
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "iceberg").rglob("*.py"))
    assert not re.search(r"engine=\"openpyxl\"|import openpyxl", code)


def test_version_comes_from_package_metadata_and_types_ship():
    import iceberg

    assert iceberg.__version__ == version("iceberg-index")
    assert (ROOT / "iceberg" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["iceberg"]


def test_wheel_ships_the_sandbox(unpacked_wheel):
    """`iceberg app` works from a normal install: the sandbox is a package inside the wheel."""
    import zipfile

    # the archive itself: a test that runs the unpacked app (as root) may add Leaflet to it
    wheel = next(unpacked_wheel.parent.glob("iceberg_index-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for name in ("iceberg_app/streamlit_app.py", "iceberg_app/streamlit.toml",
                 "iceberg_app/pages/sandbox.py",
                 "iceberg_app/pages/methods.py", "iceberg_app/views/countymap.py",
                 "iceberg_app/assets/countymap/countymap.js",
                 "iceberg_app/assets/countymap/countymap.css",
                 "iceberg/py.typed", "geodata/boundaries.py"):
        assert name in shipped, name
    # Leaflet is copied from xstatic-leaflet at first use, never shipped; tests stay out
    assert not any("leaflet" in n for n in shipped)
    assert not any(n.startswith("tests/") for n in shipped)


def test_installed_launcher_finds_the_installed_app(unpacked_wheel, tmp_path):
    """Outside the checkout, the launcher resolves the entry script inside the install."""
    code = ("import iceberg, iceberg_app; from iceberg.cli.launch import app_file; "
            "print(iceberg.__file__); print(iceberg_app.__file__); print(app_file())")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(unpacked_wheel)}, check=True).stdout
    paths = [Path(p) for p in out.split()]
    assert all(p.is_relative_to(unpacked_wheel) for p in paths), out
    assert paths[2].is_file()


def test_server_flags_come_from_the_apps_own_config():
    """`iceberg app`, the browser tests and the benchmarks start Streamlit with the options in
    iceberg_app/streamlit.toml: no tracebacks shown, no file watching, no GC after each run."""
    from iceberg.cli.launch import app_file, server_flags

    flags = server_flags(app_file())
    pairs = dict(zip(flags[::2], flags[1::2]))
    assert pairs["--client.showErrorDetails"] == "false"
    assert pairs["--runner.postScriptGC"] == "false"
    assert pairs["--server.fileWatcherType"] == "none"


def test_incomplete_app_install_is_one_error_line(tmp_path, monkeypatch):
    """A broken install (the sandbox's server options missing) gets one line, exit 2."""
    from typer.testing import CliRunner

    from iceberg.cli import app, launch

    (tmp_path / "streamlit_app.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(launch, "app_file", lambda: tmp_path / "streamlit_app.py")
    res = CliRunner().invoke(app, ["app", "--no-build"])
    assert res.exit_code == 2
    assert "streamlit.toml" in res.output and "reinstall" in res.output
    assert "Traceback" not in res.output
