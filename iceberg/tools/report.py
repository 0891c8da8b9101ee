"""The tools layer's report: catalogue counts, held-out calibration and ablation, frontier.

Used by ``iceberg tools calibrate`` and by ``iceberg validate`` (its "Tools layer" section).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from iceberg.exposure import ExposureModel
from iceberg.geomatrix import GeoMatrix
from iceberg.metrics import geo_metrics
from iceberg.tools.catalogue import DROP_REASONS
from iceberg.tools.frontier import frontier_table
from iceberg.tools.layer import ToolsFit
from iceberg.tools.matching import embed
from iceberg.validate import markdown_table


def held_out_occupations(fit: ToolsFit, model: ExposureModel) -> np.ndarray:
    """OEWS codes whose exposure uses only held-out tasks (boolean, length O)."""
    share = model.operator @ fit.evaluate.astype(float)
    total = np.asarray(model.operator.sum(axis=1)).ravel()
    return (total > 0) & (share >= total - 1e-9)


def held_out_index(fit: ToolsFit, model: ExposureModel, national: GeoMatrix,
                   basis: str = "mean") -> dict[str, float]:
    """Wage-weighted national index over held-out occupations: tools layer vs the labels.

    The labels' task capability is the Eloundou human rater's E1 or E2 (the calibration target),
    filled like the Eloundou layer; the tools layer's is its calibrated probability, and its
    threshold version (1 where the probability reaches the layer's threshold).
    """
    occ = held_out_occupations(fit, model)
    labels = np.clip(model.task_base["eloundou__human"] + model.task_slope["eloundou__human"], 0, 1)
    out = {"occupations": int(occ.sum())}
    wage = national.wages(basis) * occ[None, :]
    visible = model.visible_mask()
    for name, c in (("labels", labels), ("tools", fit.probability),
                    ("tools_threshold", (fit.probability >= fit.calibration.threshold) * 1.0)):
        nat = geo_metrics(national.employment, wage, np.clip(model.operator @ c, 0, 1), visible,
                          national.ids).iloc[0]
        out[f"{name}_iceberg"] = float(nat["iceberg_index"])
        out[f"{name}_surface"] = float(nat["surface_index"])
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def tools_report(fit: ToolsFit, model: ExposureModel, national: GeoMatrix,
                 states: GeoMatrix | None = None, basis: str = "mean",
                 text_reference: bool = True) -> tuple[str, dict]:
    """Markdown section and the figures behind it.

    Returns
    -------
    text : str
    figures : dict
        ``catalogue`` (counts), ``ablation`` (records), ``held_out_index``, ``national``,
        ``frontier`` (records), ``seconds`` (timings of the ablation and frontier).
    """
    from iceberg.validate import national_figures

    cat = fit.catalogue
    counts = pd.DataFrame({"": ["rows read", *[r.replace("_", " ") for r in DROP_REASONS], "kept"],
                           "tools": [cat.counts["rows_read"], *[cat.counts[r] for r in DROP_REASONS],
                                     cat.counts["kept"]]})
    dated = cat.tools["date_source"].value_counts().to_dict()
    t0 = time.perf_counter()
    text_emb = (embed([str(x) for x in fit.universe.task_text]) if text_reference else None)
    ablation = fit.ablation(text_emb)
    t_ablation = time.perf_counter() - t0
    held = held_out_index(fit, model, national, basis)
    t0 = time.perf_counter()
    frontier = frontier_table(fit, model, national, basis=basis)
    t_frontier = time.perf_counter() - t0
    nat = None
    if states is not None:
        nat = national_figures(national, states, model.vector("tools", "calibrated", 0.0),
                               model.visible_mask(), basis)
    shown = ablation.copy()
    for col in ("auc", "train_auc", "precision", "recall", "threshold"):
        shown[col] = shown[col].map(lambda v: f"{v:.3f}")
    shown["predicted_rate"] = shown["predicted_rate"].map(_pct)
    shown = shown[["model", "inputs", "auc", "precision", "recall", "threshold",
                   "predicted_rate", "train_auc"]]
    fr = frontier.assign(**{c: frontier[c].map(_pct) for c in
                            ("tasks_exposed", "iceberg_index", "surface_index", "hidden_index")})
    test = fit.known & fit.evaluate
    lines = [
        "## Tools layer: an open, dated AI tool catalogue",
        "",
        f"Catalogue: MCP servers/tools published on PyPI and npm, snapshot {cat.snapshot_month} "
        f"(files: {', '.join(cat.files)}). Dated by: "
        + ", ".join(f"{k} {v:,}" for k, v in dated.items()) + ".",
        "",
        markdown_table(counts),
        "",
        (f"Held-out evaluation: occupations split 2/3 learn, 1/3 evaluate by a fixed hash of the "
        f"SOC code; {int(test.sum()):,} labelled held-out tasks (positive = Eloundou human E1 or "
        f"E2, rate {fit.y[test].mean():.1%}). Thresholds maximise F1 on the training tasks."),
        "",
        markdown_table(shown),
        "",
        ("The tools layer reads only tool evidence (which tools match the task, its DWAs and IWAs, "
        "how closely, how many, since when); the text-only model reads the task statement and no "
        "tool — it shows how much of the labels the wording alone predicts, not a rival layer."),
        "",
        (f"Wage-weighted national index over the {held['occupations']} held-out OEWS occupations "
        f"(all their tasks held out): labels {_pct(held['labels_iceberg'])} (visible "
        f"{_pct(held['labels_surface'])}), tools layer {_pct(held['tools_iceberg'])} (visible "
        f"{_pct(held['tools_surface'])}), tools layer thresholded "
        f"{_pct(held['tools_threshold_iceberg'])}."),
        "",
    ]
    if nat is not None:
        lines += [(f"National, all occupations, tools layer (λ = 0): iceberg "
                  f"{_pct(nat['iceberg_index'])}, surface {_pct(nat['surface_index'])}, hidden "
                  f"{_pct(nat['hidden_index'])}; mean over states: iceberg "
                  f"{_pct(nat['state_mean_iceberg'])}, surface {_pct(nat['state_mean_surface'])}. "
                  "Iceberg paper: 11.7% / 2.2%."), ""]
    lines += ["### Frontier: the layer as of each month", "",
              ("Tools dated by their latest release month in the snapshot (an upper bound on "
              "when they appeared) unless `iceberg tools fetch` recorded the first release."), "",
              markdown_table(fr), ""]
    figures = {"catalogue": dict(cat.counts), "ablation": ablation.to_dict(orient="records"),
               "held_out_index": held, "national": nat,
               "frontier": frontier.to_dict(orient="records"),
               "seconds": {"ablation": round(t_ablation, 2), "frontier": round(t_frontier, 2)}}
    return "\n".join(lines), figures


def write_tools_report(bundle, out=None, *, text_reference: bool = True) -> tuple[str, dict]:
    """:func:`tools_report` for a bundle (its national and state levels), written atomically to
    ``out`` (Markdown) when given."""
    from iceberg.tools.evidence import load_fit

    text, figures = tools_report(load_fit(bundle), bundle.exposure, bundle.levels["nation"],
                                 bundle.levels["state"], text_reference=text_reference)
    if out is not None:
        from iceberg.fileutil import atomic_write_text

        atomic_write_text(out, text)
    return text, figures
