"""Where data lives and how we identify ourselves — plain typed module globals.

Resolution of the data directory: an explicit ``--data-dir`` (set with :func:`set_data_dir`)
wins over the ``ICEBERG_DATA_DIR`` environment variable, which wins over the user cache
(where ``iceberg fetch`` downloads the official files).
"""

from __future__ import annotations

import os
from pathlib import Path

import pooch

from iceberg import __version__

#: BLS refuses anonymous clients; name the tool and where to reach its authors.
USER_AGENT: str = f"iceberg-index/{__version__} (+https://github.com/iceberg-index/iceberg; open data research tool)"

_explicit_data_dir: Path | None = None


def set_data_dir(path: str | os.PathLike | None) -> None:
    """Set the data directory for this process (what ``--data-dir`` does)."""
    global _explicit_data_dir
    _explicit_data_dir = Path(path).expanduser().resolve() if path else None


def cache_dir() -> Path:
    """User cache root: ``ICEBERG_CACHE_DIR`` or the platform cache folder."""
    env = os.environ.get("ICEBERG_CACHE_DIR")
    path = Path(env).expanduser() if env else Path(pooch.os_cache("iceberg"))
    return path


def download_dir() -> Path:
    """Where fetched official files are stored (inside the cache)."""
    return cache_dir() / "sources"


def bundle_dir() -> Path:
    """Where built bundles are stored (inside the cache)."""
    return cache_dir() / "bundles"


def data_dir() -> Path:
    """The folder holding raw source files, one sub-folder per source id.

    ``--data-dir`` > ``ICEBERG_DATA_DIR`` > the download cache.
    """
    if _explicit_data_dir is not None:
        return _explicit_data_dir
    env = os.environ.get("ICEBERG_DATA_DIR")
    if env:
        return Path(env).expanduser().resolve()
    return download_dir()


def data_dir_origin() -> str:
    """Which rule chose :func:`data_dir` (for status output)."""
    if _explicit_data_dir is not None:
        return "--data-dir"
    if os.environ.get("ICEBERG_DATA_DIR"):
        return "ICEBERG_DATA_DIR"
    return "cache"
