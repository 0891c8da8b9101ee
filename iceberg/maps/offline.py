"""Write folium maps as HTML files, optionally self-contained (works with no network).

A self-contained file inlines Leaflet's JavaScript and CSS, read at export time from the
installed ``xstatic-leaflet`` package (the same Leaflet release folium links to), with the
CSS images as data URIs. folium's other default assets (jQuery, Bootstrap, Font Awesome,
awesome-markers) serve markers and popups a choropleth does not use and are dropped; any other
external script or stylesheet makes the export fail loudly instead of writing a file that
would stay blank offline. Basemap tiles are removed in that mode.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import folium

from iceberg.fileutil import atomic_write_text
from iceberg.provenance import html_comment, output_record, write_sidecar

#: folium default assets a choropleth does not need (matched on the URL).
_DROPPABLE = (
    "jquery",
    "bootstrap",
    "awesome-markers",
    "fontawesome",
    "font-awesome",
    "leaflet.awesome.rotate",
    "glyphicons",
)
_SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"[^>]*>\s*</script>\s*', re.IGNORECASE)
_LINK_HREF = re.compile(r'<link[^>]*\shref="([^"]+)"[^>]*/?>\s*', re.IGNORECASE)
_EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


def leaflet_assets() -> tuple[str, str, str]:
    """Leaflet ``(version, javascript, css)`` from the installed ``xstatic-leaflet``.

    The CSS's ``url(images/...)`` references are replaced by data URIs.
    """
    try:
        import xstatic.pkg.leaflet as xl
    except ImportError as exc:  # declared dependency; say how to fix if it is missing
        raise RuntimeError(
            "self-contained HTML needs the 'xstatic-leaflet' package: pip install xstatic-leaflet"
        ) from exc
    base = Path(xl.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def _inline(match: re.Match) -> str:
        img = base / match.group(1)
        if not img.is_file():
            return match.group(0)
        mime = "image/svg+xml" if img.suffix == ".svg" else f"image/{img.suffix.lstrip('.')}"
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:{mime};base64,{data})"

    css = re.sub(r"url\((images/[^)]+)\)", _inline, css)
    return str(xl.VERSION), js, css


def _safe_inline(text: str, tag: str) -> str:
    # A literal closing tag inside inlined code would end the element early.
    return text.replace(f"</{tag}", f"<\\/{tag}")


def _replace_asset(url: str, leaflet_file: str, text: str, tag: str, kind: str) -> str:
    """What an external asset becomes: Leaflet's own file (name matching ``leaflet_file``)
    inlined as ``<tag>text</tag>``, a droppable folium default removed; anything else refused."""
    name = url.rsplit("/", 1)[-1].lower()
    if re.fullmatch(leaflet_file, name):
        return f"<{tag}>{_safe_inline(text, tag)}</{tag}>\n"
    if any(d in url.lower() for d in _DROPPABLE):
        return ""
    raise ValueError(f"cannot make the map self-contained: external {kind} {url}")


def make_self_contained(page: str) -> str:
    """Inline Leaflet in a rendered folium page and drop unused external assets.

    Parameters
    ----------
    page : str
        Full HTML of a folium map (``m.get_root().render()``).

    Returns
    -------
    str
        HTML with no external ``<script src>`` / ``<link href>``.

    Raises
    ------
    ValueError
        The page links an external script or stylesheet that is neither Leaflet nor one of
        the known droppable folium defaults.
    """
    _, js, css = leaflet_assets()

    def _script(match: re.Match) -> str:
        url = match.group(1)
        if not _EXTERNAL.match(url):
            return match.group(0)
        return _replace_asset(url, r"leaflet(-src)?(\.min)?\.js", js, "script", "script")

    def _link(match: re.Match) -> str:
        url = match.group(1)
        tag = match.group(0)
        if not _EXTERNAL.match(url) or "stylesheet" not in tag.lower():
            return tag
        return _replace_asset(url, r"leaflet(\.min)?\.css", css, "style", "stylesheet")

    page = _SCRIPT_SRC.sub(_script, page)
    return _LINK_HREF.sub(_link, page)


def external_references(page: str) -> list[str]:
    """URLs of external scripts and stylesheets a page still loads (empty when self-contained)."""
    urls = [m.group(1) for m in _SCRIPT_SRC.finditer(page)]
    urls += [m.group(1) for m in _LINK_HREF.finditer(page) if "stylesheet" in m.group(0).lower()]
    urls += re.findall(r"@import\s+(?:url\()?[\"']?((?:https?:)?//[^\"')\s]+)", page)
    return [u for u in urls if _EXTERNAL.match(u)]


def render_html(m: folium.Map, *, self_contained: bool = True) -> str:
    """HTML text of a map; with ``self_contained`` no basemap and Leaflet inlined."""
    if not self_contained:
        return m.get_root().render()
    tiles = {k: v for k, v in m._children.items() if isinstance(v, folium.TileLayer)}
    for key in tiles:  # no basemap offline; put the layers back afterwards
        del m._children[key]
    root = m.get_root()
    for part in (root.header, root.html, root.script):  # output of an earlier render
        for tile in tiles.values():
            part._children.pop(tile.get_name(), None)
    try:
        page = m.get_root().render()
    finally:
        m._children.update(tiles)
    return make_self_contained(page)


def to_html(m: folium.Map, path: str | os.PathLike, self_contained: bool = True, *,
            provenance: Any = None) -> Path:
    """Save a folium map as an HTML file (atomic write, readable by others).

    Parameters
    ----------
    m : folium.Map
        E.g. from :func:`iceberg.maps.explore.explore`.
    path : str or PathLike
        Output ``.html`` file.
    self_contained : bool, default True
        Inline Leaflet (from ``xstatic-leaflet``), drop the unused CDN assets and the
        basemap, so the file opens with no network. False: folium's normal page (CDN links).
    provenance : Provenance or dict, optional
        Provenance of the result: embedded as an HTML comment at the top of the page and
        written as the sidecar ``<path>.provenance.json``.

    Returns
    -------
    Path
        The written file.
    """
    classes = getattr(m, "iceberg_classes", {})
    record = output_record(path, "html", provenance, self_contained=self_contained,
                           layers=list(classes),
                           classes={k: c.to_dict() for k, c in classes.items()})
    page = render_html(m, self_contained=self_contained)
    head, sep, rest = page.partition("\n") if page.lstrip().lower().startswith("<!doctype") \
        else ("", "", page)
    page = head + sep + html_comment(record) + rest  # after the doctype: no quirks mode
    target = atomic_write_text(path, page)
    write_sidecar(target, record)
    return target
