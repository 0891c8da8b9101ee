"""Browser-test fixtures: the app served on 127.0.0.1, headless chromium, no request leaves it.

The helpers (:func:`start_app`, :func:`route_offline`, :func:`wait_for_map`, ...) are plain
functions so ``benchmarks/bench_app.py`` can reuse them.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "iceberg_app" / "streamlit_app.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Any URL that is not the local server: a regular expression the browser side matches, so the
#: app's own requests are never routed through Python (a Python predicate would see them all).
_FOREIGN = re.compile(r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost)[:/]|data:|blob:)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(raw_dir: Path, cache_dir: Path, port: int | None = None,
              timeout: float = 180.0, installed_at: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start the sandbox on 127.0.0.1 and wait for ``/_stcore/health``; return (proc, url).

    By default ``streamlit run`` on the checkout's entry script; with ``installed_at`` (an
    unpacked wheel) the user's command ``iceberg app --no-build`` with that folder first on
    the import path, run from outside the checkout.
    """
    port = port or free_port()
    env = {**os.environ, "ICEBERG_DATA_DIR": str(raw_dir), "ICEBERG_CACHE_DIR": str(cache_dir),
           "ICEBERG_APP_TIMING": os.environ.get("ICEBERG_APP_TIMING", "1")}
    if installed_at is None:
        from iceberg.cli.launch import server_flags  # the options `iceberg app` passes

        cmd = [sys.executable, "-m", "streamlit", "run", str(APP), *server_flags(APP),
               "--server.port", str(port), "--server.address", "127.0.0.1"]
        cwd = ROOT
    else:
        cmd = [sys.executable, "-c", "from iceberg.cli import main; main()", "app", "--no-build",
               "--port", str(port), "--address", "127.0.0.1"]
        env.update(PYTHONPATH=str(installed_at), STREAMLIT_SERVER_HEADLESS="true")
        cwd = cache_dir
    log = open(cache_dir / f"streamlit_{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_for_health(proc, url, timeout, log.name)
    return proc, url


def wait_for_health(proc: subprocess.Popen, url: str, timeout: float, log: str) -> None:
    """Wait until the Streamlit server ``proc`` answers ``/_stcore/health`` on ``url``; stop it
    and raise (naming its ``log``) when it exits or stays silent for ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s; see {log}")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the server started by :func:`start_app` (its own process group only)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def route_offline(context, external: list[str] | None = None) -> list[str]:
    """Block every non-local request (the app must need none) and record it in ``external``.

    Only foreign requests reach Python (the pattern is matched by Playwright's driver): the
    app's own traffic is never slowed by routing.
    """
    seen = external if external is not None else []

    def handle(route) -> None:
        seen.append(route.request.url)
        route.abort()

    context.route(_FOREIGN, handle)
    return seen


def launch_browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


_STORE = "window.__icebergCountyMap"


def map_info(page, key: str = "map") -> dict:
    """What the county map component reports: polygons drawn, class string, paints, payloads."""
    try:
        return page.evaluate(f"""k => {{
            const s = {_STORE};
            if (!s || !s.maps[k] || !s.maps[k].wrap.isConnected) return {{}};
            const w = s.maps[k].wrap;
            return {{drawn: Number(w.dataset.drawn || 0), classes: w.dataset.classes || "",
                    paints: s.stats.paints, geomPayloads: s.stats.geomPayloads,
                    legend: w.querySelector(".icm-legend").innerText}};
        }}""", key)
    except Exception:  # noqa: BLE001 - page navigating
        return {}


def polygon_count(page, key: str = "map") -> int:
    """Polygons the map has drawn (0 before). Reads one attribute: polled while the page loads,
    it must not force a layout (as reading the legend's text would) and slow what it times."""
    try:
        return int(page.evaluate(f"""k => {{
            const m = {_STORE} && {_STORE}.maps[k];
            return m && m.wrap.isConnected ? Number(m.wrap.dataset.drawn || 0) : 0;
        }}""", key))
    except Exception:  # noqa: BLE001 - page navigating
        return 0


def legend_text(page, key: str = "map") -> str:
    return str(map_info(page, key).get("legend", ""))


def wait_for_map(page, minimum: int, timeout: float = 120.0, key: str = "map") -> int:
    """Wait until the map has drawn at least ``minimum`` county polygons; return the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = polygon_count(page, key)
        if n >= minimum:
            return n
        page.wait_for_timeout(25)  # keeps Playwright's event loop (and the routing) running
    raise AssertionError(f"map drew {polygon_count(page, key)} polygons, expected >= {minimum}")


def wait_for_classes_change(page, before: str, timeout: float = 60.0, key: str = "map") -> str:
    """Wait until the map's class string differs from ``before``; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = map_info(page, key).get("classes", "")
        if now and now != before:
            return now
        page.wait_for_timeout(10)
    raise AssertionError("the map did not repaint")


def county_point(page, geoid: str, key: str = "map") -> tuple[float, float]:
    """Page coordinates of a point inside a county on the main map (for a real click)."""
    return tuple(page.evaluate(f"""([k, id]) => {{
        const e = {_STORE}.maps[k];
        const layer = e.main.layers[e.geo.ids.indexOf(id)];
        const rect = e.map.getContainer().getBoundingClientRect();
        const b = layer.getBounds();
        // the centre of the bounds may fall outside a concave county: probe a grid
        for (let fy = 0.5; fy < 0.95; fy += 0.05) for (const sy of [1, -1])
            for (let fx = 0.5; fx < 0.95; fx += 0.05) for (const sx of [1, -1]) {{
                const lat = b.getSouth() + (b.getNorth() - b.getSouth()) * (sy > 0 ? fy : 1 - fy);
                const lng = b.getWest() + (b.getEast() - b.getWest()) * (sx > 0 ? fx : 1 - fx);
                const p = e.map.latLngToContainerPoint([lat, lng]);
                if (layer._containsPoint(p)) return [rect.left + p.x, rect.top + p.y];
            }}
        const p = e.map.latLngToContainerPoint(b.getCenter());
        return [rect.left + p.x, rect.top + p.y];
    }}""", [key, geoid]))


def legend_overlaps_land(page, key: str = "map") -> list[str]:
    """GEOIDs of drawn counties whose on-screen box intersects the legend's box."""
    return page.evaluate(f"""k => {{
        const e = {_STORE}.maps[k];
        const leg = e.wrap.querySelector(".icm-legend").getBoundingClientRect();
        const rect = e.map.getContainer().getBoundingClientRect();
        const hits = [];
        e.main.layers.forEach((layer, i) => {{
            const b = layer.getBounds();
            const a = e.map.latLngToContainerPoint(b.getNorthWest());
            const c = e.map.latLngToContainerPoint(b.getSouthEast());
            // only what is on screen: the map clips at its container
            const x0 = Math.max(rect.left + a.x, rect.left), x1 = Math.min(rect.left + c.x, rect.right);
            const y0 = Math.max(rect.top + a.y, rect.top), y1 = Math.min(rect.top + c.y, rect.bottom);
            if (x0 >= x1 || y0 >= y1) return;
            if (x0 < leg.right && x1 > leg.left && y0 < leg.bottom && y1 > leg.top) hits.push(e.geo.ids[i]);
        }});
        return hits;
    }}""", key)


def count_ws_bytes(page) -> dict:
    """Count the bytes the page receives over its websockets (``counter["bytes"]``)."""
    counter = {"bytes": 0, "frames": 0}

    def on_ws(ws) -> None:
        def frame(payload) -> None:
            counter["bytes"] += len(payload)
            counter["frames"] += 1
        ws.on("framereceived", frame)

    page.on("websocket", on_ws)
    return counter


def headline_value(page, label: str) -> str:
    """Value of the ``st.metric`` card whose label starts with ``label``."""
    card = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return card.locator('[data-testid="stMetricValue"]').inner_text()


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="session")
def app_cache_dir(tmp_path_factory) -> Path:
    """One cache for the whole test session: the real bundle builds once."""
    return tmp_path_factory.getbasetemp() / "cache"


@pytest.fixture(scope="session")
def app_url(raw_dir, app_cache_dir) -> Iterator[str]:
    """The sandbox served on a free port, on the real data (bundle built beforehand)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: browser tests must run")
        pytest.skip(f"{CHROMIUM} not installed")
    app_cache_dir.mkdir(parents=True, exist_ok=True)
    old = os.environ.get("ICEBERG_CACHE_DIR")
    os.environ["ICEBERG_CACHE_DIR"] = str(app_cache_dir)
    try:
        from iceberg.bundle import build

        build(raw_dir, progress=False)  # the server then loads the cached bundle
    finally:
        if old is None:
            os.environ.pop("ICEBERG_CACHE_DIR", None)
        else:
            os.environ["ICEBERG_CACHE_DIR"] = old
    proc, url = start_app(raw_dir, app_cache_dir)
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: browser tests must run")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_browser(pw)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def page(browser):
    """A fresh page (1400×1000); any request leaving 127.0.0.1 is blocked and recorded in
    ``page.external_requests``; ``page.ws_counter`` counts the bytes received."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.external_requests = route_offline(context)
    pg.ws_counter = count_ws_bytes(pg)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
