"""Capability layers on the hand-made fixture (tests/fixtures/exposure)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iceberg.capability import (
    TaskUniverse,
    aioe_layer,
    anthropic_layer,
    custom_layer,
    eloundou_layer,
    fill_tasks,
    microsoft_layer,
    microsoft_soc_layer,
)
from iceberg.errors import IcebergDataError

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "exposure"


@pytest.fixture(scope="module")
def uni() -> TaskUniverse:
    read = lambda name: pd.read_csv(FIX / f"{name}.csv")
    return TaskUniverse.from_frames(read("tasks"), read("tasks_to_dwas"), read("dwa_reference"))


def test_eloundou_indicators_and_fill(uni):
    layer = eloundou_layer(pd.read_csv(FIX / "eloundou.csv"), uni)
    assert layer.kind == "capability" and layer.code_system == "task"
    assert layer.variants == ["human", "gpt4", "mean"]
    np.testing.assert_allclose(layer.base["gpt4"], [1, 0, 0, 0, 0, .5, 0, 0, 1, 1])  # t6: D01 mean
    np.testing.assert_allclose(layer.slope["gpt4"], [0, 0, 1, 1, 1, .5, 0, 0, 0, 0])
    np.testing.assert_allclose(layer.base["mean"],
                               (layer.base["human"] + layer.base["gpt4"]) / 2)
    assert layer.counts["labelled_not_in_29_3"] == 1
    assert layer.counts["mapped"] == 9 and layer.counts["filled_dwa_mean"] == 1
    np.testing.assert_allclose(layer.values("mean", lam=1, tau=1.0),
                               [1, 0, 0, 1, 1, 1, 0, 0, 1, 1])


def test_eloundou_bad_label(uni):
    bad = pd.read_csv(FIX / "eloundou.csv")
    bad.loc[3, "gpt4"] = "E3"
    with pytest.raises(IcebergDataError) as err:
        eloundou_layer(bad, uni)
    assert err.value.row == 4 and err.value.column == "gpt4"


def test_fill_falls_back_to_occupation_then_global(uni):
    known = np.zeros(10, dtype=bool)
    known[[7]] = True  # only t8 (13-1031.00, DWA D03) valued
    vals = np.zeros(10)
    vals[7] = 0.8
    out, source, counts = fill_tasks(uni, vals, known)
    # D03 links t3, t7, t8, t9 → all get .8; t10 (no DWA) takes 15-1252.00 mean? not valued
    # directly → global mean .8; the rest have DWAs D01/D02 without a valued task → global.
    assert source.tolist() == [3, 3, 1, 3, 3, 3, 1, 0, 1, 3]
    np.testing.assert_allclose(out, 0.8)
    assert counts["filled_dwa_mean"] == 3 and counts["filled_global_mean"] == 6


def test_microsoft_iwa_to_tasks(uni):
    iwa = pd.DataFrame({
        "iwa_id": ["4.A.1.a.1.I01", "4.A.2.b.1.I02", "4.A.9.z.9.I99"],
        "title": ["a", "b", "unknown"],
        "completion_x_scope_x_coverage_user": [0.4, 0.1, 0.9],
        "completion_x_scope_x_coverage_ai": [0.2, 0.3, 0.9],
    })
    layer = microsoft_layer(iwa, uni)
    # mean side: I01 .3, I02 .2; t3 links D02 (I01) and D03 (I02) → .25; t10 no DWA →
    # occupation 15-1252.00 mean of valued tasks (t9 = .2).
    np.testing.assert_allclose(layer.base["mean"], [.3, .3, .25, .3, .3, .3, .2, .2, .2, .2])
    assert layer.counts["iwa_not_in_onet"] == 1
    assert layer.counts["filled_occupation_mean"] == 1
    soc = microsoft_soc_layer(pd.DataFrame({"soc_code": ["13-1020"], "title": ["x"],
                                            "ai_applicability_score": [0.3]}))
    assert soc.level == "occupation" and soc.codes.tolist() == ["13-1020"]


def test_aioe_crosswalk_splits_merges_and_scale():
    aioe = pd.DataFrame({"soc_2010": ["11-1011", "13-1021", "13-1022", "13-1031", "15-1132",
                                      "99-9999"],
                         "title": list("abcdef"), "aioe": [1.0, -1.0, 0.0, 0.5, 1.0, 0.0]})
    walk = pd.DataFrame({"onet_soc_2010": ["11-1011.00", "11-1011.03", "13-1021.00", "13-1022.00",
                                           "13-1022.00", "13-1031.01", "15-1132.00"],
                         "onet_soc_2019": ["11-1011.00", "11-1011.03", "13-1021.00", "13-1022.00",
                                           "13-1031.00", "13-1031.00", "15-1252.00"]})
    xw = pd.read_csv(FIX / "crosswalk.csv")
    layer = aioe_layer(aioe, walk, xw)
    got = dict(zip(layer.codes, layer.base["default"]))
    # min–max over (-1, 1): 11-1011 → 1; 13-1021 → 0; 13-1022 → .5 (split to 13-1022 and
    # 13-1031); 13-1031 → .75, merged with .5 → .625; 15-1132 → 15-1252 = 1.
    assert got == pytest.approx({"11-1011": 1, "13-1021": 0, "13-1022": .5, "13-1031": .625,
                                 "15-1252": 1})
    assert layer.counts["aioe_unmapped"] == 1
    assert layer.counts["aioe_split"] == 1 and layer.counts["soc2018_merged"] == 1
    pct = aioe_layer(aioe, walk, xw, scale="percentile").base["default"]
    # percentile ranks (ties averaged) over 6 codes: 1.0 → 5.5/6, -1 → 1/6, 0.0 → 2.5/6,
    # .5 → 4/6; 13-1031 merges 4/6 and 2.5/6.
    np.testing.assert_allclose(pct, [5.5 / 6, 1 / 6, 2.5 / 6, 3.25 / 6, 5.5 / 6])


def test_anthropic_adoption_matching(uni):
    usage = pd.DataFrame({"task_text": ["review reports.", "write code.", "none", "fly."],
                          "pct": [10.0, 5.0, 1.0, 2.0]})
    ind = anthropic_layer(usage, uni)
    assert ind.kind == "adoption"
    np.testing.assert_allclose(ind.base["default"], [0, 0, 0, 0, 0, 0, 1, 0, 1, 1])
    share = anthropic_layer(usage, uni, transform="share").base["default"]
    # "review reports." is the text of t7 and t9: its 10% is split equally.
    np.testing.assert_allclose(share[[6, 8, 9]], [.05, .05, .05])
    assert ind.counts["texts_matched"] == 2 and ind.counts["texts_unmatched"] == 1
    assert ind.counts["texts_none"] == 1 and ind.counts["tasks_observed"] == 3


def test_custom_levels(uni):
    dwa = custom_layer(pd.DataFrame({"code": ["4.A.1.a.1.I01.D01"], "value": ["0.6"]}), "dwa", uni)
    # D01 tasks t1, t4, t6 → .6; the others have DWAs without value; t10 (no DWA) → its
    # occupation has no valued task → global mean .6 — so every task is .6.
    np.testing.assert_allclose(dwa.base["default"], 0.6)
    assert dwa.counts["mapped"] == 3
    task = custom_layer(pd.DataFrame({"code": ["1", "8823.0"], "value": [1, 0]}), "task", uni)
    assert task.counts["codes_unknown"] == 1
    occ = custom_layer(pd.DataFrame({"code": ["15-1252"], "value": [0.9]}), "occupation")
    assert occ.level == "occupation"


@pytest.mark.parametrize(
    ("frame", "level", "row", "column"),
    [
        (pd.DataFrame({"code": ["15-1252", "151252"], "value": [0.1, 0.2]}), "occupation", 2, "code"),
        (pd.DataFrame({"code": ["15-1252", "15-1253"], "value": ["0.1", "x"]}), "occupation", 2,
         "value"),
        (pd.DataFrame({"code": ["4.A.1.a.1.I01"], "value": [1.5]}), "iwa", 1, "value"),
        (pd.DataFrame({"code": ["7", "7"], "value": [0, 1]}), "task", 2, "code"),
        (pd.DataFrame({"id": ["7"], "value": [0]}), "task", None, "code"),
    ],
)
def test_custom_validation_names_row_and_column(uni, frame, level, row, column):
    with pytest.raises(IcebergDataError) as err:
        custom_layer(frame, level, uni, file="mine.csv")
    assert err.value.row == row and err.value.column == column and err.value.file == "mine.csv"
