"""Drill-down: one county's figures and occupations, and rankings of a state's counties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from iceberg_app.views import fmt
from iceberg_app.views.data import AppResult, Choices, county_occupations
from iceberg_app.views.headline import geography_row

_COMPARE = ("iceberg_index", "surface_index", "hidden_index", "hidden_multiple")


def comparison_table(res: AppResult, geoid: str, state_fips: str) -> pd.DataFrame:
    """The county beside its state (official OEWS) and the nation, formatted."""
    rows = {"County": res.counties.loc[geoid]}
    state = geography_row(res, state_fips)
    if state is not None:
        rows["State"] = state
    rows["Nation"] = res.nation
    table = pd.DataFrame({k: {m: v.get(m, np.nan) for m in (*_COMPARE, "exposed_wages",
                                                          "employment")}
                          for k, v in rows.items()}).T
    wage = {k: (v["wage_bill"] / v["employment"]) if v["employment"] else np.nan
            for k, v in rows.items()}
    out = pd.DataFrame(index=table.index)
    out["Iceberg index"] = [fmt.pct(v) for v in table["iceberg_index"]]
    out["Visible"] = [fmt.pct(v) for v in table["surface_index"]]
    out["Hidden"] = [fmt.pct(v) for v in table["hidden_index"]]
    out["Hidden multiple"] = [f"{v:.1f}×" for v in table["hidden_multiple"]]
    out["Exposed wages"] = [fmt.money(v) for v in table["exposed_wages"]]
    out["Jobs"] = [fmt.count(v) for v in table["employment"]]
    out["Mean wage"] = [fmt.money(wage[k], 0) for k in table.index]
    return out


def county_panel(res: AppResult, geoid: str, choices: Choices, year: int | None) -> None:
    """Everything about one county."""
    if geoid not in res.counties.index:
        st.warning("This county has no figures in the result.")
        return
    row = res.counties.loc[geoid]
    state_fips = choices.county_state.get(geoid, geoid[:2])
    st.subheader(choices.counties.get(geoid, geoid))
    st.caption(f"GEOID {geoid} · OEWS area: {row.get('oews_area_title', '–')} · jobs split from "
               f"the area by {str(row.get('allocation_method', '–')).replace('_', ' ')}")
    _data_quality(row)
    c = st.columns(5)
    c[0].metric("Iceberg index", fmt.pct(row["iceberg_index"]))
    c[1].metric("Visible", fmt.pct(row["surface_index"]))
    c[2].metric("Hidden", fmt.pct(row["hidden_index"]))
    c[3].metric("Exposed wages", fmt.money(row["exposed_wages"]))
    c[4].metric("Worker-equivalents", fmt.count(row["exposed_workers"]))
    if res.has_scenario and year is not None:
        s = res.scenario_at("county", year)
        if geoid in s.index:
            v = s.loc[geoid]
            st.markdown(
                f"**Scenario in {year}:** displaced wages {fmt.money(v['displaced_wages'])} "
                f"({fmt.count(v['displaced_workers'])} worker-equivalents), productivity gain "
                f"{fmt.money(v['productivity_gain'])}, reskilled workers "
                f"{fmt.count(v['reskilled_workers'])}, net wage impact "
                f"{fmt.money(v['net_wage_impact'])}, GDP proxy {fmt.money(v['gdp_proxy'])}.")
        else:
            st.caption("This county is outside the scenario's scope.")

    st.markdown("**Compared with its state and the nation**")
    st.dataframe(comparison_table(res, geoid, state_fips), width="stretch")

    occ = county_occupations(res.scenario_json, geoid)
    st.markdown("**The occupations behind its hidden exposure**")
    if occ.empty:
        st.caption("No occupation data for this county.")
        return
    hidden = occ[~occ["visible"]].sort_values("hidden_wages", ascending=False).head(15)
    total_hidden = float(occ["hidden_wages"].sum())
    table = pd.DataFrame({
        "Occupation": hidden["title"],
        "SOC": hidden["occ_code"],
        "Workers": hidden["workers"].round(0),
        "Exposure": hidden["exposure"] * 100,
        "Hidden $": hidden["hidden_wages"].round(0),
        "Share": 100 * hidden["hidden_wages"] / (total_hidden or 1.0),
    })
    # short headers and a bounded title column: every column fits the page (no side scroll)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Occupation": st.column_config.TextColumn(width="large"),
        "SOC": st.column_config.TextColumn(width="small"),
        "Workers": st.column_config.NumberColumn(format="%,.0f", width="small"),
        "Exposure": st.column_config.ProgressColumn(
            format="%.1f%%", min_value=0, max_value=100, width="small",
            help="Share of the occupation's wages AI could technically do"),
        "Hidden $": st.column_config.NumberColumn(
            format="$%,.0f", width="small", help="Hidden exposed wages in this county"),
        "Share": st.column_config.NumberColumn(
            format="%.1f%%", width="small", help="Share of the county's hidden exposure"),
    })
    _destinations(res, hidden["occ_code"].tolist())
    _extra_panels(res, geoid)


def _data_quality(row: pd.Series) -> None:
    """How much of the county's figure rests on estimates (issue 10's county columns)."""
    est, sig = row.get("estimated_share"), row.get("signal_share")
    if est is None and sig is None:
        return
    parts = []
    if est is not None and pd.notna(est):
        parts.append(f"**{fmt.pct(est, 0)}** of its jobs come from estimated (unpublished) "
                     "OEWS cells")
    if sig is not None and pd.notna(sig):
        parts.append(f"**{fmt.pct(sig, 0)}** are split to the county by the allocation "
                     "signal rather than published area data")
    if parts:
        st.caption("Data quality: " + "; ".join(parts) + " (see Methods: published and "
                   "estimated figures).")


def _extra_panels(res: AppResult, geoid: str) -> None:
    """Hook for further county panels: a module ``iceberg_app.views.tool_evidence`` with a
    ``panel(res, geoid)`` function (the AI tools layer) is shown here when it exists."""
    try:
        from iceberg_app.views import tool_evidence
    except ImportError:
        return
    tool_evidence.panel(res, geoid)


def _destinations(res: AppResult, origins: list[str]) -> None:
    st.markdown("**Where reskilled workers would go**")
    flows = res.flows
    if flows is None or flows.empty:
        st.caption("No reskilling in this scenario: set a reskilling budget (Reskilling levers) "
                   "to see the occupations trained workers move to.")
        return
    level = "county" if (flows["level"] == "county").any() else flows["level"].iloc[0]
    f = flows[(flows["level"] == level) & flows["from_occ"].isin(origins)]
    if f.empty:
        st.caption("The budget does not reach this county's most exposed occupations.")
        return
    share = f["workers"] / f.groupby("from_occ")["workers"].transform("sum")
    table = pd.DataFrame({"From": f["from_title"], "To": f["to_title"],
                          "Skill similarity": f["similarity"], "Share of moves from origin": 100 * share,
                          "Workers (all counties)": f["workers"]}).sort_values(
        "Workers (all counties)", ascending=False).head(20)
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "Skill similarity": st.column_config.NumberColumn(format="%.3f"),
        "Share of moves from origin": st.column_config.NumberColumn(format="%.0f%%"),
        "Workers (all counties)": st.column_config.NumberColumn(format="%,.0f"),
    })
    st.caption("Destinations are the most similar lower-exposure occupations (cosine similarity "
               "of O*NET skill and knowledge importance); workers are the scenario's moves from "
               "each origin occupation summed over all counties at the horizon year.")


def ranking(res: AppResult, metric: str, year: int | None, state_fips: str | None,
            choices: Choices) -> None:
    """Rank a state's counties (or, for the nation, the states) by the map metric."""
    if state_fips is None:
        frame = res.states.copy()
        if "is_state" in frame.columns:
            frame = frame[frame["is_state"].astype(bool)]
        if res.has_scenario and year is not None and metric not in frame.columns:
            frame = frame.join(res.scenario_at("state", year)[[metric]], how="left") \
                if metric in res.scenario_at("state", year).columns else frame
        names = frame["name"].astype(str)
        what = "states"
    else:
        frame = res.county_values(year)
        frame = frame[frame["state_fips"].astype(str) == state_fips]
        names = frame["name"].astype(str)
        what = f"counties of {choices.states.get(state_fips, state_fips)}"
    if metric not in frame.columns:
        st.caption(f"{fmt.label(metric)} is not available for this ranking.")
        return
    name = fmt.label(metric)
    unit = fmt.unit(metric)
    scale = 100.0 if unit in ("share", "pp") else 1.0
    col_fmt = {"share": "%.1f%%", "pp": "%.1f pp", "usd": "$%,.0f", "workers": "%,.0f",
               "ratio": "%.2f×"}.get(unit, "%.3g")
    # the ranked metric first, then the context columns it is not already
    context = {"iceberg_index": ("Iceberg index", 100.0, "%.1f%%"),
               "hidden_index": ("Hidden index", 100.0, "%.1f%%"),
               "exposed_wages": ("Exposed wages", 1.0, "$%,.0f"),
               "employment": ("Jobs", 1.0, "%,.0f")}
    columns = {"Name": names, name: frame[metric] * scale}
    config = {name: st.column_config.NumberColumn(format=col_fmt)}
    for col, (title, mult, f) in context.items():
        if col != metric and col in frame.columns:
            columns[title] = frame[col] * mult
            config[title] = st.column_config.NumberColumn(format=f)
    table = pd.DataFrame(columns).sort_values(name, ascending=False)
    table.insert(0, "Rank", np.arange(1, len(table) + 1))
    if "top_hidden" in frame.columns:
        table["Top hidden occupations"] = frame["top_hidden"].reindex(table.index)
    st.markdown(f"**Ranking of the {what} by {name[0].lower()}{name[1:]}**")
    st.dataframe(table, hide_index=True, width="stretch", height=360, column_config=config)
