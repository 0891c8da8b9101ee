"""Offline matching of tools to O*NET tasks, DWAs and IWAs with the static ``wordllama`` model.

The model's weights ship inside its PyPI wheel: it is loaded from the package folder with
downloads disabled, so matching never touches the network. Texts are embedded once and cached
(``<cache>/tools/embeddings/<key>.npy``, key = model id + the texts' hash, atomic writes).

:func:`frontier_matches` computes, for every query (task, DWA or IWA) and every month of the
catalogue, the ``k`` best-matching tools among those that had appeared by that month and how many
tools pass each similarity threshold — exactly, in one pass over the query × tool similarities:
tools are sorted by month and a running top-k is merged month block by month block.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

#: Cosine thresholds at which tools are counted ("how many tools match").
THRESHOLDS = (0.30, 0.40)
#: Best matches kept per query and month.
TOP_K = 20
_CHUNK = 1024  # query rows per block: 1024 × 22k float32 ≈ 90 MB


@lru_cache(maxsize=1)
def load_model():
    """The wordllama model from its own wheel (no download, ever)."""
    import wordllama
    from wordllama import WordLlama

    return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)


@lru_cache(maxsize=1)
def model_id() -> str:
    """Model name and version: part of every embedding cache key."""
    import wordllama

    return f"wordllama-{wordllama.__version__}-l2_supercat-256"


def _cache_root(cache_dir: str | os.PathLike | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    from iceberg import settings

    return settings.cache_dir() / "tools"


def save_npy(path: Path, array: np.ndarray) -> None:
    """Write an array atomically, readable by others (0644 under the umask)."""
    from iceberg.fileutil import atomic_write

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.save(fh, array)

    atomic_write(path, write)


def embed(texts: list[str], *, cache_dir: str | os.PathLike | None = None,
          use_cache: bool = True) -> np.ndarray:
    """Unit-length float32 embeddings of ``texts`` (n × 256), cached by model and texts.

    Parameters
    ----------
    texts : list of str
    cache_dir : path, optional
        Folder of the cache; default ``<ICEBERG_CACHE_DIR>/tools``.
    use_cache : bool
        Read and write the cache.
    """
    digest = hashlib.sha256(model_id().encode())
    for text in texts:
        digest.update(text.encode("utf-8", "replace") + b"\0")
    path = _cache_root(cache_dir) / "embeddings" / f"{digest.hexdigest()[:32]}.npy"
    if use_cache and path.is_file():
        try:
            out = np.load(path)
            if out.shape == (len(texts), 256):
                return out
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    vecs = load_model().embed(list(texts), norm=True, batch_size=512).astype(np.float32)
    vecs = np.nan_to_num(vecs)
    if use_cache:
        save_npy(path, vecs)
    return vecs


@dataclass(frozen=True)
class FrontierMatches:
    """Best tool matches of each query, month by month.

    Attributes
    ----------
    months : list[str]
        ``YYYY-MM``, ascending; index ``m`` holds the matches among tools dated ≤ ``months[m]``.
    sim : np.ndarray
        float32, months × queries × k: similarities of the k best tools, descending (−1 where
        fewer than k tools existed).
    idx : np.ndarray
        int32, same shape: positions of those tools in the catalogue (−1 where none).
    count : np.ndarray
        int32, months × queries × len(THRESHOLDS): tools with similarity ≥ each threshold.
    """

    months: list[str]
    sim: np.ndarray
    idx: np.ndarray
    count: np.ndarray

    def at(self, month: str | None = None) -> int:
        """Index of the latest frontier month ≤ ``month`` (default: the last month)."""
        if month is None:
            return len(self.months) - 1
        pos = int(np.searchsorted(np.asarray(self.months), month, side="right")) - 1
        if pos < 0:
            from iceberg.errors import IcebergArgumentError

            raise IcebergArgumentError("month", month, message="no tool dated on or before",
                                       allowed=f"the first month {self.months[0]} or later")
        return pos


def _merge_candidates(run_sim, run_idx, rows, sims, ids, k):
    """Merge ragged candidates (``rows``, ``sims``, ``ids``) into the dense running top-k."""
    n = run_sim.shape[0]
    all_r = np.concatenate([np.repeat(np.arange(n), k), rows])
    all_s = np.concatenate([run_sim.ravel(), sims])
    all_i = np.concatenate([run_idx.ravel(), ids])
    order = np.lexsort((-all_s, all_r))
    all_r, all_s, all_i = all_r[order], all_s[order], all_i[order]
    first = np.searchsorted(all_r, np.arange(n), side="left")
    rank = np.arange(len(all_r)) - first[all_r]
    keep = rank < k
    out_s = np.full((n, k), -1.0, dtype=np.float32)
    out_i = np.full((n, k), -1, dtype=np.int32)
    out_s[all_r[keep], rank[keep]] = all_s[keep]
    out_i[all_r[keep], rank[keep]] = all_i[keep]
    return out_s, out_i


def frontier_matches(queries: np.ndarray, tools: np.ndarray, tool_months: np.ndarray,
                     months: list[str], *, k: int = TOP_K, progress: bool = False,
                     desc: str = "matching") -> FrontierMatches:
    """Top-k tool matches and threshold counts of every query at every month of ``months``.

    Parameters
    ----------
    queries : np.ndarray
        q × d unit vectors (tasks, DWAs or IWAs).
    tools : np.ndarray
        n × d unit vectors of the catalogue's tools.
    tool_months : np.ndarray
        ``YYYY-MM`` of each tool.
    months : list of str
        Frontier months, ascending; tools dated before the first month count from the first.
    k : int
        Matches kept per query and month.
    """
    months = sorted(months)
    tool_months = np.asarray(tool_months, dtype=str)
    block = np.searchsorted(np.asarray(months), tool_months, side="left")  # month index per tool
    keep = block < len(months)  # tools after the last frontier month never enter
    order = np.flatnonzero(keep)[np.argsort(block[keep], kind="stable")]
    bounds = np.searchsorted(block[order], np.arange(len(months) + 1), side="left")
    nq, nm = len(queries), len(months)
    sim_out = np.full((nm, nq, k), -1.0, dtype=np.float32)
    idx_out = np.full((nm, nq, k), -1, dtype=np.int32)
    count_out = np.zeros((nm, nq, len(THRESHOLDS)), dtype=np.int32)
    thresholds = np.asarray(THRESHOLDS, dtype=np.float32)
    tools_sorted = tools[order]
    for start in tqdm(range(0, nq, _CHUNK), desc=desc, unit="block", disable=not progress,
                      leave=False):
        stop = min(start + _CHUNK, nq)
        sims = queries[start:stop] @ tools_sorted.T
        run_sim = np.full((stop - start, k), -1.0, dtype=np.float32)
        run_idx = np.full((stop - start, k), -1, dtype=np.int32)
        run_count = np.zeros((stop - start, len(THRESHOLDS)), dtype=np.int32)
        for m in range(nm):
            lo, hi = bounds[m], bounds[m + 1]
            if hi > lo:
                part = sims[:, lo:hi]
                for j, th in enumerate(thresholds):
                    run_count[:, j] += np.count_nonzero(part >= th, axis=1)
                # Only tools beating the current k-th best can enter the top k: the bar rises
                # quickly, so few candidates survive and the merge stays small.
                beat = part > run_sim[:, -1:]
                if np.count_nonzero(beat) > 8 * k * (stop - start):  # a big block: its top k
                    top = np.argpartition(-part, min(k, hi - lo) - 1, axis=1)[:, :k]
                    rows = np.repeat(np.arange(stop - start), top.shape[1])
                    cols = top.ravel()
                else:
                    rows, cols = np.nonzero(beat)
                run_sim, run_idx = _merge_candidates(
                    run_sim, run_idx, rows, part[rows, cols], order[lo + cols].astype(np.int32), k)
            sim_out[m, start:stop] = run_sim
            idx_out[m, start:stop] = run_idx
            count_out[m, start:stop] = run_count
    return FrontierMatches(months, sim_out, idx_out, count_out)
