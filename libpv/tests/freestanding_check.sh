#!/usr/bin/env bash
# freestanding_check.sh NM OBJDUMP ARCHIVE [--fpu-allowed] ALLOWED...
# Checks that a libpv static library can go into a kernel: the symbols it
# leaves undefined are only the ALLOWED ones (anchored regular
# expressions), none of its code uses SSE/AVX registers, and it has no
# static constructors or destructors (.init_array, .ctors, ...).
set -euo pipefail
nm=$1 objdump=$2 archive=$3
shift 3
allowed=("$@")
status=0
fail() { echo "FAIL: $archive: $*"; status=1; }

defined=$("$nm" --defined-only --format=just-symbols "$archive" 2>/dev/null | sort -u)
undefined=$("$nm" -u --format=just-symbols "$archive" 2>/dev/null | sort -u)
for sym in $(comm -23 <(echo "$undefined") <(echo "$defined")); do
  ok=0
  for pattern in "${allowed[@]}"; do
    if [[ $sym =~ ^($pattern)$ ]]; then ok=1; break; fi
  done
  [ $ok -eq 1 ] || fail "undefined symbol $sym ($(echo "$sym" | c++filt))"
done

vector_uses=$("$objdump" -d --no-show-raw-insn "$archive" | grep -E '%[xyz]mm[0-9]+' || true)
[ -z "$vector_uses" ] || fail "SSE/AVX registers used:
$(echo "$vector_uses" | head -5)"

ctor_sections=$("$objdump" -h "$archive" | grep -oE '\.(init_array|fini_array|preinit_array|ctors|dtors)[^ ]*' | sort -u || true)
[ -z "$ctor_sections" ] || fail "constructor sections: $ctor_sections"

[ $status -eq 0 ] && echo "ok: $archive: undefined symbols within the allow-list, no SSE/AVX, no constructors"
exit $status
