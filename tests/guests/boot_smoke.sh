#!/usr/bin/env bash
# Boots hv-core in QEMU (software emulation) and checks what it reports on
# the serial line and through isa-debug-exit:
#   IMAGE [--memory MIB] [--exit-code N] [--module GUEST.elf]... [--before FIRST THEN]... [EXPECTED_LINE...]
# MIB is the machine's memory (qemu_boot.sh's default unless given); N is
# hv-core's isa-debug-exit code (hv-core/arch/x86_64/domain_report.h), 0
# unless given. An EXPECTED_LINE starting with "~" is an extended regex.
set -uo pipefail
image=$1
shift
modules=()
orders=()
exit_code=0
memory=()
if [ "${1:-}" = --memory ]; then
  memory=(--memory "$2")
  shift 2
fi
if [ "${1:-}" = --exit-code ]; then
  exit_code=$2
  shift 2
fi
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
. "$(dirname "$0")/qemu_boot.sh"
boot_hv "${memory[@]}" "$image" "$out" "${modules[@]}"
rc=$?
sed 's/^/  | /' "$out"
# isa-debug-exit: status (code << 1) | 1.
if [ "$rc" -ne $((exit_code * 2 + 1)) ]; then
  echo "FAIL: QEMU exit status $rc (want $((exit_code * 2 + 1)): hv-core's code $exit_code)"
  exit 1
fi
for want in "$@"; do
  if [ "${want:0:1}" = "~" ]; then
    grep -qE -- "${want:1}" "$out" || { echo "FAIL: no serial line matches: ${want:1}"; exit 1; }
  else
    grep -qF -- "$want" "$out" || { echo "FAIL: serial output lacks: $want"; exit 1; }
  fi
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
