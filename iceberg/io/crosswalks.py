"""O*NET-SOC crosswalks (O*NET-SOC 2019 → SOC 2018; O*NET-SOC 2010 → 2019)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    ONET_SOC,
    SOC_DETAILED,
    check_pattern,
    check_unique,
    find_file,
    read_text_table,
)


def _locate(folder: str | Path, stem: str) -> Path:
    path = Path(folder)
    if path.is_file():
        return path
    found = find_file(path, [stem], [".csv", ".txt"])
    if found is None:
        raise IcebergDataError("crosswalk file not found", file=path / f"{stem}.csv",
                               expected=f"{stem}.csv")
    return found


def read_onet_soc_crosswalk(folder: str | Path) -> pd.DataFrame:
    """O*NET-SOC 2019 → SOC 2018 → ``onet_soc, onet_title, soc_code, soc_title`` (many-to-one)."""
    path = _locate(folder, "2019_to_SOC_Crosswalk")
    cols = ["O*NET-SOC 2019 Code", "O*NET-SOC 2019 Title", "2018 SOC Code", "2018 SOC Title"]
    frame = read_text_table(path, sep="\t" if path.suffix == ".txt" else ",", required=cols)
    check_pattern(frame, cols[0], ONET_SOC, path)
    check_pattern(frame, cols[2], SOC_DETAILED, path)
    check_unique(frame, [cols[0]], path)
    return pd.DataFrame(
        {"onet_soc": frame[cols[0]], "onet_title": frame[cols[1]], "soc_code": frame[cols[2]],
         "soc_title": frame[cols[3]]}
    )


def read_onet_2010_2019(folder: str | Path) -> pd.DataFrame:
    """O*NET-SOC 2010 → 2019 → ``onet_soc_2010, onet_soc_2019`` (many-to-many)."""
    path = _locate(folder, "2010_to_2019_Crosswalk")
    cols = ["O*NET-SOC 2010 Code", "O*NET-SOC 2019 Code"]
    frame = read_text_table(path, sep="\t" if path.suffix == ".txt" else ",", required=cols)
    check_pattern(frame, cols[0], ONET_SOC, path)
    check_pattern(frame, cols[1], ONET_SOC, path)
    check_unique(frame, cols, path)
    return pd.DataFrame({"onet_soc_2010": frame[cols[0]], "onet_soc_2019": frame[cols[1]]})
