#!/usr/bin/env python3
"""No message of a report uses words it must not (a third party's run that
speaks of the reference sensor's content or counters).

usage: report_words.py RUN_DIR CELLS REGEX
Exit 1 when RUN_DIR/report.json has not CELLS cells, or REGEX (matched
without case) is in a cell's title or in the text of report.html (tags and
its <style> removed).
"""
import json
import re
import sys

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    run, cells, words = sys.argv[1], int(sys.argv[2]), "(?i)" + sys.argv[3]
    r = json.load(open(run + "/report.json"))
    html = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<style.*?</style>", "", open(run + "/report.html").read()))
    sys.exit(1 if len(r["cells"]) != cells or re.search(words, html)
             or any(re.search(words, c["title"]) for c in r["cells"]) else 0)
