#!/usr/bin/env python3
"""A run's junit.xml carries the content's digest and each cell's module
digest as properties, the same the report gives.

usage: junit_properties.py RUN_DIR CONTENT CELLS
RUN_DIR holds report.json and junit.xml; CONTENT is the name of the
candidate's first content file (its digest: property content_sha256:CONTENT
of the suite); CELLS the number of cells the report must have.
"""
import json
import sys
import xml.etree.ElementTree as ET


def main(run, content, cells):
    r = json.load(open(run + "/report.json"))
    t = ET.parse(run + "/junit.xml").getroot()
    suite = {p.get("name"): p.get("value") for p in t.find("testsuite/properties")}
    assert suite["content_sha256:" + content] == r["candidate"]["artifacts"][0]["sha256"], suite
    mods = [p.get("value") for p in t.iter("property") if p.get("name") == "module_sha256"]
    assert len(r["cells"]) == cells, len(r["cells"])
    assert sorted(mods) == sorted(c["module_sha256"] for c in r["cells"]), mods


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
