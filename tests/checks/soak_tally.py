#!/usr/bin/env python3
"""One soak run in a line (tests/soak.sh).

usage: soak_tally.py RUN_DIR
Prints "cell=verdict,cell=verdict... CELLS PASSED CONSOLES": the verdicts of
RUN_DIR/report.json, its number of cells, of passing cells and of cells
whose console.log is not empty. Exit 1 (nothing printed) without a report.
"""
import json
import os
import sys

if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    r = json.load(open(d + "/report.json"))
    cells = r["cells"]
    con = sum(1 for c in cells if c.get("console") and os.path.getsize(os.path.join(d, c["console"])) > 0)
    print(" ".join("%s=%s" % (c["id"], c["verdict"]) for c in cells).replace(" ", ","),
          len(cells), sum(c["verdict"] == "pass" for c in cells), con)
