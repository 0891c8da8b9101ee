"""The sidebar levers, generated from the :class:`~iceberg.scenario.model.Scenario` model.

Every field of the model gets one widget (key ``lv.<field>``) in one of five groups; the help
text is the field's own description, default and range. The widgets live in an ``st.form``,
so a half-set scenario never recomputes: nothing runs until *Apply*.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

import pandas as pd
import streamlit as st

from iceberg import MAJOR_GROUPS, SECTORS, Scenario, scenario_field_help
from iceberg_app.views.data import Choices

GROUPS: dict[str, tuple[str, ...]] = {
    "Capability": ("layer", "rater", "tool_frontier", "threshold_mode", "threshold"),
    "Adoption": ("adoption_ceiling", "years_to_half", "steepness", "instant_adoption",
                 "start_year", "horizon_year"),
    "Adoption by sector and occupation group": ("sector_multipliers", "major_group_multipliers"),
    "Labour response": ("substitution_share", "productivity_rate", "job_multiplier"),
    "Reskilling": ("reskilling_budget", "cost_per_worker", "success_rate", "targeting",
                   "target_sectors", "target_counties"),
    "Scope": ("scope", "scope_states", "scope_counties"),
    "Name": ("name", "description"),
}
LABELS: dict[str, str] = {
    "name": "Scenario name",
    "description": "Description",
    "layer": "Capability layer",
    "rater": "Rater",
    "tool_frontier": "Tool frontier λ",
    "threshold_mode": "Threshold mode",
    "threshold": "Threshold τ",
    "adoption_ceiling": "Adoption ceiling a_max",
    "major_group_multipliers": "Multipliers by occupation group",
    "sector_multipliers": "Multipliers by sector",
    "instant_adoption": "Instant adoption (no S-curve)",
    "start_year": "Start year t0",
    "horizon_year": "Horizon year",
    "years_to_half": "Years to half adoption t50",
    "steepness": "S-curve steepness k",
    "substitution_share": "Substitution share s",
    "productivity_rate": "Productivity gain p",
    "reskilling_budget": "Reskilling budget ($ million)",
    "cost_per_worker": "Cost per worker ($)",
    "success_rate": "Success rate",
    "targeting": "Targeting",
    "target_sectors": "Target sectors / groups",
    "target_counties": "Target counties",
    "job_multiplier": "Local job multiplier m",
    "scope": "Scope",
    "scope_states": "States in scope",
    "scope_counties": "Counties in scope",
}
#: Slider steps of the float levers.
STEPS = {"tool_frontier": 0.05, "threshold": 0.01, "adoption_ceiling": 0.05, "years_to_half": 0.5,
         "steepness": 0.1, "substitution_share": 0.05, "productivity_rate": 0.05,
         "success_rate": 0.05, "job_multiplier": 0.1}
MAJOR_TITLES: dict[str, str] = {
    "11": "Management", "13": "Business and financial operations", "15": "Computer and mathematical",
    "17": "Architecture and engineering", "19": "Life, physical and social science",
    "21": "Community and social service", "23": "Legal", "25": "Educational instruction and library",
    "27": "Arts, design, entertainment, sports and media", "29": "Healthcare practitioners",
    "31": "Healthcare support", "33": "Protective service", "35": "Food preparation and serving",
    "37": "Building and grounds cleaning", "39": "Personal care and service", "41": "Sales",
    "43": "Office and administrative support", "45": "Farming, fishing and forestry",
    "47": "Construction and extraction", "49": "Installation, maintenance and repair",
    "51": "Production", "53": "Transportation and material moving",
}
SECTOR_TITLES: dict[str, str] = {
    "management_business_science_arts": "Management, business, science and arts",
    "service": "Service",
    "sales_office": "Sales and office",
    "natural_resources_construction_maintenance": "Natural resources, construction, maintenance",
    "production_transportation": "Production, transportation, material moving",
}
KEY = "lv."
#: Shown under the rater widget: the model resolves the rater per layer.
RATER_NOTE = "The rater applies to the Eloundou layer; other layers use their mean variant."
EDITOR_VERSION = "lv._editor_version"
_HELP = scenario_field_help()


def help_text(name: str) -> str:
    """The field's description, default and range, from the model."""
    info = _HELP[name]
    text = str(info.get("description") or "")
    default = info.get("default")
    if default not in (None, "", {}, ()):
        text += f"  \nDefault: {default:,}" if isinstance(default, float | int) and not isinstance(
            default, bool) else f"  \nDefault: {default}"
    low = info.get("ge", info.get("gt"))
    high = info.get("le", info.get("lt"))
    if low is not None and high is not None and name != "reskilling_budget":
        text += f"; range {low:g} to {high:g}"
    return text + f"  \nURL key: `{info['url_key']}`"


def bounds(name: str) -> tuple[float, float]:
    """A lever's slider range, from the model's bounds."""
    info = _HELP[name]
    low = info.get("ge", info.get("gt", 0.0))
    if "gt" in info:
        low = float(info["gt"]) + STEPS.get(name, 0.01)
    return float(low), float(info.get("le", info.get("lt", 1.0)))


