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

import hashlib
import warnings
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from iceberg import labels
from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.classes import MapClasses
from iceberg.maps.explore_template import (
    ClassedGeoJson,
    HatchedOverlay,
    Overlay,
    SharedGeoJsonData,
    StateLines,
    legend_html,
    title_html,
)

DEFAULT_LAYERS = ("iceberg_index", "surface_index", "hidden_index")
DEFAULT_TILES = "CartoDB positron"

#: Tooltip rows after the metric: (property key, source column, alias).
_DOLLAR_ROWS = (
    ("exposed", "exposed_wages", "Exposed wages"),
    ("visible", "surface_wages", "Visible (tech occupations)"),
    ("hidden", "hidden_wages", "Hidden (all other occupations)"),
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


_TOP_MEMO: OrderedDict[bytes, tuple[list, list[str]]] = OrderedDict()
_TOP_MEMO_SIZE = 8


def _encode_top_cached(top: pd.Series) -> tuple[list, list[str]]:
    """:func:`encode_top`, remembered for the last few distinct columns.

    A scenario that does not touch capability keeps the same top-occupation text; hashing the
    column (vectorised) costs ~1 ms against ~50 ms for the encoding.
    """
    text = pd.Series(top, copy=False).astype("string").fillna("").reset_index(drop=True)
    key = hashlib.blake2b(pd.util.hash_pandas_object(text, index=False).to_numpy().tobytes(),
                          digest_size=16).digest()
    hit = _TOP_MEMO.get(key)
    if hit is None:
        hit = encode_top(text)
        _TOP_MEMO[key] = hit
        while len(_TOP_MEMO) > _TOP_MEMO_SIZE:
            _TOP_MEMO.popitem(last=False)
    else:
        _TOP_MEMO.move_to_end(key)
    return hit


def _feature_heads(ids: np.ndarray) -> pa.Array:
    """``{"type":"Feature","id":"<GEOID>","properties":`` per county."""
    return pc.binary_join_element_wise(
        '{"type":"Feature","id":"', pa.array(ids.astype(str), pa.string()), '","properties":', "")


def _feature_tails(geom_json: np.ndarray) -> pa.Array:
    """``,"geometry":<GeoJSON>}`` per county."""
    return pc.binary_join_element_wise(
        ',"geometry":', pa.array(np.asarray(geom_json, dtype=object), pa.string()), "}", "")


def _feature_collection(heads: pa.Array, props: pd.DataFrame, tails: pa.Array) -> str:
    """GeoJSON text (feature ``id`` = county GEOID) from the per-county head, properties, tail."""
    if len(props) == 0:
        return '{"type":"FeatureCollection","features":[]}'
    prop_lines = props.to_json(orient="records", lines=True, force_ascii=False).splitlines()
    feats = pc.binary_join_element_wise(heads, pa.array(prop_lines, pa.string()), tails, "")
    return '{"type":"FeatureCollection","features":[' + ",".join(feats.to_pylist()) + "]}"


def _outline_json(polygons: np.ndarray) -> str | None:
    """State borders as one GeoJSON MultiLineString feature (each shared border once)."""
    if len(polygons) == 0:
        return None
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(polygons)))
    return ('{"type":"FeatureCollection","features":[{"type":"Feature",'
            '"properties":{},"geometry":' + shapely.to_geojson(lines) + "}]}")


@dataclass(eq=False)
class EncodedGeometry:
    """County polygons encoded once for :func:`explore` (see :func:`encode_geometry`).

    Holds, per county in layer order, the GeoJSON text of the feature head (id) and tail
    (geometry), its bounds and its state; and the state polygons the borders are drawn from
    (border text made once per set of states shown). Pass it as ``geometry=`` to every
    :func:`explore` call of a session: a scenario change then only encodes values and colours.

    Attributes
    ----------
    geoids : pandas.Index
        County GEOIDs (str), in layer order.
    key : str
        Hash of the GEOIDs and the geometry (WKB): equal layers give equal keys.
    """

    geoids: pd.Index
    key: str
    heads: pa.Array = field(repr=False)
    tails: pa.Array = field(repr=False)
    bounds: np.ndarray = field(repr=False)
    county_state: np.ndarray = field(repr=False)
    states: gpd.GeoDataFrame = field(repr=False)
    state_key: np.ndarray = field(repr=False)
    _outlines: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.geoids)

    def positions(self, geoids) -> np.ndarray:
        """Row of each GEOID in the encoded layer; an error naming the first unknown one."""
        pos = self.geoids.get_indexer(pd.Index(np.asarray(geoids).astype(str)))
        if (pos < 0).any():
            bad = np.asarray(geoids)[pos < 0]
            raise IcebergDataError("county not in the encoded geometry", column="geoid",
                                   expected="GEOIDs of the layer given to encode_geometry",
                                   found=f"{bad[0]} ({int((pos < 0).sum())} unknown)")
        return pos

    def outline_json(self, pos: np.ndarray) -> str | None:
        """Border text of the states that hold the counties at ``pos`` (made once per set)."""
        present = np.isin(self.state_key, np.unique(self.county_state[pos]))
        rows = tuple(np.flatnonzero(present).tolist())
        if rows not in self._outlines:
            self._outlines[rows] = _outline_json(np.asarray(self.states.geometry.values)[
                list(rows)])
        return self._outlines[rows]


