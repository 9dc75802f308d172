"""The live map page: HTML built with folium, every asset loaded from ``resources/map``.

folium's defaults fetch Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; a monitoring
room may have no internet, so :func:`build_page_html` replaces them with the vendored Leaflet,
Qt's own ``qwebchannel.js`` (served by QtWebEngine from ``qrc:``) and our
``truckwatch-map.js``/``.css``. The only remote URLs left in the page are the base map's tile
templates, and the map works without them (plain background with the county outlines).

The HTML is returned as a string for ``QWebEnginePage.setHtml``: nothing is written next to
the resources, which may be read-only in an installed build.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from widgets.map.basemaps import BaseMap
from widgets.resources import resource_path

__all__ = [
    "QWEBCHANNEL_JS",
    "build_page_html",
    "county_outlines",
    "page_base_url",
    "resources_dir",
]

QWEBCHANNEL_JS = "qrc:///qtwebchannel/qwebchannel.js"  # built into QtWebEngine
# Where the map opens before the first fit: the middle of 清远市.
QINGYUAN_CENTRE = (24.3, 112.95)
OUTLINE_STYLE = {
    "color": "#475569",
    "weight": 1.5,
    "opacity": 0.8,
    "fillColor": "#94a3b8",
    "fillOpacity": 0.06,
}


def resources_dir() -> Path:
    """The map's resource directory: ``resources/map`` of a source checkout.

    The only lookup of the map's files; it defers to :func:`widgets.resources.resource_path`,
    which is where a packaged build says where its resources are.
    """
    return resource_path("map")


def page_base_url() -> str:
    """The URL the page is given as its own (``setHtml`` base URL): inside the resources.

    A ``file:`` origin lets the page load the vendored files and offline tile directories.
    """
    return (resources_dir() / "index.html").as_uri()


def _asset(relative: str) -> str:
    path = resources_dir() / relative
    if not path.is_file():
        raise FileNotFoundError(f"map resource missing: {path}")
    return path.as_uri()


@cache
def county_outlines() -> dict[str, Any]:
    """The rough outlines of the 8 county-level divisions of 清远 (GeoJSON, WGS-84)."""
    text = (resources_dir() / "qingyuan-counties.geojson").read_text(encoding="utf-8")
    return json.loads(text)


class _PageInit(MacroElement):
    """Hands the folium-made map, tile layers and outlines to ``truckwatch.init``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        truckwatch.init({{ this.map.get_name() }}, {
            tiles: [{% for t in this.tiles %}{{ t.get_name() }}, {% endfor %}],
            outlines: {{ this.outlines.get_name() }},
            baseMap: {{ this.base_map|tojson }}
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        leaflet_map: folium.Map,
        tiles: list[folium.TileLayer],
        outlines: folium.GeoJson,
        base_map: BaseMap,
    ) -> None:
        super().__init__()
        self._name = "TruckWatchInit"
        self.map = leaflet_map
        self.tiles = tiles
        self.outlines = outlines
        self.base_map = base_map.to_json()


def _tile_layer(url: str, base_map: BaseMap, z_index: int) -> folium.TileLayer:
    return folium.TileLayer(
        tiles=url,
        attr=base_map.attribution or " ",  # folium insists on an attribution for custom URLs
        name=base_map.name_zh,
        max_zoom=base_map.max_zoom,
        subdomains=base_map.subdomains or "abc",
        overlay=False,
        control=False,
        z_index=z_index,
    )


def build_page_html(base_map: BaseMap) -> str:
    """The complete page for ``base_map``; vehicles arrive later over the Qt bridge."""
    leaflet_map = folium.Map(
        location=QINGYUAN_CENTRE,
        zoom_start=8,
        tiles=None,
        control_scale=True,
        max_zoom=base_map.max_zoom,
    )
    # Instance attributes: folium's class-level lists are shared by every Map.
    leaflet_map.default_js = [
        ("leaflet", _asset("leaflet/leaflet.js")),
        ("qwebchannel", QWEBCHANNEL_JS),
        ("truckwatch", _asset("truckwatch-map.js")),
    ]
    leaflet_map.default_css = [
        ("leaflet_css", _asset("leaflet/leaflet.css")),
        ("truckwatch_css", _asset("truckwatch-map.css")),
    ]
    tiles = []
    for z_index, url in enumerate(filter(None, (base_map.url, base_map.overlay_url)), start=1):
        layer = _tile_layer(url, base_map, z_index)
        layer.add_to(leaflet_map)
        tiles.append(layer)
    outlines = folium.GeoJson(
        county_outlines(),
        name="县区",
        style_function=lambda _feature: OUTLINE_STYLE,
        control=False,
        interactive=False,  # clicks belong to the vehicles drawn above
    )
    outlines.add_to(leaflet_map)
    _PageInit(leaflet_map, tiles, outlines, base_map).add_to(leaflet_map)
    return leaflet_map.get_root().render()
