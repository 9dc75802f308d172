"""Packaging benchmark: build the AppImage and the MSI as a release does, print sizes and
build times as ``name: value unit`` lines (results: docs/benchmarks.md, "Packaging").

    .venv/bin/python tests/bench/bench_packaging.py [--zlevel 19] [--skip-msi]

Needs the build tools (bash packaging/bootstrap.sh test with TRUCKWATCH_PACKAGING=1 installs
them). Builds into a temporary directory; the wheel cache build/cache/windows is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build(script: str, env: dict[str, str]) -> tuple[float, str]:
    began = time.monotonic()
    out = subprocess.run(
        ["bash", str(ROOT / script)], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.monotonic() - began, out.stdout


def steps(log: str, prefix: str) -> None:
    for name, seconds in re.findall(r"^build step: (\S+) (\d+) s$", log, re.M):
        print(f"{prefix} step {name}: {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zlevel", default="19", help="squashfs zstd level (release: 19)")
    parser.add_argument("--skip-msi", action="store_true")
    parser.add_argument("--skip-appimage", action="store_true")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-packaging-"))
    try:
        if not args.skip_appimage:
            took, log = build(
                "packaging/linux/build_appimage.sh",
                {"OUT": str(base / "out"), "WORK": str(base / "ai"), "ZLEVEL": args.zlevel,
                 "VENV": sys.prefix},
            )  # fmt: skip
            [appimage] = (base / "out").glob("*.AppImage")
            print(f"appimage build s: {took:.0f} s")
            steps(log, "appimage")
            print(f"appimage size: {appimage.stat().st_size / 1e6:.0f} MB")
            print(f"appimage zstd level: {args.zlevel} level")
            onedir = base / "ai" / "AppDir" / "usr" / "lib" / "truckwatch"
            files = [f for f in onedir.rglob("*") if f.is_file() and not f.is_symlink()]
            print(f"appimage unpacked size: {sum(f.stat().st_size for f in files) / 1e6:.0f} MB")
            print(f"appimage files: {len(files)} files")
            env = {"QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(base),
                   "XDG_DATA_HOME": str(base / "data"), "XDG_RUNTIME_DIR": str(base)}  # fmt: skip
            began = time.monotonic()
            run = subprocess.run(
                [str(appimage), "--appimage-extract-and-run", "--demo", "--self-test",
                 "--data-dir", str(base / "demo")],
                env={**os.environ, **env}, capture_output=True, text=True, check=False,
            )  # fmt: skip
            report = json.loads([x for x in run.stdout.splitlines() if x.startswith("{")][-1])
            print(f"appimage self-test ok: {int(report['ok'])} bool")
            print(f"appimage self-test wall s: {time.monotonic() - began:.1f} s")
        if not args.skip_msi:
            took, log = build(
                "packaging/windows/build_msi.sh",
                {"OUT": str(base / "out"), "WORK": str(base / "msi"), "PYTHON": sys.executable},
            )
            [msi] = (base / "out").glob("*.msi")
            print(f"msi build s: {took:.0f} s")
            steps(log, "msi")
            print(f"msi size: {msi.stat().st_size / 1e6:.0f} MB")
            stage = base / "msi" / "stage"
            size = sum(f.stat().st_size for f in stage.rglob("*") if f.is_file())
            print(f"msi installed size: {size / 1e6:.0f} MB")
            print(f"msi files: {sum(1 for f in stage.rglob('*') if f.is_file())} files")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
