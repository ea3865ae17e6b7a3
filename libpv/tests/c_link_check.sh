#!/usr/bin/env bash
# c_link_check.sh C_PROGRAM ARCHIVE CFLAG... -- CC [ARGS...]
# Compiles a C11 freestanding program that calls libpv's C API, as a C
# kernel would (kernel code model, no red zone, no FPU), and links it with
# the archive into a static image at a kernel address with no libc and no
# undefined symbol left.
set -euo pipefail
program=$1 archive=$2
shift 2
cflags=()
while [ "$1" != "--" ]; do cflags+=("$1"); shift; done
shift
cc=("$@")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"${cc[@]}" -std=gnu11 -ffreestanding -fno-stack-protector -mno-red-zone -mgeneral-regs-only \
  -mcmodel=kernel -fno-pic -Wall -Wextra -Werror "${cflags[@]}" -c "$program" -o "$out/program.o"
"${cc[@]}" -nostdlib -static -Wl,--no-undefined -Wl,-e,kernel_entry \
  -Wl,-Ttext-segment=0xffffffff80000000 "$out/program.o" "$archive" -o "$out/kernel.elf"
left=$(nm -u "$out/kernel.elf")
if [ -n "$left" ]; then echo "FAIL: undefined after linking: $left"; exit 1; fi
echo "ok: $(basename "$program") linked with $(basename "$archive") into a freestanding kernel image"
