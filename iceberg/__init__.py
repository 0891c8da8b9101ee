"""iceberg — how much of the work people are paid for AI can technically do, county by county.

Public API: :func:`load`, :class:`Scenario`, :func:`run` (a :class:`Result`), :func:`explore`,
:func:`plot`, and the names the app and the CLI build on (map classes, presets, the scenario
model's tables, the error types); ``iceberg.labels`` holds every metric's name, unit and format.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Lazily imported public names: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "load": ("iceberg.bundle", "load"),
    "Bundle": ("iceberg.bundle", "Bundle"),
    "run": ("iceberg.api", "run"),
    "Result": ("iceberg.api", "Result"),
    "Scenario": ("iceberg.scenario.model", "Scenario"),
    "LeverChoices": ("iceberg.scenario.model", "LeverChoices"),
    "MAJOR_GROUPS": ("iceberg.scenario.model", "MAJOR_GROUPS"),
    "SECTORS": ("iceberg.scenario.model", "SECTORS"),
    "scenario_field_help": ("iceberg.scenario.model", "scenario_field_help"),
    "list_presets": ("iceberg.scenario.presets", "list_presets"),
    "load_preset": ("iceberg.scenario.presets", "load_preset"),
    "GDP_PROXY_FORMULA": ("iceberg.scenario.engine", "GDP_PROXY_FORMULA"),
    "SCENARIO_COLUMNS": ("iceberg.scenario.outputs", "COLUMNS"),
    "MC_OUTPUTS": ("iceberg.scenario.uncertainty", "MC_OUTPUTS"),
    "MC_LEVERS": ("iceberg.scenario.uncertainty", "MC_LEVERS"),
    "MapClasses": ("iceberg.maps.classes", "MapClasses"),
    "IcebergDataError": ("iceberg.errors", "IcebergDataError"),
    "IcebergArgumentError": ("iceberg.errors", "IcebergArgumentError"),
}

__all__ = [
    "GDP_PROXY_FORMULA",
    "MAJOR_GROUPS",
    "MC_LEVERS",
    "MC_OUTPUTS",
    "SCENARIO_COLUMNS",
    "SECTORS",
    "Bundle",
    "IcebergArgumentError",
    "IcebergDataError",
    "LeverChoices",
    "MapClasses",
    "Result",
    "Scenario",
    "__version__",
    "explore",
    "list_presets",
    "load",
    "load_preset",
    "plot",
    "run",
    "scenario_field_help",
]


def explore(result, metric: str = "hidden_index", **kwargs):
    """Interactive county map of a :func:`run` result (``result.explore``)."""
    return result.explore(metric, **kwargs)


def plot(result, metric: str, path, **kwargs):
    """Static county map (PNG/SVG/PDF by extension) of a :func:`run` result (``result.plot``)."""
    return result.plot(metric, path, **kwargs)


def __getattr__(name: str):  # lazy: keep `import iceberg` cheap for the CLI
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(name)
