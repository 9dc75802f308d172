"""packaging/windows/build_msi.sh: the MSI builds on Linux and is what Windows needs:
x64 package, stable UpgradeCode and major upgrades, per-machine install into Program Files,
a Start-menu shortcut with the Chinese name, nothing that touches user data on uninstall,
every binary PE32+ x86-64, the pinned interpreter; its files round-trip through msiextract.

(Installing and running it needs Windows: .github/workflows/packages.yml.)
Marked ``packaging``; skipped (with the reason) where wixl/msitools/mingw-w64 are missing.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = ROOT / "packaging" / "windows"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
UPGRADE_CODE = re.search(r'UpgradeCode="([0-9A-F-]+)"', (WINDOWS / "truckwatch.wxs").read_text())

sys.path.insert(0, str(WINDOWS))
import winpe  # noqa: E402

TOOLS = ("wixl", "wixl-heat", "msibuild", "msiinfo", "msiextract", "x86_64-w64-mingw32-gcc")
MISSING = [t for t in TOOLS if not shutil.which(t)]
if os.environ.get("TRUCKWATCH_PACKAGING") == "0":
    MISSING = ["(skipped: TRUCKWATCH_PACKAGING=0)"]
pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(bool(MISSING), reason=f"MSI build tools missing: {MISSING}"),
    pytest.mark.timeout(1800),
]


@dataclass(frozen=True)
class Built:
    msi: Path
    stage: Path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("msi")
    env = {**os.environ, "OUT": str(base / "out"), "WORK": str(base / "build"),
           "PYTHON": sys.executable}  # fmt: skip
    result = subprocess.run(
        ["bash", str(WINDOWS / "build_msi.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    yield Built(base / "out" / f"TruckWatch-{VERSION}-x64.msi", base / "build" / "stage")
    shutil.rmtree(base, ignore_errors=True)


def table(msi: Path, name: str) -> list[list[str]]:
    """Rows of an MSI table (msiinfo export: 3 header lines, tab-separated, UTF-8)."""
    out = subprocess.run(
        ["msiinfo", "export", str(msi), name], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [line.split("\t") for line in out.split("\r\n")[3:] if line]


def test_summary_says_x64_msi(built: Built) -> None:
    assert built.msi.name == f"TruckWatch-{VERSION}-x64.msi"
    info = subprocess.run(
        ["msiinfo", "suminfo", str(built.msi)], capture_output=True, text=True, check=True
    ).stdout
    assert "Template: x64;" in info
    assert f"Subject: TruckWatch {VERSION}" in info


def test_version_upgrade_code_and_names(built: Built) -> None:
    props = {row[0]: row[1] for row in table(built.msi, "Property")}
    assert props["ProductVersion"] == VERSION
    assert UPGRADE_CODE is not None
    assert props["UpgradeCode"] == "{" + UPGRADE_CODE.group(1) + "}"
    assert props["ProductName"] == "货车卫士 TruckWatch"
    assert props["ALLUSERS"] == "1"  # per machine
    codepage = subprocess.run(
        ["msiinfo", "export", str(built.msi), "_ForceCodepage"], capture_output=True, check=True
    ).stdout.decode()
    assert "936\t_ForceCodepage" in codepage  # GBK: the Chinese names survive


def test_major_upgrade_replaces_older_versions_and_refuses_downgrades(built: Built) -> None:
    upgrade = table(built.msi, "Upgrade")
    code = "{" + UPGRADE_CODE.group(1) + "}"  # type: ignore[union-attr]
    older = [
        r for r in upgrade if r[0] == code and r[2] == VERSION and r[6] == "WIX_UPGRADE_DETECTED"
    ]
    newer = [
        r for r in upgrade if r[0] == code and r[1] == VERSION and r[6] == "WIX_DOWNGRADE_DETECTED"
    ]
    assert older and newer
    actions = {row[0] for row in table(built.msi, "InstallExecuteSequence")}
    assert {"FindRelatedProducts", "RemoveExistingProducts"} <= actions


def test_installs_per_machine_into_program_files_with_a_chinese_start_menu_entry(
    built: Built,
) -> None:
    dirs = {row[0]: (row[1], row[2]) for row in table(built.msi, "Directory")}
    assert dirs["INSTALLDIR"] == ("ProgramFiles64Folder", "TruckWatch")
    [shortcut] = table(built.msi, "Shortcut")
    assert shortcut[1] == "ProgramMenuFolder"
    assert shortcut[2].split("|")[-1] == "货车卫士"
    assert shortcut[4] == "[INSTALLDIR]TruckWatch.exe"
    components = table(built.msi, "Component")
    assert len(components) > 1000
    assert all(int(row[3]) & 256 for row in components)  # 64-bit components


def test_uninstall_leaves_user_data_alone(built: Built) -> None:
    """The MSI only knows its own files (and one registry value): no RemoveFile rows, no
    custom actions; the console's data lives in the user's AppData (platformdirs)."""
    assert table(built.msi, "RemoveFile") == []
    assert table(built.msi, "CustomAction") == []
    registry = table(built.msi, "Registry")
    assert [(r[1], r[2]) for r in registry] == [("2", r"Software\TruckWatch\TruckWatch")]


@pytest.fixture(scope="module")
def extracted(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = tmp_path_factory.mktemp("msiextract")
    subprocess.run(
        ["msiextract", "-C", str(where), str(built.msi)],
        capture_output=True,
        check=True,
        timeout=600,
    )
    yield where / "TruckWatch"
    shutil.rmtree(where, ignore_errors=True)


def digests(tree: Path) -> dict[str, str]:
    return {
        str(f.relative_to(tree)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in tree.rglob("*")
        if f.is_file()
    }


def test_msiextract_gives_back_the_staged_files(built: Built, extracted: Path) -> None:
    assert digests(extracted) == digests(built.stage)


def test_every_binary_is_pe32_plus_x86_64(extracted: Path) -> None:
    binaries = [f for f in extracted.rglob("*") if f.suffix.lower() in {".exe", ".dll", ".pyd"}]
    assert len(binaries) > 50
    wrong = [str(f) for f in binaries if not winpe.info(f).is_pe32_plus_x64]
    assert wrong == []
    assert winpe.info(extracted / "TruckWatch.exe").subsystem == winpe.SUBSYSTEM_GUI
    assert winpe.info(extracted / "truckwatch-cli.exe").subsystem == winpe.SUBSYSTEM_CONSOLE
    # nothing for Linux slipped in
    assert not [f for f in extracted.rglob("*.so*") if f.is_file()]
    assert not (extracted / "python" / "Lib" / "site-packages" / "bin").exists()


def test_the_interpreter_is_the_pinned_cpython_3_11_9(extracted: Path) -> None:
    python = extracted / "python"
    for line in (WINDOWS / "python-embed.sha256").read_text().splitlines():
        digest, name = line.split()
        assert hashlib.sha256((python / name).read_bytes()).hexdigest() == digest, name
    pth = (python / "python311._pth").read_bytes().decode()
    assert pth.split("\r\n")[:5] == [
        "python311.zip",
        ".",
        r"Lib\site-packages",
        r"..\app",
        "import site",
    ]
    site = python / "Lib" / "site-packages"
    needed_parts = ["PySide6/QtWebEngineCore.pyd", "PySide6/QtWebEngineProcess.exe"]
    needed_parts += ["PySide6/Qt6WebEngineCore.dll", "av", "numpy", "pyqtgraph", "uvicorn"]
    for needed in needed_parts:
        assert (site / needed).exists(), needed
    app = extracted / "app"
    assert (app / "console" / "app.py").exists()
    assert (app / "resources" / "map" / "truckwatch-map.js").exists()
    assert list((app / "console" / "__pycache__").glob("app.cpython-311.pyc"))
