"""What the map page is made of, without a browser: the folium-built HTML
(widgets/map/page.py), the base maps (basemaps.py), the batches (markers.py), the county
outlines and the vendored files."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import struct
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from widgets.map import basemaps
from widgets.map.markers import STATUS_CODES, BatchEncoder, Marker, MarkerStatus
from widgets.map.page import QWEBCHANNEL_JS, build_page_html, county_outlines, resources_dir

URL = re.compile(r"""(?:https?|file|qrc)://[^\s"'<>)\\]+""")
ASSET = re.compile(r"""<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)\"""")

COUNTY_SEATS = {  # code: (name, WGS-84 seat)
    "441802": ("清城区", (23.698, 113.056)),
    "441803": ("清新区", (23.733, 112.991)),
    "441821": ("佛冈县", (23.879, 113.532)),
    "441823": ("阳山县", (24.465, 112.641)),
    "441825": ("连山壮族瑶族自治县", (24.570, 112.093)),
    "441826": ("连南瑶族自治县", (24.726, 112.287)),
    "441881": ("英德市", (24.186, 113.415)),
    "441882": ("连州市", (24.780, 112.377)),
}


def page_urls(html: str) -> set[str]:
    # folium writes "&" inside JSON strings as \u0026
    return set(URL.findall(html.replace("\\u0026", "&")))


# ---- the page --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "base_map",
    [
        basemaps.openstreetmap(),
        basemaps.autonavi(),
        basemaps.tianditu("0123abcd"),
        basemaps.no_tiles(),
    ],
    ids=lambda b: b.key,
)
def test_page_has_no_remote_url_but_the_tile_templates(base_map: basemaps.BaseMap) -> None:
    html = build_page_html(base_map)
    remote = {u for u in page_urls(html) if u.startswith(("http://", "https://"))}
    assert remote == {u for u in (base_map.url, base_map.overlay_url) if u}


def test_page_loads_only_vendored_assets_and_qt_webchannel() -> None:
    assets = ASSET.findall(build_page_html(basemaps.openstreetmap()))
    assert QWEBCHANNEL_JS in assets
    local = [a for a in assets if a != QWEBCHANNEL_JS]
    names = {Path(unquote(urlparse(a).path)).name for a in local}
    assert names == {"leaflet.js", "leaflet.css", "truckwatch-map.js", "truckwatch-map.css"}
    for asset in local:
        assert asset.startswith("file://")
        path = Path(unquote(urlparse(asset).path))
        assert path.is_file() and path.is_relative_to(resources_dir())


def test_page_hands_tiles_outlines_and_base_map_to_the_page_script() -> None:
    html = build_page_html(basemaps.tianditu("key"))
    init = html[html.index("truckwatch.init(") :]
    assert init.count("tile_layer_") == 2  # vec_w and its cva_w label layer
    assert "geo_json_" in init
    assert '"crs": "wgs84"' in init
    assert html.count("L.tileLayer(") == 2


def test_no_tiles_page_has_no_tile_layer_but_the_outlines() -> None:
    html = build_page_html(basemaps.no_tiles())
    assert "L.tileLayer(" not in html
    assert "441881" in html  # 英德市's outline is embedded
    assert "tiles: []" in html


def test_folium_defaults_stay_untouched() -> None:
    import folium

    build_page_html(basemaps.no_tiles())
    assert any("cdn.jsdelivr.net" in url for _, url in folium.Map.default_js)


# ---- base maps -------------------------------------------------------------------------------
def test_autonavi_is_gcj02_on_four_subdomains() -> None:
    amap = basemaps.autonavi()
    assert amap.crs == "gcj02"
    assert amap.subdomains == "1234"
    assert amap.url.startswith("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn")


def test_tianditu_needs_a_key_and_quotes_it() -> None:
    with pytest.raises(ValueError, match="key"):
        basemaps.tianditu("  ")
    tdt = basemaps.tianditu("a&b")
    assert tdt.crs == "wgs84"
    assert "LAYER=vec" in tdt.url and "LAYER=cva" in tdt.overlay_url
    assert tdt.url.endswith("tk=a%26b")


def test_offline_tiles_is_a_file_url_template(tmp_path: Path) -> None:
    offline = basemaps.offline_tiles(tmp_path / "瓦片")
    assert offline.url.startswith("file:///")
    assert offline.url.endswith("/{z}/{x}/{y}.png")
    assert "%E7%93%A6" in offline.url  # non-ASCII directory names are percent-encoded


