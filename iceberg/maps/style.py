"""Colours shared by the web and the print maps.

Names, units and number formats of the metrics are in :mod:`iceberg.labels`.
"""

from __future__ import annotations

import numpy as np

#: Colour of counties without a value ("No data"): light grey, never black.
MISSING_COLOUR = "#cfcfcf"
#: County borders (thin, white so classes read as areas) and state outlines.
COUNTY_EDGE = "#ffffff"
STATE_EDGE = "#3a3a3a"
#: Default sequential palette (ColorBrewer YlGnBu: colour-blind safe, prints well in grey).
SEQUENTIAL = "YlGnBu"
#: Palettes offered for one-signed metrics (all colour-blind safe).
SEQUENTIAL_PALETTES = ("YlGnBu", "viridis", "cividis", "PuBu", "YlOrBr")
#: Diverging palette for differences (scenario - baseline); colour-blind safe.
DIVERGING = "PuOr_r"

def palette(name: str, k: int) -> list[str]:
    """``k`` hex colours sampled from a matplotlib colormap.

    Sequential maps are sampled from 15% to 100% so the lightest class stays distinct from
    the white county borders and the grey "No data" colour.
    """
    import matplotlib
    from matplotlib.colors import to_hex

    cmap = matplotlib.colormaps[name]
    if k == 1:
        return [to_hex(cmap(0.6))]
    diverging = name.removesuffix("_r") in {"PuOr", "RdBu", "BrBG", "PiYG", "PRGn", "RdYlBu"}
    lo, hi = (0.05, 0.95) if diverging else (0.15, 1.0)
    return [to_hex(cmap(x)) for x in np.linspace(lo, hi, k)]
