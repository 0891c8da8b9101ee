"""The ``tools`` capability layer: catalogue → matches → calibrated task capability, dated.

:func:`fit_tools` runs the whole chain on the loader frames and returns a :class:`ToolsFit`;
:func:`tool_layers` turns it into two layers the exposure model takes like any other:

``tools``
    c_t = P(task exposed | tool evidence), the logistic calibration of
    :mod:`iceberg.tools.calibration` fitted on the training 2/3 of occupations. Its λ-slope is
    the observed growth of c over the last 12 months of the catalogue, so the tool-frontier
    lever λ reads "λ more years of tool growth at the observed pace" (0 by default: off).
``tools_and_labels``
    The conjunction "technically feasible (Eloundou labels) **and** a tool exists": the Eloundou
    c (E1, + λ·E2) where the tools layer reaches its threshold, else 0 (variants human, gpt4,
    mean).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.capability.base import CapabilityLayer, TaskUniverse
from iceberg.tools.calibration import Calibration, ablation, fit, held_out, scores, targets
from iceberg.tools.catalogue import Catalogue, load_catalogue
from iceberg.tools.features import FEATURES, ToolMatches, match_catalogue

#: Source id of the catalogue in the data directory.
SOURCE_ID = "ai_tool_catalogue"
#: Months over which the λ-slope (observed growth) is measured.
TREND_MONTHS = 12


@dataclass(frozen=True)
class ToolsFit:
    """Everything the tools layer is made of, for reports and the evidence API.

    Attributes
    ----------
    matches : ToolMatches
        Month-by-month best tools of every task, DWA and IWA.
    calibration : Calibration
        The logistic model of the layer (fitted on training occupations only).
    y, known, evaluate : np.ndarray
        Eloundou human label (E1 or E2), label present, held-out occupation — per universe task.
    probability : np.ndarray
        c_t at the latest month.
    trend : np.ndarray
        Growth of c_t per year over the last :data:`TREND_MONTHS` months (≥ 0).
    held_out_scores : dict
        AUC and precision/recall of the layer on held-out tasks.
    """

    matches: ToolMatches
    calibration: Calibration
    y: np.ndarray
    known: np.ndarray
    evaluate: np.ndarray
    probability: np.ndarray
    trend: np.ndarray
    held_out_scores: dict

    @property
    def catalogue(self) -> Catalogue:
        return self.matches.catalogue

    @property
    def universe(self) -> TaskUniverse:
        return self.matches.universe

    def probability_as_of(self, month: str | None = None) -> np.ndarray:
        """c_t with only the tools that had appeared by ``month`` (``YYYY-MM``)."""
        return self.calibration.predict(self.matches.features(month))

    def ablation(self, text_embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Raw match, task-level model, tools layer and (given embeddings) text-only reference."""
        table, _ = ablation(self.matches.features(), self.y, self.known, self.evaluate,
                            text_embeddings)
        return table


def fit_tools(catalogue: Catalogue, universe: TaskUniverse, eloundou: pd.DataFrame,
              dwa_reference: pd.DataFrame, *, cache_dir: str | os.PathLike | None = None,
              progress: bool = False) -> ToolsFit:
    """Match the catalogue to the task universe and calibrate on the Eloundou human labels.

    Parameters
    ----------
    catalogue : Catalogue
        :func:`iceberg.tools.catalogue.load_catalogue` output.
    universe : TaskUniverse
    eloundou : pd.DataFrame
        ``read_eloundou`` output (labels; only the training occupations' are used to fit).
    dwa_reference : pd.DataFrame
        ``read_dwa_reference`` output.
    cache_dir : path, optional
        Embedding and match cache (default ``<ICEBERG_CACHE_DIR>/tools``).
    progress : bool
        Progress bars while matching.
    """
    matches = match_catalogue(catalogue, universe, dwa_reference, cache_dir=cache_dir,
                              progress=progress)
    y, known = targets(eloundou, universe)
    evaluate = held_out(universe.onet_soc)
    features = matches.features()
    cal = fit(features, y, known & ~evaluate, FEATURES)
    prob = cal.predict(features)
    months = matches.months
    earlier = months[max(len(months) - 1 - TREND_MONTHS, 0)]
    span = (len(months) - 1 - months.index(earlier)) / 12 or 1.0
    trend = np.maximum(prob - cal.predict(matches.features(earlier)), 0.0) / span
    test = known & evaluate
    held = scores(prob, y, test, cal.threshold) if test.any() and y[test].any() else {}
    return ToolsFit(matches, cal, y, known, evaluate, prob, trend, held)


