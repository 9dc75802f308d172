"""``truckwatch``: the console's entry point (the only module of ``console`` that imports Qt).

- ``truckwatch`` — the login dialog: the local demo or a platform server.
- ``truckwatch --demo`` — straight into the local demo: an embedded ``truckwatch-platform``
  (SQLite under the user data directory) and a ``truckwatch-sim`` fleet as child processes;
  both end with the console, also when it crashes or is killed (console/children.py).
- ``truckwatch --demo --self-test [--screenshot F.png]`` — the smoke test: everything headless,
  waits for the fleet on the map, prints one JSON line, exits 0 or 1 within 120 s.
- ``truckwatch --demo --headless`` — the demo without a window (status line).
- ``truckwatch platform …`` / ``truckwatch sim …`` — ``truckwatch-platform`` and
  ``truckwatch-sim``: how a packaged build (one executable) starts its own children.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

from console import __version__

log = logging.getLogger("truckwatch")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="truckwatch", description="TruckWatch console")
    parser.add_argument(
        "--demo", action="store_true", help="local demo: platform + simulated fleet"
    )
    parser.add_argument("--headless", action="store_true", help="demo without a window")
    parser.add_argument("--self-test", action="store_true", help="smoke test, prints JSON")
    parser.add_argument("--screenshot", type=Path, help="self-test: save the main window here")
    parser.add_argument(
        "--self-test-report", type=Path, help="self-test: also write the JSON line to this file"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="self-test time limit, s")
    parser.add_argument("--vehicles", type=int, help="demo: how many trucks drive (default all)")
    parser.add_argument("--speedup", type=float, default=10.0, help="demo: simulated time ×K")
    parser.add_argument("--duration", type=float, help="headless demo: stop after S seconds")
    parser.add_argument("--data-dir", type=Path, help="demo data directory (default: user data)")
    parser.add_argument("--version", action="version", version=f"TruckWatch {__version__}")
    return parser.parse_args(argv)


def run_subcommand(name: str, argv: list[str]) -> int:
    """``truckwatch platform|sim ARGS``: the children's entry points (console/children.py)."""
    if name == "platform":
        from console.platform.service import main as entry
    elif name == "sim":
        from console.sim.cli import main as entry
    else:
        raise ValueError(f"unknown subcommand {name!r}")
    return entry(argv)


def main(argv: list[str] | None = None) -> int:
    from console.children import SUBCOMMANDS

    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        return run_subcommand(argv[0], argv[1:])
    args = parse(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from console import demo

    data_dir = args.data_dir or demo.demo_dir()
    if args.headless:
        return demo.run(
            data_dir, vehicles=args.vehicles, speedup=args.speedup, duration=args.duration
        )
    if args.self_test:
        args.demo = True
    prepare_qt_environment(headless=args.self_test)
    return run_gui(args, data_dir)


def prepare_qt_environment(*, headless: bool) -> None:
    """Before Qt starts: no display → offscreen (self-test); QtWebEngine's Chromium cannot
    use its sandbox as root or where user namespaces are blocked."""
    if headless and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    reason = sandbox_blocked()
    if reason and not os.environ.get("QTWEBENGINE_DISABLE_SANDBOX"):
        log.warning("QtWebEngine runs without Chromium's sandbox: %s", reason)
        os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"


def sandbox_blocked(proc: Path = Path("/proc/sys")) -> str | None:
    """Why Chromium's sandbox cannot work here (Linux), or None: it needs unprivileged user
    namespaces (a packaged build has no setuid helper), and it refuses to run as root."""
    if not sys.platform.startswith("linux"):
        return None
    if os.geteuid() == 0:
        return "running as root"
    for name, blocked in (
        ("kernel/apparmor_restrict_unprivileged_userns", "1"),  # Ubuntu 23.10+
        ("kernel/unprivileged_userns_clone", "0"),  # Debian's older switch
        ("user/max_user_namespaces", "0"),
    ):
        try:
            value = (proc / name).read_text().strip()
        except OSError:
            continue
        if value == blocked:
            return f"unprivileged user namespaces are blocked ({name.replace('/', '.')}={value})"
    return None


def run_gui(args: argparse.Namespace, data_dir: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
    from PySide6.QtWebEngineWidgets import QWebEngineView  # noqa: F401  (before QApplication)
    from PySide6.QtWidgets import QApplication

    from console import demo
    from console.children import Children
    from console.client import PlatformClient
    from widgets import i18n
    from widgets.startup import Startup

    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("TruckWatch")
    app.setOrganizationName("TruckWatch")
    app.setApplicationVersion(__version__)
    if args.self_test:
        # A smoke test neither reads nor changes the operator's settings (layout, language).
        fresh = data_dir / "self-test-settings.ini"
        fresh.unlink(missing_ok=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(fresh), QSettings.Format.IniFormat)
    else:
        settings = QSettings()
    translators = i18n.install(app, str(settings.value("language", i18n.DEFAULT_LANGUAGE)))
    children = Children()

    def start_local_demo() -> PlatformClient:
        """Runs on a worker thread: seed once, start the children, log in as admin."""
        started = demo.start(children, data_dir, vehicles=args.vehicles, speedup=args.speedup)
        return started.admin_client()

    startup = Startup(
        app,
        settings,
        start_local_demo,
        self_test=args.self_test,
        screenshot=args.screenshot,
        timeout_s=args.timeout,
    )
    if startup.self_test is not None and args.self_test_report is not None:
        # A windowed (GUI-subsystem) build on Windows has no stdout: the report goes here.
        report = args.self_test_report
        startup.self_test.done.connect(
            lambda result: report.write_text(json.dumps(result, ensure_ascii=False) + "\n")
        )
    # SIGTERM / Ctrl-C end the console cleanly (children stopped). Python runs signal
    # handlers only between bytecodes, so a timer lets it look in while Qt's loop runs.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: startup.finish(0))
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        startup.begin(demo=args.demo)
        code = app.exec() if not startup.finished else startup.exit_code
    finally:
        startup.shutdown()
        children.stop()
    del translators
    return startup.exit_code if startup.exit_code is not None else code


if __name__ == "__main__":
    sys.exit(main())
