"""The admin's policy editor (处置策略) against a real platform: it loads the server's
templates and rules, saves edits so that ``GET /policies`` answers them (keeping what it
does not edit), refuses to save a template a terminal cannot speak (GBK), shows the
server's reason when the server refuses the policy, and is for admins only in the menu."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from case_world import login
from live_platform import LivePlatform
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QSpinBox
from windows import delete_windows

from console.client import PlatformClient
from console.domain.alarm_types import by_code
from widgets.main_window import MainWindow
from widgets.policy_editor import (
    BAD_CELL,
    R_LEVEL,
    R_MATCH,
    R_OPEN,
    R_OTHER,
    T_NAME,
    T_TEXT,
    PolicyDialog,
)
from widgets.tasks import Tasks

LOAD_TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def admin(live: LivePlatform) -> PlatformClient:
    return live.admin_client()


@pytest.fixture(scope="module")
def original(admin: PlatformClient) -> dict[str, Any]:
    return admin.policies()


@pytest.fixture(autouse=True)
def _restore_policy(admin: PlatformClient, original: dict[str, Any]) -> Iterator[None]:
    """Each test starts from the platform's policy as it was first read."""
    admin.put_policies(original)
    yield
    admin.put_policies(original)


@pytest.fixture
def tasks() -> Iterator[Tasks]:
    made = Tasks()
    yield made
    made.wait()


def open_dialog(qtbot, client: PlatformClient, tasks: Tasks) -> PolicyDialog:
    dialog = PolicyDialog(client, tasks)
    qtbot.add_widget(dialog)
    dialog.show()
    assert not dialog.save_button.isEnabled()  # nothing to save before it is loaded
    with qtbot.wait_signal(dialog.loaded, timeout=LOAD_TIMEOUT_MS):
        dialog.load()
    return dialog


def save(qtbot, dialog: PolicyDialog) -> dict[str, Any]:
    with qtbot.wait_signal(dialog.saved, timeout=LOAD_TIMEOUT_MS) as saved:
        dialog.save_button.click()
    return saved.args[0]


def rule_row(dialog: PolicyDialog, match: str) -> int:
    table = dialog.rules_table
    return next(r for r in range(table.rowCount()) if table.item(r, R_MATCH).text() == match)


def test_the_dialog_shows_the_servers_templates_rules_and_deadlines(qtbot, admin, tasks) -> None:
    server = admin.policies()
    dialog = open_dialog(qtbot, admin, tasks)
    assert dialog.templates() == server["tts_templates"]
    table = dialog.templates_table
    assert table.item(dialog.template_row("dsm.01"), T_NAME).text() == by_code("dsm.01").name_zh
    assert table.item(dialog.template_row("default"), T_NAME).text() == "默认"
    hint = dialog.findChild(type(dialog.gbk_label), "placeholder_hint").text()
    for placeholder in ("{plate}", "{driver}", "{speed}", "{alarm}", "{time}"):
        assert placeholder in hint
    defaults = server["defaults"]
    for state, spin in dialog.deadline_spins.items():
        assert spin.value() == defaults["deadlines_min"][state], state
    assert dialog.merge_spin.value() == defaults["merge_window_min"]
    assert [r["match"] for r in dialog.rules()] == [r["match"] for r in server["rules"]]
    assert dialog.rules() == server["rules"]
    assert (
        dialog.supervisors_edit.toPlainText().splitlines() == (server["escalation"]["supervisors"])
    )
    assert dialog.gbk_label.isHidden() and dialog.save_button.isEnabled()
    # Nothing edited: what it would send is what it read.
    assert dialog.policy() == server


