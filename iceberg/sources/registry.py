"""The official-source registry: what each data folder holds and where it comes from.

The registry is a TOML file shipped inside the package (``iceberg/sources/registry.toml``, also
reachable as ``data/sources.toml`` in a checkout). :func:`load_registry` parses and validates it
into frozen dataclasses; :func:`source_path` resolves a source id to its folder in the data
directory.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from iceberg.errors import IcebergDataError

#: The registry shipped with the package.
REGISTRY_PATH: Path = Path(__file__).with_name("registry.toml")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

#: What a caller may pass wherever a registry is accepted: a loaded mapping, a TOML path, or None
#: (the shipped registry).
RegistryLike = Mapping[str, "Source"] | str | os.PathLike | None


@dataclass(frozen=True)
class FileSpec:
    """One file of a data folder, relative to the source folder (POSIX path)."""

    path: str
    required: bool
    sha256: str | None = None
    size: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Download:
    """One official download; ``mirrors`` are tried in order when ``url`` fails."""

    url: str
    filename: str
    sha256: str | None = None
    mirrors: tuple[str, ...] = ()
    unpack: str | None = None  # None or "zip"
    into: str = ""  # sub-folder (of the source folder) receiving the file / the unpacked members
    required: bool = True

    @property
    def urls(self) -> tuple[str, ...]:
        """The URL followed by its mirrors."""
        return (self.url, *self.mirrors)


@dataclass(frozen=True)
class Edition:
    """A file layout the loaders accept for a source (e.g. O*NET Excel vs text edition)."""

    name: str
    description: str
    files: tuple[FileSpec, ...]
    downloads: tuple[Download, ...] = ()
    derived: bool = False

    @property
    def required_files(self) -> tuple[FileSpec, ...]:
        """The files the build cannot do without."""
        return tuple(f for f in self.files if f.required)


@dataclass(frozen=True)
class Source:
    """One official source: provenance, licence and the editions a data folder may hold."""

    id: str
    provider: str
    title: str
    version: str
    homepage: str
    licence: str
    licence_url: str
    attribution: str
    redistribution: str
    required: bool
    editions: tuple[Edition, ...]
    fetch_edition: str
    notes: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    def edition(self, name: str) -> Edition:
        """The edition called ``name``."""
        for ed in self.editions:
            if ed.name == name:
                return ed
        raise KeyError(f"source {self.id!r} has no edition {name!r}")

    @property
    def download_edition(self) -> Edition:
        """The edition ``iceberg fetch`` downloads."""
        return self.edition(self.fetch_edition)

    @property
    def url(self) -> str:
        """The first official download URL (or the homepage when nothing is downloadable)."""
        downloads = self.download_edition.downloads
        return downloads[0].url if downloads else self.homepage


def _default_filename(url: str) -> str:
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return name


def _fail(registry: Path, where: str, expected: str, found: object) -> IcebergDataError:
    return IcebergDataError(
        "invalid source registry entry", file=registry, column=where, expected=expected, found=found
    )


def _safe_relpath(value: object, registry: Path, where: str) -> str:
    """A relative POSIX path that stays inside its folder."""
    if not isinstance(value, str) or not value:
        raise _fail(registry, where, "a non-empty relative path", value)
    p = PurePosixPath(value)
    if p.is_absolute() or ".." in p.parts or "\\" in value:
        raise _fail(registry, where, "a relative path inside the source folder", value)
    return str(p)


def _sha(value: object, registry: Path, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _SHA256.match(value):
        raise _fail(registry, where, "64 lower-case hex digits", value)
    return value


def _parse_file(raw: Mapping, registry: Path, where: str) -> FileSpec:
    size = raw.get("size")
    if size is not None and (not isinstance(size, int) or size < 0):
        raise _fail(registry, f"{where}.size", "a non-negative integer", size)
    return FileSpec(
        path=_safe_relpath(raw.get("path"), registry, f"{where}.path"),
        required=bool(raw.get("required", False)),
        sha256=_sha(raw.get("sha256"), registry, f"{where}.sha256"),
        size=size,
        note=str(raw.get("note", "")),
    )


def _parse_download(raw: Mapping, registry: Path, where: str) -> Download:
    url = raw.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise _fail(registry, f"{where}.url", "an http(s) URL", url)
    unpack = raw.get("unpack")
    if unpack not in (None, "zip"):
        raise _fail(registry, f"{where}.unpack", '"zip" or absent', unpack)
    mirrors = tuple(raw.get("mirrors", ()))
    filename = raw.get("filename") or _default_filename(url)
    into = raw.get("into", "")
    return Download(
        url=url,
        filename=_safe_relpath(filename, registry, f"{where}.filename"),
        sha256=_sha(raw.get("sha256"), registry, f"{where}.sha256"),
        mirrors=mirrors,
        unpack=unpack,
        into=_safe_relpath(into, registry, f"{where}.into") if into else "",
        required=bool(raw.get("required", True)),
    )


def _parse_source(sid: str, raw: Mapping, registry: Path) -> Source:
    editions = []
    for i, ed in enumerate(raw.get("editions", ())):
        where = f"{sid}.editions[{i}]"
        files = tuple(
            _parse_file(f, registry, f"{where}.files[{j}]")
            for j, f in enumerate(ed.get("files", ()))
        )
        if not files:
            raise _fail(registry, f"{where}.files", "at least one file", [])
        downloads = tuple(
            _parse_download(d, registry, f"{where}.downloads[{j}]")
            for j, d in enumerate(ed.get("downloads", ()))
        )
        editions.append(
            Edition(
                name=str(ed.get("name", f"edition{i}")),
                description=str(ed.get("description", "")),
                files=files,
                downloads=downloads,
                derived=bool(ed.get("derived", False)),
            )
        )
    if not editions:
        raise _fail(registry, f"{sid}.editions", "at least one edition", [])
    names = [e.name for e in editions]
    fetch_edition = raw.get("fetch_edition") or next(
        (e.name for e in editions if e.downloads), editions[0].name
    )
    if fetch_edition not in names:
        raise _fail(registry, f"{sid}.fetch_edition", f"one of {names}", fetch_edition)
    known = {
        "provider",
        "title",
        "version",
        "homepage",
        "licence",
        "licence_url",
        "attribution",
        "redistribution",
        "required",
        "editions",
        "fetch_edition",
        "notes",
    }
    for key in ("provider", "title", "version", "licence"):
        if not raw.get(key):
            raise _fail(registry, f"{sid}.{key}", "a non-empty string", raw.get(key))
    return Source(
        id=sid,
        provider=str(raw["provider"]),
        title=str(raw["title"]),
        version=str(raw["version"]),
        homepage=str(raw.get("homepage", "")),
        licence=str(raw["licence"]),
        licence_url=str(raw.get("licence_url", "")),
        attribution=str(raw.get("attribution", "")),
        redistribution=str(raw.get("redistribution", "")),
        required=bool(raw.get("required", False)),
        editions=tuple(editions),
        fetch_edition=str(fetch_edition),
        notes=str(raw.get("notes", "")),
        extra={k: v for k, v in raw.items() if k not in known},
    )


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> dict[str, Source]:
    registry = Path(path)
    try:
        with registry.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise IcebergDataError(
            "source registry is not valid TOML", file=registry, expected="TOML", found=str(exc)
        ) from None
    sources = doc.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise _fail(registry, "sources", "a [sources.<id>] table per source", sources)
    return {sid: _parse_source(sid, raw, registry) for sid, raw in sources.items()}


def load_registry(path: str | os.PathLike | None = None) -> dict[str, Source]:
    """Read and validate a source registry.

    Parameters
    ----------
    path : str or PathLike, optional
        A registry TOML; default the one shipped with the package.

    Returns
    -------
    dict[str, Source]
        Source id -> :class:`Source`, in file order. Cached per (path, mtime); a fresh dict is
        returned each call, the :class:`Source` objects are frozen.
    """
    registry = Path(path) if path is not None else REGISTRY_PATH
    try:
        mtime = registry.stat().st_mtime_ns
    except FileNotFoundError:
        raise IcebergDataError("source registry not found", file=registry) from None
    return dict(_load_cached(str(registry.resolve()), mtime))


def resolve_registry(registry: RegistryLike) -> dict[str, Source]:
    """Accept a loaded registry, a TOML path, or None (the shipped registry)."""
    if registry is None or isinstance(registry, (str, os.PathLike)):
        return load_registry(registry)
    return dict(registry)


def required_sources(registry: RegistryLike = None) -> tuple[str, ...]:
    """Ids of the sources ``iceberg build`` reads (``required = true`` in the registry), in
    registry order — the one list of required sources."""
    return tuple(sid for sid, src in resolve_registry(registry).items() if src.required)


def get_source(source_id: str, registry: RegistryLike = None) -> Source:
    """The registry entry of ``source_id``; an :class:`IcebergDataError` lists the known ids."""
    reg = resolve_registry(registry)
    try:
        return reg[source_id]
    except KeyError:
        raise IcebergDataError(
            f"unknown data source {source_id!r}",
            expected="one of " + ", ".join(reg),
            found=source_id,
        ) from None


def missing_source_message(src: Source, folder: Path) -> str:
    """The one-paragraph 'how to get it' text used by every missing-data error."""
    return (
        f"data source {src.id!r} ({src.title}, {src.version}) not found at {folder}. "
        f"Official download: {src.url} . Either run `iceberg fetch {src.id}` (downloads into the "
        f"user cache), or point `--data-dir` / the ICEBERG_DATA_DIR environment variable at a "
        f"folder that holds a `{src.id}/` sub-folder with the official files"
    )


def source_path(
    source_id: str, *, data_dir: str | os.PathLike | None = None, registry: RegistryLike = None
) -> Path:
    """The folder of ``source_id`` inside the data directory.

    Parameters
    ----------
    source_id : str
        A registry id, e.g. ``"onet"``.
    data_dir : path, optional
        Data directory to look in; default :func:`iceberg.settings.data_dir` (``--data-dir`` >
        ``ICEBERG_DATA_DIR`` > the download cache).
    registry : mapping or path, optional
        Registry to use; default the shipped one.

    Returns
    -------
    Path
        ``data_dir/source_id``.

    Raises
    ------
    IcebergDataError
        When the id is unknown, or the folder does not exist (naming the official URL and the
        ``--data-dir`` / ``ICEBERG_DATA_DIR`` / ``iceberg fetch`` remedies).
    """
    from iceberg import settings

    src = get_source(source_id, registry)
    base = Path(data_dir) if data_dir is not None else settings.data_dir()
    folder = base / src.id
    if not folder.is_dir():
        raise IcebergDataError(missing_source_message(src, folder), file=folder)
    return folder
