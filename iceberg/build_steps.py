"""The build, stage by stage: raw files → exposure model, estimated OEWS levels, counties, geometry.

Each stage is one call into the module that owns it; this file only wires them together, counts,
and records provenance. Called by :func:`iceberg.bundle.build`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from iceberg import __version__
from iceberg.errors import IcebergDataError
from iceberg.labels import STATE_FIPS
from iceberg.oews.estimation import parent_matrix
from iceberg.provenance import Provenance
from iceberg.sources import load_registry, required_sources

COUNTY_BOUNDARIES = "cb_2023_us_county_20m"
STATE_BOUNDARIES = "cb_2023_us_state_20m"
POPULATION = "co-est2024-alldata.csv"


def _find(folder: Path, name: str) -> Path:
    for candidate in (folder / name, folder / f"{name}.zip"):
        if candidate.exists():
            return candidate
    raise IcebergDataError("source file not found", file=folder / name, expected=f"{name} (or {name}.zip)")


def _source_summary(source: Any, files: dict[str, str]) -> dict[str, Any]:
    """What a published figure must say about a source: title, version, licence, files used."""
    return {"title": source.title, "provider": source.provider, "version": source.version,
            "url": source.url, "licence": source.licence, "attribution": source.attribution,
            "files": files}


STAGES = ("read O*NET", "read OEWS", "tool layers", "exposure model", "read geography", "cell estimation",
          "county allocation", "similarity", "web geometry")


class _Stages:
    """Progress bar and wall-clock seconds per build stage."""

    def __init__(self, progress: bool) -> None:
        self.bar = tqdm(total=len(STAGES), desc="iceberg build", unit="stage", disable=not progress)
        self.timings: dict[str, float] = {}
        self.clock = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(now - self.clock, 3)
        self.clock = now
        self.bar.set_postfix_str(name)
        self.bar.update(1)


def source_folders(raw: Path) -> dict[str, Path]:
    """Source id → its folder under ``raw``; a clear error when one is missing."""
    src = {sid: raw / sid for sid in required_sources()}
    for sid, folder in src.items():
        if not folder.is_dir():
            raise IcebergDataError(f"source folder for {sid!r} not found", file=folder,
                                   expected="run `iceberg fetch` or point --data-dir at a folder holding it")
    return src


def read_geography(src: dict[str, Path]) -> dict[str, Any]:
    """County and state boundaries, the county → area crosswalk, population and ACS signals."""
    from iceberg.io import census
    from iceberg.io.boundaries import read_boundaries, read_states

    geo = src["census_cartographic_boundaries"]
    industry, groups = census.read_acs_county(census.locate_acs(src["acs5_2019_county_industry_occupation"]))
    return {
        "county_geo": read_boundaries(_find(geo, COUNTY_BOUNDARIES)),
        "state_geo": read_states(_find(geo, STATE_BOUNDARIES)),
        "crosswalk": census.read_county_area_crosswalk(
            census.locate_area_definitions(src["oews_area_definitions"])),
        "population": census.read_county_population(src["census_popest_2024"] / POPULATION),
        "acs_industry": industry,
        "acs_groups": groups,
    }


def area_state_weights_from(geography: dict[str, Any]) -> pd.DataFrame:
    """Each area's share of jobs in each state (ACS employed by county), for cross-state MSAs."""
    from geodata.crosswalk import area_state_weights

    jobs = geography["acs_industry"].groupby(geography["acs_industry"]["county_fips"].astype(str))["employed"].sum()
    return area_state_weights(geography["crosswalk"], jobs)


