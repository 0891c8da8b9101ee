"""Fetch of registry documents against a local HTTP server: records, 404, failures, resume."""

from __future__ import annotations

import http.server
import json
import threading
from urllib.parse import unquote

import pytest

from iceberg.errors import IcebergDataError
from iceberg.tools.catalogue import load_catalogue
from iceberg.tools.fetch import fetch_metadata, npm_record, pypi_record, record_path

PYPI_DOC = {
    "info": {"summary": "Send and search email", "description": "Long README: reads Gmail "
             "inboxes, drafts replies and files messages.", "keywords": "email, gmail"},
    "releases": {"0.1": [{"upload_time_iso_8601": "2025-02-03T10:00:00Z"}],
                 "0.2": [{"upload_time_iso_8601": "2025-06-01T10:00:00Z"}], "0.3": []},
}
NPM_DOC = {"description": "Manage customer records in a CRM", "keywords": ["crm", "sales"],
           "time": {"created": "2025-04-05T00:00:00Z", "modified": "2025-10-01T00:00:00Z"},
           "readme": "A CRM tool"}


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = unquote(self.path)
        self.server.hits.append(path)
        docs = {"/pypi/gmail-mcp/json": PYPI_DOC, "/npm/@acme/crm-suite": NPM_DOC}
        if path == "/pypi/flaky-mcp/json":
            self.send_error(503, "Service Unavailable")
            return
        if path not in docs:
            self.send_error(404, "Not Found")
            return
        body = json.dumps(docs[path]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture()
def folder(tmp_path):
    f = tmp_path / "ai_tool_catalogue"
    f.mkdir()
    (f / "pypi_mcp_packages_2025-11.tsv").write_text(
        "name\tversion\tmonth\trank_among_15000_most_downloaded\tsummary\n"
        "gmail-mcp\t0.2\t2025-06\t\tGmail MCP server\n"
        "gone-mcp\t0.1\t2025-05\t\tA removed package about invoices\n"
        "flaky-mcp\t0.1\t2025-05\t\tTrack inventory levels\n", encoding="utf-8")
    (f / "npm_mcp_packages_2025-11.tsv").write_text(
        "name\tversion\tdownloads_a_month\tsummary\n@acme/crm-suite\t1.0\t10\t\n",
        encoding="utf-8")
    return f


def test_records_parse_first_release():
    assert pypi_record(PYPI_DOC)["first_release"] == "2025-02-03"
    assert npm_record(NPM_DOC) == {"summary": "Manage customer records in a CRM",
                                   "description": "A CRM tool", "keywords": "crm; sales",
                                   "first_release": "2025-04-05"}


def test_fetch_writes_records_and_resumes(server, folder, tmp_path):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    kwargs = {"pypi_url": base + "/pypi/{name}/json", "npm_url": base + "/npm/{name}",
                  "progress": False, "workers": 2, "timeout": 5}
    first = fetch_metadata(folder, **kwargs)
    assert first == {"packages": 4, "cached": 0, "fetched": 2, "not_found": 1, "failed": 1}
    rec = json.loads(record_path(folder, "pypi", "gmail-mcp").read_text())
    assert rec["status"] == "ok" and rec["first_release"] == "2025-02-03" and len(rec["sha256"]) == 64
    assert record_path(folder, "npm", "@acme/crm-suite").is_file()
    assert not record_path(folder, "pypi", "flaky-mcp").exists()  # failed: tried again next run
    manifest = json.loads((folder / "metadata" / "manifest.json").read_text())
    assert manifest["records"] == 3 and len(manifest["sha256"]) == 64
    server.hits.clear()
    again = fetch_metadata(folder, **kwargs)
    assert again["cached"] == 3 and again["fetched"] == 0 and again["failed"] == 1
    assert server.hits == ["/pypi/flaky-mcp/json"]  # resumed: only the missing one
    # the catalogue merges registry documents: first-release dates and longer text
    cat = load_catalogue(folder, cache_dir=tmp_path / "cache")
    tools = cat.tools.set_index("name")
    assert tools.loc["gmail-mcp", "month"] == "2025-02"
    assert tools.loc["gmail-mcp", "date_source"] == "first_release"
    assert "inboxes" in tools.loc["gmail-mcp", "text"]
    # the npm listing had no summary: the registry document's description fills it
    assert tools.loc["@acme/crm-suite", "summary"] == "Manage customer records in a CRM"
    assert tools.loc["@acme/crm-suite", "month"] == "2025-04"


def test_fetch_rejects_unknown_registry(folder):
    import pandas as pd

    with pytest.raises(IcebergDataError, match="registry"):
        fetch_metadata(folder, pd.DataFrame({"registry": ["cargo"], "name": ["x"]}),
                       progress=False)


def test_unwritable_metadata_folder_is_a_clear_error(folder):
    (folder / "metadata").write_text("not a folder")  # fails for root too, unlike chmod
    with pytest.raises(IcebergDataError, match="cannot write") as err:
        fetch_metadata(folder, progress=False)
    assert "metadata" in str(err.value)
