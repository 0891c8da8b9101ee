"""Maps: interactive (folium) and print (matplotlib) county choropleths.

- :func:`iceberg.maps.explore.explore` — folium map, total / visible / hidden layers;
- :func:`iceberg.maps.offline.to_html` — HTML file, self-contained (Leaflet inlined) by default;
- :func:`iceberg.maps.static.plot` — PNG / SVG / PDF with Alaska, Hawaii, Puerto Rico insets;
- :class:`iceberg.maps.classes.MapClasses` — class breaks fitted once on the baseline.

Submodules are imported on use so ``import iceberg.maps`` stays light.
"""

from __future__ import annotations

__all__ = ["MapClasses", "explore", "fit_classes", "plot", "to_html"]


def __getattr__(name: str):
    if name == "MapClasses":
        from iceberg.maps.classes import MapClasses

        return MapClasses
    if name in ("explore", "fit_classes"):
        from iceberg.maps import explore as _explore

        return getattr(_explore, name)
    if name == "plot":
        from iceberg.maps.static import plot

        return plot
    if name == "to_html":
        from iceberg.maps.offline import to_html

        return to_html
    raise AttributeError(name)
