"""Exposure model on the real data: coverage, every OEWS occupation valued, national figures."""

from __future__ import annotations

import numpy as np
import pytest

from iceberg.build_steps import read_exposure_sources
from iceberg.exposure import ExposureModel
from iceberg.io import oews
from iceberg.metrics import geo_metrics
from iceberg.validate import _test_only_geomatrix, validation_report

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def built(raw_dir):
    nat = oews.read_oews_dir(raw_dir / "oews_2025", levels=("national", "state"))
    det = nat["national"][nat["national"]["o_group"] == "detailed"]
    model = ExposureModel.from_sources(
        det["occ_code"].to_numpy(), titles=det["occ_title"].to_numpy(), **read_exposure_sources(raw_dir))
    return model, nat, det


def test_every_employed_occupation_valued_or_listed(built):
    model, _, det = built
    occ = model.occupations
    employed = det["tot_emp"].fillna(0).to_numpy() > 0
    for layer in model.layers:
        e = model.vector(layer, "mean")
        assert np.isfinite(e).all() and ((e >= 0) & (e <= 1)).all()
    reasons = occ["reason"]
    assert set(reasons) <= {"own", "aggregate", "fallback_broad", "fallback_minor",
                            "fallback_major", "none"}
    # "none" rows are listed with their reason and have no sources; none of them employed here.
    assert not (employed & (reasons == "none").to_numpy()).any()
    aggregates = occ.loc[reasons == "aggregate", ["occ_code", "sources"]]
    assert dict(zip(aggregates["occ_code"], aggregates["sources"]))["13-1020"] == \
        "13-1021;13-1022;13-1023"
    print("\nOEWS occupations by reason:", reasons.value_counts().to_dict())
    print(occ.loc[reasons != "own", ["occ_code", "reason", "sources"]].to_string())


def test_coverage_counts(built):
    model, _, _ = built
    c = model.counts
    print("\n" + "\n".join(f"{k} = {v}" for k, v in c.items()))
    assert c["eloundou.mapped"] + c["eloundou.filled_dwa_mean"] \
        + c["eloundou.filled_occupation_mean"] + c["eloundou.filled_global_mean"] \
        == c["tasks.tasks"]
    assert c["eloundou.labelled_not_in_29_3"] > 0  # dropped/renumbered since O*NET 27.2
    assert c["aioe.aioe_unmapped"] < 0.05 * c["aioe.aioe_codes"]
    assert c["anthropic.texts_matched"] > 0.8 * (c["anthropic.texts"] - c["anthropic.texts_none"])


def test_national_figures_and_report(built):
    model, nat, _ = built
    gm = _test_only_geomatrix(nat["national"], model.occ_codes, "nation")
    states = _test_only_geomatrix(nat["state"], model.occ_codes, "state")
    vis = model.visible_mask()
    g = geo_metrics(gm.employment, gm.wage, model.vector(), vis, gm.ids).iloc[0]
    print(f"\nnational default: surface {g.surface_index:.4f} iceberg {g.iceberg_index:.4f} "
          f"hidden {g.hidden_index:.4f} wage bill {g.wage_bill:,.0f}")
    # DESIGN §2: default near 2.5% visible and ~13% hidden (same scale as the paper's).
    assert 0.01 < g.surface_index < 0.05 and 0.08 < g.hidden_index < 0.20
    assert g.surface_index <= g.iceberg_index
    s = model.vector("microsoft", "mean")
    assert np.corrcoef(s, model.vector("microsoft_soc"))[0, 1] > 0.9
    report = validation_report(gm, states, model)
    assert "Iceberg paper" in report and "microsoft_soc" in report
    print(report)