def tool_layers(fit_result: ToolsFit, eloundou_layer: CapabilityLayer) -> list[CapabilityLayer]:
    """The ``tools`` and ``tools_and_labels`` layers (module docstring)."""
    uni = fit_result.universe
    if not np.array_equal(eloundou_layer.codes, uni.task_ids):
        raise ValueError("the Eloundou layer was built on another task universe")
    cat = fit_result.catalogue
    counts = {f"catalogue_{k}": int(v) for k, v in cat.counts.items()}
    counts.update(tasks_valued=uni.n_tasks, mapped=uni.n_tasks,
                  tasks_with_tool_match_0_4=int((fit_result.matches.task.count[-1, :, 1] > 0).sum()))
    held = fit_result.held_out_scores
    desc = (f"AI tool catalogue ({cat.counts['kept']:,} MCP servers on PyPI and npm, snapshot "
            f"{cat.snapshot_month}) matched offline to O*NET tasks, DWAs and IWAs (wordllama); "
            "c = P(exposed | tool evidence), logistic calibration on Eloundou human labels of "
            "2/3 of occupations"
            + (f" (held-out AUC {held['auc']:.2f})" if held else "")
            + f"; λ = years of further tool growth at the last {TREND_MONTHS} months' pace.")
    tools = CapabilityLayer(
        name="tools", code_system="task", kind="capability", codes=uni.task_ids,
        base={"calibrated": fit_result.probability}, slope={"calibrated": fit_result.trend},
        counts=counts, description=desc, source=np.zeros(uni.n_tasks, dtype=np.int8))
    exists = (fit_result.probability >= fit_result.calibration.threshold).astype(float)
    conj = CapabilityLayer(
        name="tools_and_labels", code_system="task", kind="capability", codes=uni.task_ids,
        base={v: eloundou_layer.base[v] * exists for v in eloundou_layer.variants},
        slope={v: eloundou_layer.slope[v] * exists for v in eloundou_layer.variants},
        counts={"tasks_with_tool": int(exists.sum()), **eloundou_layer.counts},
        description="Conjunction: technically feasible (Eloundou labels, E1 + λ·E2) AND a tool "
        f"exists (tools layer ≥ its threshold {fit_result.calibration.threshold:.2f}).",
        source=eloundou_layer.source)
    return [tools, conj]


def catalogue_folder(raw: str | os.PathLike) -> Path | None:
    """``raw/ai_tool_catalogue`` when it holds a listing, else None (the layer is optional)."""
    from iceberg.tools.catalogue import snapshot_files

    folder = Path(raw) / SOURCE_ID
    return folder if folder.is_dir() and snapshot_files(folder) else None


def fit_from_sources(raw: str | os.PathLike, sources: dict, *,
                     cache_dir: str | os.PathLike | None = None,
                     progress: bool = False) -> ToolsFit | None:
    """:func:`fit_tools` on the data directory ``raw`` and the loader frames ``sources``
    (:func:`iceberg.build_steps.read_exposure_sources`); None without a catalogue."""
    folder = catalogue_folder(raw)
    if folder is None:
        return None
    universe = TaskUniverse.from_frames(sources["tasks"], sources["tasks_to_dwas"],
                                        sources["dwa_reference"])
    return fit_tools(load_catalogue(folder), universe, sources["eloundou"],
                     sources["dwa_reference"], cache_dir=cache_dir, progress=progress)
