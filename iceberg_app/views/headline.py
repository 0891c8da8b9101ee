"""Headline cards: national or state figures, beside the Iceberg paper's reference values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from iceberg_app.views import fmt
from iceberg_app.views.data import AppResult

#: Reference figures of the Iceberg paper (national, averaging over states).
PAPER = {"iceberg_index": (0.117, 1.2e12), "surface_index": (0.022, 211e9)}
HELP = {
    "displaced_wages": "Substitution share × adopted exposed wages in that year; 'wkrs' are "
    "the worker-equivalents displaced.",
    "net_wage_impact": "Productivity gain + wages of reskilled workers in their new jobs − "
    "displaced wages.",
    "gdp_proxy": "Productivity gain − m × (displaced wages − reemployed wages); the formula is "
    "on the Methods page.",
    "reskilled_workers": "Trained workers who moved to a new occupation (cumulative), and the "
    "budget spent.",
}
CAVEAT = ("Exposure is technical capability — the share of wages paid for work AI could "
          "technically do — not a forecast of job loss.")


def geography_row(res: AppResult, fips: str | None) -> pd.Series | None:
    """Official figures of the nation (``fips`` None) or of one state."""
    if fips is None:
        return res.nation
    if fips in res.states.index:
        return res.states.loc[fips]
    return None


def _delta_pp(now: float, then: float) -> str | None:
    diff = (now - then) * 100
    return None if abs(diff) < 0.005 else f"{diff:+.1f} pp vs baseline"


def cards(res: AppResult, base: AppResult, fips: str | None, name: str, year: int | None) -> None:
    """Compact ``st.metric`` cards in two columns: technical exposure, then the scenario in ``year``.

    The grey line under each value carries the dollars and worker-equivalents (and, when the
    scenario differs from the baseline, the change).
    """
    row, brow = geography_row(res, fips), geography_row(base, fips)
    if row is None:
        st.info(f"No official figures for {name}.")
        return
    differs = res.scenario_json != base.scenario_json
    st.markdown(f"**{name[0].upper() + name[1:]}**")
    grid = st.columns(2)
    items = [
        ("iceberg_index", "exposed_wages", "exposed_workers", "Iceberg index (total)"),
        ("surface_index", "surface_wages", "surface_workers", "Visible (tech)"),
        ("hidden_index", "hidden_wages", "hidden_workers", "Hidden"),
    ]
    for i, (index, dollars, workers, title) in enumerate(items):
        line = f"{fmt.money(row[dollars])} · {fmt.count(row[workers])} wkrs"
        if differs and brow is not None and abs(row[index] - brow[index]) >= 5e-5:
            # the change and the dollars (the workers are in the help): a card fits ~22 characters
            line = f"{(row[index] - brow[index]) * 100:+.1f} pp · {fmt.money(row[dollars])}"
        grid[i % 2].metric(title, fmt.pct(row[index]), delta=line, delta_color="off",
                           delta_arrow="off", border=True,
                           help=f"{fmt.label(index)} in {name}: {fmt.money(row[dollars])} of a "
                           f"{fmt.money(row['wage_bill'])} wage bill; {fmt.count(row[workers])} "
                           "exposed worker-equivalents ('wkrs'); pp = change in percentage points "
                           "from the baseline.")
    grid[1].metric("Hidden multiple", f"{row['hidden_multiple']:.1f}×",
                   delta=f"{fmt.count(row['employment'])} jobs", delta_color="off",
                   delta_arrow="off", border=True,
                   help="Iceberg index ÷ surface index: exposure outside tech jobs for every unit "
                   "inside them.")
    if fips is None:
        st.caption(f"Iceberg paper (national): iceberg {PAPER['iceberg_index'][0]:.1%} ≈ "
                   f"{fmt.money(PAPER['iceberg_index'][1])}; surface "
                   f"{PAPER['surface_index'][0]:.1%} ≈ {fmt.money(PAPER['surface_index'][1])}. "
                   "Our capability layer differs from the paper's tool catalogue (see Methods).")

    if not res.has_scenario or year is None:
        st.caption("No adoption in this scenario (adoption ceiling 0): technical exposure only.")
        return
    level, key = ("nation", res.nation.name) if fips is None else ("state", fips)
    frame = res.scenario_at(level, year)
    bframe = base.scenario_at(level, year)
    if key not in frame.index:
        st.caption(f"{name} is outside the scenario's scope.")
        return
    s = frame.loc[key]
    b = bframe.loc[key] if key in bframe.index else None
    st.markdown(f"**Scenario in {year}**")
    grid = st.columns(2)
    specs = [
        ("displaced_wages", "Displaced wages", fmt.money,
         f"{fmt.count(s['displaced_workers'])} wkrs"),
        ("net_wage_impact", "Net wage impact", fmt.money, "net of gains"),
        ("gdp_proxy", "GDP proxy", fmt.money, "see Methods"),
        ("reskilled_workers", "Reskilled workers", fmt.count,
         f"cost {fmt.money(s['reskilling_cost'])}"),
    ]
    for i, (metric, title, f, note) in enumerate(specs):
        if differs and b is not None and abs(s[metric] - b[metric]) > 1e-9 * max(1.0, abs(b[metric])):
            change = f"{'+' if s[metric] >= b[metric] else ''}{f(s[metric] - b[metric])}"
            # a card fits ~22 characters: the change replaces a note that only points elsewhere
            note = f"{change} vs baseline" if metric in ("net_wage_impact", "gdp_proxy") \
                else f"{note} ({change})"
        grid[i % 2].metric(title, f(s[metric]), delta=note, delta_color="off", delta_arrow="off",
                           border=True, help=HELP[metric])
