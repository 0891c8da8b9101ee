"""The validation chart: visible and hidden national exposure per layer, beside the Iceberg paper."""

from __future__ import annotations

import os
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from iceberg.exposure import ExposureModel
from iceberg.fileutil import atomic_write
from iceberg.geomatrix import GeoMatrix
from iceberg.validate import PAPER, _default_variant, national_figures


def validation_chart(national: GeoMatrix, states: GeoMatrix, model: ExposureModel,
                     path: str | os.PathLike, *, lam: float = 0.0) -> Path:
    """Stacked bars (surface + hidden = iceberg index) for each layer's default variant at ``lam``.

    The Iceberg paper's national figures come first for reference; PNG/SVG/PDF by extension.
    """
    visible = model.visible_mask()
    rows = [("Iceberg paper", PAPER["surface_index"], PAPER["iceberg_index"] - PAPER["surface_index"])]
    for layer in model.layers:
        variant = _default_variant(model, layer)
        fig = national_figures(national, states, model.vector(layer, variant, lam), visible)
        kind = model.layer_info(layer)["kind"]
        label = f"{layer}{' (adoption)' if kind == 'adoption' else ''}"
        rows.append((label, fig["surface_index"], fig["hidden_index"]))
    labels = [r[0] for r in rows]
    surface = [r[1] * 100 for r in rows]
    hidden = [r[2] * 100 for r in rows]
    figure = Figure(figsize=(8, 0.55 * len(rows) + 1.6), dpi=150)
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    y = range(len(rows))[::-1]
    ax.barh(list(y), surface, color="#2c7fb8", label="Visible (computing & tech)")
    ax.barh(list(y), hidden, left=surface, color="#a1dab4", label="Hidden (all other occupations)")
    for yi, s, h in zip(y, surface, hidden):
        ax.text(s + h + 0.5, yi, f"{s + h:.1f}%", va="center", fontsize=8)
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("Share of national wages technically exposed (%)")
    ax.set_title(f"National exposure by capability layer (λ = {lam:g}) vs the Iceberg paper", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    figure.text(0.01, 0.01, "Exposure is technical capability, not a forecast of job loss. "
                "Sources: O*NET 29.3 (CC BY 4.0), BLS OEWS May 2025.", fontsize=6, color="#555")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    fmt = Path(path).suffix.lstrip(".").lower() or "png"
    return atomic_write(path, lambda p: figure.savefig(p, format=fmt))
