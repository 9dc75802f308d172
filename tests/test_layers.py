"""The import rules of ARCHITECTURE.md, checked by reading every module's imports."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STDLIB = set(sys.stdlib_module_names)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    package = (
        module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    )
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def sources(*packages: str) -> list[Path]:
    return sorted(p for pkg in packages for p in (ROOT / pkg).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("path", sources("console/protocol"), ids=lambda p: module_name(p))
def test_protocol_imports_only_stdlib(path: Path) -> None:
    bad = {
        n for n in imports_of(path) if top(n) not in STDLIB and not is_under(n, "console.protocol")
    }
    assert not bad, f"{module_name(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sources("console/domain"), ids=lambda p: module_name(p))
def test_domain_imports_only_stdlib(path: Path) -> None:
    bad = {
        n for n in imports_of(path) if top(n) not in STDLIB and not is_under(n, "console.domain")
    }
    assert not bad, f"{module_name(path)} imports {sorted(bad)}"


@pytest.mark.parametrize("path", sources("console"), ids=lambda p: module_name(p))
def test_console_never_imports_qt_or_widgets(path: Path) -> None:
    if path == ROOT / "console" / "app.py":
        return  # the GUI entry point is the one module that may
    bad = {
        n for n in imports_of(path) if top(n) in {"PySide6", "shiboken6", "widgets", "pyqtgraph"}
    }
    assert not bad, f"{module_name(path)} imports {sorted(bad)}"


@pytest.mark.parametrize(
    "path", sources("widgets", "console/client", "console/sim"), ids=lambda p: module_name(p)
)
def test_platform_is_reached_only_over_the_network(path: Path) -> None:
    bad = {n for n in imports_of(path) if is_under(n, "console.platform")}
    assert not bad, f"{module_name(path)} imports {sorted(bad)}"


def test_the_checker_sees_the_imports_of_a_module() -> None:
    names = imports_of(ROOT / "console" / "protocol" / "jt808" / "codec.py")
    assert {"console.protocol.jt808.framing", "console.protocol.errors"} <= names
