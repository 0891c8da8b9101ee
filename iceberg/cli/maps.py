"""CLI: ``iceberg map`` (HTML / PNG / SVG / PDF) and ``iceberg export`` (tables)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from iceberg.cli import _options as opt
from iceberg.cli._app import app

_Scenario = Annotated[
    Path | None,
    typer.Option("--scenario", help="Scenario JSON file (default: the baseline).",
                 exists=True, dir_okay=False, show_default=False),
]
_Year = Annotated[
    int | None,
    typer.Option("--year", help="Report scenario outputs for this year (sets the horizon).",
                 show_default=False),
]


def _load_scenario(path: Path | None, year: int | None) -> Any:
    """The scenario from a JSON file (or the default), with the horizon moved to ``year``."""
    import iceberg

    if path is None and year is None:
        return None
    return iceberg.read_scenario(path, year=year)


def _run(scenario: Any) -> tuple[Any, Any]:
    """``(data, result)`` for the scenario (``None`` = baseline), with the dollar metrics also
    per worker and as a share of the wage bill."""
    import iceberg

    data = iceberg.load()
    result = iceberg.run(data, scenario)
    result.counties = iceberg.add_per_worker_and_share(result.counties)
    return data, result


def _baseline_classes(data: Any, result: Any, metric: str, scenario: Any, scheme: str, k: int):
    """Classes fitted on the baseline run, so scenario maps keep the baseline colours."""
    import iceberg

    base = result if scenario is None else iceberg.run(data)
    counties = base.counties if metric in base.counties.columns else result.counties
    if metric not in counties.columns:
        counties = iceberg.add_per_worker_and_share(counties)
    if metric.endswith("_diff"):
        return iceberg.MapClasses.fit_difference(counties[metric], metric)
    return iceberg.MapClasses.fit(counties[metric], metric, scheme=scheme, k=k)


def _subtitle(result: Any, scenario: Any) -> str | None:
    """The capability setting (always) and the scenario's name (when one was given)."""
    name = getattr(scenario, "name", None) if scenario is not None else None
    line = result.scenario_subtitle() if hasattr(result, "scenario_subtitle") else ""
    return f"Scenario: {name}; {line}" if name else line or None


@app.command("map")
def map_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file: .html, .png, .svg or .pdf.",
                                      dir_okay=False)],
    metric: Annotated[str, typer.Option("--metric", help="County column to map.")] = "hidden_index",
    scenario_file: _Scenario = None,
    state: Annotated[str | None, typer.Option("--state", help="Only this state (e.g. TN or 47).",
                                              show_default=False)] = None,
    year: _Year = None,
    scheme: Annotated[str, typer.Option("--scheme", help="mapclassify scheme (FisherJenks, "
                                        "Quantiles, NaturalBreaks, EqualInterval).")] = "FisherJenks",
    k: Annotated[int, typer.Option("--classes", "-k", min=2, max=9, help="Number of classes.")] = 5,
    title: Annotated[str | None, typer.Option("--title", show_default=False)] = None,
    cdn: Annotated[bool, typer.Option("--cdn", help="HTML: link Leaflet from CDNs and show a "
                                      "basemap instead of a self-contained offline file.")] = False,
    dpi: Annotated[int, typer.Option("--dpi", min=50, max=1200, help="PNG resolution.")] = 300,
) -> None:
    """Draw a county map of one metric (baseline or scenario) to HTML, PNG, SVG or PDF."""
    suffix = out.suffix.lower()
    out = opt.output_path(out, suffixes=(".html", ".htm", ".png", ".svg", ".pdf"))
    scenario = _load_scenario(scenario_file, year)
    data, result = _run(scenario)
    if state:
        state = opt.state_fips(state, result.counties)
    if metric not in result.counties.columns:
        raise typer.BadParameter(
            f"unknown metric {metric!r}; county columns: "
            + ", ".join(c for c in result.counties.columns if c != "geometry"),
            param_hint="--metric",
        )
    classes = _baseline_classes(data, result, metric, scenario, scheme, k)
    subtitle = _subtitle(result, scenario)
    provenance = result.provenance
    if suffix in (".html", ".htm"):
        import iceberg

        m = result.explore(metric, classes=classes, state=state, title=title, subtitle=subtitle,
                           offline=not cdn, scheme=scheme, k=k, quality_overlay=True)
        path = iceberg.to_html(m, out, self_contained=not cdn, provenance=provenance)
    else:
        path = result.plot(metric, out, classes=classes, state=state, title=title,
                           subtitle=subtitle, dpi=dpi, provenance=provenance)
    typer.echo(f"wrote {path} and {path.name}.provenance.json")


@app.command("export")
def export_cmd(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file.", dir_okay=False)],
    level: Annotated[str, typer.Option("--level", help="county | state | area")] = "county",
    fmt: Annotated[str | None, typer.Option(
        "--format", help="csv | parquet | geoparquet | gpkg | geojson (default: from --out).",
        show_default=False)] = None,
    scenario_file: _Scenario = None,
    year: _Year = None,
) -> None:
    """Write county, state or area results as a table, with a provenance sidecar."""
    import iceberg

    tables = {"county": "counties", "state": "states", "area": "areas"}
    if level not in tables:
        raise typer.BadParameter("use county, state or area", param_hint="--level")
    kind = _table_format(out, fmt)
    out = opt.output_path(out)
    scenario = _load_scenario(scenario_file, year)
    _, result = _run(scenario)
    frame = iceberg.add_per_worker_and_share(getattr(result, tables[level]))
    if kind in ("gpkg", "geojson", "geoparquet") and level != "county":
        raise typer.BadParameter(
            f"{kind} needs geometry, which only --level county has; use csv or parquet",
            param_hint="--format",
        )
    provenance = result.provenance.to_dict() if hasattr(result.provenance, "to_dict") \
        else dict(result.provenance or {})
    path = iceberg.export_table(frame, out, fmt=fmt, provenance={"level": level, **provenance})
    typer.echo(f"wrote {path} ({len(frame):,} rows) and {path.name}.provenance.json")


_SUFFIX_FORMATS = {".csv": "csv", ".parquet": "parquet", ".geoparquet": "geoparquet",
                   ".gpkg": "gpkg", ".geojson": "geojson", ".json": "geojson"}


def _table_format(out: Path, fmt: str | None) -> str:
    """The export format from --format or the file extension; a usage error when neither works."""
    key = (fmt or "").lower().lstrip(".")
    key = {"geopackage": "gpkg", "json": "geojson"}.get(key, key)
    if fmt is None:
        key = _SUFFIX_FORMATS.get(out.suffix.lower(), "")
    if key not in set(_SUFFIX_FORMATS.values()):
        raise typer.BadParameter(
            f"cannot export {out.name!r} as {fmt or out.suffix or 'no extension'}: use csv, "
            "parquet, geoparquet, gpkg or geojson", param_hint="--format")
    return key
