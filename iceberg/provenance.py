"""Provenance: which files, which vintages, which transformations, and every count.

A :class:`Provenance` travels with every bundle and result; exports write it as a JSON sidecar,
the app's methods page and notebooks render it (``_repr_html_``).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any


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
