"""Map classes, palettes, units and number formats (hand-checked values)."""

from __future__ import annotations

import numpy as np
import pytest

from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.classes import MapClasses


def test_quantile_classes_codes_and_missing():
    values = np.array([0.1, 0.2, 0.3, 0.4, np.nan])
    c = MapClasses.fit(values, "hidden_index", scheme="Quantiles", k=2)
    # median of the 4 finite values is 0.25; upper bound is the max
    assert c.bins == pytest.approx((0.25, 0.4))
    assert c.classify(values).tolist() == [0, 0, 1, 1, -1]
    # scenario values outside the baseline range still get a class (never dropped)
    assert c.classify([-1.0, 0.25, 0.26, 9.0]).tolist() == [0, 0, 1, 1]


def test_labels_have_units_and_open_ends():
    c = MapClasses.fit([0.05, 0.10, 0.15, 0.20], "hidden_index", scheme="EqualInterval", k=3)
    assert c.bins == pytest.approx((0.10, 0.15, 0.20))
    assert c.labels == ["≤ 10.0%", "10.0% – 15.0%", "> 15.0%"]
    dollars = MapClasses.fit([1e6, 2e9, 4e9], "exposed_wages", scheme="EqualInterval", k=2)
    assert dollars.labels == ["≤ $2.0B", "> $2.0B"]
    mult = MapClasses.fit([1.0, 2.0, 3.0], "hidden_multiple", scheme="EqualInterval", k=2)
    assert mult.labels == ["≤ 2.0×", "> 2.0×"]


def test_legend_ends_with_no_data_in_light_grey():
    c = MapClasses.fit(np.linspace(0, 1, 50), "iceberg_index", k=4)
    colour, label = c.legend_items()[-1]
    assert label == "No data" and colour == style.MISSING_COLOUR
    # light grey, never black: all channels equal and bright
    rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    assert len(set(rgb)) == 1 and rgb[0] > 180
    assert style.MISSING_COLOUR not in c.colours
    assert c.colours_for([np.nan, 0.0])[0] == style.MISSING_COLOUR


def test_fisher_jenks_separates_obvious_groups():
    rng = np.random.default_rng(1)
    values = np.concatenate([rng.normal(0.1, 0.005, 400), rng.normal(0.5, 0.005, 400)])
    c = MapClasses.fit(values, "hidden_index", scheme="FisherJenks", k=2)
    codes = c.classify(values)
    assert (codes[:400] == 0).all() and (codes[400:] == 1).all()
    assert c.bins[-1] == pytest.approx(values.max())


def test_fit_is_reproducible_and_round_trips():
    values = np.random.default_rng(3).gamma(2, 0.05, 1000)
    a = MapClasses.fit(values, "hidden_index", scheme="NaturalBreaks", k=5)
    b = MapClasses.fit(values, "hidden_index", scheme="NaturalBreaks", k=5)
    assert a == b
    assert MapClasses.from_dict(a.to_dict()) == a


def test_fewer_distinct_values_than_classes():
    c = MapClasses.fit([0.2, 0.2, 0.4], "hidden_index", scheme="Quantiles", k=5)
    assert c.k <= 2
    assert set(c.classify([0.2, 0.4]).tolist()) <= set(range(c.k))


def test_difference_classes_are_anchored_at_zero():
    values = np.array([-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0]) * 1e6
    d = MapClasses.fit_difference(values, "displaced_wages_diff", k=5)
    b = np.asarray(d.bins)
    assert d.k == 5 and d.scheme == "Diverging"
    # ε = 2% of the largest change (4e6) = 8e4; the changes beyond ε have magnitudes
    # [1,1,2,2,4,4]e6 whose median (the one break per side for k=5) is 2e6; mirrored
    assert b.tolist() == pytest.approx([-2e6, -8e4, 8e4, 2e6, 4e6])
    codes = d.classify(values)
    assert codes.tolist() == [0, 0, 1, 2, 3, 3, 4]
    assert codes[3] == 2  # zero change sits in the neutral (middle) class
    # the middle colour of an odd diverging palette is the pale "no change" one
    assert d.colours[2] == style.palette(style.DIVERGING, 5)[2]


