"""Scenario model: defaults, JSON and URL round-trips, validation naming the lever."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from iceberg.scenario import MAJOR_GROUPS, SECTORS, Scenario, list_presets, load_preset
from iceberg.scenario.model import scenario_field_help

finite = {"allow_nan": False, "allow_infinity": False}
scenarios = st.builds(
    Scenario,
    name=st.text(max_size=30),
    description=st.text(max_size=60),
    layer=st.sampled_from(["eloundou", "microsoft", "aioe"]),
    rater=st.sampled_from(["mean", "human", "gpt4"]),
    tool_frontier=st.floats(0, 1, **finite),
    threshold_mode=st.booleans(),
    threshold=st.floats(0.01, 1, **finite),
    adoption_ceiling=st.floats(0, 1, **finite),
    major_group_multipliers=st.dictionaries(st.sampled_from(MAJOR_GROUPS), st.floats(0, 10, **finite)),
    sector_multipliers=st.dictionaries(st.sampled_from(list(SECTORS)), st.floats(0, 10, **finite)),
    instant_adoption=st.booleans(),
    start_year=st.integers(2020, 2030),
    horizon_year=st.integers(2030, 2070),
    years_to_half=st.floats(0, 50, **finite),
    steepness=st.floats(0.01, 10, **finite),
    substitution_share=st.floats(0, 1, **finite),
    productivity_rate=st.floats(0, 2, **finite),
    reskilling_budget=st.floats(0, 1e12, **finite),
    cost_per_worker=st.floats(100, 1e6, **finite),
    success_rate=st.floats(0, 1, **finite),
    targeting=st.just("counties"),
    target_counties=st.lists(st.from_regex(r"\A[0-9]{5}\Z"), min_size=1, max_size=3).map(tuple),
    target_sectors=st.lists(st.sampled_from(MAJOR_GROUPS), max_size=3).map(tuple),
    job_multiplier=st.floats(0, 5, **finite),
    scope=st.just("states"),
    scope_states=st.lists(st.from_regex(r"\A[0-9]{2}\Z"), min_size=1, max_size=3).map(tuple),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(scenarios)
def test_json_round_trip(sc):
    assert Scenario.from_json(sc.to_json()) == sc


@settings(max_examples=150, deadline=None)
@given(scenarios)
def test_url_round_trip(sc):
    params = sc.to_query_params()
    back, notices = Scenario.from_query_params(params)
    assert notices == []
    assert back == sc
    assert Scenario.from_query_params_strict(params) == sc


def test_defaults_give_empty_url_and_every_field_documented():
    assert Scenario().to_query_params() == {}
    assert Scenario(adoption_ceiling=0.7).to_query_params() == {"amax": "0.7"}
    help_ = scenario_field_help()
    assert all(info["description"] for info in help_.values())
    assert help_["adoption_ceiling"]["default"] == 0.5 and help_["adoption_ceiling"]["le"] == 1.0
    d = Scenario()
    assert (d.tool_frontier, d.adoption_ceiling, d.years_to_half, d.substitution_share) == (
        0.0, 0.5, 5.0, 0.3)  # fmt: skip
    assert (d.productivity_rate, d.cost_per_worker, d.success_rate, d.horizon_year) == (
        0.2, 10_000.0, 0.6, 2030)  # fmt: skip


@pytest.mark.parametrize(
    ("lever", "value"),
    [
        ("adoption_ceiling", 1.5),
        ("tool_frontier", -0.1),
        ("substitution_share", 2),
        ("rater", "robot"),
        ("major_group_multipliers", {"99": 1.0}),
        ("major_group_multipliers", {"15": 20.0}),
        ("sector_multipliers", {"finance": 1.0}),
        ("horizon_year", 2019),
        ("scope_states", ("1",)),
        ("cost_per_worker", 0),
        ("targeting", "everyone"),
    ],
)
def test_invalid_values_name_the_lever(lever, value):
    with pytest.raises(ValidationError, match=lever):
        Scenario(**{lever: value})


def test_lenient_url_falls_back_with_notices():
    sc, notices = Scenario.from_query_params(
        {"amax": "2", "lam": "0.25", "tgt": "sectors", "bogus": "x", "inst": "maybe"}
    )
    assert sc.adoption_ceiling == 0.5 and sc.tool_frontier == 0.25
    assert sc.targeting == "most_exposed" and not sc.instant_adoption
    text = " ".join(notices)
    for name in ("adoption_ceiling", "targeting", "bogus", "instant_adoption"):
        assert name in text
    with pytest.raises(ValueError, match="adoption_ceiling"):
        Scenario.from_query_params_strict({"amax": "2"})


def test_cross_field_rules():
    with pytest.raises(ValidationError, match="horizon_year"):
        Scenario(start_year=2030, horizon_year=2029)
    with pytest.raises(ValidationError, match="target_sectors"):
        Scenario(targeting="sectors")
    sc = Scenario(targeting="sectors", target_sectors=("service", "15"))
    assert sc.targeted_major_groups() == {"31", "33", "35", "37", "39", "15"}
    assert Scenario(sector_multipliers={"sales_office": 2.0}, major_group_multipliers={
        "43": 1.5}).group_multipliers()["43"] == 3.0  # fmt: skip


def test_presets():
    assert {"technical_ceiling", "gradual_adoption", "fast_adoption_reskilling"} <= set(
        list_presets()
    )
    ceiling = load_preset("technical_ceiling")
    assert ceiling.adoption_ceiling == 1 and ceiling.instant_adoption
    assert ceiling.substitution_share == 1 and ceiling.reskilling_budget == 0
    assert load_preset("fast_adoption_reskilling").reskilling_budget > 0
    with pytest.raises(KeyError, match="technical_ceiling"):
        load_preset("nope")
