#!/usr/bin/env bash
# Suite linux: builds Debian's Linux 6.1 with the ports/linux series and the
# port's initramfs (into linux/ inside the meson build; seconds after the
# first build), prints the series' size, then runs the given check on them.
#   boot_linux.sh MESON_BUILD_DIR CHECK [ARGS...]
# ARGS may name linux/vmlinux, linux/vmlinux-2 (the same kernel under a
# second domain name) and linux/initramfs.cpio inside the build.
set -euo pipefail
meson_build=$1
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/ports/linux/build" "$meson_build/linux" --meson "$meson_build"
"$root/ports/linux/initramfs/build" "$meson_build/linux"
ln -sfn vmlinux "$meson_build/linux/vmlinux-2"
"$root/ports/linux/size" "$meson_build/linux"
exec "$@"
