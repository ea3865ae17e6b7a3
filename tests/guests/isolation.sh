#!/usr/bin/env bash
# Isolation: a well-behaved guest's console output is byte-identical whether
# or not hostile guests run beside it. QEMU runs with -icount so both runs
# are deterministic. IMAGE GOOD.elf HOSTILE.elf...
set -uo pipefail
image=$1 good=$2
shift 2
name=$(basename "$good" .elf)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/qemu_boot.sh"
boot() {  # boot OUTPUT MODULE...
  local serial=$1
  shift
  boot_hv --icount "$image" "$serial" "$@"
  local rc=$?
  # hv-core finished its guests: all well (status 1) or some crashed (3).
  [ "$rc" -eq 1 ] || [ "$rc" -eq 3 ] || { echo "FAIL: QEMU exit status $rc"; sed 's/^/  | /' "$serial"; exit 1; }
}
boot "$work/alone" "$good"
boot "$work/beside" "$good" "$@"
grep "^$name: " "$work/alone" >"$work/alone.lines"
grep "^$name: " "$work/beside" >"$work/beside.lines"
[ -s "$work/alone.lines" ] || { echo "FAIL: $name printed nothing"; exit 1; }
echo "hostile guests beside it:"
grep -E "^hv-core: .* crashed|: refused: |: RESULT " "$work/beside" | sed 's/^/  | /'
if ! cmp -s "$work/alone.lines" "$work/beside.lines"; then
  echo "FAIL: $name's output differs when hostile guests run beside it"
  diff "$work/alone.lines" "$work/beside.lines" | sed 's/^/  /'
  exit 1
fi
echo "PASS: $(wc -l <"$work/alone.lines") lines of $name's output identical alone and beside $# hostile guests"