def test_an_edited_template_is_what_the_server_answers_and_the_rest_is_kept(
    qtbot, admin, tasks
) -> None:
    before = admin.policies()
    fatigue = next(r for r in before["rules"] if r["match"] == "platform.fatigue")
    fatigue["deadlines_min"] = {"notified": 720}  # a key the table does not edit
    before["defaults"]["merge_window_min"] = 7.5  # fractional minutes, shown rounded
    before = admin.put_policies(before)
    dialog = open_dialog(qtbot, admin, tasks)
    assert (
        "deadlines_min"
        in dialog.rules_table.item(rule_row(dialog, "platform.fatigue"), R_OTHER).text()
    )
    text = "{plate}驾驶员请注意：您已疲劳驾驶，当前车速{speed}公里每小时，请立即停车休息。"
    row = dialog.template_row("dsm.01")
    dialog.templates_table.item(row, T_TEXT).setText(text)
    stored = save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()
    answered = admin.policies()
    assert answered == stored
    assert answered["tts_templates"]["dsm.01"] == text
    assert next(r for r in answered["rules"] if r["match"] == "platform.fatigue") == {
        "match": "platform.fatigue",
        "open_case": True,
        "deadlines_min": {"notified": 720},
    }
    assert answered["defaults"]["merge_window_min"] == 7.5
    assert answered == {**before, "tts_templates": {**before["tts_templates"], "dsm.01": text}}


def test_rules_deadlines_and_escalation_are_saved(qtbot, admin, tasks) -> None:
    dialog = open_dialog(qtbot, admin, tasks)
    dialog.tabs.setCurrentIndex(1)
    dialog.deadline_spins["new"].setValue(45)
    dialog.deadline_spins["notified"].setValue(720)
    dialog.merge_spin.setValue(10)
    row = dialog.add_rule()
    table = dialog.rules_table
    table.item(row, R_MATCH).setText("adas")
    level = table.cellWidget(row, R_LEVEL)
    assert isinstance(level, QSpinBox) and level.specialValueText() == "不限"
    level.setValue(2)
    assert table.item(row, R_OPEN).checkState() == Qt.CheckState.Checked
    # platform.overspeed no longer opens cases; dsm loses its level condition.
    table.item(rule_row(dialog, "platform.overspeed"), R_OPEN).setCheckState(
        Qt.CheckState.Unchecked
    )
    table.cellWidget(rule_row(dialog, "dsm"), R_LEVEL).setValue(-1)
    table.selectRow(rule_row(dialog, "platform.fatigue"))
    dialog.remove_selected_rules()
    dialog.escalation_deadline_spin.setValue(2880)
    dialog.max_level_spin.setValue(2)
    dialog.supervisors_edit.setPlainText("县区交通运输主管部门\n\n  市交通运输局  \n")
    save(qtbot, dialog)
    answered = admin.policies()
    assert answered["defaults"]["deadlines_min"] == {
        "new": 45,
        "reminded": 30,
        "notified": 720,
        "feedback": 1440,
    }
    assert answered["defaults"]["merge_window_min"] == 10
    assert answered["rules"] == [
        {"match": "dsm", "open_case": True},
        {"match": "platform.overspeed", "open_case": False},
        {"match": "adas", "min_level": 2, "open_case": True},
    ]
    assert answered["escalation"] == {
        "deadline_min": 2880,
        "max_level": 2,
        "supervisors": ["县区交通运输主管部门", "市交通运输局"],
        "handover_user_id": None,
    }


