"""``iceberg app``: open the Streamlit policy sandbox."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import typer

from iceberg import settings
from iceberg.cli._app import app


def server_flags(script: Path) -> list[str]:
    """Streamlit command-line flags from the sandbox's ``streamlit.toml`` (beside its script)."""
    config = tomllib.loads((script.parent / "streamlit.toml").read_text(encoding="utf-8"))
    flags = []
    for section, options in config.items():
        for option, value in options.items():
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags += [f"--{section}.{option}", text]
    return flags


def app_file() -> Path:
    """The sandbox's entry script, wherever the ``iceberg_app`` package is installed."""
    spec = importlib.util.find_spec("iceberg_app")
    folder = Path(spec.origin).parent if spec and spec.origin else Path("<missing iceberg_app>")
    return folder / "streamlit_app.py"


@app.command("app")
def launch_app(
    port: int = typer.Option(8501, "--port", help="Port to serve on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address to bind."),
    build_first: bool = typer.Option(True, "--build/--no-build", help="Build the data bundle before starting."),
) -> None:
    """Start the sandbox in the browser (builds the data bundle first when needed)."""
    script = app_file()
    missing = [p for p in (script, script.parent / "streamlit.toml") if not p.is_file()]
    if missing:
        typer.echo(f"error: the sandbox package `iceberg_app` is not installed completely "
                   f"(missing {missing[0]}); reinstall iceberg-index (`pip install iceberg-index`)",
                   err=True)
        raise typer.Exit(2)
    if build_first:
        import iceberg

        iceberg.build()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), *server_flags(script),
           "--server.port", str(port), "--server.address", address]
    env = os.environ.copy()
    if settings.data_dir_origin() != "cache":  # hand --data-dir on to the app process
        env["ICEBERG_DATA_DIR"] = str(settings.data_dir())
    typer.echo(f"iceberg sandbox on http://{address}:{port}")
    raise typer.Exit(subprocess.call(cmd, env=env))
