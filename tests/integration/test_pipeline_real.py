"""The whole pipeline on the real data: bundle, run(), conservation, roll-ups, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import iceberg
from iceberg.cli import app
from iceberg.io import oews

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def baseline(real_bundle):
    return iceberg.run(real_bundle, iceberg.Scenario(adoption_ceiling=0.0))


def test_bundle_levels_and_counties(real_bundle):
    assert len(real_bundle.counties) == 3222  # every county of the 2023 file, PR included
    assert real_bundle.counties["geoid"].is_unique
    county = real_bundle.levels["county"]
    assert len(county.ids) == 3222
    assert len(real_bundle.levels["area"].ids) == 528
    assert set(real_bundle.levels["state"].ids) >= {"11", "72", "66", "78"}  # DC, PR, GU, VI state-level
    methods = real_bundle.counties["allocation_method"].value_counts()
    print("\ncounties per allocation method:", methods.to_dict())
    assert methods.get("industry_mix", 0) > 3000


def test_allocation_conserves_every_area_total(real_bundle):
    county, area = real_bundle.levels["county"], real_bundle.levels["area"]
    area_of = county.meta["oews_area"].reindex(county.ids).to_numpy(dtype=str)
    index = pd.Index(area.ids).get_indexer(area_of)
    assert (index >= 0).all()
    summed = np.zeros_like(area.employment)
    np.add.at(summed, index, county.employment)
    error = np.abs(summed - area.employment).max()
    print(f"\nmax |sum of counties - area| over {area.employment.size:,} area x occupation cells: {error:.2e} jobs")
    np.testing.assert_allclose(summed, area.employment, rtol=1e-9, atol=1e-6)


def test_national_wage_bill_matches_oews_file(real_bundle, raw_dir):
    national = oews.read_oews(raw_dir / "oews_2025" / "oews_2025_national_cross_industry.csv.gz")
    detailed = national[(national["o_group"] == "detailed") & national["tot_emp"].notna()
                        & national["a_mean"].notna()]
    direct = float((detailed["tot_emp"] * detailed["a_mean"]).sum())
    nation = real_bundle.levels["nation"]
    ours = float((nation.employment * nation.wage).sum())
    print(f"\nnational wage bill: ours ${ours / 1e12:.3f}T, direct from OEWS file ${direct / 1e12:.3f}T")
    assert abs(ours - direct) / direct < 0.005


def test_every_occupation_with_employment_has_exposure_or_reason(real_bundle):
    nation = real_bundle.levels["nation"]
    employed = nation.employment[0] > 0
    detail = real_bundle.exposure.detail.set_index("occ_code").reindex(real_bundle.occ_codes)
    missing = employed & (detail["reason"].to_numpy() == "none")
    listed = detail.loc[missing, "reason"]
    print(f"\n{employed.sum()} employed occupations; without exposure: {missing.sum()} ({list(listed.index)})")
    # every occupation without a value is listed with a reason rather than silently dropped
    assert detail["reason"].notna().all()
    assert missing.sum() <= 5


def test_baseline_figures_are_on_the_papers_scale(baseline):
    n = baseline.national_summary()
    print(f"\nnational: surface {n['surface_index']:.2%} (${n['surface_wages'] / 1e9:.0f}B), "
          f"iceberg {n['iceberg_index']:.2%} (${n['exposed_wages'] / 1e9:.0f}B), hidden {n['hidden_index']:.2%}, "
          f"multiple {n['hidden_multiple']:.1f}x; state means surface {n['surface_index_state_mean']:.2%}, "
          f"iceberg {n['iceberg_index_state_mean']:.2%}")
    assert 0 < n["surface_index"] < n["iceberg_index"] < 1
    assert n["hidden_index"] == pytest.approx(n["iceberg_index"] - n["surface_index"])
    # DESIGN §2: defaults put the visible index near 2.5% and the hidden index near 13%
    assert 0.015 < n["surface_index"] < 0.04 and 0.08 < n["hidden_index"] < 0.18


def test_county_indices_vary_within_areas(baseline):
    counties = baseline.counties
    acs = counties[counties["allocation_method"] == "industry_mix"]
    spread = acs.groupby("oews_area")["iceberg_index"].agg(["std", "size"])
    multi = spread[spread["size"] > 1]
    print(f"\nwithin-area std of the iceberg index over {len(multi)} multi-county areas: "
          f"median {multi['std'].median():.4f}, max {multi['std'].max():.4f}")
    assert (multi["std"] > 0).mean() > 0.95


def test_state_rollups_equal_sums_of_counties(baseline):
    counties = baseline.counties
    sums = counties.groupby("state_fips")[["wage_bill", "exposed_wages", "hidden_wages"]].sum()
    roll = baseline.states_from_counties.loc[sums.index]
    np.testing.assert_allclose(roll[sums.columns].to_numpy(), sums.to_numpy(), rtol=1e-10)
    assert (roll["iceberg_index"] - roll["exposed_wages"] / roll["wage_bill"]).abs().max() < 1e-12


def test_provenance_counts_every_stage(baseline):
    prov = baseline.provenance.to_dict()
    assert {"inputs", "oews", "exposure", "estimate_area", "allocation"} <= set(prov["counts"])
    assert prov["build"]["task_weighting"]
    excluded = {row["id"]: row["reason"] for row in prov["build"]["excluded"]}
    assert {"66", "78"} <= set(excluded)  # Guam and the Virgin Islands: state-level only, said so
    assert any("CC BY 4.0" in line for line in baseline.provenance.attribution())
    json.dumps(prov, default=str)


def test_cli_summary_and_validate(real_bundle, raw_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(real_bundle.path.parents[1]))
    monkeypatch.setenv("ICEBERG_DATA_DIR", str(raw_dir))
    runner = CliRunner()
    out = runner.invoke(app, ["summary", "--state", "TN", "--format", "json"])
    assert out.exit_code == 0, out.output
    tables = json.loads(out.output)
    assert {"nation", "states", "counties", "areas"} <= set(tables)
    assert len(tables["counties"]) == 95  # Tennessee's counties
    report = tmp_path / "validation.md"
    out = runner.invoke(app, ["validate", "--out", str(report)])
    assert out.exit_code == 0, out.output
    text = report.read_text()
    assert "11.7%" in text and "2.2%" in text
    assert "Held-out check of the unpublished-cell estimation" in text
    assert "estimation (this model)" in text and "baseline: drop hidden cells" in text
    bad = runner.invoke(app, ["holdout", "--fraction", "1.5"])
    assert bad.exit_code == 2 and "--fraction" in bad.output and "(0, 1)" in bad.output
    chart = report.with_suffix(".png")
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 20_000
    assert chart.name in text


def test_default_scenario_reaches_every_county(real_bundle):
    result = iceberg.run(real_bundle)  # default levers: adoption ceiling 50%, horizon 2030
    counties = result.counties
    assert counties["displaced_wages"].notna().all() and (counties["displaced_wages"] > 0).all()
    assert (counties["displaced_wages"] <= counties["exposed_wages"] + 1e-6).all()
    roll = result.states_from_counties
    np.testing.assert_allclose(roll["displaced_wages"].sum(), counties["displaced_wages"].sum(), rtol=1e-10)
    nation = result.nation.iloc[0]
    print(f"\ndefault scenario, 2030: displaced ${nation['displaced_wages'] / 1e9:.0f}B "
          f"({nation['displaced_workers']:,.0f} worker-equivalents), productivity gain "
          f"${nation['productivity_gain'] / 1e9:.0f}B, GDP proxy ${nation['gdp_proxy'] / 1e9:.0f}B")
