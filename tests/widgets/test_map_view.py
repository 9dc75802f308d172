"""The live map widget (widgets/map/view.py) in a real QtWebEngine page, headless.

Every check reads the page's own state through ``window.truckwatch`` (runJavaScript) or
waits for the widget's signals; nothing of QtWebEngine is mocked. The base maps have no
tiles (or local ones), so nothing leaves the machine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from console.domain.geo import wgs84_to_gcj02
from widgets.map import basemaps
from widgets.map.basemaps import BaseMap
from widgets.map.markers import Marker
from widgets.map.view import MapView

TIMEOUT_MS = 30_000
GCJ_NO_TILES = replace(basemaps.no_tiles(), key="gcj-test", crs="gcj02")
# (wgs lat, wgs lon, gcj lat, gcj lon), googollee/eviltransform's published test pairs
KNOWN_PAIRS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


def truck(n: int, **changes: Any) -> Marker:
    values: dict[str, Any] = dict(
        vehicle_id=f"v{n}",
        plate=f"粤R{n:05d}",
        lat=23.70 + n * 0.01,
        lon=113.05 + n * 0.01,
        direction=(n * 40) % 360,
        speed_kmh=30.0 + n,
        status="moving",
    )
    values.update(changes)
    return Marker(**values)


@pytest.fixture
def js(qtbot: Any) -> Callable[[MapView, str], Any]:
    """Run JavaScript in a view's page and return its result, through JSON (Qt's own
    conversion turns an empty array into "" and every number into a float)."""

    def run(view: MapView, script: str) -> Any:
        results: list[Any] = []
        view.run_js(f"JSON.stringify(({script}))", results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=TIMEOUT_MS)
        return None if results[0] is None else json.loads(results[0])

    return run


@pytest.fixture
def make_map(qtbot: Any) -> Iterator[Callable[..., MapView]]:
    """Shown MapViews (on the "no tiles" base map by default), each closed and really deleted
    at the end of the test; a test fails if its page logged a JavaScript error."""
    views: list[MapView] = []
    consoles: list[list[tuple[str, str]]] = []

    def make(base_map: BaseMap | None = None, *, ready: bool = True) -> MapView:
        view = MapView(base_map=base_map or basemaps.no_tiles())
        console: list[tuple[str, str]] = []
        view.js_message.connect(lambda level, text: console.append((level, text)))
        view.resize(800, 600)
        views.append(view)
        consoles.append(console)
        if ready:
            with qtbot.waitSignal(view.ready, timeout=TIMEOUT_MS):
                view.show()
        else:
            view.show()
        return view

    yield make

    errors = [text for console in consoles for level, text in console if level == "error"]
    for view in views:
        gone: list[bool] = []
        view.destroyed.connect(lambda *_, gone=gone: gone.append(True))
        view.close()
        view.deleteLater()
        # qWait (inside waitUntil) runs deferred deletes, so the page dies with this test.
        qtbot.waitUntil(lambda gone=gone: bool(gone), timeout=TIMEOUT_MS)
    assert not errors, f"the map page logged errors: {errors}"


def count(qtbot: Any, view: MapView) -> int:
    got: list[int] = []
    view.marker_count(got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=TIMEOUT_MS)
    return got[0]


def position(js: Callable[[MapView, str], Any], view: MapView, vehicle_id: str) -> dict | None:
    return js(view, f"truckwatch.position({json.dumps(vehicle_id)})")


def wait_count(qtbot: Any, view: MapView, n: int) -> None:
    qtbot.waitUntil(lambda: count(qtbot, view) == n, timeout=TIMEOUT_MS)


# ---- the page without tiles ------------------------------------------------------------------
def test_page_without_tiles_shows_the_county_outlines(make_map, js) -> None:
    view = make_map(basemaps.no_tiles())
    assert js(view, "truckwatch.outlineCount()") == 8
    assert js(view, "truckwatch.tileUrls()") == []
    assert js(view, "truckwatch.crs()") == "wgs84"
    drawn = js(view, "document.querySelectorAll('.leaflet-overlay-pane path').length")
    assert drawn == 8
    background = js(
        view, "getComputedStyle(document.querySelector('.leaflet-container')).background"
    )
    assert "rgb(233, 238, 242)" in background  # BaseMap.background, where tiles would be


def test_unreachable_tiles_leave_a_working_map(qtbot, make_map, js) -> None:
    dead = basemaps.custom_xyz("http://127.0.0.1:9/{z}/{x}/{y}.png")  # nothing listens there
    view = make_map(dead)
    assert js(view, "truckwatch.tileUrls()") == [dead.url]
    assert js(view, "document.querySelectorAll('.leaflet-overlay-pane path').length") == 8
    view.push_positions([truck(1)])
    wait_count(qtbot, view, 1)
    assert js(view, "document.querySelectorAll('img.leaflet-tile-loaded').length") == 0


# ---- positions -------------------------------------------------------------------------------
def test_a_batch_reaches_the_page(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1), truck(2, status="alarm"), truck(3)])
    wait_count(qtbot, view, 3)
    assert position(js, view, "v2") == {
        "lat": 23.72,
        "lon": 113.07,
        "displayLat": 23.72,
        "displayLon": 113.07,
        "direction": 80,
        "speed": 32.0,
        "status": "alarm",
        "plate": "粤R00002",
    }


def test_one_bridge_call_per_batch(qtbot, make_map, js) -> None:
    view = make_map()
    before = js(view, "truckwatch.stats.batches")
    view.push_positions([truck(n) for n in range(500)])
    wait_count(qtbot, view, 500)
    assert js(view, "truckwatch.stats.batches") == before + 1
    assert js(view, "truckwatch.stats.lastBatchSize") == 500
    assert js(view, "truckwatch.stats.lastApplyMs") >= 0


def test_an_update_moves_the_marker(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1), truck(2)])
    wait_count(qtbot, view, 2)
    view.push_positions([truck(1, lat=24.5, lon=112.5, direction=270, status="stopped")])
    qtbot.waitUntil(lambda: position(js, view, "v1")["lat"] == 24.5, timeout=TIMEOUT_MS)
    moved = position(js, view, "v1")
    assert (moved["lon"], moved["direction"], moved["status"]) == (112.5, 270, "stopped")
    assert position(js, view, "v2")["lat"] == 23.72  # the other one stayed
    assert count(qtbot, view) == 2


def test_remove_and_clear(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(n) for n in range(1, 6)])
    wait_count(qtbot, view, 5)
    view.remove_vehicles(["v2", "v4", "not-there", "v2"])
    wait_count(qtbot, view, 3)
    assert sorted(js(view, "truckwatch.ids()")) == ["v1", "v3", "v5"]
    view.push_positions([truck(6)])  # takes a freed slot; nobody else moves
    wait_count(qtbot, view, 4)
    assert position(js, view, "v6")["plate"] == "粤R00006"
    assert position(js, view, "v5")["lat"] == 23.75
    view.clear()
    wait_count(qtbot, view, 0)
    view.push_positions([truck(7)])
    wait_count(qtbot, view, 1)


def test_pushes_before_ready_arrive_latest_per_vehicle(qtbot, make_map, js) -> None:
    view = make_map(ready=False)
    view.push_positions([truck(1), truck(2)])
    view.push_positions([truck(1, lat=24.0)])
    view.remove_vehicles(["v2"])
    view.push_positions([truck(3)])
    view.centre_on("v3", 13)
    with qtbot.waitSignal(view.ready, timeout=TIMEOUT_MS):
        pass
    wait_count(qtbot, view, 2)
    assert position(js, view, "v1")["lat"] == 24.0
    assert position(js, view, "v2") is None
    assert js(view, "truckwatch.zoom()") == 13
    assert js(view, "truckwatch.center()") == pytest.approx([23.73, 113.08], abs=1e-6)


def test_a_centred_truck_stays_exactly_centred_when_the_view_is_resized(
    qtbot, make_map, js
) -> None:
    view = make_map()
    view.push_positions([truck(3)])
    wait_count(qtbot, view, 1)
    view.centre_on("v3", 13)
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") == 13, timeout=TIMEOUT_MS)
    for width, height in ((801, 603), (640, 481), (1023, 767)):  # odd halves round
        view.resize(width, height)
        qtbot.waitUntil(lambda w=width: js(view, "window.innerWidth") == w, timeout=TIMEOUT_MS)
        qtbot.wait(100)  # Leaflet handles the window's resize event after it
        assert js(view, "truckwatch.center()") == pytest.approx([23.73, 113.08], abs=1e-9)


# ---- coordinates -----------------------------------------------------------------------------
def test_gcj02_base_map_shifts_markers_by_the_gcj_offset(qtbot, make_map, js) -> None:
    view = make_map(GCJ_NO_TILES)
    view.push_positions([truck(1)])
    wait_count(qtbot, view, 1)
    shown = position(js, view, "v1")
    assert (shown["lat"], shown["lon"]) == (23.71, 113.06)  # WGS-84 kept as given
    expected = wgs84_to_gcj02(23.71, 113.06)
    assert shown["displayLat"] == pytest.approx(expected[0], abs=1e-9)
    assert shown["displayLon"] == pytest.approx(expected[1], abs=1e-9)
    # in 清远 the shift is about -0.0025° lat, +0.0054° lon (~600 m)
    assert shown["displayLat"] - 23.71 == pytest.approx(-0.0025, abs=0.0005)
    assert shown["displayLon"] - 113.06 == pytest.approx(0.0054, abs=0.0005)


def test_page_gcj_port_matches_the_known_pairs_and_geo_py(make_map, js) -> None:
    view = make_map()
    for wlat, wlon, glat, glon in KNOWN_PAIRS:
        lat, lon = js(view, f"truckwatch.wgsToGcj({wlat}, {wlon})")
        assert lat == pytest.approx(glat, abs=1e-6)
        assert lon == pytest.approx(glon, abs=1e-6)
        back = js(view, f"truckwatch.gcjToWgs({glat}, {glon})")
        assert back == pytest.approx([wlat, wlon], abs=1e-6)
    for point in [(23.698, 113.056), (24.78, 112.377), (25.2, 113.95)]:
        in_page = js(view, f"truckwatch.wgsToGcj({point[0]}, {point[1]})")
        assert in_page == pytest.approx(list(wgs84_to_gcj02(*point)), abs=1e-12)
    assert js(view, "truckwatch.wgsToGcj(39.7392, -104.9903)") == [39.7392, -104.9903]


def test_set_base_map_keeps_markers_and_reprojects(qtbot, make_map, js, tmp_path) -> None:
    view = make_map(basemaps.no_tiles())
    view.push_positions([truck(1), truck(2)])
    wait_count(qtbot, view, 2)
    ring = js(view, "truckwatch.outlineRing('441802')")
    view.set_base_map(GCJ_NO_TILES)
    qtbot.waitUntil(lambda: js(view, "truckwatch.crs()") == "gcj02", timeout=TIMEOUT_MS)
    assert count(qtbot, view) == 2
    shown = position(js, view, "v1")
    assert (shown["displayLat"], shown["displayLon"]) == pytest.approx(
        wgs84_to_gcj02(23.71, 113.06), abs=1e-9
    )
    shifted = js(view, "truckwatch.outlineRing('441802')")
    assert shifted[0] == pytest.approx(list(wgs84_to_gcj02(*ring[0])), abs=1e-9)

    offline = basemaps.offline_tiles(tmp_path)
    view.set_base_map(offline)
    qtbot.waitUntil(lambda: js(view, "truckwatch.crs()") == "wgs84", timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.tileUrls()") == [offline.url]
    shown = position(js, view, "v1")
    assert (shown["displayLat"], shown["displayLon"]) == (23.71, 113.06)
    assert js(view, "truckwatch.outlineRing('441802')") == ring
    assert count(qtbot, view) == 2


# ---- interaction -----------------------------------------------------------------------------
def test_clicking_a_marker_emits_vehicle_clicked(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1), truck(2)])
    wait_count(qtbot, view, 2)
    view.centre_on("v2", 15)
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") == 15, timeout=TIMEOUT_MS)
    x, y = js(view, "truckwatch.containerPoint('v2')")
    assert (x, y) == pytest.approx((400, 300), abs=1)
    with qtbot.waitSignal(view.vehicle_clicked, timeout=TIMEOUT_MS) as clicked:
        view.run_js(f"truckwatch.clickAt({x}, {y})")
    assert clicked.args == ["v2"]


def test_hovering_a_marker_shows_its_plate(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1, speed_kmh=52.4)])
    wait_count(qtbot, view, 1)
    view.centre_on("v1", 16)
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") == 16, timeout=TIMEOUT_MS)
    tip = js(
        view,
        """(function () {
            var p = truckwatch.containerPoint('v1');
            var r = document.querySelector('.leaflet-container').getBoundingClientRect();
            var el = document.elementFromPoint(r.left + p[0], r.top + p[1]);
            el.dispatchEvent(new MouseEvent('mousemove', {bubbles: true,
                clientX: r.left + p[0], clientY: r.top + p[1]}));
            return document.querySelector('.tw-tip').textContent;
        })()""",
    )
    assert tip == "粤R00001 · 行驶 · 52 km/h"


def test_a_cluster_lists_its_trucks_and_an_entry_selects_one(qtbot, make_map, js) -> None:
    view = make_map()
    near = [truck(n, lat=24.1 + n * 1e-5, lon=113.2 + n * 1e-5) for n in range(1, 6)]
    view.push_positions([*near, truck(9, lat=23.5, lon=112.5)])
    wait_count(qtbot, view, 6)
    view.centre_on("v3", 9)
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") == 9, timeout=TIMEOUT_MS)
    x, y = js(view, "truckwatch.containerPoint('v3')")
    hit = js(view, f"truckwatch.hitTest({x}, {y})")
    assert sorted(hit["cluster"]) == ["v1", "v2", "v3", "v4", "v5"]
    view.run_js(f"truckwatch.clickAt({x}, {y})")
    title = "document.querySelector('.tw-cluster-title')"
    qtbot.waitUntil(lambda: js(view, f"!!{title}"), timeout=TIMEOUT_MS)
    assert js(view, f"{title}.textContent") == "本区域车辆 (5)"
    entries = js(
        view, "Array.from(document.querySelectorAll('.tw-cluster-list li'), e => e.dataset.vehicle)"
    )
    assert sorted(entries) == ["v1", "v2", "v3", "v4", "v5"]
    with qtbot.waitSignal(view.vehicle_clicked, timeout=TIMEOUT_MS) as clicked:
        view.run_js("document.querySelector('.tw-cluster-list li[data-vehicle=\"v4\"]').click()")
    assert clicked.args == ["v4"]
    assert js(view, "truckwatch.zoom()") >= 14
    assert js(view, "truckwatch.center()") == pytest.approx([24.10004, 113.20004], abs=1e-6)
    qtbot.waitUntil(lambda: not js(view, f"!!{title}"), timeout=TIMEOUT_MS)  # list closed


def test_centre_on_and_fit_all(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1, lat=23.6, lon=112.3), truck(2, lat=25.0, lon=113.8)])
    wait_count(qtbot, view, 2)
    view.centre_on("v2", 12)
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") == 12, timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.center()") == pytest.approx([25.0, 113.8], abs=1e-6)
    view.fit_all()
    qtbot.waitUntil(lambda: js(view, "truckwatch.zoom()") < 12, timeout=TIMEOUT_MS)
    for vehicle_id in ("v1", "v2"):
        x, y = js(view, f"truckwatch.containerPoint('{vehicle_id}')")
        assert 0 <= x <= 800 and 0 <= y <= 600


def test_follow_keeps_the_truck_centred_until_stopped(qtbot, make_map, js) -> None:
    view = make_map()
    view.push_positions([truck(1), truck(2)])
    wait_count(qtbot, view, 2)
    view.follow("v1")
    view.push_positions([truck(1, lat=24.3, lon=113.3)])
    centre = pytest.approx([400, 300], abs=1)  # Leaflet pans by whole pixels
    qtbot.waitUntil(
        lambda: js(view, "truckwatch.containerPoint('v1')") == centre, timeout=TIMEOUT_MS
    )
    assert js(view, "truckwatch.followed()") == "v1"
    view.push_positions([truck(1, lat=24.35, lon=113.25)])
    qtbot.waitUntil(lambda: position(js, view, "v1")["lat"] == 24.35, timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.containerPoint('v1')") == centre
    view.follow(None)
    view.push_positions([truck(1, lat=24.6, lon=113.6)])
    qtbot.waitUntil(lambda: position(js, view, "v1")["lat"] == 24.6, timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.followed()") is None
    assert js(view, "truckwatch.containerPoint('v1')") != centre


def test_trail_is_drawn_and_removed(qtbot, make_map, js) -> None:
    view = make_map()
    points = [(23.70, 113.00), (23.71, 113.02), (23.73, 113.03)]
    view.show_trail("v1", points)
    qtbot.waitUntil(lambda: js(view, "truckwatch.trail('v1')") is not None, timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.trail('v1')") == [list(p) for p in points]
    assert js(view, "document.querySelectorAll('.leaflet-overlay-pane path').length") == 9
    view.set_base_map(GCJ_NO_TILES)  # the trail follows the datum too
    qtbot.waitUntil(lambda: js(view, "truckwatch.crs()") == "gcj02", timeout=TIMEOUT_MS)
    assert js(view, "truckwatch.trail('v1')")[0] == pytest.approx(
        list(wgs84_to_gcj02(*points[0])), abs=1e-9
    )
    view.show_trail("v1", [])
    qtbot.waitUntil(lambda: js(view, "truckwatch.trail('v1')") is None, timeout=TIMEOUT_MS)


def test_page_console_goes_to_signal_and_logging(qtbot, make_map, caplog) -> None:
    view = make_map()
    with (
        caplog.at_level(logging.INFO, logger="widgets.map.js"),
        qtbot.waitSignal(view.js_message, timeout=TIMEOUT_MS) as message,
    ):
        view.run_js("console.warn('地图测试 warning')")
    level, text = message.args
    assert level == "warning" and text.startswith("地图测试 warning")
    assert any(
        r.levelno == logging.WARNING and "地图测试" in r.getMessage() for r in caplog.records
    )


def test_marker_count_is_zero_before_any_push(qtbot, make_map) -> None:
    view = make_map()
    assert count(qtbot, view) == 0


def test_offline_tile_directory_loads_local_tiles(qtbot, make_map, js, tmp_path: Path) -> None:
    # One real 1×1 PNG where the first view of 清远 asks for tiles.
    png = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db40000000049454e44ae426082"
    )
    for x in range(200, 210):
        for y in range(110, 116):
            tile = tmp_path / "8" / str(x) / f"{y}.png"
            tile.parent.mkdir(parents=True, exist_ok=True)
            tile.write_bytes(png)
    view = make_map(basemaps.offline_tiles(tmp_path))
    qtbot.waitUntil(
        lambda: js(view, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
        timeout=TIMEOUT_MS,
    )
