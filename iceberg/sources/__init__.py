"""Official data sources: the registry, where each source sits, downloads and status.

``load_registry()`` reads ``registry.toml`` (also ``data/sources.toml`` in a checkout);
``source_path(id)`` finds a source folder in the data directory; ``fetch()`` downloads into the
user cache; ``data_status()`` reports what is present and intact; ``source_hashes()`` keys the
build cache.
"""

from __future__ import annotations

from iceberg.sources.fetch import FetchError, fetch
from iceberg.sources.hashing import file_sha256
from iceberg.sources.registry import (
    REGISTRY_PATH,
    Download,
    Edition,
    FileSpec,
    Source,
    get_source,
    load_registry,
    required_sources,
    resolve_registry,
    source_path,
)
from iceberg.sources.status import (
    data_status,
    format_status,
    print_status,
    source_hashes,
    status_ok,
)

__all__ = [
    "REGISTRY_PATH",
    "Download",
    "Edition",
    "FetchError",
    "FileSpec",
    "Source",
    "data_status",
    "fetch",
    "file_sha256",
    "format_status",
    "get_source",
    "load_registry",
    "print_status",
    "required_sources",
    "resolve_registry",
    "source_hashes",
    "source_path",
    "status_ok",
]
