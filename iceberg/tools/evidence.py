"""Which tools make an occupation (or a county) exposed: per-task evidence from a bundle.

Public API: :func:`load_fit` (the :class:`~iceberg.tools.layer.ToolsFit` of a bundle, rebuilt
from the embedding/match caches in a few seconds and memoised), :func:`occupation_tools` and
:func:`county_tools`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from iceberg.errors import IcebergArgumentError
from iceberg.tools.layer import ToolsFit, fit_from_sources

if TYPE_CHECKING:  # pragma: no cover
    from iceberg.bundle import Bundle


@lru_cache(maxsize=2)
def _fit_for(data_dir: str, cache_dir: str | None) -> ToolsFit | None:
    from iceberg.build_steps import read_exposure_sources

    return fit_from_sources(Path(data_dir), read_exposure_sources(Path(data_dir)),
                            cache_dir=cache_dir)


def load_fit(bundle: Bundle, data_dir: str | Path | None = None) -> ToolsFit:
    """The tools fit behind ``bundle``'s ``tools`` layer (same data folder, cached matches).

    The matches and the cleaned catalogue come from the cache the build wrote (the ``tools``
    folder beside the bundle's), so this takes seconds; the result is memoised per process.

    Raises
    ------
    ValueError
        When the bundle has no ``tools`` layer (no ``ai_tool_catalogue`` in its data folder).
    """
    if "tools" not in bundle.exposure.layers:
        raise ValueError("this bundle has no 'tools' layer: put the ai_tool_catalogue folder in "
                         "the data directory and rebuild (`iceberg build --force`)")
    if data_dir is None:
        if bundle.path is None:
            raise ValueError("the bundle has no folder: pass data_dir")
        manifest = json.loads((Path(bundle.path) / "manifest.json").read_text())
        data_dir = manifest["data_dir"]
    # the build cached its matches under <cache root>/tools, next to <cache root>/bundles/<key>
    cache_dir = Path(bundle.path).parent.parent / "tools" if bundle.path is not None else None
    fit = _fit_for(str(data_dir), str(cache_dir) if cache_dir else None)
    if fit is None:
        raise ValueError(f"no ai_tool_catalogue folder in {data_dir}")
    return fit


def _task_rows(bundle: Bundle, fit: ToolsFit, occ_index: np.ndarray,
               occ_weight: np.ndarray, month: str | None, per_task: int) -> pd.DataFrame:
    """Task × best-tool rows of the given OEWS occupations, weighted."""
    op = bundle.exposure.operator[occ_index]
    weights = op.multiply(occ_weight[:, None]).tocsr()
    task_w = np.asarray(weights.sum(axis=0)).ravel()
    tasks = np.flatnonzero(task_w > 0)
    m = fit.matches.task.at(month)
    c = fit.probability if month is None else fit.probability_as_of(month)
    idx = fit.matches.task.idx[m][tasks, :per_task]
    sim = fit.matches.task.sim[m][tasks, :per_task]
    r, k = np.nonzero(idx >= 0)
    tools = fit.catalogue.tools
    pos = idx[r, k]
    return pd.DataFrame({
        "task_id": fit.universe.task_ids[tasks[r]], "task": fit.universe.task_text[tasks[r]],
        "task_weight": task_w[tasks[r]], "capability": c[tasks[r]], "rank": k + 1,
        "tool": tools["name"].to_numpy()[pos], "registry": tools["registry"].to_numpy()[pos],
        "summary": tools["summary"].to_numpy()[pos], "month": tools["month"].to_numpy()[pos],
        "similarity": sim[r, k].astype(float),
    })


def _summarise(rows: pd.DataFrame, top: int) -> pd.DataFrame:
    """One row per tool: tasks it matches, best similarity, weighted contribution."""
    if rows.empty:
        return pd.DataFrame(columns=["tool", "registry", "summary", "month", "tasks",
                                     "best_similarity", "contribution", "example_task"])
    rows = rows.assign(contribution=rows["task_weight"] * rows["capability"] * rows["similarity"])
    best = rows.sort_values("similarity", ascending=False).drop_duplicates("tool")
    agg = rows.groupby("tool").agg(tasks=("task_id", "nunique"),
                                   contribution=("contribution", "sum"))
    out = best.set_index("tool")[["registry", "summary", "month", "similarity", "task"]].join(agg)
    out = out.rename(columns={"similarity": "best_similarity", "task": "example_task"})
    out["contribution"] = out["contribution"] / out["contribution"].sum()
    return (out.sort_values("contribution", ascending=False).head(top).reset_index()
            [["tool", "registry", "summary", "month", "tasks", "best_similarity", "contribution",
              "example_task"]])


def occupation_tools(bundle: Bundle, occupation: str, *, top: int = 10, month: str | None = None,
                     fit: ToolsFit | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tools behind an OEWS occupation's ``tools`` exposure.

    Parameters
    ----------
    bundle : Bundle
    occupation : str
        OEWS code, e.g. ``"43-4051"``.
    top : int
        Tools returned.
    month : str, optional
        ``YYYY-MM``: only tools released by then (default: the whole catalogue).
    fit : ToolsFit, optional
        Default :func:`load_fit`.

    Returns
    -------
    tools : pd.DataFrame
        ``tool, registry, summary, month, tasks, best_similarity, contribution,
        example_task`` — ``contribution`` is the tool's share of Σ task weight × capability ×
        similarity over the occupation's tasks (its top-3 matches each).
    tasks : pd.DataFrame
        Per task: ``task_id, task, task_weight, capability, best_tool, similarity``, by weight.
    """
    fit = fit or load_fit(bundle)
    codes = bundle.exposure.occ_codes
    hit = np.flatnonzero(codes == str(occupation))
    if not len(hit):
        raise IcebergArgumentError("occupation", occupation, message="unknown occupation",
                                   allowed="an OEWS occupation code like 43-4051")
    rows = _task_rows(bundle, fit, hit, np.ones(1), month, per_task=3)
    first = rows[rows["rank"] == 1]
    tasks = (first[["task_id", "task", "task_weight", "capability", "tool", "similarity"]]
             .rename(columns={"tool": "best_tool"})
             .sort_values("task_weight", ascending=False).reset_index(drop=True))
    return _summarise(rows, top), tasks


def county_tools(bundle: Bundle, county: str, *, top: int = 10, month: str | None = None,
                 fit: ToolsFit | None = None) -> pd.DataFrame:
    """The tools behind a county's ``tools`` exposure, weighted by its wage bill per occupation.

    Same columns as the first frame of :func:`occupation_tools`; ``contribution`` sums over the
    county's occupations weighted by their wage bill.
    """
    fit = fit or load_fit(bundle)
    level = bundle.levels["county"]
    pos = np.flatnonzero(np.asarray(level.ids, dtype=str) == str(county).zfill(5))
    if not len(pos):
        raise IcebergArgumentError("county", county, message="unknown county",
                                   allowed="a 5-digit county FIPS code like 47037")
    bill = level.employment[pos[0]] * level.wage[pos[0]]
    occ = np.flatnonzero(bill > 0)
    rows = _task_rows(bundle, fit, occ, bill[occ] / bill.sum(), month, per_task=3)
    return _summarise(rows, top)
