"""The action dialogs: what each asks before it may be sent, and the body it builds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cases_data import case

from widgets.beijing import CST
from widgets.case_actions import ActionDialog


def dialog(qtbot, action: str, **kw) -> ActionDialog:
    made = ActionDialog(action, case(1, escalation_level=1), **kw)
    qtbot.add_widget(made)
    return made


def test_remind_text_is_checked_for_gbk_as_it_is_typed(qtbot) -> None:
    d = dialog(qtbot, "remind", reminder_text="您已连续驾驶超过4小时，请立即停车休息")
    assert d.ok_button.isEnabled() and d.ok_button.text() == "发送"
    d.text_edit.setPlainText("请停车休息 😴")
    assert not d.ok_button.isEnabled()
    assert d.gbk_label.isVisibleTo(d)
    assert d.gbk_label.text() == "以下字符无法用 GBK 编码，终端无法播报：😴"
    d.text_edit.setPlainText("粤R00001驾驶员请注意：请停车休息")
    assert d.ok_button.isEnabled() and not d.gbk_label.isVisibleTo(d)
    assert d.body() == {"text": "粤R00001驾驶员请注意：请停车休息"}
    d.text_edit.setPlainText("   ")
    assert not d.ok_button.isEnabled() and d.error_label.text() == "请输入提醒内容"


@pytest.mark.parametrize("action", ["return", "dismiss", "reopen"])
def test_a_reason_is_required(qtbot, action: str) -> None:
    d = dialog(qtbot, action)
    assert not d.ok_button.isEnabled() and d.error_label.text() == "请填写原因"
    d.note_edit.setPlainText("司机系正常转头观察，误报")
    assert d.ok_button.isEnabled()
    assert d.body()["note"] == "司机系正常转头观察，误报"


def test_close_needs_no_note(qtbot) -> None:
    d = dialog(qtbot, "close")
    assert d.ok_button.isEnabled() and d.body() == {}


def test_feedback_needs_a_measure(qtbot) -> None:
    d = dialog(qtbot, "feedback")
    assert not d.ok_button.isEnabled() and d.error_label.text() == "请至少选择一项处理措施"
    assert [b.text() for b in d.measure_boxes.values()] == [
        "批评教育",
        "安全培训",
        "停岗",
        "罚款",
        "申诉误报",
    ]
    d.measure_boxes["training"].setChecked(True)
    d.measure_boxes["criticism"].setChecked(True)
    d.note_edit.setPlainText("已对驾驶员进行安全培训")
    assert d.body() == {"measures": ["criticism", "training"], "note": "已对驾驶员进行安全培训"}


def test_notify_deadline_is_beijing_time_and_optional(qtbot) -> None:
    d = dialog(qtbot, "notify")
    assert d.body() == {}  # the policy's default
    d.deadline_check.setChecked(True)
    when = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    d.set_deadline(when)
    assert d.deadline_edit.dateTime().time().hour() == when.astimezone(CST).hour
    assert datetime.fromisoformat(d.body()["deadline"]) == when
    d.set_deadline(datetime.now(UTC) - timedelta(hours=1))
    assert not d.ok_button.isEnabled() and d.error_label.text() == "期限必须晚于当前时间"


def test_escalate_proposes_the_next_level_and_its_supervisor(qtbot) -> None:
    supervisors = ["县区交通运输主管部门", "市交通运输局", "市安全生产委员会办公室"]
    d = dialog(qtbot, "escalate", supervisors=supervisors)
    assert d.level_spin.value() == 2
    assert d.supervisor_combo.currentText() == "市交通运输局"
    assert d.body() == {"level": 2, "supervisor": "市交通运输局"}
