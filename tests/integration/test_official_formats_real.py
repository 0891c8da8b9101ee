"""Official-format readers against the real snapshot: same frames as the derived files.

The official files are rebuilt in a temporary folder from the snapshot's own numbers (the
workbook layout BLS publishes, the JSON the Census API returns), so both readers meet the full
3,222-county / 3,140-county data.
"""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from iceberg.io.acs_api import acs_variables
from iceberg.io.census import read_acs_county, read_county_area_crosswalk

pytestmark = pytest.mark.integration


def test_builtin_acs_variables_match_the_snapshot_variables_csv(raw_dir):
    snap = pd.read_csv(
        raw_dir / "acs5_2019_county_industry_occupation" / "variables.csv",
        dtype=str,
        keep_default_na=False,
    )
    ours = acs_variables().fillna("")
    cols = ["variable", "table", "label", "kind", "codes"]
    pd.testing.assert_frame_equal(
        ours[cols].astype(str).reset_index(drop=True), snap[cols].reset_index(drop=True)
    )


def test_census_api_json_of_the_snapshot_reads_the_same(raw_dir, tmp_path):
    folder = raw_dir / "acs5_2019_county_industry_occupation"
    wide = pd.read_csv(folder / "acs5_2019_county_C24050_C24060.csv", dtype=str)
    for table in ("C24050", "C24060"):
        cols = [c for c in wide.columns if c.startswith(table)]
        header = ["NAME", *cols, "GEO_ID", "NAME", "state", "county"]
        body = wide[cols].assign(
            geo="0500000US" + wide["county_fips"], name="x", st=wide["state_fips"],
            co=wide["county_code"],
        )  # fmt: skip
        rows = [header] + [
            [r[-3], *r[:-4], r[-4], r[-3], r[-2], r[-1]] for r in body.values.tolist()
        ]
        (tmp_path / f"{table}.json").write_text(json.dumps(rows), encoding="utf-8")
    got = read_acs_county(tmp_path)
    want = read_acs_county(folder)
    assert len(want[0]) == 3140 * 13 and len(want[1]) == 3140 * 5
    pd.testing.assert_frame_equal(got[0], want[0])
    pd.testing.assert_frame_equal(got[1], want[1])


def test_bls_workbook_layout_of_the_snapshot_reads_the_same(raw_dir, tmp_path):
    csv = raw_dir / "oews_area_definitions" / "county_to_oews_area_may2025.csv"
    src = pd.read_csv(csv, dtype=str).sort_values(["state_fips", "oews_area_code7"])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["FIPS code", "State", "State abbreviation", "May 2025 MSA code",
               "May 2025 MSA name", "County code", "County name"])  # fmt: skip
    for r in src.itertuples():
        ws.append([int(r.state_fips), r.state_name, r.state_abbr, int(r.oews_area_code7),
                   r.oews_area_title, int(r.county_fips3), r.county_name_full])  # fmt: skip
    book = tmp_path / "area_definitions_m2025.xlsx"
    wb.save(book)
    got = read_county_area_crosswalk(book)
    want = read_county_area_crosswalk(csv)
    assert len(want) == 3222
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["counts"]["counties_split_across_areas"] == 0
