"""Languages: the console is written in Chinese (zh_CN, the default) and translated to
English by ``resources/i18n/truckwatch_en.qm`` (made from ``truckwatch_en.ts`` with
``pyside6-lrelease``). Qt's own dialogs get Qt's translations for the same language."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from widgets.resources import resource_path

log = logging.getLogger(__name__)

LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"


def install(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for ``language``; returns them (keep them alive)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    translators: list[QTranslator] = []
    qt = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(QLocale(language), "qtbase", "_", qt_dir):
        app.installTranslator(qt)
        translators.append(qt)
    if language != DEFAULT_LANGUAGE:
        ours = QTranslator(app)
        path = resource_path("i18n", f"truckwatch_{language}.qm")
        if ours.load(str(path)):
            app.installTranslator(ours)
            translators.append(ours)
        else:
            log.warning("no translation for %s at %s; the console stays in Chinese", language, path)
    return translators
