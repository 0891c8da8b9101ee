"""``iceberg scenario run | compare | presets`` (registered on ``scenario_app``)."""

from __future__ import annotations

import math
from pathlib import Path

import typer

from iceberg import labels
from iceberg.cli._app import scenario_app

#: National outputs shown by ``run`` and ``compare``.
SUMMARY_COLUMNS = (
    "technical_exposed_wages",
    "adopted_wages",
    "displaced_wages",
    "displaced_workers",
    "productivity_gain",
    "reskilled_workers",
    "reskilling_cost",
    "net_wage_impact",
    "gdp_proxy",
)


def read_scenario(spec: str, year: int | None = None, data=None):
    """The scenario of a JSON file or preset name (levers checked against ``data``); a bad one
    is one error line naming the file and the lever (IcebergArgumentError), not a traceback."""
    import iceberg

    return iceberg.read_scenario(spec, year=year, data=data)


def national_outputs(result) -> dict[str, float]:
    """The national row of the scenario outputs (horizon year) by column."""
    nation = result.nation
    row = nation.iloc[-1]
    return {c: float(row[c]) for c in SUMMARY_COLUMNS if c in nation.columns}


def _value(metric: str, value: float) -> str:
    return labels.format_value(metric, value, digits=2)


def _table(header: list[str], rows: list[list[str]]) -> str:
    """Plain aligned text table: first column left, the others right; nothing cut off."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


_UNITS_NOTE = ("Dollars are US dollars per year in that year; workers are worker-equivalents "
               "(jobs × exposure share), not people.")


@scenario_app.command("run")
def run_command(
    scenario_file: str = typer.Argument(..., help="Scenario JSON file or preset name."),
    out: Path = typer.Option(None, "--out", help="Write the county table (.csv, .parquet, "
                             ".geoparquet, .gpkg or .geojson) with its provenance."),
    year: int = typer.Option(None, "--year", help="Report this year (default: the scenario's "
                             "horizon year)."),
) -> None:
    """Run one scenario and print the national figures at the horizon year (or --year)."""
    import iceberg
    from iceberg.cli import _options as opt

    if out is not None:
        out = opt.output_path(out, suffixes=(".csv", ".parquet", ".geoparquet", ".gpkg",
                                             ".geojson"))
    data = iceberg.load()
    scenario = read_scenario(scenario_file, year, data)
    result = iceberg.run(data, scenario)
    typer.echo(f"{scenario.name} — national outputs in {scenario.horizon_year}")
    rows = [[labels.long_label(k), _value(k, v)] for k, v in national_outputs(result).items()]
    typer.echo(_table(["output", str(scenario.horizon_year)], rows))
    typer.echo(_UNITS_NOTE)
    if out is not None:
        frame = iceberg.add_per_worker_and_share(result.counties)
        try:
            path = iceberg.export_table(frame, out, provenance=result.provenance)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--out") from None
        typer.echo(f"county table written to {path} (+ {path.name}.provenance.json)")


@scenario_app.command("compare")
def compare_command(
    a: str = typer.Argument(..., help="Scenario A (JSON file or preset name)."),
    b: str = typer.Argument(..., help="Scenario B (JSON file or preset name)."),
    year: int = typer.Option(None, "--year", help="Common year both scenarios are reported in "
                             "(default: the earlier of their two horizon years)."),
) -> None:
    """Run two scenarios and print their national figures side by side (B − A) in one year."""
    import iceberg

    data = iceberg.load()
    sa, sb = read_scenario(a, data=data), read_scenario(b, data=data)
    common = year if year is not None else min(sa.horizon_year, sb.horizon_year)
    sa, sb = read_scenario(a, common, data), read_scenario(b, common, data)
    ra, rb = national_outputs(iceberg.run(data, sa)), national_outputs(iceberg.run(data, sb))
    typer.echo(f"A: {sa.name}")
    typer.echo(f"B: {sb.name}")
    typer.echo(f"National outputs in {common} (both scenarios reported in the same year)")
    rows = []
    for key, va in ra.items():
        vb = rb.get(key, math.nan)
        rows.append([labels.long_label(key), _value(key, va), _value(key, vb),
                     labels.format_value(key, vb - va, digits=2, signed=True)])
    typer.echo(_table(["output", "A", "B", "B − A"], rows))
    typer.echo(_UNITS_NOTE)


@scenario_app.command("presets")
def presets_command() -> None:
    """List the shipped preset scenarios."""
    import iceberg

    for name in iceberg.list_presets():
        typer.echo(f"{name:<26} {iceberg.load_preset(name).name}")
