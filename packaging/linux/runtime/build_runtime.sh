#!/bin/sh
# Build TruckWatch's own AppImage runtime (truckwatch-runtime.c), statically linked against
# Debian's libsquashfuse and its decompressors, so it runs on any x86-64 Linux.
#   needs: apt-get install gcc libc6-dev pkg-config libsquashfuse-dev libzstd-dev zlib1g-dev \
#          liblzma-dev liblz4-dev liblzo2-dev
#   usage: sh packaging/linux/runtime/build_runtime.sh OUT
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build_runtime.sh OUT}"
# -isystem: squashfuse's config.h redefines _POSIX_C_SOURCE (harmless; silenced as a system
# header). -Wno-format-truncation: paths are PATH_MAX-bounded, over-long ones are refused.
inc="$(pkg-config --cflags-only-I squashfuse | sed "s/^ *-I//; s/ *$//")"
gcc -O2 -Wall -Wno-format-truncation -static -isystem "$inc" -o "$out" \
    "$here/truckwatch-runtime.c" -lsquashfuse -lzstd -lz -llzma -llz4 -llzo2
strip "$out"
# AppImage type 2 magic: "AI" 0x02 at offset 8 of the ELF header (EI_PAD, unused by loaders).
printf 'AI\002' | dd of="$out" bs=1 seek=8 conv=notrunc status=none
