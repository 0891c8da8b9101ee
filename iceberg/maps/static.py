"""Print-quality county maps (PNG, SVG, PDF from one matplotlib code path).

The whole US is drawn in EPSG:5070 (equal-area CONUS Albers) with Alaska, Hawaii and Puerto
Rico moved into framed insets by :func:`geodata.boundaries.inset_layout`; a single state is
drawn alone, zoomed to its counties. Every map carries a legend with units, a title, an
optional subtitle (the scenario), the caveat and the source / attribution line.
Uses matplotlib's object API on an Agg canvas (no pyplot global state: safe in Streamlit).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np

from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.classes import MapClasses

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


def _state_crs(fips: str) -> str:
    """An equal-area CRS suited to one state (the inset projections for AK, HI, PR)."""
    from geodata.boundaries import ALBERS, INSETS

    for inset in INSETS:
        if inset.state_fips == fips:
            return inset.crs
    return ALBERS


def _new_figure(figsize: tuple[float, float], dpi: int):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _legend(ax, classes: MapClasses, title: str, outside: bool) -> None:
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=c, edgecolor="#888888", linewidth=0.4, label=lab)
               for c, lab in classes.legend_items()]
    where = {"loc": "center left", "bbox_to_anchor": (1.02, 0.5)} if outside else \
        {"loc": "lower right"}
    leg = ax.legend(handles=handles, title=title, frameon=False, fontsize=7.5,
                    title_fontsize=8, handlelength=1.4, handleheight=1.0, borderaxespad=0.3,
                    **where)
    leg._legend_box.align = "left"


def _draw(ax, gdf: gpd.GeoDataFrame, colours: np.ndarray, outlines: gpd.GeoDataFrame,
          edge_width: float, state_width: float) -> None:
    gdf.plot(ax=ax, color=colours, edgecolor=style.COUNTY_EDGE, linewidth=edge_width)
    outlines.boundary.plot(ax=ax, color=style.STATE_EDGE, linewidth=state_width)


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
) -> Path:
    """Draw a county choropleth to PNG, SVG or PDF (format from the file extension).

    Parameters
    ----------
    counties_gdf : GeoDataFrame
        County result layer (``geoid``, ``state_abbr``, metric column, ``geometry``; any CRS).
    metric : str
        Column to map.
    path : str or PathLike
        Output file ``.png`` / ``.svg`` / ``.pdf`` (written atomically).
    classes : MapClasses, optional
        Classes fitted on the baseline (reuse them for scenarios); default: fitted here
        (diverging classes for a ``*_diff`` column).
    state : str, optional
        Two-letter code or FIPS: draw only that state's counties, no insets.
    title, subtitle : str, optional
        Title (default: the metric name) and subtitle (e.g. the scenario); the caveat
        "Exposure is technical capability, not a forecast of job loss." is always shown.
    dpi : int, default 300
        Resolution for PNG (and raster parts of PDF/SVG).
    scheme, k, palette
        Classification when ``classes`` is not given.
    figsize : (float, float), optional
        Inches; default 11 x 7.4 (nation) or fitted to the state's shape.

    Returns
    -------
    Path
        The written file.
    """
    target = Path(path)
    fmt = _format_of(target)
    if metric not in counties_gdf.columns:
        raise IcebergDataError("county layer lacks the metric to map", column=metric,
                               expected="a metric column of the county result layer",
                               found=list(counties_gdf.columns)[:20])
    if counties_gdf.crs is None:
        raise IcebergDataError("county layer has no CRS", column="geometry",
                               expected="a CRS (e.g. EPSG:4269)", found=None)
    if classes is None:
        classes = (MapClasses.fit_difference(counties_gdf[metric], metric)
                   if metric.endswith("_diff")
                   else MapClasses.fit(counties_gdf[metric], metric, scheme=scheme, k=k,
                                       palette=palette))

    from geodata.boundaries import inset_frames, inset_layout, state_outlines

    frames = None
    if state is None:
        layer = inset_layout(counties_gdf)
        frames = inset_frames()
        edge_width, state_width = 0.08, 0.35
    else:
        sub, fips = _select_state(counties_gdf, state)
        layer = sub.to_crs(_state_crs(fips))
        edge_width, state_width = 0.3, 0.8
    outlines = state_outlines(layer) if state is None else \
        gpd.GeoDataFrame(geometry=[layer.geometry.union_all(method="coverage")], crs=layer.crs)
    colours = classes.colours_for(layer[metric])

    minx, miny, maxx, maxy = layer.total_bounds
    if frames is not None:  # the inset boxes must fit in the view too
        fb = frames.total_bounds
        minx, miny, maxx, maxy = min(minx, fb[0]), min(miny, fb[1]), max(maxx, fb[2]), max(maxy, fb[3])
    if figsize is None:
        if state is None:
            figsize = (11.0, 7.4)
        else:
            aspect = (maxy - miny) / max(maxx - minx, 1.0)
            width = 10.0
            figsize = (width, float(np.clip(width * 0.76 * aspect + 1.6, 4.5, 11.0)))
    fig = _new_figure(figsize, dpi)
    top = 1.0 - 0.95 / figsize[1]  # leave room for the title block (inches -> fraction)
    bottom = 0.45 / figsize[1]
    # a single state keeps a right-hand column for the legend; the nation has room at lower right
    ax = fig.add_axes((0.01, bottom, 0.98 if state is None else 0.76, top - bottom))
    ax.set_axis_off()
    ax.set_aspect("equal")
    _draw(ax, layer, colours, outlines, edge_width, state_width)
    if frames is not None:
        frames.boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.5)
    pad_x, pad_y = (maxx - minx) * 0.01, (maxy - miny) * 0.01
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)

    heading = title or f"{style.metric_label(metric)} by county" + (
        f" — {layer['state_abbr'].iloc[0]}" if state is not None and "state_abbr" in layer
        else "")
    fig.text(0.015, 1.0 - 0.22 / figsize[1], heading, fontsize=14, fontweight="bold",
             va="top", family=_FONT)
    sub_lines = [subtitle] if subtitle else []
    sub_lines.append(style.SUBTITLE_CAVEAT)
    fig.text(0.015, 1.0 - 0.5 / figsize[1], "\n".join(sub_lines), fontsize=9, va="top",
             color="#444444", family=_FONT, linespacing=1.4)
    fig.text(0.015, 0.12 / figsize[1], style.ATTRIBUTION, fontsize=6.5, color="#555555",
             va="bottom", family=_FONT)
    _legend(ax, classes, style.metric_label(metric).split(" (")[0],
            outside=state is not None)

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix,
                               dir=target.parent)
    os.close(fd)
    try:
        meta = {"png": {"Software": "iceberg"}, "pdf": {"Creator": "iceberg"},
                "svg": {"Creator": "iceberg"}}[fmt]
        fig.savefig(tmp, format=fmt, dpi=dpi, facecolor="white", metadata=meta)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


__all__ = ["FORMATS", "plot"]


