"""The sandbox in a real browser (headless Debian chromium, no internet), on the real data.

The map is the components v2 county map (no iframe): the tests read what it reports through
``window.__icebergCountyMap`` (polygons drawn, class of each county, payloads received) and
count the bytes the page receives over the websocket. Screenshots go to
``tests/browser/artifacts/`` (gitignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import (
    county_point,
    headline_value,
    legend_overlaps_land,
    legend_text,
    map_info,
    polygon_count,
    wait_for_classes_change,
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


def slider(page, label: str):
    box = page.locator('[data-testid="stSlider"]').filter(has_text=label).first
    return box.locator('input[type="range"]').first


def wait_idle(page, quiet_ms: int = 400) -> None:
    """Wait until Streamlit has not been running for ``quiet_ms`` (status widget absent)."""
    status = page.locator('[data-testid="stStatusWidget"]')
    quiet = 0
    while quiet < quiet_ms:
        page.wait_for_timeout(50)
        quiet = 0 if status.count() else quiet + 50


def shoot(page, artifacts, name: str, height: int = 2000) -> None:
    """Screenshot the page (tall viewport: Streamlit scrolls inside its own container) and the map."""
    page.wait_for_timeout(600)
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": height})
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / f"{name}_page.png"))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)
    root = page.locator(".icm-root").first
    if root.count():
        root.screenshot(path=str(artifacts / f"{name}_map.png"))


def test_first_load_draws_every_county_offline_legend_clear_of_land(page, app_url, n_counties,
                                                                     artifacts):
    page.goto(app_url)
    drawn = wait_for_map(page, n_counties, timeout=240)
    assert drawn == n_counties >= 3000
    info = map_info(page)
    assert info["geomPayloads"] == 1
    assert "Iceberg index" in legend_text(page)
    assert re.fullmatch(r"\d+\.\d%", headline_value(page, "Iceberg index"))
    assert page.get_by_text("not a forecast of job loss").first.is_visible()
    wait_idle(page)
    assert legend_overlaps_land(page) == []
    # the whole contiguous US is on screen: Washington, Maine, Florida and Texas' tip
    for geoid in ("53009", "23003", "12087", "48061"):
        x, y = county_point(page, geoid)
        box = page.locator(".icm-map").first.bounding_box()
        assert box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]
    # Alaska, Hawaii and Puerto Rico are drawn in the insets below the map
    assert page.locator(".icm-inset").count() == 3
    # the levers follow the map by themselves (its "drawn" signal), with no second copy of
    # the shapes and the map still drawn
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_role("button", name="Apply").wait_for(timeout=60_000)
    wait_idle(page)
    assert sidebar.get_by_text("Loading the levers").count() == 0
    assert map_info(page)["geomPayloads"] == 1 and polygon_count(page) == n_counties
    assert page.external_requests == []
    shoot(page, artifacts, "01_first_load")


def test_apply_repaints_with_values_only(page, app_url, n_counties, artifacts):
    page.goto(app_url)
    wait_for_map(page, n_counties, timeout=240)
    wait_idle(page)
    before_value = headline_value(page, "Iceberg index")
    before = map_info(page)
    thumb = slider(page, "Tool frontier")
    thumb.focus()
    thumb.press("End")  # λ = 1: every E2 task counts
    received = page.ws_counter["bytes"]
    page.get_by_role("button", name="Apply").click()
    after_classes = wait_for_classes_change(page, before["classes"])
    page.wait_for_function(
        "v => Array.from(document.querySelectorAll('[data-testid=\"stMetric\"]'))"
        ".some(e => e.innerText.startsWith('Iceberg index') && !e.innerText.includes(v))",
        arg=before_value, timeout=60_000)
    wait_idle(page)
    sent = page.ws_counter["bytes"] - received
    after = map_info(page)
    assert after_classes != before["classes"] and after["drawn"] == n_counties
    assert float(headline_value(page, "Iceberg index").rstrip("%")) > float(before_value.rstrip("%"))
    # no geometry re-sent: the page decoded shapes once, and the rerun carried far less
    # than the shapes (~0.4 MB): class characters, colours, tooltip values and the rest of the page
    assert after["geomPayloads"] == 1
    assert sent < 250_000, sent
    assert "lam=1" in page.url  # the link carries the scenario
    shoot(page, artifacts, "02_after_apply")

    page.get_by_text("Difference (scenario − baseline)").click()
    for _ in range(1800):  # a loaded machine: up to 90 s
        if "Change in" in legend_text(page):
            break
        page.wait_for_timeout(50)
    assert "Change in" in legend_text(page)
    assert map_info(page)["geomPayloads"] == 1
    shoot(page, artifacts, "03_difference")
    assert page.external_requests == []


def test_click_county_opens_drilldown_in_state_view(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?geo=TN")
    wait_for_map(page, n_counties, timeout=240)
    wait_idle(page)
    page.wait_for_timeout(800)  # the fit to Tennessee
    x, y = county_point(page, "47037")  # Davidson (Nashville)
    page.mouse.move(x, y)
    page.locator(".icm-tip").first.wait_for(state="visible", timeout=10_000)
    tip = page.locator(".icm-tip").first.inner_text()
    assert "Davidson" in tip
    assert re.search(r"Estimated jobs: \d+%", tip), tip  # built in the page from the template
    shoot(page, artifacts, "04_state_view_tn")
    page.mouse.click(x, y)
    page.get_by_text(re.compile(r"GEOID 47037")).first.wait_for(timeout=60_000)
    for text in ("The occupations behind its hidden exposure",
                 "Compared with its state and the nation"):
        page.get_by_text(text).first.wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"county=47037"), timeout=10_000)  # a link reopens it
    shoot(page, artifacts, "05_drilldown")
    assert page.external_requests == []


def test_bad_link_gives_one_notice_naming_each_lever(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?lam=banana&amax=7&metric=nonsense&layer=zzz")
    wait_for_map(page, n_counties, timeout=240)
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    assert len(alerts) == 1, alerts
    for word in ("tool_frontier", "adoption_ceiling", "nonsense", "zzz"):
        assert word in alerts[0]
    assert "Traceback" not in page.content()
    shoot(page, artifacts, "06_bad_link")


def test_downloads_and_methods_page(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?geo=TN")
    wait_for_map(page, n_counties, timeout=240)
    page.get_by_role("tab", name="Downloads").click()
    files = {}
    for label in ("Counties CSV", "PNG", "HTML (offline)", "Download scenario (JSON)"):
        button = page.get_by_role("button", name=label, exact=True)
        button.wait_for(timeout=60_000)
        with page.expect_download(timeout=180_000) as info:
            button.click()
        path = artifacts / f"download_{info.value.suggested_filename}"
        info.value.save_as(path)
        files[label] = path
    csv = files["Counties CSV"].read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("geoid") and len(csv) - 1 == 95  # Tennessee's counties
    assert files["PNG"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = files["HTML (offline)"].read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "L.map(" in html  # Leaflet inlined
    assert '"adoption_ceiling"' in files["Download scenario (JSON)"].read_text()

    page.get_by_role("link", name="Methods and sources").click()
    page.get_by_text("Provenance counts").first.wait_for(timeout=60_000)
    assert page.get_by_text("CC BY 4.0").first.is_visible()
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "O*NET 29.3 Database" in body  # the attribution renders exactly (no italics)
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "07_methods_page.png"))
    assert page.external_requests == []


def test_link_reopens_side_by_side_view(page, app_url, n_counties, artifacts):
    page.goto(app_url + "/?lam=0.5&mode=side&metric=hidden_index")
    wait_for_map(page, n_counties, timeout=240, key="map_base")
    wait_for_map(page, n_counties, timeout=240, key="map")
    assert "Hidden" in legend_text(page, "map") and "Hidden" in legend_text(page, "map_base")
    assert map_info(page)["geomPayloads"] == 1  # two maps, one copy of the shapes
    assert page.locator('[data-testid="stAlert"]').count() == 0  # a valid link: no notice
    value = slider(page, "Tool frontier").get_attribute("aria-valuetext")
    assert value == "0.50"
    assert polygon_count(page, "map_base") == n_counties
    shoot(page, artifacts, "08_side_by_side")
