#!/usr/bin/env bash
# bench/linux/run_native.sh: lbench on the port's kernel booted natively
# (the same kernel as a PC's bzImage, in QEMU with -icount: TSC ticks are
# virtual nanoseconds, one instruction each), printing its lines.
#
#   bench/linux/run_native.sh [OUT] [--meson DIR]
#
# OUT and DIR as for ports/linux/build (defaults build-linux and build);
# the initramfs is built into OUT too.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=build-linux
meson_dir=build
while [ $# -gt 0 ]; do
  case $1 in
    --meson) meson_dir=$2; shift 2 ;;
    -*) echo "run_native: unknown option $1" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
ports/linux/build "$out" --meson "$meson_dir" --bzimage >&2
ports/linux/initramfs/build "$out" >&2

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
timeout 300 qemu-system-x86_64 -machine q35 -cpu max -m 512M -icount shift=0 \
  -kernel "$out/bzImage" -initrd "$out/initramfs.cpio" \
  -append "console=ttyS0 8250.nr_uarts=1 pvabi.end=reboot pvabi.script=bench" \
  -display none -serial stdio -monitor none -no-reboot </dev/null >"$log" 2>&1
rc=$?
set -e
tr -d '\r' <"$log" | grep '^lbench: ' || { cat "$log" >&2; echo "run_native: no lbench lines (QEMU status $rc)" >&2; exit 1; }
