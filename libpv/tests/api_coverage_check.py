#!/usr/bin/env python3
"""Every function of libpv's C API has a doc comment naming it and is used by
a test: libpv/tests/api_coverage_check.py LIBPV_DIR."""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
headers = sorted((root / "include" / "libpv").glob("*.h"))
tests = "\n".join(p.read_text() for p in (root / "tests").rglob("*") if p.suffix in (".cc", ".c", ".h"))
problems = []
names = set()
for h in headers:
    text = h.read_text()
    for m in re.finditer(r"^[^\n#*/]*?\b(pv_[a-z0-9_]+)\s*\(", text, re.M):
        name = m.group(1)
        names.add(name)
        if not re.search(r"/\*\*[^*]*?(\*(?!/)[^*]*)*?\b" + name + r"\b", text[: m.start()]):
            problems.append(f"{h.name}: {name} has no doc comment naming it")
for name in sorted(names):
    if not re.search(r"\b" + name + r"\b", tests):
        problems.append(f"{name} is not used by any test")
for p in problems:
    print(f"FAIL: {p}")
print(f"{len(names)} C API functions, {len(problems)} problems")
sys.exit(1 if problems else 0)
