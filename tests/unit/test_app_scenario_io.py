"""The app's scenario I/O helpers (URL and upload parsing): lenient, never raising."""

from __future__ import annotations

from iceberg import Scenario
from iceberg_app.views.scenario_io import (
    lenient_scenario,
    scenario_from_params,
    scenario_from_upload,
    scenario_to_params,
    split_params,
)


def test_url_round_trip_with_view_keys():
    sc = Scenario(tool_frontier=0.25, adoption_ceiling=0.8, scope="states", scope_states=("47",))
    params = scenario_to_params(sc, {"geo": "TN", "county": "47001", "metric": None})
    assert params["geo"] == "TN" and "metric" not in params
    scen, view = split_params(params)
    assert view == {"geo": "TN", "county": "47001"}
    back, notices = scenario_from_params(scen)
    assert back == sc and notices == []


def test_bad_url_values_fall_back_per_lever():
    sc, notices = scenario_from_params({"lam": "2", "s": "0.4", "scope": "states"})
    assert sc.tool_frontier == 0.0 and sc.substitution_share == 0.4 and sc.scope == "nation"
    assert any("tool_frontier" in n for n in notices) and any("scope" in n for n in notices)


def test_upload_list_params_and_controlled_levers():
    sc, notices = lenient_scenario({"targeting": "counties", "target_counties": ["123"]})
    assert sc.targeting == "most_exposed" or sc.target_counties == ()
    assert notices
    sc, notices = scenario_from_upload("[1, 2]")
    assert sc == Scenario() and "JSON object" in notices[0]
    sc, notices = scenario_from_upload(b"{" * 2_000_000)
    assert sc == Scenario() and "larger" in notices[0]
