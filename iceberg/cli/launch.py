"""``iceberg app``: open the Streamlit policy sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from iceberg import settings
from iceberg.cli._app import app

APP_FILE = Path(__file__).resolve().parents[2] / "app" / "streamlit_app.py"


@app.command("app")
def launch_app(
    port: int = typer.Option(8501, "--port", help="Port to serve on."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address to bind."),
    build_first: bool = typer.Option(True, "--build/--no-build", help="Build the data bundle before starting."),
) -> None:
    """Start the sandbox in the browser (builds the data bundle first when needed)."""
    if not APP_FILE.is_file():
        typer.echo(f"error: the app is not installed beside the package ({APP_FILE}); "
                   "install from a source checkout with `pip install -e .`", err=True)
        raise typer.Exit(2)
    if build_first:
        import iceberg

        iceberg.build()
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP_FILE), "--server.port", str(port),
           "--server.address", address, "--browser.gatherUsageStats", "false"]
    env = os.environ.copy()
    if settings.data_dir_origin() != "cache":  # hand --data-dir on to the app process
        env["ICEBERG_DATA_DIR"] = str(settings.data_dir())
    typer.echo(f"iceberg sandbox on http://{address}:{port}")
    raise typer.Exit(subprocess.call(cmd, env=env))
