"""``iceberg build | summary | validate``: the model from the command line (public API only)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

from iceberg import labels
from iceberg.cli._app import app


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def build(
    force: bool = typer.Option(False, "--force", help="Rebuild even when a cached bundle exists."),
) -> None:
    """Build (or find) the cached data bundle from the raw official files."""
    import iceberg

    info = iceberg.bundle_summary(iceberg.load(rebuild=force))
    typer.echo(f"bundle: {info['path']}")
    typer.echo(f"built in {info['build_seconds']} s")
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
    state: str = typer.Option(None, "--state", help="Two-letter state code (e.g. TN): its areas and counties."),
    layer: str = typer.Option(None, "--layer", help="Capability layer: eloundou, microsoft, aioe."),
    rater: str = typer.Option(None, "--rater", help="Eloundou rater: mean, human, gpt4."),
    lam: float = typer.Option(None, "--lambda", help="Tool frontier λ in [0, 1]."),
    tau: float = typer.Option(None, "--tau", help="Threshold mode: task counts as exposed when c ≥ τ."),
    wage: str = typer.Option("mean", "--wage", help="Annual wage basis: mean or median."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """National and state exposure table (visible, hidden, total) for a capability setting."""
    import pandas as pd

    import iceberg

    result = iceberg.run(iceberg.load(), _scenario(layer, rater, lam, tau), wage=wage)
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


@app.command()
def validate(
    out: Path = typer.Option(Path("validation_report.md"), "--out", help="Markdown report path."),
) -> None:
    """Write the validation report: our national figures next to the Iceberg paper's, per layer."""
    import iceberg

    text, chart = iceberg.write_validation_report(iceberg.load(), out)
    typer.echo(text)
    typer.echo(f"\nwritten to {out} and {chart}")
