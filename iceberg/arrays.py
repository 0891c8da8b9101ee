"""Two array helpers used across the model, the OEWS tables and the geography.

- :func:`safe_div`: a ratio that is a chosen value (0, 1, NaN) where the denominator is not
  positive, instead of a warning and ``inf``/``nan``;
- :func:`one_hot`: the sparse membership matrix of an index vector (each row in its group),
  the one way rows are summed into groups (occupations into major groups, counties into areas).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def safe_div(num: np.ndarray, den: np.ndarray, empty: float = 0.0) -> np.ndarray:
    """``num / den`` broadcast, ``empty`` where ``den`` is not positive (or NaN).

    Examples
    --------
    >>> safe_div(np.array([1.0, 2.0]), np.array([2.0, 0.0])).tolist()
    [0.5, 0.0]
    """
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, empty), where=den > 0)


def one_hot(index: np.ndarray, n: int) -> sparse.csr_matrix:
    """``len(index) × n`` matrix with a 1 at ``(i, index[i])``; a row whose index is negative
    (``pd.Index.get_indexer``'s "not found") stays empty.

    ``x @ one_hot(group, k)`` sums the columns of ``x`` by group; ``one_hot(...).T @ x`` the rows.

    Examples
    --------
    >>> one_hot(np.array([1, 0, -1]), 2).toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    """
    index = np.asarray(index, dtype=np.int64)
    rows = np.flatnonzero(index >= 0)
    return sparse.csr_matrix((np.ones(len(rows)), (rows, index[rows])), shape=(len(index), n))
