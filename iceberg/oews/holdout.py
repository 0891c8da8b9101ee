"""Held-out check of the cell estimation: hide published area cells, estimate them, compare.

A fixed-seed, size-stratified share of the *published* detailed area × occupation employment
cells is hidden; the area level is estimated again as if those cells were unpublished; the
estimates are compared with the published values. Two naive baselines run on the same split:

- ``state_share_residual`` (the old fill): each area's residual (``00-0000`` − listed detail) is
  spread over its ``**`` and hidden cells in proportion to the state's share of each occupation;
- ``drop``: hidden cells get nothing.

The split depends only on the published area file, the seed and the share, so figures are
comparable across versions of the estimator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iceberg.arrays import safe_div

from .estimation import (
    EstimatedLevel,
    estimate_level,
    parent_matrix,
    primary_parent,
    reference_wages,
)
from .published import PublishedMatrices, published_matrices

HOLDOUT_SEED = 20250501
HOLDOUT_FRACTION = 0.10
SIZE_STRATA = 10
METHODS = ("estimation", "state_share_residual", "drop")


@dataclass(frozen=True)
class HoldoutRun:
    """Truth and each method's area matrices on one held-out split.

    Attributes
    ----------
    ids, occ_codes : np.ndarray
        Area ids and occupation codes.
    hidden : np.ndarray
        A × O mask of the held-out published cells.
    truth_employment, truth_wage : np.ndarray
        The area level estimated with every published cell kept (published cells as published).
    employment : dict[str, np.ndarray]
        Per method, ``truth_employment`` with the hidden cells replaced by the method's estimate.
    hidden_wage : np.ndarray
        A × O wage given to a hidden cell by every method (state, else national wage).
    """

    ids: np.ndarray
    occ_codes: np.ndarray
    hidden: np.ndarray
    truth_employment: np.ndarray
    truth_wage: np.ndarray
    employment: dict[str, np.ndarray]
    hidden_wage: np.ndarray

    def wage(self, method: str) -> np.ndarray:
        """A × O wages of a method's matrix (hidden cells at the state / national wage)."""
        return np.where(self.hidden, self.hidden_wage, self.truth_wage)

    def cell_errors(self) -> pd.DataFrame:
        """wMAPE of hidden-cell employment and wage bill per method (also cells ≥ 100 jobs)."""
        def ratio(num: float, den: float) -> float:
            return float(num / den) if den > 0 else float("nan")

        truth = self.truth_employment[self.hidden]
        t_bill = truth * self.truth_wage[self.hidden]
        big = truth >= 100
        rows = {}
        for method, emp in self.employment.items():
            est = emp[self.hidden]
            bill = est * self.hidden_wage[self.hidden]
            rows[method] = {
                "cells": int(self.hidden.sum()),
                "employment_wmape": ratio(np.abs(est - truth).sum(), truth.sum()),
                "employment_wmape_cells_ge_100": ratio(np.abs(est[big] - truth[big]).sum(), truth[big].sum()),
                "wage_bill_wmape": ratio(np.abs(bill - t_bill).sum(), t_bill.sum()),
                "estimate_over_truth": ratio(est.sum(), truth.sum()),
            }
        return pd.DataFrame(rows).T.rename_axis("method")


def holdout_mask(pub: PublishedMatrices, *, fraction: float = HOLDOUT_FRACTION,
                 seed: int = HOLDOUT_SEED, strata: int = SIZE_STRATA) -> np.ndarray:
    """A × O mask of a size-stratified random ``fraction`` of the published detailed cells."""
    published = pub.present & ~pub.emp_supp & np.isfinite(pub.emp) & (pub.emp > 0)
    flat = np.flatnonzero(published.ravel())
    size = pub.emp.ravel()[flat]
    # strata = size deciles (ties kept together by ranking on the value)
    edges = np.quantile(size, np.linspace(0, 1, strata + 1)[1:-1])
    stratum = np.searchsorted(edges, size, side="right")
    rng = np.random.default_rng(seed)
    chosen = []
    for s in range(strata):
        cells = flat[stratum == s]
        n = round(fraction * len(cells))
        if n:
            chosen.append(rng.choice(cells, size=n, replace=False))
    mask = np.zeros(published.size, bool)
    if chosen:
        mask[np.concatenate(chosen)] = True
    return mask.reshape(published.shape)


