#!/usr/bin/env python3
"""The first cell of a matrix as a matrix of its own, named "one"
(tests/faults.sh).

usage: one_cell.py MATRIX OUT [IMAGE]
Writes OUT; with IMAGE, the cell's image kind is set to it (snapshot, ...).
"""
import json
import sys

if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    m = json.load(open(sys.argv[1]))
    m["cells"] = m["cells"][:1]
    m["name"] = "one"
    if len(sys.argv) == 4 and sys.argv[3]:
        m["cells"][0]["image"] = sys.argv[3]
    json.dump(m, open(sys.argv[2], "w"))
