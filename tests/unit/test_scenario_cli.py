"""``iceberg scenario`` commands against a stubbed ``iceberg.load`` / ``iceberg.run``."""

from __future__ import annotations

import types

import pandas as pd
from typer.testing import CliRunner

import iceberg
import iceberg.cli
from iceberg.cli._app import app
from iceberg.scenario import Engine, Scenario
from tests.unit.test_scenario_engine import random_inputs

runner = CliRunner()


def _stub(monkeypatch):
    engine = Engine(random_inputs(0))

    def run(data, scenario):
        out = engine.evaluate(scenario)
        return types.SimpleNamespace(
            counties=out.horizon["county"], states=out.horizon["state"],
            nation=out.horizon["nation"], provenance={},
        )  # fmt: skip

    monkeypatch.setattr(iceberg, "load", lambda: object(), raising=False)
    monkeypatch.setattr(iceberg, "run", run, raising=False)
    return engine


def test_run_writes_county_table(monkeypatch, tmp_path):
    engine = _stub(monkeypatch)
    spec = tmp_path / "s.json"
    sc = Scenario(name="half", adoption_ceiling=0.5)
    spec.write_text(sc.to_json())
    out = tmp_path / "out" / "counties.csv"
    res = runner.invoke(app, ["scenario", "run", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "displaced_wages" in res.output and "half" in res.output
    table = pd.read_csv(out, dtype={"id": str}).set_index("id")
    expected = engine.evaluate(sc).horizon["county"]["displaced_wages"]
    pd.testing.assert_series_equal(table["displaced_wages"], expected, check_names=False,
                                   check_index_type=False)  # fmt: skip


def test_compare_and_presets(monkeypatch):
    engine = _stub(monkeypatch)
    res = runner.invoke(app, ["scenario", "compare", "technical_ceiling", "gradual_adoption"])
    assert res.exit_code == 0, res.output
    line = next(x for x in res.output.splitlines() if x.startswith("gdp_proxy"))
    from iceberg.scenario import load_preset

    a = engine.evaluate(load_preset("technical_ceiling")).horizon["nation"]["gdp_proxy"].iloc[0]
    assert f"{a:,.0f}" in line
    res = runner.invoke(app, ["scenario", "presets"])
    assert "technical_ceiling" in res.output and "Fast adoption with reskilling" in res.output


def test_bad_file_is_reported(monkeypatch, tmp_path):
    _stub(monkeypatch)
    bad = tmp_path / "bad.json"
    bad.write_text('{"adoption_ceiling": 3}')
    res = runner.invoke(app, ["scenario", "run", str(bad)])
    assert res.exit_code != 0 and "adoption_ceiling" in res.output
