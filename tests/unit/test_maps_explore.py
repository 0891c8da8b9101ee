"""Interactive map: rendered folium HTML holds the features, class colours, tooltip fields,
legend and caveat; the self-contained export has no external scripts or stylesheets."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from iceberg import labels
from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.explore import (
    encode_geometry,
    encode_top,
    explore,
    fit_classes,
    map_html,
    prepare_web_layer,
)
from iceberg.maps.offline import external_references, leaflet_assets, to_html


def tiny_counties() -> gpd.GeoDataFrame:
    """Six 1°x1° counties in two states (TN 47, KY 21), edge-matched; one missing value."""
    geoid = ["47001", "47003", "47005", "21001", "21003", "21005"]
    boxes = [shapely.box(-90 + i % 3, 35 + i // 3, -89 + i % 3, 36 + i // 3) for i in range(6)]
    surface = np.array([0.02, 0.04, 0.06, 0.08, 0.10, 0.12])
    hidden = np.array([0.10, 0.20, 0.30, 0.40, 0.50, np.nan])
    wage = np.array([1e9, 2e9, 3e9, 4e9, 5e9, 6e9])
    return gpd.GeoDataFrame(
        {
            "geoid": geoid,
            "name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
            "state_fips": [g[:2] for g in geoid],
            "state_abbr": ["TN"] * 3 + ["KY"] * 3,
            "surface_index": surface,
            "hidden_index": hidden,
            "iceberg_index": surface + np.nan_to_num(hidden),
            "exposed_wages": wage * (surface + np.nan_to_num(hidden)),
            "surface_wages": wage * surface,
            "hidden_wages": wage * np.nan_to_num(hidden),
            "top_hidden": ["Registered Nurses (12.5%); Cashiers (8%)"] * 5 + [None],
        },
        geometry=boxes,
        crs="EPSG:4269",
    )


def _shared_data(page: str) -> dict:
    match = re.search(r"var iceberg_counties_\w+ = (\{.*?\});\n", page, re.DOTALL)
    assert match, "shared county data not found"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def page_and_map():
    m = explore(tiny_counties(), "hidden_index", scheme="Quantiles", k=2,
                title="Hidden exposure", subtitle="Baseline")
    return map_html(m), m


def test_features_properties_and_class_codes(page_and_map):
    page, _ = page_and_map
    data = _shared_data(page)
    feats = data["features"]
    assert [f["id"] for f in feats] == ["47001", "47003", "47005", "21001", "21003", "21005"]
    props = feats[0]["properties"]
    # only the needed properties are sent
    assert set(props) == {"name", "state", "hidden_index", "iceberg_index", "surface_index",
                          "exposed", "visible", "hidden", "top", "k"}
    assert props["hidden_index"] == "10.0%" and props["visible"] == "$20.0M"
    # hidden: quantile classes on [.1,.2,.3,.4,.5] (median .3): codes 0,0,0,1,1 and -1 missing
    assert [f["properties"]["k"][0] for f in feats] == [0, 0, 0, 1, 1, -1]
    assert feats[5]["properties"]["hidden_index"] == "No data"
    # top occupations: dictionary-encoded, decoded in the page
    assert feats[0]["properties"]["top"] == [[0, "12.5%"], [1, "8%"]]
    assert '["Registered Nurses", "Cashiers"]' in page


def test_layers_classes_legend_and_caveat(page_and_map):
    page, m = page_and_map
    cls = m.iceberg_classes
    assert list(cls) == ["hidden_index", "iceberg_index", "surface_index"]
    for c in cls["hidden_index"].colours:
        assert c in page
    assert style.MISSING_COLOUR in page
    # three metric layers as radio (base) layers in the layer control, hidden first
    overlay_block = re.search(r"base_layers : \{(.*?)\}", page, re.DOTALL).group(1)
    assert overlay_block.index('"Hidden"') < overlay_block.index('"Total (iceberg)"')
    assert '"Visible (surface)"' in overlay_block
    assert page.count("L.geoJson(null") == 3
    legends = json.loads(re.search(r"var legends = (\{.*?\});", page).group(1))
    assert set(legends) == {"Hidden", "Total (iceberg)", "Visible (surface)"}
    hidden = legends["Hidden"]
    assert "No data" in hidden and "≤ 30.0%" in hidden and "&gt; 30.0%" in hidden
    assert style.MISSING_COLOUR in hidden
    assert labels.CAVEAT in page and "Hidden exposure" in page and "Baseline" in page
    assert "state-lines" in page  # state outlines in their own pane


def test_tooltip_fields(page_and_map):
    page, _ = page_and_map
    for field in ('"name"', '"state"', '"hidden_index"', '"exposed"', '"visible"', '"hidden"',
                  '"top"'):
        assert field in page
    for alias in ("County", "State", "Exposed wages", "Visible (tech occupations)",
                  "Top hidden occupations"):
        assert alias in page
    assert page.count(".bindTooltip(") == 3


def test_baseline_classes_are_reused():
    base = tiny_counties()
    classes = fit_classes(base, ["hidden_index"], scheme="Quantiles", k=2)
    scen = base.assign(hidden_index=base["hidden_index"] * 2)
    page = map_html(explore(scen, "hidden_index", classes=classes, layers=()))
    codes = [f["properties"]["k"][0] for f in _shared_data(page)["features"]]
    # doubled values (.2,.4,.6,.8,1.0) against the baseline break .3
    assert codes == [0, 1, 1, 1, 1, -1]


def test_state_filter_and_errors():
    page = map_html(explore(tiny_counties(), "hidden_index", state="KY", layers=()))
    assert [f["id"] for f in _shared_data(page)["features"]] == ["21001", "21003", "21005"]
    with pytest.raises(IcebergDataError, match="no county"):
        explore(tiny_counties(), "hidden_index", state="TX")
    with pytest.raises(IcebergDataError, match="metric"):
        explore(tiny_counties(), "no_such_metric")


def test_prepared_web_layer_is_not_simplified_twice(monkeypatch):
    web = prepare_web_layer(tiny_counties())
    assert web.attrs["web_layer"] and web.crs.equals("EPSG:4326")
    import geodata.boundaries as gb

    def _boom(*a, **k):
        raise AssertionError("web_layer called again")

    monkeypatch.setattr(gb, "web_layer", _boom)
    explore(web, "hidden_index")  # detected from attrs


def test_encode_top_round_trip():
    import pandas as pd

    text = pd.Series(["A (1%); B, x (2.5%)", None, "C (x) (3%)", "D"])
    codes, titles = encode_top(text)
    decoded = ["; ".join(f"{titles[i]} ({s})" if s else titles[i] for i, s in row)
               for row in codes]
    assert decoded == ["A (1%); B, x (2.5%)", "", "C (x) (3%)", "D"]


def test_self_contained_html_has_no_external_assets(tmp_path):
    m = explore(tiny_counties(), "hidden_index", tiles="CartoDB positron")
    normal = map_html(m)
    assert external_references(normal)  # folium links CDNs by default
    path = to_html(m, tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert external_references(page) == []
    assert not re.search(r'<script[^>]+src="https?:', page)
    assert not re.search(r'<link[^>]+href="https?:', page)
    version, js, _css = leaflet_assets()
    assert version.startswith("1.9")
    assert js[:200] in page and ".leaflet-container" in page
    assert "url(images/" not in page  # CSS images inlined as data URIs
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    assert "cartocdn" not in page  # no basemap offline
    assert "L.geoJson(null" in page
    # the map object is unchanged: a normal render still has its basemap
    assert "cartocdn" in map_html(m)
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temp file


def test_cdn_html_keeps_links(tmp_path):
    m = explore(tiny_counties(), "hidden_index")
    page = to_html(m, tmp_path / "cdn.html", self_contained=False).read_text()
    assert any("leaflet" in u for u in external_references(page))


# --------------------------------------------------------------------------------------------
# options and the encoded geometry


def _normalised(m) -> str:
    """The page with folium's random element ids replaced (they differ between maps)."""
    return re.sub(r"_[0-9a-f]{32}", "_X", map_html(m))


