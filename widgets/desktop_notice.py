"""Desktop notifications of new alarms (optional): a tray balloon for every new alarm at or
above a severity, so an operator working in another window still hears about it. Off
where the desktop has no system tray; the choice is remembered per user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QSystemTrayIcon

from console.domain.alarm_types import Severity, by_code
from widgets.beijing import beijing_time
from widgets.icons import status_icon

MIN_SEVERITY = Severity.HIGH


class DesktopNotice(QObject):
    def __init__(self, settings: QSettings, username: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.key = f"alarm_notice/{username}/enabled"
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(status_icon("alarm"), self)
            self.tray.setToolTip("TruckWatch")
            self.tray.show()
        self.shown: list[tuple[str, str]] = []  # what was notified (also without a tray)

    @property
    def enabled(self) -> bool:
        return str(self.settings.value(self.key, "true")).lower() == "true"

    def set_enabled(self, enabled: bool) -> None:
        self.settings.setValue(self.key, "true" if enabled else "false")

    def alarm(self, alarm: dict[str, Any]) -> bool:
        """Notify a new alarm if it is severe enough; returns whether it was."""
        if not self.enabled or int(alarm.get("severity") or 0) < MIN_SEVERITY:
            return False
        try:
            name = by_code(alarm.get("type_code", "")).name_zh
        except KeyError:
            name = alarm.get("type_code", "")
        title = self.tr("报警：{name}").format(name=name)
        text = f"{alarm.get('plate', '')}  {beijing_time(alarm.get('started_at'), '%H:%M:%S')}"
        self.shown.append((title, text))
        del self.shown[:-50]
        if self.tray is not None:
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 8000)
        return True
