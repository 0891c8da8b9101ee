"""Number formats for cards and tables (dollars up to trillions, percents, worker counts)."""

from __future__ import annotations

import math

from iceberg.maps import style


def money(value: float | None, digits: int = 1) -> str:
    """``$1.2T``, ``$211.0B``, ``$45.3M``, ``$12.0K``, ``$950``; ``–`` for missing."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if v >= div:
            return f"{sign}${v / div:,.{digits}f}{suffix}"
    return f"{sign}${v:,.0f}"


def pct(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(float(value)):
        return "–"
    return f"{float(value) * 100:.{digits}f}%"


def count(value: float | None) -> str:
    """Worker counts: ``23.0M``, ``412K``, ``1,234``."""
    if value is None or not math.isfinite(float(value)):
        return "–"
    v = float(value)
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.1f}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:,.0f}K"
    return f"{v:,.0f}"


def value(metric: str, v: float | None) -> str:
    """Format by the metric's unit (see :func:`iceberg.maps.style.unit_of`)."""
    unit = style.unit_of(metric)
    if unit == "dollars":
        return money(v)
    if unit == "percent":
        return pct(v)
    if unit == "count":
        return count(v)
    if unit == "multiple":
        return "–" if v is None or not math.isfinite(float(v)) else f"{float(v):.1f}×"
    return "–" if v is None else f"{float(v):,.3g}"


def label(metric: str) -> str:
    return style.metric_label(metric)
