"""County ↔ OEWS area membership: validation and the sparse membership matrix.

OEWS publishes sub-state figures for MSAs and BLS nonmetropolitan areas; every county must sit
in exactly one of them, every area must have counties, and the crosswalk must describe the same
counties as the boundary layer the maps draw. :func:`validate_county_areas` checks all of that
and says exactly what is wrong; :func:`county_area_matrix` gives the C × A 0/1 matrix used to
split area figures to counties and to sum counties back to areas.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from iceberg.arrays import one_hot
from iceberg.errors import IcebergDataError
from iceberg.io._table import require_columns

from ._shapes import resolve_id_column


def _ids(values: Iterable[str] | pd.DataFrame | pd.Series, column: str = "geoid") -> pd.Index:
    """Ids as a string Index, from a sequence or a frame's ``geoid``/``GEOID`` column."""
    if isinstance(values, pd.DataFrame):
        return pd.Index(values[resolve_id_column(values, column)].astype(str).to_numpy())
    return pd.Index(
        np.asarray(
            list(values) if not isinstance(values, pd.Series) else values.to_numpy(), dtype=str
        )
    )


def _require(crosswalk: pd.DataFrame, file: str | None) -> None:
    require_columns(crosswalk, ("county_fips", "oews_area"), file, what="crosswalk")


def _sample(values: Iterable[str], n: int = 5) -> str:
    vals = sorted(map(str, values))
    return ", ".join(vals[:n]) + (f" … (+{len(vals) - n})" if len(vals) > n else "")


def validate_county_areas(
    crosswalk: pd.DataFrame,
    boundaries: pd.DataFrame | Iterable[str],
    area_codes: Iterable[str],
    *,
    ignore_states: Iterable[str] = (),
    file: str | None = None,
) -> dict[str, int]:
    """Check that counties, boundaries and OEWS areas fit together one-to-one.

    Parameters
    ----------
    crosswalk : DataFrame
        ``county_fips, oews_area`` (e.g. :func:`iceberg.io.census.read_county_area_crosswalk`);
        ``oews_area_type`` is used for the counts when present.
    boundaries : GeoDataFrame, DataFrame or iterable of str
        The county layer (its ``geoid``/``GEOID`` column) or the county ids themselves.
    area_codes : iterable of str
        OEWS sub-state area codes that have data (MSA and nonmetro ``area`` values).
    ignore_states : iterable of str, optional
        State FIPS whose boundary counties need no area (e.g. ``{"66", "78"}``: Guam and USVI
        have state-level OEWS only). They are counted, not checked.
    file : str, optional
        Crosswalk file name, for error messages.

    Returns
    -------
    dict[str, int]
        ``counties``, ``areas``, ``areas_msa``, ``areas_nonmetro``, ``counties_in_msa``,
        ``counties_in_nonmetro``, ``boundary_counties_ignored``.

    Raises
    ------
    IcebergDataError
        A county listed in two areas (or twice); a county assigned to an area without OEWS
        data; an OEWS area with no county; a crosswalk county with no boundary; a boundary
        county absent from the crosswalk. Each message names the first offending code and a
        sample of the rest.
    """
    _require(crosswalk, file)
    county = crosswalk["county_fips"].astype(str)
    area = crosswalk["oews_area"].astype(str)
    areas = pd.Index(np.asarray(list(area_codes), dtype=str)).unique()
    bounds = _ids(boundaries)
    ignored_states = set(map(str, ignore_states))

    dup = county.duplicated(keep=False).to_numpy()
    if dup.any():
        first = county[dup].iloc[0]
        rows = np.flatnonzero(county.to_numpy() == first)
        raise IcebergDataError(
            "county assigned more than once",
            file=file,
            row=int(rows[1]) + 1,
            column="county_fips",
            expected="each county in exactly one OEWS area",
            found=f"{first} in areas {', '.join(area.iloc[rows].tolist())}"
            + (
                f"; {county[dup].nunique() - 1} more counties repeated"
                if county[dup].nunique() > 1
                else ""
            ),
        )
    unknown = ~area.isin(areas).to_numpy()
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise IcebergDataError(
            "county assigned to an OEWS area that has no OEWS data",
            file=file,
            row=i + 1,
            column="oews_area",
            expected="an area code present in the OEWS area file",
            found=f"county {county.iloc[i]} → area {area.iloc[i]} (areas: {_sample(area[unknown].unique())})",
        )
    empty = areas.difference(pd.Index(area.unique()))
    if len(empty):
        raise IcebergDataError(
            f"{len(empty)} OEWS area(s) have no county in the crosswalk",
            file=file,
            column="oews_area",
            expected="every OEWS sub-state area covering at least one county",
            found=_sample(empty),
        )
    no_shape = pd.Index(county).difference(bounds)
    if len(no_shape):
        i = int(np.flatnonzero(county.isin(no_shape).to_numpy())[0])
        raise IcebergDataError(
            f"{len(no_shape)} crosswalk county(ies) have no boundary",
            file=file,
            row=i + 1,
            column="county_fips",
            expected="a county present in the boundary layer",
            found=_sample(no_shape),
        )
    extra = bounds.difference(pd.Index(county))
    ignored = extra[np.isin(extra.str[:2], list(ignored_states))]
    missing = extra.difference(ignored)
    if len(missing):
        raise IcebergDataError(
            f"{len(missing)} boundary county(ies) are not in the crosswalk",
            file=file,
            column="county_fips",
            expected="every boundary county assigned to one OEWS area",
            found=_sample(missing),
        )
    kind = (
        pd.to_numeric(crosswalk["oews_area_type"], errors="coerce").to_numpy()
        if "oews_area_type" in crosswalk.columns
        else np.where(area.str.len().to_numpy() == 5, 4, 6)
    )
    return {
        "counties": len(county),
        "areas": int(area.nunique()),
        "areas_msa": int(area[kind == 4].nunique()),
        "areas_nonmetro": int(area[kind == 6].nunique()),
        "counties_in_msa": int((kind == 4).sum()),
        "counties_in_nonmetro": int((kind == 6).sum()),
        "boundary_counties_ignored": len(ignored),
    }


