"""The enterprise officer's 待处理通报 inbox and the county's 待审核 queue against a real
platform: a simulated truck's DSM alarm opens a case, the county notifies it, the case
arrives live in the enterprise's inbox (sound, count, countdown every second), the officer
feeds back with measures and an uploaded attachment, the case leaves the inbox and enters
the county's review queue, and the county closes it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from case_world import CaseWorld, login, start_case_world
from live_platform import LivePlatform
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from widgets.alarm_sound import AlarmSounds
from widgets.case_inbox import INBOX, REVIEW, CaseInbox
from widgets.case_model import Column, Roles
from widgets.case_panel import CasePanel
from widgets.live import LiveFeed
from widgets.tasks import Tasks


@pytest.fixture(scope="module")
def world(live: LivePlatform) -> Iterator[CaseWorld]:
    made = start_case_world(live)
    try:
        yield made
    finally:
        made.close()


class Desk:
    """One person's queue, panel and live feed."""

    def __init__(self, qtbot, world: CaseWorld, username: str, mode: str, tmp_path) -> None:
        self.client = login(world.live, username)
        self.tasks = Tasks()
        settings = QSettings(str(tmp_path / f"{username}.ini"), QSettings.Format.IniFormat)
        self.sounds = AlarmSounds(settings, username, audio=False)
        self.queue = CaseInbox(self.client, self.tasks, mode=mode, sounds=self.sounds)
        self.panel = CasePanel(self.client, self.tasks)
        qtbot.add_widget(self.queue)
        qtbot.add_widget(self.panel)
        self.queue.case_selected.connect(self.panel.show_case)
        self.feed = LiveFeed(self.client)
        self.feed.event.connect(self.on_event)
        self.feed.start()

    def on_event(self, event) -> None:
        if event.kind == "case":
            self.queue.on_case_event(event.data)
            self.panel.on_case_event(event.data)

    def close(self) -> None:
        self.feed.stop()
        self.tasks.wait()


@pytest.fixture
def desks(qtbot, world: CaseWorld, tmp_path) -> Iterator[tuple[Desk, Desk]]:
    enterprise = Desk(qtbot, world, world.officer, INBOX, tmp_path)
    county = Desk(qtbot, world, world.operator, REVIEW, tmp_path)
    try:
        yield enterprise, county
    finally:
        enterprise.close()
        county.close()


def ids(queue: CaseInbox) -> list[str]:
    return [queue.model.index(r, 0).data(Roles.CASE_ID) for r in range(queue.count)]


@pytest.mark.timeout(300)
def test_a_notified_case_arrives_live_with_sound_and_counts_down(qtbot, world, desks) -> None:
    enterprise, _county = desks
    inbox = enterprise.queue
    with qtbot.wait_signal(inbox.loaded, timeout=20_000):
        inbox.load()
    before = inbox.count
    qtbot.wait_until(lambda: enterprise.feed.state.value == "connected", timeout=30_000)
    case = world.raise_dsm(0)
    assert case["id"] not in ids(inbox)  # new: not the enterprise's to handle yet
    with qtbot.wait_signal(inbox.count_changed, timeout=30_000) as counted:
        world.admin.case_action(case["id"], "notify", {"note": "请企业核查整改"})
    assert counted.args[0] == before + 1
    assert case["id"] in ids(inbox)
    assert enterprise.sounds.last_played == case["severity"]
    assert inbox.title_text() == f"待处理通报 {before + 1} 件"
    row = inbox.model.row_of(case["id"])
    left = inbox.model.index(row, Column.LEFT)
    first = left.data()
    assert first.startswith("剩余 ")
    qtbot.wait_until(lambda: left.data() != first, timeout=5_000)  # the clock runs


@pytest.mark.timeout(300)
def test_feedback_with_attachment_moves_the_case_to_review_and_the_county_closes_it(
    qtbot, world, desks, tmp_path
) -> None:
    enterprise, county = desks
    case = world.raise_dsm(1)
    world.admin.case_action(case["id"], "notify", {})
    with qtbot.wait_signal(enterprise.queue.loaded, timeout=20_000):
        enterprise.queue.load()
    with qtbot.wait_signal(enterprise.panel.case_loaded, timeout=20_000):
        assert enterprise.queue.select_case(case["id"])
    dialog = enterprise.panel.open_action("feedback")
    assert dialog is not None
    dialog.measure_boxes["training"].setChecked(True)
    dialog.note_edit.setPlainText("已对驾驶员进行安全培训并记录")
    photo = tmp_path / "培训记录.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200_000) + b"\xff\xd9")
    dialog.upload(photo)
    assert not dialog.ok_button.isEnabled()  # while uploading
    qtbot.wait_until(lambda: len(dialog.attachments) == 1, timeout=30_000)
    assert dialog.progress.value() == 100 and dialog.files.count() == 1
    qtbot.wait_until(lambda: county.feed.state.value == "connected", timeout=30_000)
    with (
        qtbot.wait_signal(county.queue.count_changed, timeout=30_000),
        qtbot.wait_signal(enterprise.panel.action_done, timeout=30_000) as done,
    ):
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    detail = done.args[1]
    assert detail["state"] == "feedback" and detail["measures"] == ["training"]
    assert detail["events"][-1]["attachments"][0]["file_name"] == "培训记录.jpg"
    qtbot.wait_until(lambda: case["id"] not in ids(enterprise.queue), timeout=30_000)
    assert case["id"] in ids(county.queue)
    assert county.queue.title_text().startswith("待审核反馈 ")

    # The county reviews it: close with a note.
    with qtbot.wait_signal(county.panel.case_loaded, timeout=20_000):
        county.queue.select_case(case["id"])
    assert county.panel.buttons["close"].isEnabled()
    assert county.panel.buttons["return"].isEnabled()
    closing = county.panel.open_action("close")
    closing.note_edit.setPlainText("整改到位，办结")
    with qtbot.wait_signal(county.panel.action_done, timeout=30_000):
        closing.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert county.panel.state_label.text() == "已办结"
    qtbot.wait_until(lambda: case["id"] not in ids(county.queue), timeout=30_000)
    assert county.panel.buttons["reopen"].isEnabled()


@pytest.mark.timeout(300)
def test_a_returned_case_comes_back_to_the_inbox(qtbot, world, desks) -> None:
    enterprise, _county = desks
    case = world.raise_dsm(0)
    world.admin.case_action(case["id"], "notify", {})
    enterprise.client.case_action(case["id"], "feedback", {"measures": ["criticism"]})
    with qtbot.wait_signal(enterprise.queue.loaded, timeout=20_000):
        enterprise.queue.load()
    assert case["id"] not in ids(enterprise.queue)
    qtbot.wait_until(lambda: enterprise.feed.state.value == "connected", timeout=30_000)
    with qtbot.wait_signal(enterprise.queue.new_case, timeout=30_000):
        world.admin.case_action(case["id"], "return", {"note": "整改措施不具体，请补充"})
    assert case["id"] in ids(enterprise.queue)
