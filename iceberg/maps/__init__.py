"""Maps: interactive (folium) and print (matplotlib) county choropleths (internal modules).

- :mod:`iceberg.maps.explore` — folium map, total / visible / hidden layers;
- :mod:`iceberg.maps.offline` — HTML file, self-contained (Leaflet inlined) by default;
- :mod:`iceberg.maps.static` — PNG / SVG / PDF with Alaska, Hawaii, Puerto Rico insets;
- :mod:`iceberg.maps.classes` — class breaks fitted once on the baseline;
- :mod:`iceberg.maps.style` — colours.

The public entry points are ``iceberg.MapClasses``, ``iceberg.fit_classes``,
``iceberg.PageOptions``, ``iceberg.to_html`` and the ``Result.explore`` / ``Result.plot`` methods.
"""
