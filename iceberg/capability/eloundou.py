"""Eloundou et al. (GPTs are GPTs) task labels → task capability (the default layer).

For one rater, ``c_t = 1[E1] + λ·1[E2]``: ``base = 1[E1]`` and ``slope = 1[E2]``. The ``"mean"``
variant is the mean of the human and GPT-4 raters' ``c`` (so ``base`` and ``slope`` are the
means of the two indicators). Labels are on the O*NET 27.2 task universe: task ids are matched
to O*NET 29.3 by id (float ids such as ``8823.0`` are cast to int); labelled ids that no longer
exist in 29.3 are counted, and 29.3 tasks without a label are filled (DWA mean, else occupation
mean) — see :func:`iceberg.capability.base.fill_tasks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.capability.base import CapabilityLayer, TaskUniverse, task_layer_from_known
from iceberg.errors import IcebergDataError

RATERS = ("human", "gpt4")
LABELS = ("E0", "E1", "E2")


def eloundou_layer(labels: pd.DataFrame, universe: TaskUniverse) -> CapabilityLayer:
    """Build the Eloundou layer with variants ``human``, ``gpt4`` and ``mean``.

    Parameters
    ----------
    labels : pd.DataFrame
        ``read_eloundou`` output: ``onet_soc, task_id, task, task_type, human, gpt4``
        (labels ``E0``/``E1``/``E2``; task ids int or float).
    universe : TaskUniverse
        The O*NET 29.3 task universe.

    Returns
    -------
    CapabilityLayer
        Code system ``"task"``, kind ``"capability"``. Counts: ``labelled_tasks``,
        ``labelled_not_in_29_3`` (ids dropped from 29.3), ``duplicate_label_rows``, and the
        fill counts (``mapped``, ``filled_dwa_mean``, …).
    """
    ids = pd.to_numeric(labels["task_id"], errors="coerce")
    bad = ids.isna() | (ids != np.floor(ids))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise IcebergDataError(
            "Eloundou task id is not an integer",
            row=row, column="task_id", expected="integer task id",
            found=labels["task_id"].iloc[row - 1],
        )
    for rater in RATERS:
        ok = labels[rater].isin(LABELS)
        if not ok.all():
            row = int(np.flatnonzero(~ok.to_numpy())[0]) + 1
            raise IcebergDataError(
                "Eloundou label outside E0/E1/E2", row=row, column=rater,
                expected="E0, E1 or E2", found=labels[rater].iloc[row - 1],
            )
    frame = pd.DataFrame(
        {"task_id": ids.astype(np.int64), "human": labels["human"], "gpt4": labels["gpt4"]}
    )
    dup = frame["task_id"].duplicated()
    frame = frame[~dup]
    pos = universe.position(frame["task_id"].to_numpy())
    inside = pos >= 0
    t = universe.n_tasks
    known = np.zeros(t, dtype=bool)
    known[pos[inside]] = True
    base: dict[str, np.ndarray] = {}
    slope: dict[str, np.ndarray] = {}
    for rater in RATERS:
        lab = frame[rater].to_numpy()[inside]
        base[rater] = np.zeros(t)
        slope[rater] = np.zeros(t)
        base[rater][pos[inside]] = lab == "E1"
        slope[rater][pos[inside]] = lab == "E2"
    base["mean"] = (base["human"] + base["gpt4"]) / 2
    slope["mean"] = (slope["human"] + slope["gpt4"]) / 2
    counts = {
        "labelled_tasks": len(frame),
        "duplicate_label_rows": int(dup.sum()),
        "labelled_not_in_29_3": int((~inside).sum()),
        "tasks_29_3": t,
    }
    description = (
        "Eloundou, Manning, Mishkin & Rock (2024) task labels (O*NET 27.2), human annotators "
        "and GPT-4 (main rubric). c = 1[E1] + λ·1[E2]; variant 'mean' = mean of both raters' c. "
        "Matched to O*NET 29.3 by task id; unlabelled 29.3 tasks take the mean of tasks sharing "
        "their DWAs, else of their occupation."
    )
    return task_layer_from_known(
        "eloundou", "task", "capability", universe, base, slope, known, counts, description
    )
