"""Interactive county choropleth (folium / Leaflet).

Design (DESIGN.md §7): one ``folium.GeoJson`` per metric layer (total / visible / hidden),
each in its own ``FeatureGroup`` toggled by the ``LayerControl`` (radio buttons: one layer at
a time, the chosen metric first). Class breaks come from :class:`~iceberg.maps.classes.MapClasses`
fitted on the baseline, so scenario maps reuse the baseline colours. The geometry is the
coverage-simplified web layer of :func:`geodata.boundaries.web_layer`, embedded **once** as a
JavaScript variable that every layer reads; each feature carries only a few properties
(id, name, state, formatted values, class codes ``k``), and the style function is a short JS
function indexing a palette by class code instead of folium's per-feature ``switch``.

This module prepares the data and assembles the map; the page pieces (folium elements with
their JavaScript templates, title box, legend HTML) are in :mod:`iceberg.maps.explore_template`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.classes import MapClasses
from iceberg.maps.explore_template import (  # ClassedGeoJson, legend_html re-exported
    ClassedGeoJson,
    Overlay,
    SharedGeoJsonData,
    StateLines,
    legend_html,
    title_html,
)

DEFAULT_LAYERS = ("iceberg_index", "surface_index", "hidden_index")
DEFAULT_TILES = "CartoDB positron"

#: Tooltip rows after the metric: (property key, source column, unit, alias).
_DOLLAR_ROWS = (
    ("exposed", "exposed_wages", "dollars", "Exposed wages"),
    ("visible", "surface_wages", "dollars", "Visible (tech occupations)"),
    ("hidden", "hidden_wages", "dollars", "Hidden (all other occupations)"),
)


# ---------------------------------------------------------------------------------------------
# data preparation


def encode_top(top: pd.Series) -> tuple[list, list[str]]:
    """Dictionary-encode ``top_hidden`` strings ("Title (12%); Title (8%)").

    Returns
    -------
    (codes, titles)
        ``codes[i]`` is a list of ``[title index, share text]`` for county ``i`` (share ``""``
        when a part has no trailing "(share)"), ``titles`` the distinct titles. Decoding
        reproduces each string exactly.
    """
    text = pd.Series(top, copy=False).astype("string").fillna("").reset_index(drop=True)
    parts = text.str.split("; ").explode()
    parts = parts[parts.fillna("") != ""]
    found = parts.str.extract(r"^(?P<title>.*) \((?P<share>[^()]*)\)$")
    title = found["title"].fillna(parts)
    share = found["share"].fillna("").astype(str).tolist()
    codes, titles = pd.factorize(title.astype(str))
    pairs = [[int(c), sh] for c, sh in zip(codes.tolist(), share)]
    # parts are ordered by county: cut the flat list at each county's count
    counts = np.bincount(parts.index.to_numpy(dtype="int64"), minlength=len(text))
    ends = np.cumsum(counts)
    out = [pairs[e - c:e] for c, e in zip(counts.tolist(), ends.tolist())]
    return out, [str(t) for t in titles]


def _state_filter(gdf: gpd.GeoDataFrame, state: str | None) -> gpd.GeoDataFrame:
    if state is None:
        return gdf
    code = str(state).strip().upper()
    col = "state_fips" if code.isdigit() else "state_abbr"
    if col not in gdf.columns:
        raise IcebergDataError("county layer lacks the state column", column=col,
                               expected=f"a column {col!r}", found=list(gdf.columns)[:12])
    keep = gdf[col].astype(str).str.upper() == code.zfill(2) if code.isdigit() else \
        gdf[col].astype(str).str.upper() == code
    if not keep.any():
        raise IcebergDataError("no county in the requested state", column=col,
                               expected="a state present in the layer", found=state)
    return gdf.loc[keep]


def _is_web_layer(gdf: gpd.GeoDataFrame) -> bool:
    attrs = gdf.attrs
    return bool(attrs.get("web_layer") or attrs.get("simplified")) or \
        "coverage_valid" in attrs.get("counts", {})


def prepare_web_layer(counties_gdf: gpd.GeoDataFrame, **kwargs) -> gpd.GeoDataFrame:
    """Return the county layer with geometry replaced by :func:`geodata.boundaries.web_layer`.

    All columns are kept (same rows, same order); ``.attrs["web_layer"] = True`` marks the
    result so :func:`explore` does not simplify it again. Pass it to several
    :func:`explore` calls (baseline, scenarios) to simplify only once.

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        County result layer (``geoid`` and ``geometry``, any CRS).
    **kwargs
        ``tolerance_m`` / ``precision`` for ``web_layer``.
    """
    from geodata.boundaries import web_layer

    web = web_layer(counties_gdf, **kwargs)
    out = counties_gdf.set_geometry(web.geometry.to_numpy(), crs=web.crs)
    out.attrs["web_layer"] = True
    out.attrs["counts"] = dict(web.attrs.get("counts", {}))
    return out


def _feature_collection(ids: np.ndarray, props: pd.DataFrame, geoms: np.ndarray) -> str:
    """GeoJSON text (feature ``id`` = county GEOID) from properties and shapely geometries."""
    if len(props) == 0:
        return '{"type":"FeatureCollection","features":[]}'
    prop_lines = props.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    geom_json = shapely.to_geojson(geoms)
    id_json = np.char.add(np.char.add('"', ids.astype("U")), '"')
    parts = np.char.add(np.char.add('{"type":"Feature","id":', id_json), ',"properties":')
    parts = np.char.add(np.char.add(parts, np.asarray(prop_lines, dtype="U")), ',"geometry":')
    parts = np.char.add(np.char.add(parts, geom_json.astype("U")), "}")
    return '{"type":"FeatureCollection","features":[' + ",".join(parts.tolist()) + "]}"


def _resolve_classes(
    gdf: pd.DataFrame,
    names: Sequence[str],
    classes: MapClasses | Mapping[str, MapClasses] | None,
    scheme: str,
    k: int,
    palette: str,
) -> dict[str, MapClasses]:
    given: dict[str, MapClasses] = {}
    if isinstance(classes, MapClasses):
        given[classes.metric] = classes
    elif classes is not None:
        given.update(classes)
    out = {}
    for name in names:
        if name in given:
            out[name] = given[name]
        elif name.endswith("_diff"):
            out[name] = MapClasses.fit_difference(gdf[name], name)
        else:
            out[name] = MapClasses.fit(gdf[name], name, scheme=scheme, k=k, palette=palette)
    return out


def fit_classes(
    counties_gdf: pd.DataFrame,
    metrics: Sequence[str] = DEFAULT_LAYERS,
    *,
    scheme: str = "FisherJenks",
    k: int = 5,
    palette: str = style.SEQUENTIAL,
) -> dict[str, MapClasses]:
    """Fit :class:`MapClasses` for several metrics on a (baseline) county layer.

    Pass the result as ``classes=`` to :func:`explore` / :func:`iceberg.maps.static.plot` for
    scenario maps so they share the baseline colours.
    """
    missing = [m for m in metrics if m not in counties_gdf.columns]
    if missing:
        raise IcebergDataError("county layer lacks a metric column", column=missing[0],
                               expected="a column of the county result layer",
                               found=list(counties_gdf.columns)[:20])
    return _resolve_classes(counties_gdf, list(metrics), None, scheme, k, palette)


# ---------------------------------------------------------------------------------------------
# the map


def explore(
    counties_gdf: gpd.GeoDataFrame,
    metric: str = "hidden_index",
    *,
    classes: MapClasses | Mapping[str, MapClasses] | None = None,
    layers: Sequence[str] = DEFAULT_LAYERS,
    states: gpd.GeoDataFrame | None = None,
    state: str | None = None,
    tiles: str | None = DEFAULT_TILES,
    title: str | None = None,
    subtitle: str | None = None,
    offline: bool = False,
    simplified: bool | None = None,
    scheme: str = "FisherJenks",
    k: int = 5,
    palette: str = style.SEQUENTIAL,
    height: str | int = "100%",
) -> folium.Map:
    """Interactive county choropleth with total / visible / hidden layers.

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        County result layer (``geoid, name, state_abbr``, metric columns, ``geometry``).
    metric : str, default "hidden_index"
        Metric shown first (and in the legend on opening).
    classes : MapClasses or mapping metric -> MapClasses, optional
        Classes fitted on the baseline (:func:`fit_classes`); missing ones are fitted here on
        ``counties_gdf``. Columns ending in ``_diff`` get diverging classes.
    layers : sequence of str
        Further metric layers offered in the layer switcher (absent columns are skipped).
    states : GeoDataFrame, optional
        State outlines in EPSG:4326; default: dissolved from the (simplified) counties.
    state : str, optional
        Two-letter code or FIPS: show only that state's counties.
    tiles : str or None, default "CartoDB positron"
        Basemap; ``None`` for none. Ignored (no basemap) when ``offline``.
    title, subtitle : str, optional
        Heading lines; the caveat :data:`iceberg.maps.style.SUBTITLE_CAVEAT` is always added.
    offline : bool
        No basemap (for :func:`iceberg.maps.offline.to_html` self-contained files).
    simplified : bool, optional
        Whether ``counties_gdf`` already holds web geometry (:func:`prepare_web_layer`);
        default: detected from ``.attrs``.
    scheme, k, palette
        Classification for metrics without given classes.
    height : str or int
        Map height (CSS).

    Returns
    -------
    folium.Map
        ``m.iceberg_classes`` holds the ``MapClasses`` used per layer.
    """
    names = [metric] + [m for m in layers if m != metric and m in counties_gdf.columns]
    missing = [m for m in names if m not in counties_gdf.columns]
    if missing:
        raise IcebergDataError("county layer lacks the metric to map", column=missing[0],
                               expected="a metric column of the county result layer",
                               found=list(counties_gdf.columns)[:20])
    if simplified is None:
        simplified = _is_web_layer(counties_gdf)
    gdf = counties_gdf if simplified else prepare_web_layer(counties_gdf)
    gdf = _state_filter(gdf, state)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    cls = _resolve_classes(gdf, names, classes, scheme, k, palette)

    # -- properties: only what the tooltip and the styling need -----------------------------
    n = len(gdf)
    ids = gdf["geoid"].astype(str).to_numpy()
    props = pd.DataFrame(
        {
            "name": gdf["name"].astype(str).to_numpy() if "name" in gdf else [""] * n,
            "state": gdf["state_abbr"].astype(str).to_numpy() if "state_abbr" in gdf else [""] * n,
        }
    )
    for name in names:
        props[name] = style.format_values(gdf[name], cls[name].unit)
    for key, col, unit, _ in _DOLLAR_ROWS:
        if col in gdf.columns:
            props[key] = style.format_values(gdf[col], unit)
    titles = None
    if "top_hidden" in gdf.columns:
        props["top"], titles = encode_top(gdf["top_hidden"])
    codes = np.column_stack([cls[nm].classify(gdf[nm]) for nm in names]) if n else \
        np.empty((0, len(names)), dtype="int8")
    props["k"] = list(codes.astype(int))
    shared = SharedGeoJsonData(
        _feature_collection(ids, props, np.asarray(gdf.geometry.values)), titles)
    sample = {"type": "Feature", "properties": {c: None for c in props.columns}, "geometry": None}

    # -- map ---------------------------------------------------------------------------------
    # fractional zoom lets fitBounds fill the window instead of snapping a whole level out
    m = folium.Map(tiles=None, height=height, control_scale=True, prefer_canvas=False,
                   zoom_snap=0.25)
    if tiles and not offline:
        with warnings.catch_warnings():  # xyzservices warns about CartoDB API keys on build
            warnings.simplefilter("ignore", UserWarning)
            folium.TileLayer(tiles, control=False).add_to(m)
    m.add_child(shared)
    folium.map.CustomPane("state-lines", z_index=450, pointer_events=False).add_to(m)

    extra_fields = [key for key, col, _, _ in _DOLLAR_ROWS if col in gdf.columns]
    extra_alias = [alias for key, col, _, alias in _DOLLAR_ROWS if col in gdf.columns]
    if "top" in props:
        extra_fields.append("top")
        extra_alias.append("Top hidden occupations")
    legends = {}
    for i, name in enumerate(names):
        label = style.short_label(name)
        group = folium.FeatureGroup(name=label, overlay=False, show=(i == 0))
        tooltip = folium.GeoJsonTooltip(
            fields=["name", "state", name, *extra_fields],
            aliases=["County", "State", style.metric_label(name).split(" (")[0], *extra_alias],
            sticky=True,
            style="font: 12px system-ui, sans-serif; min-width: 300px; max-width: 420px; "
            "white-space: normal;",
        )
        ClassedGeoJson(shared, sample, i, cls[name], name=name, tooltip=tooltip).add_to(group)
        group.add_to(m)
        legends[label] = legend_html(cls[name], style.metric_label(name))

    outlines = states if states is not None else _dissolve_states(gdf)
    if len(outlines):
        # each border once (a shared border would otherwise be drawn by both states)
        lines = shapely.line_merge(shapely.union_all(shapely.boundary(
            np.asarray(outlines.geometry.values))))
        outline_json = ('{"type":"FeatureCollection","features":[{"type":"Feature",'
                        '"properties":{},"geometry":' + shapely.to_geojson(lines) + "}]}")
        m.add_child(StateLines(outline_json, "state-lines"))

    heading = title or f"{style.metric_label(metric)} by county"
    m.add_child(Overlay(title_html(heading, subtitle), legends, style.short_label(metric)))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if n:
        minx, miny, maxx, maxy = _view_bounds(gdf)
        m.fit_bounds([[miny, minx], [maxy, maxx]])
    m.iceberg_classes = cls
    return m


def _dissolve_states(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """State outlines from the web county layer (coverage union: borders match exactly)."""
    if "state_fips" in gdf.columns:
        key = gdf["state_fips"].astype(str)
    else:
        key = gdf["geoid"].astype(str).str[:2]
    frame = gpd.GeoDataFrame({"state_fips": key.to_numpy()}, geometry=gdf.geometry.values,
                             crs=gdf.crs)
    return frame.dissolve("state_fips", method="coverage", as_index=False)


def _view_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Bounds to open on: the contiguous US when it is present (Alaska's Aleutians cross the
    antimeridian and would zoom the whole map out), else the data."""
    b = gdf.geometry.bounds
    state = gdf["geoid"].astype(str).str[:2].to_numpy()
    conus = ~np.isin(state, ["02", "15", "72", "60", "66", "69", "78"])
    if conus.any() and (~conus).any() and conus.sum() > 60:
        b = b.loc[conus]
    return float(b.minx.min()), float(b.miny.min()), float(b.maxx.max()), float(b.maxy.max())


def map_html(m: folium.Map) -> str:
    """The full HTML page of a folium map, as a string."""
    return m.get_root().render()


__all__ = [
    "DEFAULT_LAYERS",
    "ClassedGeoJson",
    "explore",
    "fit_classes",
    "legend_html",
    "map_html",
    "prepare_web_layer",
]
