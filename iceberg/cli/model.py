"""``iceberg build | summary | holdout | validate``: the model from the command line (public API
only)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

import iceberg
from iceberg import labels
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
    info = iceberg.bundle_summary(iceberg.read_bundle(iceberg.build(force=force, deep=True)))
    typer.echo(f"bundle: {info['path']}")
    typer.echo(f"built in {info['build_seconds']} s from {info['data_dir']}")
    typer.echo(f"{info['occupations']} occupations, {info['areas']} OEWS areas, "
               f"{info['counties']:,} counties allocated; layers: {', '.join(info['layers'])}")
    for stage, items in info["counts"].items():
        shown = ", ".join(f"{k}={v:,}" for k, v in items.items() if isinstance(v, (int, float)))
        typer.echo(f"  {stage}: {shown}")


def _scenario(layer: str | None, rater: str | None, lam: float | None, tau: float | None):
    from iceberg import Scenario

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

    data = iceberg.load()
    if layer:
        opt.layer_name(layer, data)
    if state:
        state = opt.state_fips(state, data.counties)
    rater_value = rater.value if rater is not None else None
    result = iceberg.run(data, _scenario(layer, rater_value, lam, tau), wage=wage.value)
    tables = iceberg.summary_tables(result, state=state)
    if fmt is OutputFormat.json:
        records = {k: json.loads(v.reset_index().to_json(orient="records")) for k, v in tables.items()}
        typer.echo(json.dumps(records, indent=2))
    elif fmt is OutputFormat.csv:
        frame = pd.concat(tables, names=["table"]).reset_index()
        frame.to_csv(sys.stdout, index=False)
    else:
        for name, table in tables.items():
            typer.echo(f"\n== {name} ==")
            shown = iceberg.format_table(table).rename(columns=labels.short_label)
            typer.echo(shown.to_string())


def _holdout_fraction(value: float) -> float:
    """typer callback for ``--fraction``: a share in (0, 1)."""
    from iceberg.errors import IcebergArgumentError

    if not 0.0 < value < 1.0:
        raise IcebergArgumentError("--fraction", value, allowed="a number in (0, 1)")
    return value


@app.command()
def holdout(
    seed: int = typer.Option(iceberg.HOLDOUT_SEED, "--seed", help="Seed of the held-out split (fixed so versions compare)."),
    fraction: float = typer.Option(iceberg.HOLDOUT_FRACTION, "--fraction", callback=_holdout_fraction,
                                   help="Share of published area cells to hide, in (0, 1)."),
) -> None:
    """Hide published OEWS area cells, estimate them, and print the errors next to two naive baselines."""
    typer.echo(iceberg.holdout_text(seed, fraction))


@app.command()
def validate(
    out: Path = typer.Option(Path("validation_report.md"), "--out", help="Markdown report path."),
    holdout: bool = typer.Option(True, "--holdout/--no-holdout",
                                 help="Include the held-out check of the unpublished-cell estimation."),
) -> None:
    """Write the validation report: national figures next to the Iceberg paper's, per layer, the
    held-out check of the unpublished-cell estimation, and the tools layer (when built)."""
    out = opt.output_path(out)
    text, chart = iceberg.write_validation_report(iceberg.load(), out, holdout=holdout)
    typer.echo(text)
    typer.echo(f"\nwritten to {out} and {chart}")
