"""The root typer application; command modules register on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="iceberg",
    help="Map the technical AI exposure of US wages, county by county (visible vs hidden).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Official data sources: status and downloads.", no_args_is_help=True)
scenario_app = typer.Typer(help="Run and compare policy scenarios.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(scenario_app, name="scenario")


@app.callback()
def _root(
    data_dir: str = typer.Option(
        None,
        "--data-dir",
        help="Folder holding the official files (one sub-folder per source); "
        "default: $ICEBERG_DATA_DIR, else the user cache.",
    ),
    custom_layer: list[str] = typer.Option(
        None,
        "--custom-layer",
        help="Add your own capability CSV (columns code,value) as NAME=LEVEL:PATH with LEVEL "
        "task, dwa, iwa or occupation; repeatable. Same as $ICEBERG_CUSTOM_LAYERS (';'-separated).",
    ),
) -> None:
    import os

    from iceberg import settings

    if data_dir:
        settings.set_data_dir(data_dir)
    if custom_layer:
        from iceberg import CustomLayerSpec

        specs = [CustomLayerSpec.parse(text) for text in custom_layer]  # fail early on a bad spec
        # every command of this process (and the app it starts) builds with these layers
        os.environ["ICEBERG_CUSTOM_LAYERS"] = ";".join(f"{s.name}={s.level}:{s.path}" for s in specs)
