"""The sandbox: headline cards, the county map, levers, drill-down, bands and downloads."""

from __future__ import annotations

import streamlit as st

from iceberg import Scenario, labels
from iceberg_app.views import (
    downloads,
    drilldown,
    fmt,
    headline,
    mapview,
    session,
    timing,
    uncertainty_view,
)
from iceberg_app.views.data import baseline, compute, get_bundle, get_choices
from iceberg_app.views.levers import LABELS
from iceberg_app.views.safe import friendly_error, guarded
from iceberg_app.views.session import SCENARIO_OPTIONS, TECH_OPTIONS

MODES = {"scenario": "Scenario", "baseline": "Baseline", "side": "Side by side",
         "diff": "Difference (scenario − baseline)"}


# less empty space above the title, so the map shows without scrolling
_CSS = "<style>.stMainBlockContainer{padding-top:2.2rem}</style>"


@guarded("the sandbox")
def main() -> None:
    timing.start("full run")
    ss = st.session_state
    choices = get_choices()
    session.init(choices)
    session.begin_page_run()
    res, base = compute(ss["scenario_json"]), baseline()
    timing.mark("scenario computed")

    st.markdown(_CSS, unsafe_allow_html=True)
    # the heading and the geography row are filled after the map section: the map's element is
    # then the first the browser gets (it mounts it sooner, and repaints it in its first pass)
    header = st.container()
    geo = ss["view.geo"]  # the selectbox below shows (and sets) it
    fips = None if geo == "US" else choices.state_abbr[geo]
    name = "the United States" if fips is None else choices.states[fips]
    map_section(res, base, fips, geo if fips else None, name)
    with header:
        _heading(choices, res, fips)
    # the levers last (Apply is a callback, run before this); a session's first run leaves
    # them out, and the map's "drawn" signal brings them
    session.sidebar_or_placeholder(choices)
    timing.mark("sidebar")


def _heading(choices, res, fips: str | None) -> None:
    """Title, notices, the geography and county search, and what the scenario is."""
    ss = st.session_state
    st.markdown("### Where AI could do the work people are paid for")
    st.caption(headline.CAVEAT)
    for repaired in get_bundle().notices:  # e.g. a damaged cached bundle set aside and rebuilt
        st.info(repaired, icon="ℹ️")
    notice = session.notice_text()
    if notice:
        st.warning(notice, icon="⚠️")
    if ss.get("flash"):
        st.success(ss.pop("flash"))
    abbrs = sorted(choices.state_abbr)
    c1, c2, c3 = st.columns([2, 2, 3], vertical_alignment="bottom")
    c1.selectbox("Geography", ["US", *abbrs], key="view.geo",
                 format_func=lambda a: "Whole country" if a == "US"
                 else choices.states[choices.state_abbr[a]])
    with c2:  # outside the map fragment: its 3,222 names are not re-sent on every view change
        county_search(choices, fips)
    c3.markdown(scenario_label(res.scenario), help="The baseline is the model's default "
                "levers: every comparison (cards, side by side, difference) is against it.")


def scenario_label(sc: Scenario) -> str:
    """“Scenario: <name>” and whether its levers differ from the baseline (the defaults).

    The name and description are not levers: a renamed default scenario is still the baseline.
    """
    changed = changed_levers(sc)
    named = sc.name.strip() and sc.name != Scenario().name
    if not changed:
        return f"**Scenario:** {sc.name if named else 'Default levers'} · same as the baseline"
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"**Scenario:** {sc.name if named else 'Custom levers'} · differs from the baseline: {shown}"


def changed_levers(sc: Scenario) -> list[str]:
    """Labels of the levers set away from their defaults (name and description excluded)."""
    default = Scenario()
    return [LABELS.get(f, f) for f in Scenario.model_fields
            if f not in ("name", "description") and getattr(sc, f) != getattr(default, f)]


@st.fragment
def map_section(res, base, fips, abbr, name) -> None:
    """Map, cards, county search and the panels below; reruns alone on clicks, toggles and
    the year, metric and view choices."""
    try:
        _map_section(res, base, fips, abbr, name)
    except Exception as exc:  # noqa: BLE001
        friendly_error(exc, "the map")
        session.levers_now()  # no map to signal it: the levers must not wait for one


def _map_section(res, base, fips, abbr, name) -> None:
    timing.mark("map section")
    ss = st.session_state
    if session.levers_wanted():  # the map is drawn in the browser: the page with its levers
        st.rerun(scope="app")
    get_choices()
    options = list(TECH_OPTIONS) + (list(SCENARIO_OPTIONS) if res.has_scenario else [])
    if ss.get("view.metric") not in options:
        ss["view.metric"] = "iceberg_index"
    if res.has_scenario and ss.get("view.year") not in res.years:
        ss["view.year"] = res.years[-1]  # a new horizon moves the slider to its last year
    # the choices are drawn after the map (their values are in the session already): the
    # map's element goes first
    controls = st.container()
    metric, mode = ss["view.metric"], ss["view.mode"]
    year = ss["view.year"] if res.has_scenario else None
    label = fmt.label(metric)
    diff = None
    if mode == "side":  # two maps need the full width; the cards go below them
        diff = _draw_maps(res, base, metric, mode, year, fips, label)
        with st.columns([3, 2])[0]:
            headline.cards(res, base, fips, name, year)
    else:
        map_col, card_col = st.columns([3, 2])
        with map_col:  # the map's element first: the browser mounts it before the cards
            diff = _draw_maps(res, base, metric, mode, year, fips, label)
        with card_col:
            headline.cards(res, base, fips, name, year)
    with controls:
        c1, c2 = st.columns([3, 2])
        c1.radio("Map", options, key="view.metric", horizontal=True, format_func=labels.short_label)
        c2.radio("View", list(MODES), key="view.mode", horizontal=True, format_func=MODES.get)
        if res.has_scenario:
            c2.select_slider("Year (scenario outputs)", options=res.years, key="view.year")
        if mode != "scenario" and not changed_levers(res.scenario):
            st.caption("The current scenario is the baseline: change a lever and Apply to compare.")
    _point_to_scenario_metric(res, metric)
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    c1.caption("Hover a county for its figures; click it (or find it above) for the drill-down. "
               "Colour classes are fixed on the baseline, so a darker county really moved.")
    if "estimated_share" in res.counties.columns:
        c2.toggle("Hatch counties whose jobs are mostly estimated", key="view.hatch",
                  help="Counties where more than half of the jobs come from estimated "
                  "(unpublished) OEWS cells; see Methods.")
    _below(res, base, metric, mode, diff, year, fips, abbr)


