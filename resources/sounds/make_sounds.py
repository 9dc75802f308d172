"""Make the alarm tones, one per severity (run: ``python resources/sounds/make_sounds.py``).

Short synthetic tones so that nothing here has a licence to track: the higher the severity,
the higher the pitch and the more beeps. 16-bit mono 22.05 kHz WAV, which QSoundEffect
plays everywhere; each beep fades in and out over 10 ms so that it does not click.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 22_050
HERE = Path(__file__).resolve().parent

# severity: (file, pitch in Hz, beeps, beep length s, gap s)
TONES = {
    1: ("alarm_low.wav", 523.0, 1, 0.25, 0.0),  # C5, one soft beep
    2: ("alarm_medium.wav", 659.0, 2, 0.18, 0.08),  # E5, two
    3: ("alarm_high.wav", 880.0, 3, 0.15, 0.06),  # A5, three
    4: ("alarm_critical.wav", 1175.0, 5, 0.10, 0.04),  # D6, five quick ones, with a second tone
}


def beep(pitch: float, seconds: float, *, two_tone: bool = False) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    wave_ = np.sin(2 * np.pi * pitch * t)
    if two_tone:
        wave_ = 0.6 * wave_ + 0.4 * np.sin(2 * np.pi * pitch * 1.5 * t)
    ramp = min(len(t) // 2, int(RATE * 0.01))
    envelope = np.ones_like(t)
    envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
    envelope[-ramp:] = np.linspace(1.0, 0.0, ramp)
    return wave_ * envelope


def tone(severity: int) -> np.ndarray:
    _, pitch, beeps, length, gap = TONES[severity]
    silence = np.zeros(int(RATE * gap))
    parts: list[np.ndarray] = []
    for i in range(beeps):
        parts.append(beep(pitch, length, two_tone=severity == 4))
        if i + 1 < beeps:
            parts.append(silence)
    return np.concatenate(parts)


def write(path: Path, samples: np.ndarray, volume: float = 0.5) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * volume * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())


def main() -> None:
    for severity, (name, *_) in TONES.items():
        write(HERE / name, tone(severity))
        print(HERE / name)


if __name__ == "__main__":
    main()
