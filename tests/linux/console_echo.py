#!/usr/bin/env python3
"""Suite linux: console input. Boots hv-core with a Linux domain whose
initramfs starts a shell on the hvc console, types a command on the serial
line once the shell is up, and checks that the terminal echoed the typed
line, that the shell ran it, and that `exit` powered the domain off.

    console_echo.py HV_IMAGE VMLINUX INITRAMFS
"""
import subprocess
import sys
import threading

TIMEOUT_S = 180
SHELL_UP = "init: shell on the console"
TYPED = "echo pvabi-$((6*7))"
RAN = "pvabi-42"


def main():
    image, vmlinux, initramfs = sys.argv[1:4]
    qemu = subprocess.Popen(
        ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max", "-m", "512",
         "-kernel", image, "-initrd", f"{vmlinux} hv.mem=128M hv.ramdisk console=hvc0,{initramfs}",
         "-serial", "stdio", "-display", "none", "-monitor", "none", "-no-reboot",
         "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    timer = threading.Timer(TIMEOUT_S, qemu.kill)
    timer.start()
    lines = []
    typed = False
    for raw in qemu.stdout:
        line = raw.decode(errors="replace").rstrip("\n")
        print("  | " + line, flush=True)
        lines.append(line)
        if not typed and SHELL_UP in line:
            # Typed once the shell is about to read; the terminal buffers it.
            qemu.stdin.write((TYPED + "\nexit\n").encode())
            qemu.stdin.flush()
            typed = True
    rc = qemu.wait()
    timer.cancel()
    checks = [
        ("the shell started", typed),
        ("the typed line was echoed", any(l.endswith(TYPED) for l in lines)),
        ("the shell ran it", any(l == "vmlinux: " + RAN for l in lines)),
        ("exit powered the domain off", "hv-core: vmlinux shut down (reason 0)" in lines),
        ("hv-core exited with code 0", rc == 1),
    ]
    failed = [what for what, ok in checks if not ok]
    for what in failed:
        print(f"FAIL: {what} (QEMU status {rc})")
    if not failed:
        print("PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
