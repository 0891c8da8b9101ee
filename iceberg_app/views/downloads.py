"""Take it away: the current map (PNG, SVG, PDF, self-contained HTML), tables, the scenario.

Files are made only when a download button is pressed (``st.download_button`` with a
callable): the page never waits for a 300 dpi map nobody asked for. The callables get plain
data captured here, because they run outside the script thread; they write through the
public :class:`iceberg.Result` methods (``export_map``, ``export_table``) into a buffer.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import streamlit as st

from iceberg import MapClasses
from iceberg_app.views.data import AppResult, baseline_classes, full_result, get_bundle

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "html": "text/html", "csv": "text/csv", "parquet": "application/octet-stream",
        "json": "application/json"}


def _map_bytes(scenario_json: str, metric: str, fmt: str, state: str | None, year: int | None,
               diff_json: str | None, classes: MapClasses | None) -> Callable[[], bytes]:
    """The map file, made (joined to the full-resolution polygons) only when asked for."""
    def make() -> bytes:
        res = full_result(scenario_json)
        other = full_result(diff_json) if diff_json else None
        buf = io.BytesIO()
        res.export_map(metric, buf, format=fmt, state=state, year=year, diff_against=other,
                       classes=classes)
        return buf.getvalue()
    return make


def _table_bytes(scenario_json: str, fmt: str, **kwargs) -> Callable[[], bytes]:
    def make() -> bytes:
        buf = io.BytesIO()
        full_result(scenario_json).export_table(buf, format=fmt, **kwargs)
        return buf.getvalue()
    return make


def panel(res: AppResult, metric: str, column: str, year: int | None, state_fips: str | None,
          state_abbr: str | None, diff_against: AppResult | None) -> None:
    """Download buttons for the current map, the tables, the scenario and its provenance."""
    yearly = metric.startswith(("displaced", "net_", "gdp", "reskill", "productivity"))
    year_shown = year if yearly else None
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
    cols[0].download_button("Counties CSV", _table_bytes(res.scenario_json, "csv", year=year,
                                                         state=state_fips),
                            file_name=f"{stem}_counties.csv", mime=MIME["csv"], key="dl.csv",
                            on_click="ignore", width="stretch")
    cols[1].download_button("Counties GeoParquet",
                            _table_bytes(res.scenario_json, "parquet", year=year,
                                         state=state_fips, geometry=True),
                            file_name=f"{stem}_counties.parquet", mime=MIME["parquet"],
                            key="dl.gpq", on_click="ignore", width="stretch")
    cols[2].download_button("States CSV", _table_bytes(res.scenario_json, "csv", level="state"),
                            file_name="iceberg_states.csv", mime=MIME["csv"], key="dl.states",
                            on_click="ignore", width="stretch")
    cols[3].download_button("Provenance (JSON)", json.dumps(provenance, indent=2, default=str),
                            file_name=f"{stem}.provenance.json", mime=MIME["json"],
                            key="dl.prov", on_click="ignore", width="stretch")
    st.markdown("**Scenario**")
    st.caption(res.notes.get("subtitle", ""))
    st.download_button("Download scenario (JSON)", res.scenario.to_json(),
                       file_name="scenario.json", mime=MIME["json"], key="dl.scenario",
                       on_click="ignore")
    st.caption("Upload it again from the sidebar, or share this page's address: the link "
               "carries every lever.")
