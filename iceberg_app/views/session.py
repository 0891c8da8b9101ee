"""Per-session state: the applied scenario, notices, the view, and the URL that carries them."""

from __future__ import annotations

import streamlit as st
from pydantic import ValidationError

from iceberg import Scenario, list_presets, load_preset
from iceberg_app.views import levers
from iceberg_app.views.data import Choices, get_choices
from iceberg_app.views.scenario_io import (
    MAX_UPLOAD_MB,
    VIEW_MODES,
    check_against_data,
    scenario_from_params,
    scenario_from_upload,
    scenario_to_params,
    split_params,
    validation_message,
)

TECH_OPTIONS = ("iceberg_index", "surface_index", "hidden_index", "hidden_multiple", "exposed_wages")
SCENARIO_OPTIONS = ("displaced_wages", "net_wage_impact", "gdp_proxy", "reskilled_workers")
#: Session key: absent before the session's first run, True while that run's levers wait for
#: the map, False once they are drawn. The browser renders a new page's widgets before it
#: mounts the map; without the lever form the first map is drawn ~0.6 s sooner (2-core
#: machine), and the map's "drawn" signal (:func:`map_drawn_cb`) then reruns the page with them.
LEVERS_DEFERRED = "levers.deferred"
LEVERS_WANTED = "levers.wanted"


def scenario() -> Scenario:
    return Scenario.from_json(st.session_state["scenario_json"])


def init(choices: Choices) -> None:
    """First run of a session: read the scenario and the view from the URL (lenient)."""
    ss = st.session_state
    if "scenario_json" in ss:
        return
    scen_params, view = split_params(st.query_params.to_dict())
    sc, notices = scenario_from_params(scen_params)
    sc, more = check_against_data(sc, choices)
    ss["notices"] = notices + more
    ss["notice_source"] = "link"
    ss["scenario_json"] = sc.to_json()
    levers.sync_widgets(ss, sc)
    _init_view(view, sc, choices)


def _init_view(view: dict[str, str], sc: Scenario, choices: Choices) -> None:
    ss = st.session_state
    notes = ss["notices"]
    geo = view.get("geo", "US").upper()
    if geo != "US" and geo not in choices.state_abbr:
        notes.append(f"unknown geography {view['geo']!r} (expected US or a state postal "
                     "code); showing the whole country")
        geo = "US"
    ss["view.geo"] = geo
    metric = view.get("metric", "iceberg_index")
    if metric not in (*TECH_OPTIONS, *SCENARIO_OPTIONS):
        notes.append(f"unknown map metric {metric!r} (expected one of "
                     f"{', '.join((*TECH_OPTIONS, *SCENARIO_OPTIONS))}); showing the iceberg index")
        metric = "iceberg_index"
    ss["view.metric"] = metric
    mode = view.get("mode", "scenario")
    if mode not in VIEW_MODES:
        notes.append(f"unknown map view {mode!r} (expected one of {', '.join(VIEW_MODES)}); "
                     "showing the scenario")
        mode = "scenario"
    ss["view.mode"] = mode
    year = view.get("year")
    if year is not None:
        try:
            year_i = int(year)
            if not sc.start_year <= year_i <= sc.horizon_year:
                raise ValueError
            ss["view.year"] = year_i
        except ValueError:
            notes.append(f"year {year!r} is outside the scenario's years ({sc.start_year}–"
                         f"{sc.horizon_year}); showing the horizon")
    county = view.get("county")
    if county:
        if county in choices.counties:
            ss["county_pick"] = county
        else:
            notes.append(f"unknown county {county!r} (expected a 5-digit county GEOID); ignored")


def sync_url() -> None:
    """Write the applied scenario and the view into the URL (only when it changed)."""
    ss = st.session_state
    view = {"geo": ss.get("view.geo") if ss.get("view.geo") != "US" else None,
            "metric": ss.get("view.metric") if ss.get("view.metric") != "iceberg_index" else None,
            "mode": ss.get("view.mode") if ss.get("view.mode") != "scenario" else None,
            "year": ss.get("view.year"), "county": ss.get("county_pick")}
    params = scenario_to_params(scenario(), view)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


NOTICE_HEADINGS = {
    "link": "Some values in this link could not be used; defaults are shown instead:",
    "upload": "Some levers in the uploaded file could not be used; defaults are used instead:",
    "upload_failed": "The uploaded file was not loaded; the scenario is unchanged:",
}


def notice_text() -> str | None:
    """All notices of the last link or upload as ONE message (a heading and a list)."""
    ss = st.session_state
    notes = ss.get("notices") or []
    if not notes:
        return None
    heading = NOTICE_HEADINGS.get(ss.get("notice_source", "link"), NOTICE_HEADINGS["link"])
    return heading + "\n" + "\n".join(f"- {n}" for n in notes)


# ---------------------------------------------------------------------------- callbacks


