#!/usr/bin/env bash
# Suite linux: the port's kernel booted natively, as a PC's bzImage in QEMU
# (software emulation, -icount), with the port's initramfs running the
# acceptance checks (/smoke.sh). Passes when every check passed and the
# machine stopped by itself: the kernel, without ACPI on a PC, cannot power
# off, so /init reboots (pvabi.end=reboot) and -no-reboot makes that QEMU's
# exit.
#   native_boot.sh MESON_BUILD_DIR [OUT]
# OUT (default MESON_BUILD_DIR/linux) receives the kernel tree and the
# initramfs, as ports/linux/build and ports/linux/initramfs/build make them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
meson_build=$1
out=${2:-$meson_build/linux}
"$root/ports/linux/build" "$out" --meson "$meson_build" --bzimage
"$root/ports/linux/initramfs/build" "$out"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The port's kernel registers no serial port unless asked (8250.nr_uarts).
set +e
timeout 300 qemu-system-x86_64 -machine q35 -cpu max -m 512M -icount shift=0 \
  -kernel "$out/bzImage" -initrd "$out/initramfs.cpio" \
  -append "console=ttyS0 8250.nr_uarts=1 pvabi.end=reboot pvabi.script=smoke" \
  -display none -serial stdio -monitor none -no-reboot </dev/null >"$log" 2>&1
rc=$?
set -e
sed 's/^/  | /' "$log"
fail() { echo "FAIL: $*"; exit 1; }
[ "$rc" -ne 124 ] || fail "the machine did not stop within 300 s"
[ "$rc" -eq 0 ] || fail "QEMU exit status $rc"
grep -q '^smoke: RESULT PASS' "$log" || fail "no 'smoke: RESULT PASS' line"
grep -q 'reboot: Restarting system' "$log" || fail "the kernel did not reboot"
echo "PASS"
