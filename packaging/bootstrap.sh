#!/usr/bin/env bash
# Set-up on a fresh Debian/Ubuntu machine with Python 3.11, then run something:
#   bash packaging/bootstrap.sh demo   install and start the console on the embedded demo
#   bash packaging/bootstrap.sh test   install everything and run the whole test suite headless
# Everything goes into ./.venv; system packages are installed with apt-get when missing
# (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
case "$mode" in
  demo|test) ;;
  *) echo "usage: bash packaging/bootstrap.sh demo|test" >&2; exit 2 ;;
esac

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "bootstrap: please install ${missing[*]} (no apt-get here)" >&2; return 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bootstrap: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), sys.version' \
  || { echo "bootstrap: Python >= 3.11 needed" >&2; exit 1; }
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  apt_install python3-venv
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# A CJK font for the Chinese UI and the overlay on simulated evidence.
apt_install fonts-wqy-microhei || echo "bootstrap: no CJK font; Chinese text may show as boxes"
# What Qt 6 and QtWebEngine (the map) load from the system: X11/xcb, EGL/GL, NSS, sound.
apt_install libegl1 libgl1 libnss3 libfontconfig1 libdbus-1-3 libxkbcommon0 \
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
  libxcb-render-util0 libxcb-xinerama0 libxcb-xkb1 libxcomposite1 libxdamage1 libxrandr2 \
  libxtst6 libxkbfile1 libasound2 libpulse0 \
  || echo "bootstrap: some Qt system libraries are missing; the console may not start"
if [ "$mode" = test ]; then
  apt_install ffmpeg || echo "bootstrap: no ffmpeg; the ffprobe checks will be skipped"
  .venv/bin/python -m pip install -q -e '.[test]'
  if [ "${TRUCKWATCH_PACKAGING:-0}" = 1 ]; then
    # tests/packaging/: build the AppImage and the MSI (CI sets this; see .ci/run)
    apt_install squashfs-tools gcc libc6-dev pkg-config libsquashfuse-dev libzstd-dev \
      zlib1g-dev liblzma-dev liblz4-dev liblzo2-dev desktop-file-utils appstream unzip \
      wixl msitools gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64
    .venv/bin/python -m pip install -q -r packaging/requirements-build.txt
  fi
  export QT_QPA_PLATFORM=offscreen
  # QtWebEngine's Chromium cannot use its sandbox as root (CI runs as root).
  if [ "$(id -u)" -eq 0 ]; then
    export QTWEBENGINE_CHROMIUM_FLAGS="${QTWEBENGINE_CHROMIUM_FLAGS:-} --no-sandbox"
  fi
  .venv/bin/ruff check .
  .venv/bin/ruff format --check .
  exec .venv/bin/python -m pytest "${@:2}"
else
  .venv/bin/python -m pip install -q -e .
  exec .venv/bin/truckwatch --demo "${@:2}"
fi
