"""Bad-input corpus on copies of the real official files: one corrupted cell each."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from iceberg.errors import IcebergDataError


def test_real_oews_with_a_9_trillion_mean_wage_is_refused(raw_dir, tmp_path):
    from iceberg.io.oews import LEVEL_FILES, read_oews

    src = raw_dir / "oews_2025" / LEVEL_FILES["national"]
    frame = pd.read_csv(src, dtype=str, keep_default_na=False)
    row = int((frame["OCC_CODE"] == "43-4051").to_numpy().nonzero()[0][0])
    frame.loc[row, "A_MEAN"] = "9000000000000"
    frame.loc[row, "H_MEAN"] = ""
    bad = tmp_path / LEVEL_FILES["national"]
    frame.to_csv(bad, index=False, compression="gzip")
    assert len(read_oews(src)) == len(frame)  # the untouched file reads
    with pytest.raises(IcebergDataError) as err:
        read_oews(bad)
    assert (err.value.row, err.value.column) == (row + 1, "A_MEAN")


def test_real_population_without_popestimate2024_is_refused(raw_dir, tmp_path):
    from iceberg.io.census import read_county_population

    src = raw_dir / "census_popest_2024" / "co-est2024-alldata.csv"
    frame = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="latin-1")
    frame.drop(columns="POPESTIMATE2024").to_csv(tmp_path / src.name, index=False)
    with pytest.raises(IcebergDataError, match="POPESTIMATE2024"):
        read_county_population(tmp_path / src.name)


def test_real_onet_with_a_cut_occupation_data_is_refused(raw_dir, tmp_path):
    from iceberg.io.onet import read_tasks

    shutil.copy(raw_dir / "onet" / "Task Statements.xlsx", tmp_path)
    occ = pd.read_excel(raw_dir / "onet" / "Occupation Data.xlsx", dtype=str, engine="calamine")
    occ.iloc[: len(occ) // 2].to_excel(tmp_path / "Occupation Data.xlsx", index=False)
    with pytest.raises(IcebergDataError, match="missing from Occupation Data") as err:
        read_tasks(tmp_path)
    assert err.value.column == "O*NET-SOC Code" and err.value.row is not None
