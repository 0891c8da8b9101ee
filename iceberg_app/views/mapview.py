"""The county choropleth of the sandbox: scenario, baseline, side by side or as a difference.

Drawn by the components v2 map of :mod:`iceberg_app.views.countymap`: the shapes reach the page once, and
each view, year, metric or lever change sends only the class of each county, the colours, the
tooltip values and the legend. Classes are fitted once on the baseline, so a darker county
really moved; a difference map gets diverging classes centred on zero.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st

from iceberg_app.views import countymap, fmt, timing
from iceberg_app.views.data import (
    AppResult,
    baseline_classes,
    difference_classes,
    get_bundle,
    get_choices,
)

MAP_HEIGHT = countymap.MAP_HEIGHT
#: Above this share of estimated (unpublished) jobs a county is hatched when asked for.
ESTIMATED_HATCH = 0.5


@st.cache_resource(show_spinner="Preparing the county shapes (once per server)…")
def geometry() -> countymap.Geometry:
    """County polygons and state borders encoded once for every session."""
    bundle = get_bundle()
    return countymap.build_geometry(bundle.web_counties, bundle.web_states,
                                    pd.Series(get_choices().counties))


def is_yearly(metric: str) -> bool:
    """Scenario outputs change over the years; technical metrics do not."""
    return metric.startswith(("displaced", "net_", "gdp", "reskill", "productivity"))


def map_values(res: AppResult, metric: str, year: int | None,
               other: AppResult | None = None) -> pd.Series:
    """The mapped value of every county (``res − other`` when ``other`` is given)."""
    values = res.county_values(year if is_yearly(metric) else None)
    v = pd.to_numeric(values[metric], errors="coerce") if metric in values else \
        pd.Series(np.nan, index=values.index)
    if other is not None:
        before = other.county_values(year if is_yearly(metric) else None)
        b = pd.to_numeric(before[metric], errors="coerce") if metric in before else np.nan
        v = v - b
    return v


def paint(res: AppResult, metric: str, year: int | None, *,
          diff_against: AppResult | None = None) -> dict:
    """The paint of one view (see :func:`iceberg_app.views.countymap.paint_payload`)."""
    ids = geometry().ids
    values = map_values(res, metric, year, diff_against)
    label = fmt.label(metric)
    if diff_against is not None:
        classes = difference_classes(values, f"{metric}_diff")
        base = map_values(diff_against, metric, year)
        extra = "Baseline " + pd.Series(classes_text(metric, base), index=base.index)
        return countymap.paint_payload(ids, values, classes, f"Change in {label[0].lower()}"
                                       f"{label[1:]} (scenario − baseline)", extra=extra)
    classes = baseline_classes(metric)
    if classes is None:  # a flat baseline: classes of the values shown
        classes = difference_classes(values, metric, sequential=True)
    return countymap.paint_payload(ids, values, classes, label)


def classes_text(metric: str, values: pd.Series) -> np.ndarray:
    return np.array([fmt.value(metric, v) for v in values.to_numpy()], dtype=object)


def _pick_county(geoid: str) -> None:
    st.session_state["county_pick"] = geoid
    st.session_state["county_clicked"] = True  # the page reruns whole so the search box follows


def show(res: AppResult, metric: str, year: int | None, state_fips: str | None, key: str, *,
         diff_against: AppResult | None = None, hatch: bool = False,
         on_drawn: Callable[[], None] | None = None) -> None:
    """Draw (or repaint) one map; a click selects the county for the drill-down. With
    ``on_drawn``, the browser signals once it has drawn the map (a rerun, this callback first)."""
    timing.mark(f"map {key} start")
    geometry()
    timing.mark(f"map {key} geometry")
    share = res.counties.get("estimated_share", None)
    countymap.show(geometry(), paint(res, metric, year, diff_against=diff_against), key=key,
                   focus=state_fips, on_click=_pick_county,
                   hatch=countymap.hatch_payload(geometry().ids, share, ESTIMATED_HATCH, hatch),
                   on_drawn=on_drawn)
    timing.mark(f"map {key} sent")


def top_class_share(res: AppResult, metric: str, year: int | None,
                    state_fips: str | None) -> float:
    """Share of the mapped counties above the baseline's highest break (drawn in the darkest
    class), e.g. when a scenario lifts most counties past the baseline range."""
    classes = baseline_classes(metric)
    if classes is None or classes.k < 2:
        return 0.0
    v = map_values(res, metric, year)
    if state_fips is not None:
        v = v[v.index.str[:2] == state_fips]
    v = v.to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float((v > classes.bins[-2]).mean()) if v.size else 0.0


__all__ = ["MAP_HEIGHT", "geometry", "map_values", "paint", "show", "top_class_share"]
