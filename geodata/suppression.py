"""Fill suppressed OEWS cells of one geography level (DESIGN §5 step 1).

OEWS withholds some cells: employment ``**``, wages ``*`` (not released, or the annual figure of
an hourly-only occupation) and ``#`` (top-coded at $115/hour, $239,200/year). This module turns
one level of the OEWS frames (national, states, areas, or national sectors) into dense
geography × occupation matrices with every hole filled and every fill counted:

- employment: the geography's unallocated jobs (published ``00-0000`` total minus the published
  detailed occupations; negative → 0) are spread over its ``**`` occupations in proportion to the
  reference geography's share of each (state share, else national share);
- wages ``*``: the hourly wage × 2080 for hourly-only occupations (BLS convention), else the
  reference geography's value, else the national value;
- wages ``#``: the national value where that is above the floor, else the floor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.geomatrix import GeoMatrix

from .oews_matrix import (  # re-exported: callers import these from geodata.suppression
    REQUIRED_COLUMNS,
    TOTAL_CODE,
    PublishedMatrices,
    check_columns,
    detailed_occ_codes,
    published_matrices,
)

__all__ = [
    "FILL_COLUMNS", "HOURS_PER_YEAR", "REQUIRED_COLUMNS", "TOPCODE_ANNUAL", "TOTAL_CODE",
    "FilledLevel", "area_parents", "detailed_occ_codes", "fill_all", "fill_level",
]

HOURS_PER_YEAR = 2080.0  # BLS converts hourly to annual wages with 2,080 hours
TOPCODE_ANNUAL = 239_200.0  # May 2025 top-code floor for annual wages

FILL_COLUMNS = ["geo", "occ", "what", "how"]


@dataclass(frozen=True)
class FilledLevel:
    """One OEWS level after suppression fill.

    Attributes
    ----------
    ids : np.ndarray
        Geography ids (str), length G.
    occ_codes : np.ndarray
        Occupation codes (str), length O.
    employment, wage, wage_median : np.ndarray
        G × O jobs, annual mean and annual median wage (0 where employment is 0).
    counts : dict[str, int]
        Number of filled cells by kind, for provenance.
    fills : pd.DataFrame
        One row per filled cell: ``geo, occ, what, how``.
    published_total : np.ndarray
        The published all-occupation total of each geography (NaN if absent).
    """

    ids: np.ndarray
    occ_codes: np.ndarray
    employment: np.ndarray
    wage: np.ndarray
    wage_median: np.ndarray
    counts: dict[str, int]
    fills: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FILL_COLUMNS))
    published_total: np.ndarray | None = None

    def to_geomatrix(self, level_name: str, meta: pd.DataFrame | None = None) -> GeoMatrix:
        """The filled level as a :class:`iceberg.geomatrix.GeoMatrix` named ``level_name``."""
        return GeoMatrix(
            level=level_name,
            ids=self.ids,
            occ_codes=self.occ_codes,
            employment=self.employment,
            wage=self.wage,
            wage_median=self.wage_median,
            meta=meta if meta is not None else pd.DataFrame(index=pd.Index(self.ids, name="id")),
        )


def _reference_arrays(
    reference: pd.DataFrame | FilledLevel, occ_codes: np.ndarray, geo_col: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(ids, employment share R × O, wage, median) of a reference level; NaN where unknown."""
    if isinstance(reference, FilledLevel):
        if not np.array_equal(reference.occ_codes, occ_codes):
            raise IcebergDataError(
                "reference level has different occupation codes",
                expected=f"{len(occ_codes)} codes in the same order",
                found=len(reference.occ_codes),
            )
        total = reference.employment.sum(axis=1)
        if reference.published_total is not None:
            total = np.where(np.isfinite(reference.published_total), reference.published_total, total)
        emp = reference.employment
        known = emp > 0
        wage = np.where(known & (reference.wage > 0), reference.wage, np.nan)
        median = np.where(known & (reference.wage_median > 0), reference.wage_median, np.nan)
        ids = np.asarray(reference.ids).astype(str)
        emp = np.where(known, emp, np.nan)
    else:
        piv, _ = published_matrices(reference, occ_codes, geo_col)
        ids, emp, total = piv.ids, np.where(piv.emp_supp, np.nan, piv.emp), piv.total
        wage, median = piv.wage, piv.median
    with np.errstate(invalid="ignore", divide="ignore"):
        share = emp / total[:, None]
    return ids, share, wage, median, total


def _parent_index(
    ids: np.ndarray, ref_ids: np.ndarray, parent_of: Mapping[str, str] | pd.Series | None
) -> np.ndarray:
    """Row of each child's reference geography in ``ref_ids`` (-1 = none)."""
    if parent_of is None:
        if len(ref_ids) != 1:
            raise IcebergDataError(
                "parent_of is required when the reference level has several geographies",
                expected="a mapping child id -> reference id",
                found=f"{len(ref_ids)} reference geographies",
            )
        return np.zeros(len(ids), dtype=np.int64)
    parents = pd.Series(parent_of).astype(str).reindex(ids)
    return pd.Index(ref_ids).get_indexer(parents.fillna("").to_numpy())


