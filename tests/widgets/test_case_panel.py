"""The case panel against a real platform: a simulated truck raises a DSM level-2 alarm over
JT/T 808, the platform opens a case, and the county operator's panel shows it (header,
countdown, evidence stills, track snippet, audit timeline, action buttons as the server
allows them) and carries it through remind (TTS acked by the terminal), notify (by its
shortcut) and the errors the server answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from case_world import CaseWorld, login, start_case_world
from live_platform import LivePlatform
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from widgets.case_panel import CasePanel
from widgets.tasks import Tasks


@pytest.fixture(scope="module")
def world(live: LivePlatform) -> Iterator[CaseWorld]:
    made = start_case_world(live)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def panel(qtbot, world: CaseWorld) -> Iterator[CasePanel]:
    yield from make_panel(qtbot, world, world.operator)


def make_panel(qtbot, world: CaseWorld, username: str) -> Iterator[CasePanel]:
    tasks = Tasks()
    made = CasePanel(login(world.live, username), tasks, supervisors=["县区交通运输主管部门"])
    qtbot.add_widget(made)
    made.resize(1600, 420)
    made.show()
    try:
        yield made
    finally:
        if made.dialog is not None:
            made.dialog.reject()
        tasks.wait()


def load(qtbot, panel: CasePanel, case_id: str) -> dict:
    with qtbot.wait_signal(panel.case_loaded, timeout=20_000) as blocker:
        panel.show_case(case_id)
    return blocker.args[0]


def ok(dialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


@pytest.mark.timeout(300)
def test_a_new_case_shows_its_header_timeline_and_allowed_actions(qtbot, world, panel) -> None:
    case = world.raise_dsm(0)
    detail = load(qtbot, panel, case["id"])
    assert panel.title.text().startswith(world.trucks[0].plate)
    assert panel.state_label.text() == "待处置"
    assert panel.countdown_label.text().startswith("剩余 ")
    timeline = panel.timeline
    assert [timeline.topLevelItem(i).text(1) for i in range(timeline.topLevelItemCount())] == [
        "开单"
    ]
    assert detail["reminder_text"]
    # A county operator may remind, notify, dismiss and escalate a new case...
    for action in ("remind", "notify", "dismiss", "escalate"):
        assert panel.buttons[action].isEnabled(), action
    # ...never feed back (the enterprise's), and not close what was never notified.
    assert not panel.buttons["feedback"].isEnabled()
    assert panel.buttons["feedback"].toolTip() == "您的角色不能执行此操作"
    assert not panel.buttons["close"].isEnabled()
    assert panel.buttons["close"].toolTip() == "工单当前状态不允许此操作"


@pytest.mark.timeout(300)
def test_evidence_stills_and_track_snippet_of_the_alarm(qtbot, world, panel, tmp_path) -> None:
    case = world.raise_dsm(1)
    world.wait_evidence(case["id"])
    with (
        qtbot.wait_signal(panel.stills_loaded, timeout=60_000) as stills,
        qtbot.wait_signal(panel.track_loaded, timeout=60_000) as track,
    ):
        panel.show_case(case["id"])
    assert stills.args[0] >= 1
    assert panel.stills_list.count() == stills.args[0]
    assert not panel.stills[0]["image"].isNull()
    assert track.args[0] >= 1 and panel.track.points
    assert panel.track.mark is not None
    with qtbot.wait_signal(panel.alarm_opened) as opened:
        panel._still_opened(panel.stills_list.item(0))
    assert opened.args[0]["id"] == panel.stills[0]["alarm_id"]
    # The case sheet carries the stills fetched from the platform.
    pdf = panel.write_pdf(tmp_path / "case.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Subtype /Image") >= 1


@pytest.mark.timeout(300)
def test_remind_checks_gbk_then_the_terminal_acks(qtbot, world, panel) -> None:
    case = world.raise_dsm(0)
    detail = load(qtbot, panel, case["id"])
    dialog = panel.open_action("remind")
    assert dialog is not None
    assert dialog.text_edit.toPlainText() == detail["reminder_text"]
    dialog.text_edit.setPlainText("请注意休息 🚚")
    assert not dialog.gbk_label.isHidden()
    assert "🚚" in dialog.gbk_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.text_edit.setPlainText("粤R驾驶员请注意：请立即停车休息。")
    assert dialog.gbk_label.isHidden() and dialog.ok_button.isEnabled()
    with qtbot.wait_signal(panel.action_done, timeout=60_000) as done:
        ok(dialog)
    assert done.args[0] == "remind"
    assert done.args[1]["reminder_status"] == "acked"
    assert panel.state_label.text() == "已提醒"
    assert panel.values["reminder"].text() == "终端已确认"
    last = panel.timeline.topLevelItem(panel.timeline.topLevelItemCount() - 1)
    assert last.text(1) == "提醒" and "已提醒" in last.text(3)
    assert "粤R驾驶员请注意" in last.text(4)


@pytest.mark.timeout(300)
def test_ctrl_n_notifies_with_a_deadline(qtbot, world, panel) -> None:
    case = world.raise_dsm(1)
    load(qtbot, panel, case["id"])
    panel.activateWindow()
    panel.setFocus()
    qtbot.wait_until(lambda: panel.hasFocus() or panel.isAncestorOf(panel.focusWidget()))
    qtbot.keyClick(panel, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: panel.dialog is not None and panel.dialog.action == "notify")
    dialog = panel.dialog
    dialog.deadline_check.setChecked(True)
    chosen = dialog.deadline()
    with qtbot.wait_signal(panel.action_done, timeout=30_000) as done:
        ok(dialog)
    assert panel.state_label.text() == "已通报"
    assert datetime.fromisoformat(done.args[1]["deadline"]) == chosen
    assert not panel.buttons["close"].isEnabled()  # closed only after the feedback
    assert panel.buttons["remind"].toolTip() == "工单当前状态不允许此操作"


@pytest.mark.timeout(300)
def test_a_refused_action_says_why_and_shows_what_is_allowed(qtbot, world, panel) -> None:
    case = world.raise_dsm(0)
    load(qtbot, panel, case["id"])
    failures: list[str] = []
    panel.action_failed.connect(lambda _action, text: failures.append(text))
    # Refused (409: a new case cannot be reopened), then loaded again to show what holds.
    with qtbot.wait_signals([panel.action_failed, panel.case_loaded], timeout=20_000):
        panel.run_action("reopen", {"note": "测试"})
    assert failures[0].startswith("重新打开失败：")
    assert panel.error_text() == failures[0]
    assert not panel.buttons["reopen"].isEnabled()


@pytest.mark.timeout(300)
def test_enterprise_officer_may_only_feed_back(qtbot, world) -> None:
    case = world.raise_dsm(0)
    for officer_panel in make_panel(qtbot, world, world.officer):
        load(qtbot, officer_panel, case["id"])
        assert officer_panel.buttons["feedback"].isEnabled()
        for action in ("remind", "notify", "close", "dismiss", "escalate"):
            assert not officer_panel.buttons[action].isEnabled(), action
            assert officer_panel.buttons[action].toolTip() == "您的角色不能执行此操作"
