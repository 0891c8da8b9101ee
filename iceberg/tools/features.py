"""Tool evidence per task: which tools match it or its DWAs/IWAs, how closely, how many, since when.

Only the matches enter the features — never the task text itself — so a model calibrated on them
learns what the *tools* say about a task (see :mod:`iceberg.tools.calibration`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.capability.base import TaskUniverse
from iceberg.tools.catalogue import Catalogue
from iceberg.tools.matching import (
    THRESHOLDS,
    TOP_K,
    FrontierMatches,
    _cache_root,
    embed,
    frontier_matches,
    model_id,
)

#: Feature names, in column order.
FEATURES = (
    "task_best", "task_top5", "task_top20", "task_n30", "task_n40",
    "dwa_best_mean", "dwa_top5_mean", "dwa_top5_max", "dwa_n30_mean",
    "iwa_top5_mean", "iwa_n30_mean", "months_since_first_match",
)
#: Feature sets of the ablation: the raw match alone, and the task level alone.
RAW = ("task_best",)
TASK_ONLY = ("task_best", "task_top5", "task_top20", "task_n30", "task_n40")
#: A frontier month is kept once this many tools have appeared.
MIN_TOOLS_FIRST_MONTH = 50


def frontier_months(catalogue: Catalogue) -> list[str]:
    """Every month from the first with ≥ 50 tools to the snapshot month."""
    counts = catalogue.tools["month"].value_counts().sort_index().cumsum()
    start = counts.index[np.argmax(counts.to_numpy() >= MIN_TOOLS_FIRST_MONTH)]
    rng = pd.period_range(start, catalogue.snapshot_month, freq="M")
    return [str(p) for p in rng]


@dataclass(frozen=True)
class ToolMatches:
    """Frontier matches of the catalogue against tasks, DWAs and IWAs of one task universe."""

    catalogue: Catalogue
    universe: TaskUniverse
    task: FrontierMatches
    dwa: FrontierMatches
    iwa: FrontierMatches
    tool_month_index: np.ndarray  # frontier month index per tool (0 for earlier tools)

    @property
    def months(self) -> list[str]:
        return self.task.months

    def features(self, month: str | None = None) -> np.ndarray:
        """T × len(FEATURES) tool evidence of every task, as of ``month`` (default: latest)."""
        m = self.task.at(month)
        return task_features(self.universe, self.task, self.dwa, self.iwa, m,
                             self.tool_month_index)


def _level_stats(fm: FrontierMatches, m: int) -> dict[str, np.ndarray]:
    sim = np.maximum(fm.sim[m], 0.0)  # −1 marks "no tool yet": no evidence
    return {"best": sim[:, 0], "top5": sim[:, :5].mean(axis=1), "top20": sim.mean(axis=1),
            "n30": np.log1p(fm.count[m, :, 0]), "n40": np.log1p(fm.count[m, :, 1])}


def _mean_over(incidence: sparse.csr_matrix, values: np.ndarray) -> np.ndarray:
    den = np.asarray(incidence.sum(axis=1)).ravel()
    num = incidence @ values
    fallback = values.mean() if len(values) else 0.0
    return np.where(den > 0, num / np.maximum(den, 1), fallback)


def _max_over(incidence: sparse.csr_matrix, values: np.ndarray) -> np.ndarray:
    if incidence.shape[1] == 0:
        return np.zeros(incidence.shape[0])
    out = incidence.multiply(values[None, :]).tocsr().max(axis=1).toarray().ravel()
    has = np.asarray(incidence.sum(axis=1)).ravel() > 0
    return np.where(has, out, values.mean() if len(values) else 0.0)


def task_features(universe: TaskUniverse, task: FrontierMatches, dwa: FrontierMatches,
                  iwa: FrontierMatches, m: int, tool_month_index: np.ndarray) -> np.ndarray:
    """The :data:`FEATURES` matrix at frontier month index ``m`` (vectorised over tasks)."""
    t, d, i = _level_stats(task, m), _level_stats(dwa, m), _level_stats(iwa, m)
    td = universe.task_dwa.tocsr()
    ti = (universe.task_dwa @ universe.dwa_iwa).tocsr()
    ti.data[:] = 1.0
    top5 = task.idx[m, :, :5]
    first = np.where(top5 >= 0, tool_month_index[np.maximum(top5, 0)], m + 1).min(axis=1)
    cols = [
        t["best"], t["top5"], t["top20"], t["n30"], t["n40"],
        _mean_over(td, d["best"]), _mean_over(td, d["top5"]), _max_over(td, d["top5"]),
        _mean_over(td, d["n30"]),
        _mean_over(ti, i["top5"]), _mean_over(ti, i["n30"]),
        np.maximum(m - first, 0).astype(float),
    ]
    return np.column_stack(cols)


def _dwa_titles(universe: TaskUniverse, dwa_reference: pd.DataFrame) -> tuple[list[str], list[str]]:
    ref = dwa_reference.drop_duplicates("dwa_id").set_index("dwa_id")
    dwa = ref["dwa_title"].reindex(universe.dwa_ids).fillna("").astype(str).tolist()
    iwa_title = "iwa_title" if "iwa_title" in dwa_reference else None
    if iwa_title:
        iwa = (dwa_reference.drop_duplicates("iwa_id").set_index("iwa_id")[iwa_title]
               .reindex(universe.iwa_ids).fillna("").astype(str).tolist())
    else:  # an IWA's text: its DWA titles joined
        joined = (dwa_reference.groupby("iwa_id")["dwa_title"].apply(lambda s: "; ".join(s)))
        iwa = joined.reindex(universe.iwa_ids).fillna("").astype(str).tolist()
    return dwa, iwa


def _key(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "replace") + b"\0")
    return h.hexdigest()[:24]


def match_catalogue(catalogue: Catalogue, universe: TaskUniverse, dwa_reference: pd.DataFrame,
                    *, cache_dir: str | os.PathLike | None = None, progress: bool = False,
                    use_cache: bool = True) -> ToolMatches:
    """Embed tools, tasks, DWAs and IWAs and match them month by month (cached).

    Parameters
    ----------
    catalogue : Catalogue
    universe : TaskUniverse
    dwa_reference : pd.DataFrame
        ``read_dwa_reference`` output (DWA and IWA titles).
    cache_dir : path, optional
        Default ``<ICEBERG_CACHE_DIR>/tools``. Keys: model id, catalogue hash, query texts.
    """
    months = frontier_months(catalogue)
    dwa_text, iwa_text = _dwa_titles(universe, dwa_reference)
    task_text = [str(x) for x in universe.task_text]
    tool_months = catalogue.tools["month"].to_numpy(dtype=str)
    tool_month_index = np.clip(np.searchsorted(np.asarray(months), tool_months, side="left"), 0,
                               len(months) - 1)
    key = _key(model_id(), catalogue.sha256, "|".join(months), str(TOP_K), str(THRESHOLDS),
               *task_text, "#", *dwa_text, "#", *iwa_text)
    path = _cache_root(cache_dir) / "matches" / f"{key}.npz"
    levels = {}
    if use_cache and path.is_file():
        try:
            with np.load(path) as z:
                levels = {lv: FrontierMatches(months, z[f"{lv}_sim"], z[f"{lv}_idx"],
                                              z[f"{lv}_count"]) for lv in ("task", "dwa", "iwa")}
        except (OSError, ValueError, KeyError):
            levels = {}
    if not levels:
        tools = embed(catalogue.tools["text"].tolist(), cache_dir=cache_dir, use_cache=use_cache)
        for level, texts in (("task", task_text), ("dwa", dwa_text), ("iwa", iwa_text)):
            queries = embed(texts, cache_dir=cache_dir, use_cache=use_cache)
            levels[level] = frontier_matches(queries, tools, tool_months, months,
                                             progress=progress, desc=f"matching {level}s")
        if use_cache:
            from iceberg.fileutil import atomic_write

            arrays = {f"{lv}_{a}": getattr(fm, a) for lv, fm in levels.items()
                      for a in ("sim", "idx", "count")}
            def write(tmp: Path) -> None:
                with open(tmp, "wb") as fh:  # a handle: np.savez would add ".npz" to a name
                    np.savez(fh, **arrays)

            atomic_write(path, write)
    return ToolMatches(catalogue, universe, levels["task"], levels["dwa"], levels["iwa"],
                       tool_month_index)


def evidence_table(matches: ToolMatches, month: str | None = None, top: int = 5) -> pd.DataFrame:
    """Long table of each task's best tools: ``task_id, rank, tool_id, name, summary, month,
    similarity`` (as of ``month``)."""
    m = matches.task.at(month)
    sim = matches.task.sim[m, :, :top]
    idx = matches.task.idx[m, :, :top]
    rows, ranks = np.nonzero(idx >= 0)
    tools = matches.catalogue.tools
    pos = idx[rows, ranks]
    return pd.DataFrame({
        "task_id": matches.universe.task_ids[rows], "rank": ranks + 1,
        "tool_id": tools["tool_id"].to_numpy()[pos], "name": tools["name"].to_numpy()[pos],
        "summary": tools["summary"].to_numpy()[pos], "month": tools["month"].to_numpy()[pos],
        "similarity": sim[rows, ranks].astype(float),
    })
