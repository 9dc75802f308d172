"""Child processes that never outlive the console.

The console starts the embedded platform and the simulator as child processes. They must
stop when the console quits, and also when it crashes or is killed: on Linux the kernel
sends them SIGTERM when their parent dies (PR_SET_PDEATHSIG); everywhere, :meth:`stop`
terminates them in order and kills what does not exit in time.

PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not only the process.
The console starts its children from worker threads (pool threads come and go), so every
child is forked by one spawner thread that lives as long as the process.
"""

from __future__ import annotations

import ctypes
import json
import logging
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


#: Entry points by the ``truckwatch`` subcommand that runs them (console/app.py). A frozen
#: build is one executable without ``-c``: it starts its children as ``truckwatch platform …``.
SUBCOMMANDS = {"platform": "console.platform.service:main", "sim": "console.sim.cli:main"}


def python_command(module_main: str, *args: str) -> list[str]:
    """Run ``package.module:main`` with this interpreter (a venv, an embedded Python), or
    as a subcommand of the executable of a frozen (PyInstaller) build."""
    if getattr(sys, "frozen", False):
        for name, target in SUBCOMMANDS.items():
            if target == module_main:
                return [sys.executable, name, *args]
        raise ValueError(f"a frozen build cannot run {module_main}: not in SUBCOMMANDS")
    module, _, func = module_main.partition(":")
    code = f"import sys; from {module} import {func}; sys.exit({func}())"
    return [sys.executable, "-c", code, *args]


def platform_command(db: str, data_dir: Path, ports: dict[str, int] | None = None) -> list[str]:
    """``truckwatch-platform serve`` on loopback; ports 0 (the default) pick free ones."""
    p = ports or {}
    return python_command(
        "console.platform.service:main",
        "serve",
        "--db",
        db,
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--jt808-port",
        str(p.get("jt808", 0)),
        "--attachment-port",
        str(p.get("attachment", 0)),
        "--media-port",
        str(p.get("media", 0)),
        "--http-port",
        str(p.get("http", 0)),
    )


def read_ports(proc: subprocess.Popen[str]) -> dict[str, int]:
    """The one JSON line of ports a starting platform prints (its stdout must be a pipe)."""
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.stdout.close()
    if not line:
        raise RuntimeError(f"the platform did not start (exit status {proc.wait()})")
    return json.loads(line)


class _Spawner:
    """One long-lived thread that runs every Popen (see the module's docstring)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def run(self, job: Callable[[], Any]) -> Any:
        if threading.current_thread() is threading.main_thread():
            return job()  # the main thread lives as long as the process
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="spawner", daemon=True)
                self._thread.start()
        done: Future[Any] = Future()
        self._jobs.put((job, done))
        return done.result()

    def _loop(self) -> None:
        while True:
            job, done = self._jobs.get()
            try:
                done.set_result(job())
            except BaseException as exc:
                done.set_exception(exc)


_spawner = _Spawner()


class Children:
    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen[str]]] = []

    def start(self, name: str, argv: Sequence[str], **kwargs: object) -> subprocess.Popen[str]:
        if sys.platform.startswith("linux"):
            kwargs.setdefault("preexec_fn", _die_with_parent)
        proc = _spawner.run(
            lambda: subprocess.Popen(list(argv), text=True, **kwargs)  # type: ignore[call-overload]
        )
        self.procs.append((name, proc))
        log.info("started %s (pid %d)", name, proc.pid)
        return proc

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the children, the last started first."""
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: the platform and the simulator shut down cleanly
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s: killing it", name, timeout)
                proc.kill()
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> Children:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
