"""The shared contract of every capability layer, and the fill rule for missing tasks.

A layer turns its own codes (tasks, DWAs, IWAs or occupations) into values in [0, 1]:

- *task layers* (code system ``"task"``, ``"dwa"`` or ``"iwa"``) yield one value per task of the
  O*NET 29.3 task universe, in the order of ``TaskUniverse.task_ids``;
- *occupation layers* (code system ``"occupation"``) yield one value per SOC 2018 detailed code
  (or OEWS/NEM aggregate code) they cover.

Every layer carries one or more *variants* (e.g. the rater of the Eloundou labels) and, per
variant, two vectors ``base`` and ``slope`` so that ``c = base + λ·slope`` stays linear in the
tool-frontier lever λ (``slope`` is zero for layers without a λ).

Fill rule (DESIGN §4): a 29.3 task missing from a layer inherits the mean of the layer values of
the tasks sharing its DWAs, else the mean over its O*NET-SOC occupation's valued tasks, else the
mean of all valued tasks. Every fill is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import sparse

CodeSystem = Literal["task", "dwa", "iwa", "occupation"]
Kind = Literal["capability", "adoption"]

#: Fill sources of a task value, in the order they are tried.
FILL_LABELS = ("mapped", "filled_dwa_mean", "filled_occupation_mean", "filled_global_mean")


def exposure_vector(base: np.ndarray, slope: np.ndarray, lam: float | np.ndarray = 0.0,
                    tau: float | None = None) -> np.ndarray:
    """The one capability/exposure formula: ``clip(base + λ·slope, 0, 1)``; with ``tau``,
    ``1[clip(base + λ·slope, 0, 1) ≥ τ]``.

    Parameters
    ----------
    base, slope : np.ndarray
        The two λ-linear components (tasks or occupations), same length.
    lam : float or np.ndarray
        Tool frontier λ (an array broadcasts, e.g. one λ per Monte Carlo draw as a column).
    tau : float, optional
        Threshold: return 0/1 indicators instead of the clipped values.

    Returns
    -------
    np.ndarray
        Values in [0, 1] (floats 0.0/1.0 with ``tau``).
    """
    c = np.clip(base + lam * slope, 0.0, 1.0)
    return (c >= tau).astype(float) if tau is not None else c


@dataclass(frozen=True)
class TaskUniverse:
    """The O*NET 29.3 tasks and their DWA links as index arrays and sparse incidence matrices.

    Build it once with :meth:`from_frames` and share it between layers and the exposure model.

    Attributes
    ----------
    task_ids : np.ndarray
        int64 task ids, length T (order of the Task Statements frame).
    onet_soc : np.ndarray
        O*NET-SOC code of each task (str), length T.
    task_type : np.ndarray
        ``"Core"``, ``"Supplemental"`` or ``""`` per task.
    task_text : np.ndarray
        Task statement per task.
    occ_codes : np.ndarray
        Distinct O*NET-SOC codes with tasks, length J.
    task_occ : sparse.csr_matrix
        T × J incidence (1 where the task belongs to the occupation).
    dwa_ids : np.ndarray
        Distinct DWA ids, length D.
    task_dwa : sparse.csr_matrix
        T × D incidence (1 where the task links to the DWA).
    dwa_iwa : sparse.csr_matrix
        D × I incidence (1 where the DWA belongs to the IWA), with ``iwa_ids`` length I.
    iwa_ids : np.ndarray
        Distinct IWA ids, length I.
    counts : dict
        Links that could not be placed (unknown task or DWA ids).
    """

    task_ids: np.ndarray
    onet_soc: np.ndarray
    task_type: np.ndarray
    task_text: np.ndarray
    occ_codes: np.ndarray
    task_occ: sparse.csr_matrix
    dwa_ids: np.ndarray
    task_dwa: sparse.csr_matrix
    iwa_ids: np.ndarray
    dwa_iwa: sparse.csr_matrix
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def n_tasks(self) -> int:
        return len(self.task_ids)

    def position(self, task_ids: np.ndarray) -> np.ndarray:
        """Positions of ``task_ids`` in the universe (−1 where absent)."""
        index = pd.Index(self.task_ids)
        return index.get_indexer(np.asarray(task_ids, dtype=np.int64))

    @classmethod
    def from_frames(
        cls,
        tasks: pd.DataFrame,
        tasks_to_dwas: pd.DataFrame | None = None,
        dwa_reference: pd.DataFrame | None = None,
    ) -> TaskUniverse:
        """Build the universe from the loader frames.

        Parameters
        ----------
        tasks : pd.DataFrame
            ``read_tasks`` output: ``onet_soc, task_id, task, task_type``.
        tasks_to_dwas : pd.DataFrame, optional
            ``read_tasks_to_dwas`` output: ``onet_soc, task_id, dwa_id``.
        dwa_reference : pd.DataFrame, optional
            ``read_dwa_reference`` output: ``element_id, iwa_id, dwa_id, dwa_title``.

        Returns
        -------
        TaskUniverse
        """
        task_ids = tasks["task_id"].to_numpy(dtype=np.int64)
        if len(np.unique(task_ids)) != len(task_ids):
            raise ValueError("task ids of the task universe must be unique")
        onet_soc = tasks["onet_soc"].astype(str).to_numpy()
        occ_codes, occ_pos = np.unique(onet_soc, return_inverse=True)
        t = len(task_ids)
        task_occ = sparse.csr_matrix(
            (np.ones(t), (np.arange(t), occ_pos)), shape=(t, len(occ_codes))
        )
        ttype = tasks["task_type"].astype("string").fillna("").to_numpy(dtype=object).astype(str)
        text = tasks["task"].astype("string").fillna("").to_numpy(dtype=object).astype(str)
        counts: dict[str, int] = {}
        if tasks_to_dwas is not None and len(tasks_to_dwas):
            links = tasks_to_dwas[["task_id", "dwa_id"]].drop_duplicates()
            dwa_ids, dwa_pos = np.unique(links["dwa_id"].astype(str).to_numpy(), return_inverse=True)
            tpos = pd.Index(task_ids).get_indexer(links["task_id"].to_numpy(dtype=np.int64))
            ok = tpos >= 0
            counts["dwa_links_unknown_task"] = int((~ok).sum())
            task_dwa = sparse.csr_matrix(
                (np.ones(ok.sum()), (tpos[ok], dwa_pos[ok])), shape=(t, len(dwa_ids))
            )
        else:
            dwa_ids = np.array([], dtype=object)
            task_dwa = sparse.csr_matrix((t, 0))
        if dwa_reference is not None and len(dwa_reference):
            ref = dwa_reference[["iwa_id", "dwa_id"]].drop_duplicates()
            iwa_ids, iwa_pos = np.unique(ref["iwa_id"].astype(str).to_numpy(), return_inverse=True)
            dpos = pd.Index(dwa_ids).get_indexer(ref["dwa_id"].astype(str).to_numpy())
            ok = dpos >= 0
            counts["dwa_reference_unlinked_dwas"] = int((~ok).sum())
            dwa_iwa = sparse.csr_matrix(
                (np.ones(ok.sum()), (dpos[ok], iwa_pos[ok])), shape=(len(dwa_ids), len(iwa_ids))
            )
            counts["dwa_without_iwa"] = int((np.asarray(dwa_iwa.sum(axis=1)).ravel() == 0).sum())
        else:
            iwa_ids = np.array([], dtype=object)
            dwa_iwa = sparse.csr_matrix((len(dwa_ids), 0))
        counts["tasks"] = t
        counts["tasks_without_dwa"] = int((np.asarray(task_dwa.sum(axis=1)).ravel() == 0).sum())
        return cls(
            task_ids=task_ids,
            onet_soc=onet_soc,
            task_type=ttype,
            task_text=text,
            occ_codes=occ_codes,
            task_occ=task_occ,
            dwa_ids=dwa_ids,
            task_dwa=task_dwa,
            iwa_ids=iwa_ids,
            dwa_iwa=dwa_iwa,
            counts=counts,
        )


def _row_mean(incidence: sparse.csr_matrix, values: np.ndarray, known: np.ndarray):
    """Mean of ``values`` over the known columns each row links to (NaN where none)."""
    known_f = known.astype(float)
    num = incidence @ (values * known_f[:, None])
    den = incidence @ known_f
    out = np.full(num.shape, np.nan)
    np.divide(num, den[:, None], out=out, where=den[:, None] > 0)
    return out, den > 0


def fill_tasks(
    universe: TaskUniverse, values: np.ndarray, known: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Fill the tasks a layer does not value (DESIGN §4), all value columns at once.

    Parameters
    ----------
    universe : TaskUniverse
        The 29.3 task universe.
    values : np.ndarray
        T × k values (any number in rows where ``known`` is False; they are ignored).
    known : np.ndarray
        Boolean mask of tasks the layer values directly, length T.

    Returns
    -------
    filled : np.ndarray
        T × k values with every task valued.
    source : np.ndarray
        int8 per task: 0 mapped, 1 DWA mean, 2 occupation mean, 3 global mean
        (labels in :data:`FILL_LABELS`).
    counts : dict
        Tasks per fill source, keyed by :data:`FILL_LABELS`.

    Notes
    -----
    The DWA mean of a task is the mean, over its DWAs that have at least one valued task, of
    the mean value of those valued tasks. Filling is linear in ``values``, so a layer's ``base``
    and ``slope`` can be filled separately and ``c = base + λ·slope`` still holds after filling.
    """
    values = np.asarray(values, dtype=float)
    squeeze = values.ndim == 1
    if squeeze:
        values = values[:, None]
    known = np.asarray(known, dtype=bool)
    clean = np.where(known[:, None], values, 0.0)
    out = clean.copy()
    source = np.where(known, 0, -1).astype(np.int8)

    # DWA means of valued tasks, then each task's mean over its valued DWAs.
    td = universe.task_dwa
    if td.shape[1]:
        dwa_mean, dwa_ok = _row_mean(td.T.tocsr(), clean, known)
        dwa_mean = np.nan_to_num(dwa_mean)
        by_dwa, has_dwa = _row_mean(td, dwa_mean, dwa_ok)
        take = (source < 0) & has_dwa
        out[take] = by_dwa[take]
        source[take] = 1
    # Occupation means of valued tasks.
    occ_mean, occ_ok = _row_mean(universe.task_occ.T.tocsr(), clean, known)
    task_occ_pos = universe.task_occ.indices  # one occupation per task, csr row order
    take = (source < 0) & occ_ok[task_occ_pos]
    out[take] = occ_mean[task_occ_pos[take]]
    source[take] = 2
    take = source < 0
    if take.any():
        glob = clean[known].mean(axis=0) if known.any() else np.zeros(clean.shape[1])
        out[take] = glob
        source[take] = 3
    counts = {label: int((source == i).sum()) for i, label in enumerate(FILL_LABELS)}
    return (out[:, 0] if squeeze else out), source, counts


