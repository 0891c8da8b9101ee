"""The county map's payloads: shapes encoded once, and a compact paint per change."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import MultiPolygon, Polygon, box

from iceberg.maps.classes import MapClasses
from iceberg_app.views import countymap


def _decode(text: str, precision: int = 4) -> list[tuple[float, float]]:
    """Reference decoder of Google's encoded polylines (what the JS does)."""
    out, i, lat, lng = [], 0, 0, 0
    while i < len(text):
        vals = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[i]) - 63
                i += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            vals.append(~(result >> 1) if result & 1 else result >> 1)
        lat += vals[0]
        lng += vals[1]
        out.append((lat / 10**precision, lng / 10**precision))
    return out


def test_polyline_encoding_round_trips_and_matches_the_reference():
    coords = np.array([[-120.2, 38.5], [-120.95, 40.7], [-126.453, 43.252]])
    assert countymap.encode_polylines(coords, np.array([0, 3]), precision=5) == \
        ["_p~iF~ps|U_ulLnnqC_mqNvxq`@"]  # Google's documented example
    rng = np.random.default_rng(0)
    pts = np.round(rng.uniform([-180, -80], [180, 80], (50, 2)), 4)
    rings = countymap.encode_polylines(pts, np.array([0, 20, 50]))
    back = _decode(rings[0]) + _decode(rings[1])
    np.testing.assert_allclose(np.array(back)[:, ::-1], pts, atol=1e-9)


def _layer():
    counties = gpd.GeoDataFrame(
        {"geoid": ["01001", "01003", "02013"]},
        geometry=[box(-87, 32, -86, 33), box(-88, 30, -87, 31),
                  MultiPolygon([Polygon([(-165, 54), (-160, 54), (-160, 56)]),
                                Polygon([(172, 52), (174, 52), (174, 53)])])],
        crs="EPSG:4326")
    states = gpd.GeoDataFrame({"state_fips": ["01", "02"]},
                              geometry=[box(-88, 30, -86, 33), box(-166, 51, -159, 57)],
                              crs="EPSG:4326")
    return counties, states


def test_geometry_payload_holds_every_county_once_with_aleutians_west_of_180():
    counties, states = _layer()
    geo = countymap.build_geometry(counties, states, pd.Series({"01001": "Autauga, AL"}))
    p = geo.payload
    assert p["ids"] == ["01001", "01003", "02013"] and list(geo.ids) == p["ids"]
    assert p["names"][0] == "Autauga, AL" and p["names"][1] == "01003"  # missing name: GEOID
    assert len(p["shapes"]) == 3 and len(p["shapes"][2]) == 2  # Alaska: two polygons
    aleutian = _decode(p["shapes"][2][1][0])
    assert all(lng < -180 for _, lng in aleutian)  # drawn next to Alaska, not in Asia
    assert p["borders"] and geo.size == len(json.dumps(p, separators=(",", ":")))
    again = countymap.build_geometry(counties, states, pd.Series(dtype=str))
    assert again.key == geo.key  # same shapes, same key: a page keeps them


def test_paint_is_compact_and_carries_classes_colours_values_legend():
    ids = pd.Index([f"{i:05d}" for i in range(3222)])
    values = pd.Series(np.linspace(0.05, 0.30, 3222), index=ids).drop(ids[5])
    classes = MapClasses.fit(values, "iceberg_index")
    paint = countymap.paint_payload(ids, values, classes, "Iceberg index")
    assert len(paint["classes"]) == 3222 and paint["classes"][5] == "-"
    codes = np.array([ord(c) - 48 for c in paint["classes"] if c != "-"])
    assert codes.min() == 0 and codes.max() == classes.k - 1
    assert paint["colours"] == list(classes.colours)
    assert paint["values"].split("|")[0] == "5.0%" and paint["values"].split("|")[5] == "No data"
    assert [c for c, _ in paint["legend"]][-1] == "#cfcfcf"
    size = len(json.dumps(paint, separators=(",", ":")))
    assert size < 30_000  # a change sends tens of KB, never the shapes (~0.4 MB)


