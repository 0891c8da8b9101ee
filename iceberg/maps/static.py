"""Print-quality county maps (PNG, SVG, PDF from one matplotlib code path).

The whole US is drawn in EPSG:5070 (equal-area CONUS Albers) with Alaska, Hawaii and Puerto
Rico moved into framed insets by :func:`geodata.insets.inset_layout`; a single state is
drawn alone, zoomed to its counties. Every map carries a legend with units, a title, an
optional subtitle (the scenario), the caveat and the source / attribution line.
Uses matplotlib's object API on an Agg canvas (no pyplot global state: safe in Streamlit).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np

from iceberg import labels
from iceberg.errors import IcebergDataError
from iceberg.fileutil import atomic_write
from iceberg.maps import style
from iceberg.maps.classes import MapClasses
from iceberg.provenance import figure_metadata, output_record, write_sidecar

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
_FONT = "DejaVu Sans"


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"unsupported map format {path.suffix!r}: use .png, .svg or .pdf")
    return fmt


def _select_state(gdf: gpd.GeoDataFrame, state: str) -> tuple[gpd.GeoDataFrame, str]:
    """Counties of one state (two-letter code or FIPS) and that state's FIPS code."""
    code = str(state).strip().upper()
    fips = gdf["geoid"].astype(str).str[:2]
    if code.isdigit():
        keep = fips == code.zfill(2)
    elif "state_abbr" in gdf.columns:
        keep = gdf["state_abbr"].astype(str).str.upper() == code
    else:
        raise IcebergDataError("county layer lacks state_abbr", column="state_abbr",
                               expected="a column state_abbr to select a state by code",
                               found=list(gdf.columns)[:12])
    if not keep.any():
        raise IcebergDataError("no county in the requested state", column="state_abbr",
                               expected="a state present in the county layer", found=state)
    sub = gdf.loc[keep]
    return sub, str(fips[keep].iloc[0])


def _new_figure(figsize: tuple[float, float], dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _legend(ax, classes: MapClasses, title: str, outside: bool) -> None:
    """Class legend with units; ``$`` amounts escaped so matplotlib does not read them as math."""
    from matplotlib.patches import Patch

    esc = labels.escape_mathtext
    handles = [Patch(facecolor=c, edgecolor="#888888", linewidth=0.4, label=esc(lab))
               for c, lab in classes.legend_items()]
    where = {"loc": "center left", "bbox_to_anchor": (1.02, 0.5)} if outside else \
        {"loc": "center left", "bbox_to_anchor": (0.86, 0.33)}  # the Atlantic, clear of Florida
    leg = ax.legend(handles=handles, title=esc(title), frameon=False, fontsize=7.5,
                    title_fontsize=8, handlelength=1.4, handleheight=1.0, borderaxespad=0.3,
                    **where)
    leg._legend_box.align = "left"


def plot(
    counties_gdf: gpd.GeoDataFrame,
    metric: str,
    path: str | os.PathLike,
    *,
    classes: MapClasses | None = None,
    state: str | None = None,
    title: str | None = None,
    subtitle: str | None = None,
    dpi: int = 300,
    scheme: str = "FisherJenks",
    k: int = 5,
    palette: str = style.SEQUENTIAL,
    figsize: tuple[float, float] | None = None,
    provenance: Any = None,
) -> Path:
    """Draw a county choropleth to PNG, SVG or PDF (format from the file extension).

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        County result layer (``geoid``, ``state_abbr``, metric column, ``geometry``; any CRS).
    metric : str
        Column to map.
    path : str or PathLike
        Output file ``.png`` / ``.svg`` / ``.pdf`` (written atomically, readable by others).
    classes : MapClasses, optional
        Classes fitted on the baseline (reuse them for scenarios); default: fitted here
        (diverging classes for a ``*_diff`` column).
    state : str, optional
        Two-letter code or FIPS: draw only that state's counties, no insets.
    title, subtitle : str, optional
        Title (default: the metric name) and subtitle (e.g. the scenario); the caveat
        :data:`iceberg.labels.CAVEAT` is always shown. Text is printed literally (a ``$`` is a
        dollar sign, never matplotlib math).
    dpi : int, default 300
        Resolution for PNG (and raster parts of PDF/SVG).
    scheme, k, palette
        Classification when ``classes`` is not given.
    figsize : (float, float), optional
        Inches; default 11 x 7.4 (nation) or fitted to the state's shape.
    provenance : Provenance or dict, optional
        Provenance of the result: embedded in the file's metadata (PNG text chunk, SVG
        description, PDF subject) and written as the sidecar ``<path>.provenance.json``.

    Returns
    -------
    Path
        The written file.
    """
    target = Path(path)
    fmt = _format_of(target)
    _check_layer(counties_gdf, metric)
    if classes is None:
        classes = _fit(counties_gdf[metric], metric, scheme, k, palette)
    layer, frames, widths = _map_layer(counties_gdf, state)
    bounds = _view_bounds(layer, frames)
    if figsize is None:
        figsize = _figure_size(bounds, single_state=state is not None)
    fig = _new_figure(figsize, dpi)
    ax = _map_axes(fig, figsize, single_state=state is not None)
    _draw_map(ax, layer, classes.colours_for(layer[metric]), frames, widths, bounds, state)
    heading = title or f"{labels.label(metric)} by county" + (
        f" — {layer['state_abbr'].iloc[0]}" if state is not None and "state_abbr" in layer
        else "")
    _draw_text(fig, figsize, heading, subtitle)
    unit = labels.metric(metric).unit_text if labels.is_metric(metric) else ""
    _legend(ax, classes, labels.short_label(metric) + (f"\n({unit})" if unit else ""),
            outside=state is not None)
    record = output_record(target, fmt, provenance, title=heading, metric=metric,
                           classes=classes.to_dict(), state=state)
    atomic_write(target, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white",
                                                 metadata=figure_metadata(fmt, record)))
    write_sidecar(target, record)
    return target


