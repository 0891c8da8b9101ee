"""``iceberg build | summary | validate``: the model from the command line."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from geodata.holdout import HOLDOUT_FRACTION, HOLDOUT_SEED
from iceberg.cli import _options as opt
from iceberg.cli._app import app


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def build(
    force: bool = typer.Option(False, "--force", help="Rebuild even when a cached bundle exists."),
) -> None:
    """Build (or find and verify) the cached data bundle from the raw official files.

    A cached bundle is checked file by file (size and sha256); a damaged one is set aside and
    built again.
    """
    from iceberg.bundle import build as build_bundle
    from iceberg.bundle import read_bundle

    path = build_bundle(force=force, deep=True)
    bundle = read_bundle(path)
    manifest = json.loads((path / "manifest.json").read_text())
    counties = bundle.levels["county"]
    typer.echo(f"bundle: {path}")
    typer.echo(f"built in {manifest['build_seconds']} s from {manifest['data_dir']}")
    typer.echo(f"{len(bundle.occupations)} occupations, {len(bundle.levels['area'].ids)} OEWS areas, "
               f"{len(counties.ids):,} counties allocated; layers: {', '.join(bundle.exposure.layers)}")
    for stage, items in bundle.provenance.counts.items():
        shown = ", ".join(f"{k}={v:,}" for k, v in items.items() if isinstance(v, (int, float)))
        typer.echo(f"  {stage}: {shown}")


def _scenario(layer: str | None, rater: str | None, lam: float | None, tau: float | None):
    from iceberg.scenario.model import Scenario

    update = {}
    if layer:
        update["layer"] = layer
    if rater:
        update["rater"] = rater
    if lam is not None:
        update["tool_frontier"] = lam
    if tau is not None:
        update.update(threshold_mode=True, threshold=tau)
    update["adoption_ceiling"] = 0.0  # technical exposure only
    return Scenario(**update)


@app.command()
def summary(
    state: str = typer.Option(None, "--state", help="State postal code or FIPS (e.g. TN or 47): "
                              "its areas and counties."),
    layer: str = typer.Option(None, "--layer", help="Capability layer: eloundou, microsoft, aioe "
                              "or a custom layer of the bundle."),
    rater: opt.Rater = typer.Option(None, "--rater", help="Eloundou rater."),
    lam: float = typer.Option(None, "--lambda", help="Tool frontier λ in [0, 1].",
                              callback=opt.unit_interval),
    tau: float = typer.Option(None, "--tau", help="Threshold mode: task counts as exposed when "
                              "c ≥ τ, τ in (0, 1].", callback=opt.threshold),
    wage: opt.WageBasis = typer.Option(opt.WageBasis.mean, "--wage", help="Annual wage basis."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """National and state exposure table (visible, hidden, total) for a capability setting."""
    import pandas as pd

    import iceberg
    from iceberg.report import format_table, summary_tables

    data = iceberg.load()
    if layer:
        opt.layer_name(layer, data)
    if state:
        state = opt.state_fips(state, data.counties)
    rater_value = rater.value if rater is not None else None
    result = iceberg.run(data, _scenario(layer, rater_value, lam, tau), wage=wage.value)
    tables = summary_tables(result, state=state)
    if fmt is OutputFormat.json:
        records = {k: json.loads(v.reset_index().to_json(orient="records")) for k, v in tables.items()}
        typer.echo(json.dumps(records, indent=2))
    elif fmt is OutputFormat.csv:
        frame = pd.concat(tables, names=["table"]).reset_index()
        frame.to_csv(sys.stdout, index=False)
    else:
        for name, table in tables.items():
            typer.echo(f"\n== {name} ==")
            typer.echo(format_table(table).to_string())


def holdout_text(seed: int, fraction: float, model=None) -> str:
    """Run the held-out check of the cell estimation on the raw data; its Markdown section."""
    from geodata.holdout import holdout_run
    from iceberg.build_steps import holdout_inputs
    from iceberg.settings import data_dir
    from iceberg.validate import holdout_figures, holdout_report

    if model is None:
        import iceberg

        model = iceberg.load().exposure
    inputs = holdout_inputs(data_dir())
    run = holdout_run(inputs["area_frame"], inputs["state"], inputs["national"], occ_codes=inputs["occ_codes"],
                      parent_of=inputs["area_states"], fraction=fraction, seed=seed,
                      prior_adjust=inputs["area_prior_adjust"])
    figures = holdout_figures(run, model.vector("eloundou", "mean", 0.0), model.visible_mask())
    return holdout_report(figures, seed, fraction)


def _check_fraction(fraction: float) -> float:
    if not 0.0 < fraction < 1.0:
        raise typer.BadParameter(f"--fraction must be between 0 and 1 (exclusive), got {fraction}")
    return fraction


@app.command()
def holdout(
    seed: int = typer.Option(HOLDOUT_SEED, "--seed", help="Seed of the held-out split (fixed so versions compare)."),
    fraction: float = typer.Option(HOLDOUT_FRACTION, "--fraction", help="Share of published area cells to hide."),
) -> None:
    """Hide published OEWS area cells, estimate them, and print the errors next to two naive baselines."""
    typer.echo(holdout_text(seed, _check_fraction(fraction)))


@app.command()
def validate(
    out: Path = typer.Option(Path("validation_report.md"), "--out", help="Markdown report path."),
    holdout: bool = typer.Option(True, "--holdout/--no-holdout",
                                 help="Include the held-out check of the unpublished-cell estimation."),
) -> None:
    """Write the validation report: national figures next to the Iceberg paper's, per layer, the
    held-out check of the unpublished-cell estimation, and the tools layer (when built)."""
    out = opt.output_path(out)
    import pandas as pd

    import iceberg
    from iceberg.fileutil import atomic_write_text
    from iceberg.validate import validation_report
    from iceberg.validate_plot import validation_chart

    bundle = iceberg.load()
    nation, states = bundle.levels["nation"], bundle.levels["state"]
    chart = validation_chart(nation, states, bundle.exposure, out.with_suffix(".png"))
    text = validation_report(nation, states, bundle.exposure)
    text += f"\n\n![National exposure by layer vs the Iceberg paper]({chart.name})\n"
    if holdout:
        text += "\n" + holdout_text(HOLDOUT_SEED, HOLDOUT_FRACTION, bundle.exposure)
    if "tools" in bundle.exposure.layers:  # the optional AI tool catalogue layer
        from iceberg.tools import frontier_chart, load_fit, tools_report

        section, figures = tools_report(load_fit(bundle), bundle.exposure, nation, states)
        frontier_chart(pd.DataFrame(figures["frontier"]), out.with_name(out.stem + "_frontier.png"))
        text += "\n" + section + f"\n![Tools layer frontier]({out.stem}_frontier.png)\n"
    atomic_write_text(out, text)
    typer.echo(text)
    typer.echo(f"\nwritten to {out} and {chart}")
