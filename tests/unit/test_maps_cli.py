"""``iceberg map`` and ``iceberg export`` against a fake result (tiny shapely boxes)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from typer.testing import CliRunner

import iceberg
from iceberg.cli import app


def _counties(scale: float) -> gpd.GeoDataFrame:
    geoid = ["47001", "47003", "21001", "21003"]
    hidden = np.array([0.1, 0.2, 0.3, 0.4]) * scale
    return gpd.GeoDataFrame(
        {"geoid": geoid, "state_fips": [g[:2] for g in geoid],
         "state_abbr": ["TN", "TN", "KY", "KY"], "name": list("ABCD"),
         "hidden_index": hidden, "surface_index": [0.05] * 4, "iceberg_index": hidden + 0.05,
         "exposed_wages": [1e8] * 4, "surface_wages": [2e7] * 4, "hidden_wages": [8e7] * 4,
         "top_hidden": ["Cashiers (10%)"] * 4},
        geometry=[shapely.box(-90 + i % 2, 35 + i // 2, -89 + i % 2, 36 + i // 2)
                  for i in range(4)],
        crs="EPSG:4269",
    )


class _Prov:
    def __init__(self, scenario):
        self.scenario = scenario

    def to_dict(self):
        return {"sources": {"oews_2025": "hash"},
                "scenario": None if self.scenario is None else self.scenario.model_dump()}


@dataclass
class FakeResult:
    scenario: object
    counties: gpd.GeoDataFrame
    states: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"iceberg_index": [0.1, 0.2]}, index=pd.Index(["21", "47"], name="state_fips")))
    areas: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"iceberg_index": [0.3]}, index=pd.Index(["10180"], name="area")))

    @property
    def provenance(self):
        return _Prov(self.scenario)

    def web_counties(self):
        return self.counties

    def scenario_subtitle(self):
        return "test levers"

    def explore(self, metric, **kwargs):  # as iceberg.Result.explore
        from iceberg.maps.explore import explore

        return explore(self.web_counties(), metric, **kwargs)

    def plot(self, metric, path, **kwargs):  # as iceberg.Result.plot
        from iceberg.maps.static import plot

        return plot(self.counties, metric, path, **kwargs)


@pytest.fixture
def fake_api(monkeypatch):
    calls = []

    def run(data, scenario=None):
        calls.append(scenario)
        # a scenario doubles the hidden index, so classes must come from the baseline
        return FakeResult(scenario, _counties(1.0 if scenario is None else 2.0))

    monkeypatch.setattr(iceberg, "load", lambda: "DATA", raising=False)
    monkeypatch.setattr(iceberg, "run", run, raising=False)
    return calls


def test_map_html_self_contained_with_baseline_classes(tmp_path, fake_api):
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps({"name": "Fast", "adoption_ceiling": 0.9}))
    out = tmp_path / "m.html"
    res = CliRunner().invoke(app, ["map", "--metric", "hidden_index", "--scenario", str(scen),
                                   "--scheme", "Quantiles", "-k", "2", "--year", "2035",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert fake_api[0].name == "Fast" and fake_api[0].horizon_year == 2035
    assert fake_api[1] is None  # the baseline run used for the classes
    page = out.read_text()
    assert "<script src=\"http" not in page and "Scenario: Fast" in page
    # baseline hidden .1,.2,.3,.4 -> break .25; scenario doubled: .2 | .4,.6,.8
    assert '"k":[0,' in page and page.count('"k":[1,') == 3


@pytest.mark.parametrize("ext,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"), ("svg", b"<?xml")])
def test_map_static_formats(tmp_path, fake_api, ext, magic):
    out = tmp_path / f"m.{ext}"
    res = CliRunner().invoke(app, ["map", "--state", "TN", "--dpi", "60", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:len(magic)] == magic
    # shipped bug: `iceberg map` wrote no provenance sidecar
    side = json.loads((tmp_path / f"m.{ext}.provenance.json").read_text())
    assert side["metric"] == "hidden_index"
    assert side["provenance"]["sources"] == {"oews_2025": "hash"}


def test_map_rejects_bad_metric_and_extension(tmp_path, fake_api):
    res = CliRunner().invoke(app, ["map", "--metric", "nope", "--out", str(tmp_path / "m.png")])
    assert res.exit_code != 0 and "unknown metric" in res.output
    res = CliRunner().invoke(app, ["map", "--out", str(tmp_path / "m.jpg")])
    assert res.exit_code != 0


def test_export_levels_and_formats(tmp_path, fake_api):
    out = tmp_path / "c.gpkg"
    res = CliRunner().invoke(app, ["export", "--level", "county", "--out", str(out)])
    assert res.exit_code == 0, res.output
    back = gpd.read_file(out)
    assert back["geoid"].tolist() == ["47001", "47003", "21001", "21003"]
    side = json.loads((tmp_path / "c.gpkg.provenance.json").read_text())
    assert side["provenance"]["level"] == "county"
    assert side["provenance"]["sources"] == {"oews_2025": "hash"}

    out = tmp_path / "s.csv"
    res = CliRunner().invoke(app, ["export", "--level", "state", "--format", "csv",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().splitlines()[1].startswith("21,")

    res = CliRunner().invoke(app, ["export", "--level", "area", "--format", "geojson",
                                   "--out", str(tmp_path / "a.geojson")])
    assert res.exit_code != 0 and "geometry" in res.output


def test_invalid_scenario_file_names_the_file(tmp_path, fake_api):
    scen = tmp_path / "bad.json"
    scen.write_text(json.dumps({"adoption_ceiling": 7}))
    res = CliRunner().invoke(app, ["export", "--scenario", str(scen),
                                   "--out", str(tmp_path / "c.csv")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "bad.json" in res.output and "adoption_ceiling" in res.output
