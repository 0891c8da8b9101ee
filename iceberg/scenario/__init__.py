"""Policy sandbox: scenarios (levers), the vectorised engine, reskilling, presets, Monte Carlo."""

from __future__ import annotations

from iceberg.scenario.engine import (
    COLUMNS,
    GDP_PROXY_FORMULA,
    OUTPUTS,
    Engine,
    EngineInputs,
    ScenarioOutputs,
)
from iceberg.scenario.model import (
    MAJOR_GROUPS,
    SECTORS,
    LeverChoices,
    Scenario,
    check_scenario,
    scenario_field_help,
)
from iceberg.scenario.presets import list_presets, load_preset
from iceberg.scenario.reskilling import occupation_similarity
from iceberg.scenario.uncertainty import MC_LEVERS, MC_OUTPUTS, monte_carlo

__all__ = [
    "COLUMNS",
    "GDP_PROXY_FORMULA",
    "MAJOR_GROUPS",
    "MC_LEVERS",
    "MC_OUTPUTS",
    "OUTPUTS",
    "SECTORS",
    "Engine",
    "EngineInputs",
    "LeverChoices",
    "Scenario",
    "ScenarioOutputs",
    "check_scenario",
    "list_presets",
    "load_preset",
    "monte_carlo",
    "occupation_similarity",
    "scenario_field_help",
]
