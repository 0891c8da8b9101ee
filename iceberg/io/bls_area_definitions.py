"""The BLS OEWS area definitions workbook (``area_definitions_mYYYY.xlsx``).

``iceberg fetch`` downloads the official "May YYYY metropolitan and nonmetropolitan area
definitions" workbook (one row per county, or per town for New England in the pre-2024 layouts)
instead of the snapshot's derived ``county_to_oews_area_may2025.csv``. This module finds the
table in the workbook, reads its rows in the crosswalk's column names and collapses town rows to
counties; :func:`iceberg.io.census.read_county_area_crosswalk` validates and returns the result.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError

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
