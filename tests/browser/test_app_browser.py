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

    old = os.environ.get("ICEBERG_CACHE_DIR")
    os.environ["ICEBERG_CACHE_DIR"] = str(app_cache_dir)
    try:
        import iceberg

        return len(iceberg.load(raw_dir, progress=False).web_counties)
    finally:
        if old is None:
            os.environ.pop("ICEBERG_CACHE_DIR", None)
        else:
            os.environ["ICEBERG_CACHE_DIR"] = old


def fill_signature(page) -> str:
    """Fill colours of the drawn polygons ("" while the map frame is being replaced)."""
    frame = map_frame(page)
    if frame is None:
        return ""
    try:
        return str(frame.evaluate(
            "Array.from(document.querySelectorAll('path.leaflet-interactive'))"
            ".map(p => p.getAttribute('fill')).join(',')"))
    except Exception:  # noqa: BLE001 - frame detached during a redraw
        return ""


def slider(page, label: str):
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    return box.locator('input[type="range"]').first


def shoot(page, artifacts, name: str, height: int = 2600) -> None:
    """Screenshot the page (tall viewport: Streamlit scrolls inside its own container) and the map."""
    page.wait_for_timeout(1200)  # let Leaflet's zoom animation settle
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / f"{name}_page.png"))
    page.set_viewport_size(size)
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
        now = fill_signature(page)
        if polygon_count(page) == n_counties and now and now != before_fill:
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
    page.get_by_role("tab", name="Uncertainty").click()
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for(timeout=60_000)
    assert page.get_by_text(re.compile(r"P10–P90 .* to ")).first.is_visible()
    shoot(page, artifacts, "05_uncertainty")


def test_bad_link_falls_back_with_notice(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?lam=banana&amax=7&metric=nonsense")
    wait_for_map(page, n_counties, timeout=180)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    text = " ".join(alerts)
    assert "tool_frontier" in text and "adoption_ceiling" in text and "nonsense" in text
    assert "Traceback" not in page.content()
    shoot(page, artifacts, "05b_bad_link")


def test_downloads_and_methods_page(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?geo=TN")
    wait_for_map(page, 90, timeout=180)
    page.get_by_role("tab", name="Downloads").click()
    files = {}
    for label in ("Counties CSV", "PNG", "HTML (offline)", "Download scenario (JSON)"):
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name=label, exact=True).click()
        path = artifacts / f"download_{info.value.suggested_filename}"
        info.value.save_as(path)
        files[label] = path
    csv = files["Counties CSV"].read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("geoid") and len(csv) - 1 == 95  # Tennessee's counties
    assert files["PNG"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = files["HTML (offline)"].read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "L.map(" in html  # Leaflet inlined
    assert '"adoption_ceiling"' in files["Download scenario (JSON)"].read_text()
    shoot(page, artifacts, "06_downloads")

    page.get_by_role("link", name="Methods and sources").click()
    page.get_by_text("Provenance counts").first.wait_for(timeout=60_000)
    assert page.get_by_text("CC BY 4.0").first.is_visible()
    assert "GDP proxy = productivity gain" in page.locator('[data-testid="stCode"]').first.inner_text()
    page.set_viewport_size({"width": 1440, "height": 4200})
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "07_methods_page.png"))


def test_link_reopens_side_by_side_view(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?lam=0.5&mode=side&metric=hidden_index")
    wait_for_map(page, n_counties, timeout=180, index=0)
    wait_for_map(page, n_counties, timeout=180, index=1)
    titles = " ".join(legend_text(page, i) for i in (0, 1))
    assert "Hidden index" in titles
    assert page.locator('[data-testid="stAlert"]').count() == 0  # a valid link: no notice
    slider_value = page.locator('[data-testid="stSlider"]').filter(has_text="Tool frontier") \
        .first.locator('input[type="range"]').first.get_attribute("aria-valuetext")
    assert slider_value == "0.50"
    shoot(page, artifacts, "08_side_by_side")
