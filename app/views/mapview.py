"""The county choropleth: scenario, baseline, side by side or as a difference map.

Maps come from :func:`iceberg.maps.explore.explore` on the cached simplified geometry, with
classes fitted once on the baseline (so a scenario only recolours). ``st_folium`` returns only
``last_active_drawing``: panning and zooming never rerun the script; a click selects a county.
"""

from __future__ import annotations

import copy

import folium
import geopandas as gpd
import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from iceberg.maps.explore import explore
from views import fmt, timing
from views.data import AppResult, baseline_classes, get_bundle, web_geometry

MAP_HEIGHT = 540
_TOOLTIP_COLS = ("exposed_wages", "surface_wages", "hidden_wages", "top_hidden")


def map_frame(res: AppResult, metric: str, year: int | None, state_fips: str | None,
              other: AppResult | None = None) -> gpd.GeoDataFrame:
    """Web geometry joined with the metric (and ``metric_diff`` = res − other when given)."""
    geo = web_geometry()
    if state_fips is not None:
        geo = geo[geo["state_fips"].astype(str) == state_fips]
    values = res.county_values(year)
    cols = [c for c in (metric, *_TOOLTIP_COLS) if c in values.columns]
    frame = values[cols]
    if other is not None:
        before = other.county_values(year)
        metric_col = before[metric] if metric in before.columns else np.nan
        frame = frame.assign(**{f"{metric}_diff": values[metric] - metric_col})
    out = geo.merge(frame, left_on="geoid", right_index=True, how="left")
    if metric not in out.columns:
        out[metric] = np.nan
    out.attrs["web_layer"] = True
    return out


def _outlines(state_fips: str | None) -> gpd.GeoDataFrame:
    states = get_bundle().web_states
    if state_fips is not None:
        states = states[states["state_fips"].astype(str) == state_fips]
    return states


def build_map(res: AppResult, metric: str, year: int | None, state_fips: str | None, *,
              diff_against: AppResult | None = None, title: str | None = None,
              offline: bool = False):
    """A folium map of one metric (classes from the baseline; diverging for a difference).

    Built maps are cached per view; each call returns a fresh deep copy (rendering mutates a
    folium map), so clicks and toggles back to a seen view skip the build.
    """
    if not metric.startswith(_YEARLY):
        year = None  # technical metrics do not change over the years: one map for all
    key = (res.scenario_json, diff_against.scenario_json if diff_against is not None else None)
    m = _cached_map(key, metric, year, state_fips, title, offline, res, diff_against)
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
    m = explore(frame, column, classes=classes, layers=[column], states=_outlines(state_fips),
                title=title, subtitle=subtitle, simplified=True, offline=offline,
                height=MAP_HEIGHT)
    # one layer: the layer switcher only hides the map; the app's radio chooses the metric
    for k in [k for k, v in m._children.items() if isinstance(v, folium.LayerControl)]:
        del m._children[k]
    # a choropleth needs Leaflet only: jQuery, Bootstrap, Font Awesome and the marker plugin
    # are not loaded (fewer requests each time the map is redrawn, fewer CDNs to reach)
    m.default_js = [(n, u) for n, u in m.default_js if n == "leaflet"]
    m.default_css = [(n, u) for n, u in m.default_css if n == "leaflet_css"]
    return m


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


__all__ = ["MAP_HEIGHT", "build_map", "legend_items", "map_frame", "show"]
