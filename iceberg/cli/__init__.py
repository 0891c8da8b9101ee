"""Command line interface: ``iceberg fetch | build | summary | map | export | validate | app``."""

from __future__ import annotations

import sys

from iceberg.cli import data, launch, maps, model, scenario, tools  # noqa: F401  (register commands)
from iceberg.cli._app import app
from iceberg.errors import IcebergDataError


def main() -> None:
    """Entry point of the ``iceberg`` console script."""
    try:
        app()
    except IcebergDataError as exc:  # a data problem is the user's to fix: no traceback
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
