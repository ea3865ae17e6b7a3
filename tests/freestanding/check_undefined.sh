#!/usr/bin/env bash
# A freestanding static library needs nothing from outside but what the
# allow-list names: usage: check_undefined.sh LIBRARY.a ALLOWED_REGEX...
# Prints the offending symbols and fails if any other symbol is undefined.
set -euo pipefail
lib=$1
shift
pattern=$(IFS='|'; echo "^($*)\$")
defined=$(nm --defined-only -C "$lib" 2>/dev/null | awk 'NF >= 3 {$1=""; $2=""; sub(/^  /, ""); print}' | sort -u)
undefined=$(nm -u -C "$lib" 2>/dev/null | awk '$1 == "U" {$1=""; sub(/^ /, ""); print}' | sort -u)
external=$(comm -23 <(echo "$undefined") <(echo "$defined"))
bad=$(echo "$external" | grep -vE "$pattern" | grep -v '^$' || true)
echo "$(echo "$external" | grep -c . || true) symbols needed from outside $(basename "$lib")"
if [ -n "$bad" ]; then
  echo "FAIL: not on the allow-list:"
  echo "$bad" | sed 's/^/    /'
  exit 1
fi
echo "all on the allow-list"
