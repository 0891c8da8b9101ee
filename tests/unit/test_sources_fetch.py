"""Fetch against a local HTTP server: good file, hash mismatch, interrupted transfer, 404, zip."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import threading
import time
import zipfile
from pathlib import Path

import pytest

from iceberg.errors import IcebergDataError
from iceberg.sources import FetchError, data_status, fetch, load_registry
from iceberg.sources.status import MANIFEST_NAME

GOOD = b"code,value\nA,1\nB,2\n"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves files from ``server.root``; ``/cut/<name>`` announces more bytes than it sends;
    ``/stall/<name>`` sends half the file, then nothing for 2 s."""

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        cut = self.path.startswith("/cut/")
        stall = self.path.startswith("/stall/")
        name = self.path.removeprefix("/cut/").removeprefix("/stall/").lstrip("/")
        path = self.server.root / name
        if not path.is_file():
            self.send_error(404, "Not Found")
            return
        body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body) + (1000 if cut else 0)))
        self.end_headers()
        self.wfile.write(body if not (cut or stall) else body[: len(body) // 2])
        self.wfile.flush()
        if stall:
            time.sleep(2.0)
        self.close_connection = True


@pytest.fixture()
def server(tmp_path):
    """A bounded HTTP server on 127.0.0.1 (random free port), stopped after the test."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.root = root
    httpd.hits = []
    httpd.daemon_threads = True
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _registry(tmp_path: Path, body: str) -> dict:
    """Write a tiny registry TOML (one source ``demo``) and load it."""
    path = tmp_path / "registry.toml"
    path.write_text(
        'schema = 1\n[sources.demo]\nprovider = "Test provider"\ntitle = "Demo table"\n'
        'version = "1"\nlicence = "public domain"\nhomepage = "https://example.org/demo"\n'
        "required = true\n" + body,
        encoding="utf-8",
    )
    return load_registry(path)


def _single(url: str, sha: str | None, mirrors: list[str] | None = None) -> str:
    sha_part = f', sha256 = "{sha}"' if sha else ""
    mir = f", mirrors = {json.dumps(mirrors)}" if mirrors else ""
    return (
        '[[sources.demo.editions]]\nname = "csv"\n'
        f'files = [{{ path = "table.csv", required = true{sha_part} }}]\n'
        f'downloads = [{{ url = "{url}", filename = "table.csv"{sha_part}{mir} }}]\n'
    )


def _no_leftovers(dest: Path) -> None:
    assert not (dest / "demo" / "table.csv").exists()
    assert not list(dest.glob(".demo.*")), "staging folder left behind"


def test_good_file_is_downloaded_verified_and_cached(server, tmp_path):
    httpd, base, root = server
    (root / "table.csv").write_bytes(GOOD)
    reg = _registry(tmp_path, _single(f"{base}/table.csv", _sha(GOOD)))
    dest = tmp_path / "cache"
    out = fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    assert out == {"demo": dest / "demo"}
    assert (dest / "demo" / "table.csv").read_bytes() == GOOD
    manifest = json.loads((dest / "demo" / MANIFEST_NAME).read_text())
    assert manifest["files"]["table.csv"] == {
        "sha256": _sha(GOOD),
        "size": len(GOOD),
        "verified": True,
    }
    status = data_status(data_dir=dest, registry=reg)
    assert status.loc[0, "status"] == "ok" and status.loc[0, "hash"] == "ok"
    # present and intact: a second fetch does not touch the server
    n = len(httpd.hits)
    fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    assert len(httpd.hits) == n
    assert not list(dest.glob(".demo.*"))


def test_hash_mismatch_leaves_nothing(server, tmp_path):
    _, base, root = server
    (root / "table.csv").write_bytes(GOOD)
    reg = _registry(tmp_path, _single(f"{base}/table.csv", _sha(b"other bytes")))
    dest = tmp_path / "cache"
    with pytest.raises(FetchError) as err:
        fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    msg = str(err.value)
    assert "'demo'" in msg and f"{base}/table.csv" in msg and "sha256 mismatch" in msg
    assert "--data-dir" in msg
    assert isinstance(err.value, IcebergDataError)
    _no_leftovers(dest)


@pytest.mark.parametrize(("route", "timeout", "says"), [
    ("stall", 0.5, "stalled"),  # the server stops sending: not "offline"
    ("cut", 5, "interrupted"),  # a short body, no known hash: only the transport notices
])
def test_broken_transfer_is_named_and_leaves_no_partial_file(server, tmp_path, route, timeout, says):
    _, base, root = server
    (root / "table.csv").write_bytes(GOOD * 50)
    reg = _registry(tmp_path, _single(f"{base}/{route}/table.csv", None))
    dest = tmp_path / "cache"
    with pytest.raises(FetchError, match=says) as err:
        fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=timeout)
    assert f"{base}/{route}/table.csv" in str(err.value)
    assert "offline" not in str(err.value)
    _no_leftovers(dest)


def test_404_names_source_and_url(server, tmp_path):
    _, base, _ = server
    reg = _registry(tmp_path, _single(f"{base}/absent.csv", None))
    dest = tmp_path / "cache"
    with pytest.raises(FetchError) as err:
        fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    msg = str(err.value)
    assert "'demo'" in msg and f"{base}/absent.csv" in msg and "HTTP 404" in msg
    assert "--data-dir" in msg and "ICEBERG_DATA_DIR" in msg
    _no_leftovers(dest)


def test_mirror_is_used_when_the_official_url_fails(server, tmp_path):
    httpd, base, root = server
    (root / "mirror.csv").write_bytes(GOOD)
    reg = _registry(
        tmp_path, _single(f"{base}/gone.csv", _sha(GOOD), mirrors=[f"{base}/mirror.csv"])
    )
    dest = tmp_path / "cache"
    fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    assert (dest / "demo" / "table.csv").read_bytes() == GOOD
    assert httpd.hits == ["/gone.csv", "/mirror.csv"]
    manifest = json.loads((dest / "demo" / MANIFEST_NAME).read_text())
    assert manifest["downloads"][0]["url"] == f"{base}/mirror.csv"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _zip_registry(tmp_path, url: str, a_sha: str) -> dict:
    return _registry(
        tmp_path,
        '[[sources.demo.editions]]\nname = "zipped"\nfiles = [\n'
        f'  {{ path = "shp/a.txt", required = true, sha256 = "{a_sha}" }},\n'
        '  { path = "shp/b.txt", required = true },\n'
        '  { path = "shp/c.txt", required = false },\n]\n'
        f'downloads = [{{ url = "{url}", unpack = "zip", into = "shp" }}]\n',
    )


def test_zip_unpacked_into_data_dir_layout(server, tmp_path):
    _, base, root = server
    # members sit under a top folder, as in official archives; extras are not extracted
    (root / "bundle.zip").write_bytes(
        _zip({"top/a.txt": b"A", "top/b.txt": b"B", "top/readme.md": b"x"})
    )
    reg = _zip_registry(tmp_path, f"{base}/bundle.zip", _sha(b"A"))
    dest = tmp_path / "cache"
    fetch(["demo"], registry=reg, dest=dest, progress=False, timeout=5)
    got = sorted(
        p.relative_to(dest / "demo").as_posix() for p in (dest / "demo").rglob("*") if p.is_file()
    )
    assert got == [MANIFEST_NAME, "shp/a.txt", "shp/b.txt"]
    files = json.loads((dest / "demo" / MANIFEST_NAME).read_text())["files"]
    assert files["shp/a.txt"]["verified"] is True
    assert files["shp/b.txt"] == {
        "sha256": _sha(b"B"),
        "size": 1,
        "verified": False,
    }  # "unverified"
    row = data_status(data_dir=dest, registry=reg).iloc[0]
    assert (row["status"], row["hash"], row["files_found"], row["optional_found"]) == (
        "ok",
        "unverified",
        2,
        0,
    )
    # a file changed after download no longer matches the recorded hash
    (dest / "demo" / "shp" / "b.txt").write_bytes(b"BB")
    assert data_status(data_dir=dest, registry=reg).loc[0, "status"] == "corrupt"


def test_zip_member_hash_mismatch_and_bad_archive(server, tmp_path):
    _, base, root = server
    (root / "bundle.zip").write_bytes(_zip({"a.txt": b"not A", "b.txt": b"B"}))
    (root / "broken.zip").write_bytes(b"this is not a zip")
    dest = tmp_path / "cache"
    with pytest.raises(FetchError, match="differs from the registered one"):
        fetch(
            ["demo"],
            registry=_zip_registry(tmp_path, f"{base}/bundle.zip", _sha(b"A")),
            dest=dest,
            progress=False,
            timeout=5,
        )
    assert not (dest / "demo").exists() and not list(dest.glob(".demo.*"))
    with pytest.raises(FetchError, match="not a readable zip"):
        fetch(
            ["demo"],
            registry=_zip_registry(tmp_path, f"{base}/broken.zip", _sha(b"A")),
            dest=dest,
            progress=False,
            timeout=5,
        )
    assert not (dest / "demo").exists() and not list(dest.glob(".demo.*"))


def test_unknown_source_id(tmp_path):
    with pytest.raises(FetchError, match="unknown data source"):
        fetch(["nope"], dest=tmp_path, progress=False)


def test_default_destination_is_the_download_cache(server, tmp_path, monkeypatch):
    from iceberg import settings

    _, base, root = server
    (root / "table.csv").write_bytes(GOOD)
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path / "usercache"))
    reg = _registry(tmp_path, _single(f"{base}/table.csv", _sha(GOOD)))
    out = fetch(["demo"], registry=reg, progress=False, timeout=5)
    assert out["demo"] == settings.download_dir() / "demo"
    assert out["demo"].is_relative_to(tmp_path / "usercache")


def test_cli_fetch_with_a_custom_registry(server, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import iceberg.cli.data  # noqa: F401  (registers the commands)
    from iceberg import settings
    from iceberg.cli._app import app

    _, base, root = server
    (root / "table.csv").write_bytes(GOOD)
    _registry(tmp_path, _single(f"{base}/table.csv", _sha(GOOD)))
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path / "usercache"))
    monkeypatch.delenv("ICEBERG_DATA_DIR", raising=False)
    runner = CliRunner()
    args = ["fetch", "demo", "-q", "--registry", str(tmp_path / "registry.toml")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert (settings.download_dir() / "demo" / "table.csv").read_bytes() == GOOD
    assert "ok" in res.output
    res = runner.invoke(app, ["data", "status", "--registry", str(tmp_path / "registry.toml")])
    assert res.exit_code == 0, res.output  # the download cache is the default data directory
    (root / "table.csv").unlink()
    res = runner.invoke(app, [*args, "--force"])
    assert res.exit_code == 2 and "Traceback" not in res.output  # one line, exit code 2
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "HTTP 404" in errors[0]
    assert (settings.download_dir() / "demo" / "table.csv").read_bytes() == GOOD  # old copy kept


class _UAHandler(_Handler):
    def do_GET(self):
        self.server.agents.append(self.headers.get("User-Agent"))
        super().do_GET()


def test_user_agent_and_keep_going_over_sources(tmp_path):
    """Every request names the tool; one failing source does not stop the next one."""
    from iceberg import settings

    root = tmp_path / "www"
    root.mkdir()
    (root / "table.csv").write_bytes(GOOD)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _UAHandler)
    httpd.root, httpd.hits, httpd.agents = root, [], []
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        body = _single(f"{base}/absent.csv", None) + _single(
            f"{base}/table.csv", _sha(GOOD)
        ).replace("sources.demo", "sources.demo2")
        body += '[sources.demo2]\nprovider = "p"\ntitle = "t"\nversion = "1"\nlicence = "l"\n'
        reg = _registry(tmp_path, body)
        dest = tmp_path / "cache"
        with pytest.raises(FetchError) as err:
            fetch(["demo", "demo2"], registry=reg, dest=dest, progress=False, timeout=5)
        assert "'demo'" in str(err.value) and err.value.fetched == {"demo2": dest / "demo2"}
        assert (dest / "demo2" / "table.csv").read_bytes() == GOOD
        assert httpd.agents and set(httpd.agents) == {settings.USER_AGENT}
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
