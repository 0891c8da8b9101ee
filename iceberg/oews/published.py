"""One level of the OEWS frames as dense geography × occupation matrices of published values.

No estimation happens here: suppressed or absent cells stay NaN and their BLS flags are kept, for
:mod:`iceberg.oews.estimation` to estimate. Besides the detailed cells, the published margins are kept:
the ``00-0000`` total (employment and mean wage) and the major-group totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import require_columns

TOTAL_CODE = "00-0000"

REQUIRED_COLUMNS = (
    "occ_code",
    "o_group",
    "tot_emp",
    "emp_flag",
    "h_mean",
    "a_mean",
    "a_mean_flag",
    "a_median",
    "a_median_flag",
    "hourly",
)


@dataclass(frozen=True)
class PublishedMatrices:
    """Published values of a level as G × O matrices (NaN where not published or absent)."""

    ids: np.ndarray
    present: np.ndarray
    emp: np.ndarray
    emp_supp: np.ndarray
    total: np.ndarray
    wage: np.ndarray
    wage_flag: np.ndarray
    median: np.ndarray
    median_flag: np.ndarray
    hourly: np.ndarray
    h_wage: np.ndarray
    h_median: np.ndarray
    total_wage: np.ndarray
    major_codes: np.ndarray
    major_emp: np.ndarray


def major_of(occ_codes: Sequence[str] | np.ndarray) -> np.ndarray:
    """SOC major group (``"11"``, ``"15"``…) of each occupation code."""
    return np.asarray([str(c)[:2] for c in occ_codes], dtype=str)


def detailed_occ_codes(frame: pd.DataFrame) -> np.ndarray:
    """Sorted unique detailed occupation codes of an OEWS frame (e.g. the national file)."""
    check_columns(frame, ("occ_code", "o_group"))
    codes = frame.loc[frame["o_group"] == "detailed", "occ_code"].astype(str).unique()
    return np.sort(np.asarray(codes, dtype=object)).astype(str)


def check_columns(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """Raise when an OEWS frame lacks one of ``columns``."""
    require_columns(frame, columns, what="OEWS frame")


def published_matrices(
    frame: pd.DataFrame, occ_codes: np.ndarray, geo_col: str
) -> tuple[PublishedMatrices, int]:
    """Pivot the detailed rows and the total of each geography to G × O matrices.

    Returns the matrices and the number of detailed rows whose code is not in ``occ_codes``.
    """
    check_columns(frame, (*REQUIRED_COLUMNS, geo_col))
    geo = frame[geo_col].astype(str).to_numpy()
    occ = frame["occ_code"].astype(str).to_numpy()
    is_total = occ == TOTAL_CODE
    is_det = (frame["o_group"] == "detailed").to_numpy() & ~is_total
    ids = np.unique(geo[is_total | is_det]).astype(str)

    oidx = pd.Index(occ_codes).get_indexer(occ)
    outside = int((is_det & (oidx < 0)).sum())  # detailed codes the model does not carry
    sel = np.flatnonzero(is_det & (oidx >= 0))
    gi = pd.Index(ids).get_indexer(geo[sel])
    oi = oidx[sel]
    key = gi.astype(np.int64) * len(occ_codes) + oi
    dup = pd.Index(key).duplicated()
    if dup.any():
        pos = int(sel[np.flatnonzero(dup)[0]])
        raise IcebergDataError(
            "duplicate detailed occupation row for one geography",
            row=pos + 1,
            column="occ_code",
            expected=f"one row per ({geo_col}, occ_code)",
            found=(geo[pos], occ[pos]),
        )

    shape = (len(ids), len(occ_codes))

    def mat(values: np.ndarray, fill: object = np.nan, dtype: type = float) -> np.ndarray:
        out = np.full(shape, fill, dtype=dtype)
        out[gi, oi] = values[sel]
        return out

    def num(col: str) -> np.ndarray:
        return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)

    def flag(col: str) -> np.ndarray:
        return frame[col].fillna("").astype(str).to_numpy()

    h_median_col = "h_median" if "h_median" in frame.columns else "h_mean"
    total = np.full(len(ids), np.nan)
    tsel = np.flatnonzero(is_total)
    tgi = pd.Index(ids).get_indexer(geo[tsel])
    if pd.Index(tgi).duplicated().any():
        pos = int(tsel[np.flatnonzero(pd.Index(tgi).duplicated())[0]])
        raise IcebergDataError(
            "duplicate all-occupation total row", row=pos + 1, column="occ_code",
            expected=f"one {TOTAL_CODE} row per {geo_col}", found=geo[pos],
        )
    total[tgi] = num("tot_emp")[tsel]
    total_wage = np.full(len(ids), np.nan)
    total_wage[tgi] = num("a_mean")[tsel]
    # Major-group totals (NaN where suppressed or not listed).
    major_codes = np.unique(major_of(occ_codes))
    is_major = (frame["o_group"] == "major").to_numpy()
    msel = np.flatnonzero(is_major)
    mg = pd.Index(ids).get_indexer(geo[msel])
    mk = pd.Index(major_codes).get_indexer(pd.Series(occ[msel], dtype=object).str[:2].to_numpy())
    ok = (mk >= 0) & (mg >= 0)
    major_emp = np.full((len(ids), len(major_codes)), np.nan)
    major_emp[mg[ok], mk[ok]] = num("tot_emp")[msel[ok]]
    pivot = PublishedMatrices(
        ids=ids,
        present=mat(np.ones(len(frame), bool), False, bool),
        emp=mat(num("tot_emp")),
        emp_supp=mat(flag("emp_flag") == "**", False, bool),
        total=total,
        wage=mat(num("a_mean")),
        wage_flag=mat(flag("a_mean_flag"), "", object),
        median=mat(num("a_median")),
        median_flag=mat(flag("a_median_flag"), "", object),
        hourly=mat(frame["hourly"].fillna(False).astype(bool).to_numpy(), False, bool),
        h_wage=mat(num("h_mean")),
        h_median=mat(num(h_median_col)),
        total_wage=total_wage,
        major_codes=major_codes,
        major_emp=major_emp,
    )
    return pivot, outside
