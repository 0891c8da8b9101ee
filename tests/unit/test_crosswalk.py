"""Unit tests for geodata.crosswalk on a hand-made five-county crosswalk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.crosswalk import county_area_matrix, validate_county_areas
from iceberg.errors import IcebergDataError


@pytest.fixture
def crosswalk() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "county_fips": ["01001", "01003", "01005", "01011", "35013"],
            "oews_area": ["33860", "19300", "0100003", "0100003", "29740"],
            "oews_area_type": [4, 4, 6, 6, 4],
        }
    )


BOUNDS = ["01001", "01003", "01005", "01011", "35013"]
AREAS = ["33860", "19300", "0100003", "29740"]


def test_valid_counts(crosswalk):
    counts = validate_county_areas(crosswalk, pd.DataFrame({"geoid": BOUNDS}), AREAS)
    assert counts == {
        "counties": 5,
        "areas": 4,
        "areas_msa": 3,
        "areas_nonmetro": 1,
        "counties_in_msa": 3,
        "counties_in_nonmetro": 2,
        "boundary_counties_ignored": 0,
    }


def test_county_in_two_areas(crosswalk):
    cw = pd.concat(
        [
            crosswalk,
            pd.DataFrame(
                {"county_fips": ["01003"], "oews_area": ["0100003"], "oews_area_type": [6]}
            ),
        ]
    )
    with pytest.raises(IcebergDataError, match="more than once") as err:
        validate_county_areas(cw, BOUNDS, AREAS, file="cw.csv")
    assert err.value.row == 6
    assert "01003 in areas 19300, 0100003" in str(err.value)
    assert err.value.file == "cw.csv"


def test_area_without_counties(crosswalk):
    with pytest.raises(IcebergDataError, match="1 OEWS area") as err:
        validate_county_areas(crosswalk, BOUNDS, [*AREAS, "0100001"])
    assert "0100001" in str(err.value)


def test_county_in_area_without_data(crosswalk):
    with pytest.raises(IcebergDataError, match="no OEWS data") as err:
        validate_county_areas(crosswalk, BOUNDS, ["33860", "19300", "0100003"])
    assert err.value.row == 5 and "29740" in str(err.value)


def test_county_without_boundary(crosswalk):
    with pytest.raises(IcebergDataError, match="have no boundary") as err:
        validate_county_areas(crosswalk, BOUNDS[:-1], AREAS)
    assert err.value.row == 5 and "35013" in str(err.value)


def test_boundary_county_not_in_crosswalk(crosswalk):
    with pytest.raises(IcebergDataError, match="not in the crosswalk") as err:
        validate_county_areas(crosswalk, [*BOUNDS, "09110"], AREAS)
    assert "09110" in str(err.value)
    counts = validate_county_areas(
        crosswalk, [*BOUNDS, "66010", "78010"], AREAS, ignore_states=["66", "78"]
    )
    assert counts["boundary_counties_ignored"] == 2


def test_missing_column(crosswalk):
    with pytest.raises(IcebergDataError, match="column missing"):
        validate_county_areas(crosswalk.drop(columns="oews_area"), BOUNDS, AREAS)


def test_matrix(crosswalk):
    counties = ["35013", "01001", "01005", "01011"]
    areas = ["0100003", "29740", "33860"]
    m = county_area_matrix(crosswalk, counties, areas)
    assert m.shape == (4, 3) and m.format == "csr"
    expected = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0], [1, 0, 0]], dtype=float)
    np.testing.assert_array_equal(m.toarray(), expected)
    # Summing counties to areas: jobs 10, 20, 30, 40 → areas 70, 10, 20.
    np.testing.assert_array_equal(m.T @ np.array([10.0, 20.0, 30.0, 40.0]), [70.0, 10.0, 20.0])


def test_matrix_errors(crosswalk):
    with pytest.raises(IcebergDataError, match="not in the crosswalk"):
        county_area_matrix(crosswalk, ["01001", "99999"], AREAS)
    with pytest.raises(IcebergDataError, match="not in area_ids") as err:
        county_area_matrix(crosswalk, ["01001", "01003"], ["33860"])
    assert "01003 → 19300" in str(err.value)
    with pytest.raises(IcebergDataError, match="duplicate id"):
        county_area_matrix(crosswalk, ["01001", "01001"], AREAS)
    dup = pd.concat([crosswalk, crosswalk.iloc[[0]]])
    with pytest.raises(IcebergDataError, match="more than once"):
        county_area_matrix(dup, ["01001"], AREAS)
