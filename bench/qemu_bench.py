#!/usr/bin/env python3
"""./pv bench: hv-core's figures in QEMU under -icount, beside the native baseline.

Boots the benchmark guest (bench/guest) twice in the same QEMU, on hv-core and
on bare hardware at ring 0, plus the scale and wake-up experiments; boots the
Linux port with lbench (bench/linux) natively and on hv-core; runs the host
benchmarks of the core, prints one table and writes JSON: one object per
figure with name, unit, value, and native (the baseline) where there is one.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ICOUNT = ["-icount", "shift=0,sleep=off", "-rtc", "clock=vm,base=2024-01-01T00:00:00"]
QEMU = ["qemu-system-x86_64", "-machine", "q35", "-cpu", "max", "-display", "none", "-monitor", "none",
        "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]

# Xen 4.17 PV in the same QEMU (ticks), and the paper's figures.
ANCHORS = {
    "null_hypercall": 284, "multicall_per_entry": 212, "update_va_mapping": 669,
    "pte_batch_1": 770, "pte_batch_8": 407, "pte_batch_64": 362, "pte_batch_512": 356,
    "trap_bounce": 720, "page_fault_bounce": 724, "time_read": 35, "yield": 2032,
    "hv_bytes_per_domain": 20 * 1024, "wake_latency_idle_among_128_ms": 5.4,
    "wake_latency_busy_among_128_ms": 147,
}


def qemu(args, memory="256", timeout=600):
    with tempfile.NamedTemporaryFile("r", suffix=".serial") as serial:
        cmd = QEMU + ["-m", memory, "-serial", "file:" + serial.name] + ICOUNT + args
        try:
            rc = subprocess.run(cmd, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            rc = -1
        return rc, serial.read()


def bench_lines(text, prefix=""):
    out = {}
    for m in re.finditer(r"^" + re.escape(prefix) + r"BENCH (\S+) ([0-9.]+)$", text, re.M):
        out[m.group(1)] = float(m.group(2))
    return out


def modules(*paths):
    return ["-initrd", ",".join(paths)]


def hv_image(build):
    return os.path.join(build, "hv-core/arch/x86_64/hv-core-x86_64.elf32")


def bench_guest(build, flavour):
    return os.path.join(build, "bench/guest", {"pv": "bench-guest-pv.elf", "native": "bench-guest-native.elf32"}[flavour])


def run_guests(build, figures):
    rc, native_text = qemu(["-kernel", bench_guest(build, "native")])
    native = bench_lines(native_text)
    if rc != 1 or not native:
        sys.exit("native benchmark guest failed (QEMU status %d):\n%s" % (rc, native_text))
    pv_kernel = bench_guest(build, "pv")
    rc, pv_text = qemu(["-kernel", hv_image(build)] + modules(pv_kernel + " role=ping peer=1", pv_kernel + " role=echo peer=0"))
    pv = bench_lines(pv_text, "bench-guest-pv: ")
    if rc != 1 or not pv:
        sys.exit("pv benchmark guest failed (QEMU status %d):\n%s" % (rc, pv_text))
    for name, value in pv.items():
        if name.startswith("macro_"):
            continue
        figures.append(figure(name, "ticks", value, native.get(name)))
    for name in sorted(n for n in pv if n.startswith("macro_")):
        if name in native and native[name] > 0:
            figures.append(figure("ratio_" + name[len("macro_"):], "ratio", round(pv[name] / native[name], 4),
                                  detail={"pv_ticks": pv[name], "native_ticks": native[name]}))


def run_scale(build, figures, domains):
    idle = os.path.join(build, "tests/guests/idle.elf")
    rc, text = qemu(["-kernel", hv_image(build)] + modules(*([idle] * domains)), memory="4G", timeout=900)
    built = len(re.findall(r"^idle: built from its ELF image", text, re.M))
    per = re.search(r"^hv-core: \d+ domains built; hypervisor state (\d+) bytes, (\d+) per domain", text, re.M)
    finished = len(re.findall(r"^hv-core: idle \(\d+\) .* poweroff$", text, re.M))
    figures.append(figure("max_domains", "domains", finished,
                          detail={"booted": built, "requested": domains, "qemu_memory": "4G",
                                  "guest_frames_each": 256}))
    if per:
        # Its heap objects, and the shared info page, a frame of its own.
        heap = int(per.group(2))
        figures.append(figure("hv_bytes_per_domain", "bytes", heap + 4096,
                              detail={"heap_bytes": heap, "shared_info_bytes": 4096}))


def run_latency(build, figures, busy_domains=128):
    """The paper's experiment in virtual time: 128 busy domains, one idle
    domain and one busy domain woken by timer events every 7 ms."""
    kernel = bench_guest(build, "pv")
    stop_ms = 200
    mods = [kernel + " role=idle-waker", kernel + " role=busy-waker stop_ms=%d" % stop_ms]
    mods += [kernel + " role=spin stop_ms=%d" % stop_ms] * busy_domains
    rc, text = qemu(["-kernel", hv_image(build)] + modules(*mods), memory="1G", timeout=900)
    found = bench_lines(text, "bench-guest-pv: ")
    for kind in ("idle", "busy"):
        us = found.get("wake_latency_%s_us" % kind)
        if us is None:
            print("wake latency (%s): no figure (QEMU status %d)" % (kind, rc))
            continue
        worst = found.get("wake_latency_%s_us_max" % kind)
        figures.append(figure("wake_latency_%s_among_%d_ms" % (kind, busy_domains), "ms", round(us / 1000, 3),
                              detail={"max_ms": round(worst / 1000, 3) if worst is not None else None,
                                      "wakes": 16, "period_ms": 7}))


def lbench_lines(text, prefix=""):
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r"^" + re.escape(prefix) + r"lbench: (\S+) ([0-9.]+)\r?$", text, re.M)}


def run_linux(build, figures):
    """lbench (bench/linux) in the port's initramfs: the same kernel booted
    natively as a bzImage and as a domain of hv-core, in the same QEMU."""
    out = os.path.join(build, "linux")
    subprocess.run(["ports/linux/build", out, "--meson", build, "--bzimage"], check=True, stdout=sys.stderr)
    subprocess.run(["ports/linux/initramfs/build", out], check=True, stdout=sys.stderr)
    cpio = os.path.join(out, "initramfs.cpio")
    rc, native_text = qemu(["-kernel", os.path.join(out, "bzImage"), "-initrd", cpio, "-append",
                            "console=ttyS0 8250.nr_uarts=1 pvabi.end=reboot pvabi.script=bench"], memory="512")
    native = lbench_lines(native_text)
    if rc != 0 or not native:
        sys.exit("native Linux benchmark failed (QEMU status %d):\n%s" % (rc, native_text))
    vmlinux = os.path.join(out, "vmlinux") + " hv.mem=256M hv.ramdisk console=hvc0 pvabi.script=bench"
    rc, pv_text = qemu(["-kernel", hv_image(build)] + modules(vmlinux, cpio), memory="1024")
    pv = lbench_lines(pv_text, "vmlinux: ")
    if rc != 1 or not pv:
        sys.exit("Linux on hv-core benchmark failed (QEMU status %d):\n%s" % (rc, pv_text))
    for name, value in pv.items():
        if name in native and native[name] > 0:
            figures.append(figure("linux_" + name, "ticks", value, native[name],
                                  detail={"ratio": round(value / native[name], 2)}))


def figure(name, unit, value, native=None, detail=None):
    f = {"name": name, "unit": unit, "value": value}
    if native is not None:
        f["native"] = native
    if name in ANCHORS:
        f["anchor_xen"] = ANCHORS[name]
    if detail:
        f["detail"] = detail
    return f


def run_host(build, figures):
    exe = os.path.join(build, "bench/hv_core_bench")
    out = subprocess.run([exe, "--benchmark_format=json", "--benchmark_min_time=0.05"], capture_output=True,
                         text=True, check=True).stdout
    for b in json.loads(out)["benchmarks"]:
        name = "host_" + re.sub(r"[^a-z0-9]+", "_", b["name"].lower()).strip("_")
        figures.append(figure(name, b["time_unit"], round(b["real_time"], 2)))


def table(figures):
    rows = [("figure", "unit", "pv", "native", "Xen 4.17")]
    for f in figures:
        rows.append((f["name"], f["unit"], str(f["value"]), str(f.get("native", "-")), str(f.get("anchor_xen", "-"))))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(r))
                     for r in rows)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", default="build")
    p.add_argument("--out", default="bench/results/latest.json")
    p.add_argument("--domains", type=int, default=2500,
                   help="domains the scale run asks for; those that fit in memory boot")
    p.add_argument("--skip-host", action="store_true")
    p.add_argument("--linux-only", action="store_true", help="only the Linux port's figures")
    a = p.parse_args()
    figures = []
    if not a.linux_only:
        run_guests(a.build, figures)
        run_latency(a.build, figures)
        run_scale(a.build, figures, a.domains)
    run_linux(a.build, figures)
    if not a.skip_host and not a.linux_only:
        run_host(a.build, figures)
    qemu_version = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"qemu": qemu_version, "icount": " ".join(ICOUNT), "figures": figures}, f, indent=1)
        f.write("\n")
    print(table(figures))
    print("wrote " + a.out)


if __name__ == "__main__":
    main()
