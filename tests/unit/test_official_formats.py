"""Official download formats: BLS area definitions workbook and Census API JSON (C24050/C24060).

Every file here is typed in the test: a handful of workbook rows, a few counties of API output.
The derived snapshot layouts (county_to_oews_area_may2025.csv, the wide ACS CSV plus
variables.csv) are written alongside with the same facts, and both must give the same frames.
"""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import urllib.parse
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from iceberg.errors import IcebergDataError
from iceberg.io.acs_api import ACS_VARIABLES, acs_variables
from iceberg.io.census import (
    locate_acs,
    locate_area_definitions,
    read_acs_county,
    read_county_area_crosswalk,
)
from iceberg.sources import fetch, load_registry

# ------------------------------------------------------------------------- area definitions

HEADER_2025 = [
    "FIPS code",
    "State",
    "State abbreviation",
    "May 2025 MSA code",
    "May 2025 MSA name",
    "County code",
    "County name",
]
# Workbook order (by state, then area), codes as BLS stores them: numbers, one as text.
ROWS_2025 = [
    [1, "Alabama", "AL", 100003, "Southeast Alabama nonmetropolitan area", 5, "Barbour County"],
    [1, "Alabama", "AL", 19300, "Daphne-Fairhope-Foley, AL", 3, "Baldwin County"],
    [1, "Alabama", "AL", 33860, "Montgomery, AL", 1, "Autauga County"],
    [9, "Connecticut", "CT", 25540, "Hartford-West Hartford-East Hartford, CT", 110,
     "Capitol Planning Region"],
    [22, "Louisiana", "LA", 29180, "Lafayette, LA", 1, "Acadia Parish"],
    [35, "New Mexico", "NM", "29740", "Las Cruces, NM", "013", "Doña Ana County"],
    [51, "Virginia", "VA", 47900, "Washington-Arlington-Alexandria, DC-VA-MD-WV", 510,
     "Alexandria city"],
]  # fmt: skip

DERIVED_CSV = """\
county_fips,state_fips,county_fips3,state_abbr,state_name,county_name,county_name_full,oews_area,oews_area_code7,oews_area_title,oews_area_type
01001,01,001,AL,Alabama,Autauga,Autauga County,33860,0033860,"Montgomery, AL",4
01003,01,003,AL,Alabama,Baldwin,Baldwin County,19300,0019300,"Daphne-Fairhope-Foley, AL",4
01005,01,005,AL,Alabama,Barbour,Barbour County,0100003,0100003,Southeast Alabama nonmetropolitan area,6
09110,09,110,CT,Connecticut,Capitol,Capitol Planning Region,25540,0025540,"Hartford-West Hartford-East Hartford, CT",4
22001,22,001,LA,Louisiana,Acadia,Acadia Parish,29180,0029180,"Lafayette, LA",4
35013,35,013,NM,New Mexico,Doña Ana,Doña Ana County,29740,0029740,"Las Cruces, NM",4
51510,51,510,VA,Virginia,Alexandria,Alexandria city,47900,0047900,"Washington-Arlington-Alexandria, DC-VA-MD-WV",4
"""


