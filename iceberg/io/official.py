"""Readers for official download formats whose layout differs from the shared snapshot's files.

``iceberg fetch`` downloads two sources in a form the snapshot does not hold:

* the BLS workbook ``area_definitions_mYYYY.xlsx`` ("May YYYY metropolitan and nonmetropolitan
  area definitions"; one row per county, or per town for New England in the pre-2024 layouts)
  instead of the derived ``county_to_oews_area_may2025.csv``;
* Census Data API responses ``C24050.json`` / ``C24060.json`` (a JSON array of arrays, header row
  first, values as text) instead of the derived wide ACS CSV plus ``variables.csv``.

This module turns them into the frames :mod:`iceberg.io.census` validates and returns; callers use
:func:`iceberg.io.census.read_county_area_crosswalk` and :func:`iceberg.io.census.read_acs_county`,
which dispatch here by file type. The ACS variable labels and the approximate NAICS / SOC
concordance live in :data:`ACS_VARIABLES` (written from the public ACS 2019 table shells).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError

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
ACS_VARIABLES_ORIGIN = "iceberg.io.official.ACS_VARIABLES"


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
# BLS OEWS area definitions workbook

_STATES: dict[str, tuple[str, str]] = {
    "01": ("AL", "Alabama"), "02": ("AK", "Alaska"), "04": ("AZ", "Arizona"),
    "05": ("AR", "Arkansas"), "06": ("CA", "California"), "08": ("CO", "Colorado"),
    "09": ("CT", "Connecticut"), "10": ("DE", "Delaware"), "11": ("DC", "District of Columbia"),
    "12": ("FL", "Florida"), "13": ("GA", "Georgia"), "15": ("HI", "Hawaii"),
    "16": ("ID", "Idaho"), "17": ("IL", "Illinois"), "18": ("IN", "Indiana"),
    "19": ("IA", "Iowa"), "20": ("KS", "Kansas"), "21": ("KY", "Kentucky"),
    "22": ("LA", "Louisiana"), "23": ("ME", "Maine"), "24": ("MD", "Maryland"),
    "25": ("MA", "Massachusetts"), "26": ("MI", "Michigan"), "27": ("MN", "Minnesota"),
    "28": ("MS", "Mississippi"), "29": ("MO", "Missouri"), "30": ("MT", "Montana"),
    "31": ("NE", "Nebraska"), "32": ("NV", "Nevada"), "33": ("NH", "New Hampshire"),
    "34": ("NJ", "New Jersey"), "35": ("NM", "New Mexico"), "36": ("NY", "New York"),
    "37": ("NC", "North Carolina"), "38": ("ND", "North Dakota"), "39": ("OH", "Ohio"),
    "40": ("OK", "Oklahoma"), "41": ("OR", "Oregon"), "42": ("PA", "Pennsylvania"),
    "44": ("RI", "Rhode Island"), "45": ("SC", "South Carolina"), "46": ("SD", "South Dakota"),
    "47": ("TN", "Tennessee"), "48": ("TX", "Texas"), "49": ("UT", "Utah"),
    "50": ("VT", "Vermont"), "51": ("VA", "Virginia"), "53": ("WA", "Washington"),
    "54": ("WV", "West Virginia"), "55": ("WI", "Wisconsin"), "56": ("WY", "Wyoming"),
    "60": ("AS", "American Samoa"), "66": ("GU", "Guam"), "69": ("MP", "Northern Mariana Islands"),
    "72": ("PR", "Puerto Rico"), "78": ("VI", "Virgin Islands"),
}  # fmt: skip

# Census NAMELSAD suffixes: "Autauga County" -> "Autauga" (the derived CSV's county_name is the
# Census NAME). One suffix, case-sensitive, so "Carson City" and "James City" keep their "City".
_COUNTY_SUFFIX = (
    r"\s+(?:City and Borough|Census Area|Planning Region|Municipality|Municipio|Borough|County"
    r"|Parish|city)$"
)

# output key -> test on the normalised header (lower case, single spaces), first match wins
_HEADERS = {
    "state_fips": lambda h: h in {"fips code", "fips", "state fips", "state fips code"},
    "state_name": lambda h: h in {"state", "state name"},
    "state_abbr": lambda h: h in {"state abbreviation", "state abbr", "state abb"},
    "area_parent": lambda h: "with divisions" in h and "code" in h,
    "area_code": lambda h: (
        re.search(r"\b(msa|area) code\b", h) is not None and "with divisions" not in h
    ),
    "area_name": lambda h: (
        re.search(r"\b(msa|area) name\b", h) is not None and "with divisions" not in h
    ),
    "county_code": lambda h: h == "county code",
    "county_name": lambda h: h.startswith("county name"),
    "town_code": lambda h: h.startswith(("township code", "town code")),
    "town_name": lambda h: h.startswith(("township name", "town name")),
}
_REQUIRED = ("state_fips", "area_code", "area_name", "county_code")


def _norm(value: object) -> str:
    return " ".join(str(value).split()).lower() if not pd.isna(value) else ""


def _header_map(cells: list[object]) -> dict[str, int]:
    names = [_norm(c) for c in cells]
    out: dict[str, int] = {}
    for key, test in _HEADERS.items():
        for j, h in enumerate(names):
            if h and test(h) and j not in out.values():
                out[key] = j
                break
    return out


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    try:
        return pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError) as exc:
        raise IcebergDataError(
            "workbook could not be read (truncated download or not an .xlsx?)",
            file=path,
            expected="the BLS area definitions workbook (.xlsx)",
            found=f"{type(exc).__name__}: {str(exc)[:200]}",
        ) from None


def _locate_table(path: Path) -> tuple[str, pd.DataFrame, dict[str, int]]:
    """The sheet, its data rows (below the header) and the header columns found."""
    sheets = _read_sheets(path)
    best: tuple[str, int, dict[str, int]] | None = None
    for name, raw in sheets.items():
        for r in range(min(len(raw), 20)):  # header within the first rows (title rows above)
            cols = _header_map(raw.iloc[r].tolist())
            if "county_code" in cols and "area_code" in cols:
                best = best or (name, r, cols)
                break
        if best:
            break
    if best is None:
        first = next(iter(sheets.values()), pd.DataFrame())
        raise IcebergDataError(
            "no area definitions table found",
            file=path,
            column="County code",
            expected="a header row with FIPS code, State, MSA/area code, MSA/area name, "
            "County code, County name",
            found=[str(c) for c in first.iloc[0].tolist()[:10]] if len(first) else "empty workbook",
        )
    name, r, cols = best
    header = sheets[name].iloc[r].tolist()
    missing = [k for k in _REQUIRED if k not in cols]
    if missing:
        raise IcebergDataError(
            "required column missing",
            file=path,
            column={"state_fips": "FIPS code", "area_name": "MSA name"}.get(missing[0], missing[0]),
            expected="FIPS code, State, MSA/area code, MSA/area name, County code, County name",
            found=", ".join(str(h) for h in header if not pd.isna(h)),
        )
    body = sheets[name].iloc[r + 1 :].reset_index(drop=True)
    return name, body, {k: (j, str(header[j]).strip()) for k, j in cols.items()}


def _match(values: pd.Series, pattern: str) -> np.ndarray:
    """Boolean array: the text fully matches ``pattern`` (missing -> False)."""
    return values.str.fullmatch(pattern).fillna(False).to_numpy(bool)


def _codes(values: pd.Series) -> pd.Series:
    """Codes as text: trimmed, a float-like ``"1001.0"`` read back to ``"1001"``."""
    return values.astype("string").str.strip().str.replace(r"\.0+$", "", regex=True)


def read_area_definitions_rows(path: str | Path) -> tuple[pd.DataFrame, dict[str, object]]:
    """Rows of the BLS OEWS area definitions workbook, in the crosswalk's column names.

    Parameters
    ----------
    path : str or Path
        ``area_definitions_mYYYY.xlsx``. The header row is found among the first 20 rows of the
        first sheet that has one (columns are matched by name: ``FIPS code``, ``State``,
        ``State abbreviation``, ``May YYYY MSA code`` / ``Area code``, ``May YYYY MSA name``,
        ``County code``, ``County name``; ``Township code``/``Township name`` in the pre-2024
        New England layout; ``MSA code for MSAs with divisions`` in older layouts).

    Returns
    -------
    rows : DataFrame
        One row per data row of the sheet (blank and note rows left out): ``county_fips,
        state_fips, state_abbr, state_name, county_name, oews_area, oews_area_title,
        oews_area_type`` (text), ``is_town`` (bool), ``file_row`` (1-based data row below the
        header). MSA codes are 5 digits (type ``"4"``), nonmetropolitan codes 7 (type ``"6"``).
    info : dict
        ``sheet``, ``columns`` (output name -> workbook header), ``counts`` (``blank_rows``,
        ``note_rows``, ``town_rows``, ``state_abbr_from_fips``, ``state_name_from_fips``).

    Raises
    ------
    IcebergDataError
        Unreadable workbook, no header, missing column, bad FIPS / county / area code, a data
        row with an empty area title or county code.
    """
    p = Path(path)
    if not p.is_file():
        raise IcebergDataError("file not found", file=p, expected="an existing file", found=None)
    sheet, body, cols = _locate_table(p)
    header_of = {k: h for k, (_, h) in cols.items()}

    def col(key: str) -> pd.Series | None:
        return body.iloc[:, cols[key][0]].astype("string").str.strip() if key in cols else None

    blank = body.isna().all(axis=1).to_numpy()
    county_raw, area_raw = _codes(col("county_code")), _codes(col("area_code"))
    note = ~blank & (county_raw.isna() & area_raw.isna()).to_numpy()  # footnotes, source lines
    keep = ~blank & ~note
    file_row = np.flatnonzero(keep) + 1

    def fail(key: str, mask: np.ndarray, expected: str, message: str = "bad code") -> None:
        bad = np.flatnonzero(mask[keep])
        if bad.size:
            i = int(np.flatnonzero(keep)[bad[0]])
            value = body.iloc[i, cols[key][0]]
            raise IcebergDataError(
                message + f" (sheet {sheet!r})",
                file=p,
                row=i + 1,
                column=header_of[key],
                expected=expected,
                found=None if pd.isna(value) else str(value),
            )

    st = _codes(col("state_fips"))
    fail("state_fips", ~_match(st, r"\d{1,2}"), "state FIPS code (1 or 2 digits)")
    st = st.str.zfill(2)
    # a 5-digit county FIPS in "County code" is accepted when it starts with the state FIPS
    long = _match(county_raw, r"\d{4,5}")
    co = county_raw.where(~long, county_raw.str.zfill(5).str[2:])
    same_state = (county_raw.str.zfill(5).str[:2] == st).fillna(False).to_numpy(bool)
    co_ok = _match(co, r"\d{1,3}") & (~long | same_state)
    fail("county_code", ~co_ok, "3-digit county FIPS code (e.g. 001)")
    co = co.str.zfill(3)

    code = area_raw
    if "area_parent" in cols:  # older layouts: divisions roll up to their MSA
        code = _codes(col("area_parent")).fillna(code)
    fail(
        "area_code",
        ~_match(code, r"\d{1,7}"),
        "an OEWS area code: 5-digit MSA (CBSA) code or 7-digit nonmetropolitan area code",
    )
    code7 = code.str.zfill(7)
    is_msa = code7.str.startswith("00").fillna(False).to_numpy(bool)
    title = col("area_name")
    fail("area_name", title.isna().to_numpy(), "an area title", "missing area title")

    counts: dict[str, int] = {"blank_rows": int(blank.sum()), "note_rows": int(note.sum())}
    fallback = pd.Series({k: v[0] for k, v in _STATES.items()})
    names = pd.Series({k: v[1] for k, v in _STATES.items()})
    abbr = col("state_abbr")
    abbr = st.map(fallback) if abbr is None else abbr.fillna(st.map(fallback))
    sname = col("state_name")
    sname = st.map(names) if sname is None else sname.fillna(st.map(names))
    counts["state_abbr_from_fips"] = int(("state_abbr" not in cols) * keep.sum())
    counts["state_name_from_fips"] = int(("state_name" not in cols) * keep.sum())

    town = pd.Series(False, index=body.index)
    if "town_code" in cols:
        tc = _codes(col("town_code"))
        town = pd.Series(
            tc.notna().to_numpy(bool) & ~_match(tc.fillna("0"), r"0*"), index=body.index
        )
    county_name = col("county_name")
    if county_name is None:
        county_name = pd.Series(pd.NA, index=body.index, dtype="string")
    elif "town_name" not in cols:  # "County name (or Township name)": a town row names the town
        county_name = county_name.mask(town)
    county_name = county_name.str.replace(_COUNTY_SUFFIX, "", regex=True)

    out = pd.DataFrame(
        {
            "county_fips": (st + co).to_numpy(),
            "state_fips": st.to_numpy(),
            "state_abbr": abbr.to_numpy(),
            "state_name": sname.to_numpy(),
            "county_name": county_name.to_numpy(),
            "oews_area": np.where(is_msa, code7.str[2:].fillna(""), code7.fillna("")),
            "oews_area_title": title.to_numpy(),
            "oews_area_type": np.where(is_msa, "4", "6"),
            "is_town": town.to_numpy(bool),
        }
    ).astype({c: "string" for c in ["county_fips", "state_fips", "state_abbr", "state_name",
                                      "county_name", "oews_area", "oews_area_title",
                                      "oews_area_type"]})  # fmt: skip
    out = out.loc[keep].reset_index(drop=True).assign(file_row=file_row)
    counts["town_rows"] = int(out["is_town"].sum())
    info = {
        "sheet": sheet,
        "columns": {
            "county_fips": header_of["county_code"],
            "state_fips": header_of["state_fips"],
            "state_abbr": header_of.get("state_abbr", header_of["state_fips"]),
            "state_name": header_of.get("state_name", header_of["state_fips"]),
            "county_name": header_of.get("county_name", header_of["county_code"]),
            "oews_area": header_of["area_code"],
            "oews_area_type": header_of["area_code"],
            "oews_area_title": header_of["area_name"],
        },
        "counts": counts,
    }
    return out, info


def collapse_towns(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int], list[dict]]:
    """One row per county: New England town rows collapsed to their county.

    Rule for a county whose towns lie in more than one OEWS area: the county goes to the area
    holding **most of its rows** (towns); a tie goes to the area listed first for that county
    in the workbook. (The workbook carries no employment, so towns are the only weight it has.)
    The workbooks since May 2024 are county-based and have no town rows; then nothing changes.

    Parameters
    ----------
    rows : DataFrame
        From :func:`read_area_definitions_rows` (validated).

    Returns
    -------
    counties : DataFrame
        Same columns, one row per county, in order of first appearance; ``county_name`` of a
        county known only through town rows is NA.
    counts : dict
        ``counties_from_towns``, ``counties_split_across_areas``, ``town_rows_outside_chosen_area``,
        ``county_names_missing``.
    splits : list of dict
        Per split county: ``county_fips``, ``chosen_area``, ``areas`` (``"code:rows;…"``).
    """
    pos = np.arange(len(rows))
    g = (
        rows.assign(pos=pos)
        .groupby(["county_fips", "oews_area"], sort=False)
        .agg(n=("pos", "size"), first=("pos", "min"))
        .reset_index()
    )
    g["n_areas"] = g.groupby("county_fips")["oews_area"].transform("size")
    ranked = g.sort_values(["county_fips", "n", "first"], ascending=[True, False, True])
    chosen = ranked.drop_duplicates("county_fips")
    # the county's row: its first row in the chosen area, with a county name where one exists
    pick = rows.assign(pos=pos).merge(chosen[["county_fips", "oews_area"]])
    named = rows["county_name"].notna()
    name = rows.loc[named].drop_duplicates("county_fips").set_index("county_fips")["county_name"]
    first_pos = pick.groupby("county_fips")["pos"].min().sort_values()
    out = rows.iloc[first_pos.to_numpy()].reset_index(drop=True)
    out["county_name"] = out["county_fips"].map(name).astype("string")
    split = ranked[ranked["n_areas"] > 1]
    splits = [
        {
            "county_fips": fips,
            "chosen_area": str(grp["oews_area"].iloc[0]),
            "areas": ";".join(f"{a}:{n}" for a, n in zip(grp["oews_area"], grp["n"], strict=True)),
        }
        for fips, grp in split.groupby("county_fips", sort=True)
    ]
    town_counties = rows.loc[rows["is_town"], "county_fips"].unique()
    counts = {
        "counties_from_towns": len(town_counties),
        "counties_split_across_areas": len(splits),
        "town_rows_outside_chosen_area": int(
            len(rows) - rows.merge(chosen[["county_fips", "oews_area"]]).shape[0]
        ),
        "county_names_missing": int(out["county_name"].isna().sum()),
    }
    return out, counts, splits


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
    from iceberg.io._table import check_unique, require_columns, to_number

    folder = Path(folder)
    parts: list[pd.DataFrame] = []
    seen: tuple[Path, pd.Index] | None = None
    for table in pd.unique(variables["table"].astype(str)):
        path = folder / ACS_API_FILES.get(table, f"{table}.json")
        frame = read_census_api_json(path)
        estimates = [f"{v}E" for v in variables.loc[variables["table"] == table, "variable"]]
        require_columns(frame, estimates, path)
        check_unique(frame, "county_fips", path)
        nums = {c: to_number(frame, c, path, allow_empty=False, minimum=0)[0] for c in estimates}
        _check_total(variables[variables["table"] == table], nums, frame, path)
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


def _check_total(
    variables: pd.DataFrame, nums: dict[str, pd.Series], frame: pd.DataFrame, path: Path
) -> None:
    """The groups of one table add up to its total line (±1), row by row of this file."""
    total = variables.loc[variables["kind"] == "total", "variable"]
    parts = [f"{v}E" for v in variables.loc[variables["kind"] != "total", "variable"]]
    if total.empty or not parts:
        return
    tot = f"{total.iloc[0]}E"
    got = np.sum([nums[c].to_numpy() for c in parts], axis=0)
    bad = np.flatnonzero(np.abs(got - nums[tot].to_numpy()) > 1.0)
    if bad.size:
        i = int(bad[0])
        raise IcebergDataError(
            f"{variables['table'].iloc[0]} groups do not add up to the table total",
            file=path,
            row=i + 1,
            column=tot,
            expected="sum of the group estimates (±1)",
            found=f"total {nums[tot].iloc[i]:g}, groups {got[i]:g} (county {frame['county_fips'].iloc[i]})",
        )
