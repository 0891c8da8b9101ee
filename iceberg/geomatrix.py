"""A geography level as matrices: ids × occupations employment and wages."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class GeoMatrix:
    """Employment and wages of one geography level (nation, state, area or county).

    Attributes
    ----------
    level : str
        ``"nation"``, ``"state"``, ``"area"`` or ``"county"``.
    ids : np.ndarray
        Geography ids (strings), length G.
    occ_codes : np.ndarray
        OEWS occupation codes (strings), length O, in the exposure model's order.
    employment : np.ndarray
        G × O jobs (float64, 0 where the occupation is absent).
    wage : np.ndarray
        G × O annual mean wage in dollars (0 where employment is 0).
    wage_median : np.ndarray
        G × O annual median wage (0 where employment is 0).
    meta : pd.DataFrame
        Indexed by id: names, state, etc.
    """

    level: str
    ids: np.ndarray
    occ_codes: np.ndarray
    employment: np.ndarray
    wage: np.ndarray
    wage_median: np.ndarray
    meta: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __post_init__(self) -> None:
        g, o = len(self.ids), len(self.occ_codes)
        for name in ("employment", "wage", "wage_median"):
            arr = getattr(self, name)
            if arr.shape != (g, o):
                raise ValueError(f"GeoMatrix.{name} has shape {arr.shape}, expected {(g, o)}")

    def wages(self, basis: str = "mean") -> np.ndarray:
        """Wage matrix for ``basis`` ``"mean"`` (default) or ``"median"``."""
        if basis == "mean":
            return self.wage
        if basis == "median":
            return self.wage_median
        raise ValueError(f"wage basis must be 'mean' or 'median', not {basis!r}")

    def wage_bill_matrix(self, basis: str = "mean") -> np.ndarray:
        """Employment × wage (G × O dollars)."""
        return self.employment * self.wages(basis)
