"""Download official source files into the user cache, hash-checked and written atomically.

Every download goes through :func:`pooch.retrieve` (which streams into a temporary file and only
moves it into place when the hash matches) into a private staging folder next to the final one.
Archives are unpacked there, each file the registry pins is checked against its sha256, and only
then are the files moved into ``<dest>/<source_id>/`` with :func:`os.replace`. A failure at any
step removes the staging folder: nothing partial or unverified reaches the final path.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pooch

from iceberg.errors import IcebergDataError
from iceberg.fileutil import atomic_write_text
from iceberg.sources.hashing import file_sha256
from iceberg.sources.registry import Download, Edition, RegistryLike, Source, resolve_registry
from iceberg.sources.status import MANIFEST_NAME, check_edition, read_manifest

log = logging.getLogger("iceberg.sources")


class FetchError(IcebergDataError):
    """A download failed (offline, HTTP error, hash mismatch, truncated or bad archive)."""


def _alternative(src: Source) -> str:
    return (
        f"Alternative: download it yourself from {src.homepage or src.url} and point `--data-dir` "
        f"(or ICEBERG_DATA_DIR) at a folder holding `{src.id}/` with the official files."
    )


def _reason(exc: BaseException) -> str:
    """A short human reason for a failed attempt."""
    import requests

    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "transfer interrupted (connection closed before the announced length)"
    if isinstance(exc, requests.ConnectTimeout):
        return "timed out while connecting (offline, or the server does not answer?)"
    if isinstance(exc, requests.Timeout) or _is_stall(exc):
        return "stalled: the server stopped sending data before the file was complete (try again later)"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect (offline?)"
    if isinstance(exc, ValueError) and "hash" in str(exc).lower():
        return "sha256 mismatch: the server sent other bytes than the registered file"
    return f"{type(exc).__name__}: {exc}"


def _is_stall(exc: BaseException) -> bool:
    """A read timeout in the middle of a body: requests wraps it in a ``ConnectionError``."""
    import urllib3.exceptions

    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None:
            continue
        seen.add(id(item))
        if isinstance(item, urllib3.exceptions.ReadTimeoutError) or "read timed out" in str(item).lower():
            return True
        if isinstance(item, BaseException):
            stack.extend([item.__cause__, item.__context__, *item.args])
    return False


def _provided(download: Download, edition: Edition) -> list[str]:
    """Edition file paths a download produces."""
    if download.unpack == "zip":
        prefix = download.into + "/" if download.into else ""
        return [f.path for f in edition.files if f.path.startswith(prefix)]
    return [f"{download.into}/{download.filename}" if download.into else download.filename]


def _retrieve(
    src: Source, download: Download, workdir: Path, progress: bool, timeout: float
) -> tuple[Path, str]:
    """Fetch one download (URL, then mirrors) into ``workdir``; return (file, url used)."""
    attempts = []
    plog = pooch.get_logger()
    level = plog.level
    plog.setLevel(logging.WARNING)  # we report progress ourselves
    try:
        for url in download.urls:
            got = _try_url(url, download, workdir, progress, timeout)
            if isinstance(got, Path):
                return got, url
            attempts.append(f"{url}: {got}")
            log.info("download failed: %s (%s)", url, got)
    finally:
        plog.setLevel(level)
    raise FetchError(
        f"could not download {download.filename!r} of data source {src.id!r}; tried "
        + "; ".join(attempts)
        + ". "
        + _alternative(src),
        file=download.url,
        expected=f"sha256 {download.sha256}" if download.sha256 else "a complete download",
    )


def _try_url(
    url: str, download: Download, workdir: Path, progress: bool, timeout: float
) -> Path | str:
    """One attempt: the downloaded file, or the reason it failed."""
    downloader = pooch.HTTPDownloader(
        headers={"User-Agent": _user_agent()}, progressbar=progress, timeout=timeout
    )
    known = f"sha256:{download.sha256}" if download.sha256 else None
    try:
        path = pooch.retrieve(
            url,
            known_hash=known,
            fname=Path(download.filename).name,
            path=workdir,
            downloader=downloader,
            progressbar=progress,
        )
    except Exception as exc:  # noqa: BLE001  (every failure becomes one clear FetchError)
        return _reason(exc)
    return Path(path)


def _user_agent() -> str:
    from iceberg import settings

    return settings.USER_AGENT


def _unzip(
    src: Source, download: Download, archive: Path, edition: Edition, staging: Path
) -> list[str]:
    """Extract the edition's files (matched by path suffix) from a zip into ``staging``."""
    wanted = _provided(download, edition)
    specs = {f.path: f for f in edition.files}
    prefix = download.into + "/" if download.into else ""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [i for i in zf.infolist() if not i.is_dir() and "__MACOSX/" not in i.filename]
            out = []
            for rel in wanted:
                inner = rel[len(prefix) :]
                hits = [
                    m for m in members if m.filename == inner or m.filename.endswith("/" + inner)
                ]
                if not hits:
                    if specs[rel].required:
                        raise FetchError(
                            f"archive of data source {src.id!r} lacks a required file",
                            file=download.url,
                            expected=inner,
                            found=", ".join(m.filename for m in members[:8]),
                        )
                    continue
                member = min(hits, key=lambda m: len(m.filename))  # the shallowest match
                target = staging / rel  # the spec path, never the member name (no zip-slip)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as fin, open(target, "wb") as fout:
                    shutil.copyfileobj(fin, fout, 1 << 20)
                out.append(rel)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise FetchError(
            f"download of data source {src.id!r} is not a readable zip archive ({exc}). "
            + _alternative(src),
            file=download.url,
        ) from None
    return out


