#!/usr/bin/env python3
"""crashlab triage on every corpus file, as a user runs it, against the
file's own header lines (tests/data/triage/: CLASS, TITLE, FRAME, MODULE,
CORRUPTED before a blank line, then the raw console).

usage: triage_corpus.py CRASHLAB DIR [MIN]
Runs `CRASHLAB triage DIR/*.log` once; prints each file whose result differs
from its header, then the totals. Exit 1 on a mismatch, or when DIR holds
fewer than MIN files (40).
"""
import glob
import json
import os
import subprocess
import sys


def header(path):
    """The KEY: value lines before the first blank line."""
    h = {}
    for line in open(path, errors="replace"):
        if line == "\n":
            break
        k, _, v = line.partition(":")
        h[k] = v.strip()
    return h


def main(crashlab, corpus, least):
    files = sorted(glob.glob(os.path.join(corpus, "*.log")))
    out = subprocess.run([crashlab, "triage"] + files, capture_output=True, text=True, check=True)
    bad = 0
    for f, line in zip(files, out.stdout.splitlines()):
        h, t = header(f), json.loads(line)
        got = {"CLASS": t["class"], "TITLE": t["title"] or "", "FRAME": t["frame"] or "",
               "MODULE": t["module"] or "", "CORRUPTED": "Y" if t["corrupted"] else "N"}
        diff = {k: (h.get(k, ""), v) for k, v in got.items() if h.get(k, "") != v}
        if diff or t["file"] != f:
            print("   ", f, diff)
            bad += 1
    print("    %d corpus files, %d mismatches" % (len(files), bad))
    return 1 if bad or len(files) < least else 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 40))
