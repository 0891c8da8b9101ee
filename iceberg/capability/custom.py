"""A user's own capability values, at task, DWA, IWA or occupation level.

Format (CSV, one header row; read it with ``pandas.read_csv(path, dtype=str,
keep_default_na=False)`` and pass the frame here with ``file=path`` so errors name the file)::

    code,value
    4.A.2.a.4.I09,0.8
    4.A.3.b.6.I07,0.25

- ``code``: the code of the chosen ``level``

  ========== ============================== =====================
  level      code                           example
  ========== ============================== =====================
  task       O*NET task id (integer)        ``8823``
  dwa        O*NET DWA id                   ``4.A.2.a.4.I09.D03``
  iwa        O*NET IWA id                   ``4.A.2.a.4.I09``
  occupation SOC 2018 (or OEWS) 6-digit     ``15-1252``
  ========== ============================== =====================

- ``value``: a number in [0, 1] (capability of AI on that code); each code at most once.

Task, DWA and IWA values are carried to O*NET 29.3 tasks (mean over a task's DWA links) and the
tasks left without a value are filled like every other layer (DWA mean, else occupation mean).
Occupation values stay on SOC codes and go through the exposure model's occupation operator.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from iceberg.capability.base import (
    CapabilityLayer,
    Kind,
    TaskUniverse,
    map_to_tasks,
    task_layer_from_known,
)
from iceberg.errors import IcebergDataError, IcebergDataWarning

LEVELS = ("task", "dwa", "iwa", "occupation")
#: Layer names the build already uses; a custom layer may not take one of them.
BUILTIN_LAYERS = ("eloundou", "microsoft", "microsoft_soc", "anthropic", "aioe", "tools")
#: Share of a file's codes that may be unknown to O*NET before the build warns.
UNKNOWN_WARN_SHARE = 0.05


def check_matches(counts: dict, level: str, name: str, file: str | None = None) -> None:
    """Refuse a layer none of whose codes is known; warn when many are unknown.

    ``counts`` holds ``codes_given`` and ``codes_unknown``; ``codes_matched`` is added.
    """
    given = int(counts.get("codes_given", 0))
    unknown = int(counts.get("codes_unknown", 0))
    counts["codes_matched"] = given - unknown
    if given and unknown >= given:
        raise IcebergDataError(
            f"custom layer {name!r}: none of its {given:,} {level} codes is in O*NET 29.3",
            file=file, column="code", expected=f"{level} codes of O*NET 29.3 (is the level right?)",
        )
    if given and unknown / given > UNKNOWN_WARN_SHARE:
        warnings.warn(
            f"custom layer {name!r} ({file or 'frame'}): {unknown:,} of {given:,} {level} codes "
            f"({unknown / given:.0%}) are not in O*NET 29.3 and are ignored; "
            f"{given - unknown:,} matched",
            IcebergDataWarning, stacklevel=3,
        )
CODE_PATTERNS = {
    "task": re.compile(r"^\d+$"),
    "dwa": re.compile(r"^4\.A\.\d(\.[a-z])?(\.\d+)?\.I\d{2}\.D\d{2}$"),
    "iwa": re.compile(r"^4\.A\.\d(\.[a-z])?(\.\d+)?\.I\d{2}$"),
    "occupation": re.compile(r"^\d{2}-\d{4}$"),
}


def validate_frame(frame: pd.DataFrame, level: str, file: str | None = None) -> pd.DataFrame:
    """Check a ``code,value`` frame; return it with ``code`` str and ``value`` float.

    Raises
    ------
    IcebergDataError
        Naming the file, 1-based data row and column of the first bad cell.
    """
    if level not in LEVELS:
        raise IcebergDataError(
            "unknown custom layer level", file=file, expected=" | ".join(LEVELS), found=level
        )
    for col in ("code", "value"):
        if col not in frame.columns:
            raise IcebergDataError(
                "custom layer column missing", file=file, column=col,
                expected="columns code,value", found=list(frame.columns),
            )
    if frame.empty:
        raise IcebergDataError("custom layer has no rows", file=file, expected="≥ 1 row")
    codes = frame["code"].astype("string").str.strip()
    if level == "task":
        codes = codes.str.replace(r"\.0+$", "", regex=True)  # tolerate 8823.0
    good = codes.fillna("").str.match(CODE_PATTERNS[level]).to_numpy(dtype=bool)
    if not good.all():
        row = int(np.flatnonzero(~good)[0])
        raise IcebergDataError(
            f"bad {level} code", file=file, row=row + 1, column="code",
            expected=f"a {level} code like {CODE_PATTERNS[level].pattern}",
            found=frame["code"].iloc[row],
        )
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    good = np.isfinite(values) & (values >= 0) & (values <= 1)
    if not good.all():
        row = int(np.flatnonzero(~good)[0])
        raise IcebergDataError(
            "custom layer value outside [0, 1]", file=file, row=row + 1, column="value",
            expected="a number in [0, 1]", found=frame["value"].iloc[row],
        )
    dup = codes.duplicated().to_numpy(dtype=bool)
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise IcebergDataError(
            "code listed twice", file=file, row=row + 1, column="code",
            expected="each code at most once", found=codes.iloc[row],
        )
    return pd.DataFrame({"code": codes.to_numpy(dtype=object).astype(str), "value": values})


def occupation_layer(
    frame: pd.DataFrame,
    name: str = "custom",
    kind: Kind = "capability",
    description: str = "",
    file: str | None = None,
    known_codes: set[str] | None = None,
) -> CapabilityLayer:
    """Occupation-level layer on SOC 2018 (or OEWS aggregate) codes from a ``code,value`` frame.

    With ``known_codes`` (SOC codes of the data), a file matching none is refused and one
    with many unknown codes warns (:func:`check_matches`).
    """
    clean = validate_frame(frame, "occupation", file=file)
    counts = {"codes_given": len(clean)}
    if known_codes is not None:
        counts["codes_unknown"] = int((~clean["code"].isin(set(known_codes))).sum())
        check_matches(counts, "occupation", name, file)
    return CapabilityLayer(
        name=name,
        code_system="occupation",
        kind=kind,
        codes=clean["code"].to_numpy(),
        base={"default": clean["value"].to_numpy()},
        slope={"default": np.zeros(len(clean))},
        counts=counts,
        description=description or f"user occupation values ({file or 'frame'})",
    )


def custom_layer(
    frame: pd.DataFrame,
    level: str,
    universe: TaskUniverse | None = None,
    name: str = "custom",
    kind: Kind = "capability",
    file: str | None = None,
) -> CapabilityLayer:
    """A user layer at ``level`` ``"task"``, ``"dwa"``, ``"iwa"`` or ``"occupation"``.

    Parameters
    ----------
    frame : pd.DataFrame
        Columns ``code`` and ``value`` (strings are fine; they are validated and converted).
    level : str
        The code system of ``code``.
    universe : TaskUniverse
        Required for task, DWA and IWA levels.
    name : str
        Layer name in the model.
    kind : {"capability", "adoption"}
    file : str, optional
        Source file name, used in error messages and the description.

    Returns
    -------
    CapabilityLayer
        Counts: ``codes_given``, ``codes_unknown`` (not in O*NET 29.3), plus fill counts.
    """
    if name in BUILTIN_LAYERS:
        raise IcebergDataError(f"custom layer name {name!r} is a built-in layer", file=file,
                               expected="a name other than " + ", ".join(BUILTIN_LAYERS), found=name)
    if level == "occupation":
        known = None if universe is None else {str(c)[:7] for c in universe.occ_codes}
        return occupation_layer(frame, name=name, kind=kind, file=file, known_codes=known)
    clean = validate_frame(frame, level, file=file)
    if universe is None:
        raise ValueError("a TaskUniverse is needed for task, DWA and IWA levels")
    t = universe.n_tasks
    if level == "task":
        pos = universe.position(clean["code"].astype(np.int64).to_numpy())
        ok = pos >= 0
        known = np.zeros(t, dtype=bool)
        known[pos[ok]] = True
        vals = np.zeros(t)
        vals[pos[ok]] = clean["value"].to_numpy()[ok]
        counts = {"codes_given": len(clean), "codes_unknown": int((~ok).sum())}
    else:
        vals, known, counts = map_to_tasks(
            universe, level, clean["code"].to_numpy(), clean["value"].to_numpy()
        )
        vals = vals[:, 0]
    check_matches(counts, level, name, file)
    description = f"user {level}-level values ({file or 'frame'}), carried to O*NET 29.3 tasks"
    return task_layer_from_known(
        name, level, kind, universe, {"default": vals}, {"default": np.zeros(t)}, known,
        counts, description,
    )
