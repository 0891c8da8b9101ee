"""Unit tests for iceberg.io.census on the hand-made files in tests/fixtures/census."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from iceberg.errors import IcebergDataError
from iceberg.io.boundaries import read_boundaries, read_states
from iceberg.io.census import (
    read_acs_county,
    read_county_area_crosswalk,
    read_county_population,
)

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "census"


def _edit(src: Path, dst: Path, old: str, new: str, encoding: str = "utf-8") -> Path:
    text = src.read_bytes().decode(encoding)
    assert old in text, old
    dst.write_bytes(text.replace(old, new, 1).encode(encoding))
    return dst


# ---------------------------------------------------------------------------------- crosswalk


def test_crosswalk_reads():
    df = read_county_area_crosswalk(FIX / "crosswalk.csv")
    assert list(df.columns) == [
        "county_fips",
        "state_fips",
        "state_abbr",
        "state_name",
        "county_name",
        "oews_area",
        "oews_area_title",
        "oews_area_type",
    ]
    assert df["county_fips"].tolist() == ["01001", "01003", "01005", "01011", "35013"]
    assert df["oews_area"].tolist()[2] == "0100003"  # leading zeros kept
    assert df["oews_area_type"].dtype == np.int64
    assert df["oews_area_type"].tolist() == [4, 4, 6, 6, 4]
    assert df.loc[4, "county_name"] == "Doña Ana"


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "message"),
    [
        ("01003,01,AL", "1003,01,AL", 2, "county_fips", "bad code"),
        ("01005,01,AL", "01005,1,AL", 3, "state_fips", "bad code"),
        ("35013,35,NM", "35013,01,NM", 5, "county_fips", "does not start"),
        ('19300,"Daphne', '1930,"Daphne', 2, "oews_area", "bad OEWS area code"),
        (
            "nonmetropolitan area,6,bls_msa_def_page_nonmetro\n01011",
            "nonmetropolitan area,5,x\n01011",
            3,
            "oews_area_type",
            "bad code",
        ),
        (
            "01011,01,AL,Alabama,Bullock",
            "01005,01,AL,Alabama,Bullock",
            4,
            "county_fips",
            "duplicate key",
        ),
        (
            "0100003,Southeast Alabama nonmetropolitan area,6,bls_msa_def_page_nonmetro\n35013",
            "0100003,Other title,6,x\n35013",
            3,
            "oews_area_title",
            "more than one title",
        ),
    ],
)
def test_crosswalk_bad_values(tmp_path, old, new, row, column, message):
    bad = _edit(FIX / "crosswalk.csv", tmp_path / "cw.csv", old, new)
    with pytest.raises(IcebergDataError, match=message) as err:
        read_county_area_crosswalk(bad)
    assert err.value.row == row
    assert err.value.column == column
    assert err.value.file == str(bad)


def test_crosswalk_missing_column(tmp_path):
    bad = _edit(FIX / "crosswalk.csv", tmp_path / "cw.csv", "oews_area_title", "area_title")
    with pytest.raises(IcebergDataError, match="required column missing") as err:
        read_county_area_crosswalk(bad)
    assert err.value.column == "oews_area_title"


def test_crosswalk_wrong_encoding(tmp_path):
    bad = tmp_path / "cw.csv"
    bad.write_bytes((FIX / "crosswalk.csv").read_text("utf-8").encode("latin-1"))
    with pytest.raises(IcebergDataError, match="encoding") as err:
        read_county_area_crosswalk(bad)
    assert err.value.row == 5  # the Doña Ana line
    utf16 = tmp_path / "cw16.csv"
    utf16.write_bytes((FIX / "crosswalk.csv").read_text("utf-8").encode("utf-16"))
    with pytest.raises(IcebergDataError, match="encoding"):
        read_county_area_crosswalk(utf16)


def test_crosswalk_truncated_and_empty(tmp_path):
    text = (FIX / "crosswalk.csv").read_text("utf-8")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.index("Doña Ana") + 4], "utf-8")  # last line cut mid-row
    with pytest.raises(IcebergDataError) as err:
        read_county_area_crosswalk(cut)
    assert err.value.row == 5
    empty = tmp_path / "empty.csv"
    empty.write_text("", "utf-8")
    with pytest.raises(IcebergDataError, match="empty"):
        read_county_area_crosswalk(empty)
    with pytest.raises(IcebergDataError, match="not found"):
        read_county_area_crosswalk(tmp_path / "nope.csv")


# --------------------------------------------------------------------------------- population


def test_population_reads_counties_only():
    df = read_county_population(FIX / "co-est2024-alldata.csv")
    assert list(df.columns) == ["county_fips", "state_fips", "county_name", "population"]
    assert df["county_fips"].tolist() == ["01001", "01003", "35013"]  # SUMLEV 040 rows left out
    assert df["population"].dtype == np.int64
    assert df["population"].tolist() == [51000, 205000, 152000]  # latest year: 2024
    assert df.loc[2, "county_name"] == "Doña Ana County"  # Latin-1 decoded
    assert read_county_population(FIX / "co-est2024-alldata.csv", year=2023)[
        "population"
    ].tolist() == [
        50000,
        200000,
        150000,
    ]


def test_population_folder_and_utf8(tmp_path):
    shutil.copy(FIX / "co-est2024-alldata.csv", tmp_path / "co-est2024-alldata.csv")
    assert len(read_county_population(tmp_path)) == 3
    utf8 = tmp_path / "u" / "co-est2024-alldata.csv"
    utf8.parent.mkdir()
    utf8.write_text((FIX / "co-est2024-alldata.csv").read_bytes().decode("latin-1"), "utf-8")
    assert read_county_population(utf8).loc[2, "county_name"] == "Doña Ana County"


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "message"),
    [
        (
            "01,003,Alabama,Baldwin County,200000,205000",
            "01,3,Alabama,Baldwin County,200000,205000",
            3,
            "COUNTY",
            "bad code",
        ),
        ("050,3,6,01,001", "050,3,6,1,001", 2, "STATE", "bad code"),
        ("50000,51000", "50000,6o839", 2, "POPESTIMATE2024", "bad number"),
        ("200000,205000", "200000,-5", 3, "POPESTIMATE2024", "bad number"),
        ("01,003,Alabama,Baldwin", "01,001,Alabama,Baldwin", 3, "COUNTY", "duplicate key"),
    ],
)
def test_population_bad_values(tmp_path, old, new, row, column, message):
    bad = _edit(FIX / "co-est2024-alldata.csv", tmp_path / "p.csv", old, new, encoding="latin-1")
    with pytest.raises(IcebergDataError, match=message) as err:
        read_county_population(bad)
    assert (err.value.row, err.value.column) == (row, column)


def test_population_missing_column_and_truncated(tmp_path):
    bad = _edit(
        FIX / "co-est2024-alldata.csv", tmp_path / "p.csv", "CTYNAME", "NAME", encoding="latin-1"
    )
    with pytest.raises(IcebergDataError, match="required column missing") as err:
        read_county_population(bad)
    assert err.value.column == "CTYNAME"
    data = (FIX / "co-est2024-alldata.csv").read_bytes()
    cut = tmp_path / "cut.csv"
    cut.write_bytes(data[: data.rindex(b"150000")])  # 2024 value of the last row lost
    with pytest.raises(IcebergDataError, match="bad number") as err:
        read_county_population(cut)
    assert err.value.row == 5


# ---------------------------------------------------------------------------------------- ACS


def test_acs_long_frames():
    industry, occupation = read_acs_county(FIX / "acs")
    cols = ["county_fips", "group", "label", "codes", "employed"]
    assert list(industry.columns) == cols and list(occupation.columns) == cols
    assert industry["group"].tolist() == ["C24050_002", "C24050_003"] * 2  # totals left out
    assert industry["employed"].tolist() == [30.0, 70.0, 0.0, 250.0]
    assert occupation["county_fips"].tolist() == ["01001", "01001", "01003", "01003"]
    assert occupation["employed"].tolist() == [40.0, 60.0, 100.0, 150.0]
    assert occupation.loc[0, "codes"] == "11;13;15"
    assert industry["employed"].dtype == np.float64
    same = read_acs_county(FIX / "acs" / "acs5_2019_county_C24050_C24060.csv")
    assert same[0].equals(industry)


def _acs_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "acs"
    shutil.copytree(FIX / "acs", dst)
    return dst


@pytest.mark.parametrize(
    ("old", "new", "row", "column", "message"),
    [
        ("01003,01,003,250", "1003,01,003,250", 2, "county_fips", "bad code"),
        ("01003,01,003,250", "01001,01,003,250", 2, "county_fips", "duplicate key"),
        ("100,30,70", "100,3O,70", 1, "C24050_002E", "bad number"),
        ("100,30,70", "100,-30,70", 1, "C24050_002E", "bad number"),
        ("100,30,70", "100,32,70", 1, "C24050_001E", "do not add up"),
    ],
)
def test_acs_bad_values(tmp_path, old, new, row, column, message):
    folder = _acs_copy(tmp_path)
    wide = folder / "acs5_2019_county_C24050_C24060.csv"
    _edit(wide, wide, old, new)
    with pytest.raises(IcebergDataError, match=message) as err:
        read_acs_county(folder)
    assert (err.value.row, err.value.column) == (row, column)


def test_acs_missing_column_variables_and_truncation(tmp_path):
    folder = _acs_copy(tmp_path)
    wide = folder / "acs5_2019_county_C24050_C24060.csv"
    _edit(wide, wide, "C24060_003E", "C24060_03E")
    with pytest.raises(IcebergDataError, match="required column missing") as err:
        read_acs_county(folder)
    assert err.value.column == "C24060_003E"

    folder2 = _acs_copy(tmp_path / "b")
    (folder2 / "variables.csv").unlink()
    with pytest.raises(IcebergDataError, match="not found"):
        read_acs_county(folder2)

    folder3 = _acs_copy(tmp_path / "c")
    var = folder3 / "variables.csv"
    _edit(var, var, "occupation,31;33", "occupations,31;33")
    with pytest.raises(IcebergDataError) as err:
        read_acs_county(folder3)
    assert (err.value.row, err.value.column) == (6, "kind")

    folder4 = _acs_copy(tmp_path / "d")
    wide4 = folder4 / "acs5_2019_county_C24050_C24060.csv"
    data = wide4.read_bytes()
    wide4.write_bytes(data[: data.rindex(b"250,100,150")])  # last row cut before its C24060 values
    with pytest.raises(IcebergDataError, match="bad number") as err:
        read_acs_county(folder4)
    assert err.value.row == 2


# --------------------------------------------------------------------------------- boundaries


def _counties_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"GEOID": ["20001", "20003"], "STATEFP": ["20", "20"], "NAME": ["Allen", "Anderson"]},
        geometry=[box(-95.5, 37.7, -95.0, 38.0), box(-95.5, 38.0, -95.0, 38.3)],
        crs="EPSG:4269",
    )


def _write_shp(gdf: gpd.GeoDataFrame, folder: Path, stem: str = "cb_test") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{stem}.shp"
    gdf.to_file(shp)
    return shp


def test_boundaries_folder_shp_zip(tmp_path):
    shp = _write_shp(_counties_gdf(), tmp_path / "cb")
    zpath = tmp_path / "cb.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for f in shp.parent.iterdir():
            zf.write(f, f.name)
    for src in (shp.parent, shp, zpath):
        gdf = read_boundaries(src)
        assert list(gdf.columns) == ["geoid", "state_fips", "name", "geometry"]
        assert gdf["geoid"].tolist() == ["20001", "20003"]
        assert gdf["state_fips"].tolist() == ["20", "20"]
        assert gdf.crs.to_epsg() == 4269


def test_boundaries_numeric_geoid_is_rejected(tmp_path):
    gdf = _counties_gdf().assign(GEOID=["2001", "20003"])
    with pytest.raises(IcebergDataError, match="bad code") as err:
        read_boundaries(_write_shp(gdf, tmp_path / "cb"))
    assert (err.value.row, err.value.column) == (1, "GEOID")


def test_boundaries_duplicate_missing_column_no_crs(tmp_path):
    dup = _counties_gdf().assign(GEOID=["20001", "20001"])
    with pytest.raises(IcebergDataError, match="duplicate key") as err:
        read_boundaries(_write_shp(dup, tmp_path / "a"))
    assert err.value.row == 2
    with pytest.raises(IcebergDataError, match="required column missing"):
        read_boundaries(_write_shp(_counties_gdf().drop(columns="NAME"), tmp_path / "b"))
    shp = _write_shp(_counties_gdf(), tmp_path / "c")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(IcebergDataError, match="no CRS"):
        read_boundaries(shp)


def test_boundaries_unreadable_inputs(tmp_path):
    junk = tmp_path / "cb.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(IcebergDataError, match="zip"):
        read_boundaries(junk)
    shp = _write_shp(_counties_gdf(), tmp_path / "t")
    data = shp.read_bytes()
    shp.write_bytes(data[: len(data) // 2])  # truncated geometry file
    with pytest.raises(IcebergDataError):
        read_boundaries(shp)
    two = tmp_path / "two"
    _write_shp(_counties_gdf(), two, "a")
    _write_shp(_counties_gdf(), two, "b")
    with pytest.raises(IcebergDataError, match="exactly one"):
        read_boundaries(two)
    assert len(read_boundaries(two, layer="b")) == 2


def test_states(tmp_path):
    states = gpd.GeoDataFrame(
        {"STATEFP": ["20", "29"], "STUSPS": ["KS", "MO"], "NAME": ["Kansas", "Missouri"]},
        geometry=[box(-102, 37, -94.6, 40), box(-94.6, 36, -89, 40.6)],
        crs="EPSG:4269",
    )
    out = read_states(_write_shp(states, tmp_path / "s"))
    assert list(out.columns) == ["state_fips", "state_abbr", "name", "geometry"]
    assert out["state_abbr"].tolist() == ["KS", "MO"]
    bad = states.assign(STATEFP=["20", "2"])
    with pytest.raises(IcebergDataError, match="bad code") as err:
        read_states(_write_shp(bad, tmp_path / "b"))
    assert (err.value.row, err.value.column) == (2, "STATEFP")
