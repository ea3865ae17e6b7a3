#!/usr/bin/env bash
# Every documented shutdown reason ends a domain with that reason: one
# hv-core run boots the kernel five times, `reason=0` .. `reason=4`, checks
# each passed, each row of hv-core's final table names its reason, and the
# QEMU status is the crash one (one of them crashes on purpose).
#   RUNNER IMAGE KERNEL.elf
set -uo pipefail
runner=$1 image=$2 kernel=$3
name=$(basename "$kernel" .elf)
words=(poweroff reboot suspend crashed watchdog)
args=()
for reason in 0 1 2 3 4; do args+=("$kernel,reason=$reason"); done
# The runner maps "every kernel passed but a guest crashed" to FAIL: that is
# this test's expected end, so read its log instead of its verdict.
out=$("$runner" "$image" "${args[@]}" 2>&1)
echo "$out"
echo "(the runner's verdict above is expected: domain 3 crashes on purpose)"
fail() { echo "FAIL: $*"; exit 1; }
passed=$(grep -cE "^  \| $name: RESULT PASS:" <<<"$out")
[ "$passed" -eq 5 ] || fail "$passed of 5 kernels passed"
for reason in 0 1 2 3 4; do
  grep -qE "^  \| $name: will shut down with reason $reason$" <<<"$out" || fail "no kernel ran with reason=$reason"
  # Domains are numbered in module order, so domain N asked for reason N.
  grep -qE "^  \| hv-core: $name \($reason\) .* ${words[$reason]}$" <<<"$out" ||
    fail "domain $reason did not end with ${words[$reason]}"
done
grep -qE "^  \| hv-core: a guest crashed$" <<<"$out" || fail "hv-core does not report the crashed guest"
grep -qF "FAIL: every kernel passed, yet hv-core reports a crashed guest" <<<"$out" ||
  fail "QEMU's status was not the crash one (hv-core exit code 1)"
echo PASS
