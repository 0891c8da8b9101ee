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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import _CalamineError

# ---------------------------------------------------------------------------------------------
# BLS OEWS area definitions workbook


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
        return pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="calamine")
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, _CalamineError) as exc:
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


@dataclass(frozen=True)
class _Table:
    """The located table: data rows below the header and where each column is."""

    path: Path
    sheet: str
    body: pd.DataFrame
    cols: dict[str, tuple[int, str]]  # output key -> (column position, workbook header)

    def col(self, key: str) -> pd.Series | None:
        """A column as trimmed text (None when the workbook has no such column)."""
        if key not in self.cols:
            return None
        return self.body.iloc[:, self.cols[key][0]].astype("string").str.strip()

    def header(self, key: str) -> str:
        return self.cols[key][1]

    def fail_first(self, key: str, bad: np.ndarray, keep: np.ndarray, expected: str,
                   message: str = "bad code") -> None:
        """Raise naming the first kept row where ``bad`` holds (sheet, row, column, value)."""
        rows = np.flatnonzero(bad & keep)
        if rows.size:
            i = int(rows[0])
            value = self.body.iloc[i, self.cols[key][0]]
            raise IcebergDataError(
                message + f" (sheet {self.sheet!r})", file=self.path, row=i + 1,
                column=self.header(key), expected=expected,
                found=None if pd.isna(value) else str(value),
            )


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
    table = _Table(p, *_locate_table(p))
    blank, note = _blank_and_note_rows(table)
    keep = ~blank & ~note
    st = _state_fips(table, keep)
    co = _county_codes(table, st, keep)
    code7, is_msa = _area_codes(table, keep)
    title = table.col("area_name")
    table.fail_first("area_name", title.isna().to_numpy(), keep, "an area title",
                     "missing area title")
    abbr, sname = _state_names(table, st)
    town, county_name = _towns_and_county_names(table)
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
    out = out.loc[keep].reset_index(drop=True).assign(file_row=np.flatnonzero(keep) + 1)
    counts = {
        "blank_rows": int(blank.sum()),
        "note_rows": int(note.sum()),
        "state_abbr_from_fips": int(("state_abbr" not in table.cols) * keep.sum()),
        "state_name_from_fips": int(("state_name" not in table.cols) * keep.sum()),
        "town_rows": int(out["is_town"].sum()),
    }
    return out, {"sheet": table.sheet, "columns": _output_columns(table), "counts": counts}


def _blank_and_note_rows(table: _Table) -> tuple[np.ndarray, np.ndarray]:
    """Empty rows, and note rows (footnotes, source lines: neither a county nor an area code)."""
    blank = table.body.isna().all(axis=1).to_numpy()
    county_raw, area_raw = _codes(table.col("county_code")), _codes(table.col("area_code"))
    note = ~blank & (county_raw.isna() & area_raw.isna()).to_numpy()
    return blank, note


def _state_fips(table: _Table, keep: np.ndarray) -> pd.Series:
    """2-digit state FIPS of every row."""
    st = _codes(table.col("state_fips"))
    table.fail_first("state_fips", ~_match(st, r"\d{1,2}"), keep,
                     "state FIPS code (1 or 2 digits)")
    return st.str.zfill(2)


def _county_codes(table: _Table, st: pd.Series, keep: np.ndarray) -> pd.Series:
    """3-digit county codes; a 5-digit county FIPS is accepted when it starts with the state's."""
    county_raw = _codes(table.col("county_code"))
    long = _match(county_raw, r"\d{4,5}")
    co = county_raw.where(~long, county_raw.str.zfill(5).str[2:])
    same_state = (county_raw.str.zfill(5).str[:2] == st).fillna(False).to_numpy(bool)
    co_ok = _match(co, r"\d{1,3}") & (~long | same_state)
    table.fail_first("county_code", ~co_ok, keep, "3-digit county FIPS code (e.g. 001)")
    return co.str.zfill(3)


def _area_codes(table: _Table, keep: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """7-digit area codes (divisions rolled up to their MSA) and which are MSAs."""
    code = _codes(table.col("area_code"))
    if "area_parent" in table.cols:  # older layouts: divisions roll up to their MSA
        code = _codes(table.col("area_parent")).fillna(code)
    table.fail_first("area_code", ~_match(code, r"\d{1,7}"), keep,
                     "an OEWS area code: 5-digit MSA (CBSA) code or 7-digit nonmetropolitan "
                     "area code")
    code7 = code.str.zfill(7)
    return code7, code7.str.startswith("00").fillna(False).to_numpy(bool)


def _state_names(table: _Table, st: pd.Series) -> tuple[pd.Series, pd.Series]:
    """State abbreviation and name: the workbook's, else from the FIPS code (iceberg.labels)."""
    from iceberg.labels import states_frame

    known = states_frame()
    abbr, sname = table.col("state_abbr"), table.col("state_name")
    from_fips_abbr = st.map(known["state_abbr"])
    from_fips_name = st.map(known["state_name"])
    abbr = from_fips_abbr if abbr is None else abbr.fillna(from_fips_abbr)
    sname = from_fips_name if sname is None else sname.fillna(from_fips_name)
    return abbr, sname


def _towns_and_county_names(table: _Table) -> tuple[pd.Series, pd.Series]:
    """Which rows are New England towns, and the county name (Census suffix removed)."""
    body = table.body
    town = pd.Series(False, index=body.index)
    if "town_code" in table.cols:
        tc = _codes(table.col("town_code"))
        town = pd.Series(tc.notna().to_numpy(bool) & ~_match(tc.fillna("0"), r"0*"),
                         index=body.index)
    county_name = table.col("county_name")
    if county_name is None:
        county_name = pd.Series(pd.NA, index=body.index, dtype="string")
    elif "town_name" not in table.cols:  # "County name (or Township name)": a town row names it
        county_name = county_name.mask(town)
    return town, county_name.str.replace(_COUNTY_SUFFIX, "", regex=True)


def _output_columns(table: _Table) -> dict[str, str]:
    """Output column -> the workbook header it came from."""
    h = {k: hdr for k, (_, hdr) in table.cols.items()}
    return {
        "county_fips": h["county_code"],
        "state_fips": h["state_fips"],
        "state_abbr": h.get("state_abbr", h["state_fips"]),
        "state_name": h.get("state_name", h["state_fips"]),
        "county_name": h.get("county_name", h["county_code"]),
        "oews_area": h["area_code"],
        "oews_area_type": h["area_code"],
        "oews_area_title": h["area_name"],
    }


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