def _draw_maps(res, base, metric, mode, year, fips, label):
    """The map(s) of the chosen view, each headed by a line saying what it shows."""
    diff = None
    hatch = bool(st.session_state.get("view.hatch"))
    # a session's first map, once drawn in the browser, brings the levers
    on_drawn = session.map_drawn_cb if session.levers_waiting() else None
    if mode == "side":
        left, right = st.columns(2)
        with left:
            st.markdown(f"**Baseline** · {label}")
            mapview.show(base, metric, year, fips, "map_base", hatch=hatch)
        with right:
            st.markdown(f"**Scenario** · {label}")
            mapview.show(res, metric, year, fips, "map", hatch=hatch,
                         on_drawn=on_drawn)
        _saturation_note(res, metric, year, fips)
    elif mode == "diff":
        diff = base
        st.markdown(f"**Change in {label[0].lower()}{label[1:]}**: scenario − baseline"
                    + (f", {year}" if year is not None and metric in SCENARIO_OPTIONS else ""))
        mapview.show(res, metric, year, fips, "map", diff_against=base, hatch=hatch,
                     on_drawn=on_drawn)
    else:
        shown = base if mode == "baseline" else res
        mapview.show(shown, metric, year, fips, "map", hatch=hatch,
                     on_drawn=on_drawn)
        if mode == "scenario":
            _saturation_note(res, metric, year, fips)
    return diff


#: Levers that move technical exposure (the other levers move only the scenario outputs).
CAPABILITY_LEVERS = ("layer", "rater", "tool_frontier", "threshold_mode", "threshold")


def _point_to_scenario_metric(res, metric: str) -> None:
    """A technical map does not move with adoption, labour or reskilling levers: say so, and
    offer the scenario output that does."""
    if metric not in TECH_OPTIONS or not res.has_scenario:
        return
    default = Scenario()
    sc = res.scenario
    moved = [f for f in Scenario.model_fields if f not in ("name", "description")
             and getattr(sc, f) != getattr(default, f)]
    if not moved or any(f in CAPABILITY_LEVERS for f in moved):
        return
    c1, c2 = st.columns([4, 1], vertical_alignment="center")
    c1.info("This map shows technical exposure, which the adoption, labour and reskilling "
            "levers do not change. Map a scenario output to see their effect.", icon="ℹ️")
    c2.button("Map displaced wages", on_click=_set_metric, args=("displaced_wages",),
              width="stretch")


def _set_metric(metric: str) -> None:
    st.session_state["view.metric"] = metric


def _saturation_note(res, metric, year, fips) -> None:
    """Say so when most counties sit in the darkest baseline class (a uniform dark map)."""
    share = mapview.top_class_share(res, metric, year, fips)
    if share >= 0.5:
        st.caption(f"{share:.0%} of the counties are above the baseline's highest class, so they "
                   "share the darkest colour; the Difference view shows how far each one moved.")


def county_search(choices, fips: str | None) -> None:
    """Find a county (the drill-down below the map follows it; a map click sets it too)."""
    ss = st.session_state
    county_opts = [g for g, s in choices.county_state.items() if fips is None or s == fips]
    if ss.get("county_pick") and ss["county_pick"] not in county_opts:
        county_opts.append(ss["county_pick"])
    ss.setdefault("county_pick", None)
    st.selectbox("Find a county", county_opts, key="county_pick",
                 placeholder="Type a county name…", format_func=lambda g: choices.counties[g])


def _below(res, base, metric, mode, diff, year, fips, abbr) -> None:
    ss = st.session_state
    choices = get_choices()

    geoid = ss.get("county_pick")
    if ss.pop("county_clicked", False):  # a click on the map: the search box shows it too
        st.rerun(scope="app")
    # lazy tabs: only the open one runs and is sent (the page stays light; a click reruns)
    tabs = st.tabs(["County", "Ranking", "Uncertainty", "Downloads"], key="view.tab",
                   on_change="rerun")
    timing.mark("county search")
    if tabs[0].open:
        with tabs[0]:
            if geoid:
                drilldown.county_panel(res, geoid, choices, year)
            else:
                st.caption("Click a county on the map, or find one above.")
    if tabs[1].open:
        with tabs[1]:
            drilldown.ranking(res, metric, year, fips, choices)
    if tabs[2].open:
        with tabs[2]:
            if geoid:
                level, gid, gname = "county", geoid, choices.counties[geoid]
            elif fips:
                level, gid, gname = "state", fips, choices.states[fips]
            else:
                level, gid, gname = "nation", str(res.nation.name), "United States"
            uncertainty_view.panel(res, level, gid, gname, year)
    if tabs[3].open:
        with tabs[3]:
            column = f"{metric}_diff" if diff is not None else metric
            shown = base if mode == "baseline" else res
            downloads.panel(shown, metric, column, year, fips, abbr, diff)
    timing.mark("tabs")
    session.sync_url()


main()
