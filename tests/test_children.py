"""Child processes of the console stop with it, even when it is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.children import Children, python_command

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped) counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ", 1)[1][0] != "Z"


def test_stop_ends_every_child() -> None:
    with Children() as children:
        a = children.start("a", SLEEPER)
        b = children.start("b", SLEEPER)
    assert a.poll() is not None and b.poll() is not None


def test_python_command_runs_a_module_main() -> None:
    out = subprocess.run(
        python_command("console.platform.service:main", "--help"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0 and "serve" in out.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_children_die_when_the_parent_is_killed(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from console.children import Children\n"
        "c = Children()\n"
        f"p = c.start('sleeper', {SLEEPER!r})\n"
        "print(p.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    parent.stdout.close()
    assert alive(child_pid)
    parent.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs
    parent.wait()
    for _ in range(100):
        if not alive(child_pid):
            break
        time.sleep(0.05)
    assert not alive(child_pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_started_from_a_passing_thread_outlives_that_thread() -> None:
    # PR_SET_PDEATHSIG is tied to the forking thread: the console starts its children from
    # worker threads that end, and the children must not end with them.
    import threading

    with Children() as children:
        started: list[subprocess.Popen[str]] = []
        worker = threading.Thread(target=lambda: started.append(children.start("s", SLEEPER)))
        worker.start()
        worker.join()
        time.sleep(1.0)
        assert alive(started[0].pid)
    assert not alive(started[0].pid)