def _fill_wage(
    values: np.ndarray,
    flags: np.ndarray,
    hourly_values: np.ndarray,
    piv: PublishedMatrices,
    ref: np.ndarray,
    nat: np.ndarray,
    what: str,
    counts: dict[str, int],
    masks: list[tuple[str, str, np.ndarray]],
) -> np.ndarray:
    """Fill one wage matrix in BLS-convention order; record counts and masks."""
    out = values.copy()
    present = piv.present
    steps: list[tuple[str, np.ndarray, np.ndarray]] = []
    hourly = present & np.isnan(out) & piv.hourly & np.isfinite(hourly_values) & (flags != "#")
    steps.append(("hourly_x2080", hourly, hourly_values * HOURS_PER_YEAR))
    top = present & (flags == "#")
    nat_top = np.where(np.isfinite(nat) & (nat > TOPCODE_ANNUAL), nat, np.nan)[None, :]
    top_nat = top & np.isfinite(nat_top)
    steps.append(("topcode_national", top_nat, np.broadcast_to(nat_top, out.shape)))
    steps.append(("topcode_floor", top & ~top_nat, np.full(out.shape, TOPCODE_ANNUAL)))
    for how, mask, source in steps:
        out[mask] = source[mask]
        counts[f"{what}_{how}"] = int(mask.sum())
        masks.append((what, how, mask))
    for how, source in (("reference", ref), ("national", np.broadcast_to(nat[None, :], out.shape))):
        mask = present & np.isnan(out) & np.isfinite(source)
        out[mask] = source[mask]
        counts[f"{what}_{how}"] = int(mask.sum())
        masks.append((what, how, mask))
    missing = present & np.isnan(out)
    counts[f"{what}_missing"] = int(missing.sum())
    masks.append((what, "missing", missing))
    return np.where(np.isnan(out), 0.0, out)


