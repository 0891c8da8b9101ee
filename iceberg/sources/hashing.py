"""File hashes, memoised on (path, size, mtime_ns) in a small JSON file in the user cache.

The build keys its cache on source hashes; the memo keeps that cheap on repeat calls without
re-reading 100 MB of files every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from iceberg.fileutil import atomic_write_text

_MEMO_NAME = "file_hashes.json"
_MEMO_MAX = 20_000  # entries; far more than the registry lists, bounded so it never grows wild

_memo_lock = threading.Lock()
_memo: dict[str, dict] | None = None
_memo_file: Path | None = None


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, as 64 lower-case hex digits (always reads the file)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _memo_path() -> Path:
    from iceberg import settings

    return settings.cache_dir() / _MEMO_NAME


def _load_memo() -> dict[str, dict]:
    global _memo, _memo_file
    path = _memo_path()
    if _memo is None or _memo_file != path:  # the cache dir can change (tests, env)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            _memo = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            _memo = {}
        _memo_file = path
    return _memo


def _save_memo(memo: dict[str, dict]) -> None:
    """Write the memo atomically (:func:`iceberg.fileutil.atomic_write_text`)."""
    path = _memo_path()
    if len(memo) > _MEMO_MAX:  # drop the oldest insertions
        for key in list(memo)[: len(memo) - _MEMO_MAX]:
            del memo[key]
    try:
        atomic_write_text(path, json.dumps(memo, separators=(",", ":")))
    except OSError:  # a read-only cache only costs speed
        pass


def cached_sha256(paths: Iterable[str | os.PathLike]) -> dict[Path, str]:
    """SHA-256 of several files, memoised on (resolved path, size, mtime_ns).

    Parameters
    ----------
    paths : iterable of path
        Existing files.

    Returns
    -------
    dict[Path, str]
        The given path -> hex digest.
    """
    out: dict[Path, str] = {}
    with _memo_lock:
        memo = _load_memo()
        dirty = False
        for p in paths:
            p = Path(p)
            st = p.stat()
            key = str(p.resolve())
            hit = memo.get(key)
            if hit and hit.get("size") == st.st_size and hit.get("mtime_ns") == st.st_mtime_ns:
                out[p] = hit["sha256"]
                continue
            digest = file_sha256(p)
            memo[key] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}
            out[p] = digest
            dirty = True
        if dirty:
            _save_memo(memo)
    return out
