#!/usr/bin/env python3
"""Two runs of the same matrix at once, sharing the caches (tests/faults.sh):
both reports have two cells, the runs overlapped in time, and they loaded
the same module builds (one per kernel, the same digests).

usage: two_runs.py RUN_DIR OTHER_RUN_DIR
"""
import json
import sys

if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = (json.load(open(d + "/report.json")) for d in sys.argv[1:])
    m = lambda r: [x["module_sha256"] for x in r["cells"]]
    sys.exit(0 if len(a["cells"]) == len(b["cells"]) == 2 and a["started"] <= b["finished"]
             and b["started"] <= a["finished"] and m(a) == m(b) and all(m(a)) else 1)
