"""Names, units, number formats and help text of every metric — the one place they are decided.

Maps (legends, titles, tooltips), the CLI, exports and the app all read this module, so a metric is
called the same thing and its numbers read the same way everywhere.

Units (``MetricLabel.unit``):

- ``"share"``   a fraction in [0, 1] shown as a percent (``12.3%``)
- ``"usd"``     dollars per year, scaled (``$1.2B``, ``$45.3M``, ``$950``)
- ``"workers"`` jobs or worker-equivalents (``1.7M``, ``12,345``)
- ``"ratio"``   a plain multiple (``6.1×``)
- ``"pp"``      a change of a share, in percentage points (``+1.2 pp``; stored as a fraction)

Derived column names resolve by suffix: ``<m>_diff`` (scenario − baseline; a share becomes
``pp``), ``<m>_visible`` / ``<m>_hidden`` (the split of an output), ``<m>_per_worker`` (dollars per
job) and ``<m>_share_of_wage_bill`` (dollars as a share of the wage bill).

The state table :data:`STATES` (FIPS → abbreviation, name, whether it is one of the 50 states + DC)
is the one list of states and territories.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

Unit = Literal["share", "usd", "workers", "ratio", "pp"]
UNITS: tuple[str, ...] = ("share", "usd", "workers", "ratio", "pp")


@dataclass(frozen=True)
class MetricLabel:
    """How one metric is named, measured and printed.

    Attributes
    ----------
    name : str
        Column name in result tables.
    label : str
        Human name (title case, no unit), e.g. ``"Hidden multiple"``.
    unit : {"share", "usd", "workers", "ratio", "pp"}
        What the number measures (see the module docstring).
    fmt : str
        Python format spec of the printed number: applied to the percent for ``share``/``pp``,
        to the scaled amount for ``usd`` (before the ``K/M/B/T`` suffix), to the count for
        ``workers`` and to the multiple for ``ratio``.
    help : str
        One or two sentences a reader needs to interpret the number (what it is, how computed).
    """

    name: str
    label: str
    unit: Unit
    fmt: str
    help: str

    @property
    def unit_text(self) -> str:
        """The unit in words, for axis and legend titles (``"% of wages"``, ``"$ per year"``)."""
        return UNIT_TEXT[self.unit]

    @property
    def long_label(self) -> str:
        """Label with its unit, e.g. ``"Exposed wages ($ per year)"`` (not repeated when the
        label already names it, as in ``"Exposed worker-equivalents"``)."""
        if self.unit_text.lower() in self.label.lower():
            return self.label
        return f"{self.label} ({self.unit_text})"


UNIT_TEXT: dict[str, str] = {
    "share": "% of wages",
    "usd": "$ per year",
    "workers": "worker-equivalents",
    "ratio": "×",
    "pp": "percentage points",
}

_DEFAULT_FMT: dict[str, str] = {"share": ".1f", "usd": ".1f", "workers": ",.0f", "ratio": ".1f",
                                "pp": "+.1f"}


def _m(name: str, label: str, unit: Unit, help: str, fmt: str | None = None) -> MetricLabel:
    return MetricLabel(name, label, unit, fmt or _DEFAULT_FMT[unit], help)


_TABLE: tuple[MetricLabel, ...] = (
    # --- technical exposure (DESIGN §2; iceberg.metrics) ---------------------------------------
    _m("iceberg_index", "Iceberg index", "share",
       "Exposed wages ÷ wage bill: the share of the wage value of work AI can technically do, "
       "visible plus hidden. Technical capability, not a forecast of job loss."),
    _m("surface_index", "Visible index", "share",
       "The paper's surface index: exposed wages in computing & tech occupations (SOC 15 + "
       "11-3021) ÷ the whole wage bill."),
    _m("hidden_index", "Hidden index", "share",
       "Exposed wages outside computing & tech ÷ the whole wage bill (iceberg − visible index)."),
    _m("hidden_multiple", "Hidden multiple (iceberg index ÷ visible index)", "ratio",
       "I / S: total exposure as a multiple of the visible (tech) exposure. 1× means nothing is "
       "hidden; when hidden equals visible exposure it is 2×."),
    _m("exposed_wages", "Exposed wages", "usd",
       "Σ jobs × annual wage × exposure: the wage value of work AI can technically do."),
    _m("surface_wages", "Visible exposed wages", "usd",
       "Exposed wages in computing & tech occupations."),
    _m("hidden_wages", "Hidden exposed wages", "usd",
       "Exposed wages outside computing & tech occupations."),
    _m("wage_bill", "Wage bill", "usd", "Σ jobs × annual wage (OEWS)."),
    _m("employment", "Employment (jobs)", "workers", "OEWS jobs (not people)."),
    _m("exposed_workers", "Exposed worker-equivalents (employment-weighted)", "workers",
       "Σ jobs × exposure: jobs weighted by the share of their work AI can technically do. "
       "Not a count of people who lose their job."),
    _m("surface_workers", "Visible exposed worker-equivalents", "workers",
       "Exposed worker-equivalents in computing & tech occupations."),
    _m("hidden_workers", "Hidden exposed worker-equivalents", "workers",
       "Exposed worker-equivalents outside computing & tech occupations."),
    # --- scenario outputs (iceberg.scenario.outputs; horizon year unless per year) -------------
    _m("technical_exposed_wages", "Technically exposed wages", "usd",
       "Exposed wages under the scenario's capability layer and tool frontier."),
    _m("adopted_wages", "Adopted wages", "usd",
       "Exposed wages of the work actually automated or augmented at the scenario's adoption "
       "level in that year."),
    _m("displaced_wages", "Displaced wages", "usd",
       "Adopted wages times the substitution share: wages of work replaced, not augmented."),
    _m("displaced_workers", "Displaced worker-equivalents", "workers",
       "Jobs × exposure × adoption × substitution share (worker-equivalents, not people)."),
    _m("augmented_wages", "Augmented wages", "usd",
       "Adopted wages of work AI assists rather than replaces."),
    _m("productivity_gain", "Productivity gain", "usd",
       "Value of the time saved on augmented work (augmented wages × productivity uplift)."),
    _m("trained_workers", "Workers in reskilling", "workers",
       "Displaced worker-equivalents entering a reskilling programme."),
    _m("reskilled_workers", "Reskilled workers", "workers",
       "Trained workers who complete reskilling (trained × success rate)."),
    _m("reskilling_cost", "Reskilling cost", "usd", "Trained workers × cost per worker."),
    _m("reemployed_wages", "Re-employed wages", "usd",
       "Wages earned by reskilled workers in their destination occupations."),
    _m("remaining_displaced_wages", "Displaced wages not re-employed", "usd",
       "Displaced wages minus re-employed wages."),
    _m("remaining_displaced_workers", "Displaced worker-equivalents not re-employed", "workers",
       "Displaced worker-equivalents minus reskilled workers."),
    _m("net_wage_impact", "Net wage impact", "usd",
       "Productivity gain + re-employed wages − displaced wages."),
    _m("gdp_proxy", "Local GDP proxy", "usd",
       "Productivity gain − local multiplier × (displaced − re-employed wages)."),
    # --- county data quality (geodata allocation) ----------------------------------------------
    _m("estimated_share", "Share of jobs from estimated OEWS cells", "share",
       "Share of the county's jobs that come from OEWS cells BLS did not publish (estimated)."),
    _m("signal_share", "Share of jobs split by the allocation signal", "share",
       "Share of the county's jobs whose county split comes from the allocation signal (ACS "
       "industry mix, population) rather than published area data."),
)

#: Every named metric: column name → :class:`MetricLabel`.
METRICS: dict[str, MetricLabel] = {m.name: m for m in _TABLE}

#: Scenario outputs (additive: summed in roll-ups; one row per year in ``by_year``). Derived
#: columns (``_visible``, ``_hidden``, ``_per_worker``...) belong to their base; see
#: :func:`is_scenario_output`.
SCENARIO_OUTPUTS: tuple[str, ...] = (
    "technical_exposed_wages", "adopted_wages", "displaced_wages", "displaced_workers",
    "augmented_wages", "productivity_gain", "trained_workers", "reskilled_workers",
    "reskilling_cost", "reemployed_wages", "remaining_displaced_wages",
    "remaining_displaced_workers", "net_wage_impact", "gdp_proxy",
)

#: Dollar metrics that are also offered per worker and as a share of the wage bill.
DOLLAR_METRICS: tuple[str, ...] = tuple(m.name for m in _TABLE
                                        if m.unit == "usd" and m.name != "wage_bill")

#: Short names for layer toggles and compact table headers.
SHORT_LABELS: dict[str, str] = {
    "iceberg_index": "Total (iceberg)",
    "surface_index": "Visible (surface)",
    "hidden_index": "Hidden",
    "hidden_multiple": "Hidden multiple",
    "exposed_workers": "Exposed worker-eq.",
}

# suffix → (how it changes the label, how it changes the unit)
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_diff", "Change in {}"),
    ("_per_worker", "{} per worker"),
    ("_share_of_wage_bill", "{} (share of the wage bill)"),
    ("_visible", "{}, visible occupations"),
    ("_hidden", "{}, hidden occupations"),
)


def metric(name: str) -> MetricLabel:
    """The :class:`MetricLabel` of a column name, derived columns included.

    Parameters
    ----------
    name : str
        A key of :data:`METRICS`, optionally with one or more of the suffixes ``_diff``,
        ``_per_worker``, ``_share_of_wage_bill``, ``_visible``, ``_hidden``.

    Returns
    -------
    MetricLabel

    Raises
    ------
    KeyError
        When the name is not a known metric (nor a known metric with known suffixes).
    """
    if name in METRICS:
        return METRICS[name]
    for suffix, pattern in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = metric(name.removesuffix(suffix))
            text = pattern.format(base.label if pattern.startswith("{}")
                                  else base.label[0].lower() + base.label[1:])
            unit: Unit = base.unit
            if suffix == "_diff":
                unit = "pp" if base.unit == "share" else base.unit
                help_ = f"Scenario minus baseline of: {base.help}"
            elif suffix == "_per_worker":
                unit, help_ = "usd", f"{base.label} ÷ employment (dollars per job). {base.help}"
            elif suffix == "_share_of_wage_bill":
                unit, help_ = "share", f"{base.label} ÷ wage bill. {base.help}"
            else:
                help_ = base.help
            fmt = _DEFAULT_FMT[unit] if unit != base.unit else base.fmt
            return MetricLabel(name, text, unit, fmt, help_)
    raise KeyError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}")


def base_metric(name: str) -> str:
    """The named metric a derived column comes from (``displaced_wages_hidden_diff`` →
    ``displaced_wages``); the name itself when it has no known suffix."""
    while name not in METRICS:
        for suffix, _ in _SUFFIXES:
            if name.endswith(suffix) and len(name) > len(suffix):
                name = name.removesuffix(suffix)
                break
        else:
            return name
    return name


def is_scenario_output(name: str) -> bool:
    """True for a scenario output column or one derived from it (the one list of scenario
    columns; replaces prefix lists such as ``("displaced_", "reskill", ...)``)."""
    return base_metric(name) in SCENARIO_OUTPUTS


def is_metric(name: str) -> bool:
    """True when :func:`metric` knows ``name``."""
    try:
        metric(name)
    except KeyError:
        return False
    return True


def label(name: str) -> str:
    """Human name of a metric (unknown columns: the name, tidied)."""
    try:
        return metric(name).label
    except KeyError:
        return name.replace("_", " ").capitalize()


def long_label(name: str) -> str:
    """Human name with the unit, e.g. ``"Exposed wages ($ per year)"``."""
    try:
        return metric(name).long_label
    except KeyError:
        return label(name)


def short_label(name: str) -> str:
    """Short name for toggles and narrow table headers."""
    return SHORT_LABELS.get(name) or label(name).split(" (")[0]


def unit(name: str) -> str:
    """Unit of a metric (one of :data:`UNITS`); ``"ratio"`` for unknown columns."""
    try:
        return metric(name).unit
    except KeyError:
        return "ratio"


def help_text(name: str) -> str:
    """One-line explanation of a metric ("" for unknown columns)."""
    try:
        return metric(name).help
    except KeyError:
        return ""


_SCALES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def _one(v: float, unit_: str, fmt: str, signed: bool) -> str:
    sign = "+" if signed and v > 0 else ""
    if unit_ == "share":
        return f"{sign}{v * 100:{fmt}}%"
    if unit_ == "pp":
        spec = fmt if fmt.startswith("+") else "+" + fmt
        return f"{v * 100:{spec}} pp"
    if unit_ == "ratio":
        return f"{sign}{v:{fmt}}×"
    if unit_ == "usd":
        neg = "-" if v < 0 else sign
        mag = abs(v)
        for div, suffix in _SCALES:
            if mag >= div:
                return f"{neg}${mag / div:{fmt}}{suffix}"
        return f"{neg}${mag:,.0f}"
    if unit_ == "workers":  # whole jobs below a million; millions with the decimals asked for
        if abs(v) >= 1e6:
            return f"{sign}{v / 1e6:.{_decimals(fmt)}f}M"
        return f"{sign}{v:,.0f}"
    return f"{v:.3g}"


def _decimals(fmt: str) -> int:
    match = re.search(r"\.(\d+)", fmt)
    return max(1, int(match.group(1))) if match else 1


def _with_digits(fmt: str, digits: int | None) -> str:
    if digits is None:
        return fmt
    return re.sub(r"\.\d+", f".{digits}", fmt) if "." in fmt else f"{fmt}.{digits}f"


def format_unit(unit_: str, values, *, digits: int | None = None, missing: str = "No data",
                signed: bool = False, fmt: str | None = None) -> np.ndarray:
    """Format numbers of one unit (vectorised over ``values``).

    Parameters
    ----------
    unit_ : str
        One of :data:`UNITS`.
    values : array-like of float
        Shares and pp as fractions, dollars as dollars.
    digits : int, optional
        Decimals, replacing the unit's default.
    missing : str
        Text for NaN / inf.
    signed : bool
        Prefix positive values with ``+`` (differences).
    fmt : str, optional
        Format spec (see :attr:`MetricLabel.fmt`); default the unit's.

    Returns
    -------
    numpy.ndarray of str
    """
    if unit_ not in UNITS:
        raise ValueError(f"unknown unit {unit_!r}; expected one of {UNITS}")
    v = np.asarray(pd.to_numeric(pd.Series(np.ravel(values)), errors="coerce"), dtype="float64")
    fmt = _with_digits(fmt or _DEFAULT_FMT[unit_], digits)
    out = np.array([_one(x, unit_, fmt, signed) if np.isfinite(x) else missing for x in v],
                   dtype=object)
    return out.astype(str) if len(out) else np.array([], dtype=str)


def format_values(name: str, values, *, digits: int | None = None, missing: str = "No data",
                  signed: bool = False) -> np.ndarray:
    """Format a column of metric ``name`` for people (``12.3%``, ``$1.2B``, ``6.1×``, ``1.7M``).

    Parameters
    ----------
    name : str
        Metric column name (derived names allowed, see :func:`metric`).
    values : array-like of float
    digits : int, optional
        Decimals (default: the metric's ``fmt``).
    missing : str
        Text for NaN.
    signed : bool
        ``+`` before positive values.

    Returns
    -------
    numpy.ndarray of str
    """
    try:
        m = metric(name)
    except KeyError:
        return format_unit("ratio", values, digits=digits, missing=missing, signed=signed)
    return format_unit(m.unit, values, digits=digits, missing=missing, signed=signed, fmt=m.fmt)


def format_value(name: str, value, *, digits: int | None = None, missing: str = "–",
                 signed: bool = False) -> str:
    """Format one value of metric ``name`` (see :func:`format_values`).

    Examples
    --------
    >>> format_value("iceberg_index", 0.1539)
    '15.4%'
    >>> format_value("exposed_wages", 1.67e12)
    '$1.7T'
    >>> format_value("hidden_multiple", 6.06)
    '6.1×'
    """
    if value is None:
        return missing
    return str(format_values(name, [value], digits=digits, missing=missing, signed=signed)[0])


# ---------------------------------------------------------------------------------------------
# Escaping for renderers that treat characters specially


def escape_mathtext(text: str) -> str:
    """Escape ``$`` so matplotlib prints dollar amounts literally instead of as math."""
    return text.replace("\\$", "$").replace("$", r"\$")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~])")


def escape_markdown(text: str) -> str:
    """Escape Markdown emphasis and markup characters (``O*NET`` must not turn italic)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# ---------------------------------------------------------------------------------------------
# Attribution

#: Exact attribution line required by the O*NET CC BY 4.0 licence (shared/data/raw/onet/SOURCE.md).
ONET_ATTRIBUTION = (
    "This product includes information from the O*NET 29.3 Database by the U.S. Department of "
    "Labor, Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. "
    "O*NET® is a trademark of USDOL/ETA."
)

#: Caveat printed under every map and headline.
CAVEAT = "Exposure is technical capability, not a forecast of job loss."

#: Short source line for map footers.
MAP_SOURCES = (
    "Sources: O*NET 29.3 (U.S. DOL/ETA, CC BY 4.0), BLS OEWS May 2025, "
    "U.S. Census Bureau boundaries; exposure = technical capability, not a forecast."
)


# ---------------------------------------------------------------------------------------------
# States and territories


class State(NamedTuple):
    """One state, DC or territory."""

    fips: str
    abbr: str
    name: str
    is_state: bool  # one of the 50 states or DC


_STATE_ROWS = (
    ("01", "AL", "Alabama"), ("02", "AK", "Alaska"), ("04", "AZ", "Arizona"),
    ("05", "AR", "Arkansas"), ("06", "CA", "California"), ("08", "CO", "Colorado"),
    ("09", "CT", "Connecticut"), ("10", "DE", "Delaware"), ("11", "DC", "District of Columbia"),
    ("12", "FL", "Florida"), ("13", "GA", "Georgia"), ("15", "HI", "Hawaii"),
    ("16", "ID", "Idaho"), ("17", "IL", "Illinois"), ("18", "IN", "Indiana"),
    ("19", "IA", "Iowa"), ("20", "KS", "Kansas"), ("21", "KY", "Kentucky"),
    ("22", "LA", "Louisiana"), ("23", "ME", "Maine"), ("24", "MD", "Maryland"),
    ("25", "MA", "Massachusetts"), ("26", "MI", "Michigan"), ("27", "MN", "Minnesota"),
    ("28", "MS", "Mississippi"), ("29", "MO", "Missouri"), ("30", "MT", "Montana"),
    ("31", "NE", "Nebraska"), ("32", "NV", "Nevada"), ("33", "NH", "New Hampshire"),
    ("34", "NJ", "New Jersey"), ("35", "NM", "New Mexico"), ("36", "NY", "New York"),
    ("37", "NC", "North Carolina"), ("38", "ND", "North Dakota"), ("39", "OH", "Ohio"),
    ("40", "OK", "Oklahoma"), ("41", "OR", "Oregon"), ("42", "PA", "Pennsylvania"),
    ("44", "RI", "Rhode Island"), ("45", "SC", "South Carolina"), ("46", "SD", "South Dakota"),
    ("47", "TN", "Tennessee"), ("48", "TX", "Texas"), ("49", "UT", "Utah"),
    ("50", "VT", "Vermont"), ("51", "VA", "Virginia"), ("53", "WA", "Washington"),
    ("54", "WV", "West Virginia"), ("55", "WI", "Wisconsin"), ("56", "WY", "Wyoming"),
)  # fmt: skip
_TERRITORY_ROWS = (
    ("60", "AS", "American Samoa"), ("66", "GU", "Guam"), ("69", "MP", "Northern Mariana Islands"),
    ("72", "PR", "Puerto Rico"), ("78", "VI", "U.S. Virgin Islands"),
)  # fmt: skip

#: FIPS code → :class:`State`, the 50 states + DC (``is_state``) and the five territories.
STATES: dict[str, State] = {
    **{f: State(f, a, n, True) for f, a, n in _STATE_ROWS},
    **{f: State(f, a, n, False) for f, a, n in _TERRITORY_ROWS},
}
#: FIPS codes of the 50 states + DC (the paper's "mean over states" set).
STATE_FIPS: frozenset[str] = frozenset(f for f, s in STATES.items() if s.is_state)
#: FIPS codes of the territories.
TERRITORY_FIPS: frozenset[str] = frozenset(f for f, s in STATES.items() if not s.is_state)
#: FIPS codes outside the contiguous US (drawn as insets or not at all).
NON_CONTIGUOUS_FIPS: frozenset[str] = TERRITORY_FIPS | {"02", "15"}
_BY_ABBR = {s.abbr: s for s in STATES.values()}


def state(code: str) -> State:
    """Look a state up by FIPS code (``"47"``) or postal abbreviation (``"TN"``, any case).

    Raises
    ------
    KeyError
        When the code is neither a known FIPS code nor a known abbreviation.
    """
    code = str(code).strip()
    if code in STATES:
        return STATES[code]
    if code.upper() in _BY_ABBR:
        return _BY_ABBR[code.upper()]
    if code.isdigit() and len(code) == 1:
        return STATES.get("0" + code) or _missing_state(code)
    return _missing_state(code)


def _missing_state(code: str) -> State:
    raise KeyError(f"unknown state {code!r}: expected a 2-digit FIPS code or a postal "
                   "abbreviation such as 'TN'")


def states_frame() -> pd.DataFrame:
    """:data:`STATES` as a table indexed by FIPS: ``state_abbr``, ``state_name``, ``is_state``."""
    return pd.DataFrame(
        [(s.abbr, s.name, s.is_state) for s in STATES.values()],
        index=pd.Index(list(STATES), name="state_fips"),
        columns=["state_abbr", "state_name", "is_state"],
    )
