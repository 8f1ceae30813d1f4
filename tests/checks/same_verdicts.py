#!/usr/bin/env python3
"""Two runs gave the same verdicts: the same cells in the same order, each
with the same verdict, and the same overall verdict (merged shards against
one whole run).

usage: same_verdicts.py RUN_DIR OTHER_RUN_DIR
"""
import json
import sys


def cells(r):
    return [(c["id"], c["verdict"]) for c in r["cells"]]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    m, g = (json.load(open(d + "/report.json")) for d in sys.argv[1:])
    assert cells(m) == cells(g) and m["verdict"] == g["verdict"], (cells(m), cells(g))