def estimate_oews(levels_raw: dict[str, pd.DataFrame], occ_codes: np.ndarray,
                  geography: dict[str, Any]) -> dict[str, Any]:
    """National → state → area levels with every unpublished cell estimated.

    The area prior takes each area's industry mix (ACS, scoped to OEWS jobs) into account, so
    the national staffing patterns and the scoped ACS signals are made here and returned for
    the county allocation too.
    """
    from geodata.allocation import scope_to_oews
    from iceberg.oews.estimation import (
        estimate_level,
        estimate_nation_states,
        industry_mix_adjustment,
    )
    from iceberg.oews.staffing import national_staffing

    nation, states = estimate_nation_states(levels_raw, occ_codes)
    staffing = national_staffing(levels_raw["national_by_industry"], nation, occ_codes=occ_codes)
    scoped = scope_to_oews(geography["acs_industry"], geography["acs_groups"], staffing)
    area_states = area_state_weights_from(geography)
    area_ids = np.unique(levels_raw["area"]["area"].astype(str))
    weights = parent_matrix(area_ids, states.ids, area_states)
    by_county = (scoped.acs_industry.pivot_table(index="county_fips", columns="group", values="employed",
                                                  aggfunc="sum").reindex(columns=staffing.groups).fillna(0.0))
    area_of = geography["crosswalk"].set_index(geography["crosswalk"]["county_fips"].astype(str))["oews_area"]
    area_x = by_county.groupby(area_of.reindex(by_county.index).to_numpy()).sum().reindex(area_ids).fillna(0.0)
    state_x = by_county.groupby(by_county.index.str[:2]).sum().reindex(states.ids).fillna(0.0)
    adjust = industry_mix_adjustment(area_ids, occ_codes, area_x.to_numpy(), state_x.to_numpy(), weights,
                                     staffing.shares)
    area = estimate_level(levels_raw["area"], states, nation, occ_codes=occ_codes, parent_of=area_states,
                          prior_adjust=adjust)
    return {"national": nation, "state": states, "area": area, "staffing": staffing, "scoped": scoped,
            "area_states": area_states, "area_prior_adjust": adjust}


def holdout_inputs(raw: Path) -> dict[str, Any]:
    """What the held-out check needs: OEWS frames, occupation codes, area → state weights, the
    industry-mix prior factor, and the estimated national and state levels (the area's parents)."""
    from iceberg.io import census, oews
    from iceberg.oews.published import detailed_occ_codes

    src = {sid: Path(raw) / sid for sid in ("oews_2025", "oews_area_definitions",
                                            "acs5_2019_county_industry_occupation")}
    frames = oews.read_oews_dir(src["oews_2025"])
    occ_codes = detailed_occ_codes(frames["national"])
    industry, groups = census.read_acs_county(census.locate_acs(src["acs5_2019_county_industry_occupation"]))
    crosswalk = census.read_county_area_crosswalk(census.locate_area_definitions(src["oews_area_definitions"]))
    estimated = estimate_oews(frames, occ_codes, {"acs_industry": industry, "acs_groups": groups,
                                                  "crosswalk": crosswalk})
    return {**estimated, "area_frame": frames["area"], "occ_codes": occ_codes}


def allocate(estimated: dict[str, Any], geography: dict[str, Any]) -> Any:
    """County allocation of the estimated areas from the OEWS-scoped ACS signals."""
    from geodata.allocation import allocate_counties

    scoped = estimated["scoped"]
    return allocate_counties(
        estimated["area"], geography["crosswalk"], acs_industry=scoped.acs_industry,
        acs_occupation_groups=scoped.acs_occupation_groups, population=geography["population"],
        staffing=estimated["staffing"], state_ids=estimated["state"].ids)


def county_table(geography: dict[str, Any], allocation: Any, areas: Any) -> tuple[pd.DataFrame, Any]:
    """County meta (names, area, method, data quality) and the county layer with its geometry."""
    from geodata.allocation import county_quality

    county_meta = geography["crosswalk"].set_index("county_fips")[
        ["county_name", "state_fips", "state_abbr", "oews_area", "oews_area_title"]]
    county_meta = county_meta.join(allocation.method.rename("allocation_method"))
    county_meta = county_meta.join(county_quality(allocation, areas.ids, areas.estimated))
    counties = geography["county_geo"][["geoid", "geometry"]].merge(
        county_meta.rename(columns={"county_name": "name"}), left_on="geoid", right_index=True, how="left")
    counties["allocation_method"] = counties["allocation_method"].fillna("none (no OEWS area data)")
    return county_meta, counties


def level_tables(levels_raw: dict[str, pd.DataFrame], estimated: dict[str, Any], allocation: Any,
                 county_meta: pd.DataFrame) -> dict[str, Any]:
    """The nation, state, area and county GeoMatrices with their meta tables."""
    nation, states, areas = estimated["national"], estimated["state"], estimated["area"]
    state_meta = (levels_raw["state"].drop_duplicates("area").set_index("area")[["area_title", "prim_state"]]
                  .rename(columns={"area_title": "name", "prim_state": "state_abbr"}).reindex(states.ids))
    state_meta["is_state"] = state_meta.index.isin(STATE_FIPS)
    area_meta = (levels_raw["area"].drop_duplicates("area").set_index("area")[["area_title", "area_type", "prim_state"]]
                 .rename(columns={"area_title": "name", "prim_state": "state_abbr"}).reindex(areas.ids))
    area_meta = area_meta.join(areas.wage_gap.rename(columns={"gap": "wage_bill_gap"}))
    nation_meta = pd.DataFrame({"name": ["United States"]}, index=pd.Index(nation.ids))
    return {
        "nation": nation.to_geomatrix("nation", nation_meta),
        "state": states.to_geomatrix("state", state_meta),
        "area": areas.to_geomatrix("area", area_meta),
        "county": allocation.to_geomatrix(county_meta.reindex(allocation.county_fips)),
    }


