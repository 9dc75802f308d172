"""packaging/linux/build_appimage.sh: the AppImage builds from this checkout, has the
AppImage structure, and the packaged console passes its self-test headless, as root and as
an unprivileged user, leaving no temporary files behind.

Marked ``packaging``; skipped (with the reason) where the build tools are missing.
``.ci/run`` installs them (TRUCKWATCH_PACKAGING=1). One build per session, at zstd level 3.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
DESKTOP = "org.truckwatch.TruckWatch.desktop"


def _missing_tools() -> list[str]:
    missing = [t for t in ("mksquashfs", "unsquashfs", "gcc", "pkg-config") if not shutil.which(t)]
    if (
        shutil.which("pkg-config")
        and subprocess.run(["pkg-config", "--exists", "squashfuse"], check=False).returncode
    ):
        missing.append("libsquashfuse-dev")
    if importlib.util.find_spec("PyInstaller") is None:  # (importing it runs ldd)
        missing.append("pyinstaller (pip install -r packaging/requirements-build.txt)")
    return missing


MISSING = _missing_tools()
if os.environ.get("TRUCKWATCH_PACKAGING") == "0":
    MISSING = ["(skipped: TRUCKWATCH_PACKAGING=0)"]
pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(bool(MISSING), reason=f"AppImage build tools missing: {MISSING}"),
    pytest.mark.timeout(1800),
]


@dataclass(frozen=True)
class Built:
    appimage: Path
    work: Path  # build directory: AppDir/ and runtime
    log: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("appimage")
    env = {
        **os.environ,
        "OUT": str(base / "out"),
        "WORK": str(base / "build"),
        "ZLEVEL": "3",
        "VENV": sys.prefix,
    }
    result = subprocess.run(
        ["bash", str(ROOT / "packaging" / "linux" / "build_appimage.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    yield Built(
        base / "out" / f"TruckWatch-{VERSION}-x86_64.AppImage", base / "build", result.stdout
    )
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def extracted(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """``--appimage-extract`` of the AppImage (the runtime's own extraction)."""
    where = tmp_path_factory.mktemp("extract")
    result = subprocess.run(
        [str(built.appimage), "--appimage-extract"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    yield where / "squashfs-root"
    shutil.rmtree(where, ignore_errors=True)


def offset_of(appimage: Path) -> int:
    out = subprocess.run(
        [str(appimage), "--appimage-offset"], capture_output=True, text=True, check=True
    )
    return int(out.stdout)


def test_the_file_is_an_elf_runtime_with_the_appimage_magic_then_a_squashfs(built: Built) -> None:
    head = built.appimage.read_bytes()[:16]
    assert head[:4] == b"\x7fELF" and head[4] == 2  # 64-bit ELF
    assert head[8:11] == b"AI\x02"  # AppImage type 2
    offset = offset_of(built.appimage)
    assert offset == (built.work / "runtime").stat().st_size
    with built.appimage.open("rb") as f:
        f.seek(offset)
        assert f.read(4) == b"hsqs"
    assert os.access(built.appimage, os.X_OK)
    assert built.appimage.name == f"TruckWatch-{VERSION}-x86_64.AppImage"
    assert "runtime: truckwatch-runtime" in built.log
    sha = built.appimage.with_name(built.appimage.name + ".sha256").read_text()
    assert sha.split()[1] == built.appimage.name


def test_the_squashfs_holds_apprun_desktop_file_icon_and_metainfo(built: Built) -> None:
    listing = subprocess.run(
        ["unsquashfs", "-o", str(offset_of(built.appimage)), "-l", str(built.appimage)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for path in (
        "AppRun",
        DESKTOP,
        ".DirIcon",
        "truckwatch.png",
        "usr/lib/truckwatch/truckwatch",
        f"usr/share/applications/{DESKTOP}",
        "usr/share/icons/hicolor/256x256/apps/truckwatch.png",
        "usr/share/metainfo/org.truckwatch.TruckWatch.appdata.xml",
        "usr/lib/truckwatch/_internal/resources/map/truckwatch-map.js",
        "usr/lib/truckwatch/_internal/resources/i18n/truckwatch_en.qm",
        "usr/lib/truckwatch/_internal/resources/sounds/alarm_high.wav",
        "usr/lib/truckwatch/_internal/PySide6/Qt/libexec/QtWebEngineProcess",
    ):
        assert f"squashfs-root/{path}" in listing, path
    # trimmed: no QML tree, no Qt Designer, only two Qt translations
    assert not [p for p in listing if "/PySide6/Qt/qml/" in p]
    assert not [p for p in listing if "Designer" in p or "Quick3D" in p]


def test_the_desktop_file_validates_and_names_the_app_in_chinese_and_english(
    extracted: Path,
) -> None:
    desktop = extracted / DESKTOP
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(
            ["desktop-file-validate", str(desktop)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout
    text = desktop.read_text(encoding="utf-8")
    assert "\nName=TruckWatch\n" in text and "\nName[zh_CN]=货车卫士\n" in text
    assert "\nIcon=truckwatch\n" in text and "\nExec=truckwatch" in text
    metainfo = extracted / "usr/share/metainfo/org.truckwatch.TruckWatch.appdata.xml"
    assert f'<release version="{VERSION}"' in metainfo.read_text(encoding="utf-8")
    if shutil.which("appstreamcli"):
        check = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(metainfo)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout
    from PIL import Image

    with Image.open(extracted / ".DirIcon") as icon:
        assert icon.size == (256, 256)


def test_extracting_gives_back_the_appdir(built: Built, extracted: Path) -> None:
    diff = subprocess.run(
        ["diff", "-r", "--no-dereference", str(extracted), str(built.work / "AppDir")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert diff.returncode == 0, diff.stdout[-2000:]


def test_the_one_binary_also_runs_the_platform_and_the_simulator(extracted: Path) -> None:
    for sub, expect in (("platform", "serve"), ("sim", "--jt808")):
        out = subprocess.run(
            [str(extracted / "AppRun"), sub, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert out.returncode == 0 and expect in out.stdout, out.stderr[-2000:]


def run_self_test(appimage: Path, home: Path, user: str | None = None) -> tuple[dict, Path]:
    """``--appimage-extract-and-run --demo --self-test`` with everything under ``home``;
    returns the JSON report and the TMPDIR used (to check it is left empty)."""
    tmp, runtime = home / "tmp", home / "run"
    for d in (home, tmp, runtime):
        d.mkdir(exist_ok=True)
        d.chmod(0o700)
        if user:
            shutil.chown(d, user, user)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }
    command = [str(appimage), "--appimage-extract-and-run", "--demo", "--self-test"]
    command += ["--data-dir", str(home / "demo")]
    if user:
        runuser = shutil.which("runuser") or "runuser"  # /usr/sbin: not on the child's PATH
        command = [runuser, "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()]]
        command += [str(appimage), "--appimage-extract-and-run", "--demo", "--self-test"]
        command += ["--data-dir", str(home / "demo")]
    result = subprocess.run(
        command,
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [x for x in result.stdout.splitlines() if x.startswith("{")]
    assert lines, result.stderr[-4000:]
    report = json.loads(lines[-1])
    assert result.returncode == 0, (report, result.stderr[-3000:])
    return report, tmp


def assert_every_part_works(report: dict) -> None:
    assert report["ok"] is True
    assert report["vehicles_total"] == 300 and report["markers_on_map"] >= 270
    checks = report["checks"]
    assert {"h264", "h265", "chart", "map", "platform"} <= set(checks)
    assert all(check["ok"] for check in checks.values()), checks
    assert checks["h264"]["frames"] == checks["h265"]["frames"] == 4
    assert checks["map"]["remote_assets"] == [] and checks["map"]["leaflet"]
    assert checks["platform"]["terminals_online"] >= 270
    assert report["build"]["frozen"] is True and report["build"]["appimage"] is True


@pytest.mark.skipif(os.geteuid() != 0, reason="the root case needs root")
def test_self_test_passes_as_root_with_the_sandbox_off_and_cleans_up(
    built: Built, tmp_path: Path
) -> None:
    report, tmp = run_self_test(built.appimage, tmp_path / "home")
    assert_every_part_works(report)
    assert report["build"]["chromium_sandbox"] is False  # Chromium refuses root otherwise
    assert list(tmp.iterdir()) == []  # the extraction (and everything else) is gone


def _userns_allowed() -> bool:
    for name, blocked in (
        ("kernel/apparmor_restrict_unprivileged_userns", "1"),
        ("kernel/unprivileged_userns_clone", "0"),
        ("user/max_user_namespaces", "0"),
    ):
        path = Path("/proc/sys") / name
        if path.exists() and path.read_text().strip() == blocked:
            return False
    return True


@pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"),
    reason="making a throwaway user needs root, useradd and runuser",
)
def test_self_test_passes_as_an_unprivileged_user(built: Built) -> None:
    user = f"twpkg{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
        check=True,
    )
    place = Path(tempfile.mkdtemp(prefix="truckwatch-user-", dir="/tmp"))
    try:
        place.chmod(0o755)
        appimage = place / built.appimage.name
        shutil.copy2(built.appimage, appimage)
        appimage.chmod(0o755)
        report, tmp = run_self_test(appimage, place / "home", user)
        assert_every_part_works(report)
        # The user's own namespaces sandbox Chromium where the kernel allows them.
        assert report["build"]["chromium_sandbox"] is _userns_allowed()
        assert list(tmp.iterdir()) == []
        uid = pwd.getpwnam(user).pw_uid
        assert (place / "home" / "demo" / "demo.db").stat().st_uid == uid
    finally:
        subprocess.run(["userdel", user], check=False)
        shutil.rmtree(place, ignore_errors=True)
