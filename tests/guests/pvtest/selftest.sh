#!/usr/bin/env bash
# pvtest's verdicts, end to end: each selftest kernel's console lines and
# the exit code run_guest_test.sh gives meson.
#   RUNNER IMAGE PASS.elf FAIL.elf SKIP.elf ERROR.elf
set -uo pipefail
runner=$1 image=$2
args="answer=42 hex=0x2a"
check() {  # check KERNEL WANT_CODE LINE...
  local kernel=$1 want=$2
  shift 2
  local out rc
  out=$("$runner" "$image" "$kernel,$args" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "$out"
    echo "FAIL: $(basename "$kernel"): exit code $rc, want $want"
    exit 1
  fi
  for line in "$@"; do
    grep -qF -- "$line" <<<"$out" || { echo "$out"; echo "FAIL: $(basename "$kernel") lacks: $line"; exit 1; }
  done
  echo "ok: $(basename "$kernel") exits $rc"
}
check "$3" 0 "PASS passes" "PASS reads_its_command_line" "RESULT PASS: 2 passed, 0 failed, 0 skipped, 0 errors"
check "$4" 1 "FAIL fails_and_goes_on: " "PVABI_EINVAL (-22), want PVABI_OK (0)" "1 == 2: 0x1 != 0x2" \
  "RESULT FAIL: 2 passed, 1 failed" "a guest crashed"
check "$5" 77 "SKIP skips: nothing to test, on purpose" "RESULT SKIP: 0 passed, 0 failed, 1 skipped, 0 errors"
check "$6" 99 "ERROR breaks_in_setup: setup PVABI_ENOMEM gave PVABI_ENOMEM" "RESULT ERROR: 2 passed, 0 failed, 0 skipped, 1 errors"
echo PASS
