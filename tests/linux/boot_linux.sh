#!/usr/bin/env bash
# Suite linux: builds Debian's Linux 6.1 with the ports/linux series
# (ports/linux/build, into linux/ inside the meson build) and boots it
# on hv-core in QEMU, checking what it prints.
#   boot_linux.sh HV_IMAGE MESON_BUILD_DIR [boot_smoke.sh arguments...]
set -euo pipefail
image=$1
meson_build=$2
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/ports/linux/build" "$meson_build/linux" --meson "$meson_build"
"$root/ports/linux/size" "$meson_build/linux"
exec "$root/tests/guests/boot_smoke.sh" "$image" --memory 512 "$@"
