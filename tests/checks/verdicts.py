#!/usr/bin/env python3
"""One line of a run's verdicts, for a table row (tests/lib/checks.sh: verdicts).

usage: verdicts.py DIR
Prints "cell=verdict/attempts ..." from DIR/report.json, each cell that did
not pass followed by the first 80 characters of its title; "no-report" when
DIR has no report.json.
"""
import json
import os
import sys


def line(report):
    return " ".join("%s=%s/%d%s" % (c["id"], c["verdict"], c["attempts"],
                                    "" if c["verdict"] == "pass"
                                    else " (%.80s)" % (c.get("title") or c.get("detail") or ""))
                    for c in report["cells"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = os.path.join(sys.argv[1], "report.json")
    if not os.path.isfile(path):
        print("no-report")
        sys.exit(0)
    print(line(json.load(open(path))))
