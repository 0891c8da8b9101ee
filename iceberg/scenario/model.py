"""The scenario: every lever of the policy sandbox as one frozen, validated pydantic model.

A :class:`Scenario` round-trips losslessly through JSON (:meth:`Scenario.to_json` /
:meth:`Scenario.from_json`) and through URL query parameters
(:meth:`Scenario.to_query_params` / :meth:`Scenario.from_query_params`; only non-default levers
go into the URL, under the short keys of :data:`URL_KEYS`). Every field carries its range,
default and a one-line description, which the app renders as help text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from iceberg.errors import IcebergArgumentError

#: SOC 2018 major groups published by OEWS (military 55 is not in OEWS).
MAJOR_GROUPS: tuple[str, ...] = (
    "11", "13", "15", "17", "19", "21", "23", "25", "27", "29", "31",
    "33", "35", "37", "39", "41", "43", "45", "47", "49", "51", "53",
)  # fmt: skip

#: Broad "sectors" available from the scenario inputs: the five broad occupation groups of the
#: SOC/ACS (Census) classification, each a set of major groups. The inputs carry occupations,
#: not industries, so this is where the data allow sector levers.
SECTORS: dict[str, tuple[str, ...]] = {
    "management_business_science_arts": (
        "11", "13", "15", "17", "19", "21", "23", "25", "27", "29",
    ),
    "service": ("31", "33", "35", "37", "39"),
    "sales_office": ("41", "43"),
    "natural_resources_construction_maintenance": ("45", "47", "49"),
    "production_transportation": ("51", "53"),
}  # fmt: skip

#: Short URL keys of each lever (field name → key); both are accepted when parsing.
URL_KEYS: dict[str, str] = {
    "name": "name",
    "description": "desc",
    "layer": "layer",
    "rater": "rater",
    "tool_frontier": "lam",
    "threshold_mode": "thr",
    "threshold": "tau",
    "adoption_ceiling": "amax",
    "major_group_multipliers": "mg",
    "sector_multipliers": "sec",
    "instant_adoption": "inst",
    "start_year": "t0",
    "horizon_year": "hz",
    "years_to_half": "t50",
    "steepness": "k",
    "substitution_share": "s",
    "productivity_rate": "p",
    "reskilling_budget": "R",
    "cost_per_worker": "cpw",
    "success_rate": "succ",
    "targeting": "tgt",
    "target_sectors": "tsec",
    "target_counties": "tcty",
    "job_multiplier": "m",
    "scope": "scope",
    "scope_states": "st",
    "scope_counties": "cty",
}
_FROM_URL = {v: k for k, v in URL_KEYS.items()}
#: Latest horizon year the model allows (the field's upper bound).
MAX_HORIZON_YEAR = 2080
#: Years the horizon may lie after the start year.
MAX_HORIZON_SPAN = 50


@dataclass(frozen=True)
class LeverChoices:
    """What the levers that *name things* may name, taken from a data bundle.

    Pass it as validation context (``Scenario.from_values(values, choices=...)``,
    ``Scenario.strict(values, choices=...)``) or check a built scenario with
    :func:`check_scenario`. Every field left ``None`` is not checked.

    Attributes
    ----------
    layers : tuple[str, ...] or None
        Capability layers of the bundle (built-in and custom).
    states : frozenset[str] or None
        State FIPS codes (2 digits) of the bundle's state level.
    counties : frozenset[str] or None
        County GEOIDs (5 digits) of the bundle's county level.
    """

    layers: tuple[str, ...] | None = None
    states: frozenset[str] | None = None
    counties: frozenset[str] | None = None

    @classmethod
    def from_bundle(cls, bundle: Any) -> LeverChoices:
        """Choices of a :class:`iceberg.bundle.Bundle` (cached on the bundle)."""
        cached = getattr(bundle, "_lever_choices", None)
        if isinstance(cached, LeverChoices):
            return cached
        levels = getattr(bundle, "levels", {})
        states = levels["state"].ids if "state" in levels else None
        counties = levels["county"].ids if "county" in levels else None
        exposure = getattr(bundle, "exposure", None)
        out = cls(
            layers=tuple(exposure.layers) if exposure is not None else None,
            states=frozenset(map(str, states)) if states is not None else None,
            counties=frozenset(map(str, counties)) if counties is not None else None,
        )
        try:
            object.__setattr__(bundle, "_lever_choices", out)
        except (AttributeError, TypeError):  # a bundle-like object without a __dict__
            pass
        return out


def _choices(info: ValidationInfo) -> LeverChoices:
    ctx = info.context
    if isinstance(ctx, LeverChoices):
        return ctx
    if isinstance(ctx, Mapping) and isinstance(ctx.get("choices"), LeverChoices):
        return ctx["choices"]
    return LeverChoices()


def _list_codes(codes: frozenset[str] | tuple[str, ...], what: str) -> str:
    ordered = sorted(codes)
    if len(ordered) <= 12:
        return f"one of {', '.join(ordered)}"
    return f"a {what} of the data ({len(ordered):,} codes, {ordered[0]} … {ordered[-1]})"

# a lever whose default can clash with another lever's value → the lever to drop instead
_CONTROLLED_BY = {
    "target_sectors": "targeting",
    "target_counties": "targeting",
    "scope_states": "scope",
    "scope_counties": "scope",
    "horizon_year": "start_year",
}


class Scenario(BaseModel):
    """A policy scenario (DESIGN §6). Frozen; build a variant with ``model_copy(update=...)``."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    name: str = Field("Custom scenario", max_length=120, description="Short name of the scenario.")
    description: str = Field(
        "", max_length=2000, description="What the scenario assumes, in words."
    )
    layer: str = Field(
        "eloundou",
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description="Capability layer giving task exposure (eloundou, microsoft, aioe, ...).",
    )
    rater: Literal["mean", "human", "gpt4"] = Field(
        "mean", description="Which exposure labels to use: human, GPT-4, or the mean of both."
    )
    tool_frontier: float = Field(
        0.0, ge=0.0, le=1.0,
        description="Tool frontier λ in [0, 1]: weight of tasks needing extra software (E2); "
        "0 = today's tools, 1 = all complementary software built.",
    )  # fmt: skip
    threshold_mode: bool = Field(
        False, description="Count a task as fully exposed when its capability reaches τ, else 0."
    )
    threshold: float = Field(
        0.5, gt=0.0, le=1.0, description="Threshold τ in (0, 1] used in threshold mode."
    )
    adoption_ceiling: float = Field(
        0.5, ge=0.0, le=1.0,
        description="Adoption ceiling a_max in [0, 1]: share of technically exposed work that is "
        "eventually adopted.",
    )  # fmt: skip
    major_group_multipliers: dict[str, float] = Field(
        default_factory=dict,
        description="Adoption multipliers by SOC major group code ('11'..'53'), each in [0, 10]; "
        "unlisted groups 1.0. Adoption is capped at 1.",
    )
    sector_multipliers: dict[str, float] = Field(
        default_factory=dict,
        description="Adoption multipliers by broad occupation sector (see SECTORS), each in "
        "[0, 10]; multiplies the major-group multiplier.",
    )
    instant_adoption: bool = Field(
        False, description="Skip the S-curve: adoption is at its ceiling in every year."
    )
    start_year: int = Field(2025, ge=2020, le=2060, description="Year t0 adoption starts from.")
    horizon_year: int = Field(
        2030, ge=2020, le=2080, description="Last year reported (at most 50 years after t0)."
    )
    years_to_half: float = Field(
        5.0,
        ge=0.0,
        le=50.0,
        description="Years t50 from t0 until adoption reaches half its ceiling.",
    )
    steepness: float = Field(
        1.0, gt=0.0, le=10.0, description="Steepness k of the logistic adoption curve (per year)."
    )
    substitution_share: float = Field(
        0.3, ge=0.0, le=1.0,
        description="Substitution share s: part of adopted exposure that displaces work; the "
        "rest augments it.",
    )  # fmt: skip
    productivity_rate: float = Field(
        0.2, ge=0.0, le=2.0, description="Productivity gain p on augmented work (0.2 = +20%)."
    )
    reskilling_budget: float = Field(
        0.0, ge=0.0, le=1e12, description="Reskilling budget $R in dollars (0 = no reskilling)."
    )
    cost_per_worker: float = Field(
        10_000.0, ge=100.0, le=1e6, description="Training cost per worker in dollars."
    )
    success_rate: float = Field(
        0.6, ge=0.0, le=1.0, description="Share of trained workers who move to a new occupation."
    )
    targeting: Literal["most_exposed", "sectors", "counties"] = Field(
        "most_exposed",
        description="Who is trained first: the most exposed occupations, chosen sectors, or "
        "chosen counties (most exposed first within them).",
    )
    target_sectors: tuple[str, ...] = Field(
        (), description="Sectors or SOC major groups targeted when targeting = 'sectors'."
    )
    target_counties: tuple[str, ...] = Field(
        (), description="County GEOIDs targeted when targeting = 'counties'."
    )
    job_multiplier: float = Field(
        1.0, ge=0.0, le=5.0, description="Local job multiplier m applied to net job losses."
    )
    scope: Literal["nation", "states", "counties"] = Field(
        "nation", description="Geographies reported and where the reskilling budget is spent."
    )
    scope_states: tuple[str, ...] = Field((), description="State FIPS codes when scope = 'states'.")
    scope_counties: tuple[str, ...] = Field(
        (), description="County GEOIDs when scope = 'counties'."
    )

    # ---- validators (field-level, so every error names its lever) ----
    @field_validator("major_group_multipliers", "sector_multipliers")
    @classmethod
    def _check_multiplier_lever(
        cls, value: dict[str, float], info: ValidationInfo
    ) -> dict[str, float]:
        known, what, expected = _MULTIPLIER_KEYS[info.field_name]
        bad = [k for k in value if k not in known]
        if bad:
            raise ValueError(f"unknown {what} {bad}; {expected}")
        return _check_multipliers(value)

    @field_validator("layer")
    @classmethod
    def _check_layer(cls, value: str, info: ValidationInfo) -> str:
        layers = _choices(info).layers
        if layers is not None and value not in layers:
            raise ValueError(f"unknown capability layer; expected one of {', '.join(layers)}")
        return value

    @field_validator("horizon_year")
    @classmethod
    def _check_horizon(cls, value: int, info: ValidationInfo) -> int:
        start = info.data.get("start_year")
        if start is not None:
            last = min(start + MAX_HORIZON_SPAN, MAX_HORIZON_YEAR)
            if not (start <= value <= last):
                raise ValueError(f"horizon year must be between start year {start} and {last}")
        return value

    @field_validator("target_sectors")
    @classmethod
    def _check_target_sectors(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple:
        bad = [v for v in value if v not in SECTORS and v not in MAJOR_GROUPS]
        if bad:
            raise ValueError(f"unknown sector or major group(s) {bad}")
        if info.data.get("targeting") == "sectors" and not value:
            raise ValueError("targeting 'sectors' needs at least one sector or major group")
        return tuple(dict.fromkeys(value))

    @field_validator("target_counties", "scope_counties", "scope_states")
    @classmethod
    def _check_codes(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple:
        width, plural, key, mode, one = _CODE_LEVERS[info.field_name]
        bad = [v for v in value if len(v) != width or not v.isdigit()]
        if bad:
            raise ValueError(f"{plural} must be {width} digits, found {bad[:5]}")
        if info.data.get(key) == mode and not value:
            raise ValueError(f"{key} '{mode}' needs at least one {one}")
        choices = _choices(info)
        known = choices.states if info.field_name == "scope_states" else choices.counties
        if known is not None:
            unknown = [v for v in value if v not in known]
            if unknown:
                raise ValueError(f"{plural} not in the data: {unknown[:5]}; expected "
                                 + _list_codes(known, one))
        return tuple(dict.fromkeys(value))

    # ---- derived ----
    @property
    def years(self) -> list[int]:
        """Years reported: start year to horizon year, inclusive."""
        return list(range(self.start_year, self.horizon_year + 1))

    def group_multipliers(self) -> dict[str, float]:
        """Effective adoption multiplier of every major group (major × sector multiplier)."""
        out = {g: float(self.major_group_multipliers.get(g, 1.0)) for g in MAJOR_GROUPS}
        for sector, groups in SECTORS.items():
            factor = float(self.sector_multipliers.get(sector, 1.0))
            for g in groups:
                out[g] *= factor
        return out

    def targeted_major_groups(self) -> set[str]:
        """Major groups named (directly or through a sector) in ``target_sectors``."""
        out: set[str] = set()
        for v in self.target_sectors:
            out.update(SECTORS.get(v, (v,)))
        return out

    # ---- JSON ----
    def to_json(self, indent: int | None = 2) -> str:
        """Lossless JSON text of every lever."""
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes, choices: LeverChoices | None = None) -> Scenario:
        """Parse and validate JSON text strictly (a UTF-8 byte-order mark is accepted).

        Raises
        ------
        IcebergArgumentError
            Naming the first bad lever, its value and what is allowed (also for text that is
            not a JSON object).
        """
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise IcebergArgumentError("scenario", text[:40], message="not UTF-8 text",
                                           allowed="a UTF-8 JSON object of levers") from None
        text = text.removeprefix("\ufeff")
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IcebergArgumentError(
                "scenario", text[:40], message=f"not valid JSON ({exc.msg}, line {exc.lineno})",
                allowed="a JSON object of levers") from None
        if not isinstance(values, dict):
            raise IcebergArgumentError("scenario", values, message="not a JSON object",
                                       allowed="a JSON object of levers")
        return cls.strict(values, choices=choices)

    @classmethod
    def strict(cls, values: Mapping[str, Any], choices: LeverChoices | None = None) -> Scenario:
        """Strict build from lever values: the first unknown or invalid lever raises.

        Parameters
        ----------
        values : mapping
            Lever values by field name.
        choices : LeverChoices, optional
            Layers, states and counties the levers may name (from a bundle).

        Raises
        ------
        IcebergArgumentError
            Naming the lever, the value and what is allowed.
        """
        unknown = [k for k in values if k not in cls.model_fields]
        if unknown:
            raise IcebergArgumentError(str(unknown[0]), values[unknown[0]], kind="lever",
                                       message="unknown lever",
                                       allowed="one of " + ", ".join(cls.model_fields))
        try:
            return cls.model_validate(dict(values), context=choices)
        except ValidationError as exc:
            raise lever_error(exc.errors()[0], values, choices) from None

    # ---- URL ----
    def to_query_params(self) -> dict[str, str]:
        """Non-default levers as URL query parameters under their short keys."""
        default = Scenario()
        out: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value != getattr(default, name):
                out[URL_KEYS[name]] = _encode(value)
        return out

    @classmethod
    def from_query_params(cls, params: dict[str, Any]) -> tuple[Scenario, list[str]]:
        """Lenient parse: invalid or unknown parameters fall back to defaults with a notice.

        Returns
        -------
        (Scenario, list[str])
            The scenario and one human-readable notice per ignored parameter, naming the lever.
        """
        values, notices = _decode_all(params)
        scenario, more = cls.from_values(values)
        return scenario, notices + more

    @classmethod
    def from_values(
        cls, values: Mapping[str, Any], choices: LeverChoices | None = None
    ) -> tuple[Scenario, list[str]]:
        """Lenient build from lever values (field names) for links and uploaded files.

        Each unknown or invalid lever — numeric or naming a layer, state or county absent from
        ``choices`` — is dropped and takes its default, with one notice naming the lever, the
        value and what is allowed (the same text :meth:`strict` raises).

        Returns
        -------
        (Scenario, list[str])
        """
        notices = [
            f"{IcebergArgumentError(k, v, kind='lever', message='unknown lever')}; ignored"
            for k, v in values.items() if k not in cls.model_fields
        ]
        values = {k: v for k, v in values.items() if k in cls.model_fields}
        while True:
            try:
                return cls.model_validate(values, context=choices), notices
            except ValidationError as exc:
                progressed = False
                for err in exc.errors():
                    name = str(err["loc"][0]) if err["loc"] else ""
                    if name not in values:  # a default clashes with a controlling lever
                        name = _CONTROLLED_BY.get(name, "")
                    if name in values:
                        notices.append(f"{lever_error(err, values, choices, name)}; using default")
                        del values[name]
                        progressed = True
                if not progressed:  # pragma: no cover - every validator is field-level
                    raise

    @classmethod
    def from_query_params_strict(cls, params: dict[str, Any]) -> Scenario:
        """Strict parse: raise :class:`IcebergArgumentError` naming the first bad lever."""
        values, notices = _decode_all(params)
        if notices:
            raise IcebergArgumentError("scenario link", params, message=notices[0])
        return cls.strict(values)


def check_scenario(scenario: Scenario, bundle: Any) -> Scenario:
    """Check the levers that name things against a data bundle; return the scenario.

    The layer must be one of the bundle's layers, scope states and counties and target
    counties must exist in it (a well-formed but absent code such as ``"99"`` or ``"00000"``
    would otherwise give empty tables or a silent zero).

    Raises
    ------
    IcebergArgumentError
        Naming the lever, the value and what the bundle allows.
    """
    choices = LeverChoices.from_bundle(bundle)
    if (choices.layers is None or scenario.layer in choices.layers) and all(
        known is None or set(codes) <= known
        for codes, known in ((scenario.scope_states, choices.states),
                             (scenario.scope_counties, choices.counties),
                             (scenario.target_counties, choices.counties))
    ):
        return scenario  # the common case, without re-validating every lever
    return Scenario.strict(scenario.model_dump(), choices=choices)


def allowed_values(name: str, choices: LeverChoices | None = None) -> str:
    """What a lever allows, in words (the same text in errors, notices and help)."""
    choices = choices or LeverChoices()
    field = Scenario.model_fields.get(name)
    if field is None:
        return "one of " + ", ".join(Scenario.model_fields)
    if name == "layer":
        return ("one of " + ", ".join(choices.layers)) if choices.layers is not None \
            else "a layer name (lowercase letters, digits, _)"
    if name == "horizon_year":
        return f"a year from start_year to start_year + {MAX_HORIZON_SPAN}, at most {MAX_HORIZON_YEAR}"
    if name in _CODE_LEVERS:
        width, _, key, mode, one = _CODE_LEVERS[name]
        known = choices.states if name == "scope_states" else choices.counties
        text = _list_codes(known, one) if known is not None else f"{width}-digit {one}s"
        return f"{text} (a list; needed when {key} = '{mode}')"
    if name == "target_sectors":
        return f"sectors {list(SECTORS)} or SOC major groups {list(MAJOR_GROUPS)}"
    if name in _MULTIPLIER_KEYS:
        return f"a mapping of {_MULTIPLIER_KEYS[name][1]} to numbers in [0, 10]"
    args = get_args(field.annotation)
    if args and all(isinstance(a, str) for a in args):
        return "one of " + ", ".join(args)
    if field.annotation is bool:
        return "true or false"
    bounds = {b: getattr(m, b) for m in field.metadata for b in ("ge", "gt", "le", "lt", "max_length")
              if getattr(m, b, None) is not None}
    if "max_length" in bounds:
        return f"text of at most {bounds['max_length']} characters"
    lo = f"[{bounds['ge']:g}" if "ge" in bounds else f"({bounds['gt']:g}" if "gt" in bounds else "(-inf"
    hi = f"{bounds['le']:g}]" if "le" in bounds else f"{bounds['lt']:g})" if "lt" in bounds else "inf)"
    kind = "a whole number" if field.annotation is int else "a number"
    return f"{kind} in {lo}, {hi}"


def lever_error(err: Mapping[str, Any], values: Mapping[str, Any],
                choices: LeverChoices | None = None, name: str | None = None) -> IcebergArgumentError:
    """A pydantic error entry as an :class:`IcebergArgumentError` naming lever, value, allowed."""
    loc = err.get("loc") or ()
    name = name or (str(loc[0]) if loc else "scenario")
    value = values.get(name, err.get("input"))
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    message = message.split("; expected ")[0]  # the allowed text comes from allowed_values
    return IcebergArgumentError(name, value, kind="lever", message=message,
                                allowed=allowed_values(name, choices))


#: Multiplier levers: field -> (allowed keys, what they are, the expected keys as the error says).
_MULTIPLIER_KEYS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "major_group_multipliers": (
        MAJOR_GROUPS, "SOC major group(s)", f"expected codes {MAJOR_GROUPS}"
    ),
    "sector_multipliers": (tuple(SECTORS), "sector(s)", f"expected one of {list(SECTORS)}"),
}

