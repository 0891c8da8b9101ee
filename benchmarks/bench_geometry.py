"""Benchmark: county geometry for web maps (read, simplify, GeoJSON/HTML size).

Prints, for the 2023 20m county file, the time to read and to build the web layer, the GeoJSON
size, and a folium map HTML size with a handful of properties; the baseline, measured in the same
run, is plain ``to_json`` of the unsimplified, unrounded layer (and the same folium map on it).
Bar (DESIGN.md §8): county web map HTML ≤ 2.5 MB.

Run: ``python benchmarks/bench_geometry.py`` (uses ICEBERG_DATA_DIR or ../shared/data/raw).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import numpy as np

from geodata import boundaries as B
from geodata import insets
from iceberg.io.boundaries import read_boundaries

ROOT = Path(__file__).resolve().parents[1]


def _raw_dir() -> Path:
    env = os.environ.get("ICEBERG_DATA_DIR")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "data" / "raw"]:
        if (cand / "census_cartographic_boundaries").is_dir():
            return cand
    raise SystemExit("no data dir with census_cartographic_boundaries (set ICEBERG_DATA_DIR)")


def _timed(fn, repeat: int = 5):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def _folium_html(layer, props) -> tuple[int, float]:
    import folium

    gdf = layer.assign(**props)
    t0 = time.perf_counter()
    m = folium.Map(location=[38, -96], zoom_start=4, tiles=None, prefer_canvas=True)
    folium.GeoJson(
        gdf,
        style_function=lambda f: {"weight": 0.2, "color": "#555", "fillOpacity": 0.8},
        tooltip=folium.GeoJsonTooltip(fields=list(props)),
    ).add_to(m)
    html = m.get_root().render()
    return len(html.encode("utf-8")), time.perf_counter() - t0


def main() -> None:
    src = _raw_dir() / "census_cartographic_boundaries" / "cb_2023_us_county_20m"
    counties, t_read = _timed(lambda: read_boundaries(src))
    n = len(counties)

    raw4326 = counties.to_crs(4326)[["geoid", "geometry"]]
    base_json, t_base = _timed(lambda: raw4326.to_json(drop_id=True))
    web, t_web = _timed(lambda: B.web_layer(counties))
    web_json, t_webjson = _timed(lambda: web.to_json(drop_id=True))
    _, t_inset = _timed(lambda: insets.inset_layout(counties))
    _, t_states = _timed(lambda: B.state_outlines(counties, web=True))

    rng = np.random.default_rng(0)
    # Typical tooltip properties: name plus three indices and a dollar figure, rounded as a map would.
    props = {
        "name": counties["name"].to_numpy(),
        "iceberg_index": np.round(rng.random(n), 4),
        "surface_index": np.round(rng.random(n), 4),
        "hidden_index": np.round(rng.random(n), 4),
        "hidden_wages": np.round(rng.random(n) * 1e9, -3),
    }
    html_base, t_html_base = _folium_html(raw4326, props)
    html_web, t_html_web = _folium_html(web, props)

    nv_raw = int(
        sum(
            len(g.exterior.coords)
            if g.geom_type == "Polygon"
            else sum(len(p.exterior.coords) for p in g.geoms)
            for g in raw4326.geometry
        )
    )
    print(
        f"counties: {n:,}  (tolerance {B.DEFAULT_TOLERANCE_M:g} m, precision {B.DEFAULT_PRECISION:g} deg)"
    )
    print(f"read shapefile              {t_read * 1e3:8.1f} ms")
    print(f"web_layer (5070 simplify)   {t_web * 1e3:8.1f} ms")
    print(f"inset_layout                {t_inset * 1e3:8.1f} ms")
    print(f"state_outlines(web=True)    {t_states * 1e3:8.1f} ms")
    print(
        f"GeoJSON baseline (raw)      {len(base_json.encode()):>10,} B  in {t_base * 1e3:6.1f} ms  (~{nv_raw:,} exterior vertices)"
    )
    print(
        f"GeoJSON web layer           {len(web_json.encode()):>10,} B  in {t_webjson * 1e3:6.1f} ms  "
        f"({len(web_json) / len(base_json):.0%} of baseline)"
    )
    print(f"folium HTML baseline        {html_base:>10,} B  render {t_html_base * 1e3:6.1f} ms")
    print(
        f"folium HTML web layer       {html_web:>10,} B  render {t_html_web * 1e3:6.1f} ms  "
        f"(bar 2.5 MB: {'OK' if html_web <= 2_500_000 else 'OVER'})"
    )


if __name__ == "__main__":
    main()
