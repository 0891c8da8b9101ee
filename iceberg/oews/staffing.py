"""National staffing patterns by ACS industry group (the county industry-mix prior).

OEWS publishes, nationally, employment by occupation within each NAICS sector. The ACS county
table C24050 gives employment in 13 industry groups, each a set of NAICS sectors. This module
turns the national-by-industry OEWS frame into a 13 × O matrix of occupation shares within each
ACS group, so that ``ACS county × sector employment @ shares`` is a county × occupation prior.

Choices (documented in ``docs/methods_allocation.md``):

- only OEWS rows with ``i_group == "sector"`` whose ``naics`` is one of the mapped sector codes
  are used; the OEWS government designations ``999101``/``999201``/``999301`` (also flagged
  "sector") overlap with sectors 61, 62 and 48-49 and are not used;
- ACS "Public administration" (NAICS 92) maps to OEWS sector ``99`` ("Federal, State, and Local
  Government, excluding State and Local Schools and Hospitals and the USPS"): OEWS files public
  schools, hospitals and the USPS under 61, 62 and 48-49, the same way ACS files them, so the
  sectors still partition employment (they sum to the national total);
- unpublished sector cells (``**`` and unlisted occupations) are estimated like any OEWS level
  (:mod:`iceberg.oews.estimation`: each major group's residual over its unknown cells, in proportion
  to the national within-group shares), and counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from iceberg.arrays import one_hot
from iceberg.errors import IcebergDataError
from iceberg.io._table import require_columns

from .estimation import EstimatedLevel, estimate_level

#: ACS C24050 industry groups (lines 002–014) and their NAICS sectors as OEWS writes them.
ACS_INDUSTRY_GROUPS = pd.DataFrame(
    {
        "group": [f"C24050_{i:03d}" for i in range(2, 15)],
        "codes": ["11;21", "23", "31-33", "42", "44-45", "48-49;22", "51", "52;53",
                  "54;55;56", "61;62", "71;72", "81", "92"],
    }
)

#: NAICS codes whose OEWS sector code differs (ACS public administration → OEWS government).
NAICS_TO_OEWS_SECTOR = {"92": "99"}


@dataclass(frozen=True)
class StaffingPatterns:
    """Occupation shares within each ACS industry group (national OEWS staffing patterns).

    Attributes
    ----------
    groups : np.ndarray
        ACS group ids (e.g. ``"C24050_004"``), length S.
    occ_codes : np.ndarray
        Occupation codes, length O.
    shares : np.ndarray
        S × O occupation shares; each row sums to 1.
    employment : np.ndarray
        S × O national employment (after fill) behind the shares.
    sectors : dict[str, list[str]]
        OEWS sector codes used for each group.
    counts : dict[str, int]
        Fill counts of the sector level (prefixed ``sector_``) and mapping counts.
    fills : pd.DataFrame
        The filled sector cells (``geo`` = OEWS sector code).
    """

    groups: np.ndarray
    occ_codes: np.ndarray
    shares: np.ndarray
    employment: np.ndarray
    sectors: dict[str, list[str]]
    counts: dict[str, int]
    fills: pd.DataFrame

    def frame(self) -> pd.DataFrame:
        """Shares as a DataFrame (groups × occupation codes)."""
        return pd.DataFrame(self.shares, index=pd.Index(self.groups, name="group"),
                            columns=pd.Index(self.occ_codes, name="occ_code"))


def _sector_codes(codes: str) -> list[str]:
    parts = [c.strip() for c in str(codes).split(";") if c.strip()]
    return [NAICS_TO_OEWS_SECTOR.get(c, c) for c in parts]


def national_staffing(
    national_by_industry: pd.DataFrame,
    national: EstimatedLevel,
    *,
    occ_codes: Sequence[str] | np.ndarray,
    groups: pd.DataFrame | None = None,
) -> StaffingPatterns:
    """National staffing patterns aggregated to ACS industry groups.

    Parameters
    ----------
    national_by_industry : pd.DataFrame
        OEWS national-by-industry rows (ARCHITECTURE columns).
    national : EstimatedLevel
        National cross-industry level: the parent whose within-group shares estimate the
        unpublished sector cells.
    occ_codes : sequence of str
        Occupation codes (columns of the result).
    groups : pd.DataFrame, optional
        Columns ``group, codes`` (``;``-separated NAICS sectors, e.g. the ACS industry frame
        of :func:`iceberg.io.census.read_acs_county`, deduplicated). Rows without codes (the
        table total) are ignored. Default :data:`ACS_INDUSTRY_GROUPS`.

    Returns
    -------
    StaffingPatterns

    Raises
    ------
    IcebergDataError
        A group names a NAICS sector that the OEWS frame does not publish, or a sector is
        claimed by two groups.
    """
    occ_codes = np.asarray(occ_codes).astype(str)
    if groups is None:
        groups = ACS_INDUSTRY_GROUPS
    for col in ("group", "codes"):
        if col not in groups.columns:
            raise IcebergDataError("industry groups lack a column", column=col,
                                   expected="group, codes", found=list(groups.columns))
    groups = groups.drop_duplicates("group")
    groups = groups[groups["codes"].fillna("").astype(str).str.strip() != ""]
    sectors = {str(g): _sector_codes(c) for g, c in zip(groups["group"], groups["codes"])}
    member = pd.Series({s: g for g, ss in sectors.items() for s in ss})
    flat = [s for ss in sectors.values() for s in ss]
    if len(flat) != len(set(flat)):
        dup = pd.Series(flat)[pd.Series(flat).duplicated()].iloc[0]
        raise IcebergDataError("a NAICS sector is mapped to two industry groups", column="codes",
                               expected="each sector in one group", found=dup)

    nbi = national_by_industry
    require_columns(nbi, ("i_group", "naics"), what="national-by-industry frame")
    rows = nbi[(nbi["i_group"] == "sector") & nbi["naics"].astype(str).isin(member.index)]
    missing = sorted(set(member.index) - set(rows["naics"].astype(str)))
    if missing:
        raise IcebergDataError("NAICS sector not found in the OEWS national-by-industry frame",
                               column="naics", expected="sector rows for " + ", ".join(member.index),
                               found=missing)
    filled = estimate_level(rows, national, national, occ_codes=occ_codes, geo_col="naics")
    # Sum the filled sectors into their ACS group (S × O).
    gids = np.asarray(list(sectors), dtype=str)
    group_of = pd.Index(gids).get_indexer(member.reindex(filled.ids).to_numpy())
    employment = np.asarray(one_hot(group_of, len(gids)).T @ filled.employment)
    tot = employment.sum(axis=1, keepdims=True)
    if (tot <= 0).any():
        bad = gids[(tot[:, 0] <= 0)][0]
        raise IcebergDataError("industry group has no OEWS employment", column="group",
                               expected="positive employment", found=bad)
    counts = {f"sector_{k}": v for k, v in filled.counts.items()}
    counts["staffing_groups"] = len(gids)
    counts["staffing_sectors"] = len(filled.ids)
    counts["sector_rows_excluded_government_designations"] = int(
        ((nbi["i_group"] == "sector") & nbi["naics"].astype(str).str.startswith("999")).sum()
    )
    return StaffingPatterns(
        groups=gids,
        occ_codes=occ_codes,
        shares=employment / tot,
        employment=employment,
        sectors=sectors,
        counts=counts,
        fills=filled.estimates,
    )