def _xlsx(
    path: Path, rows: list[list], *, above: list[list] | None = None, sheet: str = ""
) -> Path:
    """Write a one-sheet workbook: optional title rows, then the given rows (header first)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet or "Sheet1"
    for r in (above or []) + rows:
        ws.append(r)
    wb.save(path)
    return path


def _derived(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "county_to_oews_area_may2025.csv"
    path.write_text(DERIVED_CSV, encoding="utf-8")
    return path


def test_workbook_gives_the_same_frame_as_the_derived_csv(tmp_path):
    book = _xlsx(tmp_path / "area_definitions_m2025.xlsx", [HEADER_2025, *ROWS_2025])
    official = read_county_area_crosswalk(book)
    derived = read_county_area_crosswalk(_derived(tmp_path / "d"))
    pd.testing.assert_frame_equal(official, derived)
    # facts typed above, read back
    row = official.set_index("county_fips")
    assert row.loc["01005", "oews_area"] == "0100003" and row.loc["01005", "oews_area_type"] == 6
    assert row.loc["09110", "oews_area"] == "25540" and row.loc["09110", "county_name"] == "Capitol"
    assert row.loc["51510", "county_name"] == "Alexandria"  # "city" suffix removed
    assert row.loc["35013", "county_name"] == "Doña Ana"
    assert official["oews_area_type"].dtype == np.int64
    assert official.attrs["counts"]["counties_split_across_areas"] == 0
    assert official.attrs["counts"]["town_rows"] == 0


def test_workbook_with_title_rows_and_notes_below(tmp_path):
    notes = [[None] * 7, ["Note: areas are defined by OMB Bulletin 23-01."] + [None] * 6]
    book = _xlsx(
        tmp_path / "a.xlsx",
        [HEADER_2025, *ROWS_2025, *notes],
        above=[["May 2025 Metropolitan and Nonmetropolitan Area Definitions"], []],
    )
    df = read_county_area_crosswalk(book)
    assert len(df) == len(ROWS_2025)
    assert df.attrs["counts"]["note_rows"] == 1 and df.attrs["counts"]["blank_rows"] == 1


# Pre-2024 layout: New England by town, no state abbreviation, one combined name column.
HEADER_TOWNS = [
    "FIPS code",
    "State",
    "May 2019 MSA code ",
    "May 2019 MSA name",
    "County code",
    "Township code",
    "County name (or Township name)",
]
BOSTON, WORCESTER, MANCHESTER = (
    "Boston-Cambridge-Nashua, MA-NH",
    "Worcester, MA-CT",
    "Manchester, NH",
)
ROWS_TOWNS = [
    [25, "Massachusetts", 71650, BOSTON, 17, 700, "Acton town"],
    [25, "Massachusetts", 79600, WORCESTER, 17, 2325, "Ashby town"],
    [25, "Massachusetts", 71650, BOSTON, 17, 1605, "Arlington town"],
    [33, "New Hampshire", 74950, MANCHESTER, 11, 5140, "Bedford town"],
    [33, "New Hampshire", 71650, BOSTON, 11, 50260, "Hudson town"],
    [36, "New York", 10580, "Albany-Schenectady-Troy, NY", 1, 0, "Albany County"],
]


def test_new_england_towns_collapse_to_counties(tmp_path):
    book = _xlsx(tmp_path / "area_definitions_m2019.xlsx", [HEADER_TOWNS, *ROWS_TOWNS])
    df = read_county_area_crosswalk(book).set_index("county_fips")
    assert df.index.tolist() == ["25017", "33011", "36001"]
    assert df.loc["25017", "oews_area"] == "71650"  # 2 towns in Boston against 1 in Worcester
    assert df.loc["33011", "oews_area"] == "74950"  # 1:1 tie -> the area listed first
    assert df.loc["25017", "state_abbr"] == "MA"  # from the state FIPS code
    assert df.loc["36001", "county_name"] == "Albany"
    assert pd.isna(df.loc["25017", "county_name"])  # a town name is not the county's name
    counts = df.attrs["counts"]
    assert counts["town_rows"] == 5 and counts["counties_from_towns"] == 2
    assert counts["counties_split_across_areas"] == 2
    assert counts["town_rows_outside_chosen_area"] == 2  # Ashby and Hudson
    assert counts["county_names_missing"] == 2 and counts["state_abbr_from_fips"] == 6
    assert df.attrs["split_counties"] == [
        {"county_fips": "25017", "chosen_area": "71650", "areas": "71650:2;79600:1"},
        {"county_fips": "33011", "chosen_area": "74950", "areas": "74950:1;71650:1"},
    ]


def _bad_book(tmp_path: Path, row: int, col: int, value: object) -> Path:
    rows = [list(r) for r in ROWS_2025]
    rows[row - 1][col] = value
    return _xlsx(tmp_path / "bad.xlsx", [HEADER_2025, *rows])


@pytest.mark.parametrize(
    ("row", "col", "value", "column", "message"),
    [
        (2, 5, "3a", "County code", "bad code"),
        (3, 0, 123, "FIPS code", "bad code"),
        (4, 3, "25540X", "May 2025 MSA code", "bad code"),
        (5, 4, None, "May 2025 MSA name", "missing area title"),
        (2, 5, 5, "County code", "duplicate key"),  # Baldwin typed as Barbour's county code
        (2, 3, 33860, "May 2025 MSA name", "more than one title"),  # Baldwin under Autauga's code
        (6, 2, "nm", "State abbreviation", "bad code"),
    ],
)
def test_workbook_errors_name_row_and_column(tmp_path, row, col, value, column, message):
    book = _bad_book(tmp_path, row, col, value)
    with pytest.raises(IcebergDataError, match=message) as err:
        read_county_area_crosswalk(book)
    assert (err.value.row, err.value.column) == (row, column)
    assert err.value.file == str(book)


def test_workbook_structure_errors(tmp_path):
    no_area = _xlsx(tmp_path / "x.xlsx", [[h for h in HEADER_2025 if "MSA code" not in h]])
    with pytest.raises(IcebergDataError, match="no area definitions table"):
        read_county_area_crosswalk(no_area)
    no_name = _xlsx(tmp_path / "y.xlsx", [[h for h in HEADER_2025 if "MSA name" not in h]])
    with pytest.raises(IcebergDataError, match="required column missing") as err:
        read_county_area_crosswalk(no_name)
    assert err.value.column == "MSA name"
    html = tmp_path / "area_definitions_m2025.xlsx"
    html.write_bytes(b"<html><body>Access Denied</body></html>")  # what a blocked fetch gets
    with pytest.raises(IcebergDataError, match="workbook could not be read"):
        read_county_area_crosswalk(html)


def test_locate_area_definitions(tmp_path):
    folder = tmp_path / "oews_area_definitions"
    folder.mkdir()
    with pytest.raises(IcebergDataError, match="no county") as err:
        locate_area_definitions(folder)
    assert "area_definitions_m2025.xlsx" in err.value.expected
    book = _xlsx(folder / "area_definitions_m2025.xlsx", [HEADER_2025, *ROWS_2025])
    assert locate_area_definitions(folder) == book
    pd.testing.assert_frame_equal(
        read_county_area_crosswalk(folder), read_county_area_crosswalk(book)
    )
    csv = _derived(folder)
    assert locate_area_definitions(folder) == csv  # the derived CSV first


# ---------------------------------------------------------------------------------------- ACS

# Per county: 13 industry groups (C24050_002..014) and 5 occupation groups (C24060_002..006);
# both add up to the same total, as in the ACS.
IND = {
    ("01", "001"): [214, 1489, 3176, 614, 2438, 1667, 334, 1466, 2362, 4961, 2154, 1333, 2314],
    ("02", "013"): [310, 40, 1200, 12, 95, 280, 0, 30, 66, 210, 180, 25, 92],
    ("11", "001"): [900, 8000, 9000, 3000, 20000, 10000, 15000, 25000, 90000, 70000, 30000,
                    40000, 60000],
}  # fmt: skip
OCC = {
    ("01", "001"): [8000, 4000, 6000, 2500, 4022],
    ("02", "013"): [700, 700, 300, 400, 440],
    ("11", "001"): [250000, 50000, 50000, 10000, 20900],
}
NAMES = {"01": "Autauga County, Alabama", "02": "Aleutians East Borough, Alaska",
         "11": "District of Columbia, District of Columbia"}  # fmt: skip


def _api_rows(table: str, data: dict) -> list[list]:
    """A Census API response for ``get=NAME,group(<table>)&for=county:*`` (values as text)."""
    n = len(next(iter(data.values())))
    lines = [f"{table}_{i:03d}" for i in range(1, n + 2)]
    header = ["NAME"]
    for v in lines:
        header += [f"{v}E", f"{v}EA", f"{v}M", f"{v}MA"]
    header += ["GEO_ID", "NAME", "state", "county"]
    out = [header]
    for (st, co), parts in data.items():
        values = [sum(parts), *parts]
        row = [NAMES[st]]
        for x in values:
            row += [str(x), None, str(max(10, x // 10)), None]
        row += [f"0500000US{st}{co}", NAMES[st], st, co]
        out.append(row)
    return out


def _write_api(folder: Path, ind: dict = IND, occ: dict = OCC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "C24050.json").write_text(json.dumps(_api_rows("C24050", ind)), encoding="utf-8")
    (folder / "C24060.json").write_text(json.dumps(_api_rows("C24060", occ)), encoding="utf-8")
    return folder


def _write_snapshot(folder: Path) -> Path:
    """The derived layout: wide CSV (estimates and MOEs) plus variables.csv, same facts."""
    folder.mkdir(parents=True, exist_ok=True)
    recs = []
    for (st, co), parts in IND.items():
        rec = {"county_fips": st + co, "state_fips": st, "county_code": co}
        for t, vals in (
            ("C24050", [sum(parts), *parts]),
            ("C24060", [sum(OCC[st, co]), *OCC[st, co]]),
        ):
            for i, x in enumerate(vals, start=1):
                rec[f"{t}_{i:03d}E"] = x
                rec[f"{t}_{i:03d}M"] = max(10, x // 10)
        recs.append(rec)
    pd.DataFrame(recs).to_csv(folder / "acs5_2019_county_C24050_C24060.csv", index=False)
    var = acs_variables().assign(codes_system="")
    var.to_csv(folder / "variables.csv", index=False)
    return folder


def test_builtin_acs_variables_cover_the_2019_lines():
    var = acs_variables()
    assert var["variable"].tolist() == [f"C24050_{i:03d}" for i in range(1, 15)] + [
        f"C24060_{i:03d}" for i in range(1, 7)
    ]
    assert (var["kind"] == "total").sum() == 2
    assert var.set_index("variable").loc["C24050_004", "codes"] == "31-33"
    # every SOC major group 11..53 (odd codes) belongs to exactly one ACS occupation group
    occ_codes = ";".join(var.loc[var["kind"] == "occupation", "codes"]).split(";")
    assert sorted(occ_codes) == [str(c) for c in range(11, 54, 2)]
    assert len(ACS_VARIABLES) == 20


def test_api_json_gives_the_same_frames_as_the_snapshot(tmp_path):
    api = _write_api(tmp_path / "api")
    industry, occupation = read_acs_county(api)
    snap = read_acs_county(_write_snapshot(tmp_path / "snap"))
    pd.testing.assert_frame_equal(industry, snap[0])
    pd.testing.assert_frame_equal(occupation, snap[1])
    # facts typed above
    assert len(industry) == 3 * 13 and len(occupation) == 3 * 5
    got = industry.set_index(["county_fips", "group"])["employed"]
    assert got["01001", "C24050_004"] == 3176.0 and got["11001", "C24050_014"] == 60000.0
    assert occupation["county_fips"].unique().tolist() == ["01001", "02013", "11001"]
    assert industry.loc[0, "label"] == "Agriculture, forestry, fishing and hunting, and mining"
    # a single response file is accepted as the path too
    same = read_acs_county(api / "C24060.json")
    pd.testing.assert_frame_equal(same[1], occupation)


def _edit_json(path: Path, row: int, column: str, value: object) -> None:
    data = json.loads(path.read_text())
    data[row][data[0].index(column)] = value
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "message"),
    [
        ("C24050.json", 2, "C24050_007E", "-666666666", "bad number"),
        ("C24050.json", 1, "C24050_003E", "1,4x9", "bad number"),
        ("C24060.json", 3, "C24060_002E", None, "bad number"),
        ("C24050.json", 2, "county", "13", "bad code"),
        ("C24060.json", 2, "C24060_001E", "2600", "do not add up"),
    ],
)
def test_api_json_errors_name_file_row_and_column(tmp_path, file, row, column, value, message):
    folder = _write_api(tmp_path / "api")
    _edit_json(folder / file, row, column, value)
    with pytest.raises(IcebergDataError, match=message) as err:
        read_acs_county(folder)
    assert err.value.file == str(folder / file)
    assert (err.value.row, err.value.column) == (row, column)


def test_api_json_structure_errors(tmp_path):
    folder = _write_api(tmp_path / "a")
    text = (folder / "C24060.json").read_text()
    (folder / "C24060.json").write_text(text[: len(text) // 2])  # truncated transfer
    with pytest.raises(IcebergDataError, match="not valid JSON") as err:
        read_acs_county(folder)
    assert err.value.file == str(folder / "C24060.json")

    folder = _write_api(tmp_path / "b", occ={k: v for k, v in OCC.items() if k[0] != "02"})
    with pytest.raises(IcebergDataError, match="different counties") as err:
        read_acs_county(folder)
    assert (err.value.file, err.value.row, err.value.found) == (
        str(folder / "C24050.json"),
        2,
        "02013",
    )

    folder = _write_api(tmp_path / "c")
    (folder / "C24060.json").unlink()
    with pytest.raises(IcebergDataError, match="not found") as err:
        read_acs_county(folder)
    assert err.value.file == str(folder / "C24060.json")

    folder = _write_api(tmp_path / "d")
    data = json.loads((folder / "C24050.json").read_text())
    data[2] = data[2][:-1]
    (folder / "C24050.json").write_text(json.dumps(data))
    with pytest.raises(IcebergDataError, match="number of fields") as err:
        read_acs_county(folder)
    assert err.value.row == 2

    folder = _write_api(tmp_path / "e")
    data = json.loads((folder / "C24060.json").read_text())
    data[3] = data[1]  # the first county again
    (folder / "C24060.json").write_text(json.dumps(data))
    with pytest.raises(IcebergDataError, match="duplicate key") as err:
        read_acs_county(folder)
    assert (err.value.file, err.value.row) == (str(folder / "C24060.json"), 3)

    folder = _write_api(tmp_path / "f")
    (folder / "C24050.json").write_text(json.dumps({"error": "unknown variable"}))
    with pytest.raises(IcebergDataError, match="not a Census API table"):
        read_acs_county(folder)


def test_locate_acs(tmp_path):
    folder = tmp_path / "acs"
    folder.mkdir()
    with pytest.raises(IcebergDataError, match="no ACS") as err:
        locate_acs(folder)
    assert "C24050.json" in err.value.expected
    _write_api(folder)
    assert locate_acs(folder) == folder / "C24050.json"
    _write_snapshot(folder)
    assert locate_acs(folder) == folder / "acs5_2019_county_C24050_C24060.csv"


# ------------------------------------------------------------------ fetch, then build's loaders


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` keyed by the unquoted path with its query string."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = self.server.files.get(urllib.parse.unquote(self.path))
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files = {}
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _local(src, base: str):
    """The shipped registry entry with its fetch downloads pointed at the local server."""
    ed = src.download_edition

    def move(url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return base + parts.path + ("?" + parts.query if parts.query else "")

    downloads = tuple(dataclasses.replace(d, url=move(d.url), mirrors=()) for d in ed.downloads)
    editions = tuple(
        dataclasses.replace(e, downloads=downloads) if e.name == ed.name else e
        for e in src.editions
    )
    return dataclasses.replace(src, editions=editions)


def test_fetch_then_locate_and_read(server, tmp_path):
    httpd, base = server
    shipped = load_registry()
    ids = ["oews_area_definitions", "acs5_2019_county_industry_occupation"]
    reg = {sid: _local(shipped[sid], base) for sid in ids}
    book = _xlsx(tmp_path / "book.xlsx", [HEADER_2025, *ROWS_2025])
    api = _write_api(tmp_path / "api")
    for sid in ids:  # serve each registered download under its real path and query
        for d in reg[sid].download_edition.downloads:
            key = urllib.parse.unquote(d.url.removeprefix(base))
            name = Path(d.filename).name
            httpd.files[key] = (book if name.endswith(".xlsx") else api / name).read_bytes()
    dest = tmp_path / "cache"
    out = fetch(ids, registry=reg, dest=dest, progress=False, timeout=5)
    assert set(out) == set(ids)

    area_file = locate_area_definitions(out["oews_area_definitions"])
    assert area_file.name == "area_definitions_m2025.xlsx"
    xwalk = read_county_area_crosswalk(area_file)
    pd.testing.assert_frame_equal(xwalk, read_county_area_crosswalk(_derived(tmp_path / "d")))

    acs_file = locate_acs(out["acs5_2019_county_industry_occupation"])
    assert acs_file.parent == dest / "acs5_2019_county_industry_occupation"
    industry, groups = read_acs_county(acs_file)
    snap = read_acs_county(_write_snapshot(tmp_path / "snap"))
    pd.testing.assert_frame_equal(industry, snap[0])
    pd.testing.assert_frame_equal(groups, snap[1])
