"""The evidence viewer (widgets/evidence_viewer.py) against a real platform process whose
simulated fleet raises alarms and uploads real photos and MP4 clips."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from live_platform import ADMIN_PASSWORD, LivePlatform, wait_for
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from console.client import PlatformClient
from widgets.evidence_viewer import EvidenceViewer, channel_of
from widgets.tasks import Tasks

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def client(live: LivePlatform) -> PlatformClient:
    client = PlatformClient(live.url)
    client.login("admin", ADMIN_PASSWORD)
    return client


@pytest.fixture(scope="module")
def alarm(live: LivePlatform, client: PlatformClient) -> dict[str, Any]:
    """A real alarm whose 3 photos and clip the simulator has uploaded completely."""
    live.start_fleet(vehicles=10, speedup=10)
    alarms = wait_for(
        lambda: client.alarms(evidence_status="complete")["items"],
        180,
        "an alarm with complete evidence from the simulator",
    )
    return alarms[0]


@pytest.fixture
def viewer(qtbot, client: PlatformClient) -> Iterator[EvidenceViewer]:
    tasks = Tasks()
    widget = EvidenceViewer(client, tasks)
    qtbot.add_widget(widget)
    widget.resize(900, 600)
    widget.show()
    yield widget
    widget.player.shutdown()
    tasks.wait()


def load(qtbot, viewer: EvidenceViewer, alarm: dict[str, Any]) -> dict[str, Any]:
    with qtbot.wait_signal(viewer.evidence_loaded, timeout=WAIT_MS) as blocker:
        viewer.show_alarm(alarm)
    return blocker.args[0]


@pytest.mark.timeout(300)
def test_lists_the_alarms_files(qtbot, viewer: EvidenceViewer, alarm: dict[str, Any]) -> None:
    answer = load(qtbot, viewer, alarm)
    kinds = sorted(item["file_kind"] for item in answer["items"])
    assert kinds == ["photo", "photo", "photo", "video"]
    assert viewer.files.count() == 4
    assert all("已完成" in viewer.files.item(i).text() for i in range(4))
    assert alarm["plate"] in viewer.title.text() and "已完整" in viewer.title.text()
    assert viewer.actions_bar.isHidden()  # complete: nothing to ask again
    assert viewer.error_text() == ""


def test_shows_photos_with_zoom_and_next(
    qtbot, viewer: EvidenceViewer, alarm: dict[str, Any]
) -> None:
    answer = load(qtbot, viewer, alarm)
    photos = [i["id"] for i in answer["items"] if i["file_kind"] == "photo"]
    with qtbot.wait_signal(viewer.photo_shown, timeout=WAIT_MS) as blocker:
        viewer.select(photos[0])
    assert blocker.args == [photos[0]]
    assert viewer.pages.currentIndex() == viewer.PAGE_PHOTO
    assert viewer.photo.image_size() == (640, 360)
    fitted = viewer.photo.zoom()
    wheel = QWheelEvent(
        QPointF(50, 50),
        QPointF(50, 50),
        QPoint(0, 0),
        QPoint(0, 240),  # two notches towards the screen: zoom in
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    viewer.photo.wheelEvent(wheel)
    assert viewer.photo.zoom() == pytest.approx(fitted * 1.25**2)
    viewer.photo.fit()
    assert viewer.photo.zoom() == pytest.approx(fitted)
    with qtbot.wait_signal(viewer.photo_shown, timeout=WAIT_MS) as blocker:
        viewer.next_photo()
    assert blocker.args == [photos[1]]
    with qtbot.wait_signal(viewer.photo_shown, timeout=WAIT_MS) as blocker:
        viewer.previous_photo()
    assert blocker.args == [photos[0]]  # cached: no second download needed


def test_plays_the_alarms_video_to_the_end(
    qtbot, viewer: EvidenceViewer, alarm: dict[str, Any]
) -> None:
    answer = load(qtbot, viewer, alarm)
    video = next(i for i in answer["items"] if i["file_kind"] == "video")
    player = viewer.player
    with qtbot.wait_signal(player.opened, timeout=WAIT_MS) as blocker:
        viewer.select(video["id"])
    info = blocker.args[0]
    assert viewer.pages.currentIndex() == viewer.PAGE_VIDEO
    assert (info.codec, info.width, info.height) == ("h264", 640, 360)
    qtbot.wait_until(lambda: player.current_frame() is not None, timeout=WAIT_MS)
    player.set_speed(4.0)
    with qtbot.wait_signal(player.finished, timeout=WAIT_MS):
        player.play()
    assert player.position() == pytest.approx((info.frame_count - 1) / info.fps)
    assert player.error_text() == "" and viewer.error_text() == ""


def test_unfinished_evidence_offers_to_ask_again(
    qtbot, viewer: EvidenceViewer, alarm: dict[str, Any]
) -> None:
    # The same real alarm, as the alarm queue shows it while the upload still runs.
    viewer.show_alarm({**alarm, "evidence_status": "pending"})
    assert viewer.actions_bar.isVisibleTo(viewer)
    for button, text in (
        (viewer.request_button, "重新请求附件"),
        (viewer.photo_button, "立即拍照"),
        (viewer.live_button, "查看实时视频"),
    ):
        assert button.text() == text
    qtbot.wait_signal(viewer.evidence_loaded, timeout=WAIT_MS).wait()
    with qtbot.wait_signal(viewer.live_video_wanted, timeout=WAIT_MS) as blocker:
        viewer.live_button.click()
    assert blocker.args == [alarm["vehicle_id"], channel_of(viewer.items)]
    viewer.request_button.click()  # a real 0x9208 to the simulated terminal
    assert not viewer.request_button.isEnabled()
    qtbot.wait_until(lambda: viewer.request_button.isEnabled(), timeout=WAIT_MS)
    assert viewer.info.text().startswith("指令已发送") or viewer.error_text()


def test_network_errors_are_shown_in_chinese(qtbot) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tasks = Tasks()
    viewer = EvidenceViewer(PlatformClient(f"http://127.0.0.1:{port}", timeout_s=2), tasks)
    qtbot.add_widget(viewer)
    viewer.show_alarm({"id": "alm_x", "vehicle_id": "veh_x", "plate": "粤R00001"})
    qtbot.wait_until(lambda: viewer.error_text() != "", timeout=WAIT_MS)
    assert viewer.error_text() == "无法连接平台服务器，请检查地址和网络。"
    tasks.wait()
