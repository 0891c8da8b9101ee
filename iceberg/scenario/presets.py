"""Named scenarios shipped as JSON files in ``iceberg/scenario/presets/``.

A preset is just a scenario file: ``load_preset("technical_ceiling")`` reads
``presets/technical_ceiling.json``. Add a preset by dropping a file there.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

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


def read_scenario(spec: str | os.PathLike | None, *, year: int | None = None) -> Scenario:
    """A scenario from a JSON file or a preset name, optionally moved to another horizon year.

    Parameters
    ----------
    spec : str or PathLike, optional
        Path of a scenario JSON file, a preset name (``technical_ceiling``) or ``preset:NAME``;
        None for the default :class:`Scenario`.
    year : int, optional
        Horizon year to report (replaces the scenario's ``horizon_year``).

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError
        ``spec`` is neither a file nor a preset (the message lists the presets).
    IcebergDataError
        The file is not a valid scenario (names the file, the field and what was expected).
    """
    from pydantic import ValidationError

    from iceberg.errors import IcebergDataError

    path = Path(spec) if spec is not None else None
    try:
        if spec is None:
            scenario = Scenario()
        elif path.is_file():
            scenario = Scenario.from_json(path.read_text(encoding="utf-8"))
        elif str(spec).removeprefix("preset:") in list_presets():
            scenario = load_preset(str(spec).removeprefix("preset:"))
        else:
            raise ValueError(f"{str(spec)!r} is neither a scenario file nor a preset "
                             f"({', '.join(list_presets())})")
        if year is not None:
            scenario = Scenario.model_validate({**scenario.model_dump(), "horizon_year": year})
    except ValidationError as exc:
        err = exc.errors()[0]
        raise IcebergDataError(
            "invalid scenario", file=path if path is not None and path.is_file() else None,
            column=".".join(map(str, err.get("loc", ()))) or "horizon_year",
            expected=err.get("msg"), found=err.get("input"),
        ) from None
    return scenario