def encode_geometry(
    counties_gdf: gpd.GeoDataFrame,
    *,
    states: gpd.GeoDataFrame | None = None,
    simplified: bool | None = None,
) -> EncodedGeometry:
    """Encode the county polygons once, for many :func:`explore` calls.

    ``explore(frame, metric, geometry=encode_geometry(layer))`` writes the same page as
    ``explore(layer_with_frame_values, metric)``; ``frame`` then only needs ``geoid`` and the
    value columns (no geometry), in any order and for any subset of the encoded counties.

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        County layer (``geoid``, ``geometry``; ``state_fips`` optional, else the GEOID's first
        two digits), any CRS. Simplified with :func:`prepare_web_layer` unless it already holds
        web geometry.
    states : GeoDataFrame, optional
        State polygons for the borders (EPSG:4326 or convertible), with ``state_fips``; default:
        dissolved from the (simplified) counties. A map draws the borders of the states its
        counties are in.
    simplified : bool, optional
        Whether ``counties_gdf`` already holds web geometry; default: detected from ``.attrs``.

    Returns
    -------
    EncodedGeometry
    """
    if simplified is None:
        simplified = _is_web_layer(counties_gdf)
    gdf = counties_gdf if simplified else prepare_web_layer(counties_gdf)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    ids = gdf["geoid"].astype(str).to_numpy()
    if pd.Index(ids).has_duplicates:
        dup = pd.Index(ids)[pd.Index(ids).duplicated()][0]
        raise IcebergDataError("duplicate county GEOID in the layer", column="geoid",
                               expected="one row per county", found=dup)
    geoms = np.asarray(gdf.geometry.values)
    county_state = _state_codes(gdf)
    if states is None:
        states = _dissolve_states(gdf)
    elif states.crs is not None and not states.crs.equals("EPSG:4326"):
        states = states.to_crs("EPSG:4326")
    if "state_fips" in states.columns:
        state_key = states["state_fips"].astype(str).to_numpy()
    else:  # outlines without a state code: drawn on every map
        state_key = np.full(len(states), "*", dtype=object)
        county_state = np.full(len(ids), "*", dtype=object)
    digest = hashlib.blake2b(digest_size=16)
    digest.update("\0".join(ids).encode())
    digest.update(b"".join(shapely.to_wkb(geoms).tolist()) if len(geoms) else b"")
    return EncodedGeometry(
        geoids=pd.Index(ids, dtype=str),
        key=digest.hexdigest(),
        heads=_feature_heads(ids),
        tails=_feature_tails(shapely.to_geojson(geoms)),
        bounds=shapely.bounds(geoms),
        county_state=np.asarray(county_state, dtype=object),
        states=states,
        state_key=np.asarray(state_key, dtype=object),
    )


def _state_codes(gdf: pd.DataFrame) -> np.ndarray:
    if "state_fips" in gdf.columns:
        return gdf["state_fips"].astype(str).to_numpy()
    return gdf["geoid"].astype(str).str[:2].to_numpy()


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

LegendPosition = Literal["bottomright", "bottomleft", "topright", "topleft"]