def test_uniform_rise_is_never_neutral():
    # every county rises by 36% to 41% (a large uniform rise): before, the smallest quarter of
    # changes fell in the middle (white) class
    rise = np.linspace(0.36, 0.41, 101)
    d = MapClasses.fit_difference(rise, "iceberg_index_diff", k=7)
    codes = d.classify(rise)
    middle = d.k // 2
    assert d.k == 7 and (codes > middle).all()
    # ε = 0.02 × 0.41; breaks at the thirds of the rises: 36% + 5%/3 and 36% + 10%/3
    assert d.bins[middle] == pytest.approx(0.0082)
    assert d.bins[middle + 1:] == pytest.approx((0.36 + 0.05 / 3, 0.36 + 0.10 / 3, 0.41))
    assert d.bins[:middle] == pytest.approx((-(0.36 + 0.10 / 3), -(0.36 + 0.05 / 3), -0.0082))
    # a uniform fall reads as a fall
    assert (d.classify(-rise) < middle).all()
    # a change of a share is labelled in signed percentage points
    assert d.labels[middle] == "-0.8 pp – +0.8 pp"
    assert d.labels[-1] == "> +39.3 pp"
    assert d.format([0.012, -0.004, np.nan]).tolist() == ["+1.2 pp", "-0.4 pp", "No data"]


def test_neutral_class_width_and_all_zero_changes():
    values = np.array([-1.0, -0.01, 0.0, 0.01, 1.0])
    d = MapClasses.fit_difference(values, "hidden_index_diff", k=3, neutral=0.05)
    # one class per side and the neutral class (-0.05, 0.05]
    assert d.bins == pytest.approx((-0.05, 0.05, 1.0))
    assert d.classify(values).tolist() == [0, 1, 1, 1, 2]
    flat = MapClasses.fit_difference([0.0, 0.0, np.nan], "hidden_index_diff")
    assert flat.classify([0.0, 0.0, np.nan]).tolist() == [1, 1, -1]  # all "no change"
    dollars = MapClasses.fit_difference([-2e9, 5e8, 3e9], "displaced_wages_diff", k=3)
    assert dollars.format([3e9, -2e9]).tolist() == ["+$3.0B", "-$2.0B"]


def test_bad_scheme_and_empty_values_raise():
    with pytest.raises(IcebergDataError, match="scheme"):
        MapClasses.fit([0.1, 0.2, 0.3], "hidden_index", scheme="NoSuchScheme", k=2)
    with pytest.raises(IcebergDataError, match="no finite values"):
        MapClasses.fit([np.nan, np.nan], "hidden_index")


def test_formats_and_units():
    from iceberg import labels

    assert labels.unit("hidden_index") == "share"
    assert labels.unit("displaced_wages_hidden") == "usd"
    assert labels.unit("reskilling_cost") == "usd"
    assert labels.unit("exposed_workers") == "workers"
    assert labels.unit("hidden_multiple") == "ratio"
    out = labels.format_unit("share", [0.1234, np.nan]).tolist()
    assert out == ["12.3%", "No data"]
    assert labels.format_unit("usd", [1.25e9, 4.5e7, -3.2e3, 12.0]).tolist() == [
        "$1.2B", "$45.0M", "-$3.2K", "$12"]
    assert labels.format_unit("workers", [12345.6]).tolist() == ["12,346"]
    # classes saved before iceberg.labels (app URL state) keep working
    old = {"metric": "hidden_index", "scheme": "Quantiles", "bins": [0.1, 0.2],
           "colours": ["#000000", "#ffffff"], "unit": "percent"}
    assert MapClasses.from_dict(old).unit == "share"


def test_palettes_are_distinct_hex():
    for name in style.SEQUENTIAL_PALETTES:
        cols = style.palette(name, 5)
        assert len(set(cols)) == 5 and all(c.startswith("#") and len(c) == 7 for c in cols)