def county_area_matrix(
    crosswalk: pd.DataFrame,
    county_ids: Iterable[str],
    area_ids: Iterable[str],
) -> sp.csr_matrix:
    """County × area membership matrix.

    Parameters
    ----------
    crosswalk : DataFrame
        ``county_fips, oews_area``.
    county_ids : iterable of str
        Row order (C counties); each must appear in the crosswalk exactly once.
    area_ids : iterable of str
        Column order (A areas); each county's area must be among them.

    Returns
    -------
    scipy.sparse.csr_matrix
        C × A, float64, ``M[c, a] = 1`` when county ``c`` is in area ``a``; each row has
        exactly one 1. ``M.T @ X`` sums county rows to areas; ``M @ Y`` broadcasts area rows.

    Raises
    ------
    IcebergDataError
        Duplicate ids, a county missing from the crosswalk or listed twice, or a county whose
        area is not in ``area_ids``.
    """
    _require(crosswalk, None)
    counties = pd.Index(np.asarray(list(county_ids), dtype=str))
    areas = pd.Index(np.asarray(list(area_ids), dtype=str))
    for name, idx in (("county_ids", counties), ("area_ids", areas)):
        if idx.has_duplicates:
            raise IcebergDataError(
                f"duplicate id in {name}",
                column=name,
                expected="unique ids",
                found=_sample(idx[idx.duplicated()].unique()),
            )
    cw = pd.Series(
        crosswalk["oews_area"].astype(str).to_numpy(),
        index=crosswalk["county_fips"].astype(str).to_numpy(),
    )
    if cw.index.has_duplicates:
        dup = cw.index[cw.index.duplicated()].unique()
        raise IcebergDataError(
            "county assigned more than once",
            column="county_fips",
            expected="each county in exactly one area",
            found=_sample(dup),
        )
    pos = cw.index.get_indexer(counties)
    if (pos < 0).any():
        raise IcebergDataError(
            "county not in the crosswalk",
            column="county_fips",
            expected="every county id in the crosswalk",
            found=_sample(counties[pos < 0]),
        )
    col = areas.get_indexer(cw.to_numpy()[pos])
    if (col < 0).any():
        bad = counties[col < 0]
        raise IcebergDataError(
            "county's area is not in area_ids",
            column="oews_area",
            expected="the area among area_ids",
            found=f"{bad[0]} → {cw[bad[0]]}" + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""),
        )
    return one_hot(col, len(areas))


def area_state_weights(crosswalk: pd.DataFrame, county_jobs: pd.Series | None = None) -> pd.DataFrame:
    """Share of each OEWS area's jobs in each state (cross-state MSAs get one row per state).

    Parameters
    ----------
    crosswalk : pd.DataFrame
        ``county_fips, oews_area`` (+ ``state_fips``; else the first two digits of the county).
    county_jobs : pd.Series, optional
        Jobs (or any employment signal, e.g. ACS employed) by county FIPS; counties without a
        value weigh as the mean county of their area, and every county weighs 1 when omitted.

    Returns
    -------
    pd.DataFrame
        ``child`` (area), ``parent`` (state FIPS), ``weight`` (sums to 1 per area).
    """
    _require(crosswalk, None)
    cw = crosswalk.assign(county_fips=crosswalk["county_fips"].astype(str),
                          oews_area=crosswalk["oews_area"].astype(str))
    state = (cw["state_fips"].astype(str).str.zfill(2) if "state_fips" in cw.columns
             else cw["county_fips"].str[:2])
    jobs = (pd.Series(1.0, index=cw.index) if county_jobs is None
            else pd.to_numeric(cw["county_fips"].map(county_jobs), errors="coerce"))
    jobs = jobs.fillna(jobs.groupby(cw["oews_area"]).transform("mean")).fillna(1.0)
    frame = pd.DataFrame({"child": cw["oews_area"], "parent": state, "weight": jobs.to_numpy(float)})
    frame = frame.groupby(["child", "parent"], as_index=False)["weight"].sum()
    tot = frame.groupby("child")["weight"].transform("sum")
    frame["weight"] = np.where(tot > 0, frame["weight"] / tot.where(tot > 0, 1.0), 0.0)
    return frame
