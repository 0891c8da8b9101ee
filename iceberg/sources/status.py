"""What is on disk and whether it is intact: edition detection, data status, source hashes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from iceberg.errors import IcebergDataError
from iceberg.sources.hashing import cached_sha256
from iceberg.sources.registry import (
    Edition,
    RegistryLike,
    Source,
    missing_source_message,
    resolve_registry,
)

#: Written by ``iceberg fetch`` into each source folder it fills.
MANIFEST_NAME = ".iceberg-fetch.json"


def read_manifest(folder: Path) -> dict:
    """The fetch manifest of a source folder, or ``{}`` when there is none (or it is unreadable)."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class EditionCheck:
    """How well a folder matches one edition of a source."""

    source: Source
    edition: Edition
    folder: Path
    present: tuple[str, ...]  # listed files that exist
    missing_required: tuple[str, ...]
    missing_optional: tuple[str, ...]
    hashes: dict[str, str]  # present file -> sha256
    ok: tuple[str, ...]  # hash equals the registry's
    unverified: tuple[str, ...]  # no registry hash; equals the hash recorded when fetched
    unknown: tuple[str, ...]  # nothing to compare with
    mismatched: tuple[str, ...]  # differs from the registry (or from the fetch record)

    @property
    def complete(self) -> bool:
        """Every required file is present."""
        return not self.missing_required

    @property
    def hash_state(self) -> str:
        """``mismatch`` > ``unknown`` > ``unverified`` > ``ok`` (worst wins); ``""`` if no file."""
        if self.mismatched:
            return "mismatch"
        if self.unknown:
            return "unknown"
        if self.unverified:
            return "unverified"
        return "ok" if self.present else ""


def check_edition(
    src: Source, edition: Edition, folder: Path, manifest: dict | None = None
) -> EditionCheck:
    """Compare ``folder`` with one edition: presence of each file and its hash."""
    manifest = read_manifest(folder) if manifest is None else manifest
    recorded = manifest.get("files", {}) if manifest.get("edition") == edition.name else {}
    present = [f for f in edition.files if (folder / f.path).is_file()]
    hashes = {
        f.path: h for f, h in zip(present, cached_sha256(folder / f.path for f in present).values())
    }
    ok, unverified, unknown, bad = [], [], [], []
    for f in present:
        digest = hashes[f.path]
        rec = (
            recorded.get(f.path, {}).get("sha256")
            if isinstance(recorded.get(f.path), dict)
            else None
        )
        if f.sha256:
            (ok if digest == f.sha256 else bad).append(f.path)
        elif rec:
            (unverified if digest == rec else bad).append(f.path)
        else:
            unknown.append(f.path)
    names = {f.path for f in present}
    return EditionCheck(
        source=src,
        edition=edition,
        folder=folder,
        present=tuple(f.path for f in present),
        missing_required=tuple(f.path for f in edition.files if f.required and f.path not in names),
        missing_optional=tuple(
            f.path for f in edition.files if not f.required and f.path not in names
        ),
        hashes=hashes,
        ok=tuple(ok),
        unverified=tuple(unverified),
        unknown=tuple(unknown),
        mismatched=tuple(bad),
    )


def detect_edition(src: Source, folder: Path) -> EditionCheck:
    """The edition a folder holds: the fetch manifest's, else the best match.

    Best match = complete first, then fewest hash mismatches, most listed files present, fewest
    unknown hashes, the download edition, registry order.
    """
    manifest = read_manifest(folder)
    names = [e.name for e in src.editions]
    if manifest.get("edition") in names:
        return check_edition(src, src.edition(manifest["edition"]), folder, manifest)
    checks = [check_edition(src, ed, folder, manifest) for ed in src.editions]
    order = {id(c): i for i, c in enumerate(checks)}
    return min(
        checks,
        key=lambda c: (
            not c.complete,
            len(c.mismatched),
            -len(c.present),
            len(c.unknown),
            c.edition.name != src.fetch_edition,  # an empty folder: report what fetch would bring
            order[id(c)],
        ),
    )


