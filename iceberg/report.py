"""Plain tables of a result for people: the national line, states ranked, a state's areas and counties."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from iceberg.errors import IcebergDataError

if TYPE_CHECKING:  # pragma: no cover
    from iceberg.api import Result

SHOWN = ["employment", "wage_bill", "iceberg_index", "surface_index", "hidden_index", "hidden_multiple",
         "exposed_wages", "hidden_wages", "exposed_workers"]


def summary_tables(result: Result, state: str | None = None) -> dict[str, pd.DataFrame]:
    """Tables for ``iceberg summary``.

    Parameters
    ----------
    result : Result
        From :func:`iceberg.run`.
    state : str, optional
        Two-letter postal code or 2-digit FIPS; adds that state's areas and counties.

    Returns
    -------
    dict of DataFrame
        ``nation`` (wage-weighted, plus the mean over the 50 states + DC), ``states`` (ranked by
        hidden index) and, with ``state``, ``areas`` and ``counties`` of that state.
    """
    nation = result.nation[SHOWN].copy()
    nation.index = ["United States (wage-weighted)"]
    states = result.states
    proper = states[states["is_state"]] if "is_state" in states.columns else states
    mean_row = proper[["iceberg_index", "surface_index", "hidden_index", "hidden_multiple"]].mean()
    nation.loc["Mean over states (paper's averaging)", mean_row.index] = mean_row.to_numpy()
    tables = {"nation": nation}
    named = states.copy()
    label = named["name"] if "name" in named.columns else pd.Series(named.index, index=named.index)
    named.index = label.astype(str)
    tables["states"] = named[SHOWN].sort_values("hidden_index", ascending=False)
    if state:
        fips = _state_fips(result, state)
        counties = result.counties[result.counties["state_fips"] == fips]
        tables["counties"] = (counties.set_index("name")[SHOWN + ["allocation_method", "top_hidden"]]
                              .sort_values("hidden_index", ascending=False))
        areas = result.areas
        if "state_abbr" in areas.columns:
            abbr = counties["state_abbr"].iloc[0] if len(counties) else state.upper()
            in_state = result.counties.loc[result.counties["state_fips"] == fips, "oews_area"].unique()
            areas = areas[areas.index.isin(in_state) | (areas["state_abbr"] == abbr)]
            areas = areas.set_index("name") if "name" in areas.columns else areas
        tables["areas"] = areas[SHOWN].sort_values("hidden_index", ascending=False)
    return tables


def _state_fips(result: Result, state: str) -> str:
    state = state.strip().upper()
    if state.isdigit():
        return state.zfill(2)
    match = result.counties.loc[result.counties["state_abbr"] == state, "state_fips"]
    if match.empty:
        raise IcebergDataError("unknown state", column="--state", expected="a two-letter code such as TN or 47",
                               found=state)
    return str(match.iloc[0])


def format_table(table: pd.DataFrame) -> pd.DataFrame:
    """Human-readable copy: indices as %, dollars as $B/$M, counts with thousands separators."""
    out = pd.DataFrame(index=table.index)
    for column in table.columns:
        values = table[column]
        if not pd.api.types.is_numeric_dtype(values):
            out[column] = values
        elif column.endswith("_index"):
            out[column] = values.map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
        elif column == "hidden_multiple":
            out[column] = values.map(lambda v: "" if pd.isna(v) else f"{v:.1f}x")
        elif column.endswith(("wages", "wage_bill")):
            out[column] = values.map(format_dollars)
        else:
            out[column] = values.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    return out


def format_dollars(value: float) -> str:
    """``$1.2T``, ``$211.0B``, ``$35.4M``, ``$12,300``."""
    if pd.isna(value):
        return ""
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return f"${value / size:,.1f}{unit}"
    return f"${value:,.0f}"
