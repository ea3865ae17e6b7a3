# Sourced by the guest test scripts: the one way they boot hv-core in QEMU
# (software emulation, isa-debug-exit for the exit code).
#   boot_hv [--icount] [--memory MIB] IMAGE SERIAL_FILE [MODULE[ ARGS]]...
# returns QEMU's exit status ((hv-core's code << 1) | 1 when it exits
# itself). --icount: virtual time, one TSC tick per instruction, so runs
# repeat exactly and deadlines hold on a loaded machine. --memory: the
# machine's memory in MiB (256 unless given; hv-core keeps 64 MiB or a
# sixteenth for itself, and the modules' memory).
boot_hv() {
  local extra=() memory=256
  if [ "$1" = --icount ]; then
    extra+=(-icount shift=0,sleep=off -rtc clock=vm)
    shift
  fi
  if [ "$1" = --memory ]; then
    memory=$2
    shift 2
  fi
  local image=$1 serial=$2
  shift 2
  if [ $# -gt 0 ]; then
    extra+=(-initrd "$(IFS=,; echo "$*")")
  fi
  timeout 120 qemu-system-x86_64 -machine q35 -cpu max -m "$memory" -kernel "$image" "${extra[@]}" \
    -display none -monitor none -serial "file:$serial" -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
}
