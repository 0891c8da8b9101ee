"""Exposure operator on the hand-made fixture (tests/fixtures/exposure), checked by hand.

Mean-rater task values (base = mean 1[E1], slope = mean 1[E2]) and Core=2 / Supplemental=1:
t1 (1, 0) t2 (0, .5) t3 (0, .5) t4 (.5, .5) t5 (0, 1) t6 unlabelled → DWA D01 mean of t1, t4
= (.75, .25); t7 (0, 0) t8 (.5, 0) t9 (1, 0) t10 (.5, .5).
O*NET 11-1011.00 = (2·1 + 0)/3, (0 + .5)/3 → (2/3, 1/6); 11-1011.03 = (0, .5); SOC 11-1011 = (1/3, 1/3).
13-1021 = (.5, .5); 13-1022 = ((0·2 + .75)/3, (2 + .25)/3) = (.25, .75); OEWS aggregate 13-1020 = (.375, .625).
13-1031 = (.25, 0); 13-1039 has no tasks → broad group 13-103x → 13-1031 = (.25, 0).
15-1252 = ((2 + .5)/3, .5/3) = (5/6, 1/6).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iceberg.capability import TaskUniverse, eloundou_layer
from iceberg.exposure import ExposureModel, oews_operator, task_weights
from iceberg.metrics import geo_metrics

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "exposure"
OCC = ["11-1011", "13-1020", "13-1031", "13-1039", "15-1252"]


def frames() -> dict[str, pd.DataFrame]:
    read = lambda name: pd.read_csv(FIX / f"{name}.csv")
    f = {k: read(k) for k in ("tasks", "tasks_to_dwas", "dwa_reference", "eloundou")}
    f["onet_soc_crosswalk"] = read("crosswalk")
    return f


def model(**kw) -> ExposureModel:
    f = frames()
    return ExposureModel.from_sources(OCC, titles=[f"t{i}" for i in range(5)], **f, **kw)


def test_mean_rater_components_by_hand():
    base, slope = model().components("eloundou", "mean")
    np.testing.assert_allclose(base, [1 / 3, 0.375, 0.25, 0.25, 5 / 6], atol=1e-12)
    np.testing.assert_allclose(slope, [1 / 3, 0.625, 0, 0, 1 / 6], atol=1e-12)


def test_human_rater_and_lambda_by_hand():
    m = model()
    # human base: t1 1, t4 1, t6 = D01 mean(t1, t4) = 1, t8 1, t9 1; others 0.
    np.testing.assert_allclose(m.vector("eloundou", "human"), [1 / 3, 2 / 3, .5, .5, 2 / 3],
                               atol=1e-12)
    np.testing.assert_allclose(m.vector("eloundou", "mean", lam=0.5),
                               [0.5, 0.6875, 0.25, 0.25, 11 / 12], atol=1e-12)


def test_reasons_and_counts():
    m = model()
    assert m.detail["reason"].tolist() == ["own", "aggregate", "own", "fallback_broad", "own"]
    assert m.detail.loc[1, "sources"] == "13-1021;13-1022"
    assert m.counts["eloundou.labelled_not_in_29_3"] == 1
    assert m.counts["eloundou.filled_dwa_mean"] == 1
    assert m.counts["occupations.aggregate"] == 1
    assert m.weighting == "core_supplemental"


def test_threshold_mode():
    m = model()
    # mean rater, λ = 0, τ = 0.5: tasks with c ≥ .5: t1, t4, t6 (.75), t8, t9, t10.
    # 11-1011.00 = 2/3, .03 = 0 → 1/3; 13-1021 = 1, 13-1022 = 1/3 → 2/3; 13-1031 = 1/2;
    # 15-1252 = 1.
    np.testing.assert_allclose(m.vector("eloundou", "mean", tau=0.5),
                               [1 / 3, 2 / 3, .5, .5, 1.0], atol=1e-12)
    with pytest.raises(ValueError):
        m.components("eloundou", "mean", tau=0.5)


def test_metrics_to_the_cent_two_areas():
    e = model().vector()
    emp = np.array([[10, 20, 30, 0, 40], [5, 0, 10, 20, 10]], float)
    wage = np.array([[1e5, 5e4, 6e4, 0, 1.2e5], [2e5, 0, 4e4, 3e4, 9e4]])
    vis = model().visible_mask()
    assert vis.tolist() == [False, False, False, False, True]
    g = geo_metrics(emp, wage, e, vis, ["A", "B"])
    # A: bill 8.6e6; exposed 1e6/3 + 375,000 + 450,000 + 4,000,000; surface 4,000,000.
    # B: bill 2.9e6; exposed 1e6/3 + 100,000 + 150,000 + 750,000; surface 750,000.
    assert g["wage_bill"].tolist() == pytest.approx([8_600_000.0, 2_900_000.0], abs=0.005)
    assert g["exposed_wages"].tolist() == pytest.approx([5_158_333.33, 1_333_333.33], abs=0.005)
    assert g["surface_wages"].tolist() == pytest.approx([4_000_000.0, 750_000.0], abs=0.005)
    assert g["hidden_wages"].tolist() == pytest.approx([1_158_333.33, 583_333.33], abs=0.005)
    assert g.loc["A", "iceberg_index"] == pytest.approx(5_158_333.333333 / 8.6e6, abs=1e-9)
    assert g.loc["B", "surface_index"] == pytest.approx(750_000 / 2.9e6, abs=1e-12)
    assert g.loc["A", "exposed_workers"] == pytest.approx(10 / 3 + 7.5 + 7.5 + 100 / 3, abs=1e-9)


def test_task_ratings_weights():
    f = frames()
    uni = TaskUniverse.from_frames(f["tasks"], f["tasks_to_dwas"], f["dwa_reference"])
    ratings = pd.read_csv(FIX / "task_ratings.csv")
    w, weighting, counts = task_weights(uni, ratings)
    # t7: 4 × 0.5 × (3·50 + 5·50)/100 = 8; t8: 2 × 1 × 2 = 4; t1: 3 × 1 × 1 = 3;
    # t2 (same occupation, unrated) takes the occupation mean 3; others Core 2 / Supp 1.
    np.testing.assert_allclose(w, [3, 3, 2, 2, 2, 1, 8, 4, 2, 1])
    assert weighting == "task_ratings+core_supplemental"
    assert counts == {"weights_task_ratings": 3, "weights_occupation_mean": 1,
                      "weights_core_supplemental": 6}
    m = model(task_ratings=ratings)
    # 11-1011.00 base = (3·1 + 3·0)/6 = .5 → SOC (.5 + 0)/2 = .25; 13-1031 = (8·0 + 4·.5)/12.
    base, _ = m.components()
    assert base[0] == pytest.approx(0.25, abs=1e-12)
    assert base[2] == pytest.approx(1 / 6, abs=1e-12)


def test_oews_operator_aggregate_takes_only_unpublished_children():
    soc = ["53-1041", "53-1042", "53-1043", "53-1049", "53-2011", "53-3011"]
    op, detail = oews_operator(["53-1041", "53-1047", "53-2099", "53-9999", "54-1000"],
                               ["53-1041", "53-1042", "53-1043", "53-2011"], soc)
    assert detail["reason"].tolist() == ["own", "aggregate", "fallback_minor",
                                         "fallback_major", "none"]
    dense = op.toarray()
    np.testing.assert_allclose(dense[1], [0, .5, .5, 0])  # 53-1041 is published: not a child
    np.testing.assert_allclose(dense[2], [0, 0, 0, 1])
    np.testing.assert_allclose(dense[3], [.25] * 4)
    assert dense[4].sum() == 0


def test_visible_mask_options():
    m = model()
    assert m.visible_mask(["13-1000"]).tolist() == [False, True, True, True, False]
    assert m.visible_mask(["11-1011", "15"]).tolist() == [True, False, False, False, True]
    assert m.occ_major.tolist() == ["11-0000", "13-0000", "13-0000", "13-0000", "15-0000"]


def test_frames_round_trip(tmp_path):
    m = model()
    frames_ = m.to_frames()
    for name, frame in frames_.items():
        frame.to_parquet(tmp_path / f"{name}.parquet")
    back = ExposureModel.from_frames(
        {name: pd.read_parquet(tmp_path / f"{name}.parquet") for name in frames_})
    for layer, rater in [("eloundou", "mean"), ("eloundou", "gpt4")]:
        for lam, tau in [(0, None), (0.7, None), (0.5, 0.5)]:
            np.testing.assert_array_equal(back.vector(layer, rater, lam, tau),
                                          m.vector(layer, rater, lam, tau))
    assert back.layers == m.layers and back.counts == m.counts
    pd.testing.assert_frame_equal(back.occupations, m.occupations)


def test_occupations_frame():
    occ = model().occupations
    assert occ["occ_code"].tolist() == OCC
    assert occ["eloundou_mean_lam1"].tolist() == pytest.approx(
        [2 / 3, 1.0, .25, .25, 1.0], abs=1e-12)
    assert {"reason", "visible", "title", "eloundou_human_lam0"} <= set(occ.columns)


def test_layer_from_another_universe_rejected():
    f = frames()
    uni = TaskUniverse.from_frames(f["tasks"].iloc[:5], None, None)
    layer = eloundou_layer(f["eloundou"], uni)
    with pytest.raises(ValueError, match="another task universe"):
        ExposureModel.build(OCC, tasks=f["tasks"], tasks_to_dwas=f["tasks_to_dwas"],
                            dwa_reference=f["dwa_reference"],
                            onet_soc_crosswalk=f["onet_soc_crosswalk"], layers=[layer])


def test_validation_report_uses_metrics():
    from iceberg.geomatrix import GeoMatrix
    from iceberg.validate import validation_report

    m = model()
    emp = np.array([[10, 20, 30, 0, 40], [5, 0, 10, 20, 10]], float)
    wage = np.array([[1e5, 5e4, 6e4, 0, 1.2e5], [2e5, 0, 4e4, 3e4, 9e4]])
    states = GeoMatrix("state", np.array(["01", "02"]), m.occ_codes, emp, wage, wage)
    nat = GeoMatrix("nation", np.array(["99"]), m.occ_codes, emp[:1], wage[:1], wage[:1])
    text = validation_report(nat, states, m)
    # national = area A: surface 4.0e6 / 8.6e6 = 46.5%, iceberg 60.0%; state mean of the
    # surface indices (46.51% + 25.86%) / 2 = 36.2%.
    assert "surface 46.5%" in text and "iceberg 60.0%" in text
    assert "| eloundou | mean | 0 | 46.5% |" in text and "36.2%" in text
    assert "2.2%" in text and "11.7%" in text


def test_eloundou_rater_on_a_layer_without_it_uses_the_layer_mean():
    from iceberg.capability import microsoft_layer

    f = frames()
    uni = TaskUniverse.from_frames(f["tasks"], f["tasks_to_dwas"], f["dwa_reference"])
    iwa = pd.DataFrame({"iwa_id": f["dwa_reference"]["iwa_id"].unique()})
    iwa["completion_x_scope_x_coverage_user"] = np.linspace(0.1, 0.9, len(iwa))
    iwa["completion_x_scope_x_coverage_ai"] = np.linspace(0.9, 0.1, len(iwa))
    layer = microsoft_layer(iwa, uni)
    m = ExposureModel.build(OCC, tasks=f["tasks"], tasks_to_dwas=f["tasks_to_dwas"],
                            dwa_reference=f["dwa_reference"], onet_soc_crosswalk=f["onet_soc_crosswalk"],
                            layers=[eloundou_layer(f["eloundou"], uni), layer], universe=uni)
    np.testing.assert_array_equal(m.vector("microsoft", "human"), m.vector("microsoft", "mean"))
    with pytest.raises(ValueError, match="variants"):
        m.vector("microsoft", "nonsense")
