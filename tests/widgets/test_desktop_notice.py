"""Desktop notices of new alarms: severe ones only, remembered per user."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from widgets.desktop_notice import DesktopNotice


def alarm(severity: int) -> dict:
    return {
        "id": "a1",
        "plate": "粤R12345",
        "type_code": "dsm.01",
        "severity": severity,
        "started_at": "2026-11-21T01:02:03+00:00",
    }


def settings_in(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def test_severe_alarms_are_notified_with_type_plate_and_beijing_time(tmp_path) -> None:
    notice = DesktopNotice(settings_in(tmp_path), "op_qingcheng")
    assert notice.alarm(alarm(3))
    title, text = notice.shown[-1]
    assert title.startswith("报警：") and "dsm.01" not in title
    assert text == "粤R12345  09:02:03"
    assert not notice.alarm(alarm(2))  # below high: the queue's sound is enough
    assert len(notice.shown) == 1


def test_turning_notices_off_is_remembered_per_user(tmp_path) -> None:
    settings = settings_in(tmp_path)
    DesktopNotice(settings, "op_qingcheng").set_enabled(False)
    assert not DesktopNotice(settings, "op_qingcheng").alarm(alarm(4))
    assert DesktopNotice(settings, "op_yingde").alarm(alarm(4))
