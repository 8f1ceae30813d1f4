#!/usr/bin/env python3
"""Reports valid against reports/report.schema.json (draft 7).

usage: schema.py [--at-least N] REPORT.json...
Prints the first error (file, path in the document, message); exit 1 on it,
or when fewer than N reports were given (a glob that matched too little).
"""
import json
import sys

import jsonschema

SCHEMA = "reports/report.schema.json"


def main(args):
    least = 0
    if args[:1] == ["--at-least"]:
        least, args = int(args[1]), args[2:]
    if len(args) < max(least, 1):
        print("%d reports, want at least %d" % (len(args), max(least, 1)))
        return 1
    schema = json.load(open(SCHEMA))
    v = jsonschema.validators.validator_for(schema)(schema)
    for p in args:
        for e in v.iter_errors(json.load(open(p))):
            print("%s: %s: %s" % (p, "/".join(map(str, e.path)), e.message[:200]))
            return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
