"""Alarm sounds: the tone per severity is requested, muting stops it, and the mute switch is
remembered per user and audited."""

from __future__ import annotations

import wave

import pytest
from PySide6.QtCore import QSettings

from widgets.alarm_sound import SOUND_FILES, AlarmSounds
from widgets.resources import resource_path


def settings_in(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)


@pytest.mark.parametrize("severity", [1, 2, 3, 4])
def test_each_severity_requests_its_sound(tmp_path, qtbot, severity: int) -> None:
    sounds = AlarmSounds(settings_in(tmp_path), "zhang", audio=False)
    with qtbot.wait_signal(sounds.played) as blocker:
        assert sounds.play(severity)
    assert blocker.args == [severity]
    assert sounds.last_played == severity


def test_out_of_range_severities_use_the_nearest_sound(tmp_path) -> None:
    sounds = AlarmSounds(settings_in(tmp_path), "zhang", audio=False)
    sounds.play(9)
    assert sounds.last_played == 4
    sounds.play(0)
    assert sounds.last_played == 1


def test_muted_sounds_are_not_requested(tmp_path, qtbot) -> None:
    sounds = AlarmSounds(settings_in(tmp_path), "zhang", audio=False)
    sounds.set_muted(True)
    with qtbot.assert_not_emitted(sounds.played):
        assert not sounds.play(4)
    assert sounds.last_played is None


def test_mute_is_remembered_per_user(tmp_path) -> None:
    AlarmSounds(settings_in(tmp_path), "zhang", audio=False).set_muted(True)
    assert AlarmSounds(settings_in(tmp_path), "zhang", audio=False).muted
    assert not AlarmSounds(settings_in(tmp_path), "li", audio=False).muted


def test_mute_changes_are_audited(tmp_path, qtbot, caplog) -> None:
    sounds = AlarmSounds(settings_in(tmp_path), "zhang", audio=False)
    caplog.set_level("INFO", logger="widgets.alarm_sound")
    with qtbot.wait_signal(sounds.mute_changed) as blocker:
        sounds.set_muted(True)
    assert blocker.args == [True]
    sounds.set_muted(True)  # no change, no entry
    sounds.set_muted(False)
    assert [(e["username"], e["muted"]) for e in sounds.audit] == [
        ("zhang", True),
        ("zhang", False),
    ]
    assert "alarm sound muted by zhang" in caplog.text


def test_without_an_audio_device_sounds_are_still_requested(tmp_path) -> None:
    sounds = AlarmSounds(settings_in(tmp_path), "zhang")  # this machine has no sound device
    assert sounds.play(3)
    assert sounds.last_played == 3


@pytest.mark.parametrize("name", SOUND_FILES.values())
def test_sound_files_are_short_wav_tones(name: str) -> None:
    with wave.open(str(resource_path("sounds", name))) as tone:
        seconds = tone.getnframes() / tone.getframerate()
        assert (tone.getnchannels(), tone.getsampwidth()) == (1, 2)
    assert 0.1 < seconds < 2.0
