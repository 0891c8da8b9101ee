"""The dated capability frontier: the tools layer "as of" every month of the catalogue.

Each tool has a month (first release when the registry document was fetched, else the month of
its latest release — an upper bound); the layer as of month m uses only the tools dated ≤ m,
with the calibration fitted on the full catalogue held fixed, so the curve shows how exposure grew
as tools appeared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.exposure import ExposureModel
from iceberg.geomatrix import GeoMatrix
from iceberg.metrics import geo_metrics
from iceberg.tools.catalogue import check_month
from iceberg.tools.layer import ToolsFit


def frontier_table(fit_result: ToolsFit, model: ExposureModel, national: GeoMatrix,
                   months: list[str] | None = None, basis: str = "mean") -> pd.DataFrame:
    """National indices under the tools layer, month by month.

    Parameters
    ----------
    fit_result : ToolsFit
    model : ExposureModel
        Built on the same task universe (its operator maps task capability to OEWS codes).
    national : GeoMatrix
        The national level (one row).
    months : list of str, optional
        ``YYYY-MM`` months (default: every frontier month).
    basis : {"mean", "median"}
        Wage basis.

    Returns
    -------
    pd.DataFrame
        ``month, tools, tasks_exposed, iceberg_index, surface_index, hidden_index`` —
        ``tools`` counts the catalogue's tools dated ≤ month, ``tasks_exposed`` the share of
        tasks at or above the layer's threshold.
    """
    all_months = fit_result.matches.months
    months = all_months if months is None else [check_month(m) for m in months]
    if len(model.task_ids) != fit_result.universe.n_tasks or not np.array_equal(
            model.task_ids, fit_result.universe.task_ids):
        raise ValueError("the exposure model was built on another task universe")
    tool_months = np.sort(fit_result.catalogue.tools["month"].to_numpy(dtype=str))
    visible = model.visible_mask()
    rows = []
    for month in months:
        c = fit_result.probability_as_of(month)
        e = np.clip(model.operator @ c, 0.0, 1.0)
        nat = geo_metrics(national.employment, national.wages(basis), e, visible,
                          national.ids).iloc[0]
        rows.append({
            "month": month,
            "tools": int(np.searchsorted(tool_months, month, side="right")),
            "tasks_exposed": float((c >= fit_result.calibration.threshold).mean()),
            "iceberg_index": float(nat["iceberg_index"]),
            "surface_index": float(nat["surface_index"]),
            "hidden_index": float(nat["hidden_index"]),
        })
    return pd.DataFrame(rows)


def frontier_chart(table: pd.DataFrame, path=None):
    """Line chart of the iceberg and visible (surface) indices by month, tools on a second axis.

    Returns the matplotlib figure (saved to ``path`` when given).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    x = pd.PeriodIndex(table["month"], freq="M").to_timestamp()
    ax.plot(x, 100 * table["iceberg_index"], marker="o", ms=3, label="Iceberg index (all wages)")
    ax.plot(x, 100 * table["surface_index"], marker="o", ms=3, label="Visible (surface) index")
    ax.set_ylabel("% of national wages exposed")
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.bar(x, table["tools"], width=20, alpha=0.18, color="grey", label="Tools in catalogue")
    ax2.set_ylabel("MCP tools released by then")
    ax.set_zorder(ax2.get_zorder() + 1)
    ax.patch.set_visible(False)
    lines = ax.get_legend_handles_labels()
    bars = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + bars[0], lines[1] + bars[1], loc="upper left", fontsize=8)
    ax.set_title("Tools layer as of each month (tools dated by release month)", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig
