"""Index definitions live in iceberg.metrics; occupation, state-mean and derived figures agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from iceberg.metrics import add_per_worker_and_share, geo_metrics, occupation_metrics, state_mean

E = np.array([[10.0, 5, 0], [2, 0, 8]])
W = np.array([[50_000.0, 90_000, 0], [40_000, 0, 120_000]])
EXP = np.array([0.5, 0.2, 0.9])
VIS = np.array([False, True, True])


def test_occupation_table_sums_to_geo_metrics():
    geo = geo_metrics(E, W, EXP, VIS).iloc[0]
    occ = occupation_metrics(E[0], W[0], EXP, VIS)
    for column in ("wage_bill", "exposed_wages", "surface_wages", "hidden_wages",
                   "exposed_workers"):
        assert occ[column].sum() == pytest.approx(geo[column])


def test_state_mean_is_ratio_of_means_over_states_only():
    states = geo_metrics(E, W, EXP, VIS, ids=["47", "72"])  # Tennessee, Puerto Rico
    mean = state_mean(states)
    assert mean["n_states"] == 1  # Puerto Rico is a territory
    assert mean["iceberg_index"] == pytest.approx(states.loc["47", "iceberg_index"])
    both = pd.concat([states, states.rename(index={"72": "01"})])
    mean = state_mean(both.iloc[[0, 2]].rename(index=lambda i: i))
    assert mean["hidden_multiple"] == pytest.approx(mean["iceberg_index"] / mean["surface_index"])


def test_dollars_per_worker_and_as_share_of_wage_bill():
    frame = geo_metrics(E, W, EXP, VIS).assign(displaced_wages=[1000.0, 0.0])
    out = add_per_worker_and_share(frame)
    assert out["exposed_wages_per_worker"].iloc[0] == pytest.approx(
        frame["exposed_wages"].iloc[0] / 15)
    assert out["displaced_wages_share_of_wage_bill"].iloc[0] == pytest.approx(
        1000 / frame["wage_bill"].iloc[0])
    assert "exposed_wages_share_of_wage_bill" not in out  # that is the iceberg index
    zero = add_per_worker_and_share(frame.assign(employment=0.0))
    assert zero["exposed_wages_per_worker"].isna().all()
