"""Task weights → occupation exposure ``e_o`` for every OEWS occupation code (DESIGN §2).

One sparse linear operator ``M`` (OEWS codes × O*NET 29.3 tasks) is built once (its pieces live
in :mod:`iceberg.exposure_operator`), so the exposure of any task-level capability vector ``c``
is ``e = M @ c``. ``M = A · B · C``:

- ``C`` (O*NET-SOC × task): weighted mean over an O*NET-SOC occupation's tasks, weight ``w_ot``
  = Task Ratings importance × relevance/100 × mean frequency category when Task Ratings are
  given, else Core = 2, Supplemental (or untyped) = 1;
- ``B`` (SOC 2018 × O*NET-SOC): plain mean over the O*NET-SOC codes with tasks that the official
  crosswalk maps to the SOC detailed code;
- ``A`` (OEWS × SOC 2018), see :func:`oews_operator`: a code takes its own value; an OEWS
  aggregate (a code that is not a SOC 2018 detailed code, e.g. ``13-1020``) takes the mean of the
  SOC detailed codes of its broad group that OEWS does not publish on their own; a code still
  without data takes the mean of its SOC broad group (``XX-XXX``), else minor group (``XX-XX``),
  else major group — each counted and listed with the reason.

Occupation-level layers (AIOE, Microsoft's SOC score, user occupation CSVs) get their own ``A``
on the codes they value. For λ-linear layers ``e = clip(base + λ·slope, 0, 1)`` with ``base`` and
``slope`` precomputed per layer and variant (rater).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.capability.base import CapabilityLayer, TaskUniverse, exposure_vector
from iceberg.exposure_operator import REASONS, oews_operator, soc_task_operator, task_weights

__all__ = ["DEFAULT_VISIBLE", "ExposureModel"]

DEFAULT_VISIBLE: tuple[str, ...] = ("15-0000", "11-3021")


def _visible_patterns(visible_set: Iterable[str]) -> list[tuple[str, bool]]:
    """(pattern, exact) per item: a full group code (``15-0000``, ``15-1200``, ``15-1250``)
    or a shorter text (``15-``) is a prefix, any other 7-char code is exact."""
    out = []
    for item in visible_set:
        item = str(item).strip()
        if re.fullmatch(r"\d{2}", item):
            out.append((item + "-", False))
        elif re.fullmatch(r"\d{2}-0000", item):
            out.append((item[:3], False))
        elif re.fullmatch(r"\d{2}-\d{2}00", item):
            out.append((item[:5], False))
        elif re.fullmatch(r"\d{2}-\d{4}", item):
            out.append((item, True))
        else:
            out.append((item, False))
    return out


def _key(layer: str, variant: str) -> str:
    return f"{layer}__{variant}"


@dataclass
class ExposureModel:
    """Occupation exposure for the ordered OEWS codes ``occ_codes``, for every layer and rater.

    Build with :meth:`build` (from loader frames) or :meth:`from_frames` (from a cache).
    """

    occ_codes: np.ndarray
    titles: np.ndarray
    task_ids: np.ndarray
    operator: sparse.csr_matrix  # O × T
    weights: np.ndarray  # per task
    task_base: dict[str, np.ndarray]  # key layer__variant → T (task layers only)
    task_slope: dict[str, np.ndarray]
    base: dict[str, np.ndarray]  # key layer__variant → O (all layers)
    slope: dict[str, np.ndarray]
    layer_table: pd.DataFrame  # name, code_system, kind, level, variants, description
    detail: pd.DataFrame  # occ_code, reason, n_sources, sources (+ reason__<occupation layer>)
    counts: dict[str, int] = field(default_factory=dict)
    weighting: str = "core_supplemental"
    visible_default: tuple[str, ...] = DEFAULT_VISIBLE

    # ------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        occ_codes: Sequence[str],
        *,
        tasks: pd.DataFrame,
        tasks_to_dwas: pd.DataFrame,
        dwa_reference: pd.DataFrame,
        onet_soc_crosswalk: pd.DataFrame,
        layers: Sequence[CapabilityLayer],
        task_ratings: pd.DataFrame | None = None,
        titles: Sequence[str] | None = None,
        universe: TaskUniverse | None = None,
        visible: Sequence[str] = DEFAULT_VISIBLE,
    ) -> ExposureModel:
        """Build the operator once and every layer's ``base``/``slope`` on the OEWS codes.

        Parameters
        ----------
        occ_codes : sequence of str
            OEWS detailed occupation codes, in the order of the caller's matrices.
        tasks, tasks_to_dwas, dwa_reference, onet_soc_crosswalk : pd.DataFrame
            Loader frames (``iceberg.io.onet``, ``iceberg.io.crosswalks``).
        layers : sequence of CapabilityLayer
            Built with the same universe (task layers) or on SOC codes (occupation layers).
        task_ratings : pd.DataFrame, optional
            ``read_task_ratings`` output; None → Core = 2 / Supplemental = 1.
        titles : sequence of str, optional
            OEWS titles, same order as ``occ_codes``.
        universe : TaskUniverse, optional
            Reuse the one the layers were built on.
        visible : sequence of str
            Default visible set (codes or group prefixes).
        """
        occ_codes = np.asarray(occ_codes, dtype=str)
        uni = universe or TaskUniverse.from_frames(tasks, tasks_to_dwas, dwa_reference)
        weights, weighting, counts = task_weights(uni, task_ratings)
        counts = {**{f"tasks.{k}": v for k, v in uni.counts.items()}, **counts}
        soc_op, soc_codes, c2 = soc_task_operator(uni, weights, onet_soc_crosswalk)
        counts.update(c2)
        soc_detailed = onet_soc_crosswalk["soc_code"].astype(str).unique()
        a_op, detail = oews_operator(occ_codes, soc_codes, soc_detailed)
        operator = (a_op @ soc_op).tocsr()
        operator.sort_indices()  # canonical order: a reloaded model sums in the same order
        for reason in REASONS:
            counts[f"occupations.{reason}"] = int((detail["reason"] == reason).sum())
        task_base, task_slope, base, slope, rows = {}, {}, {}, {}, []
        for layer in layers:
            for k, v in layer.counts.items():
                counts[f"{layer.name}.{k}"] = int(v)
            if layer.level == "task":
                if not np.array_equal(layer.codes, uni.task_ids):
                    raise ValueError(f"layer {layer.name!r} was built on another task universe")
                for v in layer.variants:
                    key = _key(layer.name, v)
                    task_base[key], task_slope[key] = layer.base[v], layer.slope[v]
                    base[key], slope[key] = operator @ layer.base[v], operator @ layer.slope[v]
            else:
                l_op, l_detail = oews_operator(occ_codes, layer.codes, soc_detailed)
                detail[f"reason__{layer.name}"] = l_detail["reason"].to_numpy()
                for reason in REASONS:
                    counts[f"{layer.name}.occupations.{reason}"] = int(
                        (l_detail["reason"] == reason).sum())
                for v in layer.variants:
                    key = _key(layer.name, v)
                    base[key], slope[key] = l_op @ layer.base[v], l_op @ layer.slope[v]
            rows.append({"name": layer.name, "code_system": layer.code_system,
                         "kind": layer.kind, "level": layer.level,
                         "variants": ";".join(layer.variants), "description": layer.description})
        return cls(
            occ_codes=occ_codes,
            titles=np.asarray(titles if titles is not None else [""] * len(occ_codes), dtype=str),
            task_ids=uni.task_ids, operator=operator, weights=weights,
            task_base=task_base, task_slope=task_slope, base=base, slope=slope,
            layer_table=pd.DataFrame(rows, columns=["name", "code_system", "kind", "level",
                                                    "variants", "description"]),
            detail=detail, counts=counts, weighting=weighting, visible_default=tuple(visible),
        )

    @classmethod
    def from_sources(
        cls,
        occ_codes: Sequence[str],
        *,
        tasks: pd.DataFrame,
        tasks_to_dwas: pd.DataFrame,
        dwa_reference: pd.DataFrame,
        onet_soc_crosswalk: pd.DataFrame,
        eloundou: pd.DataFrame,
        microsoft_iwa: pd.DataFrame | None = None,
        microsoft_soc: pd.DataFrame | None = None,
        anthropic: pd.DataFrame | None = None,
        aioe: pd.DataFrame | None = None,
        onet_2010_2019: pd.DataFrame | None = None,
        task_ratings: pd.DataFrame | None = None,
        extra_layers: Sequence[CapabilityLayer] = (),
        titles: Sequence[str] | None = None,
        visible: Sequence[str] = DEFAULT_VISIBLE,
    ) -> ExposureModel:
        """Build the built-in layers from the loader frames (those given) and the model.

        ``eloundou`` is required (the default layer); ``aioe`` needs ``onet_2010_2019``.
        ``extra_layers`` (e.g. :func:`iceberg.capability.custom_layer`) must be built on
        ``TaskUniverse.from_frames(tasks, tasks_to_dwas, dwa_reference)`` with the same frames.
        """
        from iceberg import capability as cap

        uni = TaskUniverse.from_frames(tasks, tasks_to_dwas, dwa_reference)
        layers = [cap.eloundou_layer(eloundou, uni)]
        if microsoft_iwa is not None:
            layers.append(cap.microsoft_layer(microsoft_iwa, uni))
        if microsoft_soc is not None:
            layers.append(cap.microsoft_soc_layer(microsoft_soc))
        if aioe is not None and onet_2010_2019 is not None:
            layers.append(cap.aioe_layer(aioe, onet_2010_2019, onet_soc_crosswalk))
        if anthropic is not None:
            layers.append(cap.anthropic_layer(anthropic, uni))
        extra = [
            lay if lay.level == "occupation" or len(lay.codes) == uni.n_tasks else None
            for lay in extra_layers
        ]
        if any(lay is None for lay in extra):
            raise ValueError("extra task layers must be built on the same task universe")
        return cls.build(
            occ_codes, tasks=tasks, tasks_to_dwas=tasks_to_dwas, dwa_reference=dwa_reference,
            onet_soc_crosswalk=onet_soc_crosswalk, layers=layers + list(extra),
            task_ratings=task_ratings, titles=titles, universe=uni, visible=visible,
        )

    # ------------------------------------------------------------------ queries
    @property
    def layers(self) -> list[str]:
        """Layer names, in build order."""
        return self.layer_table["name"].tolist()

    def layer_info(self, layer: str) -> dict:
        """The layer's row of :attr:`layer_table` as a dict (``kind``, ``variants``, …)."""
        rows = self.layer_table[self.layer_table["name"] == layer]
        if rows.empty:
            raise KeyError(f"unknown layer {layer!r}; known: {self.layers}")
        return rows.iloc[0].to_dict()

    def _resolve(self, layer: str, rater: str | None) -> str:
        variants = self.layer_info(layer)["variants"].split(";")
        if len(variants) == 1:
            return _key(layer, variants[0])
        if rater not in variants:
            # The scenario's rater (human / gpt4 / mean) is the Eloundou layer's choice; a layer
            # with other variants (Microsoft: user / ai / mean) then uses its mean variant.
            if rater in ("human", "gpt4", "mean", None) and "mean" in variants:
                return _key(layer, "mean")
            raise ValueError(f"layer {layer!r} has variants {variants}, not {rater!r}")
        return _key(layer, rater)

    def components(
        self, layer: str = "eloundou", rater: str = "mean", tau: float | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(base, slope)`` on the OEWS codes, so ``e = clip(base + λ·slope, 0, 1)``.

        Single-variant layers ignore ``rater``. Threshold mode is not linear in λ: with ``tau``
        given this raises; call :meth:`vector` with ``tau`` for each λ instead.
        """
        if tau is not None:
            raise ValueError("threshold mode is not linear in λ: use vector(..., lam=λ, tau=τ)")
        key = self._resolve(layer, rater)
        return self.base[key], self.slope[key]

    def vector(
        self, layer: str = "eloundou", rater: str = "mean", lam: float = 0.0,
        tau: float | None = None,
    ) -> np.ndarray:
        """Occupation exposure ``e`` (length O, in [0, 1]).

        Without ``tau``: ``clip(base + λ·slope, 0, 1)``. With ``tau`` (threshold mode): task
        layers set ``c_t = 1[clip(base_t + λ·slope_t, 0, 1) ≥ τ]`` per task, then ``e = M @ c``;
        occupation layers threshold the occupation value.
        """
        key = self._resolve(layer, rater)
        if tau is not None and key in self.task_base:
            c = exposure_vector(self.task_base[key], self.task_slope[key], lam, tau)
            return np.clip(self.operator @ c, 0.0, 1.0)
        return exposure_vector(self.base[key], self.slope[key], lam, tau)

    def visible_mask(self, visible_set: Iterable[str] | None = None) -> np.ndarray:
        """Boolean mask of visible (surface) occupations.

        Items are exact codes (``"11-3021"``) or groups: ``"15"``/``"15-0000"`` (major),
        ``"15-1200"`` (minor), any other text is a code prefix (``"15-12"``). Default: SOC
        major group 15 plus 11-3021.
        """
        codes = pd.Series(self.occ_codes)
        mask = np.zeros(len(codes), dtype=bool)
        for pattern, exact in _visible_patterns(visible_set or self.visible_default):
            mask |= (codes == pattern if exact else codes.str.startswith(pattern)).to_numpy()
        return mask

    @property
    def occ_major(self) -> np.ndarray:
        """SOC major group of each OEWS code (``"15-0000"``)."""
        return np.array([c[:2] + "-0000" for c in self.occ_codes], dtype=str)

    @property
    def occupations(self) -> pd.DataFrame:
        """One row per OEWS code: code, title, major, visible, fill reason and sources, and
        ``e`` for every layer/variant at λ = 0 (``<layer>_<variant>_lam0``) and λ = 1."""
        out = pd.DataFrame({"occ_code": self.occ_codes, "title": self.titles,
                            "major": self.occ_major, "visible": self.visible_mask()})
        out = pd.concat([out, self.detail.drop(columns="occ_code")], axis=1)
        cols = {}
        for key in self.base:
            name = key.replace("__", "_")
            cols[f"{name}_lam0"] = exposure_vector(self.base[key], self.slope[key], 0.0)
            cols[f"{name}_lam1"] = exposure_vector(self.base[key], self.slope[key], 1.0)
        return pd.concat([out, pd.DataFrame(cols)], axis=1)

    # ------------------------------------------------------------------ cache
    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Everything as plain DataFrames (Parquet-ready); inverse of :meth:`from_frames`."""
        coo = self.operator.tocoo()
        meta = pd.DataFrame({"key": ["weighting", "visible_default", "n_tasks"],
                             "value": [self.weighting, ";".join(self.visible_default),
                                       str(len(self.task_ids))]})
        tasks = pd.DataFrame({"task_id": self.task_ids, "weight": self.weights})
        for key in self.task_base:
            tasks[f"base__{key}"] = self.task_base[key]
            tasks[f"slope__{key}"] = self.task_slope[key]
        comps = pd.DataFrame({"occ_code": self.occ_codes, "title": self.titles})
        for key in self.base:
            comps[f"base__{key}"] = self.base[key]
            comps[f"slope__{key}"] = self.slope[key]
        return {
            "exposure_components": comps,
            "exposure_detail": self.detail.copy(),
            "exposure_operator": pd.DataFrame({"row": coo.row.astype(np.int32),
                                               "col": coo.col.astype(np.int32),
                                               "value": coo.data}),
            "exposure_tasks": tasks,
            "exposure_layers": self.layer_table.copy(),
            "exposure_counts": pd.DataFrame({"key": list(self.counts),
                                             "value": list(self.counts.values())}),
            "exposure_meta": meta,
        }

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> ExposureModel:
        """Rebuild a model from :meth:`to_frames` output (e.g. read back from Parquet)."""
        comps, tasks = frames["exposure_components"], frames["exposure_tasks"]
        meta = dict(zip(frames["exposure_meta"]["key"], frames["exposure_meta"]["value"]))
        op = frames["exposure_operator"]
        operator = sparse.csr_matrix(
            (op["value"].to_numpy(float), (op["row"].to_numpy(int), op["col"].to_numpy(int))),
            shape=(len(comps), len(tasks)),
        )
        operator.sort_indices()

        def grab(frame: pd.DataFrame, prefix: str) -> dict[str, np.ndarray]:
            return {c[len(prefix):]: frame[c].to_numpy(float) for c in frame.columns
                    if c.startswith(prefix)}

        counts = frames["exposure_counts"]
        return cls(
            occ_codes=comps["occ_code"].to_numpy(dtype=str),
            titles=comps["title"].astype(str).to_numpy(dtype=str),
            task_ids=tasks["task_id"].to_numpy(np.int64), operator=operator,
            weights=tasks["weight"].to_numpy(float),
            task_base=grab(tasks, "base__"), task_slope=grab(tasks, "slope__"),
            base=grab(comps, "base__"), slope=grab(comps, "slope__"),
            layer_table=frames["exposure_layers"].copy(),
            detail=frames["exposure_detail"].copy(),
            counts={str(k): int(v) for k, v in zip(counts["key"], counts["value"])},
            weighting=str(meta.get("weighting", "")),
            visible_default=tuple(str(meta.get("visible_default", "")).split(";")),
        )