def _state_share_residual(pub: PublishedMatrices, hidden: np.ndarray, states: EstimatedLevel,
                          national: EstimatedLevel, primary: np.ndarray) -> np.ndarray:
    """The old fill: area residual over ``**`` and hidden cells by the state's occupation share."""
    supp = pub.present & (pub.emp_supp | np.isnan(pub.emp))
    unknown = supp | hidden
    published = np.where(pub.present & ~unknown, pub.emp, 0.0)
    resid = np.maximum(np.nan_to_num(pub.total - published.sum(axis=1)), 0.0)
    st_share = states.employment / np.maximum(states.employment.sum(axis=1, keepdims=True), 1e-300)
    nat_share = national.employment[0] / national.employment[0].sum()
    ok = primary >= 0
    share = np.where(ok[:, None], st_share[np.where(ok, primary, 0)], nat_share[None, :])
    weight = np.where(unknown, share, 0.0)
    wsum = weight.sum(axis=1, keepdims=True)
    return published + resid[:, None] * safe_div(weight, wsum)


def holdout_run(
    area: pd.DataFrame,
    states: EstimatedLevel,
    national: EstimatedLevel,
    *,
    occ_codes: Sequence[str] | np.ndarray,
    parent_of: Mapping[str, str] | pd.Series | pd.DataFrame,
    fraction: float = HOLDOUT_FRACTION,
    seed: int = HOLDOUT_SEED,
    prior_adjust: np.ndarray | None = None,
) -> HoldoutRun:
    """Hide published area cells, estimate them with the method and both baselines.

    Parameters
    ----------
    area : pd.DataFrame
        The OEWS area frame.
    states, national : EstimatedLevel
        The estimated state and national levels (the area level's parents).
    occ_codes : sequence of str
        Occupation codes.
    parent_of : mapping, pd.Series or pd.DataFrame
        Area → state (weights for cross-state areas), as given to :func:`estimate_level`.
    fraction, seed : float, int
        Share of published cells hidden and the split's seed.
    prior_adjust : np.ndarray, optional
        A × O prior factor (the industry-mix adjustment the build uses).

    Returns
    -------
    HoldoutRun
    """
    occ_codes = np.asarray(occ_codes).astype(str)
    pub, _ = published_matrices(area, occ_codes, "area")
    hidden = holdout_mask(pub, fraction=fraction, seed=seed)
    truth = estimate_level(area, states, national, occ_codes=occ_codes, parent_of=parent_of,
                           prior_adjust=prior_adjust)
    held = estimate_level(area, states, national, occ_codes=occ_codes, parent_of=parent_of,
                          hidden=hidden, prior_adjust=prior_adjust)
    primary = primary_parent(parent_matrix(pub.ids, states.ids, parent_of))
    ref_w, _, nat_w, _ = reference_wages(states, national, occ_codes, primary)
    hidden_wage = np.where(np.isfinite(ref_w), ref_w, nat_w[None, :])
    hidden_wage = np.nan_to_num(hidden_wage)
    old = _state_share_residual(pub, hidden, states, national, primary)
    employment = {
        "estimation": np.where(hidden, held.employment, truth.employment),
        "state_share_residual": np.where(hidden, old, truth.employment),
        "drop": np.where(hidden, 0.0, truth.employment),
    }
    return HoldoutRun(ids=pub.ids, occ_codes=occ_codes, hidden=hidden,
                      truth_employment=truth.employment, truth_wage=truth.wage,
                      employment=employment, hidden_wage=hidden_wage)
