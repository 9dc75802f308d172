"""Trim a Windows site-packages (installed from win_amd64 wheels) to what TruckWatch loads.

PySide6: keep the binding modules the console imports (and what they import), Qt's plugins
of the kinds it uses, the DLLs those need (followed through the PE import tables), the
WebEngine resources and the Chinese/English translations; drop QML, designer, tools, debug
resources. Elsewhere: tests, examples, type stubs, POSIX script wrappers.

    python prune_site_packages.py STAGE/python/Lib/site-packages
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import winpe

KEEP_MODULES = {
    "QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtWebEngineCore", "QtWebEngineWidgets",
    "QtWebChannel", "QtPositioning", "QtPrintSupport", "QtQuick", "QtQml", "QtQuickWidgets",
    "QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtTest", "QtDBus", "QtMultimedia",
    "QtMultimediaWidgets", "QtConcurrent",
}  # fmt: skip
KEEP_PLUGINS = {
    "platforms", "styles", "imageformats", "iconengines", "tls", "networkinformation",
    "generic", "multimedia",
}  # fmt: skip
KEEP_TRANSLATIONS = {"qtbase_zh_CN.qm", "qtbase_en.qm", "en-US.pak", "zh-CN.pak"}
DROP_DIRS = ["include", "lib", "glue", "typesystems", "metatypes", "doc", "scripts",
             "support", "qml", "QtAsyncio", "examples"]  # fmt: skip
ELSEWHERE = ["bin", "pyqtgraph/examples", "pyqtgraph/opengl", "pyqtgraph/jupyter",
             "numpy/tests", "numpy/_core/tests", "numpy/f2py", "numpy/_pyinstaller",
             "PIL/.dylibs"]  # fmt: skip


def prune(site: Path) -> dict[str, int]:
    qt = site / "PySide6"
    for f in qt.glob("*.pyd"):
        if f.name.split(".")[0] not in KEEP_MODULES:
            f.unlink()
    for pattern in ("*.pyi", "*.lib", "*.exe"):
        for f in qt.glob(pattern):
            if f.name != "QtWebEngineProcess.exe":
                f.unlink()
    for name in DROP_DIRS:
        shutil.rmtree(qt / name, ignore_errors=True)
    for d in (qt / "plugins").iterdir():
        if d.name not in KEEP_PLUGINS:
            shutil.rmtree(d)
    for f in (qt / "plugins" / "imageformats").glob("qpdf*.dll"):
        f.unlink()
    for f in list((qt / "translations").rglob("*")):
        if f.is_file() and f.name not in KEEP_TRANSLATIONS:
            f.unlink()
    for f in (qt / "resources").glob("*.debug.*"):
        f.unlink()
    (qt / "resources" / "qtwebengine_devtools_resources.pak").unlink(missing_ok=True)
    for extra in ELSEWHERE:
        shutil.rmtree(site / extra, ignore_errors=True)
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache)
    for stub in site.rglob("*.pyi"):
        stub.unlink()

    # the DLLs of PySide6/ that a kept module, plugin or QtWebEngineProcess.exe needs
    local = {f.name.lower(): f for f in qt.glob("*.dll")}
    todo = [*qt.glob("*.pyd"), qt / "QtWebEngineProcess.exe", *(qt / "plugins").rglob("*.dll")]
    needed: set[str] = set()
    seen: set[Path] = set()
    while todo:
        binary = todo.pop()
        if binary in seen:
            continue
        seen.add(binary)
        for dll in winpe.imports(binary):
            if dll in local and dll not in needed:
                needed.add(dll)
                todo.append(local[dll])
    # opengl32sw.dll is loaded at run time (software OpenGL where no GPU driver is)
    needed.add("opengl32sw.dll")
    removed = 0
    for name, f in local.items():
        if name not in needed:
            f.unlink()
            removed += 1
    return {"kept_dlls": len(needed & set(local)), "removed_dlls": removed}


if __name__ == "__main__":
    print(prune(Path(sys.argv[1])))
