"""The sandbox's county map: a Streamlit components v2 element drawing with Leaflet.

The county and state shapes travel to the browser once per page (:func:`geometry_payload`,
encoded polylines, ~0.5 MB) with the session's first map and stay in the page (a page that
lacks them asks again through the ``need_geom`` trigger); from then on each rerun sends only a
*paint* (:func:`paint_payload`): one class character per county, the class colours, the tooltip
values and the legend — tens of KB, nothing else. Leaflet's JS/CSS are those of the installed
``xstatic-leaflet`` package, bundled with the component's own into one JS and one CSS file
(:func:`build_assets`) in its ``asset_dir`` (``iceberg_app/assets/countymap``, or a folder in
the user cache when the installed package folder is read-only), fetched once by the browser;
no CDN.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
import streamlit as st

log = logging.getLogger("iceberg.app")

#: The component's sources as shipped in the package (``countymap.js``, ``countymap.css``).
ASSET_DIR = Path(__file__).resolve().parents[1] / "assets" / "countymap"
PROJECT = "iceberg-index"
NAME = f"{PROJECT}.countymap"
#: Height of the main map in pixels (the insets and the legend sit below it).
MAP_HEIGHT = 560
#: What the browser loads: Leaflet and the component in one file each (one request, not a chain
#: of three: the component, then its Leaflet import, then the stylesheets), built beside the
#: sources by :func:`build_assets`; never shipped (``leaflet*`` is excluded from the wheel).
BUNDLE_JS, BUNDLE_CSS = "leaflet-countymap.js", "leaflet-countymap.css"
#: Alaska's Aleutians cross the antimeridian: east longitudes are drawn west of -180.
_ALASKA = "02"


# ---------------------------------------------------------------------------- assets


def bundle_texts(source: Path = ASSET_DIR) -> dict[str, str]:
    """The two files the browser loads, by name: Leaflet from the installed ``xstatic-leaflet``
    (its minified UMD build, kept out of the page's globals by a local ``module``) followed by
    the component's ``countymap.js``; Leaflet's stylesheet followed by ``countymap.css``."""
    import xstatic.pkg.leaflet as xleaflet

    leaflet = Path(xleaflet.BASE_DIR)
    leaflet_js = re.sub(r"//# sourceMappingURL=\S*\s*$", "",
                        (leaflet / "leaflet.js").read_text(encoding="utf-8"))
    head = (f"// Built by iceberg_app.views.countymap.build_assets: Leaflet {xleaflet.VERSION} "
            "(xstatic-leaflet), then countymap.js.\n")
    js = (head + "const L = (function () {\n  const module = { exports: {} };\n"
          "  const exports = module.exports;\n" + leaflet_js + "\n  return module.exports;\n})();\n"
          + (source / "countymap.js").read_text(encoding="utf-8"))
    css = ((leaflet / "leaflet.css").read_text(encoding="utf-8") + "\n"
           + (source / "countymap.css").read_text(encoding="utf-8"))
    return {BUNDLE_JS: js, BUNDLE_CSS: css}


def build_assets(folder: Path = ASSET_DIR, source: Path | None = None) -> None:
    """Write :func:`bundle_texts` into ``folder`` (atomically, readable by all); a file whose
    content is already right is left alone, so a new Leaflet or a changed source rebuilds."""
    from iceberg import atomic_write_bytes

    for name, text in bundle_texts(source or ASSET_DIR).items():
        data, dst = text.encode("utf-8"), folder / name
        if not (dst.is_file() and dst.read_bytes() == data):
            atomic_write_bytes(dst, data)


def served_asset_dir() -> Path:
    """The folder the browser fetches the component's files from (:data:`BUNDLE_JS`,
    :data:`BUNDLE_CSS`).

    The package's own folder when it can take them (a checkout, a virtualenv); otherwise (a
    read-only system install) ``<cache>/app-assets/countymap``, built the same way.
    """
    try:
        build_assets(ASSET_DIR)
        return ASSET_DIR
    except OSError as err:
        from iceberg import settings

        target = settings.cache_dir() / "app-assets" / "countymap"
        log.info("map assets: %s is not writable (%s); serving a copy from %s", ASSET_DIR, err, target)
        target.mkdir(parents=True, exist_ok=True)
        build_assets(target, source=ASSET_DIR)
        return target


def _register_asset_dir(folder: Path) -> None:
    """Make sure the component's ``asset_dir`` is known to the running Streamlit.

    Streamlit reads ``[tool.streamlit.component]`` from ``pyproject.toml``, which only a
    checkout has; a wheel install (or a copy in the cache) is registered here with the same
    declaration.
    """
    from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
    from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

    manager = get_bidi_component_manager()
    if manager.get_component_asset_root(NAME) is not None:
        return
    manifest = ComponentManifest(name=PROJECT, version="0",
                                 components=[ComponentConfig(name="countymap", asset_dir=folder.name)])
    manager.register_from_manifest(manifest, folder.parent)


def component(folder: Path | None = None) -> Callable:
    """The mount function of the component (registered once per server runtime), its files
    served from ``folder`` (default :func:`served_asset_dir`)."""
    _register_asset_dir(folder or served_asset_dir())
    return st.components.v2.component(NAME, js=BUNDLE_JS, css=BUNDLE_CSS,
                                      isolate_styles=False)


# ---------------------------------------------------------------------------- geometry


def encode_polylines(coords: np.ndarray, offsets: np.ndarray, precision: int = 4) -> list[str]:
    """Google encoded-polyline strings of many rings at once (vectorised).

    Parameters
    ----------
    coords : (N, 2) array of (x, y) = (lon, lat)
        All rings' points, ring after ring.
    offsets : (R + 1,) int array
        Ring ``r`` is ``coords[offsets[r]:offsets[r + 1]]``.
    precision : int
        Decimal digits kept (4 ≈ 11 m).

    Returns
    -------
    list of str
        One string per ring, points as (lat, lng) pairs, each ring's first point absolute.
    """
    q = np.round(np.asarray(coords, dtype="float64")[:, ::-1] * 10**precision).astype(np.int64)
    delta = np.diff(q, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    starts = np.asarray(offsets[:-1])
    delta[starts] = q[starts]  # every ring starts from zero
    v = delta.reshape(-1)
    z = np.where(v < 0, ~(v << 1), v << 1).astype(np.uint64)
    chunks = np.stack([(z >> np.uint64(5 * j)) & np.uint64(31) for j in range(7)], axis=1)
    more = np.stack([(z >> np.uint64(5 * (j + 1))) > 0 for j in range(7)], axis=1)
    used = np.concatenate([np.ones((len(z), 1), bool), more[:, :-1]], axis=1)
    chars = (chunks + np.where(more, 32, 0).astype(np.uint64) + np.uint64(63)).astype(np.uint8)
    flat = chars[used].tobytes().decode("ascii")
    per_value = used.sum(axis=1)
    per_point = per_value.reshape(-1, 2).sum(axis=1)
    ends = np.concatenate([[0], np.cumsum(per_point)])
    bounds = ends[np.asarray(offsets)]
    return [flat[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]


def _shapes(geoms: np.ndarray, state: np.ndarray) -> list[list[list[str]]]:
    """Per county: its polygons, each a list of encoded rings (exterior first)."""
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    county_of_point = part_of[ring_of[ring_idx]]
    ak = (state[county_of_point] == _ALASKA) & (coords[:, 0] > 0)
    coords[ak, 0] -= 360.0
    offsets = np.concatenate([[0], np.cumsum(np.bincount(ring_idx, minlength=len(rings)))])
    encoded = encode_polylines(coords, offsets)
    out: list[list[list[str]]] = [[] for _ in range(len(geoms))]
    part_rings: list[list[str]] = [[] for _ in range(len(parts))]
    for r, p in enumerate(ring_of.tolist()):
        part_rings[p].append(encoded[r])
    for p, c in enumerate(part_of.tolist()):
        out[c].append(part_rings[p])
    return out


def _borders(states_geo) -> list[str]:
    """State borders, each shared border once, as encoded lines."""
    lines = shapely.line_merge(shapely.union_all(shapely.boundary(
        np.asarray(states_geo.geometry.values))))
    parts = shapely.get_parts(lines)
    coords, idx = shapely.get_coordinates(parts, return_index=True)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(idx, minlength=len(parts)))])
    return encode_polylines(coords, offsets)


@dataclass(frozen=True)
class Geometry:
    """The shapes sent once per page, and the county order every paint follows."""

    key: str
    ids: pd.Index  # GEOIDs in drawing order
    payload: dict

    @property
    def size(self) -> int:
        """Bytes of the payload as JSON (what one page receives once)."""
        import json

        return len(json.dumps(self.payload, separators=(",", ":")))


def build_geometry(web_counties, web_states, names: pd.Series) -> Geometry:
    """Encode the web layer (EPSG:4326) once: ids, names, county polygons, state borders.

    ``names`` maps GEOID → ``"County, ST"`` (the tooltip heading).
    """
    ids = web_counties["geoid"].astype(str).to_numpy()
    geoms = np.asarray(web_counties.geometry.values)
    state = np.asarray([g[:2] for g in ids])
    shapes = _shapes(geoms, state)
    borders = _borders(web_states)
    digest = hashlib.blake2b(digest_size=10)
    digest.update("\0".join(ids).encode())
    digest.update(b"".join(shapely.to_wkb(geoms).tolist()))
    key = digest.hexdigest()
    label = pd.Series(names).reindex(ids).fillna(pd.Series(ids, index=ids)).astype(str)
    payload = {"key": key, "ids": ids.tolist(), "names": label.tolist(), "shapes": shapes,
               "borders": borders}
    return Geometry(key=key, ids=pd.Index(ids), payload=payload)


# ---------------------------------------------------------------------------- paints


def class_string(codes: np.ndarray) -> str:
    """One character per county: ``"0"``… for the class, ``"-"`` for no data / not drawn."""
    codes = np.asarray(codes, dtype=np.int16)
    chars = np.where(codes < 0, ord("-"), codes + ord("0")).astype(np.uint8)
    return chars.tobytes().decode("ascii")


def paint_payload(ids: pd.Index, values: pd.Series, classes, title: str,
                  extra: pd.Series | None = None) -> dict:
    """What one repaint needs: class characters, colours, tooltip texts, the legend.

    Parameters
    ----------
    ids : Index
        GEOIDs in the geometry's order.
    values : Series
        The mapped values by GEOID (missing → no data).
    classes : MapClasses
        Classes (breaks, colours, labels, formats).
    title : str
        The legend's heading (the metric's label, with its unit).
    extra : Series, optional
        A second tooltip line per GEOID (e.g. the baseline value in a difference view).
    """
    v = pd.to_numeric(values, errors="coerce").reindex(ids).to_numpy(dtype=float)
    out = {"classes": class_string(classes.classify(v)), "colours": list(classes.colours),
           "values": "|".join(classes.format(v).tolist()), "label": title.split(" (")[0],
           "title": title, "legend": [list(x) for x in classes.legend_items()]}
    if classes.scheme == "NoChange":  # a difference where nothing moved
        out["values"] = "|".join(np.where(np.isfinite(v), "no change", "No data").tolist())
        out["legend"] = [[classes.colours[0], "No change"], list(classes.legend_items()[-1])]
    if extra is not None:
        out["extra"] = "|".join(pd.Series(extra).reindex(ids).fillna("").astype(str).tolist())
    return out


def hatch_payload(ids: pd.Index, share: pd.Series | None, threshold: float, shown: bool) -> dict | None:
    """Counties whose share of estimated (unpublished) jobs is above ``threshold`` (hatched)."""
    if share is None:
        return None
    s = pd.to_numeric(share, errors="coerce").reindex(ids)
    flags = np.where(s.to_numpy(dtype=float) > threshold, ord("1"), ord("0")).astype(np.uint8)
    # whole percentages, the tooltip line built in the page from one template: the same line
    # spelled out 3,222 times was 70 KB of every paint
    percent = np.where(s.notna(), (s * 100).round(0).astype("Int64").astype(str), "")
    return {"flags": flags.tobytes().decode("ascii"), "shown": bool(shown),
            "label": f"over {threshold:.0%} of jobs estimated",
            "percent": "|".join(percent.tolist()), "template": "Estimated jobs: {}%"}


def show(geometry: Geometry, paint: dict, *, key: str, focus: str | None = None,
         hatch: dict | None = None, on_click: Callable[[str], None] | None = None,
         height: int = MAP_HEIGHT, on_drawn: Callable[[], None] | None = None) -> None:
    """Mount (or update) the map. The shapes ride along with the session's first map only.
    With ``on_drawn`` the page fires the ``drawn`` trigger once it has drawn the map: a rerun
    that calls ``on_drawn`` first."""
    from iceberg_app.views import timing

    ss = st.session_state
    mount = _mount()
    timing.mark("map component registered")
    # the shapes go with this session's first map; the page keeps them in the component's
    # module (no acknowledgement: a state change would cost every new session a second run).
    # A map that finds them missing (say the second of two drawn at once) fires ``need_geom``
    # and gets them with its next paint.
    needing = ss.setdefault("countymap.need_geom", set())
    send = ss.get("countymap.geom_sent") != geometry.key or key in needing
    data = {"key": key, "geom_key": geometry.key, "geom": geometry.payload if send else None,
            "paint": paint, "focus": focus, "hatch": hatch, "height": height,
            "notify_drawn": on_drawn is not None}
    ss["countymap.geom_sent"] = geometry.key
    needing.discard(key)

    def need_cb() -> None:
        ss.setdefault("countymap.need_geom", set()).add(key)

    result = mount(key=key, data=data, height="content", on_click_change=_noop,
                   on_need_geom_change=need_cb, on_drawn_change=on_drawn or _noop)
    geoid = str(getattr(result, "click", None) or "")  # a trigger: set in this rerun only
    if on_click is not None and len(geoid) == 5 and geoid.isdigit():
        on_click(geoid)


def _noop() -> None:
    """Trigger callbacks must exist for the value to be kept; the value is read on return."""


_MOUNT: list[Callable] = []
_SERVED: list[Path] = []


def _mount() -> Callable:
    if not _MOUNT:
        _SERVED.append(served_asset_dir())
        _MOUNT.append(component(_SERVED[0]))
    _register_asset_dir(_SERVED[0])  # a new runtime (tests) starts without it
    return _MOUNT[0]
