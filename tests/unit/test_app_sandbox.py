"""The sandbox with ``streamlit.testing.v1.AppTest`` on a hand-made four-occupation bundle.

Expected national figures are computed by hand in ``tests/fixtures/app/tiny_bundle.py``:
wage bill $29M; iceberg index 13/29 = 44.8% at λ = 0 and 21.1/29 = 72.8% at λ = 1;
surface 5/29 = 17.2%.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from iceberg_app.views.session import LEVERS_DEFERRED

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "iceberg_app" / "streamlit_app.py")


def _tiny():
    spec = importlib.util.spec_from_file_location("tiny_bundle",
                                                  ROOT / "tests" / "fixtures" / "app" / "tiny_bundle.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.tiny_bundle()


@pytest.fixture()
def app(monkeypatch):
    """A fresh AppTest whose ``iceberg.load`` returns the tiny bundle (caches cleared)."""
    bundle = _tiny()
    import iceberg.bundle

    monkeypatch.setattr(iceberg.bundle, "load", lambda *a, **k: bundle)
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(query: dict | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        # as after the browser's first map: the levers are drawn (no page here to signal it)
        at.session_state[LEVERS_DEFERRED] = False
        for key, value in (query or {}).items():
            at.query_params[key] = value
        return at

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label.startswith(label):
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def dollars(text: str) -> float:
    scale = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
    body = text.strip().lstrip("$")
    return float(body[:-1]) * scale[body[-1]] if body[-1] in scale else float(body)


def slider(at: AppTest, label: str):
    return next(s for s in at.sidebar.slider if s.label.startswith(label))


def open_group(at: AppTest, group: str) -> None:
    """Open a lazy lever group (its widgets are drawn only while it is open)."""
    from iceberg_app.views.levers import group_key

    at.session_state[group_key(group)] = True
    at.run()


def apply(at: AppTest) -> None:
    """Press Apply in the same run as the staged lever values (a form submits them together)."""
    next(b for b in at.sidebar.button if b.label == "Apply").click()
    at.run()


def no_failures(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_opens_with_hand_computed_headline(app):
    at = app()
    at.run()
    no_failures(at)
    assert metric(at, "Iceberg index") == "44.8%"
    assert metric(at, "Visible") == "17.2%"
    assert metric(at, "Hidden multiple") == "2.6×"
    assert any("not a forecast" in c.value for c in at.caption)
    assert not at.warning


def test_every_scenario_lever_has_a_widget_in_a_group():

    from iceberg.scenario.model import Scenario
    from iceberg_app.views import levers

    assert levers.all_grouped() == set(Scenario.model_fields)
    for name in Scenario.model_fields:  # help text is the model's description
        assert Scenario.model_fields[name].description in levers.help_text(name)


def test_lever_changes_headline_only_after_apply(app):
    at = app()
    at.run()
    slider(at, "Tool frontier").set_value(1.0).run()
    assert metric(at, "Iceberg index") == "44.8%"  # half-set levers do not recompute
    slider(at, "Tool frontier").set_value(1.0)
    apply(at)
    no_failures(at)
    assert metric(at, "Iceberg index").startswith("72.8%")
    assert at.query_params["lam"] in ("1.0", ["1.0"])  # the URL carries the scenario


def test_adoption_lever_moves_scenario_cards(app):
    at = app()
    at.run()
    before = metric(at, "Displaced wages")
    slider(at, "Adoption ceiling").set_value(1.0)
    apply(at)
    no_failures(at)
    after = metric(at, "Displaced wages")
    assert before != after
    # displaced wages are proportional to the ceiling: doubling it (0.5 → 1) doubles them
    assert dollars(after) == pytest.approx(2 * dollars(before), rel=0.05)  # 1-digit display


def test_presets_load(app):
    from iceberg.scenario.presets import list_presets, load_preset

    at = app()
    at.run()
    for name in list_presets():
        at.sidebar.selectbox(key="preset_pick").set_value(name).run()
        next(b for b in at.sidebar.button if b.label == "Load preset").click().run()
        no_failures(at)
        preset = load_preset(name)
        assert slider(at, "Adoption ceiling").value == pytest.approx(preset.adoption_ceiling)
        assert any(preset.name in s.value for s in at.success)
        for key, value in preset.to_query_params().items():
            assert at.query_params[key] in (value, [value])


def test_bad_query_parameters_fall_back_with_notice(app):
    at = app({"lam": "banana", "amax": "7", "geo": "ZZ", "metric": "nope", "zzz": "1"})
    at.run()
    no_failures(at)
    text = " ".join(w.value for w in at.warning)
    for word in ("tool_frontier", "adoption_ceiling", "ZZ", "nope", "zzz"):
        assert word in text
    assert metric(at, "Iceberg index") == "44.8%"  # defaults used


def test_good_query_parameters_reopen_the_view(app):
    at = app({"lam": "1.0", "geo": "TN", "county": "47003"})
    at.run()
    no_failures(at)
    assert not at.warning
    assert slider(at, "Tool frontier").value == 1.0
    assert at.selectbox(key="view.geo").value == "TN"
    assert any("GEOID 47003" in c.value for c in at.caption)


def test_upload_valid_and_invalid(app):
    from iceberg import Scenario

    at = app()
    at.run()
    # AppTest has no file-uploader element: call the same callback the widget uses

    from iceberg_app.views.scenario_io import scenario_from_upload

    good = Scenario(tool_frontier=0.5, adoption_ceiling=0.9, name="Uploaded")
    sc, notices = scenario_from_upload(good.to_json().encode())
    assert sc == good and notices == []
    bad = json.loads(good.to_json()) | {"adoption_ceiling": 3, "mystery": 1}
    sc, notices = scenario_from_upload(json.dumps(bad).encode())
    assert sc.adoption_ceiling == Scenario().adoption_ceiling and sc.tool_frontier == 0.5
    assert any("adoption_ceiling" in n for n in notices) and any("mystery" in n for n in notices)
    sc, notices = scenario_from_upload(b"\xff\xfe not json")
    assert sc == Scenario() and notices


def test_invalid_apply_keeps_scenario_and_says_why(app):
    at = app()
    at.run()
    open_group(at, "Scope")
    at.sidebar.selectbox(key="lv.scope").set_value("states")
    apply(at)  # scope 'states' with no state chosen
    assert not at.exception
    assert any("Not applied" in e.value and "scope" in e.value for e in at.sidebar.error)
    assert metric(at, "Iceberg index") == "44.8%"


def test_county_drilldown_and_methods_page(app):
    at = app()
    at.run()
    at.selectbox(key="county_pick").set_value("47001").run()
    no_failures(at)
    assert any("GEOID 47001" in c.value for c in at.caption)
    assert any("hidden exposure" in m.value for m in at.markdown)
    at.switch_page("pages/methods.py").run()
    no_failures(at)
    from iceberg import labels

    # the attribution renders exactly: Markdown's * escaped, so O*NET is not emphasis
    assert any(labels.escape_markdown(labels.ONET_ATTRIBUTION) in m.value for m in at.markdown)
    assert any("O\\*NET (tiny)" in m.value for m in at.markdown)
    assert any("GDP proxy" in c.value for c in at.code)


def _with_microsoft_layer(bundle):
    """Add a layer whose variants are user / ai / mean (like the Microsoft layer) to the tiny
    bundle; its mean variant is 0.5 for every occupation, the others 0 and 1."""
    import numpy as np
    import pandas as pd

    ex = bundle.exposure
    n = len(ex.occ_codes)
    for variant, value in (("user", 0.0), ("ai", 1.0), ("mean", 0.5)):
        ex.base[f"microsoft__{variant}"] = np.full(n, value)
        ex.slope[f"microsoft__{variant}"] = np.zeros(n)
    row = pd.DataFrame({"name": ["microsoft"], "code_system": ["occupation"],
                        "kind": ["capability"], "level": ["occupation"],
                        "variants": ["user;ai;mean"], "description": ["Microsoft (tiny)"]})
    ex.layer_table = pd.concat([ex.layer_table, row], ignore_index=True)
    return bundle


def test_eloundou_rater_with_other_layer_applies_its_mean(monkeypatch):
    """Rater 'human' with a user/ai/mean layer is no longer refused: the model uses the
    layer's mean variant (0.5 everywhere, so every index is 50% of the wage bill)."""
    bundle = _with_microsoft_layer(_tiny())
    import iceberg.bundle

    monkeypatch.setattr(iceberg.bundle, "load", lambda *a, **k: bundle)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state[LEVERS_DEFERRED] = False
        at.run()
        from iceberg_app.views.levers import RATER_NOTE

        assert any(RATER_NOTE == c.value for c in at.sidebar.caption)
        at.sidebar.selectbox(key="lv.layer").set_value("microsoft")
        at.sidebar.selectbox(key="lv.rater").set_value("human")
        apply(at)
        no_failures(at)
        assert not at.sidebar.error  # no "Not applied"
        assert metric(at, "Iceberg index") == "50.0%"
        label = next(m.value for m in at.markdown if m.value.startswith("**Scenario:**"))
        assert "differs from the baseline" in label and "Capability layer" in label
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_scenario_label_names_default_and_changed_levers(app):
    from iceberg.scenario.model import Scenario

    at = app()
    at.run()
    label = next(m.value for m in at.markdown if m.value.startswith("**Scenario:**"))
    assert label == "**Scenario:** Default levers · same as the baseline"
    slider(at, "Tool frontier").set_value(1.0)
    apply(at)
    label = next(m.value for m in at.markdown if m.value.startswith("**Scenario:**"))
    assert label == "**Scenario:** Custom levers · differs from the baseline: Tool frontier λ"
    # a renamed default scenario is still the baseline
    open_group(at, "Name")
    at.sidebar.text_input(key="lv.name").set_value("My plan")
    slider(at, "Tool frontier").set_value(Scenario().tool_frontier)
    apply(at)
    label = next(m.value for m in at.markdown if m.value.startswith("**Scenario:**"))
    assert label == "**Scenario:** My plan · same as the baseline"