@dataclass(frozen=True)
class PageOptions:
    """How the map page looks, apart from what it shows (see :func:`explore`).

    Attributes
    ----------
    tiles : str or None, default "CartoDB positron"
        Basemap; ``None`` for none. Ignored (no basemap) when ``offline``.
    offline : bool
        No basemap (for :func:`iceberg.maps.offline.to_html` self-contained files).
    height : str or int
        Map height (CSS).
    layer_control : bool, default True
        Add the layer switcher (total / visible / hidden). ``False`` for a single-layer map
        whose metric is chosen elsewhere (e.g. by the app's own widgets).
    assets : {"folium", "leaflet_only"}, default "folium"
        Scripts and stylesheets the page loads: folium's defaults (Leaflet, jQuery, Bootstrap,
        Font Awesome, awesome-markers), or only Leaflet, which is all a choropleth needs.
    title_box : bool, default True
        Draw the title / subtitle / caveat box over the map. ``False`` where the page around
        the map already carries the heading and the caveat.
    legend_position : str, default "bottomright"
        Map corner of the legend (Leaflet control position). "bottomleft" keeps a national
        map's Gulf coast and Florida clear.
    """

    tiles: str | None = DEFAULT_TILES
    offline: bool = False
    height: str | int = "100%"
    layer_control: bool = True
    assets: Literal["folium", "leaflet_only"] = "folium"
    title_box: bool = True
    legend_position: LegendPosition = "bottomright"

    def __post_init__(self) -> None:
        if self.legend_position not in ("bottomright", "bottomleft", "topright", "topleft"):
            raise IcebergDataError("unknown legend position", column="legend_position",
                                   expected="bottomright, bottomleft, topright or topleft",
                                   found=self.legend_position)
        if self.assets not in ("folium", "leaflet_only"):
            raise IcebergDataError("unknown assets option", column="assets",
                                   expected="'folium' or 'leaflet_only'", found=self.assets)


#: Counties whose ``estimated_share`` is at least this are hatched by the data-quality overlay.
ESTIMATED_SHARE_HATCH = 0.5


@dataclass(eq=False)
class _Features:
    """The counties to draw: attribute rows and their pre-encoded GeoJSON pieces."""

    gdf: pd.DataFrame
    ids: np.ndarray
    heads: pa.Array
    tails: pa.Array
    bounds: np.ndarray
    pos: np.ndarray | None = None  # rows in an EncodedGeometry


