"""Reskilling: occupation similarity, where reskilled workers go, and who is trained first.

Rules (DESIGN §6):

- ``trained = floor(R / cost_per_worker)`` workers at most — the budget is never overspent;
  ``reskilled = trained × success_rate``.
- Training goes to displaced workers, most exposed first: cells (geography, occupation) are
  ranked by their displaced share at the horizon year, ``e_o · a_o(T)`` (the same in every
  geography, so an occupation is served in all targeted geographies at once, in proportion to
  its displaced workers there; the last occupation reached is served partly). Targeting
  "sectors" / "counties" restricts the eligible occupations / geographies; the ranking inside
  is the same. Nobody is trained beyond the displaced workers of a cell.
- A reskilled worker moves to the ``DESTINATIONS`` most similar occupations (cosine similarity of
  O*NET skill + knowledge importance) that have a strictly lower displaced share and are employed
  somewhere, split in proportion to similarity. An occupation with no such destination is not
  trained. Moves conserve worker-equivalents; second-round exposure in the destination is not
  counted (its displaced share is lower by construction), so displacement never increases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

#: Number of destination occupations a reskilled worker is spread over.
DESTINATIONS = 3


def occupation_similarity(
    skills_long: pd.DataFrame,
    knowledge_long: pd.DataFrame,
    occ_index: list[str] | np.ndarray | pd.Index,
) -> np.ndarray:
    """Cosine similarity of occupations' O*NET skill + knowledge importance vectors.

    Parameters
    ----------
    skills_long, knowledge_long : pd.DataFrame
        Long frames with columns ``element_id``, ``scale_id``, ``value`` and an occupation code
        column ``soc_code`` (preferred) or ``onet_soc``; only ``scale_id == "IM"`` rows are
        used. Several O*NET-SOC rows of one code are averaged.
    occ_index : sequence of str
        Occupation codes (length O) in the order of the result.

    Returns
    -------
    np.ndarray
        O × O similarity in [0, 1] (importance is non-negative), diagonal 1. An occupation
        without skill data has similarity 0 to every other occupation.
    """
    frames = []
    for frame in (skills_long, knowledge_long):
        code = "soc_code" if "soc_code" in frame.columns else "onet_soc"
        part = frame.loc[frame["scale_id"] == "IM", [code, "element_id", "value"]]
        frames.append(part.rename(columns={code: "code"}))
    long = pd.concat(frames, ignore_index=True)
    wide = long.pivot_table(index="code", columns="element_id", values="value", aggfunc="mean")
    wide = wide.reindex(pd.Index(np.asarray(occ_index, dtype=object))).fillna(0.0)
    mat = wide.to_numpy(dtype=float)
    norms = np.linalg.norm(mat, axis=1)
    unit = np.divide(mat, norms[:, None], out=np.zeros_like(mat), where=norms[:, None] > 0)
    sim = np.clip(unit @ unit.T, 0.0, 1.0)
    np.fill_diagonal(sim, 1.0)
    return sim


def similarity_order(similarity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per occupation, the other occupations by decreasing similarity (built once).

    Returns
    -------
    (order, sorted_sim) : (np.ndarray, np.ndarray)
        O × (O-1) indices and their similarities; the occupation itself is excluded.
    """
    sim = np.asarray(similarity, dtype=float)
    n = sim.shape[0]
    masked = sim.copy()
    np.fill_diagonal(masked, -np.inf)
    order = np.argsort(-masked, axis=1, kind="stable")[:, : max(n - 1, 0)]
    return order, np.take_along_axis(masked, order, axis=1)


@dataclass(frozen=True)
class Destinations:
    """Where reskilled workers of each occupation go.

    ``rows[i] → cols[i]`` with share ``weights[i]`` (shares of one origin sum to 1);
    ``has_destination[o]`` is False when no lower-exposure similar occupation exists.
    """

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray
    similarity: np.ndarray
    has_destination: np.ndarray

    def mean_of(self, values: np.ndarray) -> np.ndarray:
        """Share-weighted mean of an occupation vector over each origin's destinations."""
        out = np.zeros(len(self.has_destination))
        np.add.at(out, self.rows, self.weights * values[self.cols])
        return out


def destinations(
    order: np.ndarray,
    sorted_sim: np.ndarray,
    displaced_share: np.ndarray,
    present: np.ndarray,
    k: int = DESTINATIONS,
) -> Destinations:
    """The ``k`` most similar employed occupations with strictly lower displaced share."""
    share = np.asarray(displaced_share, dtype=float)
    n = len(share)
    # scan a narrow window of the most similar occupations first; only the few rows that
    # find fewer than k there are scanned in full (same result, far less work)
    window = min(order.shape[1], 4 * k + 28)
    pick = _first_valid(order[:, :window], sorted_sim[:, :window], share, present, k, None)
    short = np.flatnonzero(pick.sum(axis=1) < k) if window < order.shape[1] else np.array([], int)
    rows, pos = np.nonzero(pick)
    cols = order[rows, pos]
    sims = sorted_sim[rows, pos]
    if len(short):
        full = _first_valid(order[short], sorted_sim[short], share, present, k, short)
        r2, p2 = np.nonzero(full)
        keep = ~np.isin(rows, short)
        rows = np.concatenate([rows[keep], short[r2]])
        cols = np.concatenate([cols[keep], order[short[r2], p2]])
        sims = np.concatenate([sims[keep], sorted_sim[short[r2], p2]])
    totals = np.zeros(n)
    np.add.at(totals, rows, sims)
    weights = sims / totals[rows]
    has = np.zeros(n, dtype=bool)
    has[rows] = True
    return Destinations(rows, cols, weights, sims, has)


