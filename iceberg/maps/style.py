"""Colours, units, labels and number formats shared by the web and the print maps.

One place decides how a metric is named, which unit it carries and how its numbers read, so
the tooltip, the legend, the static map and the app all say the same thing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Colour of counties without a value ("No data"): light grey, never black.
MISSING_COLOUR = "#cfcfcf"
#: County borders (thin, white so classes read as areas) and state outlines.
COUNTY_EDGE = "#ffffff"
STATE_EDGE = "#3a3a3a"
#: Default sequential palette (ColorBrewer YlGnBu: colour-blind safe, prints well in grey).
SEQUENTIAL = "YlGnBu"
#: Palettes offered for one-signed metrics (all colour-blind safe).
SEQUENTIAL_PALETTES = ("YlGnBu", "viridis", "cividis", "PuBu", "YlOrBr")
#: Diverging palette for differences (scenario - baseline); colour-blind safe.
DIVERGING = "PuOr_r"

SUBTITLE_CAVEAT = "Exposure is technical capability, not a forecast of job loss."
ATTRIBUTION = (
    "Sources: O*NET 29.3 (U.S. DOL/ETA, CC BY 4.0), BLS OEWS May 2025, "
    "U.S. Census Bureau boundaries; exposure = technical capability, not a forecast."
)

METRIC_LABELS: dict[str, str] = {
    "iceberg_index": "Iceberg index (share of wages exposed)",
    "surface_index": "Visible index (exposed wages in tech occupations)",
    "hidden_index": "Hidden index (exposed wages outside tech)",
    "hidden_multiple": "Hidden multiple (hidden / visible exposed wages)",
    "exposed_wages": "Exposed wages",
    "surface_wages": "Visible exposed wages",
    "hidden_wages": "Hidden exposed wages",
    "wage_bill": "Wage bill",
    "exposed_workers": "Exposed workers (wage-weighted)",
    "surface_workers": "Visible exposed workers",
    "hidden_workers": "Hidden exposed workers",
    "employment": "Employment",
    "displaced_wages": "Displaced wages",
    "displaced_workers": "Displaced workers",
    "augmented_wages": "Augmented wages",
    "productivity_gain": "Productivity gain",
    "reskilled_workers": "Reskilled workers",
    "reskilling_cost": "Reskilling cost",
    "net_wage_impact": "Net wage impact",
    "gdp_proxy": "GDP proxy",
}

#: Short names for layer toggles and tooltip rows.
SHORT_LABELS: dict[str, str] = {
    "iceberg_index": "Total (iceberg)",
    "surface_index": "Visible (surface)",
    "hidden_index": "Hidden",
    "hidden_multiple": "Hidden multiple",
}

_DOLLAR_STEMS = ("_wages", "_cost", "_gain", "_impact", "gdp_proxy", "wage_bill")
_COUNT_STEMS = ("_workers", "employment")


def unit_of(metric: str) -> str:
    """The unit of a metric column: ``"percent"``, ``"dollars"``, ``"multiple"`` or ``"count"``.

    Parameters
    ----------
    metric : str
        Column name of the county result layer (a ``*_visible`` / ``*_hidden`` / ``*_diff``
        suffix is ignored).

    Returns
    -------
    str
    """
    stem = metric
    for suffix in ("_diff", "_visible", "_hidden"):
        stem = stem.removesuffix(suffix)
    if stem.endswith(("_index", "_share")):
        return "percent"
    if stem.endswith("_multiple"):
        return "multiple"
    if stem.endswith(_DOLLAR_STEMS) or stem in _DOLLAR_STEMS:
        return "dollars"
    if stem.endswith(_COUNT_STEMS) or stem in _COUNT_STEMS:
        return "count"
    return "plain"


def metric_label(metric: str) -> str:
    """Human-readable name of a metric (falls back to the column name, tidied)."""
    if metric in METRIC_LABELS:
        return METRIC_LABELS[metric]
    for suffix, word in (("_diff", "change in "), ("_visible", "visible "), ("_hidden", "hidden ")):
        if metric.endswith(suffix):
            base = metric.removesuffix(suffix)
            return f"{word.capitalize()}{metric_label(base)[0].lower()}{metric_label(base)[1:]}"
    return metric.replace("_", " ").capitalize()


def short_label(metric: str) -> str:
    """Short name used for layer toggles."""
    return SHORT_LABELS.get(metric, metric_label(metric))


def _scaled(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Divide by 1e9 / 1e6 / 1e3 and give the matching suffix, per value."""
    mag = np.abs(values)
    div = np.select([mag >= 1e9, mag >= 1e6, mag >= 1e3], [1e9, 1e6, 1e3], 1.0)
    suffix = np.select([mag >= 1e9, mag >= 1e6, mag >= 1e3], ["B", "M", "K"], "")
    return values / div, suffix


def format_values(values, unit: str, *, digits: int = 1, missing: str = "No data") -> np.ndarray:
    """Format numbers for people: ``12.3%``, ``$1.2B``, ``$45M``, ``2.4×``, ``12,345``.

    Parameters
    ----------
    values : array-like of float
        Raw values (indices as fractions in [0, 1], dollars as dollars).
    unit : str
        One of ``"percent"``, ``"dollars"``, ``"multiple"``, ``"count"``, ``"plain"``.
    digits : int
        Decimals shown.
    missing : str
        Text for NaN.

    Returns
    -------
    numpy.ndarray of str
    """
    v = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype="float64")
    nan = ~np.isfinite(v)
    safe = np.where(nan, 0.0, v)
    if unit == "percent":
        out = np.char.add(np.char.mod(f"%.{digits}f", safe * 100.0), "%")
    elif unit == "dollars":
        scaled, suffix = _scaled(safe)
        sign = np.where(safe < 0, "-", "")
        body = np.char.mod(f"%.{digits}f", np.abs(scaled))
        # whole dollars below $1K need no decimals
        body = np.where(suffix == "", np.char.mod("%.0f", np.abs(scaled)), body)
        out = np.char.add(np.char.add(np.char.add(sign, "$"), body), suffix)
    elif unit == "multiple":
        out = np.char.add(np.char.mod(f"%.{digits}f", safe), "×")
    elif unit == "count":
        out = np.array([f"{x:,.0f}" for x in safe], dtype=object).astype(str)
    else:
        out = np.char.mod("%.3g", safe)
    out = np.asarray(out, dtype=object)
    out[nan] = missing
    return out.astype(str)


def format_value(value: float, unit: str, *, digits: int = 1) -> str:
    """Format one number (see :func:`format_values`)."""
    return str(format_values([value], unit, digits=digits)[0])


def palette(name: str, k: int) -> list[str]:
    """``k`` hex colours sampled from a matplotlib colormap.

    Sequential maps are sampled from 15% to 100% so the lightest class stays distinct from
    the white county borders and the grey "No data" colour.
    """
    import matplotlib
    from matplotlib.colors import to_hex

    cmap = matplotlib.colormaps[name]
    if k == 1:
        return [to_hex(cmap(0.6))]
    diverging = name.removesuffix("_r") in {"PuOr", "RdBu", "BrBG", "PiYG", "PRGn", "RdYlBu"}
    lo, hi = (0.05, 0.95) if diverging else (0.15, 1.0)
    return [to_hex(cmap(x)) for x in np.linspace(lo, hi, k)]