def build_parts(raw: Path, *, progress: bool = True, hashes: dict[str, Any] | None = None,
                custom_layers: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Run every build stage on the raw folder ``raw`` (one sub-folder per source id).

    ``hashes`` (source id → {file: sha256}) is recorded in the provenance; ``custom_layers``
    (:class:`iceberg.bundle.CustomLayerSpec`) are the user's own capability CSVs.
    """
    from geodata import boundaries
    from geodata.crosswalk import validate_county_areas
    from iceberg.exposure import ExposureModel
    from iceberg.io import oews, onet
    from iceberg.oews.published import detailed_occ_codes
    from iceberg.scenario.reskilling import occupation_similarity

    stages = _Stages(progress)
    counts: dict[str, dict[str, int]] = {}
    src = source_folders(raw)

    sources = read_exposure_sources(raw)
    skills, knowledge = onet.read_skills(src["onet"]), onet.read_knowledge(src["onet"])
    counts["inputs"] = {f"{k}_rows": len(v) for k, v in sources.items() if v is not None}
    counts["inputs"].update(skills_rows=len(skills), knowledge_rows=len(knowledge))
    stages.done("read O*NET")

    levels_raw = oews.read_oews_dir(src["oews_2025"])
    counts["oews"] = {f"{k}_rows": len(v) for k, v in levels_raw.items()}
    national = levels_raw["national"]
    occ_codes = detailed_occ_codes(national)
    stages.done("read OEWS")

    tools_fit, tool_extra = tool_layers_for_build(raw, sources, progress=progress)
    stages.done("tool layers")

    titles = (national.loc[national["o_group"] == "detailed"].drop_duplicates("occ_code")
              .set_index("occ_code")["occ_title"].reindex(occ_codes))
    model = ExposureModel.from_sources(occ_codes, titles=titles.fillna("").to_numpy(dtype=str),
                                       extra_layers=user_layers(custom_layers, sources) + tool_extra,
                                       **sources)
    counts["exposure"] = dict(model.counts)
    stages.done("exposure model")

    geography = read_geography(src)
    stages.done("read geography")

    estimated = estimate_oews(levels_raw, occ_codes, geography)
    for level in ("national", "state", "area"):
        counts[f"estimate_{level}"] = estimated[level].counts
    counts["geography"] = validate_county_areas(geography["crosswalk"], geography["county_geo"],
                                                estimated["area"].ids)
    stages.done("cell estimation")

    allocation = allocate(estimated, geography)
    counts["allocation"] = {**allocation.counts, **estimated["scoped"].counts}
    stages.done("county allocation")

    to_occ = onet_to_occ(model.detail, sources["onet_soc_crosswalk"])
    similarity = occupation_similarity(skills.merge(to_occ, on="onet_soc"), knowledge.merge(to_occ, on="onet_soc"),
                                       occ_codes)
    stages.done("similarity")

    web_counties = boundaries.web_layer(geography["county_geo"])
    web_states = boundaries.state_outlines(geography["state_geo"], web=True)
    counts["geometry"] = {k: int(v) for k, v in web_counties.attrs.get("counts", {}).items()}
    stages.done("web geometry")
    stages.bar.close()

    county_meta, counties = county_table(geography, allocation, estimated["area"])
    occupations = pd.DataFrame({
        "occ_code": occ_codes,
        "title": titles.fillna("").to_numpy(dtype=str),
        "major": np.array([c[:2] for c in occ_codes]),
        "visible": model.visible_mask(),
    })
    registry = load_registry()
    if tools_fit is not None:  # the catalogue is an optional source: record it when used
        src["ai_tool_catalogue"] = raw / "ai_tool_catalogue"
        counts["tools"] = {**tools_fit.catalogue.counts,
                           **{f"held_out_{k}": v for k, v in tools_fit.held_out_scores.items()
                              if isinstance(v, int)}}
    provenance = Provenance(
        sources={sid: _source_summary(registry[sid], hashes.get(sid, {})) for sid in src if sid in registry},
        build={"package_version": __version__, "task_weighting": model.weighting,
               "stage_seconds": stages.timings, "county_boundaries": COUNTY_BOUNDARIES,
               "allocation_diagnostics": allocation.diagnostics,
               # geographies without county values, each with its reason (never dropped silently)
               "excluded": allocation.excluded.astype(str).to_dict(orient="records")},
        counts=counts,
    )
    return {
        "exposure": model, "levels": level_tables(levels_raw, estimated, allocation, county_meta),
        "occupations": occupations, "counties": counties,
        "web_counties": web_counties, "web_states": web_states, "states_geo": geography["state_geo"],
        "similarity": similarity, "provenance": provenance,
        "excluded": allocation.excluded,
    }


def read_exposure_sources(raw: Path) -> dict[str, pd.DataFrame | None]:
    """Every loader frame :meth:`ExposureModel.from_sources` takes, keyed by its argument names.

    ``raw`` holds one sub-folder per source id (``onet``, ``onet_soc_crosswalk``,
    ``gpts_are_gpts``, ``microsoft_working_with_ai``, ``anthropic_economic_index``, ``aioe``).
    """
    from iceberg.io import crosswalks, layers, onet

    raw = Path(raw)
    return {
        "tasks": onet.read_tasks(raw / "onet"),
        "tasks_to_dwas": onet.read_tasks_to_dwas(raw / "onet"),
        "dwa_reference": onet.read_dwa_reference(raw / "onet"),
        "task_ratings": onet.read_task_ratings(raw / "onet"),
        "onet_soc_crosswalk": crosswalks.read_onet_soc_crosswalk(raw / "onet_soc_crosswalk"),
        "onet_2010_2019": crosswalks.read_onet_2010_2019(raw / "onet_soc_crosswalk"),
        "eloundou": layers.read_eloundou(raw / "gpts_are_gpts"),
        "microsoft_iwa": layers.read_microsoft_iwa(raw / "microsoft_working_with_ai"),
        "microsoft_soc": layers.read_microsoft_soc(raw / "microsoft_working_with_ai"),
        "anthropic": layers.read_anthropic_tasks(raw / "anthropic_economic_index"),
        "aioe": layers.read_aioe(raw / "aioe"),
    }


def user_layers(specs: tuple[Any, ...], sources: dict[str, pd.DataFrame | None]) -> list[Any]:
    """The user's capability CSVs as layers on the same O*NET task universe as the built-in ones."""
    if not specs:
        return []
    from iceberg.capability import TaskUniverse, custom_layer
    from iceberg.io.layers import read_custom_layer

    universe = TaskUniverse.from_frames(sources["tasks"], sources["tasks_to_dwas"], sources["dwa_reference"])
    return [custom_layer(read_custom_layer(spec.path), spec.level, universe, name=spec.name, file=str(spec.path))
            for spec in specs]


def tool_layers_for_build(raw: Path, sources: dict[str, pd.DataFrame | None], *,
                          progress: bool = False) -> tuple[Any, list[Any]]:
    """The ``tools`` and ``tools_and_labels`` layers when ``raw`` holds ``ai_tool_catalogue``
    (the source is optional: without it the build carries no tools layer)."""
    from iceberg.capability import TaskUniverse, eloundou_layer
    from iceberg.tools.layer import fit_from_sources, tool_layers

    fit = fit_from_sources(raw, sources, progress=progress)
    if fit is None:
        return None, []
    universe = TaskUniverse.from_frames(sources["tasks"], sources["tasks_to_dwas"], sources["dwa_reference"])
    return fit, tool_layers(fit, eloundou_layer(sources["eloundou"], universe))


def onet_to_occ(detail: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """``onet_soc → soc_code`` where ``soc_code`` is the OEWS code whose exposure uses that O*NET-SOC.

    ``detail`` is the exposure model's per-OEWS-code table (``occ_code, sources``: the SOC codes
    it stands for), so aggregates and fallbacks take the same children for skills as for tasks.
    """
    pairs = detail[["occ_code", "sources"]].assign(source=detail["sources"].str.split(";")).explode("source")
    pairs = pairs[pairs["source"].fillna("") != ""]
    out = pairs.merge(crosswalk[["onet_soc", "soc_code"]], left_on="source", right_on="soc_code")
    return out[["onet_soc", "occ_code"]].rename(columns={"occ_code": "soc_code"}).drop_duplicates()