@dataclass(frozen=True)
class CapabilityLayer:
    """One capability (or adoption) layer, ready for the exposure model.

    Attributes
    ----------
    name : str
        Layer id, e.g. ``"eloundou"``.
    code_system : {"task", "dwa", "iwa", "occupation"}
        The code system the source publishes its values on.
    kind : {"capability", "adoption"}
        ``"adoption"`` marks observed-usage signals (Anthropic), which are not capability.
    codes : np.ndarray
        Task ids of the 29.3 universe (task layers) or SOC 2018 / OEWS codes (occupation layers).
    base, slope : dict[str, np.ndarray]
        Per variant, the two vectors with ``c = base + λ·slope`` (aligned with ``codes``).
    counts : dict[str, int]
        Provenance counts: mapped, unmapped, filled by DWA mean, by occupation mean, …
    description : str
        One paragraph: source, variable used, transformation, choices made.
    source : np.ndarray, optional
        Per code, how its value was obtained (task layers: fill source, see :func:`fill_tasks`).
    """

    name: str
    code_system: CodeSystem
    kind: Kind
    codes: np.ndarray
    base: dict[str, np.ndarray]
    slope: dict[str, np.ndarray]
    counts: dict[str, int]
    description: str = ""
    source: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.code_system not in ("task", "dwa", "iwa", "occupation"):
            raise ValueError(f"unknown code system {self.code_system!r}")
        if self.kind not in ("capability", "adoption"):
            raise ValueError(f"unknown layer kind {self.kind!r}")
        if set(self.base) != set(self.slope) or not self.base:
            raise ValueError("base and slope must have the same, non-empty, variants")
        for variant in self.base:
            for vec in (self.base[variant], self.slope[variant]):
                if vec.shape != (len(self.codes),):
                    raise ValueError(f"layer {self.name!r} variant {variant!r}: bad vector shape")

    @property
    def level(self) -> str:
        """``"occupation"`` for occupation layers, else ``"task"`` (values live on tasks)."""
        return "occupation" if self.code_system == "occupation" else "task"

    @property
    def variants(self) -> list[str]:
        return list(self.base)

    def variant(self, rater: str | None) -> str:
        """Resolve a rater/variant name; single-variant layers accept any name."""
        if len(self.base) == 1:
            return next(iter(self.base))
        if rater not in self.base:
            raise ValueError(
                f"layer {self.name!r} has variants {self.variants}, not {rater!r}"
            )
        return rater

    def values(self, rater: str | None = None, lam: float = 0.0, tau: float | None = None):
        """``c = clip(base + λ·slope, 0, 1)``; with ``tau``, ``1[c ≥ τ]``."""
        v = self.variant(rater)
        return exposure_vector(self.base[v], self.slope[v], lam, tau)


