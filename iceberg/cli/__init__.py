"""Command line interface: ``iceberg fetch | build | summary | map | export | validate | app``."""

from __future__ import annotations

import sys

from iceberg.cli import data, launch, maps, model, scenario, tools  # noqa: F401  (register commands)
from iceberg.cli._app import app
from iceberg.errors import IcebergArgumentError, IcebergDataError, os_error_message


def main() -> None:
    """Entry point of the ``iceberg`` console script.

    The root group (:class:`iceberg.cli._app.IcebergGroup`) already turns the user's errors into
    one line; this catches what escapes it (the root options, e.g. a bad ``--custom-layer``).
    """
    try:
        app()
    except (IcebergDataError, IcebergArgumentError) as exc:  # the user's to fix: no traceback
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:
        print(f"error: {os_error_message(exc)}", file=sys.stderr)
        raise SystemExit(2) from None
