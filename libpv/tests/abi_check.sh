#!/usr/bin/env bash
# abi_check.sh ABIDW ABIDIFF LIBRARY BASELINE [--update]
# Compares the ABI of a shared build of libpv with the checked-in baseline
# (libabigail). Any difference fails, compatible or not, so that every
# change to the C API is a reviewed baseline update:
#   ninja -C build libpv-abi-baseline     (rewrites libpv/abi/libpv.abi.xml)
# Skips (77) when abigail-tools is not installed.
set -euo pipefail
abidw=$1 abidiff=$2 library=$3 baseline=$4 mode=${5:-check}
if [ "$abidw" = none ] || [ "$abidiff" = none ]; then
  echo "SKIP: abidw/abidiff not found (Debian package abigail-tools)"
  exit 77
fi
current=$(mktemp)
trap 'rm -f "$current"' EXIT
"$abidw" --no-corpus-path --no-comp-dir-path --no-show-locs --out-file "$current" "$library"
if [ "$mode" = --update ]; then
  cp "$current" "$baseline"
  echo "libpv ABI baseline written to $baseline"
  exit 0
fi
if "$abidiff" --no-show-locs "$baseline" "$current"; then
  echo "ok: libpv ABI matches $baseline"
else
  rc=$?
  echo "FAIL: libpv's ABI differs from $baseline (abidiff status $rc: 4 = compatible change, 8 or more = incompatible)."
  echo "If the change is intended, record it: ninja -C build libpv-abi-baseline"
  exit 1
fi