def test_layer_control_assets_and_title_box_options():
    full = map_html(explore(tiny_counties(), "hidden_index", scheme="Quantiles", k=2))
    assert "L.control.layers(" in full and "iceberg-title" in full
    assert "jquery" in full.lower() and "bootstrap" in full.lower()
    bare = map_html(explore(tiny_counties(), "hidden_index", scheme="Quantiles", k=2,
                            layer_control=False, assets="leaflet_only", title_box=False))
    assert "L.control.layers(" not in bare
    assert "iceberg-title" not in bare and labels.CAVEAT not in bare
    assert "iceberg-legend" in bare  # the legend stays
    assert 'L.control({position: "bottomright"})' in full
    left = map_html(explore(tiny_counties(), "hidden_index", legend_position="bottomleft"))
    assert 'L.control({position: "bottomleft"})' in left
    with pytest.raises(IcebergDataError, match="legend position"):
        explore(tiny_counties(), "hidden_index", legend_position="middle")
    scripts = re.findall(r'<script src="([^"]+)"', bare)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', bare)
    assert scripts and all("leaflet" in u for u in scripts)
    assert sheets and all("leaflet" in u for u in sheets)
    assert "jquery" not in bare.lower() and "bootstrap" not in bare.lower()
    with pytest.raises(IcebergDataError, match="assets"):
        explore(tiny_counties(), "hidden_index", assets="everything")


