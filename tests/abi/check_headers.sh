#!/usr/bin/env bash
# Every public header compiles alone: C headers as C99 and C++20, C++ headers
# as C++20, freestanding, with gcc and clang for x86-64 and i386 and with
# MinGW for x86-64 and i686 (MS ABI). Also: every include guard is unique.
set -euo pipefail
include_dir=${1:?usage: check_headers.sh INCLUDE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

warn=(-Wall -Wextra -Wpedantic -pedantic-errors -Wshadow -Wundef -Werror)
c_configs=(
  "gcc -m64" "gcc -m32" "clang -m64" "clang -m32"
  "x86_64-w64-mingw32-gcc" "i686-w64-mingw32-gcc"
)
cxx_configs=(
  "g++ -m64" "g++ -m32" "clang++ -m64" "clang++ -m32"
  "x86_64-w64-mingw32-g++" "i686-w64-mingw32-g++"
)

for config in "${c_configs[@]}" "${cxx_configs[@]}"; do
  compiler=${config%% *}
  command -v "$compiler" >/dev/null || { echo "FAIL: compiler $compiler is not installed"; exit 1; }
done

failures=0
checks=0
compile() {  # compile CONFIG LANGFLAGS FILE HEADER
  local config=$1 langflags=$2 file=$3 header=$4
  checks=$((checks + 1))
  # shellcheck disable=SC2086
  if ! $config $langflags -ffreestanding "${warn[@]}" -I"$include_dir" -c "$file" -o /dev/null \
      2>"$work/err"; then
    echo "FAIL: $header with '$config $langflags'"
    sed 's/^/    /' "$work/err" | head -20
    failures=$((failures + 1))
  fi
}

headers=()
for h in "$include_dir"/pvabi/*.h "$include_dir"/pvabi/*.hpp; do headers+=("${h#"$include_dir"/}"); done
[ ${#headers[@]} -gt 0 ] || { echo "FAIL: no headers under $include_dir/pvabi"; exit 1; }

for header in "${headers[@]}"; do
  base=$(echo "$header" | tr '/.' '__')
  printf '#include <%s>\n' "$header" >"$work/$base.cc"
  if [[ $header == *.h ]]; then
    printf '#include <%s>\n' "$header" >"$work/$base.c"
    for config in "${c_configs[@]}"; do compile "$config" "-std=c99" "$work/$base.c" "$header"; done
  fi
  for config in "${cxx_configs[@]}"; do
    compile "$config" "-std=c++20 -fno-exceptions -fno-rtti" "$work/$base.cc" "$header"
  done
done

# Include guards: the first #ifndef of each header, defined next, unique.
declare -A guard_owner=()
for h in "${headers[@]}"; do
  g=$(grep -m1 -E '^#ifndef ' "$include_dir/$h" | awk '{print $2}')
  if [ -z "$g" ] || ! grep -qE "^#define $g\$" "$include_dir/$h"; then
    echo "FAIL: $h has no include guard"
    failures=$((failures + 1))
  elif [ -n "${guard_owner[$g]:-}" ]; then
    echo "FAIL: $h and ${guard_owner[$g]} share include guard $g"
    failures=$((failures + 1))
  else
    guard_owner[$g]=$h
  fi
done

echo "$checks compilations of ${#headers[@]} headers, $failures failed"
[ "$failures" -eq 0 ]
