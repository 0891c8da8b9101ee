"""Named scenarios shipped as JSON files in ``iceberg/scenario/presets/``.

A preset is just a scenario file: ``load_preset("technical_ceiling")`` reads
``presets/technical_ceiling.json``. Add a preset by dropping a file there.
"""

from __future__ import annotations

from importlib import resources

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
