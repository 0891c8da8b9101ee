"""Benchmark: county web map (HTML size, Python render time) and the 300 dpi national PNG.

Bars (DESIGN.md §8): web map HTML <= 2.5 MB and Python render <= 1 s for all counties;
static US county map, 300 dpi PNG with insets <= 5 s. Baselines measured in the same run:
a plain folium choropleth of the unsimplified geometry (GeoJson + Python style_function +
GeoJsonTooltip) and a plain geopandas/matplotlib plot with no insets.

Uses the real 2023 Census county boundaries with synthetic metric values (the boundary file
is read from ``$ICEBERG_TEST_RAW_DIR`` or ``../shared/data/raw``). Run:
``python benchmarks/bench_maps.py``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HTML_BAR_MB, RENDER_BAR_S, PNG_BAR_S = 2.5, 1.0, 5.0

# Realistic occupation titles so the tooltip payload has real-world length.
_TITLES = np.array([
    "Registered Nurses", "General and Operations Managers", "Customer Service Representatives",
    "Secretaries and Administrative Assistants, Except Legal, Medical, and Executive",
    "Bookkeeping, Accounting, and Auditing Clerks", "Office Clerks, General", "Accountants and Auditors",
    "Sales Representatives, Wholesale and Manufacturing, Except Technical and Scientific Products",
    "Elementary School Teachers, Except Special Education", "Financial Managers", "Lawyers",
    "Insurance Claims and Policy Processing Clerks", "Medical Secretaries and Administrative Assistants",
    "First-Line Supervisors of Office and Administrative Support Workers", "Market Research Analysts",
])


def _raw_dir() -> Path:
    env = os.environ.get("ICEBERG_TEST_RAW_DIR")
    return Path(env) if env else ROOT.parent / "shared" / "data" / "raw"


def synthetic_counties() -> gpd.GeoDataFrame:
    """Real county shapes, synthetic but plausible metric values (fixed seed)."""
    path = _raw_dir() / "census_cartographic_boundaries" / "cb_2023_us_county_20m"
    g = gpd.read_file(path).rename(columns={"GEOID": "geoid", "STATEFP": "state_fips",
                                            "STUSPS": "state_abbr", "NAME": "name"})
    g = g[["geoid", "state_fips", "state_abbr", "name", "geometry"]]
    rng = np.random.default_rng(7)
    n = len(g)
    wage_bill = rng.lognormal(20, 1.4, n)
    surface = rng.beta(2, 40, n)
    hidden = rng.beta(6, 20, n)
    top = rng.integers(0, len(_TITLES), (n, 3))
    share = np.sort(rng.uniform(2, 15, (n, 3)).round(1), axis=1)[:, ::-1]
    text = [_TITLES[top[:, j]].astype(object) + " (" + share[:, j].astype(str) + "%)"
            for j in range(3)]
    return g.assign(
        surface_index=surface, hidden_index=hidden, iceberg_index=surface + hidden,
        surface_wages=wage_bill * surface, hidden_wages=wage_bill * hidden,
        exposed_wages=wage_bill * (surface + hidden), hidden_multiple=(surface + hidden) / surface,
        top_hidden=text[0] + "; " + text[1] + "; " + text[2],
    )


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> int:
    import folium
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from iceberg.maps.explore import explore, fit_classes, prepare_web_layer
    from iceberg.maps.offline import render_html
    from iceberg.maps.static import plot

    counties = synthetic_counties()
    print(f"counties: {len(counties):,}")

    t_web, web = _best(lambda: prepare_web_layer(counties), 1)
    classes = fit_classes(counties)
    explore(web, "hidden_index", classes=classes)  # warm imports

    t_app, page = _best(lambda: render_html(
        explore(web, "hidden_index", classes=classes, offline=True)))
    t_fit, _ = _best(lambda: render_html(explore(web, "hidden_index", offline=True)))
    t_raw, _ = _best(lambda: render_html(explore(counties, "hidden_index", offline=True)), 1)
    size_mb = len(page.encode("utf-8")) / 1e6

    # baseline: the textbook folium choropleth on the unsimplified geometry, one layer
    def _folium_plain():
        m = folium.Map(tiles=None)
        colours = classes["hidden_index"].colours_for(counties["hidden_index"])
        gdf = counties.assign(_c=colours).to_crs("EPSG:4326")
        folium.GeoJson(gdf, style_function=lambda f: {"fillColor": f["properties"]["_c"],
                                                      "weight": 0.4, "fillOpacity": 0.85},
                       tooltip=folium.GeoJsonTooltip(["name", "state_abbr", "hidden_index",
                                                      "top_hidden"])).add_to(m)
        return m.get_root().render()

    t_base, base_page = _best(_folium_plain, 1)
    base_mb = len(base_page.encode("utf-8")) / 1e6

    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "us.png"
        plot(counties, "hidden_index", png, classes=classes["hidden_index"], dpi=60)  # warm
        t_png, _ = _best(lambda: plot(counties, "hidden_index", png,
                                      classes=classes["hidden_index"], dpi=300), 2)
        png_mb = png.stat().st_size / 1e6

        def _plain_png():
            fig = Figure(figsize=(11, 7.4), dpi=300)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            counties.plot(ax=ax, color=classes["hidden_index"].colours_for(counties["hidden_index"]))
            fig.savefig(Path(tmp) / "plain.png", dpi=300)

        t_plain, _ = _best(_plain_png, 1)

    print(f"web_layer (simplify once, cached by the bundle) : {t_web:6.3f} s")
    print(f"web map, 3 layers, baseline classes given       : {t_app:6.3f} s "
          f"(bar {RENDER_BAR_S} s)  HTML {size_mb:.2f} MB self-contained (bar {HTML_BAR_MB} MB)")
    print(f"web map, classes fitted in the call             : {t_fit:6.3f} s")
    print(f"web map from full-detail layer (incl. simplify) : {t_raw:6.3f} s")
    print(f"baseline: plain folium, 1 layer, unsimplified   : {t_base:6.3f} s  HTML {base_mb:.2f} MB "
          f"(+CDN assets)  -> ours {t_app / t_base:.2f}x time, {size_mb / base_mb:.2f}x size")
    print(f"static 300 dpi national PNG with insets         : {t_png:6.3f} s (bar {PNG_BAR_S} s) "
          f" {png_mb:.2f} MB")
    print(f"baseline: plain geopandas plot, no insets       : {t_plain:6.3f} s  "
          f"-> ours {t_png / t_plain:.2f}x")
    ok = size_mb <= HTML_BAR_MB and t_app <= RENDER_BAR_S and t_png <= PNG_BAR_S
    print("bars:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
