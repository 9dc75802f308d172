"""Settings of the widget tests: Qt headless, QtWebEngine ready, PySide6 kept alive.

Runs before pytest-qt creates the QApplication:

- ``QT_QPA_PLATFORM=offscreen`` (no screen) and ``--no-sandbox`` for Chromium (the tests run
  as root, where Chromium's sandbox cannot start);
- QtWebEngine is imported here because it must be imported before the QApplication exists;
- the reference-count workaround for PySide6 6.12.0 on CPython 3.11 (see
  ``widgets/map/qtcompat.py``), without which a test run aborts after a few thousand Qt calls.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")

from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401

from widgets.map.qtcompat import work_around_pyside_refcount_leak

work_around_pyside_refcount_leak()

import pytest  # noqa: E402
from PySide6.QtCore import QCoreApplication, Qt  # noqa: E402

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)


@pytest.fixture(autouse=True)
def _qt_application(qapp):
    """Every widget test has the QApplication (icons and pixmaps need one even where a
    test does not ask for qtbot)."""
    return qapp
