"""Iterative proportional fitting of a county × occupation prior to two sets of margins.

Vectorised over all areas at once: a county lies in exactly one area, so the sparse county → area
membership turns column sums into area × occupation sums. The last step of every iteration is the
column (area × occupation) scaling, so that margin holds exactly; the row (county or county ×
occupation group) margins hold as closely as IPF allows.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from iceberg.arrays import one_hot, safe_div
from iceberg.errors import IcebergDataError


def ipf(
    prior: np.ndarray,
    member: sparse.csr_matrix,
    col_target: np.ndarray,
    row_target: np.ndarray,
    occ_group: np.ndarray,
    *,
    max_iter: int = 1000,
    tol: float = 1e-10,
) -> tuple[np.ndarray, int, float]:
    """Rake ``prior`` (C × O) to area × occupation and county × group margins.

    Parameters
    ----------
    prior : np.ndarray
        C × O non-negative prior.
    member : scipy.sparse.csr_matrix
        C × A one-hot county → area membership.
    col_target : np.ndarray
        A × O targets: for each area, the sum over its counties (held exactly at the end).
    row_target : np.ndarray
        C × K targets: for each county, the sum over the occupations of group ``k``.
    occ_group : np.ndarray
        Group index (0..K-1) of each occupation (all 0 for plain county totals).
    max_iter, tol : int, float
        Stop when the largest relative row-margin error is below ``tol`` or after ``max_iter``.

    Returns
    -------
    (fitted, iterations, max_row_rel_error)
    """
    member = sparse.csr_matrix(member)
    if not np.all(np.diff(member.indptr) == 1):
        raise IcebergDataError("membership must put every county in exactly one area",
                               expected="one entry per row", found=np.diff(member.indptr).max())
    area_idx = member.indices  # one entry per row: the county's area
    member_t = member.T.tocsr()
    k = row_target.shape[1]
    onehot = one_hot(occ_group, k).toarray()  # dense: BLAS beats sparse on the C × O products

    def row_sums(x: np.ndarray) -> np.ndarray:  # C × K sums by occupation group
        return x.sum(axis=1, keepdims=True) if k == 1 else x @ onehot

    p = prior.copy()
    rows = row_sums(p)
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        f = safe_div(row_target, rows, 1.0)
        p *= f if k == 1 else f @ onehot.T
        cols = member_t @ p  # A × O sums over each area's counties
        p *= safe_div(col_target, cols, 1.0)[area_idx]
        rows = row_sums(p)
        err = float(np.max(np.abs(rows - row_target) / np.maximum(row_target, 1e-300),
                           initial=0.0, where=(row_target > 0) | (rows > 0)))
        if err < tol:
            break
    return p, it, err
