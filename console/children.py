"""Child processes that never outlive the console.

The console starts the embedded platform and the simulator as child processes. They must
stop when the console quits, and also when it crashes or is killed: on Linux the kernel
sends them SIGTERM when their parent dies (PR_SET_PDEATHSIG); everywhere, :meth:`stop`
terminates them in order and kills what does not exit in time.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
from collections.abc import Sequence

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def python_command(module_main: str, *args: str) -> list[str]:
    """Run ``package.module:main`` with this interpreter (works in a venv and frozen)."""
    module, _, func = module_main.partition(":")
    code = f"import sys; from {module} import {func}; sys.exit({func}())"
    return [sys.executable, "-c", code, *args]


class Children:
    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen[str]]] = []

    def start(self, name: str, argv: Sequence[str], **kwargs: object) -> subprocess.Popen[str]:
        if sys.platform.startswith("linux"):
            kwargs.setdefault("preexec_fn", _die_with_parent)
        proc = subprocess.Popen(list(argv), text=True, **kwargs)  # type: ignore[call-overload]
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
