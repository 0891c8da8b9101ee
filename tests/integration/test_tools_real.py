"""The tools layer on the real catalogue snapshot: held-out ablation, coverage, frontier, evidence."""

from __future__ import annotations

import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def tools_fit(real_bundle):
    from iceberg.tools import load_fit

    started = time.perf_counter()
    fit = load_fit(real_bundle)
    print(f"\nload_fit: {time.perf_counter() - started:.1f} s (matches cached by the build)")
    return fit


def test_catalogue_counts_add_up(tools_fit):
    c = tools_fit.catalogue.counts
    assert c["rows_read"] == 26_588 + 1_096
    dropped = sum(v for k, v in c.items() if k not in ("rows_read", "kept"))
    assert dropped + c["kept"] == c["rows_read"]
    assert 15_000 < c["kept"] < 25_000
    assert c["boilerplate"] > 1_000 and c["duplicate_summary"] > 0 and c["not_a_tool"] > 0


def test_held_out_ablation_from_one_run(real_bundle, tools_fit):
    from iceberg.tools import tools_report

    text, figures = tools_report(tools_fit, real_bundle.exposure, real_bundle.levels["nation"],
                                 real_bundle.levels["state"])
    table = pd.DataFrame(figures["ablation"]).set_index("model")
    print("\n" + table[["auc", "precision", "recall", "threshold", "train_auc"]]
          .round(3).to_string())
    print("held-out index:", figures["held_out_index"], "seconds:", figures["seconds"])
    raw, layer = table.loc["raw best match", "auc"], table.loc["tools layer", "auc"]
    text_only = table.loc["text only (reference)", "auc"]
    assert 0.6 < raw < 0.8
    assert layer > raw + 0.03  # DWA/IWA levels and counts add to the raw best match
    assert text_only > layer  # the wording alone predicts the labels better: shown, not used
    held = figures["held_out_index"]
    assert held["occupations"] > 150
    assert abs(held["tools_iceberg"] - held["labels_iceberg"]) < 0.15
    assert "Tools layer" in text and "text only" in text


def test_layer_covers_every_oews_occupation(real_bundle):
    model = real_bundle.exposure
    assert {"tools", "tools_and_labels"} <= set(model.layers)
    for layer, variant in (("tools", "calibrated"), ("tools_and_labels", "mean")):
        e = model.vector(layer, variant)
        assert len(e) == len(real_bundle.occ_codes)
        assert np.isfinite(e).all() and ((e >= 0) & (e <= 1)).all()
    nat = real_bundle.levels["nation"]
    employed = nat.employment[0] > 0
    assert (model.vector("tools", "calibrated")[employed] > 0).all()
    _base, slope = model.components("tools", "calibrated")
    assert (slope >= 0).all() and slope.max() > 0  # λ = observed yearly tool growth


def test_run_and_frontier(real_bundle, tools_fit):
    import iceberg
    from iceberg.scenario.model import Scenario
    from iceberg.tools import frontier_table

    result = iceberg.run(real_bundle, Scenario(layer="tools", adoption_ceiling=0.0))
    nat = result.national_summary()
    assert 0 < nat["surface_index"] < nat["iceberg_index"] < 1
    frontier = frontier_table(tools_fit, real_bundle.exposure, real_bundle.levels["nation"])
    print("\n" + frontier.round(4).to_string(index=False))
    assert frontier["tools"].is_monotonic_increasing
    assert frontier["iceberg_index"].iloc[-1] > 3 * frontier["iceberg_index"].iloc[0]
    assert frontier["iceberg_index"].iloc[-1] == pytest.approx(nat["iceberg_index"], abs=1e-9)


def test_evidence_for_an_occupation_and_a_county(real_bundle, tools_fit):
    from iceberg.tools import county_tools, occupation_tools

    tools, tasks = occupation_tools(real_bundle, "43-4051", fit=tools_fit)
    assert len(tools) == 10 and tools["best_similarity"].between(0, 1).all()
    assert tools["contribution"].is_monotonic_decreasing
    assert len(tasks) > 5 and tasks["capability"].between(0, 1).all()
    early, _ = occupation_tools(real_bundle, "43-4051", month="2025-06", fit=tools_fit)
    assert (early["month"] <= "2025-06").all()
    county = county_tools(real_bundle, "47037", fit=tools_fit)
    assert len(county) == 10
    with pytest.raises(ValueError, match="unknown occupation"):
        occupation_tools(real_bundle, "99-9999", fit=tools_fit)
    with pytest.raises(ValueError, match="unknown county"):
        county_tools(real_bundle, "00000", fit=tools_fit)


def test_app_view_renders(real_bundle, tools_fit, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest


    script = tmp_path / "view.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        from iceberg.bundle import read_bundle
        from iceberg_app.views.tool_evidence import render
        render(read_bundle({str(real_bundle.path)!r}), county="47037", top=5)
    """))
    monkeypatch.setattr(sys, "path", list(sys.path))
    at = AppTest.from_file(str(script), default_timeout=120).run()
    assert not at.exception
    assert len(at.dataframe) >= 1
    assert any("Tools behind this county" in m.value for m in at.markdown)


def test_sandbox_drilldown_shows_the_tools_behind_a_county(real_bundle, tools_fit, monkeypatch):
    """The whole app on the real bundle: a link with the tools layer and a county opens the
    drill-down with the tools panel (the hook in views.drilldown)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    import iceberg.bundle
    from tests.conftest import ROOT

    monkeypatch.setattr(iceberg.bundle, "load", lambda *a, **k: real_bundle)
    monkeypatch.setattr(sys, "path", list(sys.path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "iceberg_app" / "streamlit_app.py"), default_timeout=240)
    for key, value in {"layer": "tools", "geo": "TN", "county": "47037"}.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    assert any(e.label == "Which AI tools make this county exposed?" for e in at.expander)
    assert any("Tools behind this county" in m.value for m in at.markdown)
    st.cache_data.clear()
    st.cache_resource.clear()
