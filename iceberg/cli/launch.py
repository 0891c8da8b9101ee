"""CLI commands (see iceberg/cli/_app.py)."""

from __future__ import annotations

from iceberg.cli._app import app  # noqa: F401