def _data_dir(data_dir: str | os.PathLike | None) -> Path:
    from iceberg import settings

    return Path(data_dir) if data_dir is not None else settings.data_dir()


STATUS_COLUMNS = [
    "source",
    "required",
    "status",
    "found",
    "edition",
    "version",
    "files_found",
    "files_expected",
    "optional_found",
    "optional_expected",
    "hash",
    "problems",
    "path",
]


def data_status(
    source_ids: Iterable[str] | None = None,
    *,
    data_dir: str | os.PathLike | None = None,
    registry: RegistryLike = None,
) -> pd.DataFrame:
    """One row per source: found or missing, edition, files, hash check.

    Parameters
    ----------
    source_ids : iterable of str, optional
        Sources to check; default every registry source.
    data_dir : path, optional
        Data directory; default :func:`iceberg.settings.data_dir`.
    registry : mapping or path, optional
        Registry; default the shipped one.

    Returns
    -------
    pandas.DataFrame
        Columns ``source, required, status, found, edition, version, files_found,
        files_expected, optional_found, optional_expected, hash, problems, path``.
        ``status`` is ``ok`` | ``missing`` (no folder) | ``incomplete`` (a required file of the
        detected edition is absent) | ``corrupt`` (a hash differs). ``hash`` is ``ok`` |
        ``unverified`` (no official hash; matches the hash recorded at download) | ``unknown``
        (nothing to compare) | ``mismatch`` | ``""`` (nothing found). ``files_*`` count required
        files of the detected edition, ``optional_*`` its optional files.
    """
    reg = resolve_registry(registry)
    base = _data_dir(data_dir)
    ids = list(reg) if source_ids is None else list(source_ids)
    rows = []
    for sid in ids:
        if sid not in reg:
            raise IcebergDataError(
                f"unknown data source {sid!r}", expected="one of " + ", ".join(reg)
            )
        src = reg[sid]
        folder = base / sid
        row = {"source": sid, "required": src.required, "version": src.version, "path": str(folder)}
        if not folder.is_dir():
            ed = src.download_edition
            row.update(
                status="missing",
                found=False,
                edition="",
                files_found=0,
                files_expected=len(ed.required_files),
                optional_found=0,
                optional_expected=len(ed.files) - len(ed.required_files),
                hash="",
                problems=f"no folder; official download {src.url}",
            )
            rows.append(row)
            continue
        chk = detect_edition(src, folder)
        n_req = len(chk.edition.required_files)
        problems = []
        if chk.mismatched:
            problems.append("hash mismatch: " + ", ".join(chk.mismatched))
        if chk.missing_required:
            problems.append("missing: " + ", ".join(chk.missing_required))
        if chk.unknown:
            problems.append(f"{len(chk.unknown)} file(s) without a known hash")
        status = "corrupt" if chk.mismatched else ("incomplete" if chk.missing_required else "ok")
        row.update(
            status=status,
            found=True,
            edition=chk.edition.name,
            files_found=n_req - len(chk.missing_required),
            files_expected=n_req,
            optional_found=len(chk.edition.files) - n_req - len(chk.missing_optional),
            optional_expected=len(chk.edition.files) - n_req,
            hash=chk.hash_state,
            problems="; ".join(problems),
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def status_ok(status: pd.DataFrame) -> bool:
    """True unless a required source is missing/incomplete or any file is corrupt."""
    bad_required = status["required"].astype(bool) & status["status"].isin(
        ["missing", "incomplete"]
    )
    return not bool(bad_required.any() or (status["status"] == "corrupt").any())


_STYLE = {"ok": "green", "missing": "red", "incomplete": "yellow", "corrupt": "bold red"}


def format_status(status: pd.DataFrame, *, color: bool | None = None) -> str:
    """Render :func:`data_status` as a table (rich when available, else plain text)."""
    headers = ["source", "req", "status", "edition", "files", "optional", "hash", "problems"]
    cells = [
        [
            r.source,
            "yes" if r.required else "",
            r.status,
            r.edition,
            f"{r.files_found}/{r.files_expected}",
            f"{r.optional_found}/{r.optional_expected}",
            r.hash,
            r.problems,
        ]
        for r in status.itertuples()
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain fallback: fixed-width columns
        widths = [max(len(str(x)) for x in col) for col in zip(headers, *cells)]
        lines = [
            "  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip()
            for row in [headers, *cells]
        ]
        return "\n".join(lines)
    table = Table(show_lines=False, header_style="bold")
    for h in headers:
        table.add_column(h, overflow="fold")
    for row in cells:
        style = _STYLE.get(row[2], "")
        table.add_row(
            *[str(x) for x in row[:2]],
            f"[{style}]{row[2]}[/]" if style else row[2],
            *[str(x) for x in row[3:]],
        )
    console = Console(width=160, force_terminal=color, no_color=color is False, record=True)
    with console.capture() as cap:
        console.print(table)
    return cap.get()


def print_status(status: pd.DataFrame) -> None:
    """Print :func:`format_status` to stdout."""
    print(format_status(status), end="")


def source_hashes(
    source_ids: Iterable[str],
    *,
    data_dir: str | os.PathLike | None = None,
    registry: RegistryLike = None,
) -> dict[str, dict[str, str]]:
    """SHA-256 of every file of the given sources, to key the build cache.

    Covers the required files of the detected edition plus the optional ones that are present
    (an optional file such as O*NET Task Ratings changes the build when it appears). Cheap on
    repeat calls: hashes are memoised on (path, size, mtime_ns).

    Parameters
    ----------
    source_ids : iterable of str
        Sources the build reads.
    data_dir : path, optional
        Data directory; default :func:`iceberg.settings.data_dir`.
    registry : mapping or path, optional
        Registry; default the shipped one.

    Returns
    -------
    dict[str, dict[str, str]]
        ``{source_id: {relative file path: sha256}}``, plus the key ``"_edition"`` in each inner
        dict naming the detected edition.

    Raises
    ------
    IcebergDataError
        When a source folder or one of its required files is missing, or a file's hash differs
        from the registry (a corrupt or altered download).
    """
    reg = resolve_registry(registry)
    base = _data_dir(data_dir)
    out: dict[str, dict[str, str]] = {}
    for sid in source_ids:
        if sid not in reg:
            raise IcebergDataError(
                f"unknown data source {sid!r}", expected="one of " + ", ".join(reg)
            )
        src = reg[sid]
        folder = base / sid
        if not folder.is_dir():
            raise IcebergDataError(missing_source_message(src, folder), file=folder)
        chk = detect_edition(src, folder)
        if chk.missing_required:
            raise IcebergDataError(
                f"data source {sid!r} is incomplete ({chk.edition.name} edition); re-run "
                f"`iceberg fetch {sid}` or fix the folder given by --data-dir / ICEBERG_DATA_DIR",
                file=folder / chk.missing_required[0],
                expected="files " + ", ".join(chk.missing_required),
                found="missing",
            )
        if chk.mismatched:
            bad = chk.mismatched[0]
            spec = next(f for f in chk.edition.files if f.path == bad)
            raise IcebergDataError(
                f"data source {sid!r}: file differs from the registered official file (corrupt "
                f"or altered); re-run `iceberg fetch --force {sid}` or replace it",
                file=folder / bad,
                expected=f"sha256 {spec.sha256 or 'as recorded at download'}",
                found=f"sha256 {chk.hashes[bad]}",
            )
        out[sid] = {"_edition": chk.edition.name, **dict(sorted(chk.hashes.items()))}
    return out
