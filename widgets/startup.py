"""From start to the main window: the login dialog (or straight to the demo), starting the
embedded demo with a progress dialog, logging in, and — for ``--self-test`` — the check.

Starting the local demo's child processes is the entry point's business (console/app.py):
it hands in ``start_local_demo``, a blocking function that returns a logged-in client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from console.client import ClientError, PlatformClient
from widgets.login import LoginDialog
from widgets.main_window import MainWindow
from widgets.self_test import SelfTest
from widgets.tasks import Tasks

log = logging.getLogger(__name__)


class Startup(QObject):
    def __init__(
        self,
        app: QApplication,
        settings: QSettings,
        start_local_demo: Callable[[], PlatformClient],
        *,
        self_test: bool = False,
        screenshot: Path | None = None,
        timeout_s: float = 120.0,
    ) -> None:
        super().__init__(app)
        self.app = app
        self.settings = settings
        self.start_local_demo = start_local_demo
        self.self_test: SelfTest | None = None
        self.want_self_test = self_test
        self.screenshot = screenshot
        self.timeout_s = timeout_s
        self.tasks = Tasks(self)
        self.window: MainWindow | None = None
        self.progress: QProgressDialog | None = None
        self.exit_code: int | None = None
        self.finished = False
        if self_test:
            self.self_test = SelfTest(timeout_s=timeout_s, screenshot=screenshot, parent=self)
            self.self_test.done.connect(self._self_test_done)

    # --- flow -------------------------------------------------------------------------------
    def begin(self, *, demo: bool) -> None:
        if demo:
            self.start_demo()
            return
        dialog = LoginDialog(self.settings, self.tasks)
        dialog.demo_chosen.connect(self.start_demo)
        dialog.logged_in.connect(lambda client: self.open_window(client, ""))
        if dialog.exec() != LoginDialog.DialogCode.Accepted:
            self.finish(0)

    def start_demo(self) -> None:
        if self.self_test is not None:
            self.self_test.begin()
        else:
            self.progress = QProgressDialog(self.tr("正在启动本地演示平台和模拟车队…"), "", 0, 0)
            self.progress.setWindowTitle("TruckWatch")
            self.progress.setCancelButton(None)
            self.progress.setWindowModality(Qt.WindowModality.ApplicationModal)
            self.progress.show()

        self.tasks.run(
            self.start_local_demo,
            lambda client: self.open_window(client, self.tr(" [本地演示]")),
            self._demo_failed,
        )

    def _demo_failed(self, exc: BaseException) -> None:
        self._close_progress()
        text = exc.describe() if isinstance(exc, ClientError) else str(exc)
        log.error("the local demo could not start: %s", text)
        if self.self_test is not None:
            self.self_test.fail(f"demo did not start: {text}")
            return
        QMessageBox.critical(None, self.tr("本地演示无法启动"), text)
        self.finish(1)

    def open_window(self, client: PlatformClient, suffix: str) -> None:
        self._close_progress()
        self.window = MainWindow(
            client, settings=self.settings, tasks=self.tasks, title_suffix=suffix
        )
        if self.self_test is not None:
            self.window.resize(1920, 1080)
            self.self_test.watch(self.window)
        self.window.show()
        self.window.start()

    # --- end --------------------------------------------------------------------------------
    def _self_test_done(self, result: dict[str, Any]) -> None:
        print(__import__("json").dumps(result, ensure_ascii=False), flush=True)
        self.finish(0 if result.get("ok") else 1)

    def finish(self, code: int) -> None:
        self.exit_code = code
        self.finished = True
        self.app.exit(code)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def shutdown(self) -> None:
        if self.window is not None:
            self.window.shutdown()
            self.window.close()
        self.tasks.wait(15_000)
