"""Take it away: the current map (PNG, SVG, PDF, self-contained HTML), tables, the scenario.

Files are made only when a download button is pressed (``st.download_button`` with a
callable): the page never waits for a 300 dpi map nobody asked for. The callables get plain
data captured here, because they run outside the script thread.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

import iceberg
from iceberg import Scenario
from iceberg.export import export_table
from iceberg.maps.classes import MapClasses
from views.data import AppResult, baseline_classes, get_bundle, get_choices

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "html": "text/html", "csv": "text/csv", "parquet": "application/octet-stream",
        "json": "application/json"}


def _map_bytes(scenario_json: str, metric: str, fmt: str, state: str | None, year: int | None,
               diff_json: str | None, classes: MapClasses | None) -> Callable[[], bytes]:
    """The map file, made (a full run, joined to the polygons) only when asked for."""
    def make() -> bytes:
        bundle = get_bundle()
        res = iceberg.run(bundle, Scenario.from_json(scenario_json))
        other = iceberg.run(bundle, Scenario.from_json(diff_json)) if diff_json else None
        buf = io.BytesIO()
        res.export_map(metric, buf, format=fmt, state=state, year=year, diff_against=other,
                       classes=classes)
        return buf.getvalue()
    return make


def _table_bytes(frame: pd.DataFrame | Callable[[], pd.DataFrame], fmt: str,
                 provenance: dict) -> Callable[[], bytes]:
    def make() -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"table.{fmt}"
            export_table(frame() if callable(frame) else frame, path, provenance=provenance)
            return path.read_bytes()
    return make


def county_table(res: AppResult, year: int | None, state_fips: str | None,
                 geometry: bool) -> pd.DataFrame:
    """The county results (technical metrics + the scenario in ``year``), optionally with geometry."""
    values = res.county_values(year).reset_index().rename(columns={"index": "geoid"})
    if state_fips is not None:
        values = values[values["state_fips"].astype(str) == state_fips].reset_index(drop=True)
    if not geometry:
        return values
    geo = get_bundle().counties[["geoid", "geometry"]]
    return gpd.GeoDataFrame(values.merge(geo, on="geoid", how="left"), geometry="geometry",
                            crs=get_bundle().counties.crs)


def rater_used(sc) -> str:
    """The variant the model uses: the scenario's rater when the layer offers it, else the
    layer's mean variant (as ``ExposureModel`` resolves it)."""
    variants = get_choices().layer_variants.get(sc.layer, ())
    if sc.rater in variants or not variants:
        return sc.rater
    return "mean" if "mean" in variants else variants[0]


def subtitle_of(res: AppResult, year: int | None) -> str:
    sc = res.scenario
    text = f"Scenario “{sc.name}”: layer {sc.layer} ({rater_used(sc)}), λ={sc.tool_frontier:g}"
    if res.has_scenario:
        text += (f", adoption ceiling {sc.adoption_ceiling:.0%}, substitution "
                 f"{sc.substitution_share:.0%}" + (f", year {year}" if year else ""))
    return text


def panel(res: AppResult, metric: str, column: str, year: int | None, state_fips: str | None,
          state_abbr: str | None, diff_against: AppResult | None) -> None:
    """Download buttons for the current map, the tables, the scenario and its provenance."""
    yearly = metric.startswith(("displaced", "net_", "gdp", "reskill", "productivity"))
    if not yearly:
        year_shown = None
    else:
        year_shown = year
    stem = f"iceberg_{column}" + (f"_{state_abbr}" if state_abbr else "_us") + (
        f"_{year_shown}" if year_shown else "")
    provenance = {"scenario": json.loads(res.scenario_json),
                  "sources": get_bundle().provenance.to_dict().get("sources", {}),
                  "view": {"metric": column, "year": year, "state": state_abbr}}
    st.markdown("**Current map**")
    classes = None if diff_against is not None else baseline_classes(metric)
    diff_json = diff_against.scenario_json if diff_against is not None else None
    cols = st.columns(4)
    for col, fmt, label in zip(cols, ("png", "svg", "pdf", "html"),
                               ("PNG", "SVG", "PDF", "HTML (offline)")):
        col.download_button(label, _map_bytes(res.scenario_json, metric, fmt, state_abbr,
                                              year_shown, diff_json, classes),
                            file_name=f"{stem}.{fmt}", mime=MIME[fmt], key=f"dl.map.{fmt}",
                            on_click="ignore", width="stretch")
    st.markdown("**Tables**" + (" (the chosen state's counties)" if state_fips else ""))
    cols = st.columns(4)
    flat = county_table(res, year, state_fips, geometry=False)
    def geo() -> gpd.GeoDataFrame:
        return county_table(res, year, state_fips, geometry=True)

    cols[0].download_button("Counties CSV", _table_bytes(flat, "csv", provenance),
                            file_name=f"{stem}_counties.csv", mime=MIME["csv"], key="dl.csv",
                            on_click="ignore", width="stretch")
    cols[1].download_button("Counties GeoParquet", _table_bytes(geo, "parquet", provenance),
                            file_name=f"{stem}_counties.parquet", mime=MIME["parquet"],
                            key="dl.gpq", on_click="ignore", width="stretch")
    states = res.states.reset_index()
    cols[2].download_button("States CSV", _table_bytes(states, "csv", provenance),
                            file_name="iceberg_states.csv", mime=MIME["csv"], key="dl.states",
                            on_click="ignore", width="stretch")
    cols[3].download_button("Provenance (JSON)", json.dumps(provenance, indent=2, default=str),
                            file_name=f"{stem}.provenance.json", mime=MIME["json"],
                            key="dl.prov", on_click="ignore", width="stretch")
    st.markdown("**Scenario**")
    sc = res.scenario
    st.download_button("Download scenario (JSON)", sc.to_json(), file_name="scenario.json",
                       mime=MIME["json"], key="dl.scenario", on_click="ignore")
    st.caption("Upload it again from the sidebar, or share this page's address: the link "
               "carries every lever.")
