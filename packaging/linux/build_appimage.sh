#!/usr/bin/env bash
# Build dist/TruckWatch-<version>-x86_64.AppImage from this checkout, offline except for
# PyPI (PyInstaller) and Debian packages:
#   PyInstaller one-folder build (console + embedded platform + simulator, QtWebEngine, map
#   assets, translations, sounds, PyAV) → AppDir (AppRun, .desktop, icon, AppStream) →
#   squashfs (zstd) → runtime ‖ squashfs.
#
#   bash packaging/linux/build_appimage.sh
#
# System packages: squashfs-tools, and for the project's own runtime gcc libc6-dev pkg-config
# libsquashfuse-dev libzstd-dev zlib1g-dev liblzma-dev liblz4-dev liblzo2-dev
# (`bash packaging/linux/build_appimage.sh --install-deps` installs them with apt-get).
#
# Environment:
#   OUT=dir        where the AppImage goes (default: dist/)
#   WORK=dir       build directory, emptied first (default: build/appimage/)
#   ZLEVEL=N       zstd level of the squashfs (default 19: smallest; 3: that step ~40x
#                  faster, the file ~15 % bigger)
#   RUNTIME=file   an AppImage runtime to use instead of building packaging/linux/runtime/
#                  (e.g. the official type2-runtime, checked against RUNTIME_SHA256)
#   VENV=dir       the Python environment to freeze from (default: .venv; made if missing)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"

DEPS=(squashfs-tools gcc libc6-dev pkg-config libsquashfuse-dev libzstd-dev zlib1g-dev
  liblzma-dev liblz4-dev liblzo2-dev desktop-file-utils
  libpulse0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libnss3)  # the last line: host libraries PyInstaller copies into the app
if [ "${1:-}" = "--install-deps" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${DEPS[@]}"
  exit 0
fi

OUT="$(mkdir -p "${OUT:-dist}" && cd "${OUT:-dist}" && pwd)"
WORK="${WORK:-build/appimage}"
ZLEVEL="${ZLEVEL:-19}"
VENV="${VENV:-.venv}"
step() { printf '==> %s\n' "$*" >&2; }
took() { printf 'build step: %s %d s\n' "$1" "$(($(date +%s) - $2))"; }

command -v mksquashfs >/dev/null || { echo "need mksquashfs (apt-get install squashfs-tools)" >&2; exit 1; }
if [ -z "${RUNTIME:-}" ] && ! pkg-config --exists squashfuse 2>/dev/null; then
  echo "need libsquashfuse-dev + gcc to build the runtime (or RUNTIME=file); try --install-deps" >&2
  exit 1
fi

if [ ! -x "$VENV/bin/python" ]; then
  step "creating $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q -e .
fi
"$VENV/bin/python" -c 'import PyInstaller' 2>/dev/null \
  || "$VENV/bin/python" -m pip install -q -r packaging/requirements-build.txt
VERSION="$("$VENV/bin/python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
# PyInstaller bundles the system libraries Qt links against; they must be on this machine.
"$VENV/bin/python" -c 'import PySide6.QtMultimedia, PySide6.QtWebEngineWidgets' 2>/dev/null || {
  echo "Qt cannot load here (missing system libraries such as libpulse0): try --install-deps" >&2
  exit 1
}
APPIMAGE="$OUT/TruckWatch-$VERSION-x86_64.AppImage"

rm -rf "$WORK"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"

t=$(date +%s)
step "PyInstaller (one folder)"
PYINSTALLER_CONFIG_DIR="${PYINSTALLER_CONFIG_DIR:-$ROOT/build/pyinstaller-cache}" \
  "$VENV/bin/pyinstaller" --noconfirm --clean --log-level "${PYI_LOG:-WARN}" \
  --distpath "$WORK/dist" --workpath "$WORK/pyi" packaging/pyinstaller/truckwatch.spec
took pyinstaller "$t"

step "AppDir"
t=$(date +%s)
APPDIR="$WORK/AppDir"
ID=org.truckwatch.TruckWatch
mkdir -p "$APPDIR/usr/lib" "$APPDIR/usr/share/applications" "$APPDIR/usr/share/metainfo" \
  "$APPDIR/usr/share/icons/hicolor/256x256/apps"
mv "$WORK/dist/truckwatch" "$APPDIR/usr/lib/truckwatch"
# A Python built with debug information (pyenv) ships it in libpython and its extension
# modules; drop it (never touches Qt/Chromium, which must not be stripped).
find "$APPDIR/usr/lib/truckwatch/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f \
  -exec strip --strip-debug {} +
find "$APPDIR/usr/lib/truckwatch/_internal/python3"* -name '*.so' -type f -exec strip --strip-debug {} + 2>/dev/null || true
install -m 755 packaging/linux/AppRun "$APPDIR/AppRun"
install -m 644 "packaging/linux/$ID.desktop" "$APPDIR/usr/share/applications/$ID.desktop"
install -m 644 packaging/icons/truckwatch.png "$APPDIR/usr/share/icons/hicolor/256x256/apps/truckwatch.png"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -u +%F)/" "packaging/linux/$ID.appdata.xml" \
  > "$APPDIR/usr/share/metainfo/$ID.appdata.xml"
ln -s "usr/share/applications/$ID.desktop" "$APPDIR/$ID.desktop"
ln -s usr/share/icons/hicolor/256x256/apps/truckwatch.png "$APPDIR/truckwatch.png"
ln -s truckwatch.png "$APPDIR/.DirIcon"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$APPDIR/$ID.desktop"
fi
rm -rf "$WORK/dist" "$WORK/pyi"
took appdir "$t"

step "runtime"
t=$(date +%s)
if [ -n "${RUNTIME:-}" ]; then
  if [ -n "${RUNTIME_SHA256:-}" ]; then
    echo "$RUNTIME_SHA256  $RUNTIME" | sha256sum -c --quiet -
  fi
  cp "$RUNTIME" "$WORK/runtime"
else
  sh packaging/linux/runtime/build_runtime.sh "$WORK/runtime"
fi
took runtime "$t"

step "squashfs (zstd level $ZLEVEL)"
t=$(date +%s)
mksquashfs "$APPDIR" "$WORK/AppDir.squashfs" -root-owned -noappend -no-progress -quiet \
  -comp zstd -Xcompression-level "$ZLEVEL" -b 1M -mkfs-time 0 -all-time 0 >/dev/null
took squashfs "$t"

cat "$WORK/runtime" "$WORK/AppDir.squashfs" > "$APPIMAGE.part"
rm -f "$WORK/AppDir.squashfs"
chmod 755 "$APPIMAGE.part"
mv "$APPIMAGE.part" "$APPIMAGE"
(cd "$OUT" && sha256sum "$(basename "$APPIMAGE")" > "$(basename "$APPIMAGE").sha256")
printf 'appimage: %s\n' "$APPIMAGE"
printf 'appimage size: %d MB\n' "$(($(stat -c %s "$APPIMAGE") / 1000000))"
printf 'onedir size: %d MB\n' "$(du -sm "$APPDIR/usr/lib/truckwatch" | cut -f1)"
printf 'runtime: %s\n' "$("$WORK/runtime" --appimage-version 2>&1 | head -1)"
