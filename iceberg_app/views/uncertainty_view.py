"""P10–P90 bands over the years for the selected geography (Monte Carlo over lever ranges)."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import streamlit as st

from iceberg import MC_OUTPUTS
from iceberg_app.views import fmt, levers
from iceberg_app.views.data import AppResult, bands

#: Levers offered a range, with the half-width of the default range around the scenario value.
RANGE_LEVERS = {"adoption_ceiling": 0.2, "substitution_share": 0.1, "years_to_half": 2.0,
                "productivity_rate": 0.1, "tool_frontier": 0.1}


def default_ranges(res: AppResult) -> dict[str, tuple[float, float]]:
    sc = res.scenario
    out = {}
    for lever, half in RANGE_LEVERS.items():
        low, high = levers.bounds(lever)
        v = float(getattr(sc, lever))
        out[lever] = (round(max(low, v - half), 4), round(min(high, v + half), 4))
    return out


def panel(res: AppResult, level: str, gid: str, name: str, year: int | None = None) -> None:
    """Range sliders, then the band chart of one output for ``gid`` at ``level``."""
    if not res.has_scenario:
        st.info("Uncertainty bands need adoption: set an adoption ceiling above 0 and Apply.")
        return
    ss = st.session_state
    defaults = default_ranges(res)
    if ss.get("mc.for") != res.scenario_json:  # new scenario: ranges around its levers
        ss["mc.for"] = res.scenario_json
        for lever, rng in defaults.items():
            ss[f"mc.{lever}"] = rng
    with st.expander("Lever ranges drawn (uniform, 300 draws, seed 0)"):
        cols = st.columns(len(RANGE_LEVERS))
        for col, lever in zip(cols, RANGE_LEVERS):
            low, high = levers.bounds(lever)
            col.slider(levers.LABELS[lever], min_value=low, max_value=high,
                       step=levers.STEPS[lever], key=f"mc.{lever}")
    ranges = {lever: tuple(float(x) for x in ss[f"mc.{lever}"]) for lever in RANGE_LEVERS}
    output = st.selectbox("Output", MC_OUTPUTS, key="mc.output", format_func=fmt.label)
    try:
        frame = bands(res.scenario_json, json.dumps(ranges, sort_keys=True), level)
    except ValueError as exc:
        st.warning(f"Could not draw the bands: {exc}")
        return
    if gid not in frame.index.get_level_values("id"):
        st.caption(f"{name} is outside the scenario's scope.")
        return
    sub = frame.xs(gid, level="id").reset_index()
    data = pd.DataFrame({"year": sub["year"].astype(int), "p10": sub[f"{output}_p10"],
                         "p50": sub[f"{output}_p50"], "p90": sub[f"{output}_p90"]})
    dollars = output not in ("displaced_workers", "reskilled_workers")
    top = float(data[["p10", "p50", "p90"]].abs().to_numpy().max() or 1.0)
    if dollars:
        scale, unit = next(((d, u) for d, u in ((1e9, "$ billion"), (1e6, "$ million"),
                                                 (1e3, "$ thousand")) if top >= d), (1.0, "$"))
    else:
        scale, unit = (1e3, "thousand workers") if top >= 1e3 else (1.0, "workers")
    for c in ("p10", "p50", "p90"):
        data[c] = data[c] / scale
    base = alt.Chart(data).encode(x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)))
    band = base.mark_area(opacity=0.3, color="#2c7fb8").encode(
        y=alt.Y("p10:Q", title=f"{fmt.label(output)} ({unit})"), y2="p90:Q")
    line = base.mark_line(point=True, color="#253494").encode(
        y="p50:Q", tooltip=["year", alt.Tooltip("p10:Q", format=",.2f"),
                            alt.Tooltip("p50:Q", format=",.2f"), alt.Tooltip("p90:Q", format=",.2f")])
    st.altair_chart((band + line).properties(height=280, title=f"{name}: P10–P90 band and median"),
                    width="stretch")
    shown = data[data["year"] == year] if year is not None else data.iloc[0:0]
    last = (shown if len(shown) else data.tail(1)).iloc[0]
    f = fmt.money if dollars else fmt.count
    central = res.scenario_at(level if level != "nation" else "nation", int(last["year"]))
    central_text = ""
    if gid in central.index and output in central.columns:
        central_text = (f" The scenario itself (the County tab and the cards) gives "
                        f"{f(central.loc[gid, output])}: the median of the draws differs from it "
                        "because the levers are drawn over ranges that are not centred on every "
                        "lever's effect.")
    st.caption(f"In {int(last['year'])}: median {f(last['p50'] * scale)}, P10–P90 "
               f"{f(last['p10'] * scale)} to {f(last['p90'] * scale)}.{central_text} Levers not "
               "listed keep the scenario's values; bands are of totals.")