def fill_level(
    child: pd.DataFrame,
    reference: pd.DataFrame | FilledLevel,
    national: pd.DataFrame | FilledLevel,
    *,
    occ_codes: Sequence[str] | np.ndarray,
    parent_of: Mapping[str, str] | pd.Series | None = None,
    geo_col: str = "area",
) -> FilledLevel:
    """Fill suppressed employment and wages of one OEWS level.

    Parameters
    ----------
    child : pd.DataFrame
        OEWS rows of the level to fill (ARCHITECTURE columns); only ``o_group == "detailed"``
        rows and the ``00-0000`` total are used.
    reference : pd.DataFrame or FilledLevel
        The level whose shares and wages fill the holes (the national file for states, the
        filled state level for areas). Unknown reference cells fall back to ``national``.
    national : pd.DataFrame or FilledLevel
        The national cross-industry level (one geography): fallback shares and wages, and the
        value used for top-coded (``#``) wages.
    occ_codes : sequence of str
        Occupation codes (columns of the output, in this order).
    parent_of : mapping or pd.Series, optional
        Child id → reference id (e.g. area → its state FIPS). Needed when ``reference`` holds
        several geographies; when omitted the single reference geography serves every child.
    geo_col : str
        Column naming the geography (``"area"``; ``"naics"`` for national sectors).

    Returns
    -------
    FilledLevel
        Dense matrices; occupations a geography does not publish have 0 employment.

    Raises
    ------
    IcebergDataError
        Missing columns, duplicate rows, or a reference with different occupation codes.
    """
    occ_codes = np.asarray(occ_codes).astype(str)
    piv, outside = published_matrices(child, occ_codes, geo_col)
    ref_ids, ref_share, ref_wage, ref_median, _ = _reference_arrays(reference, occ_codes, geo_col)
    _, nat_share, nat_wage, nat_median, _ = _reference_arrays(national, occ_codes, geo_col)
    nat_share, nat_wage, nat_median = nat_share[0], nat_wage[0], nat_median[0]
    parent = _parent_index(piv.ids, ref_ids, parent_of)
    has_parent = parent >= 0
    pidx = np.where(has_parent, parent, 0)

    def by_parent(mat: np.ndarray) -> np.ndarray:
        return np.where(has_parent[:, None], mat[pidx], np.nan)

    counts: dict[str, int] = {
        "geographies": len(piv.ids),
        "detailed_rows_outside_occ_codes": outside,
        "geographies_without_reference": int((~has_parent).sum()),
    }
    masks: list[tuple[str, str, np.ndarray]] = []

    # Employment: spread the unallocated jobs over the suppressed occupations.
    supp = piv.present & (piv.emp_supp | np.isnan(piv.emp))
    published = np.where(piv.present & ~supp, piv.emp, 0.0)
    total = piv.total
    counts["geographies_without_total"] = int(np.isnan(total).sum())
    unalloc = np.nan_to_num(total - published.sum(axis=1), nan=0.0)
    counts["geographies_negative_unallocated"] = int((unalloc < 0).sum())
    unalloc = np.maximum(unalloc, 0.0)
    ref_s = by_parent(ref_share)
    from_ref = supp & np.isfinite(ref_s)
    weight = np.where(from_ref, ref_s, np.where(supp, nat_share[None, :], 0.0))
    weight = np.nan_to_num(weight, nan=0.0)
    wsum = weight.sum(axis=1)
    equal = supp.any(axis=1) & (wsum <= 0)  # no share anywhere: split equally
    weight = np.where(equal[:, None] & supp, 1.0, weight)
    wsum = weight.sum(axis=1)
    share = np.divide(weight, wsum[:, None], out=np.zeros_like(weight), where=wsum[:, None] > 0)
    employment = published + unalloc[:, None] * share
    counts["employment_suppressed"] = int(supp.sum())
    counts["employment_from_reference_share"] = int((from_ref & ~equal[:, None]).sum())
    counts["employment_from_national_share"] = int((supp & ~from_ref & ~equal[:, None]).sum())
    counts["employment_equal_split"] = int((supp & equal[:, None]).sum())
    counts["employment_suppressed_set_to_zero"] = int((supp & (employment == 0)).sum())
    counts["geographies_unallocated_without_suppressed"] = int(
        ((unalloc > 0) & ~supp.any(axis=1)).sum()
    )
    masks += [
        ("employment", "reference_share", from_ref & ~equal[:, None]),
        ("employment", "national_share", supp & ~from_ref & ~equal[:, None]),
        ("employment", "equal_split", supp & equal[:, None]),
    ]

    wage = _fill_wage(piv.wage, piv.wage_flag, piv.h_wage, piv, by_parent(ref_wage), nat_wage,
                      "wage", counts, masks)
    median = _fill_wage(piv.median, piv.median_flag, piv.h_median, piv, by_parent(ref_median),
                        nat_median, "wage_median", counts, masks)
    # GeoMatrix contract: wages are 0 where employment is 0.
    wage = np.where(employment > 0, wage, 0.0)
    median = np.where(employment > 0, median, 0.0)
    return FilledLevel(
        ids=piv.ids,
        occ_codes=occ_codes,
        employment=employment,
        wage=wage,
        wage_median=median,
        counts=counts,
        fills=_fills_frame(piv.ids, occ_codes, masks),
        published_total=total,
    )


def _fills_frame(
    ids: np.ndarray, occ_codes: np.ndarray, masks: list[tuple[str, str, np.ndarray]]
) -> pd.DataFrame:
    parts = []
    for what, how, mask in masks:
        gi, oi = np.nonzero(mask)
        if len(gi):
            parts.append(pd.DataFrame({"geo": ids[gi], "occ": occ_codes[oi], "what": what, "how": how}))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in FILL_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def area_parents(area: pd.DataFrame) -> pd.Series:
    """Area id → state FIPS of the area (BLS's primary state for cross-state MSAs)."""
    check_columns(area, ("area", "state_fips"))
    rows = area.drop_duplicates("area")
    return pd.Series(rows["state_fips"].astype(str).to_numpy(),
                     index=rows["area"].astype(str).to_numpy(), name="state_fips")


def fill_all(
    frames: Mapping[str, pd.DataFrame], occ_codes: Sequence[str] | np.ndarray | None = None
) -> dict[str, FilledLevel]:
    """Fill the national, state and area levels in chain (national → state → area).

    Parameters
    ----------
    frames : mapping
        ``national``, ``state`` and ``area`` frames as from ``iceberg.io.oews.read_oews_dir``.
    occ_codes : sequence of str, optional
        Occupation columns; default the national detailed codes.

    Returns
    -------
    dict
        ``national``, ``state``, ``area`` → :class:`FilledLevel`. States are filled from the
        national level, areas from their (filled) state, else national.
    """
    for key in ("national", "state", "area"):
        if key not in frames:
            raise IcebergDataError("OEWS level missing", column=key,
                                   expected="national, state and area frames", found=list(frames))
    if occ_codes is None:
        occ_codes = detailed_occ_codes(frames["national"])
    nat = fill_level(frames["national"], frames["national"], frames["national"], occ_codes=occ_codes)
    state = fill_level(frames["state"], nat, nat, occ_codes=occ_codes)
    area = fill_level(frames["area"], state, nat, occ_codes=occ_codes,
                      parent_of=area_parents(frames["area"]))
    return {"national": nat, "state": state, "area": area}
