"""BLS OEWS loaders for the "all data" layout (CSV/CSV.gz as converted, or the official XLSX).

Numbers are float64. A BLS symbol never becomes a silent NaN: the value is NaN *and* the flag
column holds the symbol — ``**`` employment not released, ``*`` wage not released (or not
published for an annual-only / hourly-only occupation), ``#`` wage top-coded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    check_pattern,
    check_unique,
    read_excel_table,
    read_text_table,
    to_number,
)

REQUIRED = ["AREA", "AREA_TITLE", "AREA_TYPE", "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP",
            "H_MEAN", "A_MEAN", "A_MEDIAN"]
O_GROUPS = {"total", "major", "minor", "broad", "detailed"}
EMP_SYMBOLS = ("**",)
WAGE_SYMBOLS = ("*", "#", "**")

#: File names of the converted all-data CSVs in the ``oews_2025`` source folder.
LEVEL_FILES = {
    "national": "oews_2025_national_cross_industry.csv.gz",
    "national_by_industry": "oews_2025_national_by_industry.csv.gz",
    "state": "oews_2025_state.csv.gz",
    "area": "oews_2025_msa_nonmetro.csv.gz",
}
#: Plausibility bounds. OEWS publishes wages up to its top-code ($239,200/yr, $115/h, shown as
#: ``#`` above); May 2025 files carry a few published means up to ~$870k. Nothing the source
#: can contain comes near these limits; a corrupt or edited cell (a $9 trillion mean) does.
MAX_ANNUAL_WAGE = 2_000_000.0
MAX_HOURLY_WAGE = MAX_ANNUAL_WAGE / 2080
#: Half the federal minimum wage for a full year: no published mean is below it.
MIN_ANNUAL_WAGE = 7.25 * 2080 / 2
MIN_HOURLY_WAGE = 7.25 / 2
#: No occupation or total employs more people than this (US total: ~155 million).
MAX_EMPLOYMENT = 300_000_000
#: OEWS annual wage = hourly × 2,080 (to the rounding); larger gaps mean a corrupt cell.
ANNUAL_HOURLY_TOLERANCE = 0.02
#: OEWS rounds employment to tens: parts may exceed their total by this much per part.
ROUNDING_PER_PART = 10

#: OEWS AREA_TYPE codes.
def read_oews(path: str | Path) -> pd.DataFrame:
    """Read one OEWS all-data table.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.csv.gz`` (as in ``oews_2025``) or the official ``all_data_M_YYYY.xlsx``.

    Returns
    -------
    pd.DataFrame
        Columns ``area, area_type, area_title, prim_state, state_fips, industry_code, naics,
        naics_title, i_group, occ_code, occ_title, o_group, tot_emp, emp_flag, h_mean,
        h_mean_flag, a_mean, a_mean_flag, a_median, a_median_flag, annual, hourly``.
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        frame = read_excel_table(path, required=REQUIRED)
    else:
        frame = read_text_table(path, required=REQUIRED)
    frame.columns = [c.upper() for c in frame.columns]
    return _tidy(frame, path)


