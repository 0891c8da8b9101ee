"""Bad links and uploads in the sandbox (AppTest, tiny bundle): ONE notice naming each lever,
the value and what is allowed; never a traceback; a failed upload never says it loaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit import test_app_sandbox
from tests.unit.test_app_sandbox import apply, metric, no_failures, slider

app = test_app_sandbox.app  # the same fixture: a fresh AppTest on the tiny bundle

ROOT = Path(__file__).resolve().parents[2]

def one_notice(at: AppTest) -> str:
    """The single warning above the map (asserts there is exactly one)."""
    texts = [w.value for w in at.warning]
    assert len(texts) == 1, texts
    return texts[0]


@pytest.mark.parametrize(("query", "words"), [
    ({"layer": "zzz"}, ["'layer'", "zzz", "eloundou", "aioe"]),
    ({"scope": "states", "st": "99"}, ["scope_states", "99", "state FIPS"]),
    ({"scope": "counties", "cty": "00000"}, ["scope_counties", "00000", "county GEOIDs"]),
    ({"tgt": "counties", "tcty": "47999"}, ["target_counties", "47999"]),
    ({"amax": "7"}, ["adoption_ceiling", "7"]),
    ({"lam": "banana"}, ["tool_frontier", "banana"]),
    ({"geo": "ZZ"}, ["ZZ", "postal code"]),
    ({"metric": "nope"}, ["nope", "iceberg_index"]),
    ({"mode": "sideways"}, ["sideways", "diff"]),
    ({"year": "2099"}, ["2099", "2025"]),
    ({"county": "99999"}, ["99999", "GEOID"]),
])
def test_bad_link_value_falls_back_with_one_notice(app, query, words):
    at = app(query)
    at.run()
    no_failures(at)
    text = one_notice(at)
    assert text.startswith("Some values in this link could not be used")
    for word in words:
        assert word in text, (word, text)
    assert metric(at, "Iceberg index") == "44.8%"  # the defaults are shown


def test_many_bad_link_values_still_one_notice_listing_each(app):
    at = app({"lam": "banana", "amax": "7", "layer": "zzz", "st": "99", "scope": "states",
              "geo": "ZZ", "zzz": "1"})
    at.run()
    no_failures(at)
    text = one_notice(at)
    for word in ("tool_frontier", "adoption_ceiling", "'layer'", "scope_states", "ZZ", "zzz"):
        assert word in text
    assert text.count("\n- ") >= 6  # one line per lever


def _upload(at: AppTest, data: bytes, name: str = "scenario.json") -> None:
    """Upload a file through the sidebar's uploader, as a user would."""
    at.sidebar.file_uploader[0].set_value((name, data, "application/json"))
    at.run()


def test_upload_with_bom_loads_exactly(app):
    from iceberg import Scenario

    at = app()
    at.run()
    good = Scenario(tool_frontier=1.0, name="From Windows")
    _upload(at, b"\xef\xbb\xbf" + good.to_json().encode())
    no_failures(at)
    assert not at.warning
    assert any("Loaded scenario file" in s.value for s in at.success)
    assert metric(at, "Iceberg index").startswith("72.8%")


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b"\xff\xfe\x00garbage",
                                     b"{" * 2_000_000])
def test_failed_upload_never_says_loaded_and_keeps_the_scenario(app, payload):
    at = app()
    at.run()
    slider(at, "Tool frontier").set_value(1.0)
    apply(at)
    if len(payload) > 1_000_000:  # the uploader refuses it before the app sees it
        from iceberg_app.views.scenario_io import scenario_from_upload

        _sc, notices, readable = scenario_from_upload(payload, with_status=True)
        assert not readable and "larger than 1 MB" in notices[0]
        return
    _upload(at, payload)
    no_failures(at)
    text = one_notice(at)
    assert text.startswith("The uploaded file was not loaded")
    assert not any("Loaded scenario file" in s.value for s in at.success)
    assert metric(at, "Iceberg index").startswith("72.8%")  # unchanged


def test_upload_with_unknown_layer_and_state_names_them_once(app):
    at = app()
    at.run()
    bad = {"layer": "zzz", "scope": "states", "scope_states": ["99"], "tool_frontier": 1.0}
    _upload(at, json.dumps(bad).encode())
    no_failures(at)
    text = one_notice(at)
    assert text.startswith("Some levers in the uploaded file could not be used")
    assert "'layer'" in text and "zzz" in text and "scope_states" in text and "99" in text
    assert not any("Loaded scenario file" in s.value for s in at.success)
    assert metric(at, "Iceberg index").startswith("72.8%")  # the valid lever is kept


def test_new_horizon_moves_the_year_slider(app):
    at = app()
    at.run()
    assert at.select_slider(key="view.year").value == 2030
    at.sidebar.number_input(key="lv.horizon_year").set_value(2035)
    apply(at)
    no_failures(at)
    assert at.select_slider(key="view.year").value == 2035
    assert any("Scenario in 2035" in m.value for m in at.markdown)


def test_ranking_shows_the_ranked_metric_once(app):
    at = app({"metric": "iceberg_index"})
    at.run()
    at.tabs  # noqa: B018 - tabs exist
    at.session_state["view.tab"] = "Ranking"
    at.run()
    no_failures(at)
    frames = [d.value for d in at.dataframe]
    ranking = next(f for f in frames if "Rank" in f.columns)
    assert sum("Iceberg index" in c for c in ranking.columns) == 1
