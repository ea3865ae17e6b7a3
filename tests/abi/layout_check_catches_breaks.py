#!/usr/bin/env python3
"""Proves the layout check fails on the breaks it exists to catch.

Each case copies the headers, breaks them the way a careless change would
(layout asserts edited to match, so the compiler alone would not object), runs
pvabi-layout against the checked-in manifest, and expects the named failure.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

tool, include, manifest = sys.argv[1:4]


def mutate(root, header, edits):
    path = Path(root) / "pvabi" / header
    text = path.read_text()
    for old, new in edits:
        if old not in text:
            sys.exit(f"ERROR: the mutation no longer applies to {header}: {old!r}")
        text = text.replace(old, new)
    path.write_text(text)


def run(root):
    r = subprocess.run([tool, f"--include={root}", f"--baseline={manifest}"],
                       capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


CASES = [
    ("swapped fields", 1,
     [("time.h", [
         ("  int8_t tsc_shift;\n  uint8_t flags; /* PVABI_TIME_* */",
          "  uint8_t flags; /* PVABI_TIME_* */\n  int8_t tsc_shift;"),
         ("PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, tsc_shift, 28);",
          "PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, tsc_shift, 29);"),
         ("PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, flags, 29);",
          "PVABI_ASSERT_OFFSET(pvabi_vcpu_time_info, flags, 28);")])],
     ["struct pvabi_vcpu_time_info field tsc_shift changed: offset=28",
      "struct pvabi_vcpu_time_info field flags changed: offset=29"]),
    ("constant changed", 1,
     [("status.h", [("#define PVABI_EINVAL (-22)", "#define PVABI_EINVAL (-23)")])],
     ["constant PVABI_EINVAL changed: -22 -> -23 on every target"]),
    ("addition without a minor bump", 1,
     [("sched.h", [("#define PVABI_SHUTDOWN_WATCHDOG 4",
                    "#define PVABI_SHUTDOWN_WATCHDOG 4\n#define PVABI_SHUTDOWN_HALT 5")])],
     ["constant PVABI_SHUTDOWN_HALT added (5) without a higher PVABI_INTERFACE_VERSION_MINOR"]),
    ("addition with a minor bump", 0,
     [("sched.h", [("#define PVABI_SHUTDOWN_WATCHDOG 4",
                    "#define PVABI_SHUTDOWN_WATCHDOG 4\n#define PVABI_SHUTDOWN_HALT 5")]),
      ("version.h", [("#define PVABI_INTERFACE_VERSION_MINOR 0",
                      "#define PVABI_INTERFACE_VERSION_MINOR 1")])],
     ["added: constant PVABI_SHUTDOWN_HALT added (5)"]),
    ("removed struct", 1,
     [("elfnote.h", [("struct pvabi_elfnote_header {\n  uint32_t namesz;\n  uint32_t descsz;\n  uint32_t type;\n};\n"
                      "PVABI_ASSERT_SIZE(pvabi_elfnote_header, 12, 4);\n"
                      "PVABI_ASSERT_OFFSET(pvabi_elfnote_header, namesz, 0);\n"
                      "PVABI_ASSERT_OFFSET(pvabi_elfnote_header, descsz, 4);\n"
                      "PVABI_ASSERT_OFFSET(pvabi_elfnote_header, type, 8);\n", "")])],
     ["struct pvabi_elfnote_header was removed", "struct pvabi_elfnote_header field namesz was removed"]),
    ("plain uint64_t, asserts dropped: differs on i386", 1,
     [("sched.h", [("  uint32_t count;\n  uint32_t _pad0;\n  pvabi_u64 timeout;\n};",
                    "  uint32_t count;\n  uint64_t timeout;\n};"),
                   ("PVABI_ASSERT_SIZE(pvabi_sched_poll, 24, 8);\n", ""),
                   ("PVABI_ASSERT_OFFSET(pvabi_sched_poll, _pad0, 12);\n", ""),
                   ("PVABI_ASSERT_OFFSET(pvabi_sched_poll, timeout, 16);\n", "")])],
     ["pvabi_sched_poll.timeout: type 'uint64_t' is not allowed",
      "pvabi_sched_poll.timeout: 4 bytes of implicit padding before it",
      "pvabi_sched_poll: no PVABI_ASSERT_SIZE",
      "not the same everywhere: struct pvabi_sched_poll field timeout is offset=12 size=8 type=uint64_t "
      "but offset=16 size=8 type=uint64_t on x86_64-linux/c99 on i386-linux/c99, i386-linux/c++20"]),
    ("an enum field", 1,
     [("sched.h", [("struct pvabi_sched_shutdown {\n  uint32_t reason;",
                    "enum pvabi_reason { PVABI_REASON_A };\nstruct pvabi_sched_shutdown {\n  enum pvabi_reason reason;")])],
     ["pvabi_sched_shutdown.reason: type 'enum pvabi_reason' is not allowed"]),
]

failures = 0
baseline_rc, baseline_out = run(include)
if baseline_rc != 0:
    print(f"FAIL: the unmodified headers do not pass:\n{baseline_out}")
    failures += 1
for name, want_rc, edits, want_lines in CASES:
    with tempfile.TemporaryDirectory() as root:
        shutil.copytree(Path(include) / "pvabi", Path(root) / "pvabi")
        for header, header_edits in edits:
            mutate(root, header, header_edits)
        rc, out = run(root)
    missing = [w for w in want_lines if w not in out]
    if rc != want_rc or missing:
        failures += 1
        print(f"FAIL: {name}: exit {rc} (want {want_rc}); missing {missing}\n{out}")
    else:
        print(f"ok: {name}")
print(f"{len(CASES) + 1 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
