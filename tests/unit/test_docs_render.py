"""The O*NET attribution (a CC BY requirement) renders exactly in the Markdown docs."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from iceberg import labels

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _rendered_text(path: Path) -> tuple[str, str]:
    page = MarkdownIt("commonmark").render(path.read_text(encoding="utf-8"))
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return page, re.sub(r"\s+", " ", text)


def test_readme_carries_the_exact_onet_attribution():
    """Shipped bug: the `*` of O*NET turned the attribution into italics."""
    _, text = _rendered_text(ROOT / "README.md")
    assert labels.ONET_ATTRIBUTION in text


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_onet_is_never_italicised(path):
    page, text = _rendered_text(path)
    emphasised = re.findall(r"<em>(.*?)</em>", page, re.DOTALL)
    assert not any(e.startswith("NET") for e in emphasised), emphasised
    if "O*NET" in path.read_text(encoding="utf-8") or "O\\*NET" in path.read_text(encoding="utf-8"):
        assert "O*NET" in text
