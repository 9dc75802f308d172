"""Base maps (底图): which tiles the live map draws under the trucks, and in which datum.

A :class:`BaseMap` is plain data; the page turns it into Leaflet tile layers
(``truckwatch-map.js``, ``setBaseMap``). ``crs`` says which datum the tiles are drawn in:
``"gcj02"`` for tiles published in mainland China by 高德/AutoNavi, ``"wgs84"`` for everything
else (OpenStreetMap; 天地图 is CGCS2000, within centimetres of WGS-84). Positions always
arrive in WGS-84 and the page shifts them to GCJ-02 only on a ``gcj02`` base map.

With no tiles reachable (no internet in a monitoring room, or :func:`no_tiles`) the map
still works: a plain background with the county outlines under the trucks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

__all__ = [
    "BaseMap",
    "Datum",
    "autonavi",
    "custom_xyz",
    "no_tiles",
    "offline_tiles",
    "openstreetmap",
    "standard_base_maps",
    "tianditu",
]

Datum = Literal["wgs84", "gcj02"]
DEFAULT_BACKGROUND = "#e9eef2"


@dataclass(frozen=True, slots=True)
class BaseMap:
    """One choice of tiles. ``url`` is a Leaflet XYZ template; ``""`` means no tiles."""

    key: str
    name_zh: str
    name_en: str
    url: str
    subdomains: str = ""  # Leaflet's {s}: one character per subdomain, e.g. "1234"
    attribution: str = ""
    crs: Datum = "wgs84"
    max_zoom: int = 18
    overlay_url: str = ""  # a label layer drawn above the tiles (天地图 注记), "" for none
    background: str = DEFAULT_BACKGROUND  # what shows where tiles are missing

    def __post_init__(self) -> None:
        if self.crs not in ("wgs84", "gcj02"):
            raise ValueError(f"crs must be 'wgs84' or 'gcj02', not {self.crs!r}")
        for template in filter(None, (self.url, self.overlay_url)):
            missing = [p for p in ("{x}", "{y}", "{z}") if p not in template]
            if missing:
                raise ValueError(f"tile URL {template!r} lacks {', '.join(missing)}")
            if "{s}" in template and not self.subdomains:
                raise ValueError(f"tile URL {template!r} uses {{s}} but no subdomains are given")

    @property
    def has_tiles(self) -> bool:
        return bool(self.url)

    def to_json(self) -> dict[str, Any]:
        """The dict the page's ``setBaseMap`` takes (also embedded at first load)."""
        return asdict(self)


def openstreetmap() -> BaseMap:
    """OpenStreetMap's standard tiles (WGS-84); the default."""
    return BaseMap(
        key="osm",
        name_zh="OpenStreetMap",
        name_en="OpenStreetMap",
        url="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        attribution="© OpenStreetMap contributors",
        max_zoom=19,
    )


def autonavi() -> BaseMap:
    """高德地图 road map; its tiles are GCJ-02, so positions are shifted before drawing."""
    return BaseMap(
        key="autonavi",
        name_zh="高德地图",
        name_en="AutoNavi",
        url=(
            "https://webrd0{s}.is.autonavi.com/appmaptile"
            "?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
        ),
        subdomains="1234",
        attribution="© 高德地图 AutoNavi",
        crs="gcj02",
        max_zoom=18,
    )


def _tianditu_layer(layer: str, key: str) -> str:
    return (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={quote(key, safe='')}"
    )


def tianditu(key: str) -> BaseMap:
    """天地图 vector map (vec_w) with its Chinese label layer (cva_w); needs a user key (tk)."""
    if not key.strip():
        raise ValueError("天地图 needs a key (tk): apply for one at console.tianditu.gov.cn")
    return BaseMap(
        key="tianditu",
        name_zh="天地图",
        name_en="Tianditu",
        url=_tianditu_layer("vec", key.strip()),
        overlay_url=_tianditu_layer("cva", key.strip()),
        subdomains="01234567",
        attribution="© 天地图 Tianditu",
        crs="wgs84",
        max_zoom=18,
    )


def custom_xyz(
    url: str,
    *,
    name: str = "自定义瓦片",
    crs: Datum = "wgs84",
    subdomains: str = "",
    attribution: str = "",
    max_zoom: int = 18,
) -> BaseMap:
    """Any XYZ tile server, e.g. a tile cache in the monitoring room's LAN."""
    return BaseMap(
        key="custom",
        name_zh=name,
        name_en="Custom tiles",
        url=url,
        subdomains=subdomains,
        attribution=attribution,
        crs=crs,
        max_zoom=max_zoom,
    )


def offline_tiles(
    directory: str | Path, *, ext: str = "png", crs: Datum = "wgs84", max_zoom: int = 18
) -> BaseMap:
    """Tiles pre-downloaded into ``directory/{z}/{x}/{y}.<ext>`` (for rooms with no internet)."""
    base = Path(directory).expanduser().resolve().as_uri()  # percent-encodes non-ASCII paths
    return BaseMap(
        key="offline",
        name_zh="离线瓦片",
        name_en="Offline tiles",
        url=f"{base}/{{z}}/{{x}}/{{y}}.{ext}",
        attribution="",
        crs=crs,
        max_zoom=max_zoom,
    )


def no_tiles() -> BaseMap:
    """No tiles at all: the background colour with the county outlines."""
    return BaseMap(key="none", name_zh="无底图", name_en="No base map", url="", max_zoom=18)


def standard_base_maps(tianditu_key: str = "") -> tuple[BaseMap, ...]:
    """The choices a settings menu offers (天地图 only when a key is configured)."""
    maps = [openstreetmap(), autonavi()]
    if tianditu_key.strip():
        maps.append(tianditu(tianditu_key))
    maps.append(no_tiles())
    return tuple(maps)