@pytest.mark.parametrize(
    ("url", "kwargs", "message"),
    [
        ("https://tiles.example/{z}/{x}.png", {}, "lacks {y}"),
        ("https://{s}.tiles.example/{z}/{x}/{y}.png", {}, "subdomains"),
        ("https://tiles.example/{z}/{x}/{y}.png", {"crs": "bd09"}, "crs"),
    ],
)
def test_custom_xyz_rejects_bad_templates(url: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        basemaps.custom_xyz(url, **kwargs)


def test_standard_choices_offer_tianditu_only_with_a_key() -> None:
    assert [b.key for b in basemaps.standard_base_maps()] == ["osm", "autonavi", "none"]
    assert "tianditu" in [b.key for b in basemaps.standard_base_maps("k")]


# ---- batches ---------------------------------------------------------------------------------
def decode(batch: str) -> dict:
    """The reader of truckwatch-map.js applyBatch, in Python."""
    envelope = json.loads(batch)
    n = envelope["c"]
    raw = base64.b64decode(envelope["b"])
    assert len(raw) == 27 * n
    columns = {}
    offset = 0
    for name, code, size in [
        ("lat", "d", 8),
        ("lon", "d", 8),
        ("slot", "i", 4),
        ("speed", "f", 4),
        ("direction", "h", 2),
        ("status", "B", 1),
    ]:
        columns[name] = list(struct.unpack_from(f"<{n}{code}", raw, offset))
        offset += size * n
    return {"new": envelope["n"], "slots_in_use": envelope["m"], **columns}


def truck(n: int, **changes: object) -> Marker:
    values = dict(
        vehicle_id=f"v{n}",
        plate=f"粤R{n:05d}",
        lat=23.7 + n / 100,
        lon=113.0 + n / 100,
        direction=10 * n,
        speed_kmh=40.5,
        status="moving",
    )
    values.update(changes)
    return Marker(**values)  # type: ignore[arg-type]


def test_batch_carries_positions_and_new_vehicles_once() -> None:
    encoder = BatchEncoder()
    first = decode(encoder.encode([truck(1), truck(2, status=MarkerStatus.ALARM)]))
    assert first["new"] == [[0, "v1", "粤R00001"], [1, "v2", "粤R00002"]]
    assert first["slot"] == [0, 1]
    assert first["lat"] == [23.71, 23.72]  # float64: exactly what was pushed
    assert first["lon"] == [113.01, 113.02]
    assert first["direction"] == [10, 20]
    assert first["speed"] == [40.5, 40.5]
    assert first["status"] == [STATUS_CODES["moving"], STATUS_CODES["alarm"]]
    moved = decode(encoder.encode([truck(2, lat=24.0), truck(1, lat=24.5)]))
    assert moved["new"] == []  # known vehicles: no ids on the wire
    assert moved["slot"] == [1, 0]
    assert moved["lat"] == [24.0, 24.5]


def test_batch_resends_a_changed_plate() -> None:
    encoder = BatchEncoder()
    encoder.encode([truck(1)])
    assert decode(encoder.encode([truck(1, plate="粤R99999")]))["new"] == [[0, "v1", "粤R99999"]]


def test_removed_slots_are_reused_and_reset_starts_over() -> None:
    encoder = BatchEncoder()
    encoder.encode([truck(1), truck(2), truck(3)])
    encoder.remove(["v2", "unknown"])
    assert len(encoder) == 2
    batch = decode(encoder.encode([truck(4)]))
    assert batch["new"] == [[1, "v4", "粤R00004"]]
    assert batch["slots_in_use"] == 3
    encoder.reset()
    assert decode(encoder.encode([truck(9)]))["new"] == [[0, "v9", "粤R00009"]]


def test_a_vehicle_twice_in_a_batch_gets_one_slot() -> None:
    batch = decode(BatchEncoder().encode([truck(1), truck(1, lat=25.0)]))
    assert batch["slot"] == [0, 0]
    assert batch["new"] == [[0, "v1", "粤R00001"]]


def test_empty_batch_is_well_formed() -> None:
    assert decode(BatchEncoder().encode([]))["slot"] == []


def test_marker_checks_status_and_position_and_normalises_heading() -> None:
    with pytest.raises(ValueError, match="status"):
        truck(1, status="parked")
    with pytest.raises(ValueError, match="position"):
        truck(1, lat=91.0)
    assert truck(1, direction=365).direction == 5
    assert truck(1, direction=-90).direction == 270
    assert truck(1, direction=89.6).direction == 90


# ---- county outlines and vendored files ------------------------------------------------------
def inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    lat, lon = point
    hit = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            hit = not hit
    return hit


def test_outlines_are_the_eight_counties_each_around_its_seat() -> None:
    outlines = county_outlines()
    assert "rough" in outlines["description"].lower()
    features = {f["properties"]["code"]: f for f in outlines["features"]}
    assert features.keys() == COUNTY_SEATS.keys()
    for code, (name, seat) in COUNTY_SEATS.items():
        feature = features[code]
        assert feature["properties"]["name"] == name
        (ring,) = feature["geometry"]["coordinates"]
        assert ring[0] == ring[-1]
        assert inside(seat, ring), name
        others = [c for c in COUNTY_SEATS if c != code]
        assert not any(inside(COUNTY_SEATS[c][1], ring) for c in others), name
        for lon, lat in ring:
            assert 23.4 <= lat <= 25.25 and 111.9 <= lon <= 114.0


def vendored_table() -> dict[str, str]:
    text = (resources_dir() / "VENDORED.md").read_text(encoding="utf-8")
    return dict(
        (m.group(1), m.group(2)) for m in re.finditer(r"\| `([^`]+)` \| `([0-9a-f]{64})` \|", text)
    )


def test_vendored_files_match_their_recorded_sha256() -> None:
    table = vendored_table()
    assert "leaflet/leaflet.js" in table and "leaflet/LICENSE" in table
    for name, digest in table.items():
        data = (resources_dir() / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name


def test_leaflet_is_1_9_4() -> None:
    head = (resources_dir() / "leaflet" / "leaflet.js").read_text(encoding="utf-8")[:200]
    assert "Leaflet 1.9.4" in head
