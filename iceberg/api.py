"""``iceberg.run``: one call from a data bundle and a scenario to every table and map.

The baseline (technical exposure, DESIGN §2) is computed at every geography level from its own
matrices with :func:`iceberg.metrics.geo_metrics`; when the scenario asks for adoption, the
scenario engine adds its outputs for the horizon year (and every year in ``by_year``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from iceberg import labels
from iceberg.metrics import METRIC_COLUMNS, geo_metrics
from iceberg.provenance import Provenance

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from iceberg.bundle import Bundle
    from iceberg.scenario.model import Scenario

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
    wage: str = "mean"

    def national_summary(self) -> dict[str, float]:
        """Headline national figures: wage-weighted and as the mean over states (the paper's way)."""
        from iceberg.metrics import state_mean

        nation = self.nation.iloc[0]
        summary = {column: float(nation[column]) for column in METRIC_COLUMNS}
        means = state_mean(self.states)
        for column in ("iceberg_index", "surface_index", "hidden_index"):
            summary[f"{column}_state_mean"] = float(means[column])
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

    @property
    def rater_used(self) -> str:
        """The capability variant the run used: the scenario's rater when its layer offers it,
        else the layer's mean (or only) variant."""
        if self.bundle is None:
            return self.scenario.rater
        return self.bundle.exposure.rater_used(self.scenario.layer, self.scenario.rater)

    def occupations_in(self, level: str, geo_id: str) -> pd.DataFrame:
        """The occupations behind one geography's exposure.

        Parameters
        ----------
        level : {"county", "state", "area", "nation"}
        geo_id : str
            County GEOID, state FIPS, OEWS area code, or the nation's id.

        Returns
        -------
        DataFrame
            One row per occupation employed there: ``occ_code, title, workers, wage_bill,
            exposure, visible, exposed_wages, hidden_wages, exposed_workers``; empty when the
            geography is unknown.
        """
        if self.bundle is None or level not in self.bundle.levels:
            raise ValueError(f"level {level!r} is not one of "
                             f"{list(self.bundle.levels) if self.bundle else []}")
        matrix = self.bundle.levels[level]
        pos = np.flatnonzero(np.asarray(matrix.ids).astype(str) == str(geo_id))
        columns = ["occ_code", "title", "workers", "wage_bill", "exposure", "visible",
                   "exposed_wages", "hidden_wages", "exposed_workers"]
        if pos.size == 0:
            return pd.DataFrame(columns=columns)
        row = pos[0]
        workers = matrix.employment[row]
        bill = workers * matrix.wages(self.wage)[row]
        occ = self.bundle.occupations
        out = pd.DataFrame({
            "occ_code": occ["occ_code"].astype(str).to_numpy(),
            "title": occ["title"].astype(str).to_numpy(),
            "workers": workers, "wage_bill": bill,
            "exposure": self.exposure, "visible": self.visible,
            "exposed_wages": bill * self.exposure,
            "hidden_wages": np.where(self.visible, 0.0, bill * self.exposure),
            "exposed_workers": workers * self.exposure,
        })
        return out[out["workers"] > 0].reset_index(drop=True)[columns]

    def bands(self, ranges: dict[str, tuple[float, float]], *, draws: int = 1000,
              seed: int = 0, level: str = "county") -> pd.DataFrame:
        """Uncertainty bands (P10 / P50 / P90 per geography and year) of the scenario outputs,
        drawing the levers in ``ranges`` uniformly; see
        :func:`iceberg.scenario.uncertainty.monte_carlo`."""
        from iceberg.scenario.uncertainty import monte_carlo

        if self.bundle is None:
            raise ValueError("bands need the bundle the result was run on")
        return monte_carlo(self.bundle.engine(self.wage), self.scenario, ranges, draws=draws,
                           seed=seed, level=level)

    def export_table(self, target: str | os.PathLike | IO[bytes], *, format: str | None = None,
                     level: str = "county", year: int | None = None, state: str | None = None,
                     geometry: bool = False) -> Path | None:
        """Write a result table (CSV, Parquet/GeoParquet) to a path or a binary buffer, with
        provenance (see :func:`iceberg.export.export_table`).

        ``level`` is ``"county"`` (with the scenario outputs of ``year``; ``state`` keeps one
        state's counties; ``geometry`` makes GeoParquet) or ``"state"``.
        """
        import tempfile

        from iceberg.export import export_table

        fmt = (format or Path(str(target)).suffix.lstrip(".")).lower()
        if level == "county":
            frame = self.county_values(year).reset_index().rename(columns={"index": "geoid"})
            if state is not None:
                code = str(state).upper()
                col = "state_fips" if code.isdigit() else "state_abbr"
                frame = frame[frame[col].astype(str).str.upper() == code].reset_index(drop=True)
            if geometry:
                frame = gpd.GeoDataFrame(
                    frame.merge(self.counties[["geoid", "geometry"]], on="geoid", how="left"),
                    geometry="geometry", crs=self.counties.crs)
        elif level == "state":
            frame = self.states.reset_index()
        else:
            raise ValueError(f"level {level!r} is not 'county' or 'state'")
        provenance = self.provenance.to_dict()
        if hasattr(target, "write"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"table.{fmt}"
                export_table(frame, path, provenance=provenance)
                target.write(path.read_bytes())
            return None
        return Path(export_table(frame, target, provenance=provenance))

    def county_values(self, year: int | None = None) -> pd.DataFrame:
        """The county layer (no geometry, indexed by GEOID) with the scenario outputs of ``year``.

        Technical metrics do not depend on the year; the scenario columns are those of
        ``year`` (clamped to the scenario's years), or of the horizon when ``year`` is None.
        """
        out = pd.DataFrame(self.counties.drop(columns="geometry")).set_index("geoid")
        out.index = out.index.astype(str)
        frame = self.by_year.get("county")
        if year is None or frame is None or frame.empty:
            return out
        years = frame.index.get_level_values("year")
        year = int(min(max(int(year), years.min()), years.max()))
        extra = frame.xs(year, level="year")
        cols = [c for c in extra.columns if c not in ("employment", "wage_bill")]
        return out.drop(columns=[c for c in cols if c in out.columns]).join(extra[cols], how="left")

    def export_map(self, metric: str, target: str | os.PathLike | IO[bytes], *,
                   format: str | None = None, state: str | None = None, year: int | None = None,
                   diff_against: Result | None = None, classes: Any = None,
                   title: str | None = None, subtitle: str | None = None) -> Path | None:
        """Write a county map of ``metric`` to a file path or a binary buffer.

        Parameters
        ----------
        metric : str
            Column of :meth:`county_values` (technical metric or scenario output).
        target : path or binary file object
            Where to write. With a buffer, ``format`` is required.
        format : {"png", "svg", "pdf", "html"}, optional
            Default: the path's extension. ``html`` is a self-contained interactive page.
        state : str, optional
            Two-letter code or FIPS: only that state's counties.
        year : int, optional
            Year of the scenario outputs (default: the horizon).
        diff_against : Result, optional
            Map ``metric`` of this result minus ``diff_against`` (column ``<metric>_diff``,
            diverging classes).
        classes : MapClasses, optional
            Class breaks (e.g. fitted on the baseline); default: fitted on the values.
        title, subtitle : str, optional
            Headings; the subtitle defaults to :meth:`scenario_subtitle`.

        Returns
        -------
        Path or None
            The path written (None for a buffer).
        """
        import tempfile

        import geopandas as gpd

        fmt = (format or Path(str(target)).suffix.lstrip(".")).lower()
        if fmt not in ("png", "svg", "pdf", "html"):
            raise ValueError(f"map format {fmt!r} is not one of png, svg, pdf, html")
        values = self.county_values(year)
        column = metric
        if diff_against is not None:
            column = f"{metric}_diff"
            before = diff_against.county_values(year)
            values[column] = values[metric] - before[metric].reindex(values.index)
            classes = None
        subtitle = subtitle if subtitle is not None else self.scenario_subtitle() + (
            f", year {year}" if year is not None and self.by_year else "")
        if hasattr(target, "write"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"map.{fmt}"
                self.export_map(metric, path, state=state, year=year, diff_against=diff_against,
                                classes=classes, title=title, subtitle=subtitle)
                target.write(path.read_bytes())
            return None
        if fmt == "html":
            from iceberg.maps.explore import explore
            from iceberg.maps.offline import to_html

            layer = self.web_counties()[["geoid", "geometry"]].merge(
                values.reset_index().rename(columns={"index": "geoid"}), on="geoid", how="left")
            m = explore(layer, column, classes=classes, layers=[column], state=state,
                        title=title, subtitle=subtitle, offline=True, layer_control=False,
                        assets="leaflet_only")
            return Path(to_html(m, target))
        from iceberg.maps.static import plot

        geo = self.counties[["geoid", "geometry"]]
        layer = gpd.GeoDataFrame(geo.merge(values.reset_index().rename(
            columns={"index": "geoid"}), on="geoid", how="left"), geometry="geometry",
            crs=self.counties.crs)
        return Path(plot(layer, column, target, classes=classes, state=state, title=title,
                         subtitle=subtitle, dpi=200 if fmt == "png" else 150))

    def scenario_subtitle(self) -> str:
        """One line describing the scenario for map subtitles."""
        s = self.scenario
        text = f"Layer {s.layer} ({self.rater_used} rater), tool frontier λ={s.tool_frontier:g}"
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
    Vectorised: ``k`` arg-max passes over the matrix (cheaper than a full partition for the
    3,222 × 830 county matrix), then string operations per rank.
    """
    contrib = bill * weights[None, :]
    total = contrib.sum(axis=1)
    k = min(k, contrib.shape[1])
    rows = np.arange(contrib.shape[0])
    top = np.empty((contrib.shape[0], k), dtype=np.intp)
    values = np.empty((contrib.shape[0], k))
    for rank in range(k):  # k is 3: a loop over ranks, not over rows
        j = contrib.argmax(axis=1)
        top[:, rank], values[:, rank] = j, contrib[rows, j]
        contrib[rows, j] = -np.inf
    share = np.divide(values, total[:, None], out=np.zeros_like(values), where=total[:, None] > 0)
    add = np.char.add  # numpy 1.26 has no `+` for string arrays
    pct = np.char.mod("%.1f", np.round(share * 100, 1))
    text = np.where(values > 0, add(add(add(titles[top].astype(str), " ("), pct), "%)"), "")
    joined = text[:, 0]
    for rank in range(1, k):
        joined = np.where(text[:, rank] != "", add(add(joined, "; "), text[:, rank]), joined)
    return joined.astype(object)


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
    technical = _technical(data, wage, exposure, visible)  # reused while capability is unchanged
    metrics = dict(technical.levels)

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

    static = _static(data, wage)
    counties = static.counties.merge(metrics["county"], left_on="geoid", right_index=True,
                                     how="left")
    state_roll = technical.state_roll
    additive = {f"{m}{part}" for m in labels.SCENARIO_OUTPUTS for part in ("", "_visible", "_hidden")}
    extra = [c for c in counties.columns if c in additive
             and c not in state_roll.columns and pd.api.types.is_numeric_dtype(counties[c])]
    if extra:
        state_roll = state_roll.join(counties.groupby("state_fips")[extra].sum())

    occupations = static.occupations.copy()
    occupations["exposure"] = exposure
    occupations["visible"] = visible
    occupations["exposed_wages"] = occupations["wage_bill"] * exposure
    occupations["hidden_wages"] = occupations["exposed_wages"] * ~visible

    provenance = data.provenance.with_run(scenario=scenario.model_dump(mode="json"), wage_basis=wage,
                                          visible_set=visible_set or "SOC 15 + 11-3021")
    # the cached frames are shared between runs: each result gets its own copies
    return Result(
        scenario=scenario,
        counties=counties,
        states=metrics["state"].copy(),
        areas=metrics["area"].copy(),
        nation=metrics["nation"].copy(),
        states_from_counties=state_roll.copy(),
        occupations=occupations,
        provenance=provenance,
        exposure=exposure,
        visible=visible,
        by_year=by_year,
        reskilling_flows=flows,
        bundle=data,
        wage=wage,
    )


# ------------------------------------------------------------------------- reuse across runs
#: Technical results kept per bundle (distinct capability settings: layer, rater, λ, τ).
_TECHNICAL_KEEP = 8


@dataclass(frozen=True)
class _Static:
    """What a run needs that no lever changes: the county frame to join results to, the
    national occupation table with wages, the state membership of the county rows."""

    counties: gpd.GeoDataFrame
    occupations: pd.DataFrame
    state_ids: np.ndarray
    state_employment: np.ndarray
    state_mean_wage: np.ndarray


@dataclass(frozen=True)
class _Technical:
    """Technical exposure of every level for one exposure vector (independent of adoption)."""

    levels: dict[str, pd.DataFrame]
    state_roll: pd.DataFrame


def _run_cache(data: Bundle) -> dict:
    """Per-bundle store of what :func:`run` reuses (kept on the bundle, dropped with it)."""
    return data.__dict__.setdefault("_run_cache", {})


def _static(data: Bundle, wage: str) -> _Static:
    cache = _run_cache(data)
    key = ("static", wage)
    if key not in cache:
        cache[key] = _build_static(data, wage)
    return cache[key]


def _build_static(data: Bundle, wage: str) -> _Static:
    meta = data.levels["county"].meta
    metric_cols = set(METRIC_COLUMNS) | {"top_hidden"} | set(meta.columns)
    counties = data.counties.drop(columns=[c for c in data.counties.columns
                                           if c in metric_cols and c != "geoid"])
    nat = data.levels["nation"]
    occupations = data.occupations.copy()
    occupations["employment"] = nat.employment[0]
    occupations["annual_wage"] = nat.wages(wage)[0]
    occupations["wage_bill"] = occupations["employment"] * occupations["annual_wage"]
    matrix = data.levels["county"]
    # matrix rows follow matrix.ids, not the order of the county frame
    row_state = matrix.meta["state_fips"].reindex(matrix.ids).to_numpy(dtype=str)
    states, index = np.unique(row_state, return_inverse=True)
    member = sparse.csr_matrix((np.ones(len(index)), (index, np.arange(len(index)))),
                               shape=(len(states), len(index)))
    employment = member @ matrix.employment
    bill = member @ (matrix.employment * matrix.wages(wage))
    mean_wage = np.divide(bill, employment, out=np.zeros_like(bill), where=employment > 0)
    return _Static(counties=counties, occupations=occupations, state_ids=states,
                   state_employment=employment, state_mean_wage=mean_wage)


def _technical(data: Bundle, wage: str, exposure: np.ndarray, visible: np.ndarray) -> _Technical:
    """Technical metrics and top hidden occupations of every level, for one exposure vector
    (computed once; a scenario that only moves adoption, labour or reskilling levers reuses
    them)."""
    cache = _run_cache(data)
    store = cache.setdefault(("technical", wage), {})
    digest = hashlib.blake2b(np.ascontiguousarray(exposure, dtype=float).tobytes()
                             + np.asarray(visible, dtype=bool).tobytes(), digest_size=16).digest()
    if digest in store:
        store[digest] = store.pop(digest)  # most recently used last
        return store[digest]
    titles = data.occupations["title"].to_numpy(dtype=object)
    hidden_weight = exposure * ~visible
    levels = {}
    for level, matrix in data.levels.items():
        frame = geo_metrics(matrix.employment, matrix.wages(wage), exposure, visible, matrix.ids)
        frame["top_hidden"] = top_occupations(matrix.wage_bill_matrix(wage), hidden_weight, titles)
        levels[level] = matrix.meta.join(frame, how="right") if len(matrix.meta.columns) else frame
    static = _static(data, wage)
    state_roll = geo_metrics(static.state_employment, static.state_mean_wage, exposure, visible,
                             static.state_ids)
    store[digest] = _Technical(levels=levels, state_roll=state_roll)
    while len(store) > _TECHNICAL_KEEP:
        store.pop(next(iter(store)))
    return store[digest]


def _has_adoption(scenario: Scenario) -> bool:
    """True when the scenario asks for the adoption path (not just technical exposure)."""
    return bool(getattr(scenario, "adoption_ceiling", 0) > 0)