def _first_valid(order, sorted_sim, share, present, k, origin):
    """Mask of the first ``k`` candidates with lower share, employed and similarity > 0."""
    own = share if origin is None else share[origin]
    valid = (share[order] < own[:, None]) & present[order] & (sorted_sim > 0)
    return valid & (np.cumsum(valid, axis=1) <= k)


def served_fraction(capacity: np.ndarray, priority: np.ndarray, trainees: float) -> np.ndarray:
    """Fraction of each occupation's displaced workers trained, highest priority first.

    Parameters
    ----------
    capacity : np.ndarray
        Displaced, eligible workers per occupation at the horizon (summed over the targeted
        geographies), length O.
    priority : np.ndarray
        Ranking key (higher is served first), length O.
    trainees : float
        Workers the budget pays for, ``floor(R / cost)``.

    Returns
    -------
    np.ndarray
        ``f_o`` in [0, 1]; ``Σ f_o capacity_o = min(trainees, Σ capacity)``.
    """
    cap = np.asarray(capacity, dtype=float)
    order = np.argsort(-np.asarray(priority, dtype=float), kind="stable")
    cap_sorted = cap[order]
    before = np.cumsum(cap_sorted) - cap_sorted
    with np.errstate(over="ignore"):  # a tiny capacity gives +inf, clipped to 1 below
        frac_sorted = np.divide(
            trainees - before, cap_sorted, out=np.zeros_like(cap_sorted), where=cap_sorted > 0
        )
    out = np.empty_like(cap)
    out[order] = np.clip(frac_sorted, 0.0, 1.0)
    return out


#: Reskilling outputs that are sums of county cells at every level (each also ``_visible`` /
#: ``_hidden``).
RESKILLING_SUMS = ("trained_workers", "reskilled_workers", "reskilling_cost", "reemployed_wages")


def roll_up_from_counties(
    arrays: dict[str, np.ndarray],
    ids: dict[str, np.ndarray],
    per_occ: dict[str, dict[str, np.ndarray]],
    notes: dict[str, dict],
    columns: tuple[str, ...],
    job_multiplier: float,
) -> None:
    """Make state and national reskilling the sums of the same county cells (in place).

    The budget is spent once, on county cells (the county level's plan: who is trained where,
    within scope and targeting). State rows and the nation then report the sums of those
    cells, so national, state and county reskilling agree — a target county absent from
    the data trains nobody anywhere. Displacement and productivity stay each level's own
    (official state and national matrices); the outputs that combine them with reskilling
    (remaining displaced wages and workers, net wage impact, GDP proxy) are recomputed from
    the rolled-up reskilling with the engine's formulas.

    ``arrays[level]`` is ``len(columns) × G × T``; county ids start with their state FIPS.
    Without a county level nothing changes.
    """
    if "county" not in arrays:
        return
    col = {c: i for i, c in enumerate(columns)}
    county, county_ids = arrays["county"], np.asarray(ids["county"]).astype(str)
    sums = [col[n + sfx] for sfx in ("", "_visible", "_hidden") for n in RESKILLING_SUMS]
    levels = [lv for lv in ("state", "nation") if lv in arrays]
    if not county[sums].any() and not any(arrays[lv][sums].any() for lv in levels):
        return  # no reskilling anywhere: nothing to roll up
    n_c, n_t = county.shape[1], county.shape[2]
    former_c = np.stack([county[col["displaced_wages" + sfx]] - county[col["remaining_displaced_wages" + sfx]]
                         for sfx in ("", "_visible", "_hidden")])
    stacked = np.concatenate([county[sums], former_c])  # K × Gc × T
    flat = stacked.transpose(1, 0, 2).reshape(n_c, -1)  # Gc × (K·T)
    for level in levels:
        arr = arrays[level]
        level_ids = np.asarray(ids[level]).astype(str)
        if level == "nation":
            rows = np.zeros(n_c, dtype=np.int64) if len(level_ids) == 1 else None
        else:
            rows = pd.Index(level_ids).get_indexer(county_ids.astype("<U2"))  # state FIPS prefix
        if rows is None:
            continue  # pragma: no cover - the nation level has one row
        keep = rows >= 0
        member = sparse.csr_matrix((np.ones(int(keep.sum())), (rows[keep], np.flatnonzero(keep))),
                                   shape=(len(level_ids), n_c))
        rolled = np.asarray(member @ flat).reshape(len(level_ids), -1, n_t).transpose(1, 0, 2)
        arr[sums] = rolled[: len(sums)]
        for k, sfx in enumerate(("", "_visible", "_hidden")):
            c = {name: col[name + sfx] for name in ("displaced_wages", "displaced_workers",
                 "remaining_displaced_wages", "remaining_displaced_workers", "productivity_gain",
                 "net_wage_impact", "gdp_proxy", "reskilled_workers", "reemployed_wages")}
            displaced, gain, reemployed = arr[c["displaced_wages"]], arr[c["productivity_gain"]], \
                arr[c["reemployed_wages"]]
            arr[c["remaining_displaced_wages"]] = displaced - rolled[len(sums) + k]
            arr[c["remaining_displaced_workers"]] = arr[c["displaced_workers"]] - arr[c["reskilled_workers"]]
            arr[c["net_wage_impact"]] = gain + reemployed - displaced
            arr[c["gdp_proxy"]] = gain - job_multiplier * (displaced - reemployed)
        if level in notes:
            notes[level]["trained_workers"] = float(arr[col["trained_workers"], :, -1].sum())
            notes[level]["budget_spent"] = float(arr[col["reskilling_cost"], :, -1].sum())
        if level in per_occ and "county" in per_occ:
            for key in ("trained", "reemployed"):
                if key in per_occ["county"]:
                    per_occ[level][key] = per_occ["county"][key]
