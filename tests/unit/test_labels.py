"""The labels module: names, units, formats, attribution and the state table."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from iceberg import labels
from iceberg.metrics import METRIC_COLUMNS


def test_every_metric_column_has_a_label_with_a_known_unit():
    for column in METRIC_COLUMNS:
        m = labels.METRICS[column]
        assert m.name == column
        assert m.unit in labels.UNITS
        assert m.label and m.help


def test_hidden_multiple_is_iceberg_over_visible_not_hidden_over_visible():
    text = labels.label("hidden_multiple").lower()
    assert "iceberg index ÷ visible index" in text
    assert "hidden / visible" not in text
    assert labels.unit("hidden_multiple") == "ratio"
    # I / S with S = H is 2, as the help says
    assert "2×" in labels.help_text("hidden_multiple")


def test_exposed_workers_are_employment_weighted_worker_equivalents():
    text = labels.label("exposed_workers").lower()
    assert "worker-equivalents" in text and "employment-weighted" in text
    assert "wage-weighted" not in text


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("iceberg_index", 0.1539, "15.4%"),
        ("exposed_wages", 1.67e12, "$1.7T"),
        ("exposed_wages", 86.5e6, "$86.5M"),
        ("hidden_wages", 950.0, "$950"),
        ("net_wage_impact", -67e9, "-$67.0B"),
        ("hidden_multiple", 6.06, "6.1×"),
        ("exposed_workers", 1_730_000, "1.7M"),
        ("employment", 12_345, "12,345"),
        ("iceberg_index_diff", 0.012, "+1.2 pp"),
        ("iceberg_index_diff", -0.004, "-0.4 pp"),
        ("exposed_wages_per_worker", 9_876.0, "$9.9K"),
        ("displaced_wages_share_of_wage_bill", 0.0115, "1.1%"),
    ],
)
def test_format_value(metric, value, expected):
    assert labels.format_value(metric, value) == expected


def test_format_values_is_vectorised_and_marks_missing():
    out = labels.format_values("iceberg_index", np.array([0.1, np.nan, 0.25]))
    assert list(out) == ["10.0%", "No data", "25.0%"]
    assert labels.format_value("iceberg_index", math.nan) == "–"
    assert labels.format_value("iceberg_index", None) == "–"


def test_digits_override_and_signed_differences():
    assert labels.format_value("iceberg_index", 0.12345, digits=2) == "12.35%"
    assert labels.format_value("exposed_wages_diff", 1.2e6, signed=True) == "+$1.2M"


def test_derived_names_resolve_by_suffix():
    assert labels.unit("iceberg_index_diff") == "pp"
    assert labels.unit("exposed_wages_diff") == "usd"
    assert labels.unit("exposed_wages_per_worker") == "usd"
    assert labels.unit("gdp_proxy_share_of_wage_bill") == "share"
    assert labels.label("displaced_wages_hidden") == "Displaced wages, hidden occupations"
    assert labels.label("iceberg_index_diff") == "Change in iceberg index"
    assert labels.label("exposed_wages_per_worker") == "Exposed wages per worker"
    with pytest.raises(KeyError, match="unknown metric"):
        labels.metric("not_a_metric")
    assert labels.label("not_a_metric") == "Not a metric"
    assert not labels.is_metric("top_hidden")


def test_long_label_carries_the_unit():
    assert labels.long_label("exposed_wages") == "Exposed wages ($ per year)"
    assert labels.long_label("iceberg_index") == "Iceberg index (% of wages)"


def test_every_dollar_metric_is_offered_per_worker_and_as_share():
    assert "exposed_wages" in labels.DOLLAR_METRICS and "wage_bill" not in labels.DOLLAR_METRICS
    for name in labels.DOLLAR_METRICS:
        assert labels.unit(f"{name}_per_worker") == "usd"
        assert labels.unit(f"{name}_share_of_wage_bill") == "share"


def test_onet_attribution_is_the_exact_cc_by_line():
    source = Path(__file__).resolve().parents[2] / "iceberg" / "sources" / "registry.toml"
    assert f'attribution = "{labels.ONET_ATTRIBUTION}"' in source.read_text(encoding="utf-8")
    assert labels.ONET_ATTRIBUTION.startswith("This product includes information from the O*NET")
    assert labels.ONET_ATTRIBUTION.endswith("O*NET® is a trademark of USDOL/ETA.")


def test_escape_markdown_keeps_onet_literal():
    escaped = labels.escape_markdown(labels.ONET_ATTRIBUTION)
    assert "O\\*NET 29.3" in escaped and "O\\*NET®" in escaped
    # no unescaped emphasis markers remain
    assert not re.search(r"(?<!\\)\*", escaped)


def test_escape_mathtext_escapes_every_dollar_once():
    assert labels.escape_mathtext("$86.5M – $288.0M") == r"\$86.5M – \$288.0M"
    assert labels.escape_mathtext(r"\$1") == r"\$1"


def test_state_table():
    assert len(labels.STATES) == 56
    assert len(labels.STATE_FIPS) == 51 and "11" in labels.STATE_FIPS
    assert labels.TERRITORY_FIPS == {"60", "66", "69", "72", "78"}
    assert labels.state("47") == labels.State("47", "TN", "Tennessee", True)
    assert labels.state("tn").fips == "47"
    assert labels.state("6").abbr == "CA"
    assert not labels.state("PR").is_state
    with pytest.raises(KeyError, match="unknown state"):
        labels.state("ZZ")
    frame = labels.states_frame()
    assert frame.loc["72", "state_abbr"] == "PR" and not frame.loc["72", "is_state"]
    assert frame["is_state"].sum() == 51


def test_scenario_outputs_are_one_list_with_labels():
    from iceberg.scenario.outputs import OUTPUTS

    assert set(OUTPUTS) == set(labels.SCENARIO_OUTPUTS)
    assert all(name in labels.METRICS for name in labels.SCENARIO_OUTPUTS)
    assert labels.is_scenario_output("displaced_wages_hidden_diff")
    assert labels.is_scenario_output("reskilled_workers")
    assert not labels.is_scenario_output("hidden_wages") and not labels.is_scenario_output("geoid")
    assert labels.base_metric("gdp_proxy_share_of_wage_bill") == "gdp_proxy"
