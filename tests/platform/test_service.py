"""``truckwatch-platform``: ``seed --demo`` and ``serve``, run as the user runs them."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from console.platform.config import PlatformConfig
from console.platform.events import EventBus
from console.platform.metrics import Metrics
from console.platform.store import Store, registry, sqlite_url

SCRIPT = Path(sys.executable).with_name("truckwatch-platform")


def platform_command() -> list[str]:
    """The installed entry point if there is one, else the module."""
    if SCRIPT.exists():
        return [str(SCRIPT)]
    return [sys.executable, "-m", "console.platform.service"]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*platform_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def gateway_importable() -> bool:
    try:
        import console.platform.gateway  # noqa: F401
    except ImportError:
        return False
    return True


needs_gateway = pytest.mark.skipif(not gateway_importable(), reason="needs gateway")


# --------------------------------------------------------------------------- seed


def test_seed_demo_fills_the_database(db_url: str) -> None:
    done = run("seed", "--demo", "--db", db_url, "--admin-password", "adm", "--demo-password", "d")
    assert done.returncode == 0, done.stderr
    assert "8 counties, 20 enterprises, 300 vehicles, 300 terminals, 29 users" in done.stdout
    assert "op_qingcheng" in done.stdout and "(--demo-password)" in done.stdout
    store = Store.open(db_url)
    try:
        with store.connect() as conn:
            assert registry.count_rows(conn)["vehicles"] == 300
    finally:
        store.close()


def test_seed_twice_is_refused_clearly(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "demo.db")
    assert run("seed", "--demo", "--db", url, "--demo-password", "d").returncode == 0
    again = run("seed", "--demo", "--db", url, "--demo-password", "d")
    assert again.returncode == 3
    assert "not seeded: the database is not empty" in again.stderr
    assert "Traceback" not in again.stderr


def test_seed_prints_generated_passwords_once_as_json(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "demo.db")
    done = run("seed", "--demo", "--db", url, "--json", "--demo-password", "d")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    users = {u["username"]: u for u in report["users"]}
    assert report["vehicles"] == 300 and len(users) == 29
    assert users["admin"]["password"]  # not given: generated, shown once
    assert users["op_yingde"]["password"] is None  # given: --demo-password
    assert users["ent_7"]["role"] == "enterprise_officer" and users["ent_7"]["enterprise_id"]
    assert users["op_yingde"]["county_id"] == "cty_441881"


def test_seed_needs_demo(tmp_path: Path) -> None:
    done = run("seed", "--db", sqlite_url(tmp_path / "x.db"))
    assert done.returncode == 2
    assert "--demo" in done.stderr


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-dir/truckwatch/x.db", "postgresql+psycopg://u@127.0.0.1:1/x", "nope"],
)
def test_a_database_that_cannot_be_opened_is_a_clear_error(url: str) -> None:
    for command in ("seed", "serve"):
        args = ["seed", "--demo"] if command == "seed" else ["serve", "--data-dir", "/tmp"]
        done = run(*args, "--db", url)
        assert done.returncode == 1, done.stderr
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("truckwatch-platform: "), done.stderr
        assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- serve


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


@needs_gateway
def test_serve_prints_its_ports_and_serves_the_api(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "platform.db")
    data = tmp_path / "data"
    ports = ("--jt808-port", "0", "--attachment-port", "0", "--media-port", "0")
    proc = subprocess.Popen(
        [
            *platform_command(),
            "serve",
            "--db",
            url,
            "--data-dir",
            str(data),
            "--host",
            "127.0.0.1",
            *ports,
            "--http-port",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = read_line(proc, 60)
        assert line, (
            f"no ports line; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
        )  # type: ignore[union-attr]
        printed = json.loads(line)
        assert set(printed) == {"jt808", "attachment", "media", "http"}
        assert all(p > 0 for p in printed.values()) and len(set(printed.values())) == 4
        assert json.loads((data / "ports.json").read_text()) == printed
        health = httpx.get(f"http://127.0.0.1:{printed['http']}/api/v1/health", timeout=10)
        assert health.status_code == 200 and health.json()["db"] is True
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


# --------------------------------------------------------------------------- HttpServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_platform(store: Store, tmp_path: Path, port: int) -> Any:
    config = PlatformConfig(db_url=store.url, data_dir=tmp_path, http_port=port)
    return SimpleNamespace(
        config=config,
        store=store,
        bus=EventBus(),
        metrics=Metrics(),
        clock=lambda: 1_700_000_000.0,
        gateway=None,
    )


@pytest.mark.parametrize("fixed", [False, True], ids=["free-port", "given-port"])
def test_http_server_starts_on_a_port_and_stops(tmp_path: Path, fixed: bool) -> None:
    from console.platform.api.http import HttpServer

    store = Store.open(sqlite_url(tmp_path / "http.db"))
    wanted = free_port() if fixed else 0

    async def scenario() -> int:
        server = HttpServer(http_platform(store, tmp_path, wanted))
        port = await server.start()
        try:
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/api/v1/health")
            assert response.status_code == 200
            assert "server" not in response.headers
        finally:
            await server.stop()
        with pytest.raises(httpx.ConnectError):
            async with httpx.AsyncClient() as client:
                await client.get(f"http://127.0.0.1:{port}/api/v1/health")
        return port

    try:
        port = asyncio.run(scenario())
    finally:
        store.close()
    assert port > 0 and (not fixed or port == wanted)


def test_http_server_refuses_a_port_in_use(tmp_path: Path) -> None:
    from console.platform.api.http import HttpServer

    store = Store.open(sqlite_url(tmp_path / "http.db"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = HttpServer(http_platform(store, tmp_path, taken.getsockname()[1]))
        try:
            with pytest.raises(OSError):
                asyncio.run(server.start())
        finally:
            store.close()
