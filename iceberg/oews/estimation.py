"""Estimate every unpublished OEWS cell of one level from the published hierarchy (DESIGN §5 step 1).

An OEWS geography (area, state, or national industry sector) publishes its ``00-0000`` total, a
total for each SOC major group, and only the detailed occupations that pass BLS's confidentiality
and quality rules. The *unknown* cells are

- ``suppressed``: listed with employment ``**``;
- ``unlisted``: not listed at all, although the parent (the state for an area, the nation for a
  state or sector) employs the occupation. An occupation the parent does not employ gets nothing.

All unknown cells of a level are estimated at once by raking a prior to the published margins:

- **group margin** (hard): in each geography and major group, the unknown cells share the
  residual ``major total − published detail`` (≥ 0). Major groups whose total is suppressed or
  not listed share the geography's leftover ``00-0000 − listed major totals − their published
  detail``;
- **parent margin** (optional, off by default): over the children of a parent, the unknown
  cells of an occupation add up to the parent's residual ``parent value − Σ published child
  cells``, raked alternately with the group margin. A child that crosses parent lines (a
  cross-state MSA) counts in each parent with its weight (its share of jobs in that state). On
  held-out May 2025 cells it made the error worse (wMAPE 0.19 vs 0.127; as a prior factor 0.17,
  as a cap 0.14): the area estimates do not add up to the state estimates occupation by
  occupation, so the state value serves as the prior and the cap, not as a margin;
- **caps** (hard): no cell above the parent's value of the occupation (for a cross-state child,
  the sum over the states it lies in) nor the national value; excess is passed to the other
  unknown cells of the group.

The prior is the occupation's share of its major group in the parent (weighted over the parents
of a cross-state child), optionally blended with the national share (:data:`NATIONAL_BLEND`),
times the industry-mix factor of :func:`industry_mix_adjustment` (the area's industry mix ×
national staffing patterns, relative to its state's) where the caller gives it.

Wages keep the BLS conventions: ``*`` hourly-only occupations get hourly × 2080; ``#`` top-coded
wages the national value above the floor, else the floor; other missing wages — and the wages of
unlisted cells — the parent's wage of the occupation, else the national wage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.arrays import one_hot, safe_div
from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix
from iceberg.labels import TERRITORY_FIPS

from .published import (
    PublishedMatrices,
    check_columns,
    detailed_occ_codes,
    major_of,
    published_matrices,
)

__all__ = [
    "ESTIMATE_COLUMNS", "HOURS_PER_YEAR", "KIND_NAMES", "NATIONAL_BLEND", "TOPCODE_ANNUAL",
    "CellEstimate", "EstimatedLevel", "area_parents", "estimate_all", "estimate_cells",
    "estimate_level", "estimate_nation_states", "industry_mix_adjustment", "parent_matrix",
]

HOURS_PER_YEAR = 2080.0  # BLS converts hourly to annual wages with 2,080 hours
TOPCODE_ANNUAL = 239_200.0  # May 2025 top-code floor for annual wages
#: Weight of the national share in the prior (the rest is the parent's share). Held out, 0 did
#: best on May 2025 (wMAPE 0.127 vs 0.140 at 0.3; docs/ESTIMATION.md).
NATIONAL_BLEND = 0.0

#: Cell kinds: 0 published, 1 suppressed (``**``), 2 unlisted, 3 held out (validation only).
KIND_NAMES = {0: "published", 1: "suppressed", 2: "unlisted", 3: "held_out"}
ESTIMATE_COLUMNS = ["geo", "occ", "what", "how"]


@dataclass(frozen=True)
class CellEstimate:
    """Employment of one level with its unknown cells estimated.

    Attributes
    ----------
    employment : np.ndarray
        G × O jobs (published cells as published).
    kind : np.ndarray
        G × O int8 cell kind (:data:`KIND_NAMES`); non-published kinds are estimated.
    counts : dict[str, int]
        Cells and jobs by kind, unplaced residuals, raking iterations.
    unplaced : np.ndarray
        Jobs of each geography's residual that no unknown cell could take (length G).
    """

    employment: np.ndarray
    kind: np.ndarray
    counts: dict[str, int]
    unplaced: np.ndarray


@dataclass(frozen=True)
class EstimatedLevel:
    """One OEWS level with every unpublished cell estimated and every wage filled.

    Attributes
    ----------
    ids : np.ndarray
        Geography ids (str), length G.
    occ_codes : np.ndarray
        Occupation codes (str), length O.
    employment, wage, wage_median : np.ndarray
        G × O jobs, annual mean and annual median wage (0 where employment is 0).
    kind : np.ndarray
        G × O int8 cell kind (:data:`KIND_NAMES`).
    counts : dict[str, int]
        Estimated cells and jobs by kind, wage fills by rule, for provenance.
    masks : tuple
        ``(what, how, G × O mask)`` of every estimate and wage fill (see :attr:`estimates`).
    published_total : np.ndarray
        The published ``00-0000`` employment of each geography (NaN if absent).
    wage_gap : pd.DataFrame
        Per geography: ``published_wage_bill`` (``00-0000`` employment × mean wage),
        ``estimated_wage_bill`` (Σ cells) and ``gap`` (relative difference).
    """

    ids: np.ndarray
    occ_codes: np.ndarray
    employment: np.ndarray
    wage: np.ndarray
    wage_median: np.ndarray
    kind: np.ndarray
    counts: dict[str, int]
    masks: tuple = ()
    published_total: np.ndarray | None = None
    wage_gap: pd.DataFrame | None = None

    @property
    def estimates(self) -> pd.DataFrame:
        """One row per estimated cell or filled wage: ``geo, occ, what, how`` (built on demand)."""
        return _estimates_frame(self.ids, self.occ_codes, list(self.masks))

    @property
    def estimated(self) -> np.ndarray:
        """G × O mask of cells whose employment is estimated."""
        return self.kind > 0

    def to_geomatrix(self, level_name: str, meta: pd.DataFrame | None = None) -> GeoMatrix:
        """The level as a :class:`iceberg.geomatrix.GeoMatrix` named ``level_name``."""
        return GeoMatrix(
            level=level_name, ids=self.ids, occ_codes=self.occ_codes, employment=self.employment,
            wage=self.wage, wage_median=self.wage_median,
            meta=meta if meta is not None else pd.DataFrame(index=pd.Index(self.ids, name="id")),
        )


# --------------------------------------------------------------------------------------------
# parents


def parent_matrix(
    child_ids: np.ndarray, parent_ids: np.ndarray,
    parent_of: Mapping[str, str] | pd.Series | pd.DataFrame | None,
) -> sparse.csr_matrix:
    """G × P weights of each child in each parent (rows sum to 1, or 0 for no parent).

    ``parent_of`` is a mapping child → parent (weight 1), or a frame ``child, parent, weight``
    (a cross-state area: one row per state with its share of the area's jobs). ``None`` with a
    single parent puts every child in it.
    """
    child_ids = np.asarray(child_ids).astype(str)
    parent_ids = np.asarray(parent_ids).astype(str)
    if parent_of is None:
        if len(parent_ids) != 1:
            raise IcebergDataError(
                "parent_of is required when the parent level has several geographies",
                expected="a mapping child id -> parent id", found=f"{len(parent_ids)} parents")
        frame = pd.DataFrame({"child": child_ids, "parent": parent_ids[0], "weight": 1.0})
    elif isinstance(parent_of, pd.DataFrame):
        check_columns(parent_of, ("child", "parent", "weight"))
        frame = parent_of[["child", "parent", "weight"]].astype({"child": str, "parent": str})
    else:
        s = pd.Series(parent_of).astype(str)
        frame = pd.DataFrame({"child": s.index.astype(str), "parent": s.to_numpy(), "weight": 1.0})
    ci = pd.Index(child_ids).get_indexer(frame["child"])
    pi = pd.Index(parent_ids).get_indexer(frame["parent"])
    w = pd.to_numeric(frame["weight"], errors="coerce").fillna(0.0).to_numpy(float)
    ok = (ci >= 0) & (pi >= 0) & (w > 0)
    mat = sparse.csr_matrix((w[ok], (ci[ok], pi[ok])), shape=(len(child_ids), len(parent_ids)))
    rows = np.asarray(mat.sum(axis=1)).ravel()
    scale = safe_div(1.0, rows)
    return sparse.csr_matrix(sparse.diags(scale) @ mat)


def primary_parent(weights: sparse.csr_matrix) -> np.ndarray:
    """Row of each child's largest parent in a :func:`parent_matrix` (-1 = no parent)."""
    has = np.asarray(weights.sum(axis=1)).ravel() > 0
    return np.where(has, np.asarray(weights.argmax(axis=1)).ravel(), -1)


def area_parents(area: pd.DataFrame) -> pd.Series:
    """Area id → state FIPS of the area (BLS's primary state for cross-state MSAs)."""
    check_columns(area, ("area", "state_fips"))
    rows = area.drop_duplicates("area")
    return pd.Series(rows["state_fips"].astype(str).str.zfill(2).to_numpy(),
                     index=rows["area"].astype(str).to_numpy(), name="state_fips")


# --------------------------------------------------------------------------------------------
# employment


def _group_share(emp: np.ndarray, major_idx: np.ndarray, n_major: int) -> np.ndarray:
    """Each occupation's share of its major group, row by row (rows × O)."""
    group_tot = np.asarray(emp @ one_hot(major_idx, n_major))[:, major_idx]
    return safe_div(emp, group_tot)


def estimate_cells(
    pub: PublishedMatrices,
    occ_codes: np.ndarray,
    parent_emp: np.ndarray | None,
    weights: sparse.csr_matrix | None,
    national_emp: np.ndarray,
    *,
    hidden: np.ndarray | None = None,
    parent_margin: bool = False,
    national_blend: float = NATIONAL_BLEND,
    prior_adjust: np.ndarray | None = None,
    max_iter: int = 60,
) -> CellEstimate:
    """Estimate the unknown employment cells of one level under its published margins.

    Parameters
    ----------
    pub : PublishedMatrices
        The level's published values (:func:`iceberg.oews.published.published_matrices`).
    occ_codes : np.ndarray
        Occupation codes, length O (the columns of ``pub``).
    parent_emp : np.ndarray or None
        P × O employment of the parent level (states for areas, nation for states and sectors);
        ``None``: no parent (the national level) — unknown cells share their group equally.
    weights : scipy.sparse.csr_matrix or None
        G × P weight of each child in each parent (:func:`parent_matrix`).
    national_emp : np.ndarray
        National employment by occupation (length O): prior blend and cap.
    hidden : np.ndarray, optional
        G × O mask of published cells to treat as unknown (held-out validation).
    parent_margin : bool
        Rake to the parents' occupation residuals as well as to the group margins.
    national_blend : float
        Weight of the national within-group share in the prior.
    prior_adjust : np.ndarray, optional
        G × O non-negative factor on the prior (1 = no change).
    max_iter : int
        Raking iterations.

    Returns
    -------
    CellEstimate
    """
    n_g, n_o = pub.emp.shape
    majors = major_of(occ_codes)
    k_idx = pd.Index(pub.major_codes).get_indexer(majors)
    n_k = len(pub.major_codes)
    hidden = np.zeros((n_g, n_o), bool) if hidden is None else np.asarray(hidden, bool)
    supp = pub.present & (pub.emp_supp | np.isnan(pub.emp))
    known = pub.present & ~supp & ~hidden
    published = np.where(known, pub.emp, 0.0)
    nat = np.nan_to_num(np.asarray(national_emp, float))
    nat_share = _group_share(nat[None, :], k_idx, n_k)[0]

    # Prior and cap -------------------------------------------------------------------------
    if parent_emp is None or weights is None:
        prior = np.ones((n_g, n_o))
        cap = np.full((n_g, n_o), np.inf)
        has_parent = np.zeros(n_g, bool)
    else:
        parent_emp = np.nan_to_num(np.asarray(parent_emp, float))
        has_parent = np.asarray(weights.sum(axis=1)).ravel() > 0
        p_share = _group_share(parent_emp, k_idx, n_k)
        employs = np.asarray(weights @ (parent_emp > 0).astype(float)) > 0
        prior = (1 - national_blend) * np.asarray(weights @ p_share) + national_blend * nat_share
        prior = np.where(employs, prior, 0.0)
        # Cap: the states the child lies in together (one state for most areas).
        touches = sparse.csr_matrix((np.ones(weights.nnz), weights.indices, weights.indptr),
                                    shape=weights.shape)
        cap = np.asarray(touches @ parent_emp)
        # No parent row (territories outside the national margin): national share and cap.
        prior[~has_parent] = nat_share
        cap[~has_parent] = np.inf
    cap = np.minimum(cap, np.where(nat > 0, nat, np.inf)[None, :])
    if prior_adjust is not None:  # e.g. the area's industry mix relative to its state's
        prior = prior * np.asarray(prior_adjust, float)
    # A suppressed cell the parent does not employ (rare): national share, national cap.
    odd = supp & (prior <= 0)
    prior = np.where(odd, nat_share[None, :], prior)
    cap = np.where(odd, np.where(nat > 0, nat, np.inf)[None, :], cap)
    unknown = (supp | hidden | ~pub.present) & (prior > 0) & (cap > 0)

    # Group margins ---------------------------------------------------------------------------
    major_known = np.isfinite(pub.major_emp)  # G × K
    cell_group = np.where(major_known[:, k_idx], k_idx[None, :], n_k)  # n_k = "the rest"
    gid = np.arange(n_g)[:, None] * (n_k + 1) + cell_group
    pub_by_group = np.bincount(gid.ravel(), published.ravel(), n_g * (n_k + 1)).reshape(n_g, n_k + 1)
    target = np.zeros((n_g, n_k + 1))
    target[:, :n_k] = np.where(major_known, np.nan_to_num(pub.major_emp) - pub_by_group[:, :n_k], 0)
    total = np.nan_to_num(pub.total, nan=0.0)
    rest = total - np.nansum(np.where(major_known, pub.major_emp, 0.0), axis=1) - pub_by_group[:, n_k]
    no_major_rows = ~major_known.any(axis=1)  # a level without major rows: the total is the margin
    target[:, n_k] = rest
    negative = target < 0
    target = np.maximum(target, 0.0)

    # Parent residuals --------------------------------------------------------------------------
    use_parent = parent_margin and parent_emp is not None and weights is not None
    if use_parent:
        wt = weights.T.tocsr()
        p_resid = np.maximum(parent_emp - np.asarray(wt @ published), 0.0)

    uidx = np.flatnonzero(unknown.ravel())
    ug = gid.ravel()[uidx]
    u_prior = prior.ravel()[uidx]
    u_cap = cap.ravel()[uidx]
    flat_target = target.ravel()
    n_groups = n_g * (n_k + 1)

    def to_groups(x: np.ndarray) -> np.ndarray:
        sums = np.bincount(ug, x, n_groups)
        dead = (sums <= 0) & (flat_target > 0)
        if dead.any():  # the parent margin emptied a group that must hold jobs: back to the prior
            x = np.where(dead[ug], u_prior, x)
            sums = np.bincount(ug, x, n_groups)
        factor = safe_div(flat_target, sums)
        return x * factor[ug]

    def to_parents(x: np.ndarray) -> np.ndarray:
        full = np.zeros(n_g * n_o)
        full[uidx] = x
        full = full.reshape(n_g, n_o)
        cur = np.asarray(wt @ full)
        factor = safe_div(p_resid, cur, 1.0)
        cell = np.asarray(weights @ factor)
        cell[~has_parent] = 1.0
        return x * cell.ravel()[uidx]

    iters = 0
    x = to_groups(u_prior.copy())
    if use_parent:
        for iters in range(1, max_iter + 1):
            x = to_groups(np.minimum(to_parents(x), u_cap))
    x = _cap_within_groups(to_groups(x), u_cap, ug, n_groups, u_prior)

    employment = published.copy()
    employment.ravel()[uidx] = x
    placed = np.bincount(ug, x, n_groups).reshape(n_g, n_k + 1)
    unplaced = np.maximum(target - placed, 0.0).sum(axis=1)

    kind = np.zeros((n_g, n_o), np.int8)
    kind[supp] = 1
    kind[~pub.present & unknown] = 2
    kind[hidden & ~supp] = 3
    counts: dict[str, int] = {
        "geographies": n_g,
        "geographies_without_total": int(np.isnan(pub.total).sum()),
        "geographies_without_parent": int((~has_parent).sum()) if parent_emp is not None else 0,
        "major_totals_suppressed_or_unlisted": int((~major_known & ~no_major_rows[:, None]).sum()),
        "group_residuals_negative_set_to_zero": int(negative.sum()),
        "suppressed_parent_does_not_employ": int(odd.sum()),
        "raking_iterations": iters,
        "residual_jobs_unplaced": round(unplaced.sum()),
        "geographies_with_unplaced_residual": int((unplaced >= 0.5).sum()),
        "cells_capped_at_parent_or_national": int((x >= u_cap * (1 - 1e-9)).sum()),
    }
    for code, name in KIND_NAMES.items():
        if code == 0:
            continue
        mask = kind == code
        counts[f"{name}_cells"] = int(mask.sum())
        counts[f"{name}_cells_estimated_zero"] = int((mask & (employment <= 0)).sum())
        counts[f"{name}_jobs"] = round(employment[mask].sum())
    counts["suppressed_cells_not_estimable"] = int((supp & ~unknown).sum())
    counts["estimated_jobs"] = round(employment[kind > 0].sum())
    return CellEstimate(employment=employment, kind=kind, counts=counts, unplaced=unplaced)


def _cap_within_groups(x: np.ndarray, cap: np.ndarray, group: np.ndarray, n_groups: int,
                       prior: np.ndarray, rounds: int = 30) -> np.ndarray:
    """Clip cells at ``cap`` and hand the excess to the group's cells below their cap."""
    x = x.copy()
    for _ in range(rounds):
        excess = np.maximum(x - cap, 0.0)
        if excess.sum() <= 1e-9:
            break
        x = np.minimum(x, cap)
        room = x < cap * (1 - 1e-12)
        weight = np.where(room, np.where(x > 0, x, prior), 0.0)
        per_group = np.bincount(group, excess, n_groups)
        wsum = np.bincount(group, weight, n_groups)
        share = safe_div(weight, wsum[group])
        x = x + per_group[group] * share
    return np.minimum(x, cap)


# --------------------------------------------------------------------------------------------
# wages


def reference_wages(reference: EstimatedLevel | None, national: EstimatedLevel | None, occ_codes: np.ndarray,
                     primary: np.ndarray | None) -> tuple[np.ndarray | None, np.ndarray | None,
                                                          np.ndarray, np.ndarray]:
    """(parent mean, parent median by child row, national mean, national median); NaN unknown."""
    def known(level: EstimatedLevel, values: np.ndarray) -> np.ndarray:
        if not np.array_equal(level.occ_codes, occ_codes):
            raise IcebergDataError("reference level has different occupation codes",
                                   expected=f"{len(occ_codes)} codes in the same order",
                                   found=len(level.occ_codes))
        return np.where((level.employment > 0) & (values > 0), values, np.nan)

    n_o = len(occ_codes)
    nat_w = known(national, national.wage)[0] if national is not None else np.full(n_o, np.nan)
    nat_m = known(national, national.wage_median)[0] if national is not None else np.full(n_o, np.nan)
    if reference is None or primary is None:
        return None, None, nat_w, nat_m
    ref_w, ref_m = known(reference, reference.wage), known(reference, reference.wage_median)
    ok = primary >= 0
    pidx = np.where(ok, primary, 0)
    return (np.where(ok[:, None], ref_w[pidx], np.nan), np.where(ok[:, None], ref_m[pidx], np.nan),
            nat_w, nat_m)


def _fill_wage(values: np.ndarray, flags: np.ndarray, hourly_values: np.ndarray, piv: PublishedMatrices,
               needed: np.ndarray, ref: np.ndarray | None, nat: np.ndarray, what: str,
               counts: dict[str, int], masks: list[tuple[str, str, np.ndarray]]) -> np.ndarray:
    """Fill one wage matrix in BLS-convention order for the ``needed`` cells; count every fill."""
    out = np.where(piv.present, values, np.nan)
    present = piv.present & needed
    hourly = present & np.isnan(out) & piv.hourly & np.isfinite(hourly_values) & (flags != "#")
    top = present & (flags == "#")
    nat_top = np.where(np.isfinite(nat) & (nat > TOPCODE_ANNUAL), nat, np.nan)[None, :]
    top_nat = top & np.isfinite(nat_top)
    steps = [("hourly_x2080", hourly, hourly_values * HOURS_PER_YEAR),
             ("topcode_national", top_nat, np.broadcast_to(nat_top, out.shape)),
             ("topcode_floor", top & ~top_nat, np.full(out.shape, TOPCODE_ANNUAL))]
    if ref is not None:
        steps.append(("reference", None, ref))
    steps.append(("national", None, np.broadcast_to(nat[None, :], out.shape)))
    for how, mask, source in steps:
        if mask is None:
            mask = needed & np.isnan(out) & np.isfinite(source)
        out[mask] = source[mask]
        counts[f"{what}_{how}"] = int(mask.sum())
        masks.append((what, how, mask))
    missing = needed & np.isnan(out)
    counts[f"{what}_missing"] = int(missing.sum())
    masks.append((what, "missing", missing))
    return np.where(np.isnan(out) | ~needed, 0.0, out)


def _estimates_frame(ids: np.ndarray, occ_codes: np.ndarray,
                     masks: list[tuple[str, str, np.ndarray]]) -> pd.DataFrame:
    parts = []
    for what, how, mask in masks:
        gi, oi = np.nonzero(mask)
        if len(gi):
            parts.append(pd.DataFrame({"geo": ids[gi], "occ": occ_codes[oi], "what": what, "how": how}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ESTIMATE_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def wage_bill_gap(ids: np.ndarray, employment: np.ndarray, wage: np.ndarray,
                  pub: PublishedMatrices) -> pd.DataFrame:
    """Σ cells employment × wage against the published ``00-0000`` employment × mean wage."""
    published = pub.total * pub.total_wage
    estimated = (employment * wage).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = estimated / published - 1.0
    return pd.DataFrame({"published_wage_bill": published, "estimated_wage_bill": estimated,
                         "gap": gap}, index=pd.Index(ids, name="id"))


# --------------------------------------------------------------------------------------------
# levels


def estimate_level(
    child: pd.DataFrame,
    parent: EstimatedLevel | None,
    national: EstimatedLevel | None,
    *,
    occ_codes: Sequence[str] | np.ndarray,
    parent_of: Mapping[str, str] | pd.Series | pd.DataFrame | None = None,
    geo_col: str = "area",
    hidden: np.ndarray | None = None,
    parent_margin: bool = False,
    prior_adjust: np.ndarray | None = None,
) -> EstimatedLevel:
    """Estimate the unpublished employment and wages of one OEWS level.

    Parameters
    ----------
    child : pd.DataFrame
        OEWS rows of the level (ARCHITECTURE columns): the ``00-0000`` total, the ``major``
        rows and the ``detailed`` rows are used.
    parent : EstimatedLevel or None
        The level above (the estimated states for areas; the nation for states and sectors);
        ``None`` for the national level itself.
    national : EstimatedLevel or None
        The national level: prior blend, caps, fallback and top-code wages (``None`` only for
        the national level itself).
    occ_codes : sequence of str
        Occupation codes (columns of the output, in this order).
    parent_of : mapping, pd.Series or pd.DataFrame, optional
        Child → parent (see :func:`parent_matrix`); may be omitted when ``parent`` has one row.
    geo_col : str
        Column naming the geography (``"area"``; ``"naics"`` for national sectors).
    hidden : np.ndarray, optional
        Published cells to treat as unknown (held-out validation), aligned to the child ids.
    parent_margin : bool
        Use the parents' occupation totals as a margin.
    prior_adjust : np.ndarray, optional
        G × O factor on the prior, aligned to the sorted child ids.

    Returns
    -------
    EstimatedLevel

    Raises
    ------
    IcebergDataError
        Missing columns, duplicate rows, a parent with different occupation codes.
    """
    occ_codes = np.asarray(occ_codes).astype(str)
    pub, outside = published_matrices(child, occ_codes, geo_col)
    if parent is not None and not np.array_equal(parent.occ_codes, occ_codes):
        raise IcebergDataError("parent level has different occupation codes",
                               expected=f"{len(occ_codes)} codes in the same order",
                               found=len(parent.occ_codes))
    weights = None if parent is None else parent_matrix(pub.ids, parent.ids, parent_of)
    nat_emp = (national.employment[0] if national is not None
               else np.nansum(np.where(pub.emp_supp, np.nan, pub.emp), axis=0))
    cells = estimate_cells(pub, occ_codes, None if parent is None else parent.employment, weights,
                           nat_emp, hidden=hidden, parent_margin=parent_margin,
                           prior_adjust=prior_adjust)
    counts = {"detailed_rows_outside_occ_codes": outside, **cells.counts}
    masks: list[tuple[str, str, np.ndarray]] = [
        ("employment", KIND_NAMES[k], cells.kind == k) for k in (1, 2, 3)]

    primary = None if weights is None else primary_parent(weights)
    ref_w, ref_m, nat_w, nat_m = reference_wages(parent, national, occ_codes, primary)
    needed = cells.employment > 0
    hide = np.zeros_like(needed) if hidden is None else np.asarray(hidden, bool)
    flags_w = np.where(hide, "", pub.wage_flag)
    flags_m = np.where(hide, "", pub.median_flag)
    wage_pub = replace(pub, present=pub.present & ~hide)
    wage = _fill_wage(pub.wage, flags_w, pub.h_wage, wage_pub, needed, ref_w, nat_w, "wage",
                      counts, masks)
    median = _fill_wage(pub.median, flags_m, pub.h_median, wage_pub, needed, ref_m, nat_m,
                        "wage_median", counts, masks)
    gap = wage_bill_gap(pub.ids, cells.employment, wage, pub)
    finite = gap["gap"].abs().dropna()
    counts["wage_bill_gap_median_pct_x100"] = round(10000 * float(finite.median())) if len(finite) else 0
    counts["wage_bill_gap_max_abs_pct_x100"] = round(10000 * float(finite.max())) if len(finite) else 0
    return EstimatedLevel(
        ids=pub.ids, occ_codes=occ_codes, employment=cells.employment, wage=wage,
        wage_median=median, kind=cells.kind, counts=counts,
        masks=tuple(masks), published_total=pub.total,
        wage_gap=gap,
    )


def estimate_all(
    frames: Mapping[str, pd.DataFrame],
    occ_codes: Sequence[str] | np.ndarray | None = None,
    *,
    area_states: pd.DataFrame | pd.Series | None = None,
    area_prior_adjust: np.ndarray | None = None,
) -> dict[str, EstimatedLevel]:
    """Estimate the national, state and area levels in chain (national → state → area).

    Parameters
    ----------
    frames : mapping
        ``national``, ``state`` and ``area`` frames as from ``iceberg.io.oews.read_oews_dir``.
    occ_codes : sequence of str, optional
        Occupation columns; default the national detailed codes.
    area_states : pd.DataFrame or pd.Series, optional
        Area → state weights ``child, parent, weight`` (cross-state areas split by their jobs
        in each state, e.g. :func:`geodata.crosswalk.area_state_weights`); default each area's
        primary state.
    area_prior_adjust : np.ndarray, optional
        A × O factor on the area prior (sorted area ids), e.g. :func:`industry_mix_adjustment`.

    Returns
    -------
    dict
        ``national``, ``state``, ``area`` → :class:`EstimatedLevel`.
    """
    for key in ("national", "state", "area"):
        if key not in frames:
            raise IcebergDataError("OEWS level missing", column=key,
                                   expected="national, state and area frames", found=list(frames))
    if occ_codes is None:
        occ_codes = detailed_occ_codes(frames["national"])
    nat, states = estimate_nation_states(frames, occ_codes)
    area = estimate_level(frames["area"], states, nat, occ_codes=occ_codes,
                          parent_of=area_states if area_states is not None else area_parents(frames["area"]),
                          prior_adjust=area_prior_adjust)
    return {"national": nat, "state": states, "area": area}


def estimate_nation_states(frames: Mapping[str, pd.DataFrame],
                           occ_codes: Sequence[str] | np.ndarray) -> tuple[EstimatedLevel, EstimatedLevel]:
    """The national level (published as is) and the states estimated from it."""
    nat = estimate_level(frames["national"], None, None, occ_codes=occ_codes)
    states = estimate_level(frames["state"], nat, nat, occ_codes=occ_codes,
                            parent_of=state_parents(frames["state"], nat.ids[0]))
    return nat, states


def industry_mix_adjustment(
    area_ids: np.ndarray, occ_codes: np.ndarray, area_industry: np.ndarray,
    state_industry: np.ndarray, weights: sparse.csr_matrix, staffing_shares: np.ndarray,
) -> np.ndarray:
    """A × O prior factor: the area's industry-implied within-group share over its states'.

    ``area_industry`` (A × S) and ``state_industry`` (P × S) are employment by industry group
    (ACS, scoped to OEWS); ``staffing_shares`` (S × O) the national occupation mix of each
    group; ``weights`` (A × P) each area's share in each state. An occupation whose share of its
    major group the industry mix makes twice as likely in the area as in its state gets twice the
    prior. Held out (May 2025) it cuts the cell wMAPE from 0.123 to 0.117.
    """
    occ_codes = np.asarray(occ_codes).astype(str)
    majors = major_of(occ_codes)
    codes = np.unique(majors)
    k = pd.Index(codes).get_indexer(majors)
    area_share = _group_share(np.asarray(area_industry, float) @ staffing_shares, k, len(codes))
    state_exp = np.asarray(weights @ (np.asarray(state_industry, float) @ staffing_shares))
    state_share = _group_share(state_exp, k, len(codes))
    ok = (area_share > 0) & (state_share > 0)
    return np.divide(area_share, state_share, out=np.ones_like(area_share), where=ok)


def state_parents(state: pd.DataFrame, nation_id: str) -> pd.Series:
    """State id → the nation, for the states inside the national estimates (not territories)."""
    check_columns(state, ("area",))
    ids = pd.Index(state["area"].astype(str).unique())
    ids = ids[~ids.isin(TERRITORY_FIPS)]  # Guam, Puerto Rico, Virgin Islands: outside the nation
    return pd.Series(nation_id, index=ids)