def task_layer_from_known(
    name: str,
    code_system: CodeSystem,
    kind: Kind,
    universe: TaskUniverse,
    base: dict[str, np.ndarray],
    slope: dict[str, np.ndarray],
    known: np.ndarray,
    counts: dict[str, int],
    description: str,
) -> CapabilityLayer:
    """Fill every variant's base and slope in one pass and wrap them in a layer."""
    variants = list(base)
    stacked = np.column_stack([base[v] for v in variants] + [slope[v] for v in variants])
    filled, source, fill_counts = fill_tasks(universe, stacked, known)
    k = len(variants)
    return CapabilityLayer(
        name=name,
        code_system=code_system,
        kind=kind,
        codes=universe.task_ids,
        base={v: filled[:, i] for i, v in enumerate(variants)},
        slope={v: filled[:, k + i] for i, v in enumerate(variants)},
        counts={**counts, **fill_counts},
        description=description,
        source=source,
    )


def map_to_tasks(
    universe: TaskUniverse, level: str, codes: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Carry values published on DWA or IWA codes down to the 29.3 tasks.

    A task's value is the mean over its DWA links of the DWA's value (``level="dwa"``) or of
    the value of the IWA the DWA belongs to (``level="iwa"``); links without a value are
    skipped. NaN values count as missing.

    Parameters
    ----------
    universe : TaskUniverse
    level : {"dwa", "iwa"}
    codes : np.ndarray
        DWA or IWA ids (str), length n.
    values : np.ndarray
        n × k values.

    Returns
    -------
    task_values : np.ndarray
        T × k (0 where the task has no valued link).
    known : np.ndarray
        Tasks that got a value.
    counts : dict
        ``codes_given``, ``codes_unknown`` (not in the O*NET reference), ``codes_valued``.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if level == "dwa":
        ref_ids, link = universe.dwa_ids, universe.task_dwa
    elif level == "iwa":
        ref_ids, link = universe.iwa_ids, (universe.task_dwa @ universe.dwa_iwa).tocsr()
    else:
        raise ValueError(f"level must be 'dwa' or 'iwa', not {level!r}")
    pos = pd.Index(ref_ids).get_indexer(np.asarray(codes, dtype=str))
    ok = (pos >= 0) & ~np.isnan(values).any(axis=1)
    full = np.zeros((len(ref_ids), values.shape[1]))
    known_ref = np.zeros(len(ref_ids), dtype=bool)
    full[pos[ok]] = values[ok]
    known_ref[pos[ok]] = True
    task_values, known = _row_mean(link, full, known_ref)
    counts = {
        "codes_given": len(codes),
        "codes_unknown": int((pos < 0).sum()),
        "codes_without_value": int(((pos >= 0) & ~ok).sum()),
    }
    return np.nan_to_num(task_values), known, counts
