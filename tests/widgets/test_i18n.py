"""Translations: every text the widgets mark for translation has an English translation,
the compiled .qm matches the .ts, and installing English really changes the window."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from widgets import i18n
from widgets.resources import resource_path

TS = resource_path("i18n", "truckwatch_en.ts")
TOOLS = Path(sys.executable).parent


def sources(ts: Path) -> set[tuple[str, str]]:
    text = ts.read_text(encoding="utf-8")
    found = set()
    for context in re.findall(r"<context>(.*?)</context>", text, flags=re.S):
        name = re.search(r"<name>(.*?)</name>", context).group(1)
        found.update((name, s) for s in re.findall(r"<source>(.*?)</source>", context, re.S))
    return found


def tool(name: str) -> str:
    path = TOOLS / f"pyside6-{name}"
    if not path.exists():
        found = shutil.which(f"pyside6-{name}")
        if found is None:
            pytest.skip(f"pyside6-{name} not installed")
        return found
    return str(path)


def test_every_marked_text_is_translated(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    widgets = sorted(str(p) for p in Path(__file__).parents[2].joinpath("widgets").rglob("*.py"))
    subprocess.run(
        [
            tool("lupdate"),
            *widgets,
            "-ts",
            str(fresh),
            "-source-language",
            "zh_CN",
            "-target-language",
            "en",
        ],
        check=True,
        capture_output=True,
    )
    missing = sources(fresh) - sources(TS)
    assert not missing, f"run pyside6-lupdate and translate: {sorted(missing)[:5]}"
    assert 'type="unfinished"' not in TS.read_text(encoding="utf-8")


def test_compiled_translation_is_current(tmp_path: Path) -> None:
    out = tmp_path / "en.qm"
    subprocess.run([tool("lrelease"), str(TS), "-qm", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == resource_path("i18n", "truckwatch_en.qm").read_bytes()


def test_english_is_installed_on_request(qapp) -> None:
    translators = i18n.install(qapp, "en")
    try:
        assert QCoreApplication.translate("MainWindow", "车辆") == "Vehicles"
        assert QCoreApplication.translate("VehicleCard", "车牌") == "Plate"
    finally:
        for t in translators:
            qapp.removeTranslator(t)
    assert QCoreApplication.translate("MainWindow", "车辆") == "车辆"  # Chinese by default
