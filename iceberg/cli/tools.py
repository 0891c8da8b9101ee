"""``iceberg tools catalogue | fetch | calibrate | frontier | evidence``: the tools layer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from iceberg.cli._app import app

tools_app = typer.Typer(help="The AI tool catalogue and the `tools` capability layer.",
                        no_args_is_help=True)
app.add_typer(tools_app, name="tools")


def _folder(folder: Path | None) -> Path:
    from iceberg import settings
    from iceberg.errors import IcebergDataError
    from iceberg.tools import SOURCE_ID

    path = folder or settings.data_dir() / SOURCE_ID
    if not path.is_dir():
        raise IcebergDataError("AI tool catalogue folder not found", file=path,
                               expected="a folder holding pypi_mcp_packages_YYYY-MM.tsv "
                                        "(point --data-dir at its parent, or pass --folder)")
    return path


@tools_app.command("catalogue")
def catalogue(
    folder: Path = typer.Option(None, "--folder", help="Catalogue folder (default: <data dir>/ai_tool_catalogue)."),
    show: int = typer.Option(10, "--show", help="Example tools printed."),
) -> None:
    """Clean the catalogue and print what was kept and dropped, by reason."""
    from iceberg.tools import load_catalogue

    cat = load_catalogue(_folder(folder))
    typer.echo(f"snapshot {cat.snapshot_month}; sha256 {cat.sha256[:16]}…")
    for key, value in cat.counts.items():
        typer.echo(f"  {key:<18} {value:>7,}")
    dated = cat.tools["date_source"].value_counts()
    typer.echo("dated by: " + ", ".join(f"{k} {v:,}" for k, v in dated.items()))
    if show:
        typer.echo(cat.tools.sample(min(show, len(cat.tools)), random_state=0)
                   [["tool_id", "month", "summary"]].to_string(index=False, max_colwidth=70))


@tools_app.command("fetch")
def fetch(
    folder: Path = typer.Option(None, "--folder", help="Catalogue folder (default: <data dir>/ai_tool_catalogue); must be writable."),
    limit: int = typer.Option(None, "--limit", min=1, help="Fetch at most N missing records (run again to continue)."),
    workers: int = typer.Option(8, "--workers", min=1, max=32, help="Parallel requests."),
    pypi_url: str = typer.Option("https://pypi.org/pypi/{name}/json", "--pypi-url", help="PyPI JSON API URL template."),
    npm_url: str = typer.Option("https://registry.npmjs.org/{name}", "--npm-url", help="npm registry URL template."),
    timeout: float = typer.Option(30.0, "--timeout", min=1.0, help="Seconds per request."),
) -> None:
    """Fetch each package's registry document (description, keywords, first release); resumable."""
    from iceberg.tools import fetch_metadata

    for template, opt in ((pypi_url, "--pypi-url"), (npm_url, "--npm-url")):
        if "{name}" not in template or not template.startswith(("http://", "https://")):
            raise typer.BadParameter("an http(s) URL template containing {name}", param_hint=opt)
    fetch_metadata(_folder(folder), pypi_url=pypi_url, npm_url=npm_url, workers=workers,
                   limit=limit, timeout=timeout, echo=typer.echo)


def _fit_and_bundle():
    import iceberg
    from iceberg.tools import load_fit

    bundle = iceberg.load()
    return bundle, load_fit(bundle)


@tools_app.command("calibrate")
def calibrate(
    out: Path = typer.Option(None, "--out", help="Also write the report (Markdown) here."),
    text_reference: bool = typer.Option(True, "--text-reference/--no-text-reference",
                                        help="Fit the text-only reference model too."),
) -> None:
    """Held-out calibration: AUC, precision/recall, index — raw match, tools layer, text only."""
    import time

    import iceberg
    from iceberg.tools import write_tools_report

    started = time.perf_counter()
    text, figures = write_tools_report(iceberg.load(), out, text_reference=text_reference)
    typer.echo(text)
    typer.echo(f"(load + calibration {time.perf_counter() - started:.1f} s; "
               f"ablation {figures['seconds']['ablation']} s)")
    if out is not None:
        typer.echo(f"written to {out}")


@tools_app.command("frontier")
def frontier(
    plot: Path = typer.Option(None, "--plot", help="Save the month-by-month chart (PNG/SVG) here."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    wage: str = typer.Option("mean", "--wage", help="Annual wage basis: mean or median."),
) -> None:
    """National iceberg and visible indices under the tools layer, month by month."""
    from iceberg.tools import frontier_chart, frontier_table

    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("table, csv or json", param_hint="--format")
    if wage not in ("mean", "median"):
        raise typer.BadParameter("mean or median", param_hint="--wage")
    bundle, fit = _fit_and_bundle()
    table = frontier_table(fit, bundle.exposure, bundle.levels["nation"], basis=wage)
    if fmt == "json":
        typer.echo(table.to_json(orient="records", indent=1))
    elif fmt == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        shown = table.copy()
        for col in ("tasks_exposed", "iceberg_index", "surface_index", "hidden_index"):
            shown[col] = shown[col].map(lambda v: f"{100 * v:.1f}%")
        typer.echo(shown.to_string(index=False))
    if plot is not None:
        frontier_chart(table, plot)
        typer.echo(f"chart written to {plot}")


@tools_app.command("evidence")
def evidence(
    occupation: str = typer.Option(None, "--occupation", help="OEWS occupation code, e.g. 43-4051."),
    county: str = typer.Option(None, "--county", help="County FIPS code, e.g. 47037."),
    month: str = typer.Option(None, "--month", help="Only tools released by YYYY-MM."),
    top: int = typer.Option(10, "--top", min=1, max=100, help="Tools shown."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Which tools make an occupation or a county exposed under the tools layer."""
    from iceberg.tools import check_month, county_tools, occupation_tools

    if (occupation is None) == (county is None):
        raise typer.BadParameter("give exactly one of --occupation or --county",
                                 param_hint="--occupation/--county")
    if month is not None:
        try:
            month = check_month(month, "--month")
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--month") from None
    bundle, fit = _fit_and_bundle()
    try:
        if occupation is not None:
            tools, tasks = occupation_tools(bundle, occupation, top=top, month=month, fit=fit)
        else:
            tools, tasks = county_tools(bundle, county, top=top, month=month, fit=fit), None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    if fmt == "json":
        typer.echo(json.dumps({"tools": json.loads(tools.to_json(orient="records")),
                               "tasks": None if tasks is None
                               else json.loads(tasks.to_json(orient="records"))}, indent=1))
        return
    shown = tools.assign(best_similarity=tools["best_similarity"].round(3),
                         contribution=(100 * tools["contribution"]).round(1).astype(str) + "%")
    typer.echo(shown.drop(columns=["example_task"]).to_string(index=False, max_colwidth=60))
    if tasks is not None:
        typer.echo("\nTasks (by weight): capability and best tool")
        typer.echo(tasks.head(top).assign(capability=tasks["capability"].round(2),
                                          similarity=tasks["similarity"].round(3))
                   .to_string(index=False, max_colwidth=60))
