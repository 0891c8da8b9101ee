"""Number formats and metric names for cards and tables: thin wrappers of :mod:`iceberg.labels`
(the one home of every metric's label, unit and format)."""

from __future__ import annotations

from iceberg import labels


def money(value: float | None, digits: int = 1) -> str:
    """``$1.2T``, ``$211.0B``, ``$45.3M``, ``$12.0K``, ``$950``; ``–`` for missing."""
    return str(labels.format_unit("usd", [value], digits=digits, missing="–")[0])


def pct(value: float | None, digits: int = 1) -> str:
    return str(labels.format_unit("share", [value], digits=digits, missing="–")[0])


def count(value: float | None) -> str:
    """Worker counts: ``23.0M``, ``412,345``."""
    return str(labels.format_unit("workers", [value], missing="–")[0])


def value(metric: str, v: float | None) -> str:
    """Format by the metric's unit (see :func:`iceberg.labels.format_value`)."""
    return labels.format_value(metric, v)


def label(metric: str) -> str:
    return labels.label(metric)


def unit(metric: str) -> str:
    return labels.unit(metric)
