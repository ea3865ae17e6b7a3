#!/usr/bin/env bash
# headers_check.sh PVABI_INCLUDE LIBPV_INCLUDE
# Every libpv header compiles alone, freestanding, as C99, GNU C11 and
# C++20, with gcc and clang, warnings as errors: what a C kernel or a C++
# driver sees when it includes just that header.
set -euo pipefail
pvabi_include=$1 libpv_include=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
warn=(-Wall -Wextra -Wpedantic -Wshadow -Wundef -Werror)
failures=0
for h in "$libpv_include"/libpv/*.h; do
  header=libpv/$(basename "$h")
  printf '#include <%s>\n' "$header" >"$work/t.c"
  cp "$work/t.c" "$work/t.cc"
  for build in "gcc -std=c99 $work/t.c" "gcc -std=gnu11 $work/t.c" "clang -std=c99 $work/t.c" \
               "clang -std=gnu11 $work/t.c" "g++ -std=c++20 $work/t.cc" "clang++ -std=c++20 $work/t.cc"; do
    # shellcheck disable=SC2086
    if ! $build -ffreestanding "${warn[@]}" -I"$pvabi_include" -I"$libpv_include" -c -o /dev/null 2>"$work/err"; then
      echo "FAIL: $header with '${build% *}'"
      sed 's/^/    /' "$work/err" | head -10
      failures=$((failures + 1))
    fi
  done
done
[ $failures -eq 0 ] && echo "ok: every libpv header compiles alone as C99, GNU C11 and C++20 with gcc and clang"
exit $((failures > 0))
