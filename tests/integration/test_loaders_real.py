"""Every real file under ../shared/data/raw loads, with the published counts."""

from __future__ import annotations

import pytest

from iceberg.io import crosswalks, layers, oews, onet

pytestmark = pytest.mark.integration


def test_onet_29_3_counts(raw_dir):
    folder = raw_dir / "onet"
    assert len(onet.read_occupations(folder)) == 1016
    tasks = onet.read_tasks(folder)
    assert len(tasks) == 18796
    assert tasks["onet_soc"].nunique() == 923
    assert len(onet.read_tasks_to_dwas(folder)) == 23233
    assert len(onet.read_dwa_reference(folder)) == 2087
    assert len(onet.read_iwa_reference(folder)) == 332
    assert len(onet.read_skills(folder)) == 61530
    assert len(onet.read_knowledge(folder)) == 58014
    assert len(onet.read_technology_skills(folder)) == 32681
    assert onet.read_task_ratings(folder) is None  # absent from this copy (see SOURCE.md)


def test_crosswalks(raw_dir):
    xw = crosswalks.read_onet_soc_crosswalk(raw_dir / "onet_soc_crosswalk")
    assert len(xw) == 1016 and xw["soc_code"].nunique() == 867
    assert len(crosswalks.read_onet_2010_2019(raw_dir / "onet_soc_crosswalk")) == 1164


def test_oews_may_2025(raw_dir):
    levels = oews.read_oews_dir(raw_dir / "oews_2025")
    assert {k: len(v) for k, v in levels.items()} == {
        "national": 1104, "national_by_industry": 133373, "state": 37408, "area": 198287}
    national = levels["national"].set_index("occ_code")
    assert national.loc["00-0000", "tot_emp"] == 155_495_730
    assert national.loc["00-0000", "a_mean"] == 69_770
    assert national.loc["15-1252", "tot_emp"] == 1_687_890
    area = levels["area"]
    assert area["area"].nunique() == 528
    assert (area["emp_flag"] == "**").sum() == 3692
    assert (area["a_mean_flag"] == "*").sum() == 2142 and (area["a_mean_flag"] == "#").sum() == 246
    # a flagged cell is NaN, a published one never is
    assert area.loc[area["emp_flag"] == "", "tot_emp"].notna().all()
    assert area.loc[area["emp_flag"] == "**", "tot_emp"].isna().all()


def test_capability_sources(raw_dir):
    assert len(layers.read_eloundou(raw_dir / "gpts_are_gpts")) == 19265
    assert len(layers.read_microsoft_iwa(raw_dir / "microsoft_working_with_ai")) == 332
    assert len(layers.read_microsoft_soc(raw_dir / "microsoft_working_with_ai")) == 785
    assert len(layers.read_anthropic_tasks(raw_dir / "anthropic_economic_index")) == 3514
    aioe = layers.read_aioe(raw_dir / "aioe")
    assert len(aioe) == 774 and aioe["aioe"].between(-2.7, 1.6).all()
