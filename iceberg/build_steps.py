"""The build, stage by stage: raw files → exposure model, filled OEWS levels, counties, geometry.

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
from iceberg.provenance import Provenance

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


def build_parts(raw: Path, *, progress: bool = True, hashes: dict[str, Any] | None = None,
                custom_layers: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Run every build stage on the raw folder ``raw`` (one sub-folder per source id).

    ``hashes`` (source id → {file: sha256}) is recorded in the provenance; ``custom_layers``
    (:class:`iceberg.bundle.CustomLayerSpec`) are the user's own capability CSVs.
    """
    hashes = hashes or {}
    from geodata import boundaries
    from geodata.allocation import allocate_counties
    from geodata.crosswalk import validate_county_areas
    from geodata.staffing import national_staffing
    from geodata.suppression import detailed_occ_codes, fill_level
    from iceberg.exposure import ExposureModel
    from iceberg.io import census, oews, onet
    from iceberg.scenario.reskilling import occupation_similarity
    from iceberg.sources import load_registry

    stages = ["read O*NET", "read OEWS", "read layers", "exposure model", "suppression fill",
              "read geography", "county allocation", "similarity", "web geometry"]
    bar = tqdm(total=len(stages), desc="iceberg build", unit="stage", disable=not progress)
    timings: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        bar.set_postfix_str(name)
        bar.update(1)

    src = {sid: raw / sid for sid in ("onet", "onet_soc_crosswalk", "oews_2025", "oews_area_definitions",
                                      "census_cartographic_boundaries", "census_popest_2024",
                                      "acs5_2019_county_industry_occupation", "gpts_are_gpts",
                                      "microsoft_working_with_ai", "anthropic_economic_index", "aioe")}
    for sid, folder in src.items():
        if not folder.is_dir():
            raise IcebergDataError(f"source folder for {sid!r} not found", file=folder,
                                   expected="run `iceberg fetch` or point --data-dir at a folder holding it")

    # O*NET and the capability layers, as ExposureModel.from_sources takes them
    sources = read_exposure_sources(raw)
    skills, knowledge = onet.read_skills(src["onet"]), onet.read_knowledge(src["onet"])
    counts["inputs"] = {f"{k}_rows": len(v) for k, v in sources.items() if v is not None}
    counts["inputs"].update(skills_rows=len(skills), knowledge_rows=len(knowledge))
    step("read O*NET")

    levels_raw = oews.read_oews_dir(src["oews_2025"])
    counts["oews"] = {f"{k}_rows": len(v) for k, v in levels_raw.items()}
    national = levels_raw["national"]
    occ_codes = detailed_occ_codes(national)
    step("read OEWS")

    tools_fit, tool_extra = tool_layers_for_build(raw, sources, progress=progress)
    step("read layers")

    titles = (national.loc[national["o_group"] == "detailed"].drop_duplicates("occ_code")
              .set_index("occ_code")["occ_title"].reindex(occ_codes))
    model = ExposureModel.from_sources(occ_codes, titles=titles.fillna("").to_numpy(dtype=str),
                                       extra_layers=user_layers(custom_layers, sources) + tool_extra,
                                       **sources)
    counts["exposure"] = dict(model.counts)
    step("exposure model")

    nation = fill_level(national, national, national, occ_codes=occ_codes)
    states = fill_level(levels_raw["state"], nation, nation, occ_codes=occ_codes)
    area_frame = levels_raw["area"]
    area_state = (area_frame.drop_duplicates("area").set_index("area")["state_fips"].astype(str).str.zfill(2))
    areas = fill_level(area_frame, states, nation, occ_codes=occ_codes, parent_of=area_state)
    counts["fill_nation"], counts["fill_state"], counts["fill_area"] = nation.counts, states.counts, areas.counts
    step("suppression fill")

    geo = src["census_cartographic_boundaries"]
    county_geo = census.read_boundaries(_find(geo, COUNTY_BOUNDARIES))
    state_geo = census.read_states(_find(geo, STATE_BOUNDARIES))
    xwalk = census.read_county_area_crosswalk(census.locate_area_definitions(src["oews_area_definitions"]))
    population = census.read_county_population(src["census_popest_2024"] / POPULATION)
    acs_industry, acs_groups = census.read_acs_county(
        census.locate_acs(src["acs5_2019_county_industry_occupation"]))
    counts["geography"] = validate_county_areas(xwalk, county_geo, areas.ids)
    step("read geography")

    staffing = national_staffing(levels_raw["national_by_industry"], nation, occ_codes=occ_codes)
    allocation = allocate_counties(
        areas, xwalk, acs_industry=acs_industry, acs_occupation_groups=acs_groups, population=population,
        staffing=staffing, state_ids=states.ids,
    )
    counts["allocation"] = dict(allocation.counts)
    step("county allocation")

    to_occ = onet_to_occ(model.detail, sources["onet_soc_crosswalk"])
    similarity = occupation_similarity(skills.merge(to_occ, on="onet_soc"), knowledge.merge(to_occ, on="onet_soc"),
                                       occ_codes)
    step("similarity")

    web_counties = boundaries.web_layer(county_geo)
    web_states = boundaries.state_outlines(state_geo, web=True)
    counts["geometry"] = {k: int(v) for k, v in web_counties.attrs.get("counts", {}).items()}
    step("web geometry")
    bar.close()

    # tables ----------------------------------------------------------------------------------
    state_meta = (levels_raw["state"].drop_duplicates("area").set_index("area")[["area_title", "prim_state"]]
                  .rename(columns={"area_title": "name", "prim_state": "state_abbr"}).reindex(states.ids))
    state_meta["is_state"] = ~state_meta["state_abbr"].isin(["PR", "GU", "VI"])
    area_meta = (area_frame.drop_duplicates("area").set_index("area")[["area_title", "area_type", "prim_state"]]
                 .rename(columns={"area_title": "name", "prim_state": "state_abbr"}).reindex(areas.ids))
    nation_meta = pd.DataFrame({"name": ["United States"]}, index=pd.Index(nation.ids))

    county_meta = xwalk.set_index("county_fips")[["county_name", "state_fips", "state_abbr", "oews_area",
                                                   "oews_area_title"]]
    county_meta = county_meta.join(allocation.method.rename("allocation_method"))
    counties = county_geo[["geoid", "geometry"]].merge(
        county_meta.rename(columns={"county_name": "name"}), left_on="geoid", right_index=True, how="left")
    counties["allocation_method"] = counties["allocation_method"].fillna("none (no OEWS area data)")

    occupations = pd.DataFrame({
        "occ_code": occ_codes,
        "title": titles.fillna("").to_numpy(dtype=str),
        "major": np.array([c[:2] for c in occ_codes]),
        "visible": model.visible_mask(),
    })
    levels = {
        "nation": nation.to_geomatrix("nation", nation_meta),
        "state": states.to_geomatrix("state", state_meta),
        "area": areas.to_geomatrix("area", area_meta),
        "county": allocation.to_geomatrix(county_meta.reindex(allocation.county_fips)),
    }
    registry = load_registry()
    if tools_fit is not None:  # the catalogue is an optional source: record it when used
        src["ai_tool_catalogue"] = raw / "ai_tool_catalogue"
        counts["tools"] = {**tools_fit.catalogue.counts,
                           **{f"held_out_{k}": v for k, v in tools_fit.held_out_scores.items()
                              if isinstance(v, int)}}
    provenance = Provenance(
        sources={sid: _source_summary(registry[sid], hashes.get(sid, {})) for sid in src if sid in registry},
        build={"package_version": __version__, "task_weighting": model.weighting,
               "stage_seconds": timings, "county_boundaries": COUNTY_BOUNDARIES,
               "allocation_diagnostics": allocation.diagnostics,
               # geographies without county values, each with its reason (never dropped silently)
               "excluded": allocation.excluded.astype(str).to_dict(orient="records")},
        counts=counts,
    )
    return {
        "exposure": model, "levels": levels, "occupations": occupations, "counties": counties,
        "web_counties": web_counties, "web_states": web_states, "states_geo": state_geo,
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
