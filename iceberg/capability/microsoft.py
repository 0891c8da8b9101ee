"""Microsoft "Working with AI" (Tomlinson et al. 2025) → task capability, plus its SOC score.

**Which IWA column is "applicability".** Microsoft's occupation score is, per side (user goal
and AI action), ``Σ_iwa (w/Σw) · completion · impact_scope · 1[share > 0.0005]`` averaged over
the two sides. Its per-IWA ingredient is published as ``completion_x_scope_x_coverage_{user,ai}``.
We take that column: variant ``"user"``, ``"ai"``, or ``"mean"`` (default, the mean of both
sides — the same averaging as Microsoft's own score), so an occupation aggregate of our layer is
Microsoft's recipe with O*NET 29.3 task weights in place of their 29.0 IWA weights.
The values are products of fractions, already in [0, 1]; ``scale="raw"`` (default) keeps them,
``scale="minmax"`` stretches each variant to [0, 1] over the IWAs.

IWA → task: a task's value is the mean over its DWA links of the value of the IWA each DWA
belongs to (Tasks to DWAs → DWA Reference). Tasks with no valued link are filled (occupation
mean; see :func:`iceberg.capability.base.fill_tasks`).

The SOC-level ``ai_applicability_score`` is kept as a separate occupation layer
(``microsoft_soc``) so the validation report can show its correlation with the task-based one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.capability.base import (
    CapabilityLayer,
    TaskUniverse,
    map_to_tasks,
    task_layer_from_known,
)
from iceberg.capability.custom import occupation_layer

SIDES = ("user", "ai")
COLUMN = "completion_x_scope_x_coverage_{side}"


def microsoft_layer(
    iwa_metrics: pd.DataFrame, universe: TaskUniverse, scale: str = "raw"
) -> CapabilityLayer:
    """Task layer from Microsoft's IWA metrics.

    Parameters
    ----------
    iwa_metrics : pd.DataFrame
        ``read_microsoft_iwa`` output: ``iwa_id, title`` and the IWA metric columns, including
        ``completion_x_scope_x_coverage_user`` and ``completion_x_scope_x_coverage_ai``.
    universe : TaskUniverse
    scale : {"raw", "minmax"}
        Keep the [0, 1] products as published, or min–max rescale each variant over IWAs.

    Returns
    -------
    CapabilityLayer
        Code system ``"iwa"``, kind ``"capability"``, variants ``user``, ``ai``, ``mean``.
    """
    cols = {side: iwa_metrics[COLUMN.format(side=side)].to_numpy(dtype=float) for side in SIDES}
    cols["mean"] = (cols["user"] + cols["ai"]) / 2
    if scale == "minmax":
        for k, v in cols.items():
            lo, hi = np.nanmin(v), np.nanmax(v)
            cols[k] = (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    elif scale != "raw":
        raise ValueError(f"scale must be 'raw' or 'minmax', not {scale!r}")
    variants = ["user", "ai", "mean"]
    task_vals, known, map_counts = map_to_tasks(
        universe,
        "iwa",
        iwa_metrics["iwa_id"].astype(str).to_numpy(),
        np.column_stack([cols[v] for v in variants]),
    )
    base = {v: task_vals[:, i] for i, v in enumerate(variants)}
    slope = {v: np.zeros(universe.n_tasks) for v in variants}
    counts = {
        "iwa_rows": map_counts["codes_given"],
        "iwa_not_in_onet": map_counts["codes_unknown"],
        "iwa_without_value": map_counts["codes_without_value"],
        "tasks_29_3": universe.n_tasks,
    }
    description = (
        "Microsoft Working with AI (Tomlinson et al. 2025): per-IWA completion × impact scope × "
        "coverage (share > 0.0005), mean of user-goal and AI-action sides by default, carried to "
        f"O*NET 29.3 tasks through Tasks to DWAs → DWA Reference (scale={scale})."
    )
    return task_layer_from_known(
        "microsoft", "iwa", "capability", universe, base, slope, known, counts, description
    )


def microsoft_soc_layer(soc_scores: pd.DataFrame) -> CapabilityLayer:
    """Occupation layer of Microsoft's published ``ai_applicability_score`` (cross-check).

    Parameters
    ----------
    soc_scores : pd.DataFrame
        ``read_microsoft_soc`` output: ``soc_code, title, ai_applicability_score`` on BLS NEM
        codes (SOC 2018 detailed plus OEWS-style aggregates such as ``13-1020``).

    Returns
    -------
    CapabilityLayer
        Code system ``"occupation"``; values as published (0–0.49), not rescaled.
    """
    frame = pd.DataFrame(
        {"code": soc_scores["soc_code"].astype(str), "value": soc_scores["ai_applicability_score"]}
    )
    layer = occupation_layer(
        frame,
        name="microsoft_soc",
        description=(
            "Microsoft's published SOC-level AI applicability score (mean of user and AI "
            "sides, O*NET 29.0 IWA weights); used as a cross-check of the task-based layer."
        ),
        file="microsoft_working_with_ai/soc_ai_applicability_scores.csv",
    )
    return layer
