"""Browser-test fixtures: the app served on 127.0.0.1, headless chromium, offline CDN routing.

The helpers (:func:`start_app`, :func:`route_offline`, :func:`wait_for_map`, ...) are plain
functions so ``benchmarks/bench_app.py`` can reuse them.
"""

from __future__ import annotations

import os
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
APP = ROOT / "app" / "streamlit_app.py"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
_LOCAL = ("http://127.0.0.1", "http://localhost", "ws://127.0.0.1", "data:", "blob:")
_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png",
          ".json": "application/json", ".woff2": "font/woff2", ".svg": "image/svg+xml"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(raw_dir: Path, cache_dir: Path, port: int | None = None,
              timeout: float = 180.0) -> tuple[subprocess.Popen, str]:
    """Start ``streamlit run`` on 127.0.0.1 and wait for ``/_stcore/health``; return (proc, url)."""
    port = port or free_port()
    env = {**os.environ, "ICEBERG_DATA_DIR": str(raw_dir), "ICEBERG_CACHE_DIR": str(cache_dir),
           "ICEBERG_APP_TIMING": os.environ.get("ICEBERG_APP_TIMING", "1")}
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    log = open(cache_dir / f"streamlit_{port}.log", "w")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log.name}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url} within {timeout} s")


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the server started by :func:`start_app` (its own process group only)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def route_offline(context) -> None:
    """Serve Leaflet from xstatic-leaflet; answer every other non-local request with empty 200."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    files = {name: (base / name).read_bytes() for name in ("leaflet.js", "leaflet.css")}

    def handle(route) -> None:
        url = route.request.url
        name = url.split("?")[0].rsplit("/", 1)[-1]
        if name in ("leaflet.js", "leaflet.css"):
            route.fulfill(status=200, body=files[name],
                          content_type=_TYPES[Path(name).suffix])
            return
        route.fulfill(status=200, body=b"", content_type=_TYPES.get(Path(name).suffix, "text/plain"))

    # only foreign requests reach Python: the app's own traffic is never slowed by routing
    context.route(lambda url: not url.startswith(_LOCAL), handle)


def launch_browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


def map_frame(page, index: int = 0):
    """The ``index``-th streamlit_folium component frame (None until it exists)."""
    frames = [f for f in page.frames if "streamlit_folium" in f.url]
    return frames[index] if len(frames) > index else None


def polygon_count(page, index: int = 0) -> int:
    frame = map_frame(page, index)
    if frame is None:
        return 0
    try:
        return int(frame.evaluate("document.querySelectorAll('path.leaflet-interactive').length"))
    except Exception:  # noqa: BLE001 - the frame may be reloading
        return 0


def legend_text(page, index: int = 0) -> str:
    frame = map_frame(page, index)
    if frame is None:
        return ""
    try:
        return str(frame.evaluate(
            "Array.from(document.querySelectorAll('.iceberg-legend, .legend, .info'))"
            ".map(e => e.innerText).join('\\n')"))
    except Exception:  # noqa: BLE001
        return ""


def wait_for_map(page, minimum: int, timeout: float = 120.0, index: int = 0) -> int:
    """Wait until at least ``minimum`` county polygons are drawn; return the count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = polygon_count(page, index)
        if n >= minimum:
            return n
        page.wait_for_timeout(50)  # keeps Playwright's event loop (and the routing) running
    raise AssertionError(f"map drew {polygon_count(page, index)} polygons, expected >= {minimum}")


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
    """A fresh page (1440×1000) with CDN requests answered offline."""
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    route_offline(context)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
