"""Drill-down panel: which AI tools make an occupation or a county exposed, and the frontier.

Uses only the public API (:mod:`iceberg.tools`). Wire it into the drill-down with
``render(bundle, county=geoid)`` or ``render(bundle, occupation=code)`` when the scenario's layer
is ``tools`` or ``tools_and_labels``.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import iceberg.tools as tools_api

TOOL_LAYERS = ("tools", "tools_and_labels")


@st.cache_resource(show_spinner="Loading the tool catalogue matches…")
def _fit(_bundle, bundle_key: str):
    """The bundle's tools fit (matches come from the cache; a few seconds the first time)."""
    return tools_api.load_fit(_bundle)


@st.cache_data(max_entries=8, show_spinner=False)
def _frontier(_bundle, bundle_key: str) -> pd.DataFrame:
    fit = _fit(_bundle, bundle_key)
    return tools_api.frontier_table(fit, _bundle.exposure, _bundle.levels["nation"])


def _key(bundle) -> str:
    return str(getattr(bundle, "path", "") or id(bundle))


def _tools_frame(tools: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Tool": tools["tool"], "Registry": tools["registry"], "What it does": tools["summary"],
        "Released by": tools["month"], "Tasks matched": tools["tasks"],
        "Best similarity": tools["best_similarity"].round(3),
        "Share of evidence": (100 * tools["contribution"]).round(1).astype(str) + "%",
    })


def render(bundle, *, occupation: str | None = None, county: str | None = None,
           month: str | None = None, top: int = 10, show_frontier: bool = True) -> None:
    """Show the tools behind ``occupation`` (OEWS code) or ``county`` (FIPS) and the frontier.

    Parameters
    ----------
    bundle : iceberg.bundle.Bundle
    occupation, county : str, optional
        Exactly one of them.
    month : str, optional
        ``YYYY-MM``: only tools released by then.
    top : int
        Tools listed.
    show_frontier : bool
        Also draw the month-by-month chart of the national indices under the tools layer.
    """
    if "tools" not in bundle.exposure.layers:
        st.info("This data bundle has no tools layer (the AI tool catalogue was not in the data "
                "folder when it was built).")
        return
    key = _key(bundle)
    try:
        fit = _fit(bundle, key)
        if occupation is not None:
            table, tasks = tools_api.occupation_tools(bundle, occupation, top=top, month=month,
                                                      fit=fit)
            st.markdown(f"**Tools that match this occupation's tasks** (MCP servers on PyPI/npm, "
                        f"{'released by ' + month if month else 'whole catalogue'})")
        elif county is not None:
            table, tasks = tools_api.county_tools(bundle, county, top=top, month=month,
                                                  fit=fit), None
            st.markdown("**Tools behind this county's exposure** (weighted by its wage bill per "
                        "occupation)")
        else:
            st.warning("Select a county or an occupation to see the tools behind it.")
            return
    except ValueError as exc:
        st.warning(str(exc))
        return
    if table.empty:
        st.info("No tool in the catalogue matches these tasks.")
    else:
        st.dataframe(_tools_frame(table), hide_index=True, width="stretch")
    if tasks is not None and not tasks.empty:
        with st.expander("Tasks: capability under the tools layer and best-matching tool"):
            st.dataframe(pd.DataFrame({
                "Task": tasks["task"], "Weight": tasks["task_weight"].round(3),
                "Capability": tasks["capability"].round(2), "Best tool": tasks["best_tool"],
                "Similarity": tasks["similarity"].round(3)}), hide_index=True,
                width="stretch")
    st.caption("Similarity: cosine between the tool's summary and the task, DWA or IWA text "
               "(static wordllama embeddings). Share of evidence: the tool's share of task "
               "weight × capability × similarity. The catalogue covers MCP servers on PyPI and "
               "npm only — not Zapier, proprietary agents or physical tools.")
    if show_frontier:
        _frontier_chart(_frontier(bundle, key))


def _frontier_chart(frontier: pd.DataFrame) -> None:
    """Month-by-month national indices under the tools layer."""
    chart = frontier.set_index(pd.PeriodIndex(frontier["month"], freq="M").to_timestamp())
    st.markdown("**How the tools layer grew as tools appeared** (national, % of wages)")
    st.line_chart(100 * chart[["iceberg_index", "surface_index"]].rename(columns={
        "iceberg_index": "Iceberg index", "surface_index": "Visible index"}),
        y_label="% of national wages", x_label="Month (tools released by then)")
    st.caption("Tools are dated by their latest release in the snapshot (an upper bound on "
               "when they appeared) unless `iceberg tools fetch` recorded the first release; "
               "the calibration is held fixed.")

def panel(res, geoid: str) -> None:
    """Drill-down hook: the tools behind county ``geoid`` when the scenario uses a tools layer."""
    if res.scenario.layer not in TOOL_LAYERS:
        return
    from iceberg_app.views.data import get_bundle

    with st.expander("Which AI tools make this county exposed?", expanded=True):
        render(get_bundle(), county=geoid, show_frontier=False)
    with st.expander("How the tools layer grew month by month"):
        bundle = get_bundle()
        frontier = _frontier(bundle, _key(bundle))
        _frontier_chart(frontier)
