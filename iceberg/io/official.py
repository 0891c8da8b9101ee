"""Readers for official download formats whose layout differs from the shared snapshot's files.

Kept so that existing imports (``from iceberg.io.official import …``) keep working; the readers
live in two modules, one per format:

* :mod:`iceberg.io.bls_area_definitions` — the BLS workbook ``area_definitions_mYYYY.xlsx``
  (instead of the derived ``county_to_oews_area_may2025.csv``);
* :mod:`iceberg.io.acs_api` — Census Data API responses ``C24050.json`` / ``C24060.json``
  (instead of the derived wide ACS CSV plus ``variables.csv``), with the built-in variable
  table :data:`~iceberg.io.acs_api.ACS_VARIABLES`.

Callers use :func:`iceberg.io.census.read_county_area_crosswalk` and
:func:`iceberg.io.census.read_acs_county`, which dispatch to them by file type.
"""

from __future__ import annotations

from iceberg.io.acs_api import (
    ACS_API_FILES,
    ACS_VARIABLES,
    ACS_VARIABLES_ORIGIN,
    acs_variables,
    check_group_total,
    read_acs_api_folder,
    read_census_api_json,
)
from iceberg.io.bls_area_definitions import collapse_towns, read_area_definitions_rows

__all__ = [
    "ACS_API_FILES",
    "ACS_VARIABLES",
    "ACS_VARIABLES_ORIGIN",
    "acs_variables",
    "check_group_total",
    "collapse_towns",
    "read_acs_api_folder",
    "read_area_definitions_rows",
    "read_census_api_json",
]
