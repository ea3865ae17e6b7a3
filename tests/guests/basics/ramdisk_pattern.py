#!/usr/bin/env python3
"""Writes the boot_options test's ramdisk: SIZE bytes where byte i is
(i * 13 + (i >> 12) * 101 + 7) mod 256, so a page out of place shows.
boot_options.c checks the same formula.
   ramdisk_pattern.py SIZE OUT"""
import sys

size, out = int(sys.argv[1]), sys.argv[2]
with open(out, "wb") as f:
    f.write(bytes((i * 13 + (i >> 12) * 101 + 7) & 0xFF for i in range(size)))