@pytest.mark.parametrize("state", [None, "KY"])
def test_encoded_geometry_gives_the_same_page(state):
    gdf = tiny_counties()
    kw = {"scheme": "Quantiles", "k": 2, "title": "T", "subtitle": "S", "state": state}
    plain = _normalised(explore(gdf, "hidden_index", **kw))
    enc = encode_geometry(gdf)
    # values only (no geometry column): the page is the same
    values = pd.DataFrame(gdf.drop(columns="geometry"))
    assert _normalised(explore(values, "hidden_index", geometry=enc, **kw)) == plain
    # with explicit state polygons: the map draws the borders of the states it shows
    web = prepare_web_layer(gdf)
    states = web.dissolve("state_fips", as_index=False)[["state_fips", "geometry"]]
    shown = states if state is None else states[states["state_fips"] == "21"]
    with_states = _normalised(explore(web, "hidden_index", states=shown, **kw))
    enc_states = encode_geometry(web, states=states)
    assert _normalised(explore(values, "hidden_index", geometry=enc_states, **kw)) == with_states


def test_encoded_geometry_subset_order_and_errors():
    gdf = tiny_counties()
    enc = encode_geometry(gdf)
    assert len(enc) == 6 and enc.key == encode_geometry(tiny_counties()).key
    moved = gdf.assign(geometry=gdf.geometry.translate(0.5, 0))
    assert encode_geometry(moved).key != enc.key  # the key follows the geometry
    values = pd.DataFrame(gdf.drop(columns="geometry")).iloc[[4, 0, 2]]
    page = map_html(explore(values, "hidden_index", geometry=enc, scheme="Quantiles", k=2))
    feats = _shared_data(page)["features"]
    assert [f["id"] for f in feats] == ["21003", "47001", "47005"]
    # each feature keeps its own polygon (county i is the box at column i % 3, row i // 3)
    west = [min(x for x, _ in f["geometry"]["coordinates"][0]) for f in feats]
    assert west == pytest.approx([-89.0, -90.0, -88.0], abs=0.01)
    stranger = values.assign(geoid=["21003", "47001", "99999"])
    with pytest.raises(IcebergDataError, match="encoded geometry") as err:
        explore(stranger, "hidden_index", geometry=enc)
    assert "99999" in str(err.value)


def test_top_occupations_encoding_is_remembered(monkeypatch):
    import iceberg.maps.explore as ex

    calls = []
    real = ex.encode_top

    def counting(top):
        calls.append(1)
        return real(top)

    monkeypatch.setattr(ex, "encode_top", counting)
    monkeypatch.setattr(ex, "_TOP_MEMO", type(ex._TOP_MEMO)())
    gdf = tiny_counties()
    enc = encode_geometry(gdf)
    first = map_html(explore(gdf, "hidden_index", geometry=enc))
    scen = gdf.assign(hidden_index=gdf["hidden_index"] * 2)  # same top-occupation text
    explore(scen, "hidden_index", geometry=enc)
    assert len(calls) == 1
    changed = gdf.assign(top_hidden=["Cashiers (9%)"] * 6)
    page = map_html(explore(changed, "hidden_index", geometry=enc))
    assert len(calls) == 2
    assert _shared_data(page)["features"][0]["properties"]["top"] == [[0, "9%"]]
    assert _shared_data(first)["features"][0]["properties"]["top"] == [[0, "12.5%"], [1, "8%"]]


def test_quality_overlay_hatches_mostly_estimated_counties(tmp_path):
    gdf = tiny_counties().assign(estimated_share=[0.0, 0.1, 0.7, 0.9, 0.2, 0.5])
    m = explore(gdf, "hidden_index", quality_overlay=True, offline=True)
    page = m.get_root().render()
    assert 'id="iceberg-hatch"' in page and 'fillColor: "url(#iceberg-hatch)"' in page
    assert "f.properties.q >= 0.5" in page
    assert "overlays :  {\n" in page and "50% of jobs from estimated OEWS cells" in page
    # absent column (before the estimation lands): no overlay, no error
    plain = explore(tiny_counties(), "hidden_index", quality_overlay=True).get_root().render()
    assert "iceberg-hatch" not in plain


def test_html_export_embeds_provenance_and_writes_sidecar(tmp_path):
    import os
    import stat

    from iceberg.provenance import read_embedded, read_sidecar

    m = explore(tiny_counties(), "hidden_index", offline=True)
    old = os.umask(0o022)
    try:
        path = to_html(m, tmp_path / "map.html", provenance={"run": {"wage_basis": "mean"}})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert path.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert read_embedded(path)["provenance"] == {"run": {"wage_basis": "mean"}}
    assert read_sidecar(path)["layers"][0] == "hidden_index"


def test_explore_rejects_unknown_page_option():
    with pytest.raises(TypeError, match="unexpected option"):
        explore(tiny_counties(), "hidden_index", no_such_option=True)
