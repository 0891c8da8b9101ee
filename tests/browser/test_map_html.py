"""The self-contained HTML map draws in headless Chromium with every network request blocked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_offline_map_draws_with_no_network(tmp_path, browser):
    # `browser` is the session's one headless chromium (tests/browser/conftest.py): a second
    # sync_playwright() in the same process would collide with its event loop.
    from iceberg.maps.explore import explore
    from iceberg.maps.offline import to_html
    from tests.unit.test_maps_explore import tiny_counties

    gdf = tiny_counties()
    path = to_html(explore(gdf, "hidden_index", tiles="CartoDB positron",
                           title="Tiny offline map"), tmp_path / "map.html")
    blocked: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 900, "height": 650})
    try:
        page = context.new_page()

        def _route(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:  # nothing may leave the machine
                blocked.append(route.request.url)
                route.abort()

        page.route("**/*", _route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive", timeout=15_000)
        drawn = page.locator("path.leaflet-interactive").count()
        # hover a county: the tooltip shows its name and formatted values
        page.locator("path.leaflet-interactive").first.hover()
        tip = page.locator(".leaflet-tooltip").inner_text(timeout=5_000)
        # switch layer: the legend follows
        page.get_by_text("Visible (surface)").click()
        legend = page.locator(".iceberg-legend").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "offline_map.png"))
        shutil.copy(path, ARTIFACTS / "offline_map.html")
    finally:
        context.close()
    assert blocked == []  # the file asked for nothing outside itself
    assert errors == []
    assert drawn == len(gdf)  # one interactive path per county (state borders are not)
    assert "County" in tip and "Exposed wages" in tip
    assert "Visible index" in legend and "No data" in legend


def test_quality_overlay_hatches_counties_and_stays_on_top(tmp_path, browser):
    from iceberg.maps.explore import explore
    from iceberg.maps.offline import to_html
    from tests.unit.test_maps_explore import tiny_counties

    gdf = tiny_counties().assign(estimated_share=[0.0, 0.1, 0.7, 0.9, 0.2, 0.5])
    path = to_html(explore(gdf, "hidden_index", quality_overlay=True), tmp_path / "q.html")
    context = browser.new_context(viewport={"width": 900, "height": 650})
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive", timeout=15_000)
        hatch = 'path[fill="url(#iceberg-hatch)"]'
        before = page.locator(hatch).count()  # the overlay is off on opening
        page.get_by_text("of jobs from estimated OEWS cells").click()
        on = page.locator(hatch).count()
        page.get_by_text("Total (iceberg)").click()  # switching the metric keeps the hatch
        after = page.locator(hatch).count()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "quality_overlay.png"))
    finally:
        context.close()
    assert before == 0 and on == 3 and after == 3  # shares 0.7, 0.9 and 0.5
