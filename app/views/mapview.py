"""The county choropleth: scenario, baseline, side by side or as a difference map.

Maps come from :func:`iceberg.maps.explore.explore` on the polygons encoded once per server
(:func:`views.data.encoded_geometry`), with classes fitted once on the baseline: a scenario
change only encodes the values and colours. In the app the map has no title box (the page
carries the heading and the caveat) and loads Leaflet only; the exported HTML keeps the title.
``st_folium`` returns only ``last_active_drawing``: panning and zooming never rerun the script;
a click selects a county.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from iceberg.maps.explore import explore
from views import fmt, timing
from views.data import AppResult, baseline_classes, encoded_geometry, web_counties_meta

MAP_HEIGHT = 540
_TOOLTIP_COLS = ("exposed_wages", "surface_wages", "hidden_wages", "top_hidden")


def map_frame(res: AppResult, metric: str, year: int | None, state_fips: str | None,
              other: AppResult | None = None) -> pd.DataFrame:
    """The web layer's counties (no geometry) with the metric (and ``metric_diff`` = res −
    other when given) and the tooltip columns."""
    meta = web_counties_meta()
    if state_fips is not None:
        meta = meta[meta["state_fips"].astype(str) == state_fips]
    values = res.county_values(year)
    cols = [c for c in (metric, *_TOOLTIP_COLS) if c in values.columns]
    frame = values[cols]
    if other is not None:
        before = other.county_values(year)
        metric_col = before[metric] if metric in before.columns else np.nan
        frame = frame.assign(**{f"{metric}_diff": values[metric] - metric_col})
    out = meta.merge(frame, left_on="geoid", right_index=True, how="left")
    if metric not in out.columns:
        out[metric] = np.nan
    return out


def build_map(res: AppResult, metric: str, year: int | None, state_fips: str | None, *,
              diff_against: AppResult | None = None, title: str | None = None,
              offline: bool = False):
    """A folium map of one metric (classes from the baseline; diverging for a difference).

    ``offline`` makes the exported page: no basemap, with the title box (``title`` or the
    metric's name) and the caveat. Built maps are cached per view; each call returns a fresh
    deep copy (rendering mutates a folium map), so clicks and toggles back to a seen view skip
    the build.
    """
    if not metric.startswith(_YEARLY):
        year = None  # technical metrics do not change over the years: one map for all
    key = (res.scenario_json, diff_against.scenario_json if diff_against is not None else None)
    m = _cached_map(key, metric, year, state_fips, title if offline else None, offline, res,
                    diff_against)
    return copy.deepcopy(m)


_YEARLY = ("displaced", "net_", "gdp", "reskill", "productivity")


@st.cache_resource(max_entries=16, show_spinner=False)
def _cached_map(key, metric, year, state_fips, title, offline, _res, _diff):
    return _build_map(_res, metric, year, state_fips, _diff, title, offline)


def _build_map(res, metric, year, state_fips, diff_against, title, offline):
    frame = map_frame(res, metric, year, state_fips, other=diff_against)
    column = f"{metric}_diff" if diff_against is not None else metric
    classes = None if diff_against is not None else baseline_classes(metric)
    if frame[column].notna().sum() == 0:
        frame[column] = np.nan
    subtitle = f"Year {year}" if year is not None else None
    # one layer, no switcher: the app's radio chooses the metric; a choropleth needs Leaflet only
    return explore(frame, column, classes=classes, layers=[column], geometry=encoded_geometry(),
                   title=title, subtitle=subtitle, offline=offline, height=MAP_HEIGHT,
                   layer_control=False, assets="leaflet_only", title_box=offline,
                   legend_position="bottomleft")


def top_class_share(res: AppResult, metric: str, year: int | None,
                    state_fips: str | None) -> float:
    """Share of the mapped counties above the baseline's highest break (drawn in the darkest
    class), e.g. when a scenario lifts most counties past the baseline range."""
    classes = baseline_classes(metric)
    if classes is None or classes.k < 2:
        return 0.0
    frame = map_frame(res, metric, year if metric.startswith(_YEARLY) else None, state_fips)
    v = pd.to_numeric(frame[metric], errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    return float((v > classes.bins[-2]).mean()) if v.size else 0.0


def _on_click(key: str) -> None:
    """A county was clicked: select it for the drill-down (and the URL)."""
    value = st.session_state.get(key) or {}
    feature = value.get("last_active_drawing") or {}
    geoid = str(feature.get("id") or (feature.get("properties") or {}).get("geoid") or "")
    if len(geoid) == 5 and geoid.isdigit():
        st.session_state["county_pick"] = geoid


def show(m, key: str) -> None:
    """Render a map with streamlit-folium; a click only returns the clicked feature."""
    timing.mark(f"map {key} built")
    st_folium(m, key=key, height=MAP_HEIGHT, use_container_width=True,
              returned_objects=["last_active_drawing"], on_change=lambda: _on_click(key))
    timing.mark(f"map {key} sent")


def legend_items(res: AppResult, metric: str) -> list[tuple[str, str]]:
    """The legend of a metric (baseline classes) as ``(colour, label)`` pairs."""
    classes = baseline_classes(metric)
    return classes.legend_items() if classes is not None else []


def describe(metric: str) -> str:
    return fmt.label(metric)


__all__ = ["MAP_HEIGHT", "build_map", "legend_items", "map_frame", "show", "top_class_share"]