def test_difference_with_no_change_reads_no_change():
    from iceberg_app.views.data import difference_classes

    ids = pd.Index(["01001", "01003"])
    zero = pd.Series([0.0, 0.0], index=ids)
    classes = difference_classes(zero, "iceberg_index_diff")
    paint = countymap.paint_payload(ids, zero, classes, "Change in iceberg index")
    labels = [label for _, label in paint["legend"]]
    assert labels == ["No change", "No data"]
    assert "-0.000" not in json.dumps(paint)


def test_hatch_flags_counties_mostly_estimated():
    ids = pd.Index(["01001", "01003", "02013"])
    share = pd.Series([0.9, 0.1, np.nan], index=ids)
    h = countymap.hatch_payload(ids, share, 0.5, shown=True)
    assert h["flags"] == "100" and h["shown"]
    assert h["percent"].split("|") == ["90", "10", ""]  # the page builds the tooltip line
    assert h["template"].replace("{}", "90") == "Estimated jobs: 90%"
    many = pd.Index([f"{i:05d}" for i in range(3222)])
    big = countymap.hatch_payload(many, pd.Series(0.123, index=many), 0.5, shown=False)
    assert len(json.dumps(big)) < 16_000  # was ~75 KB in every paint
    assert countymap.hatch_payload(ids, None, 0.5, shown=True) is None


def test_read_only_install_serves_the_map_from_a_copy_in_the_cache(tmp_path, monkeypatch):
    """A system-wide (read-only) install cannot take the built files beside the component's
    sources: the component is then served from a folder in the user cache, Leaflet included."""
    package = tmp_path / "site" / "countymap"
    package.mkdir(parents=True)
    for name in ("countymap.js", "countymap.css"):
        (package / name).write_text(f"/* {name} */", encoding="utf-8")
    real_build = countymap.build_assets

    def build(folder=package, source=None):
        if folder == package:
            raise PermissionError(13, "Permission denied", str(folder / countymap.BUNDLE_JS))
        real_build(folder, source)

    monkeypatch.setattr(countymap, "ASSET_DIR", package)
    monkeypatch.setattr(countymap, "build_assets", build)
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path / "cache"))
    served = countymap.served_asset_dir()
    assert served == tmp_path / "cache" / "app-assets" / "countymap"
    assert sorted(p.name for p in served.iterdir()) == ["leaflet-countymap.css", "leaflet-countymap.js"]
    js = (served / countymap.BUNDLE_JS).read_text(encoding="utf-8")
    assert js.index("Leaflet 1.") < js.index("const L = ") < js.index("/* countymap.js */")
    assert "sourceMappingURL" not in js  # the map file is not served
    css = (served / countymap.BUNDLE_CSS).read_text(encoding="utf-8")
    assert ".leaflet-container" in css and css.endswith("/* countymap.css */")
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in served.iterdir())  # readable by others


def test_built_assets_follow_their_sources(tmp_path):
    """A changed source rebuilds the bundle; an unchanged one leaves the file untouched."""
    (tmp_path / "countymap.js").write_text("/* v1 */", encoding="utf-8")
    (tmp_path / "countymap.css").write_text("/* css */", encoding="utf-8")
    countymap.build_assets(tmp_path, source=tmp_path)
    built = tmp_path / countymap.BUNDLE_JS
    first = built.stat().st_mtime_ns
    countymap.build_assets(tmp_path, source=tmp_path)
    assert built.stat().st_mtime_ns == first
    (tmp_path / "countymap.js").write_text("/* v2 */", encoding="utf-8")
    countymap.build_assets(tmp_path, source=tmp_path)
    assert built.read_text(encoding="utf-8").endswith("/* v2 */")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no leftovers
