"""Alarm sounds: one tone per severity (``resources/sounds/``, made by ``make_sounds.py``),
and a mute switch remembered per user.

Muting is an operator decision a supervisor may ask about ("why did nobody hear it?"), so
every change is logged and kept in :attr:`AlarmSounds.audit`; the panel passes it on as
``mute_changed`` for the main window to report to the platform once the API has a call for
it. Until then the audit lives in memory and in the log only.

What was asked to play is recorded (:attr:`last_played`, :attr:`played`) whether or not a
sound device exists, so the behaviour is testable on machines without one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QObject, QSettings, QUrl, Signal

from console.domain.alarm_types import Severity
from widgets.resources import resource_path

log = logging.getLogger(__name__)

SOUND_FILES = {
    Severity.LOW: "alarm_low.wav",
    Severity.MEDIUM: "alarm_medium.wav",
    Severity.HIGH: "alarm_high.wav",
    Severity.CRITICAL: "alarm_critical.wav",
}


class AlarmSounds(QObject):
    played = Signal(int)  # severity whose sound was requested
    mute_changed = Signal(bool)

    def __init__(
        self,
        settings: QSettings,
        username: str,
        parent: QObject | None = None,
        *,
        audio: bool = True,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.username = username
        self.audio = audio  # False: record requests only (tests, wall screens without speakers)
        self.last_played: int | None = None
        self.audit: list[dict[str, Any]] = []
        self._effects: dict[int, Any] = {}
        self._device_checked = False

    @property
    def settings_key(self) -> str:
        return f"alarm_sound/{self.username}/muted"

    @property
    def muted(self) -> bool:
        value = self.settings.value(self.settings_key, False)
        return value is True or str(value).lower() == "true"  # INI files give back strings

    def set_muted(self, muted: bool) -> None:
        if muted == self.muted:
            return
        self.settings.setValue(self.settings_key, muted)
        entry = {"time": time.time(), "username": self.username, "muted": muted}
        self.audit.append(entry)
        log.info("alarm sound %s by %s", "muted" if muted else "unmuted", self.username)
        self.mute_changed.emit(muted)

    def play(self, severity: int) -> bool:
        """Sound for an alarm of ``severity``; False (and nothing recorded) when muted."""
        if self.muted:
            return False
        severity = min(max(int(severity), Severity.LOW), Severity.CRITICAL)
        self.last_played = severity
        self.played.emit(severity)
        effect = self._effect(severity)
        if effect is not None:
            effect.play()  # restarts if already playing: a burst is one sound, not a din
        return True

    def _effect(self, severity: int) -> Any:
        if not self.audio:
            return None
        if not self._device_checked:
            # Imported late: QtMultimedia probes the audio system when it loads.
            from PySide6.QtMultimedia import QMediaDevices

            self._device_checked = True
            if not QMediaDevices.audioOutputs():
                log.warning("no audio output: alarm sounds are off on this machine")
                self.audio = False
                return None
        effect = self._effects.get(severity)
        if effect is None:
            from PySide6.QtMultimedia import QSoundEffect

            effect = QSoundEffect(self)
            effect.setSource(
                QUrl.fromLocalFile(str(resource_path("sounds", SOUND_FILES[Severity(severity)])))
            )
            self._effects[severity] = effect
        return effect
