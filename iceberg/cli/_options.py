"""Shared validation of command-line options: one vocabulary for every command.

Static choices are typer enums or ranges (checked before any work); options whose allowed
values live in the data (``--layer``, ``--state``, county codes) are checked against the bundle
with :func:`layer_name` and :func:`state_fips` (county codes come in scenario files, checked
by :func:`iceberg.scenario.model.check_scenario`); output paths are
checked with :func:`output_path` before the (slow) work starts. Every failure is an
:class:`~iceberg.errors.IcebergArgumentError` naming the option, the value and what is
allowed, which the CLI prints as one line with exit code 2.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any

from iceberg.errors import IcebergArgumentError

#: File-system trees no output may go to.
_SYSTEM_TREES = ("/proc", "/sys", "/dev")


class Rater(str, Enum):
    """Eloundou rater (``--rater``)."""

    mean = "mean"
    human = "human"
    gpt4 = "gpt4"


class WageBasis(str, Enum):
    """Annual wage basis (``--wage``)."""

    mean = "mean"
    median = "median"


def unit_interval(value: float | None) -> float | None:
    """typer callback for ``--lambda``: a number in [0, 1]."""
    if value is not None and not (0.0 <= value <= 1.0):
        raise IcebergArgumentError("--lambda", value, allowed="a number in [0, 1]")
    return value


def threshold(value: float | None) -> float | None:
    """typer callback for ``--tau``: a number in (0, 1]."""
    if value is not None and not (0.0 < value <= 1.0):
        raise IcebergArgumentError("--tau", value, allowed="a number in (0, 1]")
    return value


def layer_name(layer: str, bundle: Any, option: str = "--layer") -> str:
    """``layer`` if the bundle has it (built-in or custom), else an error listing them."""
    layers = list(bundle.exposure.layers)
    if layer not in layers:
        raise IcebergArgumentError(option, layer, message="unknown capability layer",
                                   allowed="one of " + ", ".join(layers))
    return layer


def state_fips(state: str, counties: Any, option: str = "--state") -> str:
    """The 2-digit FIPS code of a state given as postal code or FIPS, checked against the data.

    ``counties`` is a county table with ``state_fips`` and ``state_abbr`` columns (the bundle's
    or a result's).
    """
    code = str(state).strip().upper()
    fips = counties["state_fips"].astype(str)
    abbr = counties["state_abbr"].astype(str).str.upper()
    if code.isdigit():
        match = fips[fips == code.zfill(2)]
    else:
        match = fips[abbr == code]
    if match.empty:
        known = sorted(set(abbr))
        raise IcebergArgumentError(option, state, message="unknown state",
                                   allowed=f"a postal code or FIPS code of the data ({', '.join(known[:6])}, …)")
    return str(match.iloc[0])


def output_path(path: Path, option: str = "--out", suffixes: tuple[str, ...] | None = None) -> Path:
    """Check that ``path`` can be written before any work starts; return it resolved.

    Refused: a folder, a path under a file, a path under /proc, /sys or /dev, a folder the
    user cannot write to, a suffix not in ``suffixes``.
    """
    resolved = Path(path).expanduser().absolute()
    text = str(resolved)
    if any(text == tree or text.startswith(tree + "/") for tree in _SYSTEM_TREES):
        raise IcebergArgumentError(option, str(path), message="a system folder cannot hold output",
                                   allowed="a path in a folder you can write to")
    if suffixes is not None and resolved.suffix.lower() not in suffixes:
        raise IcebergArgumentError(option, str(path), message="unsupported file type",
                                   allowed="a file ending in " + ", ".join(suffixes))
    if resolved.is_dir():
        raise IcebergArgumentError(option, str(path), message="is a folder",
                                   allowed="a file path")
    parent = resolved.parent
    while not parent.exists():  # the command creates missing folders: check the first that exists
        parent = parent.parent
    if not parent.is_dir():
        raise IcebergArgumentError(option, str(path), message=f"{parent} is a file, not a folder",
                                   allowed="a path whose parents are folders")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise IcebergArgumentError(option, str(path), message=f"no permission to write in {parent}",
                                   allowed="a path in a folder you can write to")
    if resolved.exists() and not os.access(resolved, os.W_OK):
        raise IcebergArgumentError(option, str(path), message="the existing file is read-only",
                                   allowed="a file you can overwrite")
    return resolved
