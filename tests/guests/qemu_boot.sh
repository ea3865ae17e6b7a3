# Sourced by the guest test scripts: the one way they boot hv-core in QEMU
# (software emulation, isa-debug-exit for the exit code).
#   boot_hv [--icount] IMAGE SERIAL_FILE [MODULE[ ARGS]]...
# returns QEMU's exit status ((hv-core's code << 1) | 1 when it exits
# itself). --icount: virtual time, one TSC tick per instruction, so runs
# repeat exactly and deadlines hold on a loaded machine.
boot_hv() {
  local extra=()
  if [ "$1" = --icount ]; then
    extra+=(-icount shift=0,sleep=off -rtc clock=vm)
    shift
  fi
  local image=$1 serial=$2
  shift 2
  if [ $# -gt 0 ]; then
    extra+=(-initrd "$(IFS=,; echo "$*")")
  fi
  timeout 120 qemu-system-x86_64 -machine q35 -cpu max -m 256 -kernel "$image" "${extra[@]}" \
    -display none -monitor none -serial "file:$serial" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
}
