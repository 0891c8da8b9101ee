"""Named scenarios shipped as JSON files in ``iceberg/scenario/presets/``.

A preset is just a scenario file: ``load_preset("technical_ceiling")`` reads
``presets/technical_ceiling.json``. Add a preset by dropping a file there.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

from iceberg.scenario.model import Scenario

_PACKAGE = "iceberg.scenario"


def _folder():
    return resources.files(_PACKAGE).joinpath("presets")


def list_presets() -> list[str]:
    """Names of the shipped presets (file stems), sorted."""
    return sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".json"))


def load_preset(name: str) -> Scenario:
    """The preset scenario ``name`` (see :func:`list_presets`).

    Raises
    ------
    KeyError
        When no preset has that name (the message lists the available ones).
    """
    if name not in list_presets():
        raise KeyError(f"no preset {name!r}; available: {', '.join(list_presets())}")
    return Scenario.from_json(_folder().joinpath(f"{name}.json").read_text(encoding="utf-8"))


def read_scenario(spec: str | os.PathLike | None, *, year: int | None = None,
                  data: Any = None) -> Scenario:
    """A scenario from a JSON file or a preset name, optionally reported in another year.

    Parameters
    ----------
    spec : str or PathLike, optional
        Path of a scenario JSON file, a preset name (``technical_ceiling``) or ``preset:NAME``;
        None for the default :class:`Scenario`.
    year : int, optional
        Horizon year to report (replaces the scenario's ``horizon_year``; adoption paths do not
        depend on it, so this reads the same path in another year).
    data : Bundle, optional
        When given, levers naming layers, states and counties are checked against it.

    Returns
    -------
    Scenario

    Raises
    ------
    IcebergArgumentError
        ``spec`` is neither a file nor a preset (the message lists the presets), the file holds
        an invalid lever (named, with the file), or ``year`` is not a valid horizon.
    """
    from iceberg.errors import IcebergArgumentError
    from iceberg.scenario.model import LeverChoices

    if spec is None:
        scenario = Scenario()
    else:
        path = Path(spec)
        name = str(spec).removeprefix("preset:")
        if path.is_file():
            try:
                choices = LeverChoices.from_bundle(data) if data is not None else None
                scenario = Scenario.from_json(path.read_bytes(), choices=choices)
            except IcebergArgumentError as exc:
                raise exc.within(str(path)) from None
        elif name in list_presets():
            scenario = load_preset(name)
        else:
            raise IcebergArgumentError("SCENARIO", str(spec),
                                       message="neither a scenario file nor a preset",
                                       allowed="a JSON file or one of " + ", ".join(list_presets()))
    if year is not None:
        try:
            scenario = Scenario.strict({**scenario.model_dump(), "horizon_year": year})
        except IcebergArgumentError as exc:
            raise IcebergArgumentError("--year", year, message="not a horizon year of the scenario",
                                       allowed=exc.allowed) from None
    return scenario
