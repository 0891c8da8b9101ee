"""The validation report: our national figures next to the Iceberg paper's, per layer and rater.

Every index comes from :func:`iceberg.metrics.geo_metrics`; this module only arranges them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from iceberg.exposure import ExposureModel
from iceberg.geomatrix import GeoMatrix
from iceberg.labels import TERRITORY_FIPS
from iceberg.metrics import geo_metrics

#: Iceberg paper (Chopra et al. 2025) national reference figures.
PAPER = {"surface_index": 0.022, "surface_wages": 211e9, "iceberg_index": 0.117,
         "exposed_wages": 1.2e12}
#: State-level ids left out of the mean over states (the territories of iceberg.labels).
TERRITORIES = tuple(sorted(TERRITORY_FIPS))


def national_figures(
    national: GeoMatrix,
    states: GeoMatrix,
    e: np.ndarray,
    visible: np.ndarray,
    basis: str = "mean",
    exclude_states: Iterable[str] = TERRITORIES,
) -> dict[str, float]:
    """Wage-weighted national indices and the plain mean of state indices for exposure ``e``.

    Returns
    -------
    dict
        ``surface_index, iceberg_index, hidden_index, surface_wages, exposed_wages, wage_bill``
        (national, wage-weighted) and ``state_mean_surface, state_mean_iceberg,
        state_mean_hidden`` (unweighted mean over the states kept).
    """
    nat = geo_metrics(national.employment, national.wages(basis), e, visible, national.ids).iloc[0]
    keep = ~np.isin(np.asarray(states.ids, dtype=str), list(exclude_states))
    st = geo_metrics(states.employment[keep], states.wages(basis)[keep], e, visible,
                     np.asarray(states.ids)[keep])
    return {
        "surface_index": float(nat["surface_index"]),
        "iceberg_index": float(nat["iceberg_index"]),
        "hidden_index": float(nat["hidden_index"]),
        "surface_wages": float(nat["surface_wages"]),
        "exposed_wages": float(nat["exposed_wages"]),
        "wage_bill": float(nat["wage_bill"]),
        "state_mean_surface": float(st["surface_index"].mean()),
        "state_mean_iceberg": float(st["iceberg_index"].mean()),
        "state_mean_hidden": float(st["hidden_index"].mean()),
        "n_states": int(keep.sum()),
    }


def _variants(model: ExposureModel, layer: str) -> list[str]:
    return model.layer_info(layer)["variants"].split(";")


def _default_variant(model: ExposureModel, layer: str) -> str:
    variants = _variants(model, layer)
    return "mean" if "mean" in variants else variants[0]


def layer_correlations(model: ExposureModel, lam: float = 0.0, method: str = "pearson"):
    """Correlation of occupation exposure between layers (default variant each), over OEWS codes."""
    frame = pd.DataFrame({
        layer: model.vector(layer, _default_variant(model, layer), lam) for layer in model.layers
    })
    return frame.corr(method=method)


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (strings as given)."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(map(str, r)) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def _pct(x: float) -> str:
    return "—" if not np.isfinite(x) else f"{100 * x:.1f}%"


def _usd(x: float) -> str:
    if not np.isfinite(x):
        return "—"
    return f"${x / 1e12:.2f}T" if abs(x) >= 1e12 else f"${x / 1e9:.0f}B"


def validation_report(
    national: GeoMatrix,
    states: GeoMatrix,
    model: ExposureModel,
    lams: Sequence[float] = (0.0, 0.5),
    basis: str = "mean",
    visible_set: Iterable[str] | None = None,
    exclude_states: Iterable[str] = TERRITORIES,
) -> str:
    """Markdown report comparing our national surface/iceberg figures with the Iceberg paper's.

    Parameters
    ----------
    national, states : GeoMatrix
        Filled national (one row) and state matrices on ``model.occ_codes``.
    model : ExposureModel
    lams : sequence of float
        Tool-frontier values shown for λ-dependent layers (Eloundou).
    basis : {"mean", "median"}
        Wage basis.
    visible_set : iterable of str, optional
        Visible occupations (default: the model's, SOC 15 + 11-3021).
    exclude_states : iterable of str
        State ids left out of the mean over states (default: GU, PR, VI).

    Returns
    -------
    str
        The report (Markdown).
    """
    for gm in (national, states):
        if not np.array_equal(np.asarray(gm.occ_codes, dtype=str), model.occ_codes):
            raise ValueError("GeoMatrix occupation codes differ from the exposure model's")
    visible = model.visible_mask(visible_set)
    rows = []
    for layer in model.layers:
        info = model.layer_info(layer)
        for variant in _variants(model, layer):
            has_slope = np.any(model.components(layer, variant)[1] != 0)
            for lam in (lams if has_slope else [0.0]):
                f = national_figures(national, states, model.vector(layer, variant, lam), visible,
                                     basis, exclude_states)
                rows.append({
                    "layer": layer + (" (adoption)" if info["kind"] == "adoption" else ""),
                    "rater/variant": variant, "λ": f"{lam:g}" if has_slope else "—",
                    "surface": _pct(f["surface_index"]), "surface $": _usd(f["surface_wages"]),
                    "iceberg": _pct(f["iceberg_index"]), "iceberg $": _usd(f["exposed_wages"]),
                    "hidden": _pct(f["hidden_index"]),
                    "state-mean surface": _pct(f["state_mean_surface"]),
                    "state-mean iceberg": _pct(f["state_mean_iceberg"]),
                })
    rows.insert(0, {"layer": "**Iceberg paper**", "rater/variant": "tool catalogue", "λ": "—",
                    "surface": _pct(PAPER["surface_index"]), "surface $": _usd(PAPER["surface_wages"]),
                    "iceberg": _pct(PAPER["iceberg_index"]), "iceberg $": _usd(PAPER["exposed_wages"]),
                    "hidden": _pct(PAPER["iceberg_index"] - PAPER["surface_index"]),
                    "state-mean surface": "—", "state-mean iceberg": "—"})
    default = national_figures(national, states, model.vector("eloundou", "mean", 0.0), visible,
                               basis, exclude_states)
    corr = layer_correlations(model).round(2)
    corr.insert(0, "layer", corr.index)
    spear = layer_correlations(model, method="spearman").round(2)
    spear.insert(0, "layer", spear.index)
    cov = _coverage(model)
    cross = ""
    if {"microsoft", "microsoft_soc"} <= set(model.layers):
        r = np.corrcoef(model.vector("microsoft", "mean"), model.vector("microsoft_soc"))[0, 1]
        cross = (f"Cross-check: our task-based Microsoft layer and Microsoft's own SOC-level "
                 f"AI applicability score correlate at r = {r:.3f} over OEWS occupations.\n")
    wage_word = "annual mean" if basis == "mean" else "annual median"
    return REPORT.format(
        surface=_pct(default["surface_index"]), surface_usd=_usd(default["surface_wages"]),
        iceberg=_pct(default["iceberg_index"]), iceberg_usd=_usd(default["exposed_wages"]),
        hidden=_pct(default["hidden_index"]), bill=_usd(default["wage_bill"]),
        wage_word=wage_word, n_states=default["n_states"],
        visible=", ".join(visible_set or model.visible_default),
        table=markdown_table(pd.DataFrame(rows)), corr=markdown_table(corr), spear=markdown_table(spear), cross=cross,
        weighting=model.weighting, coverage=markdown_table(cov),
    )


REPORT = """# Validation: national visible and hidden AI exposure

Exposure here is *technical capability*, not a forecast of job loss.

Default (Eloundou layer, mean of human and GPT-4 raters, λ = 0): national **surface {surface}**
({surface_usd}), **iceberg {iceberg}** ({iceberg_usd}), hidden {hidden}, on a wage bill of
{bill} (OEWS employment × {wage_word} wage). The Iceberg paper reports surface 2.2% (≈ $211B)
and iceberg 11.7% (≈ $1.2T).

## National figures by layer, rater and tool frontier λ

National = wage-weighted over all OEWS occupations; state-mean = plain mean of the {n_states}
state (and DC) indices, the paper's averaging. Visible set: {visible}.

{table}

## Agreement between layers (occupation exposure, default variant, λ = 0)

Pearson correlation over OEWS occupations:

{corr}

Spearman (rank) correlation:

{spear}

{cross}
## Coverage of each layer

Task weights: {weighting} (Task Ratings importance × relevance × frequency when present, else
Core = 2, Supplemental = 1). OEWS occupations: how each got its value (own data, mean of the SOC
codes an OEWS aggregate stands for, or a SOC broad/minor/major group mean).

{coverage}

## Why our figures differ from the paper's

- **Different capability source.** The paper scores skills against a closed catalogue of AI
  tools and counts a task as exposed if some tool can perform it in at least one context. We use
  published task-, activity- or occupation-level measures (Eloundou et al. labels by default),
  which answer a related but different question.
- **Levels are not comparable across layers.** Eloundou's E1 means a model alone cuts task time
  by half; E2 needs complementary software, which λ prices in (λ = 0.5 is the paper-era β,
  λ = 1 counts all E2 tasks). Microsoft's layer measures observed completion × scope in Copilot
  conversations; AIOE is a relative score rescaled to [0, 1] (its level means little, only its
  pattern); Anthropic's layer is observed usage — adoption, not capability.
- **Different data.** We use OEWS May 2025 employment and wages, O*NET 29.3 tasks, and task
  weights '{weighting}'; the paper used its own workforce and skill data.
- **Aggregation.** The national figure is wage-weighted; the paper's headline averages states.
  Both are shown; they differ because states differ in size and occupation mix.
- **Visible set.** Both use computing and technology occupations (SOC 15 + 11-3021 by default);
  the surface index is sensitive to that choice.
"""


def _coverage(model: ExposureModel) -> pd.DataFrame:
    """One row per layer: task mapping/fill counts and OEWS occupation reasons."""
    c = model.counts
    rows = []
    for layer in model.layers:
        info = model.layer_info(layer)
        pre = "" if info["level"] == "task" else f"{layer}."
        occ = {r: c.get(f"{pre}occupations.{r}", "—") for r in
               ("own", "aggregate", "fallback_broad", "fallback_minor", "fallback_major", "none")}
        rows.append({
            "layer": layer, "code system": info["code_system"], "kind": info["kind"],
            "tasks mapped": c.get(f"{layer}.mapped", c.get(f"{layer}.tasks_observed", "—")),
            "filled by DWA mean": c.get(f"{layer}.filled_dwa_mean", "—"),
            "filled by occupation mean": c.get(f"{layer}.filled_occupation_mean", "—"),
            "filled by global mean": c.get(f"{layer}.filled_global_mean", "—"),
            **{f"OEWS {k}": v for k, v in occ.items()},
        })
    return pd.DataFrame(rows)


def _test_only_geomatrix(frame: pd.DataFrame, occ_codes: Sequence[str], level: str) -> GeoMatrix:
    """TEST/BENCHMARK ONLY: pivot an OEWS frame (``iceberg.io.oews``) to a GeoMatrix.

    Detailed rows only, NaN → 0 (no estimation of unpublished cells, no wage fill). The real pipeline hands
    :func:`validation_report` the bundle's filled matrices; never use this for published figures.
    """
    det = frame[frame["o_group"] == "detailed"]
    emp = det.pivot_table(index="area", columns="occ_code", values="tot_emp", aggfunc="sum")
    wage = det.pivot_table(index="area", columns="occ_code", values="a_mean", aggfunc="mean")
    med = det.pivot_table(index="area", columns="occ_code", values="a_median", aggfunc="mean")
    codes = pd.Index(np.asarray(occ_codes, dtype=str))
    emp, wage, med = (x.reindex(columns=codes).fillna(0.0) for x in (emp, wage, med))
    wage, med = wage.reindex(emp.index), med.reindex(emp.index)
    e = emp.to_numpy(float)
    return GeoMatrix(level=level, ids=emp.index.to_numpy(dtype=str), occ_codes=codes.to_numpy(),
                     employment=e, wage=np.where(e > 0, wage.to_numpy(float), 0.0),
                     wage_median=np.where(e > 0, med.to_numpy(float), 0.0))


# ----------------------------------------------------------------------------------------------
# Held-out check of the estimation of unpublished OEWS area cells (docs/ESTIMATION.md)

#: Method names as printed.
HOLDOUT_LABELS = {"estimation": "estimation (this model)",
                  "state_share_residual": "baseline: residual by state share (old fill)",
                  "drop": "baseline: drop hidden cells"}


def holdout_figures(run, exposure: np.ndarray, visible: np.ndarray) -> pd.DataFrame:
    """Cell and area-index errors of every method of a :class:`iceberg.oews.holdout.HoldoutRun`.

    Returns
    -------
    pd.DataFrame
        One row per method: hidden-cell wMAPE of employment (all and cells ≥ 100 jobs) and of
        the wage bill, estimate / truth, and the mean and maximum absolute error of the areas'
        iceberg and visible (surface) indices, in percentage points.
    """
    out = run.cell_errors()
    truth = geo_metrics(run.truth_employment, run.truth_wage, exposure, visible, run.ids)
    for method, emp in run.employment.items():
        m = geo_metrics(emp, run.wage(method), exposure, visible, run.ids)
        for col, name in (("iceberg_index", "iceberg"), ("surface_index", "visible")):
            err = (m[col] - truth[col]).abs() * 100
            out.loc[method, f"area_{name}_mean_abs_pp"] = float(err.mean())
            out.loc[method, f"area_{name}_max_abs_pp"] = float(err.max())
    return out


def holdout_report(figures: pd.DataFrame, seed: int, fraction: float) -> str:
    """Markdown section with the held-out figures of the three methods."""
    rows = []
    for method, r in figures.iterrows():
        rows.append({
            "method": HOLDOUT_LABELS.get(method, method),
            "cell jobs wMAPE": f"{r['employment_wmape']:.3f}",
            "cells ≥ 100 jobs": f"{r['employment_wmape_cells_ge_100']:.3f}",
            "wage bill wMAPE": f"{r['wage_bill_wmape']:.3f}",
            "estimate / truth": f"{r['estimate_over_truth']:.2f}",
            "area iceberg abs. error mean / max (pp)":
                f"{r['area_iceberg_mean_abs_pp']:.3f} / {r['area_iceberg_max_abs_pp']:.2f}",
            "area visible abs. error mean / max (pp)":
                f"{r['area_visible_mean_abs_pp']:.3f} / {r['area_visible_max_abs_pp']:.2f}",
        })
    n = int(figures["cells"].iloc[0])
    return HOLDOUT_REPORT.format(n=n, pct=f"{100 * fraction:g}", seed=seed, table=markdown_table(pd.DataFrame(rows)))


HOLDOUT_REPORT = """## Held-out check of the unpublished-cell estimation

{n:,} published OEWS area × occupation employment cells ({pct}%, stratified by size in deciles,
seed {seed}) were hidden and estimated again as if unpublished. wMAPE = Σ|estimate − published| /
Σ published over the hidden cells; the wage bill uses the published wage for the truth and the
state (else national) wage for the estimate. Area indices (Eloundou, mean rater, λ = 0) compare
each area's matrix with the hidden cells estimated against the same matrix with them published.

{table}
"""
