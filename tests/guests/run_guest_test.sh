#!/usr/bin/env bash
# Boots hv-core in QEMU with pvtest guest kernels and turns their verdicts
# into meson's test protocol (0 pass, 1 fail, 77 skip, 99 error):
#   IMAGE [--memory MIB] KERNEL.elf[,ARGS]...
# A module after a kernel whose ARGS hold hv.ramdisk is that kernel's
# ramdisk, not a kernel. --memory: QEMU's memory (boot_hv's default otherwise).
# Every kernel must print its RESULT line, and hv-core must finish (stay up)
# and exit through isa-debug-exit with the status its guests' shutdowns give.
# QEMU runs with -icount: time is virtual (one TSC tick per instruction), so
# the kernels' deadlines hold however loaded the machine is, and runs repeat.
set -uo pipefail
image=$1
shift
memory=()
if [ "${1:-}" = --memory ]; then
  memory=(--memory "$2")
  shift 2
fi
. "$(dirname "$0")/qemu_boot.sh"
modules=() names=() ramdisk_next=0
for k in "$@"; do
  modules+=("${k/,/ }")
  if [ $ramdisk_next -eq 1 ]; then
    ramdisk_next=0
    continue
  fi
  file=${k%%,*}
  names+=("$(basename "$file" .elf)")
  case $k in *,*) case " ${k#*,} " in *" hv.ramdisk "*) ramdisk_next=1 ;; esac ;; esac
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
boot_hv --icount "${memory[@]}" "$image" "$out" "${modules[@]}"
rc=$?
sed 's/^/  | /' "$out"
verdict=PASS
worse() {  # the run's verdict: FAIL over ERROR over PASS over SKIP
  case "$verdict:$1" in
    FAIL:*) ;;
    *:FAIL) verdict=FAIL ;;
    ERROR:*) ;;
    *:ERROR) verdict=ERROR ;;
  esac
}
all_skipped=1
for name in "${names[@]}"; do
  line=$(grep -E "^$name: RESULT (PASS|FAIL|SKIP|ERROR):" "$out" | tail -1)
  if [ -z "$line" ]; then
    echo "FAIL: $name printed no RESULT line"
    worse FAIL
    continue
  fi
  v=$(echo "$line" | sed -E 's/^[^:]*: RESULT ([A-Z]+):.*/\1/')
  [ "$v" = SKIP ] || all_skipped=0
  worse "$v"
done
# hv-core's isa-debug-exit code (status = code * 2 + 1): 0 every guest
# powered off, 1 a guest crashed, 2 a guest never finished, 3 hv-core failed.
case $rc in
  1) want_crash=0 ;;
  3) want_crash=1 ;;
  *) echo "FAIL: QEMU exit status $rc: hv-core did not finish its guests"; exit 1 ;;
esac
grep -qE "^hv-core: (every guest has finished|a guest crashed)" "$out" ||
  { echo "FAIL: hv-core did not report the end of its guests"; exit 1; }
if [ "$verdict" = PASS ] && [ $want_crash -eq 1 ]; then
  echo "FAIL: every kernel passed, yet hv-core reports a crashed guest"
  exit 1
fi
if [ "$verdict" != PASS ] && [ $want_crash -eq 0 ]; then
  echo "FAIL: a kernel reported $verdict, yet hv-core reports no crashed guest"
  exit 1
fi
case $verdict in
  PASS) if [ $all_skipped -eq 1 ]; then echo "SKIP"; exit 77; fi; echo "PASS"; exit 0 ;;
  ERROR) echo "ERROR: a test broke before it could check anything"; exit 99 ;;
  *) echo "FAIL"; exit 1 ;;
esac
