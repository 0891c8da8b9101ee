"""Census and geography loaders: county→OEWS area crosswalk, population, ACS.

Each reader checks columns, code formats, ranges and duplicates and raises
:class:`~iceberg.errors.IcebergDataError` naming file, 1-based data row, column, expectation
and what it found. Codes stay strings (``"01001"``, ``"01"``). The boundary readers
(``read_boundaries``, ``read_states``) live in :mod:`iceberg.io.boundaries`; the official download
formats are read by
:mod:`iceberg.io.bls_area_definitions` and :mod:`iceberg.io.acs_api`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io import acs_api, bls_area_definitions
from iceberg.io._table import (
    COUNTY_FIPS,
    MAX_COUNTY_POPULATION,
    STATE_FIPS,
    check_pattern,
    check_unique,
    first_bad,
    read_text_table,
    require_columns,
    to_number,
)

PathLike = str | os.PathLike

# Reading and checking tables (encoding fallbacks, the row of a bad byte, code patterns,
# duplicates, numbers) is shared with every loader: see iceberg.io._table.


# ---------------------------------------------------------------------------------------------
# county → OEWS area crosswalk

_CROSSWALK_COLUMNS = [
    "county_fips",
    "state_fips",
    "state_abbr",
    "state_name",
    "county_name",
    "oews_area",
    "oews_area_title",
    "oews_area_type",
]


def read_county_area_crosswalk(path: PathLike) -> pd.DataFrame:
    """County → OEWS area assignment (``county_to_oews_area_may2025.csv`` layout).

    Parameters
    ----------
    path : str or Path
        The CSV (UTF-8), or a folder holding ``county_to_oews_area_may2025.csv``.

    Returns
    -------
    DataFrame
        ``county_fips, state_fips, state_abbr, state_name, county_name, oews_area,
        oews_area_title, oews_area_type`` (int64: 4 MSA, 6 nonmetropolitan); one row per county,
        file order.

    Raises
    ------
    IcebergDataError
        Missing column; county FIPS not 5 digits or not starting with the state FIPS; state
        FIPS not 2 digits; area type not 4/6 or area code not 5 digits (MSA) / 7 digits
        (nonmetro); a county listed twice; an area with two different titles.
    """
    p = Path(path)
    if p.is_dir():
        p = locate_area_definitions(p)
    if p.suffix.lower() in {".xlsx", ".xlsm"}:
        return _crosswalk_from_workbook(p)
    df = read_text_table(p)
    require_columns(df, _CROSSWALK_COLUMNS, p)
    df = df[_CROSSWALK_COLUMNS].copy()
    _check_crosswalk(df, p)
    return df.assign(oews_area_type=df["oews_area_type"].astype("int64")).reset_index(drop=True)


def _check_crosswalk(df: pd.DataFrame, p: Path, *, unique: bool = True) -> None:
    """Codes, types, titles (and, with ``unique``, one row per county) of crosswalk rows."""
    check_pattern(df, "county_fips", COUNTY_FIPS, p, expected="5-digit county FIPS (e.g. '01001')")
    check_pattern(df, "state_fips", STATE_FIPS, p, expected="2-digit state FIPS (e.g. '01')")
    mismatch = (df["county_fips"].str[:2] != df["state_fips"]).to_numpy()
    i = first_bad(mismatch)
    if i is not None:
        raise IcebergDataError(
            "county FIPS does not start with its state FIPS",
            file=p,
            row=i + 1,
            column="county_fips",
            expected=f"'{df['state_fips'].iloc[i]}…'",
            found=df["county_fips"].iloc[i],
        )
    check_pattern(df, "state_abbr", r"[A-Z]{2}", p, expected="2-letter USPS code")
    check_pattern(df, "oews_area_type", r"[46]", p, expected="4 (MSA) or 6 (nonmetropolitan area)")
    kind = df["oews_area_type"].astype(str).to_numpy()
    code = df["oews_area"].astype("string").fillna("")
    ok = np.where(kind == "4", code.str.fullmatch(r"\d{5}"), code.str.fullmatch(r"\d{7}"))
    i = first_bad(~ok.astype(bool))
    if i is not None:
        raise IcebergDataError(
            "bad OEWS area code",
            file=p,
            row=i + 1,
            column="oews_area",
            expected="5 digits for an MSA (type 4), 7 digits for a nonmetro area (type 6)",
            found=str(df["oews_area"].iloc[i]),
        )
    check_pattern(df, "oews_area_title", r".*\S.*", p, expected="an area title")
    if unique:
        check_unique(df, "county_fips", p)
    titles = df.groupby("oews_area")["oews_area_title"].transform("nunique").to_numpy()
    i = first_bad(titles > 1)
    if i is not None:
        raise IcebergDataError(
            "OEWS area has more than one title",
            file=p,
            row=i + 1,
            column="oews_area_title",
            expected="one title per area code",
            found=f"{df['oews_area'].iloc[i]}: {df['oews_area_title'].iloc[i]}",
        )


#: Files holding the county → OEWS area assignment, in the order they are looked for: the derived
#: snapshot CSV, then the official BLS workbook ``iceberg fetch`` downloads.
AREA_DEFINITION_FILES = ("county_to_oews_area_may2025.csv", "area_definitions_m2025.xlsx")


def locate_area_definitions(folder: PathLike) -> Path:
    """The county → OEWS area file in a source folder (``oews_area_definitions``).

    Parameters
    ----------
    folder : str or Path
        The source folder (a file path is returned as it is).

    Returns
    -------
    Path
        The first of :data:`AREA_DEFINITION_FILES` that exists, else the newest
        ``area_definitions_m*.xlsx``.

    Raises
    ------
    IcebergDataError
        None of them is there.
    """
    return _locate(
        folder,
        AREA_DEFINITION_FILES,
        "county → OEWS area definitions file",
        "oews_area_definitions",
        expected=" or ".join(AREA_DEFINITION_FILES),
        newest="area_definitions_m*.xlsx",
    )


def _locate(
    folder: PathLike,
    names: tuple[str, ...],
    what: str,
    source_id: str,
    *,
    expected: str,
    newest: str | None = None,
) -> Path:
    """A file path as it is; else the first of ``names`` in the folder, else the last file
    matching the ``newest`` glob; else an error naming the source to fetch."""
    p = Path(folder)
    if p.is_file():
        return p
    for name in names:
        if (p / name).is_file():
            return p / name
    others = sorted(p.glob(newest)) if newest else []
    if others:
        return others[-1]
    raise IcebergDataError(
        f"no {what} found (run `iceberg fetch {source_id}`)",
        file=p,
        expected=expected,
        found=sorted(f.name for f in p.iterdir())[:10] if p.is_dir() else "no such folder",
    )


def _crosswalk_from_workbook(p: Path) -> pd.DataFrame:
    """The crosswalk from the official BLS workbook (see :mod:`iceberg.io.bls_area_definitions`).

    Rows are checked as in the CSV, errors naming the workbook's data row and column; New
    England town rows (pre-2024 layouts) are collapsed to counties by
    :func:`iceberg.io.bls_area_definitions.collapse_towns`. Counts and the split counties go to
    ``attrs["counts"]`` and ``attrs["split_counties"]``.
    """
    rows, info = bls_area_definitions.read_area_definitions_rows(p)
    try:
        _check_crosswalk(rows[_CROSSWALK_COLUMNS], p, unique=False)
        whole = rows.loc[~rows["is_town"], "county_fips"]  # a county row may appear only once
        dup = whole.index[whole.duplicated()]
        if len(dup):
            raise IcebergDataError(
                "duplicate key",
                file=p,
                row=int(dup[0]) + 1,
                column="county_fips",
                expected="each county once",
                found=str(rows["county_fips"].iloc[dup[0]]),
            )
    except IcebergDataError as exc:  # name the workbook's row and column
        raise IcebergDataError(
            f"{exc.message} (sheet {info['sheet']!r})",
            file=p,
            row=None if exc.row is None else int(rows["file_row"].iloc[exc.row - 1]),
            column=info["columns"].get(exc.column, exc.column),
            expected=exc.expected,
            found=exc.found,
        ) from None
    counties, counts, splits = bls_area_definitions.collapse_towns(rows)
    out = counties.sort_values("county_fips", kind="stable")[_CROSSWALK_COLUMNS]
    out = out.astype("str").assign(oews_area_type=out["oews_area_type"].astype("int64"))
    out = out.reset_index(drop=True)
    out.attrs["counts"] = {**info["counts"], **counts}
    out.attrs["split_counties"] = splits
    return out


# ---------------------------------------------------------------------------------------------
# population estimates


def read_county_population(path: PathLike, *, year: int | None = None) -> pd.DataFrame:
    """County resident population from the Census ``co-est<vintage>-alldata.csv`` file.

    Only county rows (``SUMLEV`` 050) are kept; the state rows (040) are not counties.

    Parameters
    ----------
    path : str or Path
        The CSV (Census ships it in Latin-1; UTF-8 is accepted too), or a folder holding one
        ``co-est*-alldata.csv``.
    year : int, optional
        Which ``POPESTIMATE<year>`` column; default the latest one in the file.

    Returns
    -------
    DataFrame
        ``county_fips`` (``STATE``+``COUNTY``), ``state_fips``, ``county_name``,
        ``population`` (int64); file order.

    Raises
    ------
    IcebergDataError
        Missing column, bad ``STATE``/``COUNTY``/``SUMLEV`` code, a non-integer or negative
        population, a duplicate county, no county rows.
    """
    p = Path(path)
    if p.is_dir():
        found = sorted(p.glob("co-est*-alldata.csv"))
        if len(found) != 1:
            raise IcebergDataError(
                "folder must hold exactly one co-est*-alldata.csv",
                file=p,
                expected="one file",
                found=[f.name for f in found],
            )
        p = found[0]
    df = read_text_table(p, encoding=("utf-8", "latin-1"))
    years = sorted(
        int(c[len("POPESTIMATE") :])
        for c in df.columns
        if c.startswith("POPESTIMATE") and c[11:].isdigit()
    )
    if year is None and not years:
        raise IcebergDataError(
            "required column missing",
            file=p,
            column="POPESTIMATE<year>",
            expected="e.g. POPESTIMATE2024",
            found=", ".join(map(str, df.columns[:20])),
        )
    vintage = re.search(r"co-est(\d{4})", p.name)
    if year is None and vintage:  # the vintage's own year, never silently an older column
        year = int(vintage.group(1))
    pop_col = f"POPESTIMATE{year if year is not None else years[-1]}"
    require_columns(df, ["SUMLEV", "STATE", "COUNTY", "CTYNAME", pop_col], p)
    check_pattern(df, "SUMLEV", r"\d{2,3}", p, expected="a summary level such as 040 or 050")
    is_county = (df["SUMLEV"].str.zfill(3) == "050").to_numpy()
    if not is_county.any():
        raise IcebergDataError(
            "no county rows", file=p, column="SUMLEV", expected="rows with 050", found="none"
        )
    # Checked on every row (state rows carry the same fields), so errors name the file row.
    check_pattern(df, "STATE", STATE_FIPS, p, expected="2-digit state FIPS")
    check_pattern(df, "COUNTY", r"\d{3}", p, expected="3-digit county code")
    pop, _ = to_number(df, pop_col, p, allow_empty=False, minimum=0, integer=True,
                       maximum=MAX_COUNTY_POPULATION * 10)  # state rows too: 40M (CA) < 150M
    county_pop = pop.where(pd.Series(is_county, index=pop.index), 0)
    too_big = is_county & (pop > MAX_COUNTY_POPULATION).to_numpy()
    if too_big.any():
        row = int(np.flatnonzero(too_big)[0])
        raise IcebergDataError("implausible county population", file=p, row=row + 1, column=pop_col,
                               expected=f"at most {MAX_COUNTY_POPULATION:,} (Los Angeles: ~9.7M)",
                               found=df[pop_col].iloc[row])
    # a state row (040) is the total of its counties: never below their sum
    is_state = (df["SUMLEV"].str.zfill(3) == "040").to_numpy()
    if is_state.any():
        parts = county_pop.groupby(df["STATE"]).sum()
        totals = pop[is_state].set_axis(df.loc[is_state, "STATE"].to_numpy())
        below = totals < parts.reindex(totals.index).fillna(0) * (1 - 1e-6)
        if below.any():
            row = int(np.flatnonzero(is_state)[np.flatnonzero(below.to_numpy())[0]])
            raise IcebergDataError("state total below the sum of its counties", file=p, row=row + 1,
                                   column=pop_col, expected=f"≥ {parts[totals.index[below.to_numpy()][0]]:,.0f}",
                                   found=df[pop_col].iloc[row])
    fips = df["STATE"] + df["COUNTY"]
    check_unique(df.assign(COUNTY=fips), "COUNTY", p)  # found: the repeated 5-digit FIPS
    return pd.DataFrame(
        {
            "county_fips": fips[is_county].to_numpy(),
            "state_fips": df.loc[is_county, "STATE"].to_numpy(),
            "county_name": df.loc[is_county, "CTYNAME"].astype(str).to_numpy(),
            "population": pop[is_county].to_numpy().astype("int64"),
        }
    )


# ---------------------------------------------------------------------------------------------
# ACS county industry / occupation-group employment

_ACS_FILE = "acs5_2019_county_C24050_C24060.csv"
_ACS_VARIABLES = "variables.csv"


def read_acs_county(path: PathLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ACS 5-year county employment by industry sector and by occupation group.

    Reads the wide ``acs5_2019_county_C24050_C24060.csv`` (one row per county, ``…E``
    estimates and ``…M`` margins) and ``variables.csv`` from the same folder, which labels each
    variable, says whether it is a ``total``, ``industry`` or ``occupation`` line, and lists its
    NAICS sectors / SOC major groups in ``codes``.

    Parameters
    ----------
    path : str or Path
        The wide CSV, or the folder holding it and ``variables.csv``.

    Returns
    -------
    (industry, occupation_groups) : tuple of DataFrame
        Both long, one row per county and group, groups in ``variables.csv`` order:
        ``county_fips, group (e.g. "C24050_004"), label, codes (";"-separated), employed (float64)``.
        Total lines (``_001``) are not groups and are left out; they are checked instead.

    Raises
    ------
    IcebergDataError
        Missing file or column, bad or duplicate ``county_fips``, a non-numeric or negative
        estimate, groups that do not add up to the table total (more than 1 job off),
        a malformed ``variables.csv``.
    """
    p = Path(path)
    if p.is_dir():
        p = locate_acs(p)
    if p.suffix.lower() == ".json":  # Census API responses; labels and concordance built in
        variables = acs_api.acs_variables()
        var_path = Path(acs_api.ACS_VARIABLES_ORIGIN)
        wide = acs_api.read_acs_api_folder(p.parent, variables)
        return _acs_long(variables, var_path, wide, p.parent)
    folder = p.parent
    wide_path = p
    var_path = folder / _ACS_VARIABLES
    variables = read_text_table(var_path)
    require_columns(variables, ["variable", "table", "label", "kind", "codes"], var_path)
    check_pattern(
        variables, "variable", r"[A-Z]\d{5}_\d{3}", var_path,
        expected="an ACS variable id such as C24050_004",
    )
    check_pattern(
        variables, "kind", r"total|industry|occupation", var_path,
        expected="total, industry or occupation",
    )
    check_unique(variables, "variable", var_path)

    return _acs_long(variables, var_path, read_text_table(wide_path), wide_path)


