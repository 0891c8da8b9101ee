"""Headline cards: national or state figures, beside the Iceberg paper's reference values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from views import fmt
from views.data import AppResult

#: Reference figures of the Iceberg paper (national, averaging over states).
PAPER = {"iceberg_index": (0.117, 1.2e12), "surface_index": (0.022, 211e9)}
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
    """Two rows of ``st.metric`` cards: technical exposure, then the scenario in ``year``."""
    row, brow = geography_row(res, fips), geography_row(base, fips)
    if row is None:
        st.info(f"No official figures for {name}.")
        return
    differs = res.scenario_json != base.scenario_json
    cols = st.columns(4)
    items = [
        ("iceberg_index", "exposed_wages", "Iceberg index (total)"),
        ("surface_index", "surface_wages", "Visible (surface: tech jobs)"),
        ("hidden_index", "hidden_wages", "Hidden (below the waterline)"),
    ]
    for col, (index, dollars, title) in zip(cols, items):
        delta = _delta_pp(row[index], brow[index]) if differs and brow is not None else None
        col.metric(title, fmt.pct(row[index]), delta=delta, delta_color="off", border=True,
                   help=f"{fmt.label(index)} in {name}.")
        workers = {"iceberg_index": "exposed_workers", "surface_index": "surface_workers",
                   "hidden_index": "hidden_workers"}[index]
        col.caption(f"**{fmt.money(row[dollars])}** of wages · {fmt.count(row[workers])} "
                    "worker-equivalents")
        if fips is None and index in PAPER:
            p, d = PAPER[index]
            col.caption(f"Iceberg paper: {p:.1%} ≈ {fmt.money(d)}")
    cols[3].metric("Hidden multiple", f"{row['hidden_multiple']:.1f}×", border=True,
                   help="Iceberg index ÷ surface index: how much exposure sits outside tech jobs "
                   "for every unit inside them.")
    cols[3].caption(f"Wage bill {fmt.money(row['wage_bill'])} · {fmt.count(row['employment'])} jobs")
    if fips is None:
        cols[3].caption(f"Iceberg paper: {0.117 / 0.022:.1f}×")

    if not res.has_scenario or year is None:
        return
    level, key = ("nation", res.nation.name) if fips is None else ("state", fips)
    frame = res.scenario_at(level, year)
    bframe = base.scenario_at(level, year)
    if key not in frame.index:
        st.caption(f"{name} is outside the scenario's scope.")
        return
    s = frame.loc[key]
    b = bframe.loc[key] if key in bframe.index else None
    cols = st.columns(4)
    specs = [
        ("displaced_wages", "Displaced wages", fmt.money, f"{fmt.count(s['displaced_workers'])} "
         "worker-equivalents displaced"),
        ("net_wage_impact", "Net wage impact", fmt.money,
         "productivity gain + reemployed wages − displaced wages"),
        ("gdp_proxy", "Local GDP proxy", fmt.money, "see Methods for the formula"),
        ("reskilled_workers", "Reskilled workers", fmt.count,
         f"cost {fmt.money(s['reskilling_cost'])}"),
    ]
    for col, (metric, title, f, note) in zip(cols, specs):
        delta = None
        if differs and b is not None and abs(s[metric] - b[metric]) > 1e-9 * max(1.0, abs(b[metric])):
            delta = f"{f(s[metric] - b[metric])} vs baseline"
        col.metric(f"{title} ({year})", f(s[metric]), delta=delta, delta_color="off", border=True)
        col.caption(note)
