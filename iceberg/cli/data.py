"""CLI: ``iceberg fetch [SOURCE...]``, ``iceberg data status``, ``iceberg data sources``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iceberg.cli._app import app, data_app

_Sources = Annotated[
    list[str] | None,
    typer.Argument(
        help="Source ids (default: all). See `iceberg data sources`.", show_default=False
    ),
]
_Registry = Annotated[
    Path | None,
    typer.Option(
        "--registry",
        help="A source registry TOML to use instead of the shipped one (e.g. internal mirrors).",
        dir_okay=False,
        show_default=False,
    ),
]


@app.command("fetch")
def fetch_cmd(
    sources: _Sources = None,
    all_files: Annotated[bool, typer.Option("--all", help="Also download optional files.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Download again even if present and intact.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    registry: _Registry = None,
) -> None:
    """Download the official source files into the user cache (hash-checked, atomic)."""
    from iceberg import settings
    from iceberg import sources as data_sources

    dest = settings.download_dir()
    paths = data_sources.fetch(
        sources or None,
        progress=not quiet,
        registry=registry,
        include_optional=all_files,
        force=force,
        echo=typer.echo,
    )
    status = data_sources.data_status(list(paths), data_dir=dest, registry=registry)
    typer.echo(data_sources.format_status(status), nl=False)
    if settings.data_dir() != dest:
        typer.echo(
            f"note: downloaded into {dest}, but the data directory in use is "
            f"{settings.data_dir()} (from {settings.data_dir_origin()}); drop --data-dir / "
            "ICEBERG_DATA_DIR to use the download."
        )


@data_app.command("status")
def status_cmd(
    sources: _Sources = None,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    registry: _Registry = None,
    deep: Annotated[bool, typer.Option("--deep", help="Also check every file of the cached data "
                                       "bundles against the sizes and sha256 of their manifest.")] = False,
) -> None:
    """Which sources are present, which edition, and whether every file's hash checks out.

    Exits with code 1 when a required source is missing or incomplete, or any file is corrupt
    (with ``--deep``: or a cached bundle is damaged).
    """
    from iceberg import settings
    from iceberg.sources import data_status, format_status, status_ok

    status = data_status(sources or None, registry=registry)
    if csv:
        typer.echo(status.to_csv(index=False), nl=False)
    else:
        typer.echo(f"data directory: {settings.data_dir()} (from {settings.data_dir_origin()})")
        typer.echo(format_status(status), nl=False)
    bundles_ok = _bundle_status() if deep else True
    if not status_ok(status):
        typer.echo(
            "some required data is missing or corrupt: run `iceberg fetch`, or point --data-dir / "
            "ICEBERG_DATA_DIR at a folder with the official files",
            err=True,
        )
        raise typer.Exit(1)
    if not bundles_ok:
        raise typer.Exit(1)


def _bundle_status() -> bool:
    """Print one line per cached bundle (sizes and sha256 checked); False if any is damaged."""
    import iceberg

    found = iceberg.check_bundles()
    if not found["bundles"]:
        typer.echo(f"cached bundles: none in {found['folder']} (`iceberg build` makes one)")
    for name, problems in found["bundles"].items():
        if problems:
            typer.echo(f"bundle {name}: DAMAGED — {'; '.join(problems)} "
                       "(the next `iceberg build` or load sets it aside and rebuilds it)")
        else:
            typer.echo(f"bundle {name}: ok (every file's size and sha256 match the manifest)")
    if found["set_aside"] is not None:
        typer.echo(f"damaged bundles set aside for inspection: {found['set_aside']}")
    return not any(found["bundles"].values())


@data_app.command("sources")
def sources_cmd(
    attribution: Annotated[
        bool, typer.Option("--attribution", help="Also print attribution and redistribution terms.")
    ] = False,
    registry: _Registry = None,
) -> None:
    """List the registered official sources (version, licence, download URL)."""
    from iceberg.sources import resolve_registry

    for src in resolve_registry(registry).values():
        flag = "required" if src.required else "optional"
        typer.echo(f"{src.id}  [{flag}]  {src.version}")
        typer.echo(f"    {src.provider}: {src.title}")
        typer.echo(f"    download: {src.url}")
        typer.echo(f"    licence: {src.licence}")
        if attribution:
            typer.echo(f"    attribution: {src.attribution}")
            typer.echo(f"    redistribution: {src.redistribution}")
