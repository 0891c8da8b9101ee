"""OEWS table processing: published BLS OEWS tables → geography × occupation matrices.

- :mod:`iceberg.oews.published`: one level's published cells and margins as dense matrices
  (suppressed and unlisted cells stay NaN, their BLS flags kept);
- :mod:`iceberg.oews.estimation`: every unpublished cell estimated under the published margins
  (national → state → area), wages filled by the BLS conventions;
- :mod:`iceberg.oews.staffing`: national staffing patterns by ACS industry group;
- :mod:`iceberg.oews.holdout`: the held-out check of the estimation against naive baselines.

Reading the files is :mod:`iceberg.io.oews`; splitting areas into counties is
:mod:`geodata.allocation`. This package imports neither ``geodata`` nor the app, CLI or scenario
layers (import-linter contract ``oews-tables`` in ``pyproject.toml``).
"""