def _clamp(name: str, value: float) -> float:
    low, high = bounds(name)
    return float(min(max(float(value), low), high))


# ---------------------------------------------------------------------------- state sync


def widget_values(scenario: Scenario) -> dict[str, Any]:
    """The widget value of every lever for a scenario (keys without the prefix)."""
    out: dict[str, Any] = {}
    for name in Scenario.model_fields:
        value = getattr(scenario, name)
        if name in STEPS:
            value = _clamp(name, value)
        elif name == "reskilling_budget":
            value = float(value) / 1e6
        elif name == "cost_per_worker":
            value = _clamp(name, value)
        elif name in ("target_sectors", "target_counties", "scope_states", "scope_counties"):
            value = list(value)
        elif name == "sector_multipliers":
            for sector in SECTORS:
                out[f"sector_multipliers.{sector}"] = float(value.get(sector, 1.0))
            continue
        elif name == "major_group_multipliers":
            continue  # the data editor is rebuilt from the scenario (see sync_widgets)
        elif name in ("start_year", "horizon_year"):
            value = int(value)
        out[name] = value
    return out


def sync_widgets(state: MutableMapping, scenario: Scenario) -> None:
    """Write a scenario into the lever widgets' session state (presets, uploads, links)."""
    for key, value in widget_values(scenario).items():
        state[KEY + key] = value
    state["lv._editor_base"] = dict(scenario.major_group_multipliers)
    state[EDITOR_VERSION] = int(state.get(EDITOR_VERSION, 0)) + 1


