"""The AI tool catalogue: read the registry listings, clean them, and count every dropped row.

A *tool* is a public package (PyPI or npm) that describes itself as a Model Context Protocol (MCP)
server or tool. The snapshot folder (``ai_tool_catalogue/`` in the data directory) holds one TSV per
registry (``pypi_mcp_packages_<YYYY-MM>.tsv``, ``npm_mcp_packages_<YYYY-MM>.tsv``) and, after
``iceberg tools fetch``, a ``metadata/`` folder with each package's registry document (longer
description, keywords, first-release date), which :func:`load_catalogue` merges in.

Cleaning (each dropped row is counted under its reason, never silently):

``non_utf8``         the row holds bytes that are not valid UTF-8;
``bad_date``         the month is not ``YYYY-MM``;
``future_date``      the month is after the snapshot month;
``empty_summary``    no summary at all;
``boilerplate``      a template sentence ("Add your description here", "reserved", "placeholder",
                     "security research" squatting packages, "A small example package", …);
``no_content``       nothing left once the generic words (MCP, server, tool, agent, …) are removed;
``not_a_tool``       clients, SDKs, frameworks, templates, gateways and proxies — software to build
                     or call MCP tools, not a tool that performs work;
``duplicate_name``   the same package name on both registries (or twice), keeping the first;
``duplicate_summary`` the same (normalised) summary as an earlier package: forks and re-uploads.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from iceberg.errors import IcebergDataError

#: Registries the catalogue reads, with the TSV columns each must have.
REGISTRIES = {
    "pypi": ("name", "version", "month", "summary"),
    "npm": ("name", "version", "summary"),
}
#: Dropped-row reasons, in the order they are checked.
DROP_REASONS = ("non_utf8", "bad_date", "future_date", "empty_summary", "boilerplate",
                "no_content", "not_a_tool", "duplicate_name", "duplicate_summary")

_BOILERPLATE = re.compile(
    r"add your description here|^a (?:small )?(?:example|sample|test) package|reserved|placeholder|"
    r"slopsquat|squatguard|security research|dependency confusion|^test\b|^testing\b|hello world|"
    r"^todo\b|^description\b|^none$|^n/?a$|^mcp$|^a mcp server project$|do not use|"
    r"^thin wrapper that re-exports", re.IGNORECASE)
#: Building blocks, not tools: always dropped.
_NOT_TOOL_ALWAYS = re.compile(
    r"\b(?:templates?|boilerplate|scaffold(?:ing)?|starter(?: kit)?|cookiecutter|skeleton|"
    r"tutorial|demo|hello)\b", re.IGNORECASE)
#: Software to build or call tools: dropped unless the summary also says it is a server/tool.
_NOT_TOOL_UNLESS_SERVER = re.compile(
    r"\b(?:sdk|client(?: library)?|framework|library for (?:building|creating)|"
    r"toolkit for (?:building|creating)|gateway|proxy|inspector|registry|router|"
    r"bridge between|test(?:ing)? harness|evaluation harness|middleware)\b", re.IGNORECASE)
_SERVER = re.compile(r"\b(?:mcp[- ]?server|server (?:for|that|to|providing|exposing)|tools? (?:for|to))\b",
                     re.IGNORECASE)
#: Words every catalogue entry shares: removed before matching (they say "MCP", not what it does).
GENERIC_WORDS = re.compile(
    r"\b(?:model context protocol|mcp[-_ ]?servers?|mcp|fastmcp|servers?|llms?|ai[- ]agents?|"
    r"agents?|agentic|ai assistants?|assistants?|claude(?: desktop| code)?|cursor|chatgpt|"
    r"ai|tools?|toolkit|integration|implementation|python|typescript|node(?:\.?js)?|npm|pypi|"
    r"package|provides?|providing|enables?|allows?|access|using|via|based|simple|powerful|"
    r"lightweight)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Catalogue:
    """The cleaned tool catalogue.

    Attributes
    ----------
    tools : pd.DataFrame
        One row per kept tool: ``tool_id`` (``registry:name``), ``registry``, ``name``,
        ``summary``, ``text`` (what is embedded: summary, description start and keywords,
        without the generic MCP words), ``month`` (``YYYY-MM``, when the tool appeared),
        ``date_source`` (``first_release`` from the registry document, ``latest_release`` — an
        upper bound — or ``snapshot``), ``popularity`` (monthly downloads or rank, may be NaN).
    counts : dict[str, int]
        ``rows_read``, ``kept`` and one count per reason of :data:`DROP_REASONS`.
    snapshot_month : str
        ``YYYY-MM`` of the listing; tools dated after it are excluded.
    sha256 : str
        Hash of the kept tools' text and month (keys the embedding cache).
    files : dict[str, str]
        The files read, with their sha256.
    """

    tools: pd.DataFrame
    counts: dict[str, int]
    snapshot_month: str
    sha256: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def months(self) -> list[str]:
        """Distinct months of the kept tools, sorted."""
        return sorted(self.tools["month"].unique())

    def as_of(self, month: str) -> Catalogue:
        """The tools that had appeared by the end of ``month`` (``YYYY-MM``)."""
        month = check_month(month)
        kept = self.tools[self.tools["month"] <= month].reset_index(drop=True)
        return Catalogue(kept, {**self.counts, "kept": len(kept)}, month, _digest(kept), self.files)


def check_month(month: str, what: str = "month") -> str:
    """``YYYY-MM`` or an :class:`~iceberg.errors.IcebergArgumentError` naming ``what``."""
    from iceberg.errors import IcebergArgumentError

    text = str(month).strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise IcebergArgumentError(what, month, allowed="a month YYYY-MM, e.g. 2026-06")
    return text


def _digest(tools: pd.DataFrame) -> str:
    h = hashlib.sha256()
    for text, month in zip(tools["text"], tools["month"]):
        h.update(f"{month}\t{text}\n".encode())
    return h.hexdigest()


def _read_tsv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Read a listing; rows with bytes that are not UTF-8 are flagged, not fatal."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    frame = pd.read_csv(io.StringIO(text), sep="\t", quoting=csv.QUOTE_MINIMAL, dtype=str,
                        keep_default_na=False)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise IcebergDataError("tool listing lacks a column", file=path, column=missing[0],
                               expected="columns " + ", ".join(required), found=list(frame.columns))
    replaced = [frame[c].str.contains("\ufffd", regex=False) for c in frame.columns]
    frame["non_utf8"] = np.logical_or.reduce(replaced) if "\ufffd" in text else False
    frame["row"] = np.arange(1, len(frame) + 1)
    return frame


def snapshot_files(folder: Path) -> dict[str, Path]:
    """Registry → the newest listing file in ``folder`` (``<registry>_mcp_packages_YYYY-MM.tsv``)."""
    found = {}
    for registry in REGISTRIES:
        files = sorted(folder.glob(f"{registry}_mcp_packages_*.tsv"))
        if files:
            found[registry] = files[-1]
    return found


def read_listings(folder: str | Path) -> tuple[pd.DataFrame, str, dict[str, str]]:
    """Both registries' listings as one frame, with the snapshot month and file hashes.

    Returns
    -------
    frame : pd.DataFrame
        ``registry, name, version, month, summary, popularity, non_utf8, row, file``.
    snapshot_month : str
    files : dict
        file name → sha256.
    """
    folder = Path(folder)
    found = snapshot_files(folder)
    if not found:
        raise IcebergDataError(
            "no tool listing found", file=folder,
            expected="pypi_mcp_packages_YYYY-MM.tsv and/or npm_mcp_packages_YYYY-MM.tsv "
                     "(the ai_tool_catalogue snapshot; see `iceberg tools fetch`)")
    frames, months, files = [], [], {}
    for registry, path in found.items():
        snap = re.search(r"(\d{4}-\d{2})\.tsv$", path.name)
        if snap is None:
            raise IcebergDataError("listing file name lacks its month", file=path,
                                   expected=f"{registry}_mcp_packages_YYYY-MM.tsv")
        months.append(snap.group(1))
        files[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        raw = _read_tsv(path, REGISTRIES[registry])
        if "month" not in raw:
            raw["month"] = ""  # npm listings carry no date: the registry document has it
        pop = raw.get("downloads_a_month", raw.get("rank_among_15000_most_downloaded", ""))
        frames.append(pd.DataFrame({
            "registry": registry, "name": raw["name"].str.strip(), "version": raw["version"],
            "month": raw["month"].str.strip(), "summary": raw["summary"].str.strip(),
            "popularity": pd.to_numeric(pd.Series(pop, index=raw.index), errors="coerce"),
            "non_utf8": raw["non_utf8"], "row": raw["row"], "file": path.name,
        }))
    return pd.concat(frames, ignore_index=True), max(months), files


def read_metadata(folder: str | Path) -> pd.DataFrame:
    """Registry documents fetched by :func:`iceberg.tools.fetch.fetch_metadata` (may be empty).

    Returns ``registry, name, description, keywords, first_release`` (``YYYY-MM-DD`` or "").
    """
    rows = []
    for path in sorted(Path(folder).glob("metadata/*/*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable record is fetched again by the next `iceberg tools fetch`
        if doc.get("status") == "ok":
            rows.append({k: doc.get(k, "") for k in
                         ("registry", "name", "summary", "description", "keywords", "first_release")})
    cols = ["registry", "name", "summary", "description", "keywords", "first_release"]
    return pd.DataFrame(rows, columns=cols)


def tool_text(summary: pd.Series, description: pd.Series | None = None,
              keywords: pd.Series | None = None) -> pd.Series:
    """The text embedded for each tool: what it does, without the words every tool shares.

    Package names are left out: they are often handles or code names, and adding them lowered
    the held-out AUC of the layer (0.804 → 0.792 on the 2026-11 snapshot).
    """
    parts = [summary]
    if description is not None:
        parts.append(description.fillna("").str.slice(0, 400))
    if keywords is not None:
        parts.append(keywords.fillna(""))
    cleaned = []
    for part in [p for i, p in enumerate(parts) if i == 0 or (p.astype(str) != "").any()]:
        part = part.astype(str).str.replace(r"https?://\S+", " ", regex=True)
        part = part.str.replace(GENERIC_WORDS, " ", regex=True)
        part = part.str.replace(r"[^\w\s,;:()/'&+-]", " ", regex=True)
        cleaned.append(part.str.replace(r"\s+", " ", regex=True).str.strip(" ,;:-"))
    text = cleaned[0]
    for part in cleaned[1:]:
        text = np.where(part == "", text, np.where(text == "", part, text + ". " + part))
        text = pd.Series(text, index=summary.index)
    return text.str.strip()


def clean(listings: pd.DataFrame, snapshot_month: str,
          metadata: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """Apply the cleaning rules (module docstring); return kept tools and counts by reason."""
    frame = listings.copy()
    if metadata is not None and len(metadata):
        meta = metadata.drop_duplicates(["registry", "name"]).set_index(["registry", "name"])
        idx = pd.MultiIndex.from_frame(frame[["registry", "name"]])
        for col in ("description", "keywords", "first_release"):
            frame[col] = meta[col].reindex(idx).fillna("").to_numpy()
        longer = meta["summary"].reindex(idx).fillna("").to_numpy()
        frame["summary"] = np.where(frame["summary"] == "", longer, frame["summary"])
    else:
        for col in ("description", "keywords", "first_release"):
            frame[col] = ""
    first = frame["first_release"].astype(str).str.slice(0, 7)
    has_first = first.str.fullmatch(r"\d{4}-\d{2}")
    frame["date_source"] = np.where(has_first, "first_release",
                                    np.where(frame["month"] != "", "latest_release", "snapshot"))
    frame["month"] = np.where(has_first, first,
                              np.where(frame["month"] != "", frame["month"], snapshot_month))
    # a terse summary is rescued by the registry description (after `iceberg tools fetch`)
    content = (frame["summary"] + " " + frame["description"].str.slice(0, 200)).str.replace(
        GENERIC_WORDS, " ", regex=True)
    content = content.str.replace(r"[\W\d_]+", " ", regex=True).str.strip()
    name_key = (frame["name"].str.lower().str.replace(r"^@[^/]+/", "", regex=True)
                .str.replace(r"[-_.]+", "-", regex=True))
    summary_key = frame["summary"].str.lower().str.replace(r"[\W_]+", " ", regex=True).str.strip()
    checks = {
        "non_utf8": frame["non_utf8"].astype(bool),
        "bad_date": ~frame["month"].str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])"),
        "future_date": frame["month"] > snapshot_month,
        "empty_summary": frame["summary"] == "",
        "boilerplate": frame["summary"].str.contains(_BOILERPLATE),
        "no_content": content.str.len() < 8,
        "not_a_tool": frame["summary"].str.contains(_NOT_TOOL_ALWAYS)
        | (frame["summary"].str.contains(_NOT_TOOL_UNLESS_SERVER)
           & ~frame["summary"].str.contains(_SERVER)),
    }
    reason = pd.Series("", index=frame.index)
    for name, mask in checks.items():
        reason[(reason == "") & mask.fillna(True).to_numpy(dtype=bool)] = name
    # Duplicates among the rows still in: the first (earliest month) wins.
    order = frame.assign(_r=reason).sort_values(["month", "registry", "row"], kind="stable").index
    alive = reason.loc[order] == ""
    dup_name = name_key.loc[order][alive].duplicated()
    reason.loc[dup_name[dup_name].index] = "duplicate_name"
    alive = reason.loc[order] == ""
    dup_sum = summary_key.loc[order][alive].duplicated()
    reason.loc[dup_sum[dup_sum].index] = "duplicate_summary"
    counts = {"rows_read": len(frame)}
    counts.update({r: int((reason == r).sum()) for r in DROP_REASONS})
    kept = frame[reason == ""]
    kept = kept.assign(text=tool_text(kept["summary"], kept["description"], kept["keywords"]))
    counts["kept"] = len(kept)
    tools = pd.DataFrame({
        "tool_id": kept["registry"] + ":" + kept["name"], "registry": kept["registry"],
        "name": kept["name"], "summary": kept["summary"], "text": kept["text"],
        "month": kept["month"], "date_source": kept["date_source"],
        "popularity": kept["popularity"],
    }).sort_values(["month", "tool_id"], kind="stable").reset_index(drop=True)
    return tools, counts


def load_catalogue(folder: str | Path, *, cache_dir: str | Path | None = None,
                   use_cache: bool = True) -> Catalogue:
    """Read, enrich (when ``metadata/`` is present) and clean the catalogue in ``folder``.

    The cleaned catalogue is cached (``<cache>/tools/catalogue/<key>.parquet``, key = the
    listings' and the metadata manifest's sha256 and this module's code).

    Parameters
    ----------
    folder : path
        The ``ai_tool_catalogue`` source folder.
    cache_dir : path, optional
        Default ``<ICEBERG_CACHE_DIR>/tools``.
    use_cache : bool
        Read and write the cache.

    Returns
    -------
    Catalogue

    Raises
    ------
    IcebergDataError
        When no listing is found or a listing lacks a required column.
    """
    from iceberg.tools.matching import _cache_root

    folder = Path(folder)
    found = snapshot_files(folder)
    key = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(found.values()):
        key.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    manifest = folder / "metadata" / "manifest.json"
    if manifest.is_file():
        key.update(manifest.read_bytes())
    cache = _cache_root(cache_dir) / "catalogue" / f"{key.hexdigest()[:24]}.parquet"
    if use_cache and found and cache.is_file():
        try:
            import pyarrow.parquet as pq

            tools = pd.read_parquet(cache)
            meta = json.loads(pq.read_schema(cache).metadata[b"iceberg"])
            return Catalogue(tools, meta["counts"], meta["snapshot_month"], _digest(tools),
                             meta["files"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # rebuilt below
    listings, snapshot_month, files = read_listings(folder)
    tools, counts = clean(listings, snapshot_month, read_metadata(folder))
    if tools.empty:
        raise IcebergDataError("no tool left after cleaning", file=folder,
                               expected="at least one package with a real summary", found=counts)
    if use_cache:
        import pyarrow as pa
        import pyarrow.parquet as pq

        from iceberg.fileutil import atomic_write

        table = pa.Table.from_pandas(tools, preserve_index=False)
        meta = json.dumps({"counts": counts, "snapshot_month": snapshot_month, "files": files})
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               b"iceberg": meta.encode()})
        atomic_write(cache, lambda tmp: pq.write_table(table, tmp))
    return Catalogue(tools, counts, snapshot_month, _digest(tools), files)
