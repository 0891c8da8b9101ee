"""``iceberg.run``: one call from a data bundle and a scenario to every table and map.

The baseline (technical exposure, DESIGN §2) is computed at every geography level from its own
matrices with :func:`iceberg.metrics.geo_metrics`; when the scenario asks for adoption, the
scenario engine adds its outputs for the horizon year (and every year in ``by_year``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from iceberg.geomatrix import GeoMatrix
from iceberg.metrics import METRIC_COLUMNS, geo_metrics
from iceberg.provenance import Provenance

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from iceberg.bundle import Bundle
    from iceberg.scenario.model import Scenario

#: Human labels of the headline metrics (maps, tables, app).
METRIC_LABELS = {
    "iceberg_index": "Iceberg index (total exposure, % of wages)",
    "surface_index": "Surface index (visible: computing & tech, % of wages)",
    "hidden_index": "Hidden index (below the waterline, % of wages)",
    "hidden_multiple": "Hidden multiple (iceberg ÷ surface)",
    "exposed_wages": "Exposed wages ($/yr)",
    "hidden_wages": "Hidden exposed wages ($/yr)",
    "surface_wages": "Visible exposed wages ($/yr)",
    "exposed_workers": "Exposed worker-equivalents",
    "wage_bill": "Wage bill ($/yr)",
    "employment": "Employment (jobs)",
    "displaced_wages": "Displaced wages ($/yr, scenario)",
    "net_wage_impact": "Net wage impact ($/yr, scenario)",
    "gdp_proxy": "Local GDP proxy ($/yr, scenario)",
}


#: Column prefixes of additive scenario outputs (summed in roll-ups).
SCENARIO_PREFIXES = ("technical_", "adopted_", "displaced_", "augmented_", "productivity_", "reskill",
                     "net_wage", "gdp_proxy")


@dataclass
class Result:
    """Everything a scenario run produced.

    Attributes
    ----------
    counties : GeoDataFrame
        One row per county of the 2023 boundaries: ids, names, allocation method, the metrics of
        :data:`iceberg.metrics.METRIC_COLUMNS`, ``top_hidden`` and (under a scenario) the
        horizon-year scenario outputs; full-detail geometry (EPSG:4269).
    states, areas, nation : pd.DataFrame
        The same metrics from the official OEWS state, area and national matrices.
    states_from_counties : pd.DataFrame
        State roll-ups of the county layer (sums of counties; cover the area-assigned jobs only).
    occupations : pd.DataFrame
        National occupation table: exposure, employment, wages, exposed/hidden wages.
    by_year : dict[str, pd.DataFrame]
        Scenario outputs per level, indexed by (id, year); empty without adoption.
    provenance : Provenance
        Sources, versions, weighting, scenario and every fill/exclusion count.
    """

    scenario: Scenario
    counties: gpd.GeoDataFrame
    states: pd.DataFrame
    areas: pd.DataFrame
    nation: pd.DataFrame
    states_from_counties: pd.DataFrame
    occupations: pd.DataFrame
    provenance: Provenance
    exposure: np.ndarray
    visible: np.ndarray
    by_year: dict[str, pd.DataFrame] = field(default_factory=dict)
    reskilling_flows: pd.DataFrame | None = None
    bundle: Bundle | None = field(default=None, repr=False)

    def national_summary(self) -> dict[str, float]:
        """Headline national figures: wage-weighted and as the mean over states (the paper's way)."""
        nation = self.nation.iloc[0]
        states = self.states[self.states["is_state"]] if "is_state" in self.states else self.states
        summary = {column: float(nation[column]) for column in METRIC_COLUMNS}
        summary["iceberg_index_state_mean"] = float(states["iceberg_index"].mean())
        summary["surface_index_state_mean"] = float(states["surface_index"].mean())
        summary["hidden_index_state_mean"] = float(states["hidden_index"].mean())
        return summary

    def explore(self, metric: str = "hidden_index", **kwargs: Any) -> folium.Map:
        """Interactive county choropleth (folium); see :func:`iceberg.maps.explore.explore`."""
        from iceberg.maps.explore import explore

        return explore(self.web_counties(), metric, **kwargs)

    def plot(self, metric: str, path: str, **kwargs: Any) -> Any:
        """Static county map to PNG/SVG/PDF; see :func:`iceberg.maps.static.plot`."""
        from iceberg.maps.static import plot

        kwargs.setdefault("subtitle", self.scenario_subtitle())
        return plot(self.counties, metric, path, **kwargs)

    def web_counties(self) -> gpd.GeoDataFrame:
        """The county layer on the simplified web geometry (what interactive maps draw)."""
        if self.bundle is None:
            return self.counties
        web = self.bundle.web_counties[["geoid", "geometry"]]
        attrs = self.counties.drop(columns="geometry")
        out = web.merge(attrs, on="geoid", how="left")
        out.attrs["simplified"] = True
        return out

    def scenario_subtitle(self) -> str:
        """One line describing the scenario for map subtitles."""
        s = self.scenario
        text = f"Layer {s.layer} ({s.rater} rater), tool frontier λ={s.tool_frontier:g}"
        if getattr(s, "threshold_mode", False):
            text += f", threshold τ={s.threshold:g}"
        if self.by_year:
            text += (f"; adoption ceiling {s.adoption_ceiling:.0%}, horizon {s.horizon_year}, "
                     f"substitution {s.substitution_share:.0%}")
        return text

    def _repr_html_(self) -> str:
        n = self.national_summary()
        return (
            "<div><b>iceberg result</b> — " + self.scenario_subtitle() + "<br>"
            f"National iceberg index {n['iceberg_index']:.1%} (${n['exposed_wages'] / 1e9:,.0f}B), "
            f"surface {n['surface_index']:.1%} (${n['surface_wages'] / 1e9:,.0f}B), "
            f"hidden {n['hidden_index']:.1%}; {len(self.counties):,} counties.</div>"
            + self.provenance._repr_html_()
        )


def top_occupations(
    bill: np.ndarray, weights: np.ndarray, titles: np.ndarray, k: int = 3
) -> np.ndarray:
    """For each row, the ``k`` occupations with the largest ``bill × weights``, as one string.

    Returns an object array of ``"Title (share%); …"`` where the share is of the row's total.
    Vectorised: argpartition over the matrix, string concatenation per column rank.
    """
    contrib = bill * weights[None, :]
    total = contrib.sum(axis=1)
    k = min(k, contrib.shape[1])
    top = np.argpartition(-contrib, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(contrib, top, axis=1), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    values = np.take_along_axis(contrib, top, axis=1)
    share = np.divide(values, total[:, None], out=np.zeros_like(values), where=total[:, None] > 0)
    parts = []
    for rank in range(k):  # k is 3: a loop over ranks, not over rows
        text = pd.Series(titles[top[:, rank]]) + " (" + pd.Series(np.round(share[:, rank] * 100, 1)).astype(str) + "%)"
        parts.append(text.where(values[:, rank] > 0, ""))
    joined = parts[0]
    for part in parts[1:]:
        joined = joined.str.cat(part, sep="; ").str.rstrip("; ")
    return joined.to_numpy(dtype=object)


def run(data: Bundle, scenario: Scenario | None = None, *, wage: str = "mean",
        visible_set: list[str] | None = None) -> Result:
    """Evaluate a scenario on a data bundle.

    Parameters
    ----------
    data : Bundle
        From :func:`iceberg.load`.
    scenario : Scenario, optional
        Levers (DESIGN §6); default :class:`iceberg.Scenario()` — the technical baseline with the
        default capability layer.
    wage : {"mean", "median"}
        Annual wage basis of the wage bill.
    visible_set : list of str, optional
        SOC codes or prefixes of the visible (surface) occupations; default SOC 15 + 11-3021.

    Returns
    -------
    Result
    """
    from iceberg.scenario.model import Scenario, check_scenario

    scenario = check_scenario(scenario or Scenario(), data)  # layer/states/counties exist (i13)
    model = data.exposure
    tau = scenario.threshold if getattr(scenario, "threshold_mode", False) else None
    exposure = model.vector(scenario.layer, scenario.rater, scenario.tool_frontier, tau)
    visible = model.visible_mask(visible_set)
    titles = data.occupations["title"].to_numpy(dtype=object)

    metrics = {}
    hidden_weight = exposure * ~visible
    for level, matrix in data.levels.items():
        frame = geo_metrics(matrix.employment, matrix.wages(wage), exposure, visible, matrix.ids)
        frame["top_hidden"] = top_occupations(matrix.wage_bill_matrix(wage), hidden_weight, titles)
        metrics[level] = matrix.meta.join(frame, how="right") if len(matrix.meta.columns) else frame
    county_matrix = data.levels["county"]

    by_year: dict[str, pd.DataFrame] = {}
    flows = None
    if _has_adoption(scenario):
        outputs = data.engine(wage).evaluate(scenario)
        by_year = outputs.by_year
        flows = getattr(outputs, "reskilling_flows", None)
        for level, horizon in outputs.horizon.items():
            if level in metrics:
                keep = [c for c in horizon.columns if c not in metrics[level].columns]
                metrics[level] = metrics[level].join(horizon[keep], how="left")

    county_metrics = metrics["county"]  # now with the scenario's horizon columns
    counties = data.counties.drop(columns=[c for c in data.counties.columns
                                           if c in county_metrics.columns and c != "geoid"])
    counties = counties.merge(county_metrics, left_on="geoid", right_index=True, how="left")
    state_roll = _states_from_counties(counties, county_matrix, wage, exposure, visible)

    occupations = data.occupations.copy()
    nat = data.levels["nation"]
    occupations["exposure"] = exposure
    occupations["visible"] = visible
    occupations["employment"] = nat.employment[0]
    occupations["annual_wage"] = nat.wages(wage)[0]
    occupations["wage_bill"] = occupations["employment"] * occupations["annual_wage"]
    occupations["exposed_wages"] = occupations["wage_bill"] * exposure
    occupations["hidden_wages"] = occupations["exposed_wages"] * ~visible

    provenance = data.provenance.with_run(scenario=scenario.model_dump(mode="json"), wage_basis=wage,
                                          visible_set=visible_set or "SOC 15 + 11-3021")
    return Result(
        scenario=scenario,
        counties=counties,
        states=metrics["state"],
        areas=metrics["area"],
        nation=metrics["nation"],
        states_from_counties=state_roll,
        occupations=occupations,
        provenance=provenance,
        exposure=exposure,
        visible=visible,
        by_year=by_year,
        reskilling_flows=flows,
        bundle=data,
    )


def _has_adoption(scenario: Scenario) -> bool:
    """True when the scenario asks for the adoption path (not just technical exposure)."""
    return bool(getattr(scenario, "adoption_ceiling", 0) > 0)


def _states_from_counties(
    counties: pd.DataFrame, matrix: GeoMatrix, wage: str, exposure: np.ndarray, visible: np.ndarray
) -> pd.DataFrame:
    """State roll-ups of the county layer: county matrices summed by state, indices from the sums.

    The rolled-up wage is the employment-weighted mean, so every wage bill adds up exactly;
    additive scenario columns are summed.
    """
    # matrix rows follow matrix.ids, not the order of the county frame
    row_state = matrix.meta["state_fips"].reindex(matrix.ids).to_numpy(dtype=str)
    states, index = np.unique(row_state, return_inverse=True)
    member = sparse.csr_matrix((np.ones(len(index)), (index, np.arange(len(index)))),
                               shape=(len(states), len(index)))
    employment = member @ matrix.employment
    bill = member @ (matrix.employment * matrix.wages(wage))
    mean_wage = np.divide(bill, employment, out=np.zeros_like(bill), where=employment > 0)
    frame = geo_metrics(employment, mean_wage, exposure, visible, states)
    extra = [c for c in counties.columns if c.startswith(SCENARIO_PREFIXES) and c not in frame.columns
             and pd.api.types.is_numeric_dtype(counties[c])]
    if extra:
        frame = frame.join(counties.groupby("state_fips")[extra].sum())
    return frame