def test_closed_lever_groups_draw_nothing_and_keep_the_applied_values(app):
    """Lazy groups: a new page draws no county picker or data grid; a lever in a closed group
    keeps the applied scenario's value through Apply, and shows it when its group opens."""
    import json

    from iceberg.scenario.presets import load_preset

    at = app()
    at.run()
    assert not at.sidebar.multiselect  # the county, state and sector pickers are not drawn
    assert "lv.reskilling_budget" not in [n.key for n in at.sidebar.number_input]
    at.sidebar.selectbox(key="preset_pick").set_value("fast_adoption_reskilling").run()
    next(b for b in at.sidebar.button if b.label == "Load preset").click().run()
    slider(at, "Tool frontier").set_value(1.0)
    apply(at)  # the Reskilling group is closed: its budget is not on the page
    no_failures(at)
    applied = json.loads(at.session_state["scenario_json"])
    assert applied["tool_frontier"] == 1.0
    assert applied["reskilling_budget"] == load_preset("fast_adoption_reskilling").reskilling_budget
    at.run()  # a further run: Streamlit has now forgotten the hidden widgets' values
    open_group(at, "Reskilling")
    budget = next(n for n in at.sidebar.number_input if n.key == "lv.reskilling_budget")
    assert budget.value == pytest.approx(5000.0)  # $ million, from the applied scenario
    assert len(at.sidebar.multiselect) == 2  # target sectors and target counties


