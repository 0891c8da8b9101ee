"""The page pieces of the interactive map: folium / branca elements with their JavaScript
templates, the title box and the legend HTML.

:func:`iceberg.maps.explore.explore` assembles them. The county GeoJSON is written **once**
(:class:`SharedGeoJsonData`) and every metric layer (:class:`ClassedGeoJson`) reads it, styling
each feature by a class code with a short JS function; large script text bypasses branca's
re-templating (:class:`RawMacro`).
"""

from __future__ import annotations

import html

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from iceberg import labels
from iceberg.maps import style
from iceberg.maps.classes import MapClasses

FILL_OPACITY = 0.85


class RawScript(Element):
    """Script text added to the page as is.

    branca turns every rendered macro into a new jinja template; for megabytes of GeoJSON
    that lexing costs ~0.3 s, so the data elements below hand their text over unparsed.
    """

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class RawMacro(MacroElement):
    """A MacroElement whose ``script`` macro output is not re-parsed as a template."""

    def render(self, **kwargs):
        figure = self.get_root()
        script = self._template.module.__dict__["script"]
        figure.script.add_child(RawScript(str(script(self, kwargs))), name=self.get_name())


class SharedGeoJsonData(RawMacro):
    """Emits ``var <name> = <FeatureCollection>;`` once, for every layer to read.

    ``titles``: when given, each feature's ``top`` property is a list of
    ``[title index, share]`` pairs, expanded in the browser to ``"Title (share); ..."``
    (occupation titles repeat across counties: sending each once keeps the page small).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.json }};
        {%- if this.titles is not none %}
        (function(titles) {
            {{ this.get_name() }}.features.forEach(function(f) {
                var t = f.properties.top;
                if (Array.isArray(t)) {
                    f.properties.top = t.map(function(x) {
                        return x[1] ? titles[x[0]] + " (" + x[1] + ")" : titles[x[0]];
                    }).join("; ");
                }
            });
        })({{ this.titles|tojson }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(self, geojson_text: str, titles: list[str] | None = None):
        super().__init__()
        self._name = "IcebergCounties"
        self.json = geojson_text
        self.titles = titles



class StateLines(RawMacro):
    """State borders (one MultiLineString, not interactive) drawn in their own pane."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.geoJson({{ this.json }}, {pane: {{ this.pane|tojson }}, interactive: false,
            style: {color: {{ this.colour|tojson }}, weight: 0.9, opacity: 0.9, fill: false}}
        ).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, geojson_text: str, pane: str):
        super().__init__()
        self._name = "StateLines"
        self.json = geojson_text
        self.pane = pane
        self.colour = style.STATE_EDGE


