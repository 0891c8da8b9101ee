"""The architecture contract: the CLI and the app use the public API only, io/ never imports the
model, geodata/ is geography, iceberg.oews (OEWS tables) never imports geography. Runs import-linter (contracts in pyproject.toml) so CI checks it."""

from __future__ import annotations

import ast
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The documented public API (iceberg/__init__.py docstring).
PUBLIC = {"iceberg", "iceberg.labels", "iceberg.errors", "iceberg.settings", "iceberg.sources",
          "iceberg.tools"}


def _lint(contract: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "app")])}
    return subprocess.run([str(exe), "--no-logo", "--no-cache", "--contract", contract],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("contract", ["cli-public-api", "io-no-model", "geodata-geography",
                                      "oews-tables"])
def test_contract_holds(contract):
    res = _lint(contract)
    assert res.returncode == 0, res.stdout + res.stderr


def test_app_contract_holds():
    res = _lint("app-public-api")
    assert res.returncode == 0, res.stdout + res.stderr


def _contract(contract_id: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == contract_id)


def test_every_internal_module_is_forbidden_to_the_cli():
    """A new module is internal unless documented public: the contract must list it."""
    import geodata
    import iceberg

    forbidden = set(_contract("cli-public-api")["forbidden_modules"])
    modules = {m.name for m in pkgutil.walk_packages(iceberg.__path__, "iceberg.")}
    modules |= {m.name for m in pkgutil.walk_packages(geodata.__path__, "geodata.")}
    uncovered = [
        m for m in sorted(modules)
        if m not in PUBLIC and not m.startswith("iceberg.cli")
        and not any(m == f or m.startswith(f + ".") for f in forbidden)
    ]
    assert not uncovered, f"add to the contracts in pyproject.toml (or document as public): {uncovered}"


def _iceberg_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return [(n, m) for n, m in out if m.split(".")[0] in ("iceberg", "geodata")]


def _public(name: str) -> bool:
    """``iceberg.X`` is public when X is an export of the package or a public module."""
    import iceberg

    if name in PUBLIC or any(name.startswith(p + ".") and p != "iceberg" for p in PUBLIC):
        return True
    head, _, attr = name.partition(".")
    return head == "iceberg" and "." not in attr and attr in iceberg.__all__


def test_app_pages_and_entry_use_the_public_api_only():
    """import-linter sees the `views` package; the pages and the entry script are scripts."""
    files = [ROOT / "app" / "streamlit_app.py", *sorted((ROOT / "app" / "pages").glob("*.py"))]
    bad = [f"{f.relative_to(ROOT)}:{n} {m}" for f in files for n, m in _iceberg_imports(f)
           if not _public(m)]
    assert not bad, "\n".join(bad)
