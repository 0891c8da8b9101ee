"""Property tests: e in [0, 1], monotone in λ, surface ≤ iceberg, for random labels and areas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iceberg.exposure import ExposureModel
from iceberg.metrics import geo_metrics

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "exposure"
OCC = ["11-1011", "13-1020", "13-1031", "13-1039", "15-1252"]
BASE = {k: pd.read_csv(FIX / f"{k}.csv") for k in ("tasks", "tasks_to_dwas", "dwa_reference",
                                                    "eloundou")}
XW = pd.read_csv(FIX / "crosswalk.csv")
labels = st.lists(st.sampled_from(["E0", "E1", "E2"]), min_size=10, max_size=10)


@settings(max_examples=40, deadline=None)
@given(human=labels, gpt4=labels,
       lams=st.lists(st.floats(0, 1), min_size=2, max_size=2),
       emp=st.lists(st.one_of(st.just(0.0), st.floats(1, 1e5)), min_size=10, max_size=10),
       wage=st.lists(st.floats(1e4, 5e5), min_size=10, max_size=10))
def test_exposure_properties(human, gpt4, lams, emp, wage):
    el = BASE["eloundou"].assign(human=human, gpt4=gpt4)
    m = ExposureModel.from_sources(OCC, tasks=BASE["tasks"], tasks_to_dwas=BASE["tasks_to_dwas"],
                                   dwa_reference=BASE["dwa_reference"], onet_soc_crosswalk=XW,
                                   eloundou=el)
    lo, hi = sorted(lams)
    E = np.array(emp).reshape(2, 5)
    W = np.array(wage).reshape(2, 5)
    for rater in ("human", "gpt4", "mean"):
        e_lo, e_hi = m.vector("eloundou", rater, lo), m.vector("eloundou", rater, hi)
        assert ((e_lo >= 0) & (e_hi <= 1)).all()
        assert (e_hi >= e_lo - 1e-12).all()
        t_lo, t_hi = (m.vector("eloundou", rater, lam, tau=0.5) for lam in (lo, hi))
        assert (t_hi >= t_lo - 1e-12).all() and ((t_lo >= 0) & (t_hi <= 1)).all()
        g = geo_metrics(E, W, e_hi, m.visible_mask())
        ok = g["wage_bill"] > 0
        assert (g.loc[ok, "surface_index"] <= g.loc[ok, "iceberg_index"] + 1e-12).all()
        assert g.loc[ok, "iceberg_index"].between(0, 1 + 1e-12).all()
        # the wage bill does not depend on the capability layer, rater or λ; the index rises with λ
        g_lo = geo_metrics(E, W, e_lo, m.visible_mask())
        pd.testing.assert_series_equal(g["wage_bill"], g_lo["wage_bill"])
        assert (g.loc[ok, "iceberg_index"] >= g_lo.loc[ok, "iceberg_index"] - 1e-12).all()
