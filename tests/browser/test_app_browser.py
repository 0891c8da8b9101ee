"""The sandbox in a real browser (headless Debian chromium, no internet), on the real data.

Each test saves screenshots into ``tests/browser/artifacts/`` (gitignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    headline_value,
    legend_text,
    map_frame,
    polygon_count,
    wait_for_map,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def n_counties(app_url, raw_dir, app_cache_dir) -> int:
    """Counties of the web layer (what the national map must draw)."""
    import os

    os.environ["ICEBERG_CACHE_DIR"] = str(app_cache_dir)
    import iceberg

    return len(iceberg.load(raw_dir, progress=False).web_counties)


def fill_signature(page) -> str:
    frame = map_frame(page)
    return str(frame.evaluate(
        "Array.from(document.querySelectorAll('path.leaflet-interactive'))"
        ".map(p => p.getAttribute('fill')).join(',')"))


def slider(page, label: str):
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    return box.locator('input[type="range"]').first


def shoot(page, artifacts, name: str) -> None:
    page.wait_for_timeout(1200)  # let Leaflet's zoom animation settle
    page.screenshot(path=str(artifacts / f"{name}_page.png"), full_page=True)
    frame_el = page.locator('iframe[title*="streamlit_folium"]').first
    if frame_el.count():
        frame_el.screenshot(path=str(artifacts / f"{name}_map.png"))


def test_first_load_draws_every_county(page, app_url, n_counties, artifacts):
    page.goto(app_url)
    drawn = wait_for_map(page, n_counties, timeout=180)
    assert drawn == n_counties
    assert "Iceberg index" in legend_text(page)
    value = headline_value(page, "Iceberg index")
    assert re.fullmatch(r"\d+\.\d%", value)
    assert page.get_by_text("not a forecast of job loss").first.is_visible()
    shoot(page, artifacts, "01_first_load")


def test_lever_change_repaints_map_and_headline(page, app_url, n_counties, artifacts):
    page.goto(app_url)
    wait_for_map(page, n_counties, timeout=180)
    before_value = headline_value(page, "Iceberg index")
    before_fill = fill_signature(page)
    before_legend = legend_text(page)
    thumb = slider(page, "Tool frontier")
    thumb.focus()
    thumb.press("End")  # λ = 1: every E2 task counts
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function(
        "v => Array.from(document.querySelectorAll('[data-testid=\"stMetric\"]'))"
        ".some(e => e.innerText.startsWith('Iceberg index') && !e.innerText.includes(v))",
        arg=before_value, timeout=60_000)
    after_value = headline_value(page, "Iceberg index")
    assert float(after_value.rstrip("%")) > float(before_value.rstrip("%"))
    for _ in range(600):  # the map repaints with the same (baseline) classes, new colours
        if polygon_count(page) == n_counties and fill_signature(page) != before_fill:
            break
        page.wait_for_timeout(50)
    assert fill_signature(page) != before_fill
    assert "lam=1" in page.url  # the link carries the scenario
    shoot(page, artifacts, "02_lever_lambda1")

    page.get_by_text("Difference (scenario − baseline)").click()
    for _ in range(600):
        text = legend_text(page)
        if "Change in" in text and polygon_count(page) == n_counties:
            break
        page.wait_for_timeout(50)
    assert legend_text(page) != before_legend
    assert "Change in" in legend_text(page)
    shoot(page, artifacts, "03_difference")


def test_click_county_opens_drilldown(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?geo=TN")
    frame = None
    for _ in range(1200):
        frame = map_frame(page)
        if frame is not None and 0 < polygon_count(page) < n_counties:
            break
        page.wait_for_timeout(50)
    n_tn = polygon_count(page)
    assert 90 <= n_tn <= 100  # Tennessee has 95 counties
    paths = frame.locator("path.leaflet-interactive")
    box = paths.nth(n_tn // 2).bounding_box()
    assert box is not None
    paths.nth(n_tn // 2).click(position={"x": box["width"] / 2, "y": box["height"] / 2},
                               force=True)
    page.get_by_text(re.compile(r"GEOID 47\d{3}")).first.wait_for(timeout=60_000)
    for text in ("The occupations behind its hidden exposure", "Compared with its state and the nation",
                 "Where reskilled workers would go"):
        page.get_by_text(text).first.wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"county=47\d{3}"), timeout=10_000)  # a link reopens it
    shoot(page, artifacts, "04_county_drilldown")


def test_bad_link_falls_back_with_notice(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?lam=banana&amax=7&metric=nonsense")
    wait_for_map(page, n_counties, timeout=180)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    text = " ".join(alerts)
    assert "tool_frontier" in text and "adoption_ceiling" in text and "nonsense" in text
    assert "Traceback" not in page.content()
    shoot(page, artifacts, "05_bad_link")
