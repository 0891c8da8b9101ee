"""Loaders: tidy output from hand-made files, and one named error for each kind of bad input."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from iceberg.errors import IcebergDataError
from iceberg.io import crosswalks, layers, oews, onet

TASKS_TXT = (
    "O*NET-SOC Code\tTask ID\tTask\tTask Type\tIncumbents Responding\tDate\tDomain Source\n"
    "11-1011.00\t8823\tDirect financial activities.\tCore\t95\t08/2023\tIncumbent\n"
    "11-1011.00\t8824\tConfer with board members.\tSupplemental\t95\t08/2023\tIncumbent\n"
    "15-1252.00\t16363\tWrite code.\tn/a\tn/a\t08/2023\tAnalyst\n"
)

OCCUPATIONS_TXT = (
    "O*NET-SOC Code\tTitle\tDescription\n"
    "11-1011.00\tChief Executives\tDetermine policies.\n"
    "15-1252.00\tSoftware Developers\tDevelop software.\n"
)

OEWS_HEADER = (
    "AREA,AREA_CODE,AREA_TITLE,AREA_TYPE,PRIM_STATE,STATE_FIPS,INDUSTRY_CODE,NAICS,NAICS_TITLE,I_GROUP,"
    "OCC_CODE,OCC_TITLE,O_GROUP,TOT_EMP,EMP_PRSE,JOBS_1000,LOC_QUOTIENT,H_MEAN,A_MEAN,MEAN_PRSE,"
    "H_MEDIAN,A_MEDIAN,ANNUAL,HOURLY,FOOTNOTES\n"
)


def oews_row(occ: str, group: str, emp: str, a_mean: str, a_median: str = "50000", h_mean: str = "24.0",
             hourly: str = "") -> str:
    return (f'10180,0010180,"Abilene, TX",4,TX,48,000000,000000,Cross-Industry,cross-industry,'
            f"{occ},Title {occ},{group},{emp},1.0,,,{h_mean},{a_mean},1.0,20.0,{a_median},,{hourly},\n")


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_text_edition_tasks_parse_to_typed_frame(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT)
    write(tmp_path, "Occupation Data.txt", OCCUPATIONS_TXT)
    tasks = onet.read_tasks(tmp_path)
    assert list(tasks.columns) == ["onet_soc", "task_id", "task", "task_type"]
    assert tasks["task_id"].dtype == np.int64
    assert tasks["task_id"].tolist() == [8823, 8824, 16363]
    assert tasks["task_type"].isna().tolist() == [False, False, True]  # "n/a" → NA, not a string


def test_excel_and_text_editions_give_identical_frames(tmp_path):
    text_dir, xlsx_dir = tmp_path / "txt", tmp_path / "xlsx"
    text_dir.mkdir()
    xlsx_dir.mkdir()
    write(text_dir, "Task Statements.txt", TASKS_TXT)
    for folder in (text_dir, xlsx_dir):
        write(folder, "Occupation Data.txt", OCCUPATIONS_TXT)
    frame = pd.read_csv(text_dir / "Task Statements.txt", sep="\t", dtype=str, keep_default_na=False)
    frame.insert(1, "Title", ["Chief Executives", "Chief Executives", "Software Developers"])
    frame = frame.replace({"n/a": None})
    frame.to_excel(xlsx_dir / "Task Statements.xlsx", index=False)
    pd.testing.assert_frame_equal(onet.read_tasks(text_dir), onet.read_tasks(xlsx_dir))


def test_task_ratings_absent_returns_none(tmp_path):
    assert onet.read_task_ratings(tmp_path) is None


def test_missing_column_is_named(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT.replace("Task Type", "Kind"))
    with pytest.raises(IcebergDataError) as err:
        onet.read_tasks(tmp_path)
    assert err.value.column == "Task Type"
    assert "Task Statements.txt" in err.value.file


def test_bad_soc_code_names_row_and_column(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT.replace("15-1252.00", "151252"))
    with pytest.raises(IcebergDataError) as err:
        onet.read_tasks(tmp_path)
    assert (err.value.row, err.value.column, err.value.found) == (3, "O*NET-SOC Code", "151252")


def test_non_numeric_task_id(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT.replace("8824", "88x4"))
    with pytest.raises(IcebergDataError) as err:
        onet.read_tasks(tmp_path)
    assert (err.value.row, err.value.column) == (2, "Task ID")


def test_duplicate_task_id(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT.replace("8824", "8823"))
    with pytest.raises(IcebergDataError) as err:
        onet.read_tasks(tmp_path)
    assert err.value.row == 2 and "duplicate" in str(err.value)


def test_wrong_encoding(tmp_path):
    write(tmp_path, "Task Statements.txt", TASKS_TXT.replace("Write code.", "Write cödé."), encoding="latin-1")
    with pytest.raises(IcebergDataError) as err:
        onet.read_tasks(tmp_path)
    assert "encoding" in str(err.value)


def test_oews_symbols_become_flags_not_silent_nan(tmp_path):
    text = (OEWS_HEADER + oews_row("00-0000", "total", "\"1,000\"", "50000")
            + oews_row("11-1011", "detailed", "**", "#", "#")
            + oews_row("27-2011", "detailed", "30", "*", h_mean="58.29", hourly="TRUE"))
    frame = oews.read_oews(write(tmp_path, "area.csv", text))
    assert frame["tot_emp"].tolist()[0] == 1000.0
    ceo = frame.iloc[1]
    assert np.isnan(ceo["tot_emp"]) and ceo["emp_flag"] == "**"
    assert np.isnan(ceo["a_mean"]) and ceo["a_mean_flag"] == "#"
    actor = frame.iloc[2]
    assert actor["a_mean_flag"] == "*" and actor["hourly"] and actor["h_mean"] == 58.29
    assert frame["emp_flag"].tolist() == ["", "**", ""]


def test_oews_gzip_truncated(tmp_path):
    text = OEWS_HEADER + "".join(oews_row(f"11-10{i:02d}", "detailed", "10", "50000") for i in range(200))
    blob = gzip.compress(text.encode())
    path = tmp_path / "area.csv.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IcebergDataError) as err:
        oews.read_oews(path)
    assert "truncated" in str(err.value)


def test_oews_unknown_symbol_is_rejected(tmp_path):
    text = OEWS_HEADER + oews_row("11-1011", "detailed", "~", "50000")
    with pytest.raises(IcebergDataError) as err:
        oews.read_oews(write(tmp_path, "area.csv", text))
    assert (err.value.row, err.value.column, err.value.found) == (1, "TOT_EMP", "~")


def test_oews_negative_employment_is_out_of_range(tmp_path):
    text = OEWS_HEADER + oews_row("11-1011", "detailed", "-5", "50000")
    with pytest.raises(IcebergDataError, match="out of range"):
        oews.read_oews(write(tmp_path, "area.csv", text))


def test_crosswalk_many_to_one(tmp_path):
    write(tmp_path, "2019_to_SOC_Crosswalk.csv",
          "O*NET-SOC 2019 Code,O*NET-SOC 2019 Title,2018 SOC Code,2018 SOC Title\n"
          "11-1011.00,Chief Executives,11-1011,Chief Executives\n"
          "11-1011.03,Chief Sustainability Officers,11-1011,Chief Executives\n")
    frame = crosswalks.read_onet_soc_crosswalk(tmp_path)
    assert frame["soc_code"].tolist() == ["11-1011", "11-1011"]


def test_eloundou_float_ids_and_labels(tmp_path):
    header = "\tO*NET-SOC Code\tTask ID\tTask\tTask Type\tTitle\thuman_exposure_agg\tgpt4_exposure\n"
    write(tmp_path, "full_labelset.tsv", header + "0\t11-1011.00\t8823.0\tDo things.\tCore\tCEO\tE0\tE2\r\n")
    frame = layers.read_eloundou(tmp_path)
    assert frame.loc[0, "task_id"] == 8823 and frame.loc[0, "gpt4"] == "E2"
    write(tmp_path, "full_labelset.tsv", header + "0\t11-1011.00\t8823.0\tDo things.\tCore\tCEO\tE3\tE2\n")
    with pytest.raises(IcebergDataError) as err:
        layers.read_eloundou(tmp_path)
    assert err.value.column == "human_exposure_agg" and err.value.found == "E3"