def _follow_horizon(old: Scenario, new: Scenario) -> None:
    """A new horizon moves the year shown to it (cards, map and bands then agree)."""
    ss = st.session_state
    if new.horizon_year != old.horizon_year or new.start_year != old.start_year or \
            not new.start_year <= ss.get("view.year", new.horizon_year) <= new.horizon_year:
        ss["view.year"] = new.horizon_year


def _set_scenario(sc: Scenario, notices: list[str], message: str | None,
                  source: str = "upload") -> None:
    ss = st.session_state
    _follow_horizon(scenario(), sc)
    ss["scenario_json"] = sc.to_json()
    ss["notices"] = notices
    ss["notice_source"] = source
    if message:
        ss["flash"] = message
    else:
        ss.pop("flash", None)
    ss.pop("apply_error", None)
    levers.sync_widgets(ss, sc)


def load_preset_cb() -> None:
    name = st.session_state.get("preset_pick")
    if name:
        _set_scenario(load_preset(name), [], f"Loaded preset “{load_preset(name).name}”.",
                      "preset")


def reset_cb() -> None:
    _set_scenario(Scenario(), [], "Levers reset to the defaults.", "reset")


def upload_cb() -> None:
    file = st.session_state.get("upload")
    if file is None:
        return
    sc, notices, readable = scenario_from_upload(file.getvalue(), with_status=True)
    if not readable:  # nothing was loaded: keep the current scenario, say why
        ss = st.session_state
        ss["notices"], ss["notice_source"] = notices, "upload_failed"
        ss.pop("flash", None)
        return
    sc, more = check_against_data(sc, get_choices())
    notices += more
    _set_scenario(sc, notices, None if notices else f"Loaded scenario file “{file.name}”.")


def apply_cb(choices: Choices) -> None:
    """Apply pressed (a callback: it runs before the script, so the map already shows it)."""
    apply_levers(levers.editor_frame(st.session_state), choices)


def apply_levers(editor_frame, choices: Choices) -> None:
    """Apply pressed: validate the lever values; keep the old scenario on error."""
    ss = st.session_state
    values = levers.values_from_widgets(ss, editor_frame, scenario())
    try:
        sc = Scenario(**values)
    except ValidationError as exc:
        ss["apply_error"] = validation_message(exc)
        return
    ss.pop("apply_error", None)
    ss["notices"] = []
    ss["lv._editor_base"] = dict(sc.major_group_multipliers)
    _follow_horizon(scenario(), sc)
    ss["scenario_json"] = sc.to_json()


def begin_page_run() -> None:
    """At the top of a run of the whole page: the session's first run defers the levers, any
    later one draws them."""
    ss = st.session_state
    ss[LEVERS_DEFERRED] = LEVERS_DEFERRED not in ss


def levers_waiting() -> bool:
    """True while the levers wait for the map: the map then signals once it is drawn."""
    return st.session_state.get(LEVERS_DEFERRED) is True


def levers_now() -> None:
    """Draw the levers in this run after all (when there is no map to wait for)."""
    st.session_state[LEVERS_DEFERRED] = False


def map_drawn_cb() -> None:
    """The first map of the session is drawn in the browser: the page's next run has levers."""
    st.session_state[LEVERS_WANTED] = True


def levers_wanted() -> bool:
    """True once, in the rerun the map's "drawn" signal caused (a rerun of its fragment)."""
    return bool(st.session_state.pop(LEVERS_WANTED, False))


def sidebar_or_placeholder(choices: Choices) -> None:
    """The sidebar, except in a session's first run: a heading and a line saying the levers
    follow the map (the map's "drawn" signal reruns the page; so does any other change)."""
    if levers_waiting():
        with st.sidebar:
            st.subheader("Scenario")
            st.caption("Loading the levers…")
        return
    sidebar(choices)


def sidebar(choices: Choices) -> None:
    """Presets, upload, the lever form and its Apply button."""
    ss = st.session_state
    with st.sidebar:
        st.subheader("Scenario")
        presets = list_presets()
        # stacked, not side by side: preset names and the button label fit the sidebar's width
        st.selectbox("Preset", presets, key="preset_pick", format_func=lambda n: load_preset(n).name)
        st.button("Load preset", on_click=load_preset_cb, width="stretch")
        st.file_uploader("Upload a scenario (JSON)", type=["json"], key="upload", on_change=upload_cb,
                         max_upload_size=MAX_UPLOAD_MB,
                         help="A file saved with “Download scenario (JSON)” (at most "
                         f"{MAX_UPLOAD_MB} MB). Invalid levers fall back to their defaults, with "
                         "one notice naming them.")
        st.caption("Set levers, then press **Apply**. Hover a label for its meaning.")
        levers.render_lever_form(choices, on_apply=apply_cb, args=(choices,), applied=scenario())
        if ss.get("apply_error"):
            st.error(f"Not applied — {ss['apply_error']}")
        st.button("Reset to defaults", on_click=reset_cb, width="stretch")