def _tidy(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    n = len(frame)
    check_pattern(frame, "OCC_CODE", r"\d{2}-\d{4}", path)
    check_pattern(frame, "AREA", r"\d{2}|\d{5}|\d{7}", path)
    area_type, _ = to_number(frame, "AREA_TYPE", path, allow_empty=False)
    groups = frame["O_GROUP"].str.strip().str.lower()
    bad = ~groups.isin(O_GROUPS)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise IcebergDataError("unknown occupation group", file=path, row=row + 1, column="O_GROUP",
                               expected=sorted(O_GROUPS).__str__(), found=frame["O_GROUP"].iloc[row])
    tot_emp, emp_flag = to_number(frame, "TOT_EMP", path, symbols=EMP_SYMBOLS, minimum=0,
                                  maximum=MAX_EMPLOYMENT, integer=True)
    h_mean, h_flag = to_number(frame, "H_MEAN", path, symbols=WAGE_SYMBOLS,
                               minimum=MIN_HOURLY_WAGE, maximum=MAX_HOURLY_WAGE)
    a_mean, a_flag = to_number(frame, "A_MEAN", path, symbols=WAGE_SYMBOLS,
                               minimum=MIN_ANNUAL_WAGE, maximum=MAX_ANNUAL_WAGE)
    a_median, m_flag = to_number(frame, "A_MEDIAN", path, symbols=WAGE_SYMBOLS,
                                 minimum=MIN_ANNUAL_WAGE, maximum=MAX_ANNUAL_WAGE)
    _check_annual_vs_hourly(a_mean, h_mean, path)

    def col(name: str, default: str = "") -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series([default] * n, index=frame.index)

    naics = col("NAICS", "000000")
    out = pd.DataFrame(
        {
            "area": frame["AREA"].str.strip(),
            "area_type": area_type.astype("int64"),
            "area_title": frame["AREA_TITLE"],
            "prim_state": col("PRIM_STATE"),
            "state_fips": col("STATE_FIPS"),
            "industry_code": col("INDUSTRY_CODE") if "INDUSTRY_CODE" in frame.columns else naics,
            "naics": naics,
            "naics_title": col("NAICS_TITLE"),
            "i_group": col("I_GROUP", "cross-industry"),
            "occ_code": frame["OCC_CODE"],
            "occ_title": frame["OCC_TITLE"],
            "o_group": groups,
            "tot_emp": tot_emp,
            "emp_flag": emp_flag,
            "h_mean": h_mean,
            "h_mean_flag": h_flag,
            "a_mean": a_mean,
            "a_mean_flag": a_flag,
            "a_median": a_median,
            "a_median_flag": m_flag,
            "annual": col("ANNUAL").str.upper().isin(["TRUE", "YES", "1"]),
            "hourly": col("HOURLY").str.upper().isin(["TRUE", "YES", "1"]),
        }
    )
    # Official workbooks carry OWN_CODE; the cross-industry rows are unique per area/industry/occupation.
    keys = ["area", "industry_code", "occ_code"]
    if "OWN_CODE" in frame.columns:
        out["own_code"] = frame["OWN_CODE"]
        keys.append("own_code")
    check_unique(out, keys, path)
    _check_totals(out, [k for k in keys if k != "occ_code"], path)
    state_rows = out["area_type"].isin([2, 3]) & (out["state_fips"] == "")
    out.loc[state_rows, "state_fips"] = out.loc[state_rows, "area"].str.zfill(2)
    return out


def _check_annual_vs_hourly(a_mean: pd.Series, h_mean: pd.Series, path: Path) -> None:
    """Where both are published, the annual mean is the hourly mean × 2,080."""
    ratio = (a_mean / (h_mean * 2080)).to_numpy()
    bad = np.isfinite(ratio) & (np.abs(ratio - 1) > ANNUAL_HOURLY_TOLERANCE)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise IcebergDataError(
            "annual mean wage disagrees with the hourly mean × 2,080", file=path, row=row + 1,
            column="A_MEAN", expected=f"about {h_mean.iloc[row] * 2080:,.0f} (H_MEAN {h_mean.iloc[row]:g} × 2,080)",
            found=a_mean.iloc[row])


def _check_totals(out: pd.DataFrame, group: list[str], path: Path) -> None:
    """No total below its parts: Σ major groups and Σ detailed occupations ≤ the total row.

    OEWS rounds each cell to tens, so the parts may exceed the total by
    :data:`ROUNDING_PER_PART` per part; suppressed parts (``**``) only make the sum smaller.
    """
    totals = out[out["o_group"] == "total"]
    if totals.empty:
        return
    total = totals.set_index(group)["tot_emp"]
    for level in ("major", "detailed"):
        parts = out[out["o_group"] == level].groupby(group)["tot_emp"].agg(["sum", "count"])
        joined = parts.join(total.rename("total"), how="inner")
        over = joined["sum"] > joined["total"] + ROUNDING_PER_PART * joined["count"]
        if over.any():
            key = joined.index[over.to_numpy()][0]
            key = key if isinstance(key, tuple) else (key,)
            hit = (totals[group] == pd.Series(key, index=group)).all(axis=1)
            row = int(totals.index[hit.to_numpy()][0])
            raise IcebergDataError(
                f"total employment below the sum of its {level} occupations", file=path,
                row=row + 1, column="TOT_EMP",
                expected=f"≥ {joined['sum'][over].iloc[0]:,.0f} (sum of {level} rows)",
                found=joined["total"][over].iloc[0])


def read_oews_dir(folder: str | Path, levels: tuple[str, ...] = tuple(LEVEL_FILES)) -> dict[str, pd.DataFrame]:
    """Read the OEWS levels from a source folder.

    Accepts the converted CSVs (``oews_2025``) or one official all-data workbook
    (``all_data_M_2025.xlsx``, split here by ``AREA_TYPE`` and industry).

    Returns
    -------
    dict
        ``national`` (cross-industry), ``national_by_industry``, ``state`` (states and territories),
        ``area`` (MSAs and nonmetro areas) → frames as from :func:`read_oews`.
    """
    folder = Path(folder)
    if all((folder / LEVEL_FILES[k]).is_file() for k in levels):
        return {k: read_oews(folder / LEVEL_FILES[k]) for k in levels}
    workbooks = sorted(folder.glob("all_data_M_*.xlsx")) + sorted(folder.glob("*/all_data_M_*.xlsx"))
    if not workbooks:
        missing = [LEVEL_FILES[k] for k in levels if not (folder / LEVEL_FILES[k]).is_file()]
        raise IcebergDataError(
            "OEWS files not found",
            file=folder / missing[0],
            expected=f"{', '.join(LEVEL_FILES[k] for k in levels)} or the official all_data_M_YYYY.xlsx",
        )
    data = read_oews(workbooks[-1])
    cross = data["i_group"].str.startswith("cross-industry") & data["naics"].isin(["000000", "0"])
    split = {
        "national": data[cross & (data["area_type"] == 1)],
        "national_by_industry": data[(data["area_type"] == 1) & ~cross],
        "state": data[cross & data["area_type"].isin([2, 3])],
        "area": data[cross & data["area_type"].isin([4, 6])],
    }
    return {k: split[k].reset_index(drop=True) for k in levels}
