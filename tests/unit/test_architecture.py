"""The architecture contract: the CLI and the app use the public API only, io/ never imports the
model, geodata/ is geography, iceberg.oews (OEWS tables) never imports geography. Runs import-linter (contracts in pyproject.toml) so CI checks it."""

from __future__ import annotations

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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT)])}
    return subprocess.run([str(exe), "--no-logo", "--no-cache", "--contract", contract],
                          check=False, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("contract", ["cli-public-api", "io-no-model", "geodata-geography",
                                      "library-no-app", "oews-tables"])
def test_contract_holds(contract):
    res = _lint(contract)
    assert res.returncode == 0, res.stdout + res.stderr


def test_app_contract_holds():
    """The whole sandbox package (views, pages, entry script) is in the contract."""
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
