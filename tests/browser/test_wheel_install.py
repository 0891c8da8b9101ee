"""`iceberg app` from a normal (non-editable) install: the wheel built from this checkout,
unpacked as pip installs it, started with the user's command from outside the checkout."""

from __future__ import annotations

import pytest

from tests.browser.conftest import start_app, stop_app, wait_for_map

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_installed_app_draws_the_map_offline(app_url, raw_dir, app_cache_dir, unpacked_wheel,
                                             page):
    # app_url: the bundle is built in app_cache_dir; this server only loads it
    proc, url = start_app(raw_dir, app_cache_dir, installed_at=unpacked_wheel)
    try:
        page.goto(url)
        assert wait_for_map(page, 3000, timeout=240) >= 3000
        assert page.get_by_text("Where AI could do the work").first.is_visible()
        assert page.external_requests == []
    finally:
        stop_app(proc)
    log = next(app_cache_dir.glob(f"streamlit_{url.rsplit(':', 1)[1]}.log")).read_text()
    assert "Traceback" not in log, log
