"""Scenario in and out of the app: URL query parameters, uploaded JSON, view parameters.

Pure functions (no Streamlit calls) so they are easy to test. Every parse is lenient: a bad
lever falls back to its default and yields a human-readable notice naming it; nothing raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from iceberg import Scenario

#: View parameters the app adds to the URL beside the scenario's own keys.
VIEW_KEYS: dict[str, str] = {
    "geo": "geography (state postal code, or US)",
    "metric": "map metric",
    "mode": "map view (scenario, baseline, side, diff)",
    "year": "year shown",
    "county": "selected county GEOID",
}
VIEW_MODES = ("scenario", "baseline", "side", "diff")
#: Largest upload the app accepts (a scenario file is a few kB); the uploader says the same.
MAX_UPLOAD_MB = 1
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024


def split_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Split URL parameters into (scenario parameters, view parameters)."""
    scenario, view = {}, {}
    for key, value in params.items():
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        (view if key in VIEW_KEYS else scenario)[key] = value
    return scenario, {k: str(v) for k, v in view.items()}


def scenario_from_params(params: Mapping[str, Any]) -> tuple[Scenario, list[str]]:
    """Scenario from URL parameters; invalid or unknown levers fall back with a notice."""
    try:
        return Scenario.from_query_params(dict(params))
    except Exception as exc:  # noqa: BLE001 - the app must never fail on a URL
        return Scenario(), [f"the link's scenario could not be read ({exc}); using defaults"]


def scenario_to_params(scenario: Scenario, view: Mapping[str, Any] | None = None) -> dict[str, str]:
    """URL parameters: the scenario's non-default levers plus the non-empty view parameters."""
    out = dict(scenario.to_query_params())
    for key, value in (view or {}).items():
        if key in VIEW_KEYS and value not in (None, ""):
            out[key] = str(value)
    return out


def scenario_from_upload(data: bytes | str, with_status: bool = False):
    """Scenario from an uploaded JSON file.

    A valid file loads exactly (a UTF-8 byte-order mark is accepted). Otherwise each lever
    that fails validation (or is unknown) is dropped and takes its default, with one notice
    per lever; a file that cannot be read as a JSON object gives the default scenario and a
    notice. With ``with_status`` a third value says whether the file could be read at all
    (the app then keeps the current scenario instead of loading the defaults).
    """
    sc, notices, readable = _from_upload(data)
    return (sc, notices, readable) if with_status else (sc, notices)


def _from_upload(data: bytes | str) -> tuple[Scenario, list[str], bool]:
    if isinstance(data, bytes):
        if len(data) > MAX_UPLOAD_BYTES:
            return Scenario(), [(f"the file is larger than {MAX_UPLOAD_MB} MB "
                                f"({len(data):,} bytes); a scenario file is a few kB")], False
        try:
            data = data.decode("utf-8-sig")  # a BOM (Windows editors) is not an error
        except UnicodeDecodeError:
            return Scenario(), ["the file is not UTF-8 text (expected a scenario JSON file)"], False
    data = data.removeprefix("\ufeff")
    try:
        raw = json.loads(data)
    except json.JSONDecodeError as exc:
        return Scenario(), [(f"the file is not valid JSON ({exc.msg}, line {exc.lineno}, column "
                            f"{exc.colno})")], False
    if not isinstance(raw, dict):
        return Scenario(), [("the file must hold a JSON object of levers (found a "
                            f"{type(raw).__name__})")], False
    sc, notices = lenient_scenario(raw)
    return sc, notices, True


def check_against_data(sc: Scenario, choices) -> tuple[Scenario, list[str]]:
    """Drop levers that name things the data does not have (a layer, states, counties), with
    one notice each naming the lever, the value and what is allowed (the model's own check,
    :meth:`Scenario.from_values` with the bundle's :class:`LeverChoices`)."""
    return Scenario.from_values(sc.model_dump(), choices=choices.levers)


def lenient_scenario(values: Mapping[str, Any]) -> tuple[Scenario, list[str]]:
    """Build a scenario from lever values, dropping each invalid lever with a notice."""
    return Scenario.from_values(dict(values))


def validation_message(exc: ValidationError) -> str:
    """One line per invalid lever, for the Apply button's error box."""
    lines = []
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "scenario"
        lines.append(f"{name.replace('_', ' ')}: {err['msg']}")
    return "; ".join(lines)
