"""Cached access to the public API: the bundle, scenario results, map classes, bands.

``st.cache_resource`` holds the objects shared by every session (the bundle, its simplified
geometry, the baseline map classes); ``st.cache_data`` holds results keyed by the scenario's
JSON text, reduced to plain frames (:class:`AppResult`) so they pickle fast and no session can
mutate another's copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import iceberg
from iceberg import LeverChoices, MapClasses, Scenario, labels

#: Scenario outputs the app maps and reports (all levels of ``Result.by_year``).
SCENARIO_METRICS = ("displaced_wages", "displaced_workers", "net_wage_impact", "gdp_proxy",
                    "productivity_gain", "reskilled_workers", "reskilling_cost")
TECH_METRICS = ("iceberg_index", "surface_index", "hidden_index", "hidden_multiple",
                "exposed_wages", "surface_wages", "hidden_wages", "exposed_workers",
                "surface_workers", "hidden_workers", "employment", "wage_bill")
BASELINE_JSON = Scenario().to_json()
#: Scenario columns kept from ``Result.by_year`` (the rest is not shown; less to pickle).
KEEP_YEARLY = ("employment", "wage_bill", "technical_exposed_wages", "adopted_wages",
               "displaced_wages", "displaced_workers", "augmented_wages", "productivity_gain",
               "trained_workers", "reskilled_workers", "reskilling_cost", "reemployed_wages",
               "net_wage_impact", "gdp_proxy", "displaced_wages_visible", "displaced_wages_hidden")


@dataclass
class AppResult:
    """A scenario run, reduced to what the app shows (picklable, no geometry)."""

    scenario_json: str
    counties: pd.DataFrame  # indexed by geoid: names, ids, technical metrics, top_hidden
    states: pd.DataFrame  # official OEWS state matrices, indexed by state FIPS
    states_from_counties: pd.DataFrame
    nation: pd.Series
    by_year: dict[str, pd.DataFrame]  # level -> (id, year) frame; empty without adoption
    flows: pd.DataFrame
    exposure: np.ndarray
    visible: np.ndarray
    summary: dict[str, float]
    years: list[int]
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        return Scenario.from_json(self.scenario_json)

    @property
    def has_scenario(self) -> bool:
        return bool(self.by_year)

    def scenario_at(self, level: str, year: int) -> pd.DataFrame:
        """Scenario outputs of one level in ``year`` (indexed by id); empty without adoption."""
        frame = self.by_year.get(level)
        if frame is None or frame.empty:
            return pd.DataFrame()
        years = frame.index.get_level_values("year")
        year = int(min(max(year, years.min()), years.max()))
        return frame.xs(year, level="year")

    def county_values(self, year: int | None) -> pd.DataFrame:
        """Technical metrics plus the scenario outputs of ``year`` for every county."""
        out = self.counties
        if self.has_scenario and year is not None:
            extra = self.scenario_at("county", year)
            cols = [c for c in extra.columns if c not in ("employment", "wage_bill")]
            # the year's values replace any horizon-year columns the run attached
            out = out.drop(columns=[c for c in cols if c in out.columns]).join(extra[cols], how="left")
        return out

# mapclassify (scikit-learn, scipy.stats, matplotlib: ~2 s) is imported by the first map's
# classes, in the script's thread: importing it from a background thread raced the page's own
# imports (a _DeadlockError on narwhals in a fresh process).


@st.cache_resource(show_spinner="Loading the data (the first time, it is built from the "
                   "official files: about a minute)…")
def get_bundle():
    """The data bundle (:func:`iceberg.load`), built once per server process."""
    return iceberg.load(progress=False)


@dataclass(frozen=True)
class Choices:
    """Option lists the widgets need, from the bundle."""

    layers: dict[str, str]  # name -> description
    layer_variants: dict[str, tuple[str, ...]]
    states: dict[str, str]  # FIPS -> "Name (AB)"
    state_abbr: dict[str, str]  # AB -> FIPS
    counties: dict[str, str]  # GEOID -> "Name, AB"
    county_state: dict[str, str]  # GEOID -> FIPS
    levers: LeverChoices | None = None  # what levers naming things may name


@st.cache_resource(show_spinner=False)
def get_choices() -> Choices:
    bundle = get_bundle()
    table = bundle.exposure.layer_table
    layers = dict(zip(table["name"].astype(str), table["description"].astype(str)))
    variants = {str(n): tuple(str(v).split(";")) for n, v in zip(table["name"], table["variants"])}
    present = set(bundle.counties["state_fips"].astype(str))
    known = {f: st_ for f, st_ in labels.STATES.items() if f in present}
    states = {f: f"{st_.name} ({st_.abbr})" for f, st_ in sorted(known.items(),
                                                                  key=lambda x: x[1].name)}
    c = bundle.counties.sort_values(["state_abbr", "name"])
    counties = dict(zip(c["geoid"].astype(str), c["name"].astype(str) + ", " + c["state_abbr"].astype(str)))
    return Choices(layers=layers, layer_variants=variants, states=states,
                   state_abbr={st_.abbr: f for f, st_ in known.items()},
                   counties=counties,
                   county_state=dict(zip(c["geoid"].astype(str), c["state_fips"].astype(str))),
                   levers=LeverChoices.from_bundle(bundle))


@st.cache_resource(max_entries=8, show_spinner="Running the scenario…")
def full_result(scenario_json: str, wage: str = "mean") -> iceberg.Result:
    """:func:`iceberg.run` for a scenario (given as its JSON text), shared by every session:
    the same scenario is never computed twice while it is cached."""
    return iceberg.run(get_bundle(), Scenario.from_json(scenario_json), wage=wage)


@st.cache_resource(max_entries=24, show_spinner="Running the scenario…")
def compute(scenario_json: str, wage: str = "mean") -> AppResult:
    """A scenario run reduced to what the app shows (shared by every session, read-only)."""
    result = full_result(scenario_json, wage)
    scenario = result.scenario
    yearly = [c for c in iceberg.SCENARIO_COLUMNS
              if c in result.counties.columns and c not in ("employment", "wage_bill")]
    counties = pd.DataFrame(result.counties.drop(columns=["geometry", *yearly])).set_index("geoid")
    counties.index = counties.index.astype(str)
    by_year = {lvl: frame[[c for c in KEEP_YEARLY if c in frame.columns]]
               for lvl, frame in result.by_year.items() if lvl in ("county", "state", "nation")}
    flows = result.reskilling_flows if result.reskilling_flows is not None else pd.DataFrame()
    return AppResult(
        scenario_json=scenario_json,
        counties=counties,
        states=result.states,
        states_from_counties=result.states_from_counties,
        nation=result.nation.iloc[0],
        by_year=by_year,
        flows=flows,
        exposure=np.asarray(result.exposure, dtype=float),
        visible=np.asarray(result.visible, dtype=bool),
        summary=result.national_summary(),
        years=list(scenario.years),
        notes={"subtitle": result.scenario_subtitle(), "rater_used": result.rater_used},
    )


def baseline() -> AppResult:
    """The default scenario: the reference every comparison and every map class uses."""
    return compute(BASELINE_JSON)


@st.cache_resource(show_spinner=False)
def baseline_classes(metric: str) -> MapClasses | None:
    """Map classes fitted on the baseline county values (None when the baseline is flat)."""
    values = baseline().county_values(baseline().years[-1] if baseline().years else None)
    if metric not in values.columns:
        return None
    v = pd.to_numeric(values[metric], errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    if np.unique(v).size < 2:
        return None
    return MapClasses.fit(v, metric)


def difference_classes(values, metric: str, *, sequential: bool = False) -> MapClasses:
    """Classes for values with no baseline classes: diverging around zero for a difference
    (one "No change" class when nothing moved), else fitted on the values themselves."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    unit = MapClasses.fit([0.0, 1.0], metric).unit
    if v.size == 0 or (not sequential and np.abs(v).max() <= 1e-9 * max(1.0, np.abs(v).mean())):
        return MapClasses(metric, "NoChange", (0.0,), ("#f7f7f7",), unit)
    if sequential:
        return MapClasses.fit(v, metric)
    return MapClasses.fit_difference(v, metric)


@st.cache_data(max_entries=16, show_spinner="Drawing uncertainty bands…")
def bands(scenario_json: str, ranges_json: str, level: str, draws: int = 300) -> pd.DataFrame:
    """P10/P50/P90 of the headline outputs per geography and year (:meth:`Result.bands`)."""
    import json

    ranges = {k: tuple(v) for k, v in json.loads(ranges_json).items()}
    return full_result(scenario_json).bands(ranges, draws=draws, seed=0, level=level)


@st.cache_data(max_entries=64, show_spinner=False)
def county_occupations(scenario_json: str, geoid: str, wage: str = "mean") -> pd.DataFrame:
    """The occupations of one county (:meth:`Result.occupations_in`)."""
    return full_result(scenario_json, wage).occupations_in("county", geoid)
