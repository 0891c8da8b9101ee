"""``iceberg build | summary | validate``: the model from the command line."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

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
    from iceberg.bundle import build as build_bundle
    from iceberg.bundle import read_bundle

    path = build_bundle(force=force)
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
    from iceberg.report import format_table, summary_tables

    result = iceberg.run(iceberg.load(), _scenario(layer, rater, lam, tau), wage=wage)
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


@app.command()
def validate(
    out: Path = typer.Option(Path("validation_report.md"), "--out", help="Markdown report path."),
) -> None:
    """Write the validation report: our national figures next to the Iceberg paper's, per layer."""
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
    if "tools" in bundle.exposure.layers:  # the optional AI tool catalogue layer
        from iceberg.tools import frontier_chart, load_fit, tools_report

        section, figures = tools_report(load_fit(bundle), bundle.exposure, nation, states)
        frontier_chart(pd.DataFrame(figures["frontier"]), out.with_name(out.stem + "_frontier.png"))
        text += "\n" + section + f"\n![Tools layer frontier]({out.stem}_frontier.png)\n"
    atomic_write_text(out, text)
    typer.echo(text)
    typer.echo(f"\nwritten to {out} and {chart}")
