"""The scenario engine: a scenario becomes a few matrix products per geography level.

For geography ``g``, occupation ``o`` and year ``t`` (employment ``E``, wage ``W``, wage bill
``B = E·W``, exposure ``e_o``, visible set ``V``):

- adoption ``a_o(t) = min(1, a_max · mult_o / (1 + exp(-k (t - t0 - t50))))`` (``mult_o``: the
  major-group × sector multiplier; with *instant adoption* ``a_o(t) = min(1, a_max · mult_o)``
  in every year);
- technical exposed wages ``Σ_o B_go e_o`` (exactly :func:`iceberg.metrics.geo_metrics`'
  ``exposed_wages``); adopted wages ``Σ_o B_go e_o a_o(t)``;
- displaced wages = ``s ·`` adopted wages; displaced workers ``s · Σ_o E_go e_o a_o(t)``;
  augmented wages = ``(1 - s) ·`` adopted wages; productivity gain = ``p ·`` augmented wages;
- reskilling (:mod:`iceberg.scenario.reskilling`): trained workers (cumulative to year t),
  reskilled = trained × success rate, reskilling cost = trained × cost per worker (cumulative,
  never above the budget), reemployed wages = what reskilled workers earn in their new
  occupations (their local wage × destination / origin level-wide mean wage);
- net wage impact = productivity gain + reemployed wages − displaced wages;
- local GDP proxy: see :data:`GDP_PROXY_FORMULA`.

Every output is a level in year t (not a yearly increment) and is split into ``_visible`` and
``_hidden`` by the origin occupation (visible + hidden = total). Each level is evaluated from
its own matrices (national and state figures come from the official files, not from summing
counties). ``scope`` restricts the county/state rows reported and where the budget is spent;
the nation level always covers the whole country.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from iceberg.capability.base import exposure_vector
from iceberg.geomatrix import GeoMatrix
from iceberg.scenario import reskilling as rk
from iceberg.scenario.model import MAJOR_GROUPS, Scenario
from iceberg.scenario.outputs import (  # COLUMNS, OUTPUTS, ScenarioOutputs re-exported
    COLUMNS,
    OUTPUTS,
    ScenarioOutputs,
    flows_frame,
    occupation_frame,
    output_kernel,
)

#: The local GDP proxy, as printed in the app.
GDP_PROXY_FORMULA = (
    "GDP proxy = productivity gain − m × (displaced wages − reemployed wages of reskilled "
    "workers), where productivity gain = p × (1 − s) × adopted exposed wages, displaced wages = "
    "s × adopted exposed wages and m is the local job multiplier."
)

_K = len(OUTPUTS)


class ExposureSource(Protocol):
    """What the engine needs from the exposure model."""

    def components(
        self, layer: str, rater: str, tau: float | None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def vector(self, layer: str, rater: str, lam: float, tau: float | None) -> np.ndarray: ...


@dataclass(frozen=True)
class EngineInputs:
    """Everything the engine reads; built once by the bundle (or synthetically in tests).

    Attributes
    ----------
    levels : Mapping[str, GeoMatrix]
        e.g. ``{"county": ..., "state": ..., "nation": ...}``; all share ``occ_codes``.
    exposure : ExposureSource
        ``components(layer, rater, None) -> (base, slope)``, ``vector(layer, rater, lam, tau)``.
    visible, occ_major, occ_titles : np.ndarray
        Length O: visible mask, SOC major group ("11".."53"), titles.
    similarity : np.ndarray
        O × O occupation similarity (diagonal 1); see ``reskilling.occupation_similarity``.
    layers : tuple[str, ...]
        Capability layers the exposure source offers.
    wage_basis : str
        ``"mean"`` (default) or ``"median"`` annual wage.
    """

    levels: Mapping[str, GeoMatrix]
    exposure: Any
    visible: np.ndarray
    occ_major: np.ndarray
    occ_titles: np.ndarray
    similarity: np.ndarray
    layers: tuple[str, ...] = ("eloundou",)
    wage_basis: str = "mean"



@dataclass
class _Level:
    name: str
    ids: np.ndarray
    employment: np.ndarray
    bill: np.ndarray
    bill_vis: np.ndarray
    emp_vis: np.ndarray
    col_emp: np.ndarray
    col_bill: np.ndarray
    row_emp: np.ndarray
    row_bill: np.ndarray
    both: np.ndarray  # [bill; employment] stacked: 2G × O
    both_vis: np.ndarray
    prefix: np.ndarray  # first two characters of the ids (state FIPS for counties)


class Engine:
    """Evaluate scenarios on fixed inputs; matrices are built once here.

    Parameters
    ----------
    inputs : EngineInputs
    """

    def __init__(self, inputs: EngineInputs) -> None:
        self.inputs = inputs
        if not inputs.levels:
            raise ValueError("EngineInputs.levels is empty")
        first = next(iter(inputs.levels.values()))
        self.occ_codes = np.asarray(first.occ_codes).astype(str)
        n_occ = len(self.occ_codes)
        self.visible = np.asarray(inputs.visible, dtype=bool)
        self.occ_major = np.asarray(inputs.occ_major).astype(str)
        self.occ_titles = np.asarray(inputs.occ_titles).astype(str)
        for name, arr in (("visible", self.visible), ("occ_major", self.occ_major)):
            if arr.shape != (n_occ,):
                raise ValueError(f"EngineInputs.{name} has shape {arr.shape}, expected ({n_occ},)")
        self._vis_idx = np.flatnonzero(self.visible)
        self.levels: dict[str, _Level] = {}
        for name, gm in inputs.levels.items():
            if not np.array_equal(np.asarray(gm.occ_codes).astype(str), self.occ_codes):
                raise ValueError(f"level {name!r} has different occupation codes")
            emp = np.ascontiguousarray(gm.employment, dtype=float)
            bill = emp * np.asarray(gm.wages(inputs.wage_basis), dtype=float)  # as geo_metrics
            ids = np.asarray(gm.ids).astype(str)
            self.levels[name] = _Level(
                name=name,
                ids=ids,
                employment=emp,
                bill=bill,
                bill_vis=bill[:, self._vis_idx],
                emp_vis=emp[:, self._vis_idx],
                col_emp=emp.sum(axis=0),
                col_bill=bill.sum(axis=0),
                row_emp=emp.sum(axis=1),
                row_bill=bill.sum(axis=1),
                both=np.vstack([bill, emp]),
                both_vis=np.vstack([bill[:, self._vis_idx], emp[:, self._vis_idx]]),
                prefix=np.asarray(pd.Index(ids).str[:2]).astype(str),
            )
        self.present = np.zeros(n_occ, dtype=bool)
        for lvl in self.levels.values():
            self.present |= lvl.col_emp > 0
        sim = np.asarray(inputs.similarity, dtype=float)
        if sim.shape != (n_occ, n_occ):
            raise ValueError(f"similarity has shape {sim.shape}, expected {(n_occ, n_occ)}")
        self._sim_order, self._sim_sorted = rk.similarity_order(sim)
        known = np.array([g in MAJOR_GROUPS for g in self.occ_major])
        self._major_pos = np.where(known, np.searchsorted(MAJOR_GROUPS, self.occ_major), -1)
        self._components: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._vectors: dict[tuple, np.ndarray] = {}
        self._index_cache: dict[tuple, pd.MultiIndex] = {}

    @property
    def major_group_positions(self) -> np.ndarray:
        """Position of each occupation's SOC major group in :data:`MAJOR_GROUPS` (-1 unknown)."""
        return self._major_pos

    # ---------------------------------------------------------------- building blocks
    def components(self, layer: str, rater: str) -> tuple[np.ndarray, np.ndarray]:
        """Cached ``(base, slope)`` of a layer and rater (non-threshold mode)."""
        if layer not in self.inputs.layers:
            raise ValueError(
                f"lever 'layer': {layer!r} is not available; choose one of {list(self.inputs.layers)}"
            )
        key = (layer, rater)
        if key not in self._components:
            base, slope = self.inputs.exposure.components(layer, rater, None)
            self._components[key] = (np.asarray(base, float), np.asarray(slope, float))
        return self._components[key]

    def exposure_vector(self, sc: Scenario, lam: float | None = None) -> np.ndarray:
        """Occupation exposure ``e_o`` of a scenario (λ overridable)."""
        lam = sc.tool_frontier if lam is None else float(lam)
        if not sc.threshold_mode:
            base, slope = self.components(sc.layer, sc.rater)
            return exposure_vector(base, slope, lam)
        if sc.layer not in self.inputs.layers:
            raise ValueError(f"lever 'layer': {sc.layer!r} is not available")
        key = (sc.layer, sc.rater, lam, sc.threshold)
        if key not in self._vectors:
            if len(self._vectors) > 256:
                self._vectors.clear()
            vec = self.inputs.exposure.vector(sc.layer, sc.rater, lam, sc.threshold)
            self._vectors[key] = np.asarray(vec, dtype=float)
        return self._vectors[key]

    def multipliers(self, sc: Scenario) -> np.ndarray:
        """Adoption multiplier per occupation (major group × sector); 1 for unknown groups."""
        table = np.array([*sc.group_multipliers().values(), 1.0])
        return table[self._major_pos]

    @staticmethod
    def curve(sc: Scenario, years: np.ndarray | None = None) -> np.ndarray:
        """The logistic share ``1 / (1 + exp(-k (t - t0 - t50)))`` per year (1 if instant)."""
        years = np.asarray(sc.years if years is None else years, dtype=float)
        if sc.instant_adoption:
            return np.ones_like(years)
        return 1.0 / (1.0 + np.exp(-sc.steepness * (years - sc.start_year - sc.years_to_half)))

    def adoption(self, sc: Scenario) -> np.ndarray:
        """O × T adoption ``a_o(t)`` in [0, 1]."""
        a = sc.adoption_ceiling * self.multipliers(sc)[:, None] * self.curve(sc)[None, :]
        return np.clip(a, 0.0, 1.0)

    def scope_rows(self, level: str, sc: Scenario) -> np.ndarray | None:
        """Boolean row mask of the level's geographies in scope (None = all)."""
        lvl = self.levels[level]
        if sc.scope == "nation" or level not in ("county", "state"):
            return None
        if sc.scope == "states":
            key = lvl.prefix if level == "county" else lvl.ids
            return np.isin(key, list(sc.scope_states))
        if level == "county":
            return np.isin(lvl.ids, list(sc.scope_counties))
        return np.isin(lvl.ids, sorted({c[:2] for c in sc.scope_counties}))

    def target_rows(self, level: str, sc: Scenario, ids: np.ndarray) -> np.ndarray | None:
        """Boolean mask of targeted geographies among ``ids`` (None = all)."""
        if sc.targeting != "counties" or level not in ("county", "state"):
            return None
        if level == "county":
            return np.isin(ids, list(sc.target_counties))
        return np.isin(ids, sorted({c[:2] for c in sc.target_counties}))

    def eligible_occupations(self, sc: Scenario) -> np.ndarray:
        """Occupations that may be trained under the targeting rule."""
        if sc.targeting == "sectors":
            return np.isin(self.occ_major, sorted(sc.targeted_major_groups()))
        return np.ones(len(self.occ_codes), dtype=bool)

    # ---------------------------------------------------------------- evaluation
    def evaluate(self, sc: Scenario, levels: list[str] | None = None) -> ScenarioOutputs:
        """Every output for every geography and year of every level (see module docstring)."""
        e = self.exposure_vector(sc)
        a = self.adoption(sc)
        ea = e[:, None] * a
        years = sc.years
        trainees = float(np.floor(sc.reskilling_budget / sc.cost_per_worker))
        dest = None
        if trainees >= 1 and sc.success_rate > 0 and sc.substitution_share > 0:
            dest = rk.destinations(self._sim_order, self._sim_sorted, ea[:, -1], self.present)
        elig = self.eligible_occupations(sc) & (dest.has_destination if dest else False)
        arrays, ids, per_occ, notes, plans = {}, {}, {}, {}, {}
        for name in levels or list(self.levels):
            arrays[name], ids[name], per_occ[name], notes[name] = self._level(
                name, sc, e, ea, dest, elig, trainees
            )
            plans[name] = notes[name].pop("plan")
        # i13 (issue 13): state and national reskilling are sums of the county cells
        rk.roll_up_from_counties(arrays, ids, per_occ, notes, COLUMNS, sc.job_multiplier)
        occ_level = "nation" if "nation" in per_occ else next(iter(per_occ))
        outputs = ScenarioOutputs(
            scenario=sc,
            years=years,
            arrays=arrays,
            ids=ids,
            occupations=occupation_frame(
                sc, per_occ[occ_level], e, a[:, -1], occ_codes=self.occ_codes,
                titles=self.occ_titles, major=self.occ_major, visible=self.visible,
            ),
            reskilling_flows=flows_frame(
                per_occ, dest, sc.success_rate, occ_codes=self.occ_codes, titles=self.occ_titles
            ),
            plans=plans,
            notes={
                "gdp_proxy_formula": GDP_PROXY_FORMULA,
                "budget": sc.reskilling_budget,
                "trainees_affordable": trainees,
                "occupations_without_destination": int(
                    (~dest.has_destination & self.present).sum() if dest else 0
                ),
                "occupations_level": occ_level,
                "levels": notes,
            },
        )
        for name in arrays:  # reuse the (id, year) index of unscoped levels across runs
            if len(ids[name]) == len(self.levels[name].ids):
                key = (name, tuple(years))
                if key not in self._index_cache:
                    self._index_cache[key] = pd.MultiIndex.from_product(
                        [pd.Index(ids[name], dtype="str"), years], names=["id", "year"]
                    )
                outputs._index_cache[name] = self._index_cache[key]
        return outputs

    def _level(self, name, sc, e, ea, dest, elig, trainees):
        lvl = self.levels[name]
        rows = self.scope_rows(name, sc)
        emp, bill, bill_v, emp_v, ids = lvl.employment, lvl.bill, lvl.bill_vis, lvl.emp_vis, lvl.ids
        col_emp, col_bill, row_emp, row_bill = lvl.col_emp, lvl.col_bill, lvl.row_emp, lvl.row_bill
        if rows is not None:
            emp, bill, bill_v, emp_v, ids = (
                emp[rows],
                bill[rows],
                bill_v[rows],
                emp_v[rows],
                ids[rows],
            )
            col_emp, col_bill = emp.sum(axis=0), bill.sum(axis=0)
            row_emp, row_bill = row_emp[rows], row_bill[rows]
        s, succ = sc.substitution_share, sc.success_rate
        n_g, n_t = emp.shape[0], ea.shape[1]
        vis = self._vis_idx

        # reskilling plan: fraction f_o of each occupation's displaced workers trained
        q = np.zeros(len(e))
        geo = self.target_rows(name, sc, ids)
        targeted_emp = col_emp if geo is None else geo.astype(float) @ emp
        if dest is not None:
            cap = s * ea[:, -1] * targeted_emp * elig
            q = rk.served_fraction(cap, ea[:, -1], trainees) * elig
        resk = bool(q.any())

        # the matrix products: wages (B) and workers (E), total and visible part
        ratio = np.zeros(len(e))
        cols = [ea]
        if resk:
            qa = q[:, None] * ea
            wbar = np.divide(col_bill, col_emp, out=np.zeros_like(col_bill), where=col_emp > 0)
            ratio = np.divide(dest.mean_of(wbar), wbar, out=np.zeros_like(wbar), where=wbar > 0)
            cols += [qa, ratio[:, None] * qa]
        v = np.hstack(cols) if resk else ea
        # one product per matrix: rows [B; E] (stacked once) × columns [ea | qa | ratio·qa]
        both, both_v = (
            (lvl.both, lvl.both_vis)
            if rows is None
            else (np.vstack([bill, emp]), np.vstack([bill_v, emp_v]))
        )
        prod = np.stack([both @ v, both_v @ v[vis]]).reshape(2, 2, n_g, -1, n_t)
        # prod[part, matrix (0 wages, 1 workers), g, column block, t]
        tech = bill @ e  # same operations as geo_metrics → identical figures
        tech_v = bill @ (e * self.visible)

        out = np.empty((len(COLUMNS), n_g, n_t))  # column-major: the frame's own block layout
        out[0] = row_emp[:, None]
        out[1] = row_bill[:, None]
        gmask = 1.0 if geo is None else geo[:, None].astype(float)
        for part, off in ((0, 2), (1, 2 + _K)):
            named = output_kernel(
                technical=(tech if part == 0 else tech_v)[:, None],
                adopted=prod[part, 0, :, 0],
                adopted_workers=prod[part, 1, :, 0],
                trained=s * gmask * prod[part, 1, :, 1] if resk else 0.0,
                former=succ * s * gmask * prod[part, 0, :, 1] if resk else 0.0,
                reemployed=succ * s * gmask * prod[part, 0, :, 2] if resk else 0.0,
                s=s, p=sc.productivity_rate, m=sc.job_multiplier, succ=succ,
                cpw=sc.cost_per_worker,
            )
            for k, output in enumerate(OUTPUTS):
                out[off + k] = named[output]
        np.subtract(out[2 : 2 + _K], out[2 + _K : 2 + 2 * _K], out=out[2 + 2 * _K :])
        out[2 + 2 * _K] = (tech - tech_v)[:, None]  # hidden technical wages as geo_metrics

        trained_o = s * q * ea[:, -1] * targeted_emp
        per_occ = {
            "employment": col_emp,
            "wage_bill": col_bill,
            "trained": trained_o,
            "reemployed": succ
            * trained_o
            * ratio
            * np.divide(col_bill, col_emp, out=np.zeros_like(col_bill), where=col_emp > 0),
        }
        note = {
            "geographies": int(n_g),
            "trained_workers": float(out[2 + OUTPUTS.index("trained_workers"), :, -1].sum()),
            "budget_spent": float(out[2 + OUTPUTS.index("reskilling_cost"), :, -1].sum()),
            "plan": {"q": q, "ratio": ratio, "geo": geo, "reskilling": resk},
        }
        return out, ids, per_occ, note


__all__ = [
    "COLUMNS",
    "GDP_PROXY_FORMULA",
    "OUTPUTS",
    "Engine",
    "EngineInputs",
    "ExposureSource",
    "ScenarioOutputs",
]
