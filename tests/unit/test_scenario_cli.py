"""``iceberg scenario`` commands against a stubbed ``iceberg.load`` / ``iceberg.run``."""

from __future__ import annotations

import os
import types

import pandas as pd
from typer.testing import CliRunner

import iceberg
import iceberg.cli
from iceberg import labels
from iceberg.cli._app import app
from iceberg.scenario import Engine, Scenario, load_preset
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


def test_run_writes_county_table_with_provenance(monkeypatch, tmp_path):
    engine = _stub(monkeypatch)
    spec = tmp_path / "s.json"
    sc = Scenario(name="half", adoption_ceiling=0.5)
    spec.write_text(sc.to_json())
    out = tmp_path / "out" / "counties.csv"
    res = runner.invoke(app, ["scenario", "run", str(spec), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Displaced wages ($ per year)" in res.output and "half" in res.output
    table = pd.read_csv(out, dtype={"id": str}).set_index("id")
    expected = engine.evaluate(sc).horizon["county"]["displaced_wages"]
    pd.testing.assert_series_equal(table["displaced_wages"], expected, check_names=False,
                                   check_index_type=False)  # fmt: skip
    # shipped bug: no provenance sidecar, file private to its owner
    assert (tmp_path / "out" / "counties.csv.provenance.json").is_file()
    assert out.stat().st_mode & 0o004 or os.umask(os.umask(0)) & 0o004


def _national(engine, preset, year):
    sc = load_preset(preset)
    sc = Scenario.model_validate({**sc.model_dump(), "horizon_year": year})
    return engine.evaluate(sc).horizon["nation"].iloc[0]


def test_compare_reports_both_in_a_common_year_with_units(monkeypatch):
    """Shipped bug: each scenario at its own horizon (2030 vs 2035), no units, cut-off names."""
    engine = _stub(monkeypatch)
    res = runner.invoke(app, ["scenario", "compare", "technical_ceiling", "gradual_adoption"])
    assert res.exit_code == 0, res.output
    assert "A: Technical ceiling" in res.output and "B: Gradual adoption" in res.output
    assert "in 2030" in res.output  # the earlier horizon (2030 vs 2035)
    assert "($ per year)" in res.output and "worker-equivalents" in res.output
    b2030 = _national(engine, "gradual_adoption", 2030)["displaced_wages"]
    line = next(x for x in res.output.splitlines() if x.startswith("Displaced wages"))
    assert labels.format_value("displaced_wages", b2030, digits=2) in line

    res = runner.invoke(app, ["scenario", "compare", "technical_ceiling", "gradual_adoption",
                              "--year", "2028"])
    assert res.exit_code == 0, res.output
    a2028 = _national(engine, "technical_ceiling", 2028)["gdp_proxy"]
    line = next(x for x in res.output.splitlines() if x.startswith("Local GDP proxy"))
    assert "in 2028" in res.output and labels.format_value("gdp_proxy", a2028, digits=2) in line


def test_presets_listed(monkeypatch):
    _stub(monkeypatch)
    res = runner.invoke(app, ["scenario", "presets"])
    assert "technical_ceiling" in res.output and "Fast adoption with reskilling" in res.output


def test_bad_file_is_reported(monkeypatch, tmp_path):
    _stub(monkeypatch)
    bad = tmp_path / "bad.json"
    bad.write_text('{"adoption_ceiling": 3}')
    res = runner.invoke(app, ["scenario", "run", str(bad)])
    assert res.exit_code != 0 and "adoption_ceiling" in res.output
