"""``iceberg.run`` reuses what no lever changes (per bundle), and results stay independent."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

import iceberg
from iceberg import api
from iceberg.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[2]


def _tiny():
    spec = importlib.util.spec_from_file_location(
        "tiny_bundle", ROOT / "tests" / "fixtures" / "app" / "tiny_bundle.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.tiny_bundle()


def test_technical_part_computed_once_per_exposure(monkeypatch):
    bundle = _tiny()
    calls = []
    real = api.top_occupations
    monkeypatch.setattr(api, "top_occupations", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = iceberg.run(bundle, Scenario())
    n_levels = len(bundle.levels)
    assert len(calls) == n_levels
    # adoption, labour and reskilling levers do not change technical exposure: reused
    second = iceberg.run(bundle, Scenario(adoption_ceiling=0.9, substitution_share=0.1))
    assert len(calls) == n_levels
    pd.testing.assert_series_equal(first.counties["iceberg_index"], second.counties["iceberg_index"])
    assert not first.counties["displaced_wages"].equals(second.counties["displaced_wages"])
    # a capability lever does: computed again, and the figures move
    third = iceberg.run(bundle, Scenario(tool_frontier=1.0))
    assert len(calls) == 2 * n_levels
    assert (third.nation["iceberg_index"].to_numpy() > first.nation["iceberg_index"].to_numpy()).all()


def test_reused_frames_are_not_shared_between_results():
    bundle = _tiny()
    a = iceberg.run(bundle, Scenario())
    a.states["iceberg_index"] = -1.0
    a.nation.loc[:, "exposed_wages"] = np.nan
    b = iceberg.run(bundle, Scenario())
    assert (b.states["iceberg_index"] >= 0).all()
    assert np.isfinite(b.nation["exposed_wages"]).all()


def test_cache_bounded_per_bundle():
    bundle = _tiny()
    for lam in np.linspace(0, 1, api._TECHNICAL_KEEP + 4):
        iceberg.run(bundle, Scenario(tool_frontier=float(round(lam, 2))))
    store = bundle.__dict__["_run_cache"][("technical", "mean")]
    assert len(store) == api._TECHNICAL_KEEP
