"""Calibrate tool evidence on human task labels, on a fixed 2/3 of occupations; evaluate on 1/3.

The target is the Eloundou et al. human label "exposed" (E1 or E2: an LLM, alone or with
software built on it, halves the time of the task) — the closest published stand-in for "a tool
exists that performs this task". The model is a logistic regression on the tool-evidence
features of :mod:`iceberg.tools.features` (never the task text). The split is by SOC 6-digit
occupation (a hash, so it never changes between runs or machines); every task of an occupation
is on the same side.

The ablation (:func:`ablation`) puts on the same split: the raw best match (no learning), a
model on task-level matches only, the tools layer (all features), and a text-only reference — a
logistic regression on the task statement's own embedding, with no tool at all — which shows how
much of the labels the task text alone predicts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iceberg.capability.base import TaskUniverse
from iceberg.tools.features import FEATURES, RAW, TASK_ONLY

#: Salt of the occupation split (changing it changes the split: do not).
SPLIT_SALT = "iceberg-tools-split-v1"
#: Eloundou labels counted as "AI can perform this task".
POSITIVE = ("E1", "E2")


def held_out(onet_soc: np.ndarray) -> np.ndarray:
    """True for the evaluation third: sha256(salt + SOC 6-digit code) mod 3 == 0."""
    soc = pd.Series(np.asarray(onet_soc, dtype=str)).str.slice(0, 7)
    uniq = soc.unique()
    flag = {c: int(hashlib.sha256((SPLIT_SALT + c).encode()).hexdigest()[:8], 16) % 3 == 0
            for c in uniq}
    return soc.map(flag).to_numpy(dtype=bool)


def targets(eloundou: pd.DataFrame, universe: TaskUniverse, rater: str = "human",
            positive: tuple[str, ...] = POSITIVE) -> tuple[np.ndarray, np.ndarray]:
    """Per universe task: the label (``y``) and whether one exists (``known``)."""
    if rater not in ("human", "gpt4"):
        raise ValueError(f"rater must be 'human' or 'gpt4', not {rater!r}")
    ids = pd.to_numeric(eloundou["task_id"], errors="coerce")
    frame = pd.DataFrame({"task_id": ids, "label": eloundou[rater]}).dropna()
    frame = frame.drop_duplicates("task_id")
    pos = universe.position(frame["task_id"].to_numpy(dtype=np.int64))
    ok = pos >= 0
    y = np.zeros(universe.n_tasks, dtype=bool)
    known = np.zeros(universe.n_tasks, dtype=bool)
    y[pos[ok]] = frame["label"].isin(positive).to_numpy()[ok]
    known[pos[ok]] = True
    return y, known


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model from tool features to P(task exposed).

    Attributes
    ----------
    features : tuple[str, ...]
        Feature names (columns of :data:`iceberg.tools.features.FEATURES` used).
    mean, scale, coef : np.ndarray
        Standardisation and coefficients (per feature).
    intercept : float
    threshold : float
        Probability at which a task counts as exposed (maximises F1 on the training tasks).
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float

    def columns(self) -> list[int]:
        return [FEATURES.index(f) for f in self.features]

    def predict(self, features: np.ndarray) -> np.ndarray:
        """P(exposed) per row of a full :data:`FEATURES` matrix."""
        x = (features[:, self.columns()] - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": self.intercept, "threshold": self.threshold}


def best_f1_threshold(score: np.ndarray, y: np.ndarray) -> float:
    """The score cut that maximises F1 (ties → the higher cut)."""
    order = np.argsort(-score, kind="stable")
    s, t = score[order], y[order].astype(float)
    tp = np.cumsum(t)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + t.sum())
    last = np.r_[s[1:] != s[:-1], True]  # only cut between distinct scores
    f1 = np.where(last, f1, -1)
    return float(s[int(np.argmax(f1))])


def fit(features: np.ndarray, y: np.ndarray, train: np.ndarray,
        names: tuple[str, ...] = FEATURES, c: float = 1.0) -> Calibration:
    """Fit the logistic model on the ``train`` rows (standardised features, L2, C = ``c``)."""
    from sklearn.linear_model import LogisticRegression

    if train.sum() < 10 or len(np.unique(y[train])) < 2:
        raise ValueError("calibration needs at least 10 labelled training tasks with both classes")
    cols = [FEATURES.index(f) for f in names]
    x = features[train][:, cols]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=c, max_iter=2000).fit((x - mean) / scale, y[train])
    cal = Calibration(tuple(names), mean, scale, model.coef_[0].copy(),
                      float(model.intercept_[0]), 0.5)
    threshold = best_f1_threshold(cal.predict(features[train]), y[train])
    return Calibration(tuple(names), mean, scale, model.coef_[0].copy(),
                       float(model.intercept_[0]), threshold)


def scores(score: np.ndarray, y: np.ndarray, rows: np.ndarray,
           threshold: float | None = None) -> dict[str, float]:
    """ROC AUC, and precision/recall at ``threshold`` (when given), on ``rows``."""
    from sklearn.metrics import roc_auc_score

    out = {"tasks": int(rows.sum()), "positive_rate": float(y[rows].mean()),
           "auc": float(roc_auc_score(y[rows], score[rows]))}
    if threshold is not None:
        pred = score[rows] >= threshold
        tp = float((pred & y[rows]).sum())
        out.update(threshold=float(threshold),
                   precision=tp / max(pred.sum(), 1), recall=tp / max(y[rows].sum(), 1),
                   predicted_rate=float(pred.mean()))
    return out


def _text_only(text_embeddings: np.ndarray, y: np.ndarray, train: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000).fit(text_embeddings[train], y[train])
    prob = model.predict_proba(text_embeddings)[:, 1]
    return prob, best_f1_threshold(prob[train], y[train])


def ablation(features: np.ndarray, y: np.ndarray, known: np.ndarray, evaluate: np.ndarray,
             text_embeddings: np.ndarray | None = None) -> tuple[pd.DataFrame, Calibration]:
    """The four models on the same split; returns the table and the tools layer's calibration.

    Parameters
    ----------
    features : np.ndarray
        T × len(FEATURES) tool evidence.
    y, known : np.ndarray
        Labels and which tasks have one.
    evaluate : np.ndarray
        Held-out tasks (the other labelled tasks train).
    text_embeddings : np.ndarray, optional
        T × d task-text embeddings for the text-only reference (skipped when None).

    Returns
    -------
    table : pd.DataFrame
        One row per model: ``model, inputs, auc, precision, recall, threshold, …`` on held-out
        tasks, plus ``train_auc``.
    calibration : Calibration
        The tools layer's model (all features).
    """
    train, test = known & ~evaluate, known & evaluate
    rows = []
    raw = features[:, FEATURES.index(RAW[0])]
    raw_cut = best_f1_threshold(raw[train], y[train])
    rows.append({"model": "raw best match", "inputs": "cosine of the best tool (no learning)",
                 **scores(raw, y, test, raw_cut), "train_auc": scores(raw, y, train)["auc"]})
    task_cal = fit(features, y, train, TASK_ONLY)
    p = task_cal.predict(features)
    rows.append({"model": "tools, task level", "inputs": "task matches: best, top-5/20, counts",
                 **scores(p, y, test, task_cal.threshold), "train_auc": scores(p, y, train)["auc"]})
    cal = fit(features, y, train, FEATURES)
    p = cal.predict(features)
    rows.append({"model": "tools layer", "inputs": "task + DWA + IWA matches, counts, age",
                 **scores(p, y, test, cal.threshold), "train_auc": scores(p, y, train)["auc"]})
    if text_embeddings is not None:
        prob, cut = _text_only(text_embeddings, y, train)
        rows.append({"model": "text only (reference)", "inputs": "task statement embedding, no tool",
                     **scores(prob, y, test, cut), "train_auc": scores(prob, y, train)["auc"]})
    return pd.DataFrame(rows), cal
