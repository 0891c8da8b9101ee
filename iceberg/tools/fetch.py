"""Fetch each catalogue package's registry document: description, keywords, first-release date.

Official routes (see the source's ``SOURCE.md``): PyPI's JSON API (``/pypi/<name>/json``:
``info.summary``, ``info.description``, ``info.keywords``, ``releases`` upload times — the first
upload dates the tool) and the npm registry document (``/<name>``: ``description``, ``keywords``,
``time.created``).

One JSON record per package is written atomically to
``<catalogue folder>/metadata/<registry>/<quoted name>.json`` with the sha256 of the body served,
so an interrupted run resumes where it stopped (records present are skipped) and a record is
never half-written. ``metadata/manifest.json`` sums up the run (counts, combined sha256).
:func:`iceberg.tools.catalogue.load_catalogue` merges the records in.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from tqdm.auto import tqdm

from iceberg.errors import IcebergDataError

PYPI_API = "https://pypi.org/pypi/{name}/json"
NPM_API = "https://registry.npmjs.org/{name}"
#: Characters of a long description kept (the start says what the tool does).
DESCRIPTION_CHARS = 4000


def record_path(folder: Path, registry: str, name: str) -> Path:
    """Where a package's record lives (the name is percent-quoted: ``@scope/x`` is safe)."""
    return Path(folder) / "metadata" / registry / f"{quote(name, safe='')}.json"


def _first(times: list[str]) -> str:
    times = sorted(t for t in times if t)
    return times[0][:10] if times else ""


def pypi_record(doc: dict) -> dict:
    """Fields of a PyPI JSON API document."""
    info = doc.get("info") or {}
    uploads = [f.get("upload_time_iso_8601") or f.get("upload_time") or ""
               for files in (doc.get("releases") or {}).values() for f in (files or [])]
    return {"summary": (info.get("summary") or "").strip(),
            "description": (info.get("description") or "")[:DESCRIPTION_CHARS],
            "keywords": (info.get("keywords") or "").strip(),
            "first_release": _first(uploads)}


def npm_record(doc: dict) -> dict:
    """Fields of an npm registry document."""
    keywords = doc.get("keywords") or []
    times = doc.get("time") or {}
    created = times.get("created") or _first([v for k, v in times.items()
                                              if k not in ("modified", "created")])
    return {"summary": (doc.get("description") or "").strip(),
            "description": (doc.get("readme") or "")[:DESCRIPTION_CHARS],
            "keywords": "; ".join(keywords) if isinstance(keywords, list) else str(keywords),
            "first_release": (created or "")[:10]}


def _write_json(path: Path, data: dict) -> None:
    from iceberg.fileutil import atomic_write_text

    atomic_write_text(path, json.dumps(data, ensure_ascii=False, sort_keys=True))


def _one(session, registry: str, name: str, url: str, folder: Path, timeout: float) -> str:
    """Fetch and store one package; return its outcome (``fetched``, ``not_found``, ``failed``)."""
    import requests

    try:
        resp = session.get(url, timeout=timeout)
    except requests.RequestException:
        return "failed"
    base = {"registry": registry, "name": name, "url": url,
            "fetched": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
    if resp.status_code == 404:
        _write_json(record_path(folder, registry, name), {**base, "status": "not_found"})
        return "not_found"
    if resp.status_code != 200:
        return "failed"
    try:
        doc = resp.json()
        fields = pypi_record(doc) if registry == "pypi" else npm_record(doc)
    except (ValueError, AttributeError, TypeError):
        return "failed"
    _write_json(record_path(folder, registry, name),
                {**base, **fields, "status": "ok",
                 "sha256": hashlib.sha256(resp.content).hexdigest()})
    return "fetched"


def fetch_metadata(folder: str | os.PathLike, packages: pd.DataFrame | None = None, *,
                   pypi_url: str = PYPI_API, npm_url: str = NPM_API, progress: bool = True,
                   timeout: float = 30.0, workers: int = 8, limit: int | None = None,
                   echo: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fetch the registry document of every package of the catalogue in ``folder``.

    Parameters
    ----------
    folder : path
        The ``ai_tool_catalogue`` folder (its listings name the packages; records go to
        ``metadata/`` inside it).
    packages : pd.DataFrame, optional
        ``registry, name`` to fetch instead of the listings' packages.
    pypi_url, npm_url : str
        URL templates with ``{name}`` (tests and mirrors point them elsewhere).
    progress : bool
        Progress bar.
    timeout : float
        Seconds per request.
    workers : int
        Parallel requests (the registries serve these documents from a CDN).
    limit : int, optional
        Fetch at most this many missing records (a sample; run again to continue).
    echo : callable, optional
        Receives a one-line summary.

    Returns
    -------
    dict
        ``packages, cached, fetched, not_found, failed`` — failed packages have no record and
        are tried again on the next run.
    """
    import requests

    from iceberg import settings
    from iceberg.tools.catalogue import read_listings

    folder = Path(folder)
    if packages is None:
        listings, _, _ = read_listings(folder)
        packages = listings[["registry", "name"]]
    bad = ~packages["registry"].isin(["pypi", "npm"])
    if bad.any():
        raise IcebergDataError("unknown package registry", row=int(bad.to_numpy().argmax()) + 1,
                               column="registry", expected="pypi or npm",
                               found=packages["registry"][bad].iloc[0])
    packages = packages.drop_duplicates().reset_index(drop=True)
    try:
        (folder / "metadata").mkdir(parents=True, exist_ok=True)
        probe = folder / "metadata" / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise IcebergDataError(
            "cannot write the registry documents next to the catalogue", file=folder / "metadata",
            expected="a writable folder: copy ai_tool_catalogue/ somewhere writable and pass "
                     "--folder (or point --data-dir at the copy's parent)",
            found=exc.strerror or str(exc)) from None
    todo = [(r, n) for r, n in zip(packages["registry"], packages["name"])
            if n and not record_path(folder, r, n).is_file()]
    counts = {"packages": len(packages), "cached": len(packages) - len(todo), "fetched": 0,
              "not_found": 0, "failed": 0}
    if limit is not None:
        todo = todo[:limit]
    session = requests.Session()
    session.headers["User-Agent"] = settings.USER_AGENT

    def url(registry: str, name: str) -> str:
        template = pypi_url if registry == "pypi" else npm_url
        return template.format(name=quote(name, safe="@") if registry == "npm" else quote(name))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool, \
            tqdm(total=len(todo), desc="registry documents", unit="pkg",
                 disable=not progress) as bar:
        jobs = [pool.submit(_one, session, r, n, url(r, n), folder, timeout) for r, n in todo]
        for job in jobs:
            counts[job.result()] += 1
            bar.update(1)
    _write_manifest(folder, counts)
    if echo is not None:
        echo(", ".join(f"{k}={v:,}" for k, v in counts.items()))
    return counts


def _write_manifest(folder: Path, counts: dict[str, int]) -> None:
    """``metadata/manifest.json``: when, counts, and one sha256 over every record."""
    digest = hashlib.sha256()
    records = sorted((folder / "metadata").glob("*/*.json"))
    for path in records:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    _write_json(folder / "metadata" / "manifest.json", {
        "written": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "records": len(records), "sha256": digest.hexdigest(), "last_run": counts})