def test_card_lines_fit_a_card_when_the_scenario_differs(app):
    """Shipped bug: with a changed scenario the grey lines under the values ran past the card
    ("+44.3 pp · $6.5T · 78…"); each stays within what a card shows (~22 characters)."""
    at = app()
    at.run()
    slider(at, "Tool frontier").set_value(1.0)
    slider(at, "Adoption ceiling").set_value(0.9)
    apply(at)
    no_failures(at)
    lines = {m.label: m.delta for m in at.metric if m.delta}
    assert any("pp" in d for d in lines.values())  # the change is shown
    assert all(len(d) <= 22 for d in lines.values()), lines


def test_a_new_session_draws_the_map_before_the_levers(app):
    """A session's first run leaves the lever form out (the browser mounts the map sooner) and
    asks the map to signal when drawn; the next run of the page draws the levers."""
    at = app()
    del at.session_state[LEVERS_DEFERRED]  # a brand-new session, as a browser opens it
    at.run()
    no_failures(at)
    assert "Loading the levers…" in [c.value for c in at.sidebar.caption]
    assert not [b for b in at.sidebar.button if b.label == "Apply"]
    assert at.session_state[LEVERS_DEFERRED] is True
    assert metric(at, "Iceberg index") == "44.8%"  # the page itself is whole
    at.run()  # what the map's "drawn" trigger causes
    assert at.session_state[LEVERS_DEFERRED] is False
    assert [b for b in at.sidebar.button if b.label == "Apply"]
    assert "Loading the levers…" not in [c.value for c in at.sidebar.caption]


def test_levers_do_not_wait_for_a_map_that_failed(app, monkeypatch):
    """When the map section fails in a session's first run, the levers are drawn at once (the
    map cannot signal; the user needs them to change what failed)."""
    from iceberg_app.views import mapview

    def broken(*args, **kwargs):
        raise ValueError("the map could not be drawn")

    monkeypatch.setattr(mapview, "show", broken)
    at = app()
    del at.session_state[LEVERS_DEFERRED]
    at.run()
    assert not at.exception and at.error  # the failure is a message in the page
    assert [b for b in at.sidebar.button if b.label == "Apply"]
    assert at.session_state[LEVERS_DEFERRED] is False
