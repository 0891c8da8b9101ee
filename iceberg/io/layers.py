"""Raw capability-layer sources, each in its own code system (recorded in ``CODE_SYSTEMS``).

These loaders only read and check; mapping onto O*NET 29.3 tasks or SOC 2018 happens in
:mod:`iceberg.capability`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.io._table import (
    ONET_SOC,
    SOC_DETAILED,
    check_pattern,
    check_unique,
    find_file,
    read_excel_table,
    read_text_table,
    to_number,
)

#: The code system each raw layer is published in.
CODE_SYSTEMS = {
    "eloundou": "O*NET-SOC 2019 task ids (O*NET 27.2 task universe)",
    "microsoft_iwa": "O*NET IWA ids (29.x content model)",
    "microsoft_soc": "BLS National Employment Matrix codes (SOC 2018 + 12 aggregates)",
    "anthropic": "lower-cased O*NET task text (O*NET 20.x task list, O*NET-SOC 2010)",
    "aioe": "SOC 2010 detailed codes",
}
LABELS = ("E0", "E1", "E2")


def _file(folder: str | Path, stem: str, suffixes: list[str]) -> Path:
    folder = Path(folder)
    if folder.is_file():
        return folder
    found = find_file(folder, [stem], suffixes)
    if found is None:
        raise IcebergDataError("capability source file not found", file=folder / f"{stem}{suffixes[0]}",
                               expected=f"{stem} with one of {suffixes}")
    return found


def _check_labels(frame: pd.DataFrame, column: str, path: Path) -> None:
    bad = ~frame[column].isin(LABELS)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise IcebergDataError("unknown exposure label", file=path, row=row + 1, column=column,
                               expected="E0, E1 or E2", found=frame[column].iloc[row])


def read_eloundou(path: str | Path) -> pd.DataFrame:
    """Eloundou et al. task labels (``full_labelset.tsv``).

    Returns
    -------
    pd.DataFrame
        ``onet_soc, task_id (int64), task, task_type, human, gpt4`` — ``human`` is the aggregated
        human annotator label (``human_exposure_agg``), ``gpt4`` the GPT-4 main-rubric label.
    """
    path = _file(path, "full_labelset", [".tsv"])
    cols = ["O*NET-SOC Code", "Task ID", "Task", "Task Type", "human_exposure_agg", "gpt4_exposure"]
    frame = read_text_table(path, sep="\t", required=cols)
    frame = frame.apply(lambda s: s.str.strip())  # CRLF line ends in sibling files; be tolerant
    check_pattern(frame, "O*NET-SOC Code", ONET_SOC, path)
    ids, _ = to_number(frame, "Task ID", path, allow_empty=False, minimum=1, integer=True)  # 8823.0 ok
    _check_labels(frame, "human_exposure_agg", path)
    _check_labels(frame, "gpt4_exposure", path)
    out = pd.DataFrame(
        {
            "onet_soc": frame["O*NET-SOC Code"],
            "task_id": ids.astype("int64"),
            "task": frame["Task"],
            "task_type": frame["Task Type"].replace({"": pd.NA}),
            "human": frame["human_exposure_agg"],
            "gpt4": frame["gpt4_exposure"],
        }
    )
    check_unique(out, ["onet_soc", "task_id"], path)
    return out


def read_microsoft_iwa(folder: str | Path) -> pd.DataFrame:
    """Microsoft *Working with AI* IWA metrics (``iwa_metrics.csv``) → ``iwa_id, title, <metrics>``.

    Metric columns are float64; empty cells (a few IWAs) stay NaN and are counted by the layer.
    """
    path = _file(folder, "iwa_metrics", [".csv"])
    frame = read_text_table(path, required=["IWA", "title", "completion_x_scope_x_coverage_ai",
                                            "completion_x_scope_x_coverage_user"])
    check_pattern(frame, "IWA", r"4\.A\.[\w.]+\.I\d{2}", path)
    check_unique(frame, ["IWA"], path)
    out = pd.DataFrame({"iwa_id": frame["IWA"], "title": frame["title"]})
    for column in frame.columns:
        if column not in ("IWA", "title"):  # shares, fractions and their products: in [0, 1]
            out[column], _ = to_number(frame, column, path, minimum=0, maximum=1)
    return out


def read_microsoft_soc(folder: str | Path) -> pd.DataFrame:
    """Microsoft SOC-level AI applicability (``soc_ai_applicability_scores.csv``) → ``soc_code, title, ai_applicability_score``."""
    path = _file(folder, "soc_ai_applicability_scores", [".csv"])
    frame = read_text_table(path, required=["SOC Code", "title", "ai_applicability_score"])
    check_pattern(frame, "SOC Code", SOC_DETAILED, path)
    check_unique(frame, ["SOC Code"], path)
    score, _ = to_number(frame, "ai_applicability_score", path, allow_empty=False, minimum=0, maximum=1)
    return pd.DataFrame({"soc_code": frame["SOC Code"], "title": frame["title"], "ai_applicability_score": score})


def read_anthropic_tasks(folder: str | Path) -> pd.DataFrame:
    """Anthropic Economic Index task shares (``onet_task_mappings.csv``) → ``task_text, pct``.

    ``task_text`` is lower-cased and stripped; ``pct`` is the % of classified conversations.
    """
    path = _file(folder, "onet_task_mappings", [".csv"])
    frame = read_text_table(path, required=["task_name", "pct"])
    pct, _ = to_number(frame, "pct", path, allow_empty=False, minimum=0, maximum=100)
    out = pd.DataFrame({"task_text": frame["task_name"].str.strip().str.lower(), "pct": pct})
    check_unique(out, ["task_text"], path)
    return out


def read_aioe(path: str | Path) -> pd.DataFrame:
    """Felten–Raj–Seamans AIOE by occupation (``AIOE_DataAppendix.xlsx``, sheet ``Appendix A``).

    Returns ``soc_2010, title, aioe`` (standardised score, unbounded).
    """
    path = _file(path, "AIOE_DataAppendix", [".xlsx"])
    frame = read_excel_table(path, sheet="Appendix A", required=["SOC Code", "Occupation Title", "AIOE"])
    check_pattern(frame, "SOC Code", SOC_DETAILED, path)
    check_unique(frame, ["SOC Code"], path)
    # a standardised score (published range about -2.7 … 1.5): |z| > 10 is a corrupt cell
    score, _ = to_number(frame, "AIOE", path, allow_empty=False, minimum=-10, maximum=10)
    return pd.DataFrame({"soc_2010": frame["SOC Code"], "title": frame["Occupation Title"], "aioe": score})


def read_custom_layer(path: str | Path) -> pd.DataFrame:
    """A user's capability CSV (``code,value``; see :mod:`iceberg.capability.custom`).

    Returns the two columns as text; :func:`iceberg.capability.custom_layer` validates codes
    for the chosen level and values in [0, 1], naming the file, row and column of a bad cell.
    """
    path = Path(path)
    frame = read_text_table(path, required=["code", "value"])
    return frame[["code", "value"]]
