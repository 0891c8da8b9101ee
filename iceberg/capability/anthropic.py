"""Anthropic Economic Index (2025-02-10) → observed Claude usage per task: an *adoption* signal.

This layer says where people already *use* an AI model, not what AI can technically do, so its
kind is ``"adoption"`` and it is never the default or mixed into capability.

Matching: Anthropic publishes lower-cased task texts without ids; a 29.3 task matches when its
statement, lower-cased and stripped, is equal. A text that occurs in several 29.3 tasks counts for
each of them (for ``"share"`` its conversation share is split equally). The ``none`` row and texts
absent from 29.3 are counted, not matched. 29.3 tasks without a match get **0** — no observed usage
— and are *not* filled: the data list every task with usage, so absence is an observation.

``transform``: ``"indicator"`` (default) 1 where the task appears in usage at all, so an
occupation's value is the weighted share of its tasks seen in Claude conversations;
``"share"`` the fraction of conversations (sums to the matched share over all tasks);
``"minmax"`` that fraction divided by its maximum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.capability.base import CapabilityLayer, TaskUniverse


def anthropic_layer(
    usage: pd.DataFrame, universe: TaskUniverse, transform: str = "indicator"
) -> CapabilityLayer:
    """Adoption layer from the Anthropic task usage shares.

    Parameters
    ----------
    usage : pd.DataFrame
        ``read_anthropic_tasks`` output: ``task_text`` (lower-cased), ``pct`` (percent).
    universe : TaskUniverse
    transform : {"indicator", "share", "minmax"}

    Returns
    -------
    CapabilityLayer
        Code system ``"task"``, kind ``"adoption"``. Counts: ``texts``, ``texts_none``,
        ``texts_matched``, ``texts_unmatched``, ``pct_matched_x1000`` (matched share ×1000,
        rounded), ``tasks_observed``, ``tasks_zero``.
    """
    text = usage["task_text"].astype(str).str.strip().str.lower()
    pct = usage["pct"].to_numpy(dtype=float)
    is_none = (text == "none").to_numpy()
    agg = pd.Series(pct[~is_none], index=text[~is_none].to_numpy()).groupby(level=0).sum()
    task_text = pd.Series(universe.task_text).str.strip().str.lower()
    n_same = task_text.map(task_text.value_counts()).to_numpy(dtype=float)
    share = task_text.map(agg).to_numpy(dtype=float) / 100.0 / n_same
    observed = ~np.isnan(share)
    share = np.nan_to_num(share)
    if transform == "indicator":
        values = observed.astype(float)
    elif transform == "share":
        values = share
    elif transform == "minmax":
        values = share / share.max() if share.max() > 0 else share
    else:
        raise ValueError(f"transform must be indicator, share or minmax, not {transform!r}")
    matched = agg.index.isin(task_text.to_numpy())
    counts = {
        "texts": len(usage),
        "texts_none": int(is_none.sum()),
        "texts_matched": int(matched.sum()),
        "texts_unmatched": int((~matched).sum()),
        "pct_matched_x1000": round(agg[matched].sum() * 1000),
        "tasks_observed": int(observed.sum()),
        "tasks_zero": int((~observed).sum()),
    }
    return CapabilityLayer(
        name="anthropic",
        code_system="task",
        kind="adoption",
        codes=universe.task_ids,
        base={"default": values},
        slope={"default": np.zeros(universe.n_tasks)},
        counts=counts,
        description=(
            "Anthropic Economic Index 2025-02-10: Claude conversation share per O*NET task, "
            f"matched by lower-cased text to 29.3 tasks, transform={transform}. Observed "
            "usage (adoption), not capability; unmatched tasks are 0, not filled."
        ),
        source=np.where(observed, 0, -1).astype(np.int8),
    )