def _write_json_atomic(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True))


def _needed(
    src: Source, edition: Edition, final: Path, include_optional: bool, force: bool
) -> list[Download]:
    """Downloads still to do: skip those whose files are all present and intact."""
    todo = [d for d in edition.downloads if d.required or include_optional]
    if force or not final.is_dir():
        return todo
    chk = check_edition(src, edition, final)
    good = set(chk.present) - set(chk.mismatched)
    return [d for d in todo if not set(_provided(d, edition)) <= good]


def fetch_source(
    src: Source,
    dest: Path,
    *,
    progress: bool = True,
    include_optional: bool = False,
    force: bool = False,
    timeout: float = 60.0,
    echo: Callable[[str], None] | None = None,
) -> Path:
    """Fetch one source's download edition into ``dest/<id>``; see :func:`fetch`."""
    say = echo or (lambda msg: log.info("%s", msg))
    edition = src.download_edition
    if not edition.downloads:
        raise FetchError(
            f"data source {src.id!r} has no download in the registry. " + _alternative(src)
        )
    final = dest / src.id
    todo = _needed(src, edition, final, include_optional, force)
    if not todo:
        say(f"{src.id}: already present and intact in {final}")
        return final
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.glob(f".{src.id}.*.partial"):  # left by a killed run; an hour is plenty
        if stale.is_dir() and _dt.datetime.now().timestamp() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{src.id}.", suffix=".partial", dir=dest))
    try:
        records, produced = [], {}
        for d in todo:
            say(f"{src.id}: downloading {d.url}")
            archive, used = _retrieve(src, d, staging / ".downloads", progress, timeout)
            digest = d.sha256 or file_sha256(archive)
            records.append(
                {"url": used, "filename": d.filename, "sha256": digest, "verified": bool(d.sha256)}
            )
            if d.unpack == "zip":
                rels = _unzip(src, d, archive, edition, staging / "files")
                archive.unlink()
            else:
                rel = _provided(d, edition)[0]
                (staging / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(archive, staging / "files" / rel)
                rels = [rel]
            for rel in rels:
                produced[rel] = bool(d.sha256)
        # Check every produced file the registry pins; an archive's own hash is often unknown.
        specs = {f.path: f for f in edition.files}
        files = {}
        for rel, archive_verified in produced.items():
            digest = file_sha256(staging / "files" / rel)
            spec = specs.get(rel)
            if spec is not None and spec.sha256 and digest != spec.sha256:
                raise FetchError(
                    f"downloaded file of data source {src.id!r} differs from the registered one "
                    "(server changed the file, or the transfer was corrupted). "
                    + _alternative(src),
                    file=rel,
                    expected=f"sha256 {spec.sha256}",
                    found=f"sha256 {digest}",
                )
            verified = bool(spec and spec.sha256) or archive_verified
            files[rel] = {
                "sha256": digest,
                "size": (staging / "files" / rel).stat().st_size,
                "verified": verified,
            }
        have = set(files) | ({p for p in (f.path for f in edition.files) if (final / p).is_file()})
        lacking = [f.path for f in edition.required_files if f.path not in have]
        if lacking:
            raise FetchError(
                f"downloads of data source {src.id!r} did not provide every required file. "
                + _alternative(src),
                file=edition.downloads[0].url,
                expected=", ".join(lacking),
                found="missing",
            )
        # All verified: move into place (same filesystem, so each os.replace is atomic).
        for rel in files:
            target = final / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "files" / rel, target)
        old = read_manifest(final)
        manifest = {
            "source": src.id,
            "edition": edition.name,
            "version": src.version,
            "fetched": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "downloads": (old.get("downloads", []) if old.get("edition") == edition.name else [])
            + records,
            "files": {
                **(old.get("files", {}) if old.get("edition") == edition.name else {}),
                **files,
            },
        }
        _write_json_atomic(final / MANIFEST_NAME, manifest)
        unverified = sorted(rel for rel, info in files.items() if not info["verified"])
        if unverified:
            say(
                f"{src.id}: {len(unverified)} file(s) unverified (the registry has no official hash; "
                f"computed sha256 recorded in {final / MANIFEST_NAME})"
            )
        say(f"{src.id}: {len(files)} file(s) ready in {final}")
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(
    source_ids: Iterable[str] | None = None,
    *,
    progress: bool = True,
    registry: RegistryLike = None,
    dest: str | os.PathLike | None = None,
    include_optional: bool = False,
    force: bool = False,
    timeout: float = 60.0,
    echo: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Download official source files into the cache (the default data directory).

    Parameters
    ----------
    source_ids : iterable of str, optional
        Registry ids; default every source that has a download.
    progress : bool
        Show a progress bar per file.
    registry : mapping or path, optional
        Registry to use (a loaded mapping or a TOML path); default the shipped one. Tests and
        mirrors point downloads elsewhere this way.
    dest : path, optional
        Folder receiving ``<source_id>/``; default :func:`iceberg.settings.download_dir`.
    include_optional : bool
        Also fetch downloads marked optional (e.g. 5m county boundaries).
    force : bool
        Download again even when the files are present and intact.
    timeout : float
        Seconds without data before a request is abandoned.
    echo : callable, optional
        Receives one-line progress messages (the CLI passes ``typer.echo``); default logging.

    Returns
    -------
    dict[str, Path]
        Source id -> its folder.

    Raises
    ------
    FetchError
        (an :class:`IcebergDataError`) on any failure — offline, HTTP error, hash mismatch,
        truncated transfer, unreadable archive — naming the source, the URL(s) tried and the
        ``--data-dir`` alternative. Every requested source is attempted first; sources that
        succeeded stay in place and are listed in the error's ``fetched`` attribute.
    """
    from iceberg import settings

    reg = resolve_registry(registry)
    # default: every source that has a download (a local-only snapshot, such as the AI tool
    # catalogue, is only fetched when named, and then fails with the --data-dir alternative)
    ids = ([s for s in reg if reg[s].download_edition.downloads] if source_ids is None
           else list(source_ids))
    unknown = [s for s in ids if s not in reg]
    if unknown:
        raise FetchError(
            "unknown data source(s): " + ", ".join(unknown), expected="one of " + ", ".join(reg)
        )
    target = Path(dest) if dest is not None else settings.download_dir()
    done: dict[str, Path] = {}
    failed: dict[str, FetchError] = {}
    for sid in ids:  # keep going: one blocked server should not stop the other sources
        try:
            done[sid] = fetch_source(
                reg[sid],
                target,
                progress=progress,
                include_optional=include_optional,
                force=force,
                timeout=timeout,
                echo=echo,
            )
        except FetchError as exc:
            failed[sid] = exc
            if echo is not None:
                echo(f"{sid}: FAILED ({exc.message.split(';')[0]})")
    if len(failed) == 1:
        err = next(iter(failed.values()))
    elif failed:
        err = FetchError(
            f"{len(failed)} data sources could not be downloaded ({', '.join(failed)}):\n"
            + "\n".join(f"- {e}" for e in failed.values())
        )
    else:
        return done
    err.fetched = done  # what did succeed, for callers that want to carry on
    raise err
