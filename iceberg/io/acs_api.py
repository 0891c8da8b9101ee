"""Census Data API responses of the ACS county tables (``C24050.json`` / ``C24060.json``).

``iceberg fetch`` downloads the ACS 5-year county tables from the Census Data API (a JSON array
of arrays, header row first, values as text) instead of the snapshot's derived wide CSV plus
``variables.csv``. This module reads those responses into the snapshot's wide layout; callers use
:func:`iceberg.io.census.read_acs_county`, which dispatches here by file type. The variable labels
and the approximate NAICS / SOC concordance live in :data:`ACS_VARIABLES` (written from the
public ACS 2019 table shells).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    MAX_COUNTY_POPULATION,
    check_unique,
    first_bad,
    require_columns,
    to_number,
)

# ---------------------------------------------------------------------------------------------
# ACS 2019 5-year county tables: the lines the build uses.

#: ``variable -> (label, kind, codes)``. Labels are the ACS 2019 table-shell labels of C24050
#: (Industry by Occupation, lines 1-14: total and the 13 industry groups) and C24060 (Occupation
#: by Class of Worker, lines 1-6: total and the 5 major occupation groups). ``codes`` is an
#: *approximate* concordance: ACS industry groups -> NAICS 2017 sectors, ACS occupation groups ->
#: SOC 2018 major groups (";"-separated).
ACS_VARIABLES: dict[str, tuple[str, str, str]] = {
    "C24050_001": ("Total civilian employed population 16 years and over", "total", ""),
    "C24050_002": ("Agriculture, forestry, fishing and hunting, and mining", "industry", "11;21"),
    "C24050_003": ("Construction", "industry", "23"),
    "C24050_004": ("Manufacturing", "industry", "31-33"),
    "C24050_005": ("Wholesale trade", "industry", "42"),
    "C24050_006": ("Retail trade", "industry", "44-45"),
    "C24050_007": ("Transportation and warehousing, and utilities", "industry", "48-49;22"),
    "C24050_008": ("Information", "industry", "51"),
    "C24050_009": (
        "Finance and insurance, and real estate and rental and leasing",
        "industry",
        "52;53",
    ),
    "C24050_010": (
        (
            "Professional, scientific, and management, and administrative and waste management "
            "services"
        ),
        "industry",
        "54;55;56",
    ),
    "C24050_011": (
        "Educational services, and health care and social assistance",
        "industry",
        "61;62",
    ),
    "C24050_012": (
        "Arts, entertainment, and recreation, and accommodation and food services",
        "industry",
        "71;72",
    ),
    "C24050_013": ("Other services, except public administration", "industry", "81"),
    "C24050_014": ("Public administration", "industry", "92"),
    "C24060_001": ("Total civilian employed population 16 years and over", "total", ""),
    "C24060_002": (
        "Management, business, science, and arts occupations",
        "occupation",
        "11;13;15;17;19;21;23;25;27;29",
    ),
    "C24060_003": ("Service occupations", "occupation", "31;33;35;37;39"),
    "C24060_004": ("Sales and office occupations", "occupation", "41;43"),
    "C24060_005": (
        "Natural resources, construction, and maintenance occupations",
        "occupation",
        "45;47;49",
    ),
    "C24060_006": (
        "Production, transportation, and material moving occupations",
        "occupation",
        "51;53",
    ),
}

#: Where the built-in variable table is said to come from in error messages.
ACS_VARIABLES_ORIGIN = "iceberg.io.acs_api.ACS_VARIABLES"


def acs_variables() -> pd.DataFrame:
    """The built-in ACS variable table, in the layout of the snapshot's ``variables.csv``.

    Returns
    -------
    DataFrame
        ``variable, table, label, kind ("total"/"industry"/"occupation"), codes`` (text; empty
        codes are NA, as when ``variables.csv`` is read).
    """
    names = list(ACS_VARIABLES)
    label, kind, codes = zip(*ACS_VARIABLES.values(), strict=True)
    return pd.DataFrame(
        {
            "variable": names,
            "table": [n.split("_")[0] for n in names],
            "label": list(label),
            "kind": list(kind),
            "codes": pd.Series(list(codes), dtype="string").replace("", pd.NA),
        }
    ).astype({"variable": "string", "table": "string", "label": "string", "kind": "string"})


def read_census_api_json(path: str | Path) -> pd.DataFrame:
    """One Census Data API response: a JSON array of arrays whose first row is the header.

    Parameters
    ----------
    path : str or Path
        e.g. ``C24050.json`` from ``…/acs/acs5?get=NAME,group(C24050)&for=county:*``.

    Returns
    -------
    DataFrame
        One text column per header name (a repeated name, such as ``NAME`` when it is asked for
        next to ``group(...)``, keeps its first occurrence), NA for JSON ``null``, plus
        ``county_fips`` = ``state`` + ``county``. Rows in file order.

    Raises
    ------
    IcebergDataError
        Not JSON, not an array of arrays, a header that is not text, a row with another number
        of fields than the header, no ``state``/``county`` column, a bad county code.
    """
    p = Path(path)
    if not p.is_file():
        raise IcebergDataError("file not found", file=p, expected="an existing file", found=None)
    try:
        data = json.loads(p.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise IcebergDataError(
            "file is not UTF-8 text", file=p, expected="a Census API JSON response", found=str(exc)
        ) from None
    except json.JSONDecodeError as exc:
        raise IcebergDataError(
            "file is not valid JSON (truncated download or an HTML error page?)",
            file=p,
            expected="a JSON array of arrays, header row first",
            found=f"line {exc.lineno}, column {exc.colno}: {exc.msg}",
        ) from None
    if not isinstance(data, list) or not data or not isinstance(data[0], list):
        raise IcebergDataError(
            "not a Census API table",
            file=p,
            expected="a JSON array of arrays, header row first",
            found=type(data).__name__ if not isinstance(data, list) else data[:1],
        )
    header = data[0]
    if not header or not all(isinstance(h, str) for h in header):
        raise IcebergDataError(
            "header row is not a list of names", file=p, expected="text names", found=header[:8]
        )
    rows = data[1:]
    width = len(header)
    bad = [i for i, r in enumerate(rows) if not isinstance(r, list) or len(r) != width]
    if bad:
        r = rows[bad[0]]
        raise IcebergDataError(
            "row has a different number of fields than the header",
            file=p,
            row=bad[0] + 1,
            expected=f"{width} fields",
            found=len(r) if isinstance(r, list) else type(r).__name__,
        )
    keep = [i for i, h in enumerate(header) if h not in header[:i]]  # first of repeated names
    arr = np.array(rows, dtype=object).reshape(len(rows), width)[:, keep]
    frame = pd.DataFrame(arr, columns=[header[i] for i in keep])
    # JSON numbers (17.0) and text ("17") both become text; null stays NA.
    frame = frame.apply(lambda s: s.map(_json_text, na_action="ignore")).astype("string")
    for col in ("state", "county"):
        if col not in frame.columns:
            raise IcebergDataError(
                "required column missing",
                file=p,
                column=col,
                expected="state and county (query with for=county:*)",
                found=", ".join(header[:20]),
            )
    for col, width_ in (("state", 2), ("county", 3)):
        ok = frame[col].str.fullmatch(rf"\d{{{width_}}}").fillna(False).to_numpy(bool)
        if not ok.all():
            i = int(np.flatnonzero(~ok)[0])
            raise IcebergDataError(
                "bad code",
                file=p,
                row=i + 1,
                column=col,
                expected=f"{width_}-digit FIPS code",
                found=None if pd.isna(frame[col].iloc[i]) else str(frame[col].iloc[i]),
            )
    return frame.assign(county_fips=frame["state"] + frame["county"])


def _json_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---------------------------------------------------------------------------------------------
# ACS Census API responses -> the wide table of the snapshot CSV

#: File names ``iceberg fetch`` gives the API responses (see registry.toml), by table.
ACS_API_FILES = {"C24050": "C24050.json", "C24060": "C24060.json"}


def read_acs_api_folder(folder: str | Path, variables: pd.DataFrame) -> pd.DataFrame:
    """Census API responses of every table in ``variables``, joined to one wide frame.

    Each table is read from ``<folder>/<table>.json`` and checked on its own, so an error names
    that file and its 1-based data row: county code, a repeated county, each estimate of
    ``variables`` (``…E``; a number >= 0, so the API's negative annotation codes such as
    ``-666666666`` are refused). The tables must list the same counties.

    Parameters
    ----------
    folder : str or Path
        Folder holding ``C24050.json`` and ``C24060.json`` (as ``iceberg fetch`` writes them).
    variables : DataFrame
        ``variable, table`` (e.g. :func:`acs_variables`).

    Returns
    -------
    DataFrame
        ``county_fips`` plus one text column per estimate ``<variable>E``, one row per county,
        sorted by ``county_fips`` (the API's row order is not meaningful).

    Raises
    ------
    IcebergDataError
        As :func:`read_census_api_json`; a missing estimate column; a bad number; a duplicate
        county; a county present in one table and not in another.
    """
    folder = Path(folder)
    parts: list[pd.DataFrame] = []
    seen: tuple[Path, pd.Index] | None = None
    for table in pd.unique(variables["table"].astype(str)):
        path = folder / ACS_API_FILES.get(table, f"{table}.json")
        frame = read_census_api_json(path)
        of_table = variables[variables["table"] == table]
        estimates = [f"{v}E" for v in of_table["variable"]]
        require_columns(frame, estimates, path)
        check_unique(frame, "county_fips", path)
        nums = {c: to_number(frame, c, path, allow_empty=False, minimum=0,
                        integer=True, maximum=MAX_COUNTY_POPULATION)[0] for c in estimates}
        total = of_table.loc[of_table["kind"] == "total", "variable"]
        groups = [f"{v}E" for v in of_table.loc[of_table["kind"] != "total", "variable"]]
        if len(total) and groups:
            check_group_total(
                nums, f"{total.iloc[0]}E", groups, path, table, ids=frame["county_fips"]
            )
        part = frame.set_index("county_fips")[estimates]
        if seen is not None:
            other_path, other = seen
            only_here = part.index.difference(other, sort=False)
            only_there = other.difference(part.index, sort=False)
            if len(only_here) or len(only_there):
                where, fips = (
                    (path, only_here[0]) if len(only_here) else (other_path, only_there[0])
                )
                rows = part.index if where == path else other
                raise IcebergDataError(
                    "the ACS tables list different counties",
                    file=where,
                    row=int(rows.get_loc(fips)) + 1,
                    column="county",
                    expected=f"the same counties as {(other_path if where == path else path).name}",
                    found=str(fips),
                )
        else:
            seen = (path, part.index)
        parts.append(part)
    wide = pd.concat(parts, axis=1, join="inner").sort_index()
    return wide.rename_axis("county_fips").reset_index()


def check_group_total(
    values: Mapping[str, pd.Series] | pd.DataFrame,
    total: str,
    groups: Sequence[str],
    path: str | Path,
    table: str,
    *,
    ids: pd.Series | None = None,
) -> None:
    """The group estimates of one ACS table add up to its total line (±1 job), row by row.

    Shared by the snapshot CSV reader (:func:`iceberg.io.census.read_acs_county`) and the API
    reader (:func:`read_acs_api_folder`).

    Parameters
    ----------
    values : mapping or DataFrame
        Parsed estimates by column name (``<variable>E``), one value per data row.
    total : str
        Column of the table total (e.g. ``"C24050_001E"``).
    groups : sequence of str
        Columns of the groups that should add up to it (non-empty).
    path : str or Path
        File named in the error.
    table : str
        Table id named in the error (e.g. ``"C24050"``).
    ids : Series, optional
        County FIPS by row; when given, the error names the county too.

    Raises
    ------
    IcebergDataError
        The first row whose groups differ from the total by more than 1, naming its 1-based
        data row and the total column.
    """
    got = np.sum([np.asarray(values[c], dtype="float64") for c in groups], axis=0)
    tot = np.asarray(values[total], dtype="float64")
    i = first_bad(np.abs(got - tot) > 1.0)
    if i is not None:
        county = "" if ids is None else f" (county {ids.iloc[i]})"
        raise IcebergDataError(
            f"{table} groups do not add up to the table total",
            file=path,
            row=i + 1,
            column=total,
            expected="sum of the group estimates (±1)",
            found=f"total {tot[i]:g}, groups {got[i]:g}{county}",
        )