def _major_frame(base: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({
        "group": list(MAJOR_GROUPS),
        "occupations": [MAJOR_TITLES[g] for g in MAJOR_GROUPS],
        "multiplier": [float(base.get(g, 1.0)) for g in MAJOR_GROUPS],
    })


def values_from_widgets(state: MutableMapping, editor: pd.DataFrame | None = None,
                        applied: Scenario | None = None) -> dict[str, Any]:
    """Scenario field values from the widgets' session state (inverse of :func:`widget_values`).

    A lever whose widget is not on the page (its group is closed) keeps its value in
    ``applied``, the scenario in force (the defaults when not given).
    """
    current = widget_values(applied or Scenario())
    values: dict[str, Any] = {}
    for name in Scenario.model_fields:
        if name == "sector_multipliers":
            mult = {s: float(state.get(f"{KEY}sector_multipliers.{s}",
                                       current[f"sector_multipliers.{s}"])) for s in SECTORS}
            values[name] = {s: v for s, v in mult.items() if v != 1.0}
            continue
        if name == "major_group_multipliers":
            if editor is None:
                editor = _major_frame(state.get("lv._editor_base", {}))
            mult = dict(zip(editor["group"].astype(str), pd.to_numeric(editor["multiplier"],
                                                                       errors="coerce")))
            values[name] = {g: float(v) for g, v in mult.items() if pd.notna(v) and float(v) != 1.0}
            continue
        value = state[KEY + name] if KEY + name in state else current[name]
        if name == "reskilling_budget":
            value = float(value or 0.0) * 1e6
        elif name in ("target_sectors", "target_counties", "scope_states", "scope_counties"):
            value = tuple(value or ())
        values[name] = value
    return values


# ---------------------------------------------------------------------------- widgets


def _slider(name: str) -> None:
    low, high = bounds(name)
    st.slider(LABELS[name], min_value=low, max_value=high, step=STEPS[name], key=KEY + name,
              help=help_text(name))


def editor_frame(state: MutableMapping) -> pd.DataFrame:
    """The major-group table as edited in the data editor (its edits are in session state)."""
    frame = _major_frame(state.get("lv._editor_base", {}))
    edits = state.get(f"lv._major_editor_{state.get(EDITOR_VERSION, 0)}") or {}
    for row, change in (edits.get("edited_rows") or {}).items():
        if "multiplier" in change:
            frame.loc[int(row), "multiplier"] = change["multiplier"]
    return frame


#: Lever groups drawn open on every page; the others draw their widgets only while opened
#: (a new page and every Apply then send and draw far less: the two county pickers alone
#: hold 3,222 options each, the major-group table is a data grid).
OPEN_GROUPS = ("Capability", "Adoption", "Labour response")


def group_key(group: str) -> str:
    """Session-state key of a lazy lever group's expander (True while open)."""
    return "lv.group." + group.split()[0].lower()


def _widget_keys(names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(session-state key, key in :func:`widget_values`) of the widgets of some levers."""
    out = []
    for name in names:
        if name == "sector_multipliers":
            out += [(f"{KEY}sector_multipliers.{s}", f"sector_multipliers.{s}") for s in SECTORS]
        elif name != "major_group_multipliers":  # the editor is rebuilt from lv._editor_base
            out.append((KEY + name, name))
    return out


def render_lever_form(choices: Choices, on_apply=None, args: tuple = (),
                      applied: Scenario | None = None) -> tuple[bool, pd.DataFrame | None]:
    """Draw the levers inside a form; return (Apply pressed, edited major-group table).

    With ``on_apply`` the Apply button runs it as a callback (before the next script run), so
    the page can draw the sidebar after the map. Widgets of a group opened again get the
    values of ``applied`` (Streamlit forgets a widget's value while it is not drawn).
    """
    editor_frame = None
    state = st.session_state
    current = widget_values(applied or Scenario())
    with st.form("levers", border=False):
        for group, names in GROUPS.items():
            if group in OPEN_GROUPS:
                box = st.expander(group, expanded=True)
            else:
                box = st.expander(group, key=group_key(group), on_change="rerun")
                if not box.open:
                    continue
                for key, field in _widget_keys(names):
                    if key not in state:
                        state[key] = current[field]
            with box:
                for name in names:
                    result = _render(name, choices)
                    if name == "major_group_multipliers":
                        editor_frame = result
        applied_now = st.form_submit_button("Apply", type="primary", width="stretch",
                                            on_click=on_apply, args=args)
    return applied_now, editor_frame


def _render(name: str, choices: Choices):
    key = KEY + name
    label, helptext = LABELS[name], help_text(name)
    if name == "name":
        return st.text_input(label, key=key, max_chars=120, help=helptext)
    if name == "description":
        return st.text_area(label, key=key, max_chars=2000, height=80, help=helptext)
    if name == "layer":
        options = list(choices.layers)
        if st.session_state.get(key) not in options:
            options.append(st.session_state.get(key, "eloundou"))
        return st.selectbox(label, options, key=key, help=helptext + "\n\n" + "\n\n".join(
            f"**{n}**: {d}" for n, d in choices.layers.items()))
    if name == "rater":
        value = st.selectbox(label, ["mean", "human", "gpt4"], key=key, help=helptext +
                             "\n\n" + RATER_NOTE)
        st.caption(RATER_NOTE)
        return value
    if name in ("threshold_mode", "instant_adoption"):
        return st.toggle(label, key=key, help=helptext)
    if name in STEPS:
        return _slider(name)
    if name in ("start_year", "horizon_year"):
        low, high = bounds(name)
        return st.number_input(label, min_value=int(low), max_value=int(high), step=1, key=key,
                               help=helptext)
    if name == "reskilling_budget":
        return st.number_input(label, min_value=0.0, max_value=1e6, step=100.0, key=key,
                               format="%.0f", help=helptext)
    if name == "cost_per_worker":
        low, high = bounds(name)
        return st.number_input(label, min_value=low, max_value=high, step=500.0, key=key,
                               format="%.0f", help=helptext)
    if name == "targeting":
        return st.selectbox(label, ["most_exposed", "sectors", "counties"], key=key, help=helptext,
                            format_func=lambda v: v.replace("_", " "))
    if name == "scope":
        return st.selectbox(label, ["nation", "states", "counties"], key=key, help=helptext)
    if name == "target_sectors":
        options = [*SECTORS, *MAJOR_GROUPS]
        return st.multiselect(label, options, key=key, help=helptext,
                              format_func=lambda v: SECTOR_TITLES.get(v) or f"{v} {MAJOR_TITLES[v]}")
    if name in ("target_counties", "scope_counties"):
        options = list(choices.counties)
        extra = [g for g in st.session_state.get(key, []) if g not in choices.counties]
        return st.multiselect(label, options + extra, key=key, help=helptext,
                              format_func=lambda g: choices.counties.get(g, g))
    if name == "scope_states":
        options = list(choices.states)
        extra = [s for s in st.session_state.get(key, []) if s not in choices.states]
        return st.multiselect(label, options + extra, key=key, help=helptext,
                              format_func=lambda s: choices.states.get(s, s))
    if name == "sector_multipliers":
        st.caption(f"**{label}** — {helptext.splitlines()[0]}")
        for sector in SECTORS:
            st.number_input(SECTOR_TITLES[sector], min_value=0.0, max_value=10.0, step=0.1,
                            key=f"{KEY}sector_multipliers.{sector}")
        return None
    if name == "major_group_multipliers":
        st.caption(f"**{label}** — {helptext.splitlines()[0]}")
        base = st.session_state.get("lv._editor_base", {})
        version = st.session_state.get(EDITOR_VERSION, 0)
        return st.data_editor(
            _major_frame(base), key=f"lv._major_editor_{version}", hide_index=True,
            disabled=["group", "occupations"], width="stretch", height=300,
            column_config={"multiplier": st.column_config.NumberColumn(
                "multiplier", min_value=0.0, max_value=10.0, step=0.1, format="%.2f")})
    raise KeyError(f"no widget for lever {name!r}")  # pragma: no cover - every field is listed


def all_grouped() -> set[str]:
    """Fields covered by the groups (a test checks this equals the model's fields)."""
    return {n for names in GROUPS.values() for n in names}
