"""Plain tables of a result for people (the national line, states ranked, a state's areas and
counties), the bundle summary and the validation report files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from iceberg import labels
from iceberg.errors import IcebergDataError
from iceberg.metrics import state_mean

if TYPE_CHECKING:  # pragma: no cover
    from iceberg.api import Result
    from iceberg.bundle import Bundle

#: Label of the state-mean row: says which hidden multiple it is.
STATE_MEAN_ROW = "Mean over {n} states incl. DC (paper's averaging; multiple = ratio of the means)"

SHOWN = ["employment", "wage_bill", "iceberg_index", "surface_index", "hidden_index", "hidden_multiple",
         "exposed_wages", "hidden_wages", "exposed_workers"]


def summary_tables(result: Result, state: str | None = None) -> dict[str, pd.DataFrame]:
    """Tables for ``iceberg summary``.

    Parameters
    ----------
    result : Result
        From :func:`iceberg.run`.
    state : str, optional
        Two-letter postal code or 2-digit FIPS; adds that state's areas and counties.

    Returns
    -------
    dict of DataFrame
        ``nation`` (wage-weighted, plus the mean over the 50 states + DC, whose hidden multiple
        is the ratio of the means, see :func:`iceberg.metrics.state_mean`), ``states`` (ranked by
        hidden index) and, with ``state``, ``areas`` and ``counties`` of that state.
    """
    nation = result.nation[SHOWN].copy()
    nation.index = ["United States (wage-weighted)"]
    states = result.states
    mean_row = state_mean(states)
    n = int(mean_row.pop("n_states"))
    nation.loc[STATE_MEAN_ROW.format(n=n), mean_row.index] = mean_row.to_numpy()
    tables = {"nation": nation}
    named = states.copy()
    label = named["name"] if "name" in named.columns else pd.Series(named.index, index=named.index)
    named.index = label.astype(str)
    tables["states"] = named[SHOWN].sort_values("hidden_index", ascending=False)
    if state:
        fips = _state_fips(result, state)
        counties = result.counties[result.counties["state_fips"] == fips]
        tables["counties"] = (counties.set_index("name")[SHOWN + ["allocation_method", "top_hidden"]]
                              .sort_values("hidden_index", ascending=False))
        areas = result.areas
        if "state_abbr" in areas.columns:
            abbr = counties["state_abbr"].iloc[0] if len(counties) else state.upper()
            in_state = result.counties.loc[result.counties["state_fips"] == fips, "oews_area"].unique()
            areas = areas[areas.index.isin(in_state) | (areas["state_abbr"] == abbr)]
            areas = areas.set_index("name") if "name" in areas.columns else areas
        tables["areas"] = areas[SHOWN].sort_values("hidden_index", ascending=False)
    return tables


def _state_fips(result: Result, state: str) -> str:
    """FIPS of a state given by code or abbreviation (the county layer's own, then the table)."""
    code = state.strip().upper()
    match = result.counties.loc[result.counties["state_abbr"] == code, "state_fips"]
    if not match.empty:
        return str(match.iloc[0])
    try:
        return labels.state(code).fips
    except KeyError:
        raise IcebergDataError("unknown state", column="--state",
                               expected="a two-letter code such as TN or a FIPS code such as 47",
                               found=state) from None


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """Human-readable copy: every metric column formatted by :func:`iceberg.labels.format_values`
    (indices as %, dollars as $B/$M, worker-equivalents with separators); other columns as is."""
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if labels.is_metric(column) and pd.api.types.is_numeric_dtype(values):
            out[column] = labels.format_values(column, values, missing="")
        else:
            out[column] = values
    return out


def bundle_summary(bundle: Bundle) -> dict[str, Any]:
    """What ``iceberg build`` prints: where the bundle is, how long it took, what it holds.

    Returns
    -------
    dict
        ``path, build_seconds, data_dir, occupations, areas, counties, layers`` and ``counts``
        (stage → ``{what: n}`` from the provenance).
    """
    from iceberg import settings

    return {
        "path": bundle.path,
        "build_seconds": bundle.provenance.build.get("build_seconds"),
        "data_dir": bundle.provenance.build.get("data_dir") or str(settings.data_dir()),
        "occupations": len(bundle.occupations),
        "areas": len(bundle.levels["area"].ids),
        "counties": len(bundle.levels["county"].ids),
        "layers": list(bundle.exposure.layers),
        "counts": bundle.provenance.counts,
    }


def holdout_text(seed: int, fraction: float, model: Any = None) -> str:
    """Run the held-out check of the unpublished-cell estimation on the raw data (hide published
    OEWS area cells, estimate them, compare with naive baselines); its Markdown section.

    Parameters
    ----------
    seed, fraction : int, float
        The split (``iceberg.HOLDOUT_SEED``, ``iceberg.HOLDOUT_FRACTION`` by default in the CLI).
    model : ExposureModel, optional
        Exposure model for the dollar-weighted errors; default that of :func:`iceberg.load`.
    """
    from iceberg.build_steps import holdout_inputs
    from iceberg.oews.holdout import holdout_run
    from iceberg.settings import data_dir
    from iceberg.validate import holdout_figures, holdout_report

    if model is None:
        from iceberg.bundle import load

        model = load().exposure
    inputs = holdout_inputs(data_dir())
    run = holdout_run(inputs["area_frame"], inputs["state"], inputs["national"],
                      occ_codes=inputs["occ_codes"], parent_of=inputs["area_states"],
                      fraction=fraction, seed=seed, prior_adjust=inputs["area_prior_adjust"])
    figures = holdout_figures(run, model.vector("eloundou", "mean", 0.0), model.visible_mask())
    return holdout_report(figures, seed, fraction)


def write_validation_report(bundle: Bundle, out: str | os.PathLike, *,
                            holdout: bool = False) -> tuple[str, Path]:
    """Write the validation report (Markdown, at ``out``) and its chart (PNG beside it), each
    with its provenance sidecar (the Markdown also carries it as an HTML comment); with
    ``holdout`` the held-out check of the cell estimation is appended (:func:`holdout_text`).

    Returns
    -------
    (str, Path)
        The report text and the chart's path.
    """
    from iceberg.fileutil import atomic_write_text
    from iceberg.provenance import html_comment, output_record, write_sidecar
    from iceberg.validate import validation_report
    from iceberg.validate_plot import validation_chart

    out = Path(out)
    nation, states = bundle.levels["nation"], bundle.levels["state"]
    chart = validation_chart(nation, states, bundle.exposure, out.with_suffix(".png"))
    write_sidecar(chart, output_record(chart, "png", bundle.provenance, report=out.name))
    text = validation_report(nation, states, bundle.exposure)
    text += f"\n\n![National exposure by layer vs the Iceberg paper]({chart.name})\n"
    if holdout:
        from iceberg.oews.holdout import HOLDOUT_FRACTION, HOLDOUT_SEED

        text += "\n" + holdout_text(HOLDOUT_SEED, HOLDOUT_FRACTION, bundle.exposure)
    if "tools" in bundle.exposure.layers:  # the optional AI tool catalogue layer (docs/TOOLS.md)
        from iceberg.tools import frontier_chart, load_fit, tools_report

        section, figures = tools_report(load_fit(bundle), bundle.exposure, nation, states)
        frontier = out.with_name(out.stem + "_frontier.png")
        frontier_chart(pd.DataFrame(figures["frontier"]), frontier)
        text += "\n" + section + f"\n![Tools layer frontier]({frontier.name})\n"
    record = output_record(out, "markdown", bundle.provenance, chart=chart.name)
    atomic_write_text(out, text + "\n" + html_comment(record))
    write_sidecar(out, record)
    return text, chart


def check_bundles() -> dict[str, Any]:
    """Every cached data bundle checked file by file (size and sha256 against its manifest).

    Returns
    -------
    dict
        ``folder`` (the bundle cache), ``bundles`` (folder name → list of problems, empty when
        sound) and ``set_aside`` (the folder of damaged bundles kept for inspection, or None).
    """
    from iceberg import settings
    from iceberg.bundle import DAMAGED_DIR, verify_bundle

    folder = settings.bundle_dir()
    paths = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if folder.is_dir() else []
    damaged = folder / DAMAGED_DIR
    return {
        "folder": folder,
        "bundles": {p.name: verify_bundle(p, deep=True) for p in paths},
        "set_aside": damaged if damaged.is_dir() and any(damaged.iterdir()) else None,
    }