def _acs_long(
    variables: pd.DataFrame, var_path: Path, wide: pd.DataFrame, wide_path: Path
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check the wide table against ``variables`` and melt it to the two long frames."""
    estimates = [f"{v}E" for v in variables["variable"]]
    require_columns(wide, ["county_fips", *estimates], wide_path)
    check_pattern(
        wide, "county_fips", COUNTY_FIPS, wide_path, expected="5-digit county FIPS (e.g. '01001')"
    )
    check_unique(wide, "county_fips", wide_path)
    values = pd.DataFrame(
        {c: to_number(wide, c, wide_path, allow_empty=False, minimum=0,
                        integer=True, maximum=MAX_COUNTY_POPULATION)[0] for c in estimates}
    )

    frames = {}
    for kind in ("industry", "occupation"):
        vars_k = variables[variables["kind"] == kind]
        if vars_k.empty:
            raise IcebergDataError(
                f"no {kind} variables",
                file=var_path,
                column="kind",
                expected=f"rows with kind={kind}",
                found="none",
            )
        tables = vars_k["table"].unique()
        for table in tables:
            total = variables[(variables["kind"] == "total") & (variables["table"] == table)]
            if total.empty:
                continue  # no total line to check against
            parts = [f"{v}E" for v in vars_k.loc[vars_k["table"] == table, "variable"]]
            tot_col = f"{total['variable'].iloc[0]}E"
            acs_api.check_group_total(values, tot_col, parts, wide_path, table)
        cols = [f"{v}E" for v in vars_k["variable"]]
        n_c, n_g = len(wide), len(cols)
        frames[kind] = pd.DataFrame(
            {
                "county_fips": np.repeat(wide["county_fips"].astype(str).to_numpy(), n_g),
                "group": np.tile(vars_k["variable"].astype(str).to_numpy(), n_c),
                "label": np.tile(vars_k["label"].astype(str).to_numpy(), n_c),
                "codes": np.tile(vars_k["codes"].fillna("").astype(str).to_numpy(), n_c),
                "employed": values[cols].to_numpy(dtype="float64").reshape(-1),
            }
        )
    return frames["industry"], frames["occupation"]


#: Files holding the ACS county table, in the order they are looked for: the derived snapshot
#: CSV (with ``variables.csv``), then the Census API responses ``iceberg fetch`` downloads.
ACS_FILES = (_ACS_FILE, "C24050.json")


def locate_acs(folder: PathLike) -> Path:
    """The ACS county file in a source folder (``acs5_2019_county_industry_occupation``).

    Parameters
    ----------
    folder : str or Path
        The source folder (a file path is returned as it is).

    Returns
    -------
    Path
        The wide snapshot CSV if present, else ``C24050.json`` (the reader then takes every
        table's response from the same folder).

    Raises
    ------
    IcebergDataError
        Neither is there.
    """
    return _locate(
        folder,
        ACS_FILES,
        "ACS county table",
        "acs5_2019_county_industry_occupation",
        expected=f"{_ACS_FILE} with {_ACS_VARIABLES}, or C24050.json and C24060.json",
    )


__all__ = [
    "ACS_FILES",
    "AREA_DEFINITION_FILES",
    "locate_acs",
    "locate_area_definitions",
    "read_acs_county",
    "read_county_area_crosswalk",
    "read_county_population",
]
