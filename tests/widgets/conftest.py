"""Settings of the widget tests: Qt headless, QtWebEngine ready.

Runs before pytest-qt creates the QApplication:

- ``QT_QPA_PLATFORM=offscreen`` (no screen) and ``--no-sandbox`` for Chromium (the tests run
  as root, where Chromium's sandbox cannot start);
- QtWebEngine is imported here because it must be imported before the QApplication exists.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@pytest.fixture(autouse=True)
def _qt_application(qapp):
    """Every widget test has the QApplication (icons and pixmaps need one even where a
    test does not ask for qtbot)."""
    return qapp
