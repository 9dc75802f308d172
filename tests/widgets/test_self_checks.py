"""widgets/self_checks.py: the self-test's checks of what a packaged build can lose."""

from __future__ import annotations

import base64
import json
from typing import Any

import av
import pytest

from widgets import self_checks
from widgets.map import basemaps
from widgets.map.view import MapView


@pytest.mark.parametrize("codec", ["h264", "hevc"])
def test_video_decodes_the_clip_this_pyav_encodes(codec: str) -> None:
    result = self_checks.video(codec)
    assert result["ok"] is True, result
    assert result["frames"] == self_checks.FRAMES and result["size"] == "64x64"
    assert result["luma_error"] <= self_checks.MAX_LUMA_ERROR
    expected = "encoded" if self_checks.ENCODERS[codec] in av.codecs_available else "embedded"
    assert result["source"] == expected


@pytest.mark.parametrize("codec", ["h264", "hevc"])
def test_the_embedded_samples_decode_without_an_encoder(codec: str) -> None:
    result = self_checks.video(codec, prefer_encoder=False)
    assert result == {**result, "ok": True, "frames": 4, "source": "embedded"}
    # the sample starts with a start code and the codec's first parameter set (SPS / VPS)
    data = base64.b64decode("".join(self_checks.SAMPLES[codec]))
    assert data[:4] == b"\x00\x00\x00\x01"
    assert (data[4] & 0x1F == 7) if codec == "h264" else ((data[4] >> 1) & 0x3F == 32)


def test_a_damaged_clip_fails_with_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = base64.b64encode(b"\x00\x00\x00\x01" + bytes(range(256)) * 4).decode()
    monkeypatch.setitem(self_checks.SAMPLES, "hevc", (broken,))
    result = self_checks.video("hevc", prefer_encoder=False)
    assert result["ok"] is False
    assert result.get("frames", 0) != self_checks.FRAMES or "reason" in result


def test_chart_renders_the_pen_in_red_on_white() -> None:
    result = self_checks.chart()
    assert result["ok"] is True, result
    assert result["red_pixels"] >= 100 and result["size"] == "240x160"


def test_map_probe_of_the_real_map_page_finds_only_local_assets(qtbot: Any) -> None:
    view = MapView(base_map=basemaps.no_tiles())
    view.resize(400, 300)
    with qtbot.waitSignal(view.ready, timeout=30_000):
        view.show()
    answers: list[Any] = []
    view.run_js(self_checks.MAP_PROBE, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=30_000)
    result = self_checks.map_offline(answers[0])
    gone: list[bool] = []
    view.destroyed.connect(lambda *_: gone.append(True))
    view.close()
    view.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=30_000)  # the page dies with this test
    assert result["ok"] is True, result
    assert result["protocol"] == "file:" and result["remote_assets"] == []
    assert result["local_assets"] >= 2 and result["leaflet"].startswith("1.")


def test_map_probe_flags_remote_assets_and_a_missing_answer() -> None:
    remote = {"leaflet": "1.9.4", "protocol": "file:", "assets": 3,
              "remote": ["https://unpkg.com/leaflet.js"]}  # fmt: skip
    flagged = self_checks.map_offline(json.dumps(remote))
    assert flagged["ok"] is False and flagged["remote_assets"] == remote["remote"]
    no_leaflet = self_checks.map_offline(json.dumps({**remote, "leaflet": None, "remote": []}))
    assert no_leaflet["ok"] is False
    assert self_checks.map_offline(None)["ok"] is False


def test_platform_check_needs_online_terminals() -> None:
    assert self_checks.platform({"vehicles_online": 12}) == {"ok": True, "terminals_online": 12}
    assert self_checks.platform({"vehicles_online": 0})["ok"] is False


def test_run_names_every_check_and_build_says_what_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    probe = json.dumps({"leaflet": "1.9.4", "protocol": "file:", "assets": 4, "remote": []})
    checks = self_checks.run(probe, {"vehicles_online": 5})
    assert set(checks) == {"h264", "h265", "chart", "map", "platform"}
    assert all(check["ok"] for check in checks.values()), checks
    monkeypatch.setenv("APPIMAGE", "/opt/TruckWatch.AppImage")
    monkeypatch.setenv("QTWEBENGINE_DISABLE_SANDBOX", "1")
    assert self_checks.build() == {"frozen": False, "appimage": True, "chromium_sandbox": False}
