"""O*NET database loaders: the text (tab-delimited ``.txt``) and Excel (``.xlsx``) editions.

Both editions give identical frames. The Excel edition adds ``Title``/``Scale Name`` columns and
writes empty cells where the text edition writes ``n/a``; both are normalised here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    ONET_SOC,
    check_pattern,
    check_unique,
    find_file,
    read_excel_table,
    read_text_table,
    to_number,
)

_SOC = "O*NET-SOC Code"


def onet_file(folder: str | Path, name: str) -> Path | None:
    """Path of O*NET file ``name`` (e.g. ``"Task Statements"``) in either edition, or None."""
    return find_file(folder, [name], [".txt", ".xlsx"])


def _read(folder: str | Path, name: str, required: list[str]) -> tuple[pd.DataFrame, Path]:
    path = onet_file(folder, name)
    if path is None:
        raise IcebergDataError(
            f"O*NET file {name!r} not found",
            file=Path(folder) / f"{name}.txt",
            expected=f"'{name}.txt' (text edition) or '{name}.xlsx' (Excel edition)",
        )
    if path.suffix == ".txt":
        frame = read_text_table(path, sep="\t", required=required)
    else:
        frame = read_excel_table(path, required=required)
    frame = frame.replace({"n/a": ""})
    check_pattern(frame, _SOC, ONET_SOC, path)
    return frame, path


def _task_ids(frame: pd.DataFrame, path: Path, column: str = "Task ID") -> pd.Series:
    values, _ = to_number(frame, column, path, allow_empty=False, minimum=1, integer=True)
    return values.astype("int64")


def read_occupations(folder: str | Path) -> pd.DataFrame:
    """Occupation Data → ``onet_soc, title, description`` (one row per O*NET-SOC code)."""
    frame, path = _read(folder, "Occupation Data", [_SOC, "Title", "Description"])
    check_unique(frame, [_SOC], path)
    return pd.DataFrame(
        {"onet_soc": frame[_SOC], "title": frame["Title"], "description": frame["Description"]}
    )


def read_tasks(folder: str | Path) -> pd.DataFrame:
    """Task Statements → ``onet_soc, task_id, task, task_type`` (task_type NA when unrated)."""
    frame, path = _read(folder, "Task Statements", [_SOC, "Task ID", "Task", "Task Type"])
    task_id = _task_ids(frame, path)
    out = pd.DataFrame(
        {
            "onet_soc": frame[_SOC],
            "task_id": task_id,
            "task": frame["Task"],
            "task_type": frame["Task Type"].replace({"": pd.NA}),
        }
    )
    bad = ~out["task_type"].isin(["Core", "Supplemental"]) & out["task_type"].notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise IcebergDataError("unknown task type", file=path, row=row + 1, column="Task Type",
                               expected="Core, Supplemental or empty", found=out["task_type"].iloc[row])
    check_unique(out, ["task_id"], path)
    # the occupation list is a required file too: read and check it, and every task's
    # occupation must be one of its codes (a corrupt or swapped Occupation Data is refused)
    known = set(read_occupations(folder)["onet_soc"])
    orphan = ~out["onet_soc"].isin(known)
    if orphan.any():
        row = int(orphan.to_numpy().nonzero()[0][0])
        raise IcebergDataError("task of an occupation missing from Occupation Data", file=path,
                               row=row + 1, column=_SOC, expected="an O*NET-SOC code listed in "
                               "Occupation Data", found=out["onet_soc"].iloc[row])
    return out


def read_task_ratings(folder: str | Path) -> pd.DataFrame | None:
    """Task Ratings → ``onet_soc, task_id, scale_id, category, value``; None when absent.

    ``scale_id`` is ``IM`` (importance 1–5), ``RT`` (relevance 0–100) or ``FT`` (frequency, one row
    per category 1–7 with the percentage of respondents as value).
    """
    if onet_file(folder, "Task Ratings") is None:
        return None
    frame, path = _read(folder, "Task Ratings", [_SOC, "Task ID", "Scale ID", "Category", "Data Value"])
    value, _ = to_number(frame, "Data Value", path, allow_empty=False, minimum=0)
    category, _ = to_number(frame, "Category", path)
    out = pd.DataFrame(
        {
            "onet_soc": frame[_SOC],
            "task_id": _task_ids(frame, path),
            "scale_id": frame["Scale ID"],
            "category": category.astype("Int64"),
            "value": value,
        }
    )
    check_unique(out, ["onet_soc", "task_id", "scale_id", "category"], path)
    return out


def read_tasks_to_dwas(folder: str | Path) -> pd.DataFrame:
    """Tasks to DWAs → ``onet_soc, task_id, dwa_id``."""
    frame, path = _read(folder, "Tasks to DWAs", [_SOC, "Task ID", "DWA ID"])
    check_pattern(frame, "DWA ID", r"4\.A\.[\w.]+\.I\d{2}\.D\d{2}", path)
    out = pd.DataFrame({"onet_soc": frame[_SOC], "task_id": _task_ids(frame, path), "dwa_id": frame["DWA ID"]})
    check_unique(out, ["onet_soc", "task_id", "dwa_id"], path)
    return out


def read_dwa_reference(folder: str | Path) -> pd.DataFrame:
    """DWA Reference → ``element_id, iwa_id, dwa_id, dwa_title``."""
    frame, path = _read_reference(folder, "DWA Reference", ["Element ID", "IWA ID", "DWA ID", "DWA Title"])
    check_unique(frame, ["DWA ID"], path)
    return pd.DataFrame(
        {"element_id": frame["Element ID"], "iwa_id": frame["IWA ID"], "dwa_id": frame["DWA ID"],
         "dwa_title": frame["DWA Title"]}
    )


def read_iwa_reference(folder: str | Path) -> pd.DataFrame:
    """IWA Reference → ``element_id, iwa_id, iwa_title``."""
    frame, path = _read_reference(folder, "IWA Reference", ["Element ID", "IWA ID", "IWA Title"])
    check_unique(frame, ["IWA ID"], path)
    return pd.DataFrame(
        {"element_id": frame["Element ID"], "iwa_id": frame["IWA ID"], "iwa_title": frame["IWA Title"]}
    )


def _read_reference(folder: str | Path, name: str, required: list[str]) -> tuple[pd.DataFrame, Path]:
    path = onet_file(folder, name)
    if path is None:
        raise IcebergDataError(f"O*NET file {name!r} not found", file=Path(folder) / f"{name}.txt",
                               expected=f"'{name}.txt' or '{name}.xlsx'")
    frame = (read_text_table(path, sep="\t", required=required) if path.suffix == ".txt"
             else read_excel_table(path, required=required))
    return frame, path


def _read_descriptor(folder: str | Path, name: str) -> pd.DataFrame:
    frame, path = _read(folder, name, [_SOC, "Element ID", "Element Name", "Scale ID", "Data Value"])
    value, _ = to_number(frame, "Data Value", path, allow_empty=False, minimum=0, maximum=7)
    out = pd.DataFrame(
        {
            "onet_soc": frame[_SOC],
            "element_id": frame["Element ID"],
            "element_name": frame["Element Name"],
            "scale_id": frame["Scale ID"],
            "value": value,
        }
    )
    check_unique(out, ["onet_soc", "element_id", "scale_id"], path)
    return out


def read_skills(folder: str | Path) -> pd.DataFrame:
    """Skills → ``onet_soc, element_id, element_name, scale_id (IM/LV), value``."""
    return _read_descriptor(folder, "Skills")


def read_knowledge(folder: str | Path) -> pd.DataFrame:
    """Knowledge → ``onet_soc, element_id, element_name, scale_id (IM/LV), value``."""
    return _read_descriptor(folder, "Knowledge")


def read_technology_skills(folder: str | Path) -> pd.DataFrame:
    """Technology Skills → ``onet_soc, example, commodity_code, commodity_title, hot_technology, in_demand``."""
    frame, _ = _read(folder, "Technology Skills",
                        [_SOC, "Example", "Commodity Code", "Commodity Title", "Hot Technology", "In Demand"])
    return pd.DataFrame(
        {
            "onet_soc": frame[_SOC],
            "example": frame["Example"],
            "commodity_code": frame["Commodity Code"],
            "commodity_title": frame["Commodity Title"],
            "hot_technology": frame["Hot Technology"].eq("Y"),
            "in_demand": frame["In Demand"].eq("Y"),
        }
    )
