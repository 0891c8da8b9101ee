"""``iceberg scenario run | compare | presets`` (registered on ``scenario_app``)."""

from __future__ import annotations

from pathlib import Path

import typer

from iceberg.cli._app import scenario_app

#: Columns shown by ``run`` and ``compare`` (national row).
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


def read_scenario(spec: str, data=None):
    """A scenario from a JSON file, or a preset name (``technical_ceiling`` or ``preset:NAME``).

    With ``data`` (a bundle), the levers naming layers, states and counties are checked
    against it, so an error names the file too.
    """
    from iceberg.errors import IcebergArgumentError
    from iceberg.scenario.model import LeverChoices, Scenario
    from iceberg.scenario.presets import list_presets, load_preset

    name = spec.removeprefix("preset:")
    path = Path(spec)
    if path.is_file():
        try:
            choices = LeverChoices.from_bundle(data) if data is not None else None
            return Scenario.from_json(path.read_bytes(), choices=choices)
        except IcebergArgumentError as exc:
            raise exc.within(str(path)) from None
    if name in list_presets():
        return load_preset(name)
    raise IcebergArgumentError("SCENARIO", spec, message="neither a scenario file nor a preset",
                               allowed="a JSON file or one of " + ", ".join(list_presets()))


def _summary(result) -> dict[str, float]:
    nation = result.nation
    row = nation.iloc[-1] if len(nation) else {}
    return {c: float(row[c]) for c in SUMMARY_COLUMNS if c in getattr(nation, "columns", [])}


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _write(frame, out: Path) -> None:
    """Write a table atomically: .parquet, else CSV (geometry dropped)."""
    from iceberg.fileutil import atomic_write

    if "geometry" in frame.columns:
        frame = frame.drop(columns="geometry")
    atomic_write(out, frame.to_parquet if out.suffix == ".parquet" else frame.to_csv)


@scenario_app.command("run")
def run_command(
    scenario_file: str = typer.Argument(..., help="Scenario JSON file or preset name."),
    out: Path = typer.Option(None, "--out", help="Write the county table (.csv or .parquet)."),
) -> None:
    """Run one scenario and print the national figures at the horizon year."""
    import iceberg
    from iceberg.cli import _options as opt

    if out is not None:
        out = opt.output_path(out, suffixes=(".csv", ".parquet"))
    data = iceberg.load()
    scenario = read_scenario(scenario_file, data)
    result = iceberg.run(data, scenario)
    typer.echo(f"{scenario.name} — horizon {scenario.horizon_year} (national, US dollars / jobs)")
    for key, value in _summary(result).items():
        typer.echo(f"  {key:<26} {_fmt(value):>22}")
    if out is not None:
        _write(result.counties, out)
        typer.echo(f"county table written to {out}")


@scenario_app.command("compare")
def compare_command(
    a: str = typer.Argument(..., help="Scenario A (JSON file or preset name)."),
    b: str = typer.Argument(..., help="Scenario B (JSON file or preset name)."),
) -> None:
    """Run two scenarios and print their national figures side by side (B − A)."""
    import iceberg

    data = iceberg.load()
    sa, sb = read_scenario(a, data), read_scenario(b, data)
    ra, rb = _summary(iceberg.run(data, sa)), _summary(iceberg.run(data, sb))
    typer.echo(f"{'':<26} {'A: ' + sa.name[:18]:>22} {'B: ' + sb.name[:18]:>22} {'B − A':>22}")
    for key in ra:
        va, vb = ra[key], rb.get(key, float("nan"))
        typer.echo(f"{key:<26} {_fmt(va):>22} {_fmt(vb):>22} {_fmt(vb - va):>22}")


@scenario_app.command("presets")
def presets_command() -> None:
    """List the shipped preset scenarios."""
    from iceberg.scenario.presets import list_presets, load_preset

    for name in list_presets():
        typer.echo(f"{name:<26} {load_preset(name).name}")