def _check_layer(counties_gdf: gpd.GeoDataFrame, metric: str) -> None:
    if metric not in counties_gdf.columns:
        raise IcebergDataError("county layer lacks the metric to map", column=metric,
                               expected="a metric column of the county result layer",
                               found=list(counties_gdf.columns)[:20])
    if counties_gdf.crs is None:
        raise IcebergDataError("county layer has no CRS", column="geometry",
                               expected="a CRS (e.g. EPSG:4269)", found=None)


def _fit(values, metric: str, scheme: str, k: int, palette: str) -> MapClasses:
    """Baseline classes, or diverging classes for a ``*_diff`` column."""
    if metric.endswith("_diff"):
        return MapClasses.fit_difference(values, metric)
    return MapClasses.fit(values, metric, scheme=scheme, k=k, palette=palette)


def _map_layer(counties_gdf: gpd.GeoDataFrame, state: str | None):
    """``(layer, inset frames or None, (county edge width, state edge width))`` to draw."""
    from geodata.insets import inset_frames, inset_layout, state_crs

    if state is None:
        return inset_layout(counties_gdf), inset_frames(), (0.08, 0.35)
    sub, fips = _select_state(counties_gdf, state)
    return sub.to_crs(state_crs(fips)), None, (0.3, 0.8)


def _view_bounds(layer: gpd.GeoDataFrame, frames) -> tuple[float, float, float, float]:
    """Bounds of the counties, widened to hold the inset boxes."""
    minx, miny, maxx, maxy = layer.total_bounds
    if frames is not None:
        fb = frames.total_bounds
        minx, miny, maxx, maxy = min(minx, fb[0]), min(miny, fb[1]), max(maxx, fb[2]), max(maxy, fb[3])
    return float(minx), float(miny), float(maxx), float(maxy)


def _figure_size(bounds, *, single_state: bool) -> tuple[float, float]:
    """11 x 7.4 in for the nation; a state's figure follows its shape."""
    if not single_state:
        return (11.0, 7.4)
    minx, miny, maxx, maxy = bounds
    aspect = (maxy - miny) / max(maxx - minx, 1.0)
    width = 10.0
    return (width, float(np.clip(width * 0.76 * aspect + 1.6, 4.5, 11.0)))


def _map_axes(fig, figsize: tuple[float, float], *, single_state: bool):
    """The map's axes, leaving room for the title block and (for a state) the legend column."""
    top = 1.0 - 0.95 / figsize[1]  # inches -> fraction
    bottom = 0.45 / figsize[1]
    ax = fig.add_axes((0.01, bottom, 0.76 if single_state else 0.98, top - bottom))
    ax.set_axis_off()
    ax.set_aspect("equal")
    return ax


def _draw_map(ax, layer, colours, frames, widths, bounds, state) -> None:
    """Counties, state outlines and the inset frames, zoomed to ``bounds``."""
    from geodata.boundaries import state_outlines

    outlines = state_outlines(layer) if state is None else \
        gpd.GeoDataFrame(geometry=[layer.geometry.union_all(method="coverage")], crs=layer.crs)
    layer.plot(ax=ax, color=colours, edgecolor=style.COUNTY_EDGE, linewidth=widths[0])
    outlines.boundary.plot(ax=ax, color=style.STATE_EDGE, linewidth=widths[1])
    if frames is not None:
        frames.boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.5)
    minx, miny, maxx, maxy = bounds
    pad_x, pad_y = (maxx - minx) * 0.01, (maxy - miny) * 0.01
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)


def _draw_text(fig, figsize: tuple[float, float], heading: str, subtitle: str | None) -> None:
    """Title, subtitle + caveat and the source line, printed literally."""
    esc = labels.escape_mathtext
    fig.text(0.015, 1.0 - 0.22 / figsize[1], esc(heading), fontsize=14, fontweight="bold",
             va="top", family=_FONT)
    sub_lines = [subtitle] if subtitle else []
    sub_lines.append(labels.CAVEAT)
    fig.text(0.015, 1.0 - 0.5 / figsize[1], esc("\n".join(sub_lines)), fontsize=9, va="top",
             color="#444444", family=_FONT, linespacing=1.4)
    fig.text(0.015, 0.12 / figsize[1], esc(labels.MAP_SOURCES), fontsize=6.5, color="#555555",
             va="bottom", family=_FONT)


__all__ = ["FORMATS", "plot"]
