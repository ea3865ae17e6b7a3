#!/usr/bin/env bash
# Boots hv-core in QEMU (software emulation) and checks what it reports on
# the serial line and through isa-debug-exit:
#   IMAGE [--module GUEST.elf]... [--before FIRST THEN]... [EXPECTED_LINE...]
set -uo pipefail
image=$1
shift
modules=()
orders=()
while [ "${1:-}" = --module ] || [ "${1:-}" = --before ]; do
  if [ "$1" = --module ]; then
    modules+=("$2")
    shift 2
  else
    orders+=("$2" "$3")
    shift 3
  fi
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
initrd=()
if [ ${#modules[@]} -gt 0 ]; then
  initrd=(-initrd "$(IFS=,; echo "${modules[*]}")")
fi
timeout 120 qemu-system-x86_64 -machine q35 -cpu max -m 256 -kernel "$image" "${initrd[@]}" \
  -display none -monitor none -serial "file:$out" -no-reboot \
  -device isa-debug-exit,iobase=0xf4,iosize=0x04
rc=$?
sed 's/^/  | /' "$out"
# isa-debug-exit: status (code << 1) | 1; hv-core exits with code 0 on success.
if [ "$rc" -ne 1 ]; then
  echo "FAIL: QEMU exit status $rc (want 1: hv-core reported success)"
  exit 1
fi
for want in "$@"; do
  grep -qF -- "$want" "$out" || { echo "FAIL: serial output lacks: $want"; exit 1; }
done
line_of() { grep -nF -- "$1" "$out" | head -1 | cut -d: -f1; }
for ((i = 0; i < ${#orders[@]}; i += 2)); do
  first=$(line_of "${orders[i]}") then=$(line_of "${orders[i + 1]}")
  if [ -z "$first" ] || [ -z "$then" ] || [ "$first" -ge "$then" ]; then
    echo "FAIL: '${orders[i]}' should come before '${orders[i + 1]}'"
    exit 1
  fi
done
echo "PASS"
