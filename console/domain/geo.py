"""WGS-84 ↔ GCJ-02 (国测局坐标, "Mars coordinates") conversion; stdlib only.

Terminals report WGS-84 (JT/T 808 §4.2 table 23). Map tiles published in mainland China
(高德/AutoNavi, Tencent) are drawn in GCJ-02, an obfuscated datum offset from WGS-84 by a few
hundred metres; a WGS-84 position drawn on those tiles lands beside the road. Tianditu and
OpenStreetMap use WGS-84 and need no conversion.

The forward formula is the widely used public reconstruction (Krasovsky 1940 ellipsoid,
``a = 6378245``) as in googollee/eviltransform and wandergis/coordtransform. Outside China's
bounding box the datum is not shifted, so points there are returned unchanged. There is no
closed-form inverse; :func:`gcj02_to_wgs84` iterates the forward formula (converges to well
under a millimetre in a few steps).

``truckwatch-map.js`` carries a port of the same formula (the map converts in the page); the
widget tests check both against the same known pairs.
"""

from __future__ import annotations

import math

__all__ = ["gcj02_to_wgs84", "out_of_china", "wgs84_to_gcj02"]

_A = 6378245.0  # semi-major axis of Krasovsky 1940
_EE = 0.00669342162296594323  # its first eccentricity squared
_INVERSE_TOLERANCE_DEG = 1e-10  # ~0.01 mm
_INVERSE_MAX_STEPS = 30


def out_of_china(lat: float, lon: float) -> bool:
    """True outside the rough bounding box of China, where GCJ-02 equals WGS-84.

    The box (the one every public implementation uses) is coarse on purpose: this is the rule
    the tile providers apply, not the national border.
    """
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lat: float, lon: float) -> tuple[float, float]:
    """The GCJ-02 shift (dlat, dlon) in degrees at a WGS-84 point inside China."""
    x = lon - 105.0
    y = lat - 35.0
    common = 20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += common * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlon += common * 2.0 / 3.0
    dlon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    # The shifts above are in metres-like units; scale them to degrees at this latitude.
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return dlat, dlon


def wgs84_to_gcj02(lat: float, lon: float) -> tuple[float, float]:
    """A WGS-84 (lat, lon) as GCJ-02 (lat, lon); unchanged outside China."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat, dlon = _offset(lat, lon)
    return lat + dlat, lon + dlon


def gcj02_to_wgs84(lat: float, lon: float) -> tuple[float, float]:
    """A GCJ-02 (lat, lon) as WGS-84 (lat, lon), found by fixed-point iteration.

    Each step moves the guess by the forward error; the shift varies slowly (a few metres per
    kilometre), so the error shrinks by ~1000× per step.
    """
    if out_of_china(lat, lon):
        return lat, lon
    wlat, wlon = lat, lon
    for _ in range(_INVERSE_MAX_STEPS):
        glat, glon = wgs84_to_gcj02(wlat, wlon)
        err_lat, err_lon = glat - lat, glon - lon
        wlat -= err_lat
        wlon -= err_lon
        if abs(err_lat) < _INVERSE_TOLERANCE_DEG and abs(err_lon) < _INVERSE_TOLERANCE_DEG:
            break
    return wlat, wlon
