"""``truckwatch`` as a person runs it: the demo self-test (headless, JSON, screenshot) and
no orphaned child processes, also when the console is killed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image, ImageStat

CONSOLE = [sys.executable, "-c", "from console.app import main; raise SystemExit(main())"]


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    env.pop("DISPLAY", None)
    return env


@pytest.mark.timeout(200)
def test_self_test_passes_saves_a_screenshot_and_cleans_up(tmp_path: Path) -> None:
    shot = tmp_path / "main.png"
    data_dir = tmp_path / "demo"
    report_file = tmp_path / "report.json"
    began = time.monotonic()
    args = ["--demo", "--self-test", "--screenshot", str(shot), "--data-dir", str(data_dir)]
    result = subprocess.run(
        [*CONSOLE, *args, "--self-test-report", str(report_file)],
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=180,
        check=False,
    )
    taken = time.monotonic() - began
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert lines, result.stderr[-3000:]
    report = json.loads(lines[-1])
    assert result.returncode == 0, report
    assert report["ok"] is True
    assert report["vehicles_total"] == 300
    assert report["markers_on_map"] >= 270 and report["vehicles_online"] >= 270
    assert report["alarms_today"] >= 1 and report["alarms_in_queue"] >= 1
    assert report["seconds"] <= 120 and taken < 170
    # what a packaged build can lose: H.264/H.265 decoding, pyqtgraph, the map offline
    checks = report["checks"]
    assert {"h264", "h265", "chart", "map", "platform"} <= set(checks)
    assert all(check["ok"] for check in checks.values()), checks
    assert checks["map"]["remote_assets"] == [] and checks["map"]["protocol"] == "file:"
    assert report["build"]["frozen"] is False
    assert json.loads(report_file.read_text(encoding="utf-8")) == report
    with Image.open(shot) as image:
        assert image.size == (1920, 1080)
        # a real window: many colours, not one flat (empty) page
        assert len(image.convert("RGB").getcolors(1_000_000) or []) > 200
        assert max(ImageStat.Stat(image.convert("L")).stddev) > 10
    assert not _platform_pids(data_dir), "the platform outlived the console"


@pytest.mark.timeout(200)
def test_self_test_failure_is_reported_with_a_reason(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    data_dir.mkdir()
    (data_dir / "demo.db").write_text("this is not a database")
    result = subprocess.run(
        [*CONSOLE, "--demo", "--self-test", "--timeout", "20", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env=env_for(tmp_path),
        timeout=120,
        check=False,
    )
    report = json.loads([x for x in result.stdout.splitlines() if x.startswith("{")][-1])
    assert result.returncode == 1
    assert report["ok"] is False and report["reason"]


@pytest.mark.timeout(200)
def test_killing_the_console_leaves_no_orphans(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    console = subprocess.Popen(
        [*CONSOLE, "--demo", "--vehicles", "5", "--data-dir", str(data_dir)],
        env=env_for(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not (data_dir / "simulator.log").exists() or not _platform_pids(data_dir):
            assert time.monotonic() < deadline, "the demo's children never started"
            assert console.poll() is None, "the console exited early"
            time.sleep(0.5)
        assert _platform_pids(data_dir)
        console.send_signal(signal.SIGKILL)  # no clean-up code runs in the console
        console.wait(10)
        deadline = time.monotonic() + 20
        while _platform_pids(data_dir) or _sim_pids(console.pid):
            assert time.monotonic() < deadline, "children outlived a killed console"
            time.sleep(0.5)
    finally:
        if console.poll() is None:
            console.kill()


def _platform_pids(data_dir: Path) -> list[str]:
    """The demo platform's pid (its command line names its data directory)."""
    out = subprocess.run(
        ["pgrep", "-f", "--", f"serve .*--data-dir {data_dir}/platform"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr  # 1: none found; anything else: pgrep failed
    return out.stdout.split()


def _sim_pids(parent: int) -> list[str]:
    out = subprocess.run(["pgrep", "-P", str(parent)], capture_output=True, text=True, check=False)
    return out.stdout.split()


@pytest.mark.timeout(200)
def test_sigterm_quits_the_console_and_its_children(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    console = subprocess.Popen(
        [*CONSOLE, "--demo", "--vehicles", "3", "--data-dir", str(data_dir)],
        env=env_for(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not _platform_pids(data_dir):
            assert time.monotonic() < deadline, "the demo's platform never started"
            time.sleep(0.5)
        console.send_signal(signal.SIGTERM)
        assert console.wait(30) == 0
        assert not _platform_pids(data_dir) and not _sim_pids(console.pid)
    finally:
        if console.poll() is None:
            console.kill()


def test_a_frozen_build_starts_its_children_through_subcommands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from console.children import python_command

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/truckwatch/truckwatch")
    assert python_command("console.platform.service:main", "serve", "--db", "x") == [
        "/opt/truckwatch/truckwatch",
        "platform",
        "serve",
        "--db",
        "x",
    ]
    assert python_command("console.sim.cli:main", "--vehicles", "3")[1:] == [
        "sim",
        "--vehicles",
        "3",
    ]
    with pytest.raises(ValueError, match="frozen"):
        python_command("console.protocol.cli:main")


def test_the_console_runs_the_platform_and_the_simulator_as_subcommands() -> None:
    for sub, expect in (("platform", "serve"), ("sim", "--jt808")):
        out = subprocess.run(
            [*CONSOLE, sub, "--help"], capture_output=True, text=True, timeout=60, check=False
        )
        assert out.returncode == 0 and expect in out.stdout, out.stderr[-2000:]


def test_chromium_sandbox_is_switched_off_where_it_cannot_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console import app

    proc = tmp_path / "sys"
    (proc / "kernel").mkdir(parents=True)
    (proc / "user").mkdir()
    (proc / "user" / "max_user_namespaces").write_text("63000\n")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert app.sandbox_blocked(proc) is None  # an ordinary user on a permissive kernel
    (proc / "kernel" / "apparmor_restrict_unprivileged_userns").write_text("1\n")
    assert "apparmor_restrict_unprivileged_userns" in (app.sandbox_blocked(proc) or "")
    (proc / "kernel" / "apparmor_restrict_unprivileged_userns").write_text("0\n")
    (proc / "user" / "max_user_namespaces").write_text("0\n")
    assert "max_user_namespaces" in (app.sandbox_blocked(proc) or "")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert app.sandbox_blocked(proc) == "running as root"

    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)  # restored after
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(app, "sandbox_blocked", lambda: "running as root")
    app.prepare_qt_environment(headless=True)
    assert os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"
    assert "--no-sandbox" in os.environ["QTWEBENGINE_CHROMIUM_FLAGS"]