def test_a_template_gbk_cannot_carry_disables_save_and_names_the_character(
    qtbot, admin, tasks
) -> None:
    dialog = open_dialog(qtbot, admin, tasks)
    dialog.set_template("dsm.02", "驾驶中请勿接打手持电话 ☃")
    assert not dialog.save_button.isEnabled()
    assert dialog.gbk_label.isVisibleTo(dialog)
    problem = dialog.gbk_label.text()
    assert "☃" in problem and "dsm.02" in problem and "GBK" in problem
    assert dialog.gbk_label.styleSheet() == "color: #b91c1c;"
    row = dialog.template_row("dsm.02")
    assert dialog.templates_table.item(row, T_TEXT).background().color() == BAD_CELL
    dialog.set_template("dsm.02", "驾驶中请勿接打手持电话，请专心驾驶。")
    assert dialog.save_button.isEnabled() and dialog.gbk_label.isHidden()
    # An empty text, or a new row without a code, cannot be saved either.
    dialog.set_template("dsm.02", "   ")
    assert not dialog.save_button.isEnabled() and "话术为空" in dialog.gbk_label.text()
    dialog.set_template("dsm.02", "请专心驾驶。")
    new = dialog.add_template()
    assert not dialog.save_button.isEnabled()
    dialog.templates_table.item(new, 0).setText("adas.01")
    assert not dialog.save_button.isEnabled()  # still no text
    dialog.templates_table.item(new, T_TEXT).setText("请保持车距。")
    assert dialog.templates_table.item(new, T_NAME).text() == by_code("adas.01").name_zh
    assert dialog.save_button.isEnabled()
    stored = save(qtbot, dialog)
    assert stored["tts_templates"]["adas.01"] == "请保持车距。"


def test_a_policy_the_server_refuses_shows_its_reason_in_the_dialog(qtbot, admin, tasks) -> None:
    before = admin.policies()
    dialog = open_dialog(qtbot, admin, tasks)
    dialog.tabs.setCurrentIndex(1)
    row = dialog.add_rule()  # its match left empty: the server's validation says so
    assert dialog.save_button.isEnabled()
    with qtbot.wait_signal(dialog.failed, timeout=LOAD_TIMEOUT_MS) as failed:
        dialog.save_button.click()
    shown = dialog.error_label.text()
    assert shown == failed.args[0]
    assert f"rule {row + 1}: match must be an alarm type code or prefix" in shown
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert not any(
        isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets()
    )
    assert admin.policies() == before
    # Corrected, it saves and closes.
    assert dialog.save_button.isEnabled()
    dialog.rules_table.item(row, R_MATCH).setText("bsd")
    stored = save(qtbot, dialog)
    assert stored["rules"][-1] == {"match": "bsd", "open_case": True}
    assert not dialog.isVisible()


# --- the menu --------------------------------------------------------------------------------
OPEN_WINDOWS: list[MainWindow] = []


@pytest.fixture
def windows(qtbot) -> Iterator[list[MainWindow]]:
    yield OPEN_WINDOWS
    delete_windows(qtbot, OPEN_WINDOWS)


def window(tmp_path, client: PlatformClient) -> MainWindow:
    settings = QSettings(
        str(tmp_path / f"{client.user['username']}.ini"), QSettings.Format.IniFormat
    )
    settings.setValue("map/base", "none")
    win = MainWindow(client, settings=settings)
    OPEN_WINDOWS.append(win)
    return win


def test_only_an_admin_may_open_the_policy_editor(qtbot, live, admin, tmp_path, windows) -> None:
    operator = admin.get("/users", role="county_operator")[0]["username"]
    win = window(tmp_path, login(live, operator))
    assert win.policy_action.text() == "处置策略…"
    assert not win.policy_action.isEnabled()
    assert win.policy_action.toolTip() == "仅管理员可以配置处置策略"
    win.show_policy_editor()
    assert getattr(win, "policy_dialog", None) is None

    win = window(tmp_path, login(live, "admin"))
    assert win.policy_action.isEnabled()
    win.policy_action.trigger()
    dialog = win.policy_dialog
    qtbot.wait_until(lambda: dialog.policy_loaded is not None, timeout=LOAD_TIMEOUT_MS)
    assert dialog.isVisible()
    assert dialog.templates() == admin.policies()["tts_templates"]
    # Saved, the case panel's escalation form offers the new supervisors.
    dialog.tabs.setCurrentIndex(1)
    dialog.supervisors_edit.setPlainText("县区交通运输主管部门\n市交通运输局")
    save(qtbot, dialog)
    assert win.case_panel.supervisors == ["县区交通运输主管部门", "市交通运输局"]
