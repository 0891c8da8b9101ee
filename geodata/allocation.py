"""Split OEWS area employment to counties, conserving every area figure (DESIGN §5 step 2–3).

For each county ``c`` in area ``a`` and occupation ``o`` a prior ``P_co`` comes from the best
county signal available:

- ``industry_mix``: ACS county employment by industry group × national staffing patterns;
- ``population_share``: the county's employment signal × the area's occupation mix (counties the
  ACS table lacks, e.g. DC, Puerto Rico, Connecticut planning regions, Alaska 02063/02066; or
  every county with ``method="population"``);
- ``equal_share``: counties with neither ACS nor population data (Puerto Rico: the population
  estimates file has no municipios) share their area equally.

County totals follow the county's share of the area's employment signal (ACS employed; for
counties without ACS, population × the area's ACS employed-per-resident ratio). Iterative
proportional fitting, vectorised over all areas at once (a county lies in exactly one area, so
the sparse county → area membership turns column sums into area × occupation sums), makes the
area × occupation margin hold exactly — the last step of every iteration is that column scaling —
and the county totals (or county × ACS occupation group totals) as closely as IPF allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.arrays import one_hot, safe_div
from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix
from iceberg.io._table import require_columns
from iceberg.oews.staffing import StaffingPatterns

from .crosswalk import county_area_matrix
from .ipf import ipf

METHODS = ("industry_mix", "population_share", "equal_share")


class _AreaLevel(Protocol):
    ids: np.ndarray
    occ_codes: np.ndarray
    employment: np.ndarray
    wage: np.ndarray
    wage_median: np.ndarray


@dataclass(frozen=True)
class CountyAllocation:
    """County × occupation employment and wages allocated from OEWS areas.

    Attributes
    ----------
    county_fips : np.ndarray
        County GEOIDs (str), length C, sorted.
    occ_codes : np.ndarray
        Occupation codes, length O.
    employment, wage, wage_median : np.ndarray
        C × O jobs and annual wages (the area's wage; 0 where employment is 0).
    method : pd.Series
        Allocation method per county (indexed by county_fips).
    area_of : pd.Series
        OEWS area id per county (indexed by county_fips).
    counts : dict[str, int]
        Counties per method, exclusions, fallbacks, IPF iterations.
    excluded : pd.DataFrame
        ``id, kind ("county"/"state"), reason`` for every county or state left out.
    diagnostics : dict[str, float]
        IPF residuals and the conservation error.
    """

    county_fips: np.ndarray
    occ_codes: np.ndarray
    employment: np.ndarray
    wage: np.ndarray
    wage_median: np.ndarray
    method: pd.Series
    area_of: pd.Series
    counts: dict[str, int]
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["id", "kind", "reason"])
    )
    diagnostics: dict[str, float] = field(default_factory=dict)

    def to_geomatrix(self, meta: pd.DataFrame | None = None) -> GeoMatrix:
        """The allocation as a county-level :class:`iceberg.geomatrix.GeoMatrix`."""
        if meta is None:
            meta = pd.DataFrame(
                {"oews_area": self.area_of.to_numpy(), "allocation_method": self.method.to_numpy()},
                index=pd.Index(self.county_fips, name="id"),
            )
        return GeoMatrix("county", self.county_fips, self.occ_codes, self.employment,
                         self.wage, self.wage_median, meta)


def _check_crosswalk(crosswalk: pd.DataFrame) -> pd.DataFrame:
    require_columns(crosswalk, ("county_fips", "oews_area"), what="county → area crosswalk")
    cw = crosswalk.assign(
        county_fips=crosswalk["county_fips"].astype(str),
        oews_area=crosswalk["oews_area"].fillna("").astype(str),
    ).reset_index(drop=True)
    dup = cw["county_fips"].duplicated(keep="first")
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        fips = cw["county_fips"].iat[pos]
        areas = sorted(cw.loc[cw["county_fips"] == fips, "oews_area"].unique())
        raise IcebergDataError("county assigned to more than one OEWS area", row=pos + 1,
                               column="county_fips", expected="each county exactly once",
                               found=(fips, areas))
    return cw


def _county_vector(frame: pd.DataFrame | None, col: str, counties: np.ndarray,
                   what: str) -> tuple[np.ndarray, int]:
    """Values of ``col`` aligned to ``counties`` (NaN where absent) and rows not used."""
    if frame is None:
        return np.full(len(counties), np.nan), 0
    require_columns(frame, ("county_fips", col), what=what)
    s = frame.assign(county_fips=frame["county_fips"].astype(str))
    if s["county_fips"].duplicated().any():
        pos = int(np.flatnonzero(s["county_fips"].duplicated().to_numpy())[0])
        raise IcebergDataError(f"{what}: duplicate county", row=pos + 1, column="county_fips",
                               expected="one row per county", found=s["county_fips"].iat[pos])
    vals = pd.to_numeric(s[col], errors="coerce").astype(float)
    if (vals < 0).any():
        pos = int(np.flatnonzero((vals < 0).to_numpy())[0])
        raise IcebergDataError(f"{what}: negative value", row=pos + 1, column=col,
                               expected=">= 0", found=float(vals.iat[pos]))
    series = pd.Series(vals.to_numpy(), index=s["county_fips"].to_numpy())
    unused = int((~series.index.isin(counties)).sum())
    return series.reindex(counties).to_numpy(dtype=float), unused


def _acs_matrix(frame: pd.DataFrame, counties: np.ndarray, groups: np.ndarray,
                what: str) -> tuple[np.ndarray, np.ndarray, int]:
    """County × group matrix of an ACS long frame; (values, has_row, rows of other counties)."""
    require_columns(frame, ("county_fips", "group", "employed"), what=what)
    frame = frame.reset_index(drop=True)
    rows = np.flatnonzero(frame["group"].astype(str).isin(groups).to_numpy())
    sub = frame.iloc[rows]
    fips = sub["county_fips"].astype(str).to_numpy()
    grp = sub["group"].astype(str).to_numpy()
    emp = pd.to_numeric(sub["employed"], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(emp) | (emp < 0)
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        raise IcebergDataError(f"{what}: employment not a non-negative number",
                               row=int(rows[pos]) + 1, column="employed", expected=">= 0",
                               found=sub["employed"].iat[pos])
    dup = pd.MultiIndex.from_arrays([fips, grp]).duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        raise IcebergDataError(f"{what}: duplicate county × group", row=int(rows[pos]) + 1,
                               column="group", expected="one row per county and group",
                               found=(fips[pos], grp[pos]))
    ci = pd.Index(counties).get_indexer(fips)
    gi = pd.Index(groups).get_indexer(grp)
    out = np.zeros((len(counties), len(groups)))
    seen = np.zeros(len(counties), dtype=np.int64)
    ok = ci >= 0
    out[ci[ok], gi[ok]] = emp[ok]
    np.add.at(seen, ci[ok], 1)
    other = len(set(fips[~ok]))
    return out, seen == len(groups), other


#: ACS industry group that holds agriculture (with mining): the part OEWS does not count is taken out.
AGRICULTURE_GROUP = "C24050_002"
#: Counties whose ACS employment is more than this share farm work outside OEWS lose their ACS
#: occupation-group margin: ACS counts self-employed farm operators as "management", OEWS does not.
FARM_SCOPE_THRESHOLD = 0.10


@dataclass(frozen=True)
class ScopedSignals:
    """ACS county signals scoped to what OEWS counts (wage-and-salary jobs, little farm work)."""

    acs_industry: pd.DataFrame | None
    acs_occupation_groups: pd.DataFrame | None
    counts: dict[str, int]


def scope_to_oews(acs_industry: pd.DataFrame | None, acs_occupation_groups: pd.DataFrame | None,
                  staffing: StaffingPatterns | None) -> ScopedSignals:
    """Take the farm work OEWS does not count out of the ACS county signals.

    The ACS agriculture-and-mining group is scaled by ``κ`` = OEWS national employment in those
    sectors ÷ ACS national employment in the group (OEWS leaves out the self-employed and most
    farms). The ACS occupation-group margin cannot be scoped the same way (its "management,
    business, science and arts" group holds the farm operators, with no split published), so it
    is dropped for counties where the removed farm work exceeds :data:`FARM_SCOPE_THRESHOLD` of
    their ACS employment; they take their area's occupation-group mix instead.
    """
    counts: dict[str, int] = {}
    if acs_industry is None or staffing is None or AGRICULTURE_GROUP not in set(staffing.groups):
        return ScopedSignals(acs_industry, acs_occupation_groups, counts)
    require_columns(acs_industry, ("county_fips", "group", "employed"), what="ACS county industry")
    ind = acs_industry.assign(county_fips=acs_industry["county_fips"].astype(str),
                              employed=pd.to_numeric(acs_industry["employed"], errors="coerce").astype(float))
    is_ag = ind["group"].astype(str) == AGRICULTURE_GROUP
    acs_ag = float(ind.loc[is_ag, "employed"].sum())
    oews_ag = float(staffing.employment[list(staffing.groups).index(AGRICULTURE_GROUP)].sum())
    kappa = min(oews_ag / acs_ag, 1.0) if acs_ag > 0 else 1.0
    removed = ind.loc[is_ag].set_index("county_fips")["employed"] * (1.0 - kappa)
    total = ind.groupby("county_fips")["employed"].sum()
    ind.loc[is_ag, "employed"] = ind.loc[is_ag, "employed"] * kappa
    share = (removed / total.reindex(removed.index)).fillna(0.0)
    drop = set(share.index[share > FARM_SCOPE_THRESHOLD])
    counts["acs_agriculture_scope_factor_permille"] = round(1000 * kappa)
    counts["acs_agriculture_jobs_removed"] = round(removed.sum())
    groups = acs_occupation_groups
    if groups is not None:
        groups = groups[~groups["county_fips"].astype(str).isin(drop)]
        counts["counties_occupation_group_margin_dropped_farm"] = len(drop)
    return ScopedSignals(ind, groups, counts)


@dataclass(frozen=True)
class _Counties:
    """The counties being allocated and their areas."""

    fips: np.ndarray
    a_idx: np.ndarray
    member: sparse.csr_matrix
    excluded: pd.DataFrame


def _counties_with_area_data(cw: pd.DataFrame, area_ids: np.ndarray, state_ids: Iterable[str] | None,
                             counts: dict[str, int]) -> _Counties:
    """Counties whose area has OEWS data; every other county and area-less state is listed."""
    known = cw["oews_area"].isin(area_ids).to_numpy()
    excluded = pd.DataFrame({
        "id": cw.loc[~known, "county_fips"].to_numpy(),
        "kind": "county",
        "reason": ("no OEWS area data for area '" + cw.loc[~known, "oews_area"] + "'").to_numpy(),
    })
    counts["counties_excluded_no_area_data"] = int((~known).sum())
    used = cw.loc[known].sort_values("county_fips")
    counties = used["county_fips"].to_numpy().astype(str)
    a_idx = pd.Index(area_ids).get_indexer(used["oews_area"].to_numpy())
    per_area = np.bincount(a_idx, minlength=len(area_ids))
    if (per_area == 0).any():
        empty = area_ids[per_area == 0]
        raise IcebergDataError("OEWS area has no county in the crosswalk", column="oews_area",
                               expected="every area covered by at least one county",
                               found=list(empty[:5]))
    counts["areas"] = len(area_ids)
    counts["areas_multi_county"] = int((per_area > 1).sum())
    if state_ids is not None and "state_fips" in cw.columns:
        lone = sorted(set(map(str, state_ids)) - set(cw["state_fips"].astype(str)))
        excluded = pd.concat([excluded, pd.DataFrame({
            "id": lone, "kind": "state",
            "reason": "state-level only: OEWS publishes no sub-state areas"})], ignore_index=True)
        counts["states_state_level_only"] = len(lone)
    return _Counties(counties, a_idx, county_area_matrix(used, counties, area_ids), excluded)


def _county_signal(c: _Counties, n_a: int, pop: np.ndarray, x_ind: np.ndarray | None,
                   has_acs: np.ndarray, counts: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each county's employment signal and the method label it implies."""
    a_idx = c.a_idx
    if x_ind is not None:
        acs_tot = x_ind.sum(axis=1)
        both = has_acs & np.isfinite(pop)
        ratio = safe_div(np.bincount(a_idx, np.where(both, acs_tot, 0.0), n_a),
                         np.bincount(a_idx, np.where(both, pop, 0.0), n_a), 1.0)
        signal = np.where(has_acs, acs_tot, pop * ratio[a_idx])
    else:
        signal = pop.copy()
    has_pop_signal = ~has_acs & np.isfinite(signal)
    # No signal at all (Puerto Rico without population): the area's mean signal, else 1.
    fin = np.isfinite(signal)
    area_mean = safe_div(np.bincount(a_idx, np.where(fin, signal, 0.0), n_a),
                         np.bincount(a_idx, fin.astype(float), n_a).astype(float), 1.0)
    signal = np.where(fin, signal, area_mean[a_idx])
    zero_area = np.bincount(a_idx, signal, n_a) <= 0
    counts["areas_zero_signal_equal_split"] = int(zero_area.sum())
    signal = np.where(zero_area[a_idx], 1.0, signal)
    labels = np.where(has_acs, "industry_mix", np.where(has_pop_signal, "population_share",
                                                        "equal_share"))
    labels = np.where(zero_area[a_idx], "equal_share", labels)
    for m in METHODS:
        counts[f"counties_{m}"] = int((labels == m).sum())
    return signal, labels


def _prior(signal: np.ndarray, mix: np.ndarray, c: _Counties, e_area: np.ndarray, occ: np.ndarray,
           labels: np.ndarray, x_ind: np.ndarray | None, staffing: StaffingPatterns | None,
           counts: dict[str, int]) -> np.ndarray:
    """County × occupation prior: industry mix × staffing patterns, else signal × area mix."""
    prior = signal[:, None] * mix[c.a_idx]
    if x_ind is not None and staffing is not None:
        shares = staffing.frame().reindex(columns=occ, fill_value=0.0).to_numpy()
        counts["staffing_occupations_missing"] = int((~pd.Index(occ).isin(staffing.occ_codes)).sum())
        ind_rows = labels == "industry_mix"
        prior[ind_rows] = x_ind[ind_rows] @ shares
    # Occupations an area employs but no county's prior carries: fall back to total shares.
    dead = (e_area > 0) & ((c.member.T @ prior) <= 0)
    counts["prior_cells_fallback_to_total_share"] = int(dead.sum())
    if dead.any():
        prior = np.where(dead[c.a_idx], signal[:, None] * mix[c.a_idx], prior)
    return prior


def _diagnostics(fitted: np.ndarray, c: _Counties, e_area: np.ndarray, row_total: np.ndarray,
                 err: float) -> dict[str, float]:
    """IPF residual, county-total error and conservation error of a fitted allocation."""
    cols = np.asarray(c.member.T @ fitted)
    return {
        "ipf_max_row_rel_error": err,
        "county_total_max_rel_error": float(
            np.max(np.abs(fitted.sum(axis=1) - row_total) / np.maximum(row_total, 1e-300),
                   initial=0.0, where=row_total > 0)),
        "conservation_max_abs_error": float(np.max(np.abs(cols - e_area), initial=0.0)),
        "conservation_max_rel_error": float(
            np.max(np.abs(cols - e_area) / np.maximum(e_area, 1e-300), initial=0.0, where=e_area > 0)),
    }


def allocate_counties(
    area: _AreaLevel,
    crosswalk: pd.DataFrame,
    *,
    acs_industry: pd.DataFrame | None = None,
    acs_occupation_groups: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    staffing: StaffingPatterns | None = None,
    method: Literal["auto", "population"] = "auto",
    state_ids: Iterable[str] | None = None,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> CountyAllocation:
    """Allocate estimated OEWS area matrices to counties (DESIGN §5).

    Parameters
    ----------
    area : EstimatedLevel or GeoMatrix
        The estimated area level (ids, occ_codes, employment, wage, wage_median).
    crosswalk : pd.DataFrame
        ``county_fips, oews_area`` (+ ``state_fips``), one row per county.
    acs_industry : pd.DataFrame, optional
        ACS county × industry group, long (``county_fips, group, employed``), ideally scoped
        to OEWS jobs by :func:`scope_to_oews`.
    acs_occupation_groups : pd.DataFrame, optional
        ACS county × occupation group, long (``county_fips, group, codes, employed``; codes =
        SOC major groups): an extra IPF margin when given.
    population : pd.DataFrame, optional
        ``county_fips, population``.
    staffing : StaffingPatterns, optional
        National staffing patterns (required with ``acs_industry`` in ``"auto"`` mode).
    method : {"auto", "population"}
        ``"auto"``: best signal per county; ``"population"``: population share everywhere.
    state_ids : iterable of str, optional
        State-level ids; those with no county in the crosswalk (Guam, Virgin Islands) are
        listed in ``excluded`` as state-level only.
    max_iter, tol : int, float
        IPF stopping rule.

    Returns
    -------
    CountyAllocation

    Raises
    ------
    IcebergDataError
        A county in two areas, an area with no counties, malformed ACS or population input.
    """
    if method not in ("auto", "population"):
        raise IcebergDataError("unknown allocation method", column="method",
                               expected="'auto' or 'population'", found=method)
    area_ids = np.asarray(area.ids).astype(str)
    occ = np.asarray(area.occ_codes).astype(str)
    e_area = np.asarray(area.employment, dtype=float)
    cw = _check_crosswalk(crosswalk)
    counts: dict[str, int] = {"counties_in_crosswalk": len(cw)}
    c = _counties_with_area_data(cw, area_ids, state_ids, counts)
    pop, counts["population_counties_not_in_crosswalk"] = _county_vector(
        population, "population", c.fips, "county population")

    use_acs = method == "auto" and acs_industry is not None
    x_ind, has_acs = None, np.zeros(len(c.fips), dtype=bool)
    if use_acs:
        if staffing is None:
            raise IcebergDataError("staffing patterns are required with acs_industry",
                                   column="staffing", expected="StaffingPatterns", found=None)
        x_ind, has_acs, counts["acs_industry_counties_not_in_crosswalk"] = _acs_matrix(
            acs_industry, c.fips, staffing.groups, "ACS county industry")
        has_acs &= x_ind.sum(axis=1) > 0
    signal, labels = _county_signal(c, len(area_ids), pop, x_ind, has_acs, counts)
    counts["counties_allocated"] = len(c.fips)
    e_tot = e_area.sum(axis=1)
    area_sig = np.bincount(c.a_idx, signal, len(area_ids))
    row_total = e_tot[c.a_idx] * signal / area_sig[c.a_idx]
    prior = _prior(signal, safe_div(e_area, e_tot[:, None]), c, e_area, occ, labels, x_ind,
                   staffing, counts)

    # Row margin: county totals, or county × ACS occupation group totals.
    occ_group = np.zeros(len(occ), dtype=np.int64)
    row_target = row_total[:, None]
    diagnostics: dict[str, float] = {}
    if method == "auto" and acs_occupation_groups is not None:
        occ_group, row_target, g_it, g_err, n_other = _group_targets(
            acs_occupation_groups, c.fips, occ, e_area, c.member, c.a_idx, row_total, max_iter, tol)
        counts["occupation_group_raking_iterations"] = g_it
        counts["acs_occupation_group_counties"] = n_other
        diagnostics["occupation_group_raking_max_rel_error"] = g_err

    fitted, iters, err = ipf(prior, c.member, e_area, row_target, occ_group,
                             max_iter=max_iter, tol=tol)
    counts["ipf_iterations"] = iters
    counts["ipf_converged"] = int(err < tol)
    diagnostics.update(_diagnostics(fitted, c, e_area, row_total, err))

    has = fitted > 0
    wage = np.where(has, np.asarray(area.wage, float)[c.a_idx], 0.0)
    median = np.where(has, np.asarray(area.wage_median, float)[c.a_idx], 0.0)
    index = pd.Index(c.fips, name="county_fips")
    return CountyAllocation(
        county_fips=c.fips, occ_codes=occ, employment=fitted, wage=wage, wage_median=median,
        method=pd.Series(labels, index=index, name="allocation_method"),
        area_of=pd.Series(area_ids[c.a_idx], index=index, name="oews_area"),
        counts=counts, excluded=c.excluded, diagnostics=diagnostics,
    )


def county_quality(allocation: CountyAllocation, area_ids: np.ndarray,
                   area_estimated: np.ndarray) -> pd.DataFrame:
    """Per county, how much of its numbers are estimated or decided by the allocation signal.

    Parameters
    ----------
    allocation : CountyAllocation
        The county allocation.
    area_ids : np.ndarray
        Area ids (rows of ``area_estimated``).
    area_estimated : np.ndarray
        A × O mask (or share in [0, 1]) of area cells whose employment is estimated.

    Returns
    -------
    pd.DataFrame
        Indexed by county FIPS:

        - ``estimated_share``: share of the county's jobs in estimated (unpublished) OEWS cells;
        - ``signal_share``: share of the county's jobs whose county split the allocation signal
          decides: ``1 − county jobs / area jobs`` (0 for a county that is its own OEWS area,
          near 1 for a small county of a large area, whose figures rest on the ACS signal).
    """
    a_idx = pd.Index(np.asarray(area_ids).astype(str)).get_indexer(allocation.area_of.to_numpy())
    emp = allocation.employment
    jobs = emp.sum(axis=1)
    est = (emp * np.asarray(area_estimated, float)[a_idx]).sum(axis=1)
    area_jobs = np.bincount(a_idx, jobs, len(area_ids))[a_idx]
    return pd.DataFrame({
        "estimated_share": np.clip(safe_div(est, jobs), 0.0, 1.0),
        "signal_share": np.clip(1.0 - safe_div(jobs, area_jobs, 1.0), 0.0, 1.0),
    }, index=pd.Index(allocation.county_fips, name="county_fips"))


def _group_targets(
    acs_groups: pd.DataFrame, counties: np.ndarray, occ: np.ndarray, e_area: np.ndarray,
    member: sparse.csr_matrix, a_idx: np.ndarray, row_total: np.ndarray, max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, int, float, int]:
    """County × occupation-group targets consistent with the area × group totals.

    ACS group shares (or, for counties without ACS, the area's group mix) times the county
    total, raked so that counties sum to the area's OEWS employment in each group. Occupations
    whose SOC major group no ACS group lists form one extra group.
    """
    require_columns(acs_groups, ("county_fips", "group", "codes", "employed"),
                    what="ACS occupation groups")
    g = acs_groups.drop_duplicates("group")
    g = g[g["codes"].fillna("").astype(str).str.strip() != ""]
    groups = g["group"].astype(str).to_numpy()
    major_of = {m.strip(): i for i, c in enumerate(g["codes"].astype(str)) for m in c.split(";")}
    occ_group = pd.Series([o[:2] for o in occ]).map(major_of).fillna(len(groups)).to_numpy(np.int64)
    k = len(groups) + 1
    y, has, _ = _acs_matrix(acs_groups, counties, groups, "ACS county occupation groups")
    has &= y.sum(axis=1) > 0
    area_groups = e_area @ one_hot(occ_group, k).toarray()  # A × K
    area_mix = safe_div(area_groups, area_groups.sum(axis=1, keepdims=True))
    y_full = np.zeros((len(counties), k))
    y_full[:, : len(groups)] = y
    # The extra group (occupations ACS does not list) takes the area's mix in every county.
    own = area_mix[a_idx]
    acs_mix = safe_div(y_full, y_full.sum(axis=1, keepdims=True)) * (1.0 - own[:, -1:])
    acs_mix[:, -1] = own[:, -1]
    county_mix = np.where(has[:, None], acs_mix, own)
    g0 = county_mix * row_total[:, None]
    fitted, it, err = ipf(g0, member, area_groups, row_total[:, None],
                          np.zeros(k, dtype=np.int64), max_iter=max_iter, tol=tol)
    return occ_group, fitted, it, err, int(has.sum())
