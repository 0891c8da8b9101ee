"""The exposure operator ``M = A · B · C`` (OEWS codes × O*NET tasks), so ``e = M @ c``.

- ``C`` (O*NET-SOC × task): weighted mean over an O*NET-SOC occupation's tasks, weight ``w_ot``
  (:func:`task_weights`) = Task Ratings importance × relevance/100 × mean frequency category when
  Task Ratings are given, else Core = 2, Supplemental (or untyped) = 1;
- ``B`` (SOC 2018 × O*NET-SOC): plain mean over the O*NET-SOC codes with tasks that the official
  crosswalk maps to the SOC detailed code (:func:`soc_task_operator` returns ``B · C``);
- ``A`` (OEWS × SOC 2018 or any valued codes), see :func:`oews_operator`, with the fill reasons
  :data:`REASONS`.

:class:`iceberg.exposure.ExposureModel` combines them with the capability layers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.capability.base import TaskUniverse

REASONS = ("own", "aggregate", "fallback_broad", "fallback_minor", "fallback_major", "none")
_PREFIX = {"fallback_broad": 6, "fallback_minor": 5, "fallback_major": 2}  # code prefix lengths


def task_weights(
    universe: TaskUniverse, task_ratings: pd.DataFrame | None = None
) -> tuple[np.ndarray, str, dict[str, int]]:
    """Task weights ``w_ot`` (one per task of the universe; each task has one occupation).

    Parameters
    ----------
    universe : TaskUniverse
    task_ratings : pd.DataFrame, optional
        ``read_task_ratings`` output (``onet_soc, task_id, scale_id, category, value``) or None.

    Returns
    -------
    weights : np.ndarray
        Positive weight per task.
    weighting : str
        ``"task_ratings"``, ``"core_supplemental"`` or ``"task_ratings+core_supplemental"``
        (occupations without any rated task fall back to Core/Supplemental — weights only
        matter within an occupation, so mixing schemes across occupations is sound).
    counts : dict
        ``weights_task_ratings``, ``weights_occupation_mean``, ``weights_core_supplemental``.
    """
    core = np.where(universe.task_type == "Core", 2.0, 1.0)
    t = universe.n_tasks
    if task_ratings is None or task_ratings.empty:
        return core, "core_supplemental", {"weights_core_supplemental": t}
    r = task_ratings
    pos = universe.position(r["task_id"].to_numpy(dtype=np.int64))
    scale = r["scale_id"].astype(str).to_numpy()
    val = r["value"].to_numpy(dtype=float)
    ok = pos >= 0

    def per_task(mask: np.ndarray, weights: np.ndarray) -> np.ndarray:
        m = ok & mask
        num = np.bincount(pos[m], weights=weights[m], minlength=t)
        den = np.bincount(pos[m], weights=np.where(scale[m] == "FT", val[m], 1.0), minlength=t)
        out = np.full(t, np.nan)
        np.divide(num, den, out=out, where=den > 0)
        return out

    importance = per_task(scale == "IM", val)
    relevance = per_task(scale == "RT", val) / 100.0
    cat = r["category"].astype("Float64").fillna(0).to_numpy(dtype=float)
    frequency = per_task(scale == "FT", cat * val)  # Σ k·p_k / Σ p_k
    w = importance * relevance * frequency
    rated = np.isfinite(w) & (w > 0)
    # Unrated tasks of a rated occupation take the occupation's mean rated weight.
    occ_pos = universe.task_occ.indices
    num = np.bincount(occ_pos[rated], weights=w[rated], minlength=len(universe.occ_codes))
    den = np.bincount(occ_pos[rated], minlength=len(universe.occ_codes))
    occ_mean = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    fill = ~rated & (den[occ_pos] > 0)
    w = np.where(rated, w, np.where(fill, occ_mean[occ_pos], core))
    counts = {
        "weights_task_ratings": int(rated.sum()),
        "weights_occupation_mean": int(fill.sum()),
        "weights_core_supplemental": int((~rated & ~fill).sum()),
    }
    weighting = "task_ratings" if counts["weights_core_supplemental"] == 0 else (
        "task_ratings+core_supplemental" if rated.any() else "core_supplemental")
    return w, weighting, counts


def soc_task_operator(
    universe: TaskUniverse, weights: np.ndarray, onet_soc_crosswalk: pd.DataFrame
) -> tuple[sparse.csr_matrix, np.ndarray, dict[str, int]]:
    """``B · C``: SOC 2018 detailed codes (with task data) × tasks.

    Returns
    -------
    operator : sparse.csr_matrix
        S × T, rows sum to 1.
    soc_codes : np.ndarray
        The S SOC codes that have task data.
    counts : dict
        ``onet_codes_with_tasks``, ``onet_codes_not_in_crosswalk``, ``soc_codes_with_tasks``.
    """
    tw = universe.task_occ.multiply(weights[:, None]).tocsc()  # T × J
    occ_total = np.asarray(tw.sum(axis=0)).ravel()
    c_op = (tw @ sparse.diags(1.0 / occ_total)).T.tocsr()  # J × T weighted means
    xw = onet_soc_crosswalk[["onet_soc", "soc_code"]].astype(str).drop_duplicates("onet_soc")
    soc_of = pd.Series(xw["soc_code"].to_numpy(), index=xw["onet_soc"].to_numpy())
    soc = soc_of.reindex(universe.occ_codes).to_numpy(dtype=object)
    known = pd.notna(soc)
    soc_codes, soc_pos = np.unique(soc[known].astype(str), return_inverse=True)
    j_idx = np.flatnonzero(known)
    b_op = sparse.csr_matrix(
        (np.ones(len(j_idx)), (soc_pos, j_idx)), shape=(len(soc_codes), len(universe.occ_codes))
    )
    b_op = sparse.diags(1.0 / np.asarray(b_op.sum(axis=1)).ravel()) @ b_op
    counts = {
        "onet_codes_with_tasks": len(universe.occ_codes),
        "onet_codes_not_in_crosswalk": int((~known).sum()),
        "soc_codes_with_tasks": len(soc_codes),
    }
    return (b_op @ c_op).tocsr(), soc_codes, counts


def oews_operator(
    occ_codes: Sequence[str], valued_codes: Sequence[str], soc_detailed: Iterable[str]
) -> tuple[sparse.csr_matrix, pd.DataFrame]:
    """``A``: OEWS codes × valued codes (SOC 2018 detailed or OEWS/NEM aggregate codes).

    Parameters
    ----------
    occ_codes : sequence of str
        OEWS detailed occupation codes, in the model's order (length O).
    valued_codes : sequence of str
        Codes that carry a value (length V).
    soc_detailed : iterable of str
        The full SOC 2018 detailed list (from the O*NET crosswalk); an OEWS code outside it is an
        aggregate whose children are the listed codes of its broad group OEWS does not publish.

    Returns
    -------
    operator : sparse.csr_matrix
        O × V, each non-empty row sums to 1 (rows of reason ``"none"`` are empty).
    detail : pd.DataFrame
        Per OEWS code: ``occ_code, reason`` (one of :data:`REASONS`), ``n_sources``, ``sources``.
    """
    occ = pd.DataFrame({"occ_code": np.asarray(occ_codes, dtype=str)})
    occ["row"] = np.arange(len(occ))
    val = pd.DataFrame({"code": np.asarray(valued_codes, dtype=str)})
    val["col"] = np.arange(len(val))
    soc = set(map(str, soc_detailed))
    published = set(occ["occ_code"])
    pieces = []
    done = np.zeros(len(occ), dtype=bool)

    def take(pairs: pd.DataFrame, reason: str) -> None:
        pairs = pairs[~done[pairs["row"].to_numpy()]]
        if len(pairs):
            pieces.append(pairs[["row", "col", "code"]].assign(reason=reason))
            done[pairs["row"].unique()] = True

    take(occ.merge(val, left_on="occ_code", right_on="code"), "own")
    children = val[~val["code"].isin(published) & val["code"].isin(soc)]
    agg = occ[~occ["occ_code"].isin(soc)].assign(p=lambda f: f["occ_code"].str[:6])
    take(agg.merge(children.assign(p=children["code"].str[:6]), on="p"), "aggregate")
    for reason, n in _PREFIX.items():
        take(occ.assign(p=occ["occ_code"].str[:n]).merge(val.assign(p=val["code"].str[:n]), on="p"),
             reason)
    pairs = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        {"row": [], "col": [], "code": [], "reason": []})
    size = pairs.groupby("row")["col"].transform("size").to_numpy(dtype=float)
    op = sparse.csr_matrix(
        (1.0 / size, (pairs["row"].to_numpy(dtype=int), pairs["col"].to_numpy(dtype=int))),
        shape=(len(occ), len(val)),
    )
    per_row = pairs.groupby("row").agg(
        reason=("reason", "first"), n_sources=("col", "size"), sources=("code", ";".join)
    )
    detail = occ[["occ_code"]].join(per_row, how="left")
    detail["reason"] = detail["reason"].fillna("none")
    detail["n_sources"] = detail["n_sources"].fillna(0).astype(int)
    detail["sources"] = detail["sources"].fillna("")
    return op, detail.reset_index(drop=True)
