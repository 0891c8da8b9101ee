"""Occupation similarity and the reskilling building blocks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iceberg.scenario.reskilling import (
    destinations,
    occupation_similarity,
    served_fraction,
    similarity_order,
)


def test_occupation_similarity_cosine():
    skills = pd.DataFrame({"soc_code": ["A", "A", "B", "B", "A", "C"],
                           "element_id": ["s1", "s2", "s1", "s2", "s1", "s1"],
                           "scale_id": ["IM", "IM", "IM", "IM", "LV", "IM"],
                           "value": [3.0, 4.0, 4.0, 3.0, 9.0, 2.0]})  # fmt: skip
    knowledge = pd.DataFrame({"soc_code": ["C"], "element_id": ["k1"], "scale_id": ["IM"],
                              "value": [2.0]})  # fmt: skip
    sim = occupation_similarity(skills, knowledge, ["A", "B", "C", "D"])
    assert sim[0, 1] == pytest.approx(24 / 25)  # (3·4 + 4·3) / (5·5); LV rows ignored
    assert sim[0, 2] == pytest.approx(6 / (5 * np.sqrt(8)))  # C = (2, 0, 2)
    assert np.allclose(np.diag(sim), 1) and sim[3, :3].sum() == 0  # D has no data
    assert np.allclose(sim, sim.T)


def test_served_fraction_most_exposed_first_and_capped():
    f = served_fraction(np.array([2.0, 5.0, 1.0]), np.array([0.2, 0.9, 0.5]), 5.5)
    assert f.tolist() == [0.0, 1.0, 0.5]
    assert served_fraction(np.array([2.0, 5.0]), np.array([1, 2]), 100).tolist() == [1.0, 1.0]


def test_destinations_lower_share_most_similar():
    sim = np.array(
        [[1, 0.9, 0.2, 0.5], [0.9, 1, 0.3, 0.1], [0.2, 0.3, 1, 0.4], [0.5, 0.1, 0.4, 1.0]]
    )
    order, ssim = similarity_order(sim)
    d = destinations(order, ssim, np.array([0.5, 0.6, 0.1, 0.2]), np.ones(4, bool), k=2)
    got = {(int(r), int(c)): w for r, c, w in zip(d.rows, d.cols, d.weights)}
    assert got[(0, 3)] == pytest.approx(0.5 / 0.7) and got[(0, 2)] == pytest.approx(0.2 / 0.7)
    assert {c for r, c in got if r == 1} == {0, 2}  # 0.9 and 0.3 beat 0.1
    assert not d.has_destination[2] and d.has_destination[3]