class ClassedGeoJson(folium.GeoJson):
    """A ``folium.GeoJson`` drawing the shared county data, coloured by a class code.

    The fill colour is ``palette[feature.properties.k[index]]`` (class ``-1`` = missing,
    drawn in :data:`iceberg.maps.style.MISSING_COLOUR`).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            style: function(feature) {
                var c = feature.properties.k[{{ this.index }}];
                return {fillColor: c < 0 ? {{ this.missing|tojson }} : {{ this.colours|tojson }}[c],
                        fillOpacity: {{ this.fill_opacity }}, color: {{ this.edge|tojson }},
                        weight: 0.4, opacity: 0.9};
            },
            onEachFeature: function(feature, layer) {
                layer.on({
                    mouseover: function(e) {
                        e.target.setStyle({weight: 2, color: "#222222"});
                        e.target.bringToFront();
                    },
                    mouseout: function(e) { {{ this.get_name() }}.resetStyle(e.target); }
                });
            }
        });
        {{ this.get_name() }}.addData({{ this.shared.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        shared: SharedGeoJsonData,
        sample_feature: dict,
        index: int,
        classes: MapClasses,
        *,
        name: str,
        tooltip: folium.GeoJsonTooltip | None = None,
    ):
        # ``data`` holds one sample feature: folium's tooltip checks its fields against it,
        # the full collection is written once by ``shared``.
        super().__init__(
            {"type": "FeatureCollection", "features": [sample_feature]},
            name=name,
            control=False,
            tooltip=tooltip,
        )
        self.shared = shared
        self.index = int(index)
        self.colours = list(classes.colours)
        self.missing = style.MISSING_COLOUR
        self.edge = style.COUNTY_EDGE
        self.fill_opacity = FILL_OPACITY
        self.classes = classes


class HatchedOverlay(MacroElement):
    """Diagonal hatching over the counties whose ``estimated_share`` (feature property ``q``)
    is at least ``threshold``; not interactive, so the tooltips underneath still work.

    The hatch is an SVG ``<pattern>`` defined once in the page; Leaflet's SVG renderer takes
    ``fillColor: "url(#…)"`` as the fill, so no plugin is needed (and it works offline).
    """

    _template = Template(
        """{% macro html(this, kwargs) %}
        <svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>
        <pattern id="iceberg-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
                 patternTransform="rotate(45)">
        <line x1="0" y1="0" x2="0" y2="6" stroke="#222222" stroke-width="1.4" stroke-opacity="0.7"/>
        </pattern></defs></svg>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        L.geoJson({{ this.shared.get_name() }}, {
            interactive: false, pane: "quality-hatch",
            filter: function(f) { return f.properties.q >= {{ this.threshold }}; },
            style: {fillColor: "url(#iceberg-hatch)", fillOpacity: 1, weight: 0}
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, shared: SharedGeoJsonData, threshold: float):
        super().__init__()
        self._name = "HatchedOverlay"
        self.shared = shared
        self.threshold = float(threshold)


class Overlay(MacroElement):
    """Title / subtitle box (none when ``title_html`` is None) and a plain HTML legend that
    follows the chosen layer."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var legends = {{ this.legends|tojson }};
            {%- if this.title_html is not none %}
            var head = L.control({position: "topleft"});
            head.onAdd = function() {
                var div = L.DomUtil.create("div", "iceberg-title");
                div.style.cssText = {{ this.title_css|tojson }};
                div.innerHTML = {{ this.title_html|tojson }};
                return div;
            };
            head.addTo(map);
            {%- endif %}
            var legend = L.control({position: {{ this.legend_position|tojson }}});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "iceberg-legend");
                div.style.cssText = {{ this.legend_css|tojson }};
                div.innerHTML = legends[{{ this.first|tojson }}];
                return div;
            };
            legend.addTo(map);
            map.on("baselayerchange", function(e) {
                if (legends[e.name] !== undefined) {
                    legend.getContainer().innerHTML = legends[e.name];
                }
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title_html: str | None, legends: dict[str, str], first: str,
                 legend_position: str = "bottomright"):
        super().__init__()
        self._name = "IcebergOverlay"
        self.legend_position = legend_position
        self.title_html = title_html
        self.legends = legends
        self.first = first
        self.title_css = (
            "background: rgba(255,255,255,0.9); padding: 6px 10px; border-radius: 4px; "
            "font: 13px/1.35 system-ui, sans-serif; max-width: 420px; "
            "box-shadow: 0 1px 4px rgba(0,0,0,0.3);"
        )
        self.legend_css = (
            "background: rgba(255,255,255,0.92); padding: 6px 10px; border-radius: 4px; "
            "font: 12px/1.4 system-ui, sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,0.3);"
        )


def legend_html(classes: MapClasses, title: str) -> str:
    """Legend block (plain HTML with inline CSS): a swatch and label per class, then "No data".

    Parameters
    ----------
    classes : MapClasses
        Classes of the layer.
    title : str
        Heading of the legend (metric name).

    Returns
    -------
    str
    """
    rows = "".join(
        f'<div><span style="display:inline-block;width:14px;height:12px;margin-right:6px;'
        f'vertical-align:middle;background:{c};border:1px solid #999"></span>{html.escape(lab)}</div>'
        for c, lab in classes.legend_items()
    )
    return f'<div style="font-weight:600;margin-bottom:3px">{html.escape(title)}</div>{rows}'


def title_html(heading: str, subtitle: str | None = None) -> str:
    """Title box content: the heading, an optional subtitle and the standing caveat
    :data:`iceberg.labels.CAVEAT` (plain HTML, text escaped)."""
    lines = [f'<div style="font-weight:600;font-size:15px">{html.escape(heading)}</div>']
    if subtitle:
        lines.append(f"<div>{html.escape(subtitle)}</div>")
    lines.append(f'<div style="color:#555">{html.escape(labels.CAVEAT)}</div>')
    return "".join(lines)
