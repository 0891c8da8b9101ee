"""Wage bill and exposure indices for any geography — the one place an index is computed.

Definitions (DESIGN §2), for geography g, occupation o, employment E, annual wage W, exposure e
and the visible set V:

- wage bill ``B_g = Σ_o E_go W_go``
- iceberg index ``I_g = Σ_o E_go W_go e_o / B_g``; exposed wages ``X_g = I_g B_g``
- surface index ``S_g = Σ_{o∈V} E_go W_go e_o / B_g``; hidden index ``H_g = I_g − S_g``
- hidden multiple ``I_g / S_g``; exposed worker-equivalents ``Σ_o E_go e_o``
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.arrays import safe_div

METRIC_COLUMNS = [
    "employment",
    "wage_bill",
    "exposed_wages",
    "surface_wages",
    "hidden_wages",
    "iceberg_index",
    "surface_index",
    "hidden_index",
    "hidden_multiple",
    "exposed_workers",
    "surface_workers",
    "hidden_workers",
]


def geo_metrics(
    employment: np.ndarray,
    wage: np.ndarray,
    exposure: np.ndarray,
    visible: np.ndarray,
    ids: np.ndarray | pd.Index | None = None,
) -> pd.DataFrame:
    """Wage bill and indices for every geography row.

    Parameters
    ----------
    employment : np.ndarray
        G × O jobs.
    wage : np.ndarray
        G × O annual wages (dollars).
    exposure : np.ndarray
        Occupation exposure ``e_o`` in [0, 1], length O.
    visible : np.ndarray
        Boolean mask of the visible (surface) occupations, length O.
    ids : array-like, optional
        Row labels of the result.

    Returns
    -------
    pd.DataFrame
        One row per geography with the columns of :data:`METRIC_COLUMNS`. Indices of a
        geography with no wage bill are NaN; the hidden multiple is NaN where the surface is 0.
    """
    employment = np.asarray(employment, dtype=float)
    wage = np.asarray(wage, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    visible = np.asarray(visible, dtype=bool)
    bill = employment * wage
    wage_bill = bill.sum(axis=1)
    exposed = bill @ exposure
    surface = bill @ (exposure * visible)
    workers = employment @ exposure
    surface_workers = employment @ (exposure * visible)
    iceberg_index = safe_div(exposed, wage_bill, np.nan)
    surface_index = safe_div(surface, wage_bill, np.nan)
    frame = pd.DataFrame(
        {
            "employment": employment.sum(axis=1),
            "wage_bill": wage_bill,
            "exposed_wages": exposed,
            "surface_wages": surface,
            "hidden_wages": exposed - surface,
            "iceberg_index": iceberg_index,
            "surface_index": surface_index,
            "hidden_index": iceberg_index - surface_index,
            "hidden_multiple": safe_div(exposed, surface, np.nan),
            "exposed_workers": workers,
            "surface_workers": surface_workers,
            "hidden_workers": workers - surface_workers,
        },
        index=pd.Index(ids if ids is not None else np.arange(len(wage_bill)), name="id"),
    )
    return frame


#: Indices averaged by :func:`state_mean` (the paper's "mean over states").
STATE_MEAN_COLUMNS = ("iceberg_index", "surface_index", "hidden_index")


def state_mean(states: pd.DataFrame) -> pd.Series:
    """The paper's averaging: plain (unweighted) mean of the state indices over the 50 states + DC.

    Parameters
    ----------
    states : pd.DataFrame
        One row per state with the :data:`METRIC_COLUMNS`; territories are dropped by the
        ``is_state`` column when present, else by FIPS index (:data:`iceberg.labels.STATE_FIPS`).

    Returns
    -------
    pd.Series
        ``iceberg_index, surface_index, hidden_index`` (means of the state values),
        ``hidden_multiple`` as the **ratio of the means** (mean iceberg ÷ mean surface, so the
        row stays consistent: I = S × multiple) and ``n_states``. The mean of the state ratios
        is a different, larger number and is not reported.
    """
    from iceberg.labels import STATE_FIPS

    if "is_state" in states.columns:
        proper = states[states["is_state"].astype(bool)]
    else:
        proper = states[states.index.astype(str).isin(STATE_FIPS)]
    out = proper[list(STATE_MEAN_COLUMNS)].mean()
    out["hidden_multiple"] = float(safe_div(np.asarray(out["iceberg_index"]),
                                            np.asarray(out["surface_index"]), np.nan))
    out["n_states"] = len(proper)
    return out


def add_per_worker_and_share(frame: pd.DataFrame) -> pd.DataFrame:
    """Dollar metrics also per worker and as a share of the wage bill (so a map of dollars is
    not just a map of population).

    For every dollar column of :data:`iceberg.labels.DOLLAR_METRICS` present in ``frame``:
    ``<m>_per_worker = <m> / employment`` (dollars per job) and, for the scenario dollars,
    ``<m>_share_of_wage_bill = <m> / wage_bill`` (the exposure dollars already have theirs: the
    iceberg, surface and hidden indices). NaN where the denominator is 0.

    Parameters
    ----------
    frame : pd.DataFrame
        Result rows with ``employment`` and ``wage_bill`` (county, state, area or nation).

    Returns
    -------
    pd.DataFrame
        A copy with the new columns appended (existing ones are recomputed).
    """
    from iceberg.labels import DOLLAR_METRICS

    out = frame.copy()
    jobs = out["employment"].to_numpy(dtype=float) if "employment" in out else None
    bill = out["wage_bill"].to_numpy(dtype=float) if "wage_bill" in out else None
    has_index = {"exposed_wages", "surface_wages", "hidden_wages"}
    new = {}
    for name in DOLLAR_METRICS:
        if name not in out.columns:
            continue
        dollars = out[name].to_numpy(dtype=float)
        if jobs is not None:
            new[f"{name}_per_worker"] = safe_div(dollars, jobs, np.nan)
        if bill is not None and name not in has_index:
            new[f"{name}_share_of_wage_bill"] = safe_div(dollars, bill, np.nan)
    for column, values in new.items():
        out[column] = values
    return out


def occupation_metrics(employment: np.ndarray, wage: np.ndarray, exposure: np.ndarray,
                       visible: np.ndarray) -> pd.DataFrame:
    """Per-occupation wage bill and exposed wages of one geography (a column of the matrices).

    Parameters
    ----------
    employment, wage : np.ndarray
        Jobs and annual wage per occupation, length O.
    exposure, visible : np.ndarray
        ``e_o`` and the visible mask, length O.

    Returns
    -------
    pd.DataFrame
        ``employment, annual_wage, wage_bill, exposed_wages, surface_wages, hidden_wages,
        exposed_workers`` per occupation (positional index). Summing a column gives the
        geography's figure of :func:`geo_metrics`.
    """
    employment = np.asarray(employment, dtype=float)
    wage = np.asarray(wage, dtype=float)
    exposure = np.asarray(exposure, dtype=float)
    visible = np.asarray(visible, dtype=bool)
    bill = employment * wage
    exposed = bill * exposure
    return pd.DataFrame({
        "employment": employment,
        "annual_wage": wage,
        "wage_bill": bill,
        "exposed_wages": exposed,
        "surface_wages": exposed * visible,
        "hidden_wages": exposed * ~visible,
        "exposed_workers": employment * exposure,
    })
