"""Provenance: which files, which vintages, which transformations, and every count.

A :class:`Provenance` travels with every bundle and result. Every output file (map, table,
scenario run, report) gets an *output record* (:func:`output_record`): the file, its format, the
package and library versions, the time and the result's provenance. The record is written as the
sidecar ``<file>.provenance.json`` (:func:`write_sidecar`) and, where the format allows, embedded
in the file itself (:func:`figure_metadata` for PNG/SVG/PDF, :func:`html_comment`,
:func:`parquet_metadata`, :func:`gpkg_metadata`). The app's methods page and notebooks render a
:class:`Provenance` with ``_repr_html_``.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Key of the embedded record in PNG text chunks, Parquet and GeoPackage metadata.
METADATA_KEY = "iceberg_provenance"


@dataclass(frozen=True)
class Provenance:
    """Sources, build facts, counts and (for a result) the scenario that produced a figure.

    Attributes
    ----------
    sources : dict
        source id → ``{title, version, files: {name: sha256}, licence, attribution}``.
    build : dict
        Package version, build time, recipe version, task weighting used, wage basis.
    counts : dict
        stage → ``{what: count}`` of rows read, filled and excluded.
    run : dict
        Set by :meth:`with_run`: the scenario and run options.
    """

    sources: dict[str, Any] = field(default_factory=dict)
    build: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    run: dict[str, Any] = field(default_factory=dict)

    def with_run(self, **run: Any) -> Provenance:
        """A copy that also records how a result was computed."""
        return Provenance(self.sources, self.build, self.counts, {**self.run, **run})

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {"sources": self.sources, "build": self.build, "counts": self.counts, "run": self.run}

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str, **kwargs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
        return cls(data.get("sources", {}), data.get("build", {}), data.get("counts", {}), data.get("run", {}))

    def attribution(self) -> list[str]:
        """Attribution lines every published figure must carry."""
        lines = []
        for source in self.sources.values():
            text = source.get("attribution")
            if text and text not in lines:
                lines.append(text)
        return lines

    def count_rows(self) -> list[tuple[str, str, int]]:
        """Flat ``(stage, what, count)`` rows, for tables."""
        return [(stage, what, int(n)) for stage, items in self.counts.items() for what, n in items.items()
                if isinstance(n, (int, float))]

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(k)}</td><td>{esc(str(v.get('title', '')))}</td><td>{esc(str(v.get('version', '')))}</td></tr>"
            for k, v in self.sources.items()
        )
        counts = "".join(f"<tr><td>{esc(s)}</td><td>{esc(w)}</td><td style='text-align:right'>{n:,}</td></tr>"
                         for s, w, n in self.count_rows())
        build = ", ".join(f"{esc(k)}: {esc(str(v))}" for k, v in self.build.items())
        return (
            "<details><summary><b>Provenance</b></summary>"
            f"<p>{build}</p><table><tr><th>source</th><th>title</th><th>version</th></tr>{rows}</table>"
            f"<table><tr><th>stage</th><th>count</th><th>n</th></tr>{counts}</table></details>"
        )


# ---------------------------------------------------------------------------------------------
# Output records: the sidecar and the copy embedded in the file


def _package_version() -> str:
    from iceberg import __version__

    return str(__version__)


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("numpy", "pandas", "geopandas", "pyarrow", "pyogrio", "shapely", "matplotlib",
                 "folium"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover - all are dependencies
            continue
    return out


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if hasattr(obj, "item"):
        return obj.item()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    return str(obj)


def as_dict(provenance: Provenance | dict | Any | None) -> dict[str, Any]:
    """A provenance given as :class:`Provenance`, a dict, an object with ``to_dict`` or None."""
    if provenance is None:
        return {}
    if isinstance(provenance, dict):
        return provenance
    if hasattr(provenance, "to_dict"):
        return provenance.to_dict()
    return dict(provenance)


def output_record(path: str | os.PathLike, kind: str, provenance: Any = None,
                  **details: Any) -> dict[str, Any]:
    """What is recorded about one output file.

    Parameters
    ----------
    path : str or PathLike
        The output file.
    kind : str
        Its format (``"csv"``, ``"png"``, ``"html"``, ...).
    provenance : Provenance or dict, optional
        Sources, versions, scenario of the result the file shows.
    **details
        Anything else worth keeping (``metric``, ``level``, ``rows``, ``columns``, ``classes``,
        ``crs``, ``year``...).

    Returns
    -------
    dict
        ``file, format, created, package, libraries, **details, provenance`` (JSON-ready).
    """
    record = {
        "file": Path(path).name,
        "format": kind,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "package": {"name": "iceberg-index", "version": _package_version()},
        "libraries": _library_versions(),
        **details,
        "provenance": as_dict(provenance),
    }
    return json.loads(json.dumps(record, default=_json_default))


def sidecar_path(path: str | os.PathLike) -> Path:
    """``<file>.provenance.json`` beside ``path``."""
    path = Path(path)
    return path.with_name(path.name + ".provenance.json")


def write_sidecar(path: str | os.PathLike, record: dict[str, Any]) -> Path:
    """Write ``record`` as ``<path>.provenance.json`` (atomically) and return the sidecar path."""
    from iceberg.fileutil import atomic_write_text

    text = json.dumps(record, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    return atomic_write_text(sidecar_path(path), text)


def read_sidecar(path: str | os.PathLike) -> dict[str, Any] | None:
    """The sidecar record of an output file, or None when there is none."""
    side = sidecar_path(path)
    return json.loads(side.read_text(encoding="utf-8")) if side.exists() else None


def compact_json(record: dict[str, Any]) -> str:
    """One-line JSON of a record (for metadata fields)."""
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def figure_metadata(fmt: str, record: dict[str, Any]) -> dict[str, str]:
    """``metadata=`` for matplotlib's ``savefig``: the record in the format's own fields.

    PNG gets a text chunk :data:`METADATA_KEY`, SVG a Dublin Core ``Description`` and PDF the
    document-info ``Subject``; each also names iceberg as the creator.
    """
    text = compact_json(record)
    title = str(record.get("title") or "")
    if fmt == "png":
        return {"Software": "iceberg", "Title": title, METADATA_KEY: text}
    if fmt == "svg":
        return {"Creator": "iceberg", "Title": title, "Description": text}
    if fmt == "pdf":
        return {"Creator": "iceberg", "Title": title, "Subject": text}
    raise ValueError(f"no figure metadata for format {fmt!r}")


def html_comment(record: dict[str, Any]) -> str:
    """The record as an HTML comment (``--`` cannot appear inside a comment, so it is escaped)."""
    text = json.dumps(record, indent=1, ensure_ascii=False, default=_json_default)
    return "<!-- " + METADATA_KEY + "\n" + text.replace("--", "\\u002d\\u002d") + "\n-->\n"


def parquet_metadata(record: dict[str, Any]) -> dict[bytes, bytes]:
    """Key-value metadata for a Parquet schema (merged with pandas' and GeoParquet's own)."""
    return {METADATA_KEY.encode(): compact_json(record).encode("utf-8")}


def read_embedded(path: str | os.PathLike) -> dict[str, Any] | None:
    """The record embedded in an output file (Parquet, PNG, SVG, PDF, HTML, GeoPackage).

    Returns None when the file carries none (CSV, GeoJSON: read the sidecar).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    text: str | None = None
    if suffix in (".parquet", ".geoparquet"):
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
        raw = meta.get(METADATA_KEY.encode())
        text = raw.decode("utf-8") if raw else None
    elif suffix == ".png":
        from PIL import Image

        with Image.open(path) as img:
            text = img.text.get(METADATA_KEY) if hasattr(img, "text") else None
    elif suffix in (".html", ".htm"):
        page = path.read_text(encoding="utf-8")
        start = page.find("<!-- " + METADATA_KEY)
        if start >= 0:
            body = page[start + len("<!-- " + METADATA_KEY):page.index("-->", start)]
            text = body.replace("\\u002d\\u002d", "--")
    elif suffix == ".svg":
        import re
        import xml.etree.ElementTree as ET

        root = ET.parse(path).getroot()
        for el in root.iter():
            if el.tag.endswith("description") and el.text:
                text = el.text
                break
        if text is None:
            match = re.search(r"<dc:description>(.*?)</dc:description>", path.read_text("utf-8"))
            text = html.unescape(match.group(1)) if match else None
    elif suffix == ".pdf":
        raw = _pdf_string(path.read_bytes(), b"/Subject (")
        if raw is not None:
            text = raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else \
                raw.decode("latin-1")
    elif suffix == ".gpkg":
        import pyogrio

        info = pyogrio.read_info(path)
        text = (info.get("layer_metadata") or {}).get(METADATA_KEY)
    return json.loads(text) if text else None


def _pdf_string(data: bytes, key: bytes) -> bytes | None:
    """The decoded literal string after ``key`` in a PDF (escapes undone, parens balanced)."""
    start = data.find(key)
    if start < 0:
        return None
    out, depth, i = bytearray(), 1, start + len(key)
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
               ord("f"): b"\f"}
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            nxt = data[i + 1]
            if 0x30 <= nxt <= 0x37:
                j = i + 1
                while j < min(i + 4, len(data)) and 0x30 <= data[j] <= 0x37:
                    j += 1
                out.append(int(data[i + 1:j], 8))
                i = j
                continue
            out += escapes.get(nxt, bytes([nxt]))
            i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out)
        out.append(c)
        i += 1
    return None
