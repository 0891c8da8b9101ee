"""The ``tools`` layer: an open, dated catalogue of AI tools (MCP servers on PyPI and npm),
matched offline to O*NET tasks and calibrated on held-out occupations (see docs/TOOLS.md).

Public API
----------
- :func:`load_catalogue` → :class:`Catalogue` (cleaned tools, counts by drop reason)
- :func:`fetch_metadata` (registry documents: description, keywords, first-release date)
- :func:`fit_tools` → :class:`ToolsFit`; :func:`tool_layers` (the ``tools`` and
  ``tools_and_labels`` capability layers)
- :func:`frontier_table` / :func:`frontier_chart` (the layer as of each month)
- :func:`load_fit`, :func:`occupation_tools`, :func:`county_tools` (which tools make an
  occupation or a county exposed)
- :func:`tools_report` / :func:`write_tools_report` (catalogue counts, ablation on held-out
  occupations, frontier)
"""

from iceberg.tools.catalogue import Catalogue, check_month, load_catalogue
from iceberg.tools.evidence import county_tools, load_fit, occupation_tools
from iceberg.tools.fetch import fetch_metadata
from iceberg.tools.frontier import frontier_chart, frontier_table
from iceberg.tools.layer import SOURCE_ID, ToolsFit, fit_tools, tool_layers
from iceberg.tools.report import tools_report, write_tools_report

__all__ = [
    "SOURCE_ID",
    "Catalogue",
    "ToolsFit",
    "check_month",
    "county_tools",
    "fetch_metadata",
    "fit_tools",
    "frontier_chart",
    "frontier_table",
    "load_catalogue",
    "load_fit",
    "occupation_tools",
    "tool_layers",
    "tools_report",
    "write_tools_report",
]
