"""iceberg — how much of the work people are paid for AI can technically do, county by county.

The public API is what this package exports (``iceberg.<name>``, listed in :data:`__all__`) plus
the modules :mod:`iceberg.labels` (metric names, units, formats, attribution, state table),
:mod:`iceberg.errors`, :mod:`iceberg.settings` (where the data lives) and :mod:`iceberg.sources`
(the data-source registry, downloads and status). The CLI and the app use nothing else; every
other module is internal and may change (an import-linter contract in ``pyproject.toml`` keeps
it so).

Model: :func:`load` / :func:`build` a data bundle, describe levers with :class:`Scenario`
(or :func:`load_preset`), :func:`run` it to get a :class:`Result`.
Outputs: :func:`explore`, :func:`plot`, :func:`to_html`, :func:`export_table` — each writes the
file atomically with its provenance (sidecar ``<file>.provenance.json`` and, where the format
allows, embedded). Reports: :func:`summary_tables`, :func:`bundle_summary`, :func:`write_validation_report`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iceberg-index")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

#: Public name -> "module:attribute", imported on first use so ``import iceberg`` stays cheap.
_EXPORTS: dict[str, str] = {
    # data bundle and model
    "load": "iceberg.bundle:load",
    "build": "iceberg.bundle:build",
    "read_bundle": "iceberg.bundle:read_bundle",
    "Bundle": "iceberg.bundle:Bundle",
    "CustomLayerSpec": "iceberg.bundle:CustomLayerSpec",
    "run": "iceberg.api:run",
    "Result": "iceberg.api:Result",
    "Scenario": "iceberg.scenario.model:Scenario",
    "LeverChoices": "iceberg.scenario.model:LeverChoices",
    "MAJOR_GROUPS": "iceberg.scenario.model:MAJOR_GROUPS",
    "SECTORS": "iceberg.scenario.model:SECTORS",
    "scenario_field_help": "iceberg.scenario.model:scenario_field_help",
    "GDP_PROXY_FORMULA": "iceberg.scenario.engine:GDP_PROXY_FORMULA",
    "SCENARIO_COLUMNS": "iceberg.scenario.outputs:COLUMNS",
    "MC_OUTPUTS": "iceberg.scenario.uncertainty:MC_OUTPUTS",
    "MC_LEVERS": "iceberg.scenario.uncertainty:MC_LEVERS",
    "IcebergDataError": "iceberg.errors:IcebergDataError",
    "IcebergArgumentError": "iceberg.errors:IcebergArgumentError",
    "list_presets": "iceberg.scenario.presets:list_presets",
    "load_preset": "iceberg.scenario.presets:load_preset",
    "read_scenario": "iceberg.scenario.presets:read_scenario",
    "Provenance": "iceberg.provenance:Provenance",
    "state_mean": "iceberg.metrics:state_mean",
    "add_per_worker_and_share": "iceberg.metrics:add_per_worker_and_share",
    # maps and tables
    "MapClasses": "iceberg.maps.classes:MapClasses",
    "fit_classes": "iceberg.maps.explore:fit_classes",
    "PageOptions": "iceberg.maps.explore:PageOptions",
    "to_html": "iceberg.maps.offline:to_html",
    "export_table": "iceberg.export:export_table",
    "table_bytes": "iceberg.export:table_bytes",
    "read_table": "iceberg.export:read_table",
    "read_provenance": "iceberg.provenance:read_embedded",
    "summary_tables": "iceberg.report:summary_tables",
    "format_table": "iceberg.report:format_table",
    "bundle_summary": "iceberg.report:bundle_summary",
    "check_bundles": "iceberg.report:check_bundles",
    "write_validation_report": "iceberg.report:write_validation_report",
    "holdout_text": "iceberg.report:holdout_text",
    "HOLDOUT_SEED": "iceberg.oews.holdout:HOLDOUT_SEED",
    "HOLDOUT_FRACTION": "iceberg.oews.holdout:HOLDOUT_FRACTION",
    # files
    "atomic_write_bytes": "iceberg.fileutil:atomic_write_bytes",
}

__all__ = [
    "GDP_PROXY_FORMULA",
    "HOLDOUT_FRACTION",
    "HOLDOUT_SEED",
    "MAJOR_GROUPS",
    "MC_LEVERS",
    "MC_OUTPUTS",
    "SCENARIO_COLUMNS",
    "SECTORS",
    "Bundle",
    "CustomLayerSpec",
    "IcebergArgumentError",
    "IcebergDataError",
    "LeverChoices",
    "MapClasses",
    "PageOptions",
    "Provenance",
    "Result",
    "Scenario",
    "__version__",
    "add_per_worker_and_share",
    "atomic_write_bytes",
    "build",
    "bundle_summary",
    "check_bundles",
    "explore",
    "export_table",
    "fit_classes",
    "format_table",
    "holdout_text",
    "list_presets",
    "load",
    "load_preset",
    "plot",
    "read_bundle",
    "read_provenance",
    "read_scenario",
    "read_table",
    "run",
    "scenario_field_help",
    "state_mean",
    "summary_tables",
    "table_bytes",
    "to_html",
    "write_validation_report",
]


def explore(result, metric: str = "hidden_index", **kwargs):
    """Interactive county map of a :func:`run` result (``result.explore``)."""
    return result.explore(metric, **kwargs)


def plot(result, metric: str, path, **kwargs):
    """Static county map (PNG/SVG/PDF by extension) of a :func:`run` result (``result.plot``)."""
    return result.plot(metric, path, **kwargs)


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'iceberg' has no attribute {name!r}")
    module, attr = target.split(":")
    # resolved on every access (not cached here), so patching the defining module works
    return getattr(import_module(module), attr)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