def explore(
    counties_gdf: gpd.GeoDataFrame,
    metric: str = "hidden_index",
    *,
    classes: MapClasses | Mapping[str, MapClasses] | None = None,
    layers: Sequence[str] = DEFAULT_LAYERS,
    state: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    geometry: EncodedGeometry | None = None,
    states: gpd.GeoDataFrame | None = None,
    simplified: bool | None = None,
    scheme: str = "FisherJenks",
    k: int = 5,
    palette: str = style.SEQUENTIAL,
    quality_overlay: bool | float = False,
    page: PageOptions | None = None,
    **page_options,
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
    state : str, optional
        Two-letter code or FIPS: show only that state's counties.
    title, subtitle : str, optional
        Heading lines; the caveat :data:`iceberg.labels.CAVEAT` is always added.
    geometry : EncodedGeometry, optional
        Polygons encoded once by :func:`encode_geometry`. ``counties_gdf`` then needs no
        geometry (``geoid`` and the values are enough; any subset of the encoded counties, in
        any order), ``simplified`` and ``states`` are ignored and the borders drawn are those
        of the states its counties are in. The page is the same as without it.
    states : GeoDataFrame, optional
        State outlines in EPSG:4326; default: dissolved from the (simplified) counties.
    simplified : bool, optional
        Whether ``counties_gdf`` already holds web geometry (:func:`prepare_web_layer`);
        default: detected from ``.attrs``.
    scheme, k, palette
        Classification for metrics without given classes.
    quality_overlay : bool or float, default False
        Add a switchable (off on opening) hatched layer over counties whose ``estimated_share``
        (share of jobs from unpublished, estimated OEWS cells) is at least
        :data:`ESTIMATED_SHARE_HATCH` (or the float given). Skipped when the column is absent.
    page : PageOptions, optional
        Page look (basemap, height, switcher, assets, title box, legend corner).
    **page_options
        The fields of :class:`PageOptions` given one by one (``offline=True``, ...).

    Returns
    -------
    folium.Map
        ``m.iceberg_classes`` holds the ``MapClasses`` used per layer.
    """
    page = _page(page, page_options)
    names = [metric] + [m for m in layers if m != metric and m in counties_gdf.columns]
    missing = [m for m in names if m not in counties_gdf.columns]
    if missing:
        raise IcebergDataError("county layer lacks the metric to map", column=missing[0],
                               expected="a metric column of the county result layer",
                               found=list(counties_gdf.columns)[:20])
    feats = _features(counties_gdf, state, geometry, simplified)
    cls = _resolve_classes(feats.gdf, names, classes, scheme, k, palette)
    threshold = _hatch_threshold(quality_overlay, feats.gdf)
    props, titles = _properties(feats.gdf, names, cls, threshold is not None)
    shared = SharedGeoJsonData(_feature_collection(feats.heads, props, feats.tails), titles)
    sample = {"type": "Feature", "properties": {c: None for c in props.columns}, "geometry": None}

    m = _base_map(page)
    m.add_child(shared)
    folium.map.CustomPane("state-lines", z_index=450, pointer_events=False).add_to(m)
    legends = _add_metric_layers(m, shared, sample, names, cls, props)
    if threshold is not None:
        _add_quality_overlay(m, shared, threshold)
    _add_state_lines(m, feats, geometry, states)
    heading = title or f"{labels.label(metric)} by county"
    head = title_html(heading, subtitle) if page.title_box else None
    m.add_child(Overlay(head, legends, labels.short_label(metric), page.legend_position))
    _finish(m, page, feats)
    m.iceberg_classes = cls
    return m


def _page(page: PageOptions | None, options: dict) -> PageOptions:
    """``page`` with the one-by-one options applied (unknown names are an error)."""
    from dataclasses import fields, replace

    known = {f.name for f in fields(PageOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"explore() got unexpected option(s) {unknown}; page options: "
                        f"{sorted(known)}")
    return replace(page or PageOptions(), **options)


def _features(counties_gdf, state, geometry: EncodedGeometry | None, simplified) -> _Features:
    """The counties of ``state`` (or all) with their encoded geometry pieces."""
    if geometry is not None:
        gdf = _state_filter(counties_gdf, state)
        ids = gdf["geoid"].astype(str).to_numpy()
        pos = geometry.positions(ids)
        return _Features(gdf, ids, geometry.heads.take(pos), geometry.tails.take(pos),
                         geometry.bounds[pos], pos)
    if simplified is None:
        simplified = _is_web_layer(counties_gdf)
    gdf = counties_gdf if simplified else prepare_web_layer(counties_gdf)
    gdf = _state_filter(gdf, state)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    ids = gdf["geoid"].astype(str).to_numpy()
    geoms = np.asarray(gdf.geometry.values)
    return _Features(gdf, ids, _feature_heads(ids), _feature_tails(shapely.to_geojson(geoms)),
                     shapely.bounds(geoms))


def _hatch_threshold(option: bool | float, gdf: pd.DataFrame) -> float | None:
    """The ``estimated_share`` threshold of the quality overlay, or None for no overlay."""
    if option is False or option is None or "estimated_share" not in gdf.columns:
        return None
    return ESTIMATED_SHARE_HATCH if option is True else float(option)


def _properties(gdf: pd.DataFrame, names: list[str], cls: dict[str, MapClasses],
                quality: bool) -> tuple[pd.DataFrame, list[str] | None]:
    """Per-county properties: only what the tooltip and the styling need."""
    n = len(gdf)
    props = pd.DataFrame(
        {
            "name": gdf["name"].astype(str).to_numpy() if "name" in gdf else [""] * n,
            "state": gdf["state_abbr"].astype(str).to_numpy() if "state_abbr" in gdf else [""] * n,
        }
    )
    for name in names:
        props[name] = cls[name].format(gdf[name])
    for key, col, _ in _DOLLAR_ROWS:
        if col in gdf.columns:
            props[key] = labels.format_values(col, gdf[col])
    if quality:
        props["q"] = np.round(pd.to_numeric(gdf["estimated_share"], errors="coerce")
                              .fillna(0.0).to_numpy(dtype=float), 3)
        props["est"] = labels.format_values("estimated_share", gdf["estimated_share"])
    titles = None
    if "top_hidden" in gdf.columns:
        props["top"], titles = _encode_top_cached(gdf["top_hidden"])
    codes = np.column_stack([cls[nm].classify(gdf[nm]) for nm in names]) if n else \
        np.empty((0, len(names)), dtype="int8")
    props["k"] = list(codes.astype(int))
    return props, titles


def _base_map(page: PageOptions) -> folium.Map:
    """An empty map with the basemap (unless offline)."""
    # fractional zoom lets fitBounds fill the window instead of snapping a whole level out
    m = folium.Map(tiles=None, height=page.height, control_scale=True, prefer_canvas=False,
                   zoom_snap=0.25)
    if page.tiles and not page.offline:
        with warnings.catch_warnings():  # xyzservices warns about CartoDB API keys on build
            warnings.simplefilter("ignore", UserWarning)
            folium.TileLayer(page.tiles, control=False).add_to(m)
    return m


def _add_metric_layers(m, shared, sample, names, cls, props) -> dict[str, str]:
    """One switchable layer (with tooltip) per metric; returns the legend HTML per layer."""
    extra_fields = [key for key, col, _ in _DOLLAR_ROWS if key in props]
    extra_alias = [alias for key, col, alias in _DOLLAR_ROWS if key in props]
    if "est" in props:
        extra_fields.append("est")
        extra_alias.append(labels.label("estimated_share"))
    if "top" in props:
        extra_fields.append("top")
        extra_alias.append("Top hidden occupations")
    legends = {}
    for i, name in enumerate(names):
        label = labels.short_label(name)
        group = folium.FeatureGroup(name=label, overlay=False, show=(i == 0))
        tooltip = folium.GeoJsonTooltip(
            fields=["name", "state", name, *extra_fields],
            aliases=["County", "State", labels.label(name), *extra_alias],
            sticky=True,
            style="font: 12px system-ui, sans-serif; min-width: 300px; max-width: 420px; "
            "white-space: normal;",
        )
        ClassedGeoJson(shared, sample, i, cls[name], name=name, tooltip=tooltip).add_to(group)
        group.add_to(m)
        legends[label] = legend_html(cls[name], labels.long_label(name))
    return legends


def _add_quality_overlay(m, shared, threshold: float) -> None:
    """Switchable hatched layer over counties whose jobs are mostly estimated."""
    # its own pane above the metric layers (which switch) and below the state lines
    folium.map.CustomPane("quality-hatch", z_index=445, pointer_events=False).add_to(m)
    name = f"Hatched: ≥ {threshold:.0%} of jobs from estimated OEWS cells"
    group = folium.FeatureGroup(name=name, overlay=True, show=False)
    HatchedOverlay(shared, threshold).add_to(group)
    group.add_to(m)


def _add_state_lines(m, feats: _Features, geometry, states) -> None:
    """State borders of the states shown."""
    if geometry is not None:
        outline_json = geometry.outline_json(feats.pos) if len(feats.ids) else None
    else:
        outlines = states if states is not None else _dissolve_states(feats.gdf)
        outline_json = _outline_json(np.asarray(outlines.geometry.values))
    if outline_json is not None:
        m.add_child(StateLines(outline_json, "state-lines"))


def _finish(m: folium.Map, page: PageOptions, feats: _Features) -> None:
    """Layer switcher, page assets and the opening view."""
    if page.layer_control:
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
    if page.assets == "leaflet_only":
        # a choropleth needs Leaflet only: jQuery, Bootstrap, Font Awesome and the marker
        # plugin are not loaded
        m.default_js = [(nm, u) for nm, u in m.default_js if nm == "leaflet"]
        m.default_css = [(nm, u) for nm, u in m.default_css if nm == "leaflet_css"]
    if len(feats.ids):
        minx, miny, maxx, maxy = _view_bounds(feats.bounds, feats.ids)
        m.fit_bounds([[miny, minx], [maxy, maxx]])


def _dissolve_states(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """State outlines from the web county layer (coverage union: borders match exactly)."""
    frame = gpd.GeoDataFrame({"state_fips": _state_codes(gdf)}, geometry=gdf.geometry.values,
                             crs=gdf.crs)
    return frame.dissolve("state_fips", method="coverage", as_index=False)


def _view_bounds(bounds: np.ndarray, ids: np.ndarray) -> tuple[float, float, float, float]:
    """Bounds to open on: the contiguous US when it is present (Alaska's Aleutians cross the
    antimeridian and would zoom the whole map out), else the data."""
    state = np.asarray(ids).astype(str).astype("U2")
    conus = ~np.isin(state, sorted(labels.NON_CONTIGUOUS_FIPS))
    b = np.asarray(bounds, dtype="float64")
    if conus.any() and (~conus).any() and conus.sum() > 60:
        b = b[conus]
    return (float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])),
            float(np.nanmax(b[:, 3])))


def map_html(m: folium.Map) -> str:
    """The full HTML page of a folium map, as a string."""
    return m.get_root().render()


__all__ = [
    "DEFAULT_LAYERS",
    "ESTIMATED_SHARE_HATCH",
    "EncodedGeometry",
    "PageOptions",
    "encode_geometry",
    "explore",
    "fit_classes",
    "map_html",
    "prepare_web_layer",
]