#: Code-list levers: field -> (digits, codes named in errors, controlling lever, the mode that
#: needs at least one code, one code named in errors).
_CODE_LEVERS: dict[str, tuple[int, str, str, str, str]] = {
    "target_counties": (5, "county GEOIDs", "targeting", "counties", "county GEOID"),
    "scope_counties": (5, "county GEOIDs", "scope", "counties", "county GEOID"),
    "scope_states": (2, "state FIPS codes", "scope", "states", "state FIPS code"),
}


def _check_multipliers(value: dict[str, float]) -> dict[str, float]:
    for key, mult in value.items():
        if not (0.0 <= float(mult) <= 10.0):
            raise ValueError(f"multiplier of {key!r} must be in [0, 10], found {mult}")
    return {k: float(v) for k, v in sorted(value.items())}


def _encode(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # shortest text that round-trips exactly
    if isinstance(value, dict):
        return ",".join(f"{k}:{float(v)!r}" for k, v in value.items())
    if isinstance(value, tuple | list):
        return ",".join(value)
    return str(value)


def _decode(name: str, text: str) -> Any:
    """Turn URL text back into the field's Python shape (validation happens in the model)."""
    field = Scenario.model_fields[name]
    text = str(text)
    if field.annotation is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"expected 0 or 1, found {text!r}")
    if name in ("major_group_multipliers", "sector_multipliers"):
        out = {}
        for part in filter(None, text.split(",")):
            key, sep, num = part.partition(":")
            if not sep:
                raise ValueError(f"expected 'code:multiplier' pairs, found {part!r}")
            out[key] = float(num)
        return out
    if name in ("target_sectors", "target_counties", "scope_states", "scope_counties"):
        return tuple(filter(None, text.split(",")))
    return text  # pydantic coerces numbers in lax mode


def _decode_all(params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    notices: list[str] = []
    for key, raw in params.items():
        if isinstance(raw, list | tuple):  # e.g. parse_qs output
            raw = raw[-1] if raw else ""
        name = _FROM_URL.get(key, key if key in Scenario.model_fields else None)
        if name is None:
            notices.append(f"unknown parameter {key!r} ignored")
            continue
        try:
            values[name] = _decode(name, raw)
        except (ValueError, TypeError) as exc:
            notices.append(f"lever {name!r}: {exc}; using default")
    return values, notices


def scenario_field_help() -> dict[str, dict[str, Any]]:
    """Per lever: description, default and bounds, for rendering help text in the app."""
    out: dict[str, dict[str, Any]] = {}
    for name, field in Scenario.model_fields.items():
        info: dict[str, Any] = {"description": field.description, "url_key": URL_KEYS[name]}
        info["default"] = field.get_default(call_default_factory=True)
        for meta in field.metadata:
            for bound in ("ge", "gt", "le", "lt"):
                if getattr(meta, bound, None) is not None:
                    info[bound] = getattr(meta, bound)
        out[name] = info
    return out

