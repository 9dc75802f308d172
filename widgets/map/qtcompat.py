"""A guard against a reference-counting bug of PySide6 6.12.0 on CPython 3.11.

PySide6/shiboken6 6.12.0 return ``None`` (from every Qt method returning ``void``) and
``True``/``False`` without taking a new reference, as if they were immortal objects; they are
only immortal from CPython 3.12 on (PEP 683). On 3.11 each such call drops one reference to
the singleton, and after a few thousand calls (``processEvents``, ``resize``, ``update``…)
the interpreter aborts with "Fatal Python error: none_dealloc". 6.11.3 does not do this.

The fix is a PySide6 version without the bug (see the project's dependency pin). Until every
environment has one, :func:`work_around_pyside_refcount_leak` detects the leak and, only if it
is there, gives the three singletons a reference count no run can use up, which is what
CPython 3.12 does for them anyway. Call it once, early, in a process that runs Qt.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["pyside_leaks_references", "work_around_pyside_refcount_leak"]

_HEADROOM = 1 << 40  # references; ~10^12 leaking calls


def pyside_leaks_references() -> bool:
    """True if a void Qt call costs ``None`` a reference (measured on 100 calls)."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    return before - sys.getrefcount(None) >= 50


def work_around_pyside_refcount_leak() -> bool:
    """Apply the workaround if this PySide6 leaks; returns whether it was needed."""
    if sys.version_info >= (3, 12) or not pyside_leaks_references():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython 3.11 object, at id(obj).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
    return True
