"""Scenario results: the output columns, :class:`ScenarioOutputs` and the frames it holds.

The engine (:mod:`iceberg.scenario.engine`) fills one ``len(COLUMNS) × G × T`` array per
geography level; this module names those columns and turns the arrays, the per-occupation
sums and the reskilling destinations into the frames callers read (``by_year``, ``horizon``,
``occupations``, ``reskilling_flows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from iceberg.scenario.model import Scenario

#: Scenario outputs, each also with ``_visible`` and ``_hidden`` suffixes.
OUTPUTS: tuple[str, ...] = (
    "technical_exposed_wages",
    "adopted_wages",
    "displaced_wages",
    "displaced_workers",
    "augmented_wages",
    "productivity_gain",
    "trained_workers",
    "reskilled_workers",
    "reskilling_cost",
    "reemployed_wages",
    "remaining_displaced_wages",
    "remaining_displaced_workers",
    "net_wage_impact",
    "gdp_proxy",
)
#: Columns of ``by_year`` / ``horizon`` frames, in order.
COLUMNS: tuple[str, ...] = (
    ("employment", "wage_bill")
    + OUTPUTS
    + tuple(f"{c}_visible" for c in OUTPUTS)
    + tuple(f"{c}_hidden" for c in OUTPUTS)
)


# ---------------------------------------------------------------------------- the kernel
#: How each output follows from the few products the engine (or the Monte Carlo) computes:
#: ``technical`` Σ B e, ``adopted`` Σ B e a, ``adopted_workers`` Σ E e a, ``trained`` workers
#: trained, ``former`` wages the reskilled earned before, ``reemployed`` wages they earn in
#: their new occupations; levers ``s`` substitution, ``p`` productivity, ``m`` job multiplier,
#: ``succ`` success rate, ``cpw`` cost per worker (scalars, or arrays that broadcast).
_FORMULAS: dict[str, Any] = {
    "technical_exposed_wages": lambda v: v["technical"],
    "adopted_wages": lambda v: v["adopted"],
    "displaced_wages": lambda v: v["s"] * v["adopted"],
    "displaced_workers": lambda v: v["s"] * v["adopted_workers"],
    "augmented_wages": lambda v: (1 - v["s"]) * v["adopted"],
    "productivity_gain": lambda v: v["p"] * v["augmented_wages"],
    "trained_workers": lambda v: v["trained"],
    "reskilled_workers": lambda v: v["succ"] * v["trained"],
    "reskilling_cost": lambda v: v["cpw"] * v["trained"],
    "reemployed_wages": lambda v: v["reemployed"],
    "remaining_displaced_wages": lambda v: v["displaced_wages"] - v["former"],
    "remaining_displaced_workers": lambda v: v["displaced_workers"] - v["reskilled_workers"],
    "net_wage_impact": lambda v: v["productivity_gain"] + v["reemployed"] - v["displaced_wages"],
    "gdp_proxy": lambda v: v["productivity_gain"] - v["m"] * (v["displaced_wages"] - v["reemployed"]),
}
assert tuple(_FORMULAS) == OUTPUTS  # one formula per output, in the frames' order


class _Outputs(dict):
    """Outputs computed on first access (the Monte Carlo asks for a few of them only)."""

    def __missing__(self, name: str) -> Any:
        value = _FORMULAS[name](self)
        self[name] = value
        return value


def output_kernel(*, technical: Any = 0.0, adopted: Any, adopted_workers: Any, trained: Any = 0.0,
                  former: Any = 0.0, reemployed: Any = 0.0, s: Any, p: Any, m: Any,
                  succ: Any = 0.0, cpw: Any = 0.0,
                  want: tuple[str, ...] = OUTPUTS) -> dict[str, Any]:
    """The scenario outputs, by name, from the products of one geography level.

    The one place the scenario equations live: :class:`~iceberg.scenario.engine.Engine` calls
    it per level (total and visible part), :func:`~iceberg.scenario.uncertainty.monte_carlo`
    per block of geographies with an extra draws axis (levers as arrays over draws).

    Parameters
    ----------
    technical, adopted, adopted_workers, trained, former, reemployed : array or float
        Technical exposed wages, adopted exposed wages and worker-equivalents, trained workers,
        the former and the new wages of the reskilled (0 without reskilling).
    s, p, m, succ, cpw : float or array
        Substitution share, productivity rate, local job multiplier, success rate, cost per
        trained worker.
    want : tuple of str
        Outputs to compute (names of :data:`OUTPUTS`).

    Returns
    -------
    dict
        ``name -> array`` for every name in ``want``.
    """
    unknown = set(want) - set(OUTPUTS)
    if unknown:
        raise ValueError(f"unknown scenario output(s) {sorted(unknown)}; choose from {OUTPUTS}")
    values = _Outputs(technical=technical, adopted=adopted, adopted_workers=adopted_workers,
                      trained=trained, former=former, reemployed=reemployed, s=s, p=p, m=m,
                      succ=succ, cpw=cpw)
    return {name: values[name] for name in want}


@dataclass(frozen=True)
class ScenarioOutputs:
    """What :meth:`Engine.evaluate` returns.

    Attributes
    ----------
    scenario : Scenario
    years : list[int]
    arrays : dict[str, np.ndarray]
        Per level, len(COLUMNS) × G × T values (the frames are views of these).
    ids : dict[str, np.ndarray]
        Per level, the geography ids reported (after scope).
    occupations : pd.DataFrame
        Horizon-year outputs per occupation (nation level, or the first level), indexed by
        ``occ_code``.
    reskilling_flows : pd.DataFrame
        ``level, from_occ, from_title, to_occ, to_title, similarity, workers`` (horizon year).
    notes : dict
        Budget, trainees affordable, trained and spent per level, occupations without a
        destination, the GDP proxy formula.
    """

    scenario: Scenario
    years: list[int]
    arrays: dict[str, np.ndarray]
    ids: dict[str, np.ndarray]
    occupations: pd.DataFrame
    reskilling_flows: pd.DataFrame
    notes: dict[str, Any] = field(default_factory=dict)
    #: per level, the reskilling plan: ``q`` (share of each occupation's displaced workers
    #: trained), ``ratio`` (destination / origin wage), ``geo`` (targeted rows or None)
    plans: dict[str, dict] = field(default_factory=dict, repr=False)
    _index_cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def by_year(self) -> dict[str, pd.DataFrame]:
        """Per level: one row per (id, year), columns :data:`COLUMNS`."""
        out = {}
        for level, arr in self.arrays.items():
            c, g, t = arr.shape
            index = self._index_cache.get(level)
            if index is None:
                index = pd.MultiIndex.from_product(
                    [pd.Index(self.ids[level], dtype="str"), self.years], names=["id", "year"]
                )
            out[level] = pd.DataFrame(
                arr.reshape(c, g * t).T, index=index, columns=list(COLUMNS), copy=False
            )
        return out

    @cached_property
    def horizon(self) -> dict[str, pd.DataFrame]:
        """Per level: the horizon year, one row per id."""
        return {
            level: pd.DataFrame(
                arr[:, :, -1].T,
                index=pd.Index(self.ids[level], name="id", dtype="str"),
                columns=list(COLUMNS),
            )
            for level, arr in self.arrays.items()
        }


def occupation_frame(
    sc: Scenario,
    occ: dict[str, np.ndarray],
    e: np.ndarray,
    a_h: np.ndarray,
    *,
    occ_codes: np.ndarray,
    titles: np.ndarray,
    major: np.ndarray,
    visible: np.ndarray,
) -> pd.DataFrame:
    """Horizon-year outputs per occupation (the ``occupations`` frame of :class:`ScenarioOutputs`).

    Parameters
    ----------
    sc : Scenario
    occ : dict
        Per-occupation sums of one level: ``employment``, ``wage_bill``, ``trained``,
        ``reemployed`` (length O each).
    e, a_h : np.ndarray
        Exposure and horizon-year adoption per occupation.
    occ_codes, titles, major, visible : np.ndarray
        Length O: codes (the index), titles, SOC major groups, visible mask.
    """
    shown = ("technical_exposed_wages", "adopted_wages", "displaced_wages", "displaced_workers",
             "augmented_wages", "productivity_gain", "trained_workers", "reskilled_workers",
             "reskilling_cost", "reemployed_wages", "net_wage_impact", "gdp_proxy")
    named = output_kernel(
        technical=occ["wage_bill"] * e, adopted=occ["wage_bill"] * e * a_h,
        adopted_workers=occ["employment"] * e * a_h, trained=occ["trained"],
        reemployed=occ["reemployed"], s=sc.substitution_share, p=sc.productivity_rate,
        m=sc.job_multiplier, succ=sc.success_rate, cpw=sc.cost_per_worker, want=shown)
    return pd.DataFrame(
        {
            "title": titles,
            "major_group": major,
            "visible": visible,
            "exposure": e,
            "adoption": a_h,
            "employment": occ["employment"],
            "wage_bill": occ["wage_bill"],
            **named,
        },
        index=pd.Index(occ_codes, name="occ_code", dtype="str"),
    )


#: Columns of the ``reskilling_flows`` frame.
FLOW_COLUMNS = ("level", "from_occ", "from_title", "to_occ", "to_title", "similarity", "workers")


def flows_frame(
    per_occ: dict[str, dict[str, np.ndarray]],
    dest: Any,
    success: float = 1.0,
    *,
    occ_codes: np.ndarray,
    titles: np.ndarray,
) -> pd.DataFrame:
    """Reskilled workers moving between occupations, per level (horizon year).

    Parameters
    ----------
    per_occ : dict
        Per level, the per-occupation sums (``trained`` is used).
    dest : Destinations or None
        From :func:`iceberg.scenario.reskilling.destinations` (``rows``, ``cols``, ``weights``,
        ``similarity``); None when nobody is reskilled.
    success : float
        Share of trained workers who are reskilled.
    occ_codes, titles : np.ndarray
        Length O: codes and titles.

    Returns
    -------
    DataFrame
        :data:`FLOW_COLUMNS`; empty (text and float columns) when no worker moves.
    """
    parts = []
    levels = per_occ.items() if dest is not None else ()  # no destinations: nobody moves
    for level, occ in levels:
        moved = success * occ["trained"][dest.rows] * dest.weights
        keep = moved > 0
        if not keep.any():
            continue
        r, c = dest.rows[keep], dest.cols[keep]
        parts.append(
            pd.DataFrame(
                {
                    "level": level,
                    "from_occ": occ_codes[r],
                    "from_title": titles[r],
                    "to_occ": occ_codes[c],
                    "to_title": titles[c],
                    "similarity": dest.similarity[keep],
                    "workers": moved[keep],
                }
            )
        )
    if not parts:
        return _empty_flows().copy()
    return pd.concat(parts, ignore_index=True)


@lru_cache(maxsize=1)
def _empty_flows() -> pd.DataFrame:
    """The empty flows frame (text and float columns), built once: string columns are slow to make."""
    cols = list(FLOW_COLUMNS)
    return pd.DataFrame({c: pd.Series(dtype="float" if c in cols[5:] else "str") for c in cols})
