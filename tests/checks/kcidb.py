#!/usr/bin/env python3
"""KCIDB I/O data (schema 5.3) as crashlab export --kcidb writes it, checked.

usage: kcidb.py FILE.json...
Prints the first error (file, path in the document, message); exit 1 on it.

This is crashlab's own statement of KCIDB 5.3's rules, written from the
published description of the format (kcidb-io's schema could not be
installed on the machines here: pip has no network), with
python3-jsonschema (draft 7) and its format checks, "uri" added: every
object closed (no property it does not define), no nulls in what KCIDB
defines (misc is free), ids ORIGIN:... and each given once,
statuses from KCIDB's six, test paths dotted words, log excerpts at most
16384 characters, times RFC 3339, URLs with a scheme.
"""
import json
import re
import sys
import urllib.parse

import jsonschema

TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
ID = {"type": "string", "pattern": "^[a-z0-9_]+:[^\u0000]*$"}
ORIGIN = {"type": "string", "pattern": "^[a-z0-9_]+$"}
TIME = {"type": "string", "format": "date-time"}
URL = {"type": "string", "format": "uri"}
STATUS = {"enum": ["FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"]}
EXCERPT = {"type": "string", "maxLength": 16384, "pattern": "^[^\u0000]*$"}
MISC = {"type": "object"}
RESOURCES = {"type": "array", "items": {
    "type": "object", "additionalProperties": False, "required": ["name", "url"],
    "properties": {"name": {"type": "string", "pattern": "^[^/\u0000]+$"}, "url": URL}}}


def closed(required, **props):
    return {"type": "object", "additionalProperties": False, "required": required,
            "properties": dict(props, _timestamp=TIME)}


CHECKOUT = closed(
    ["id", "origin"], id=ID, origin=ORIGIN, tree_name=TEXT,
    git_repository_url={"type": "string", "format": "uri", "pattern": "^https://[^\u0000]*$"},
    git_commit_hash={"type": "string", "pattern": "^[0-9a-f]{40}$"}, git_commit_name=TEXT,
    git_commit_tags={"type": "array", "items": TEXT}, git_commit_message=TEXT,
    git_repository_branch=TEXT, git_repository_branch_tip={"type": "boolean"},
    patchset_files=RESOURCES, patchset_hash={"type": "string", "pattern": "^$|^[0-9a-f]{64}$"},
    message_id={"type": "string", "format": "email"}, comment=TEXT, start_time=TIME,
    origin_builds_finish_time=TIME, origin_tests_finish_time=TIME, log_url=URL,
    log_excerpt=EXCERPT, valid={"type": "boolean"}, misc=MISC)
BUILD = closed(
    ["checkout_id", "id", "origin"], checkout_id=ID, id=ID, origin=ORIGIN, comment=TEXT,
    start_time=TIME, duration={"type": "number"},
    architecture={"type": "string", "pattern": "^[a-z0-9_]*$"}, command=TEXT, compiler=TEXT,
    input_files=RESOURCES, output_files=RESOURCES, config_name=TEXT, config_url=URL,
    log_url=URL, log_excerpt=EXCERPT, status=STATUS, misc=MISC)
ENVIRONMENT = {"type": "object", "additionalProperties": False, "properties": {
    "compatible": {"type": "array", "items": {"type": "string",
                                              "pattern": "^[^ \u0000]+(,[^ \u0000]+)*$"}},
    "comment": TEXT, "misc": MISC}}
NUMBER = {"type": "object", "additionalProperties": False, "required": ["value"], "properties": {
    "value": {"type": "number"}, "unit": TEXT, "prefix": {"enum": ["metric", "binary"]}}}
TEST = closed(
    ["build_id", "id", "origin"], build_id=ID, id=ID, origin=ORIGIN, environment=ENVIRONMENT,
    path={"type": "string", "pattern": r"^([a-zA-Z0-9_-]+(\.[a-zA-Z0-9_-]+)*)?$"},
    comment=TEXT, log_url=URL, log_excerpt=EXCERPT, status=STATUS, number=NUMBER,
    start_time=TIME, duration={"type": "number"}, input_files=RESOURCES,
    output_files=RESOURCES, misc=MISC)
ISSUE = closed(
    ["id", "version", "origin"], id=ID, version={"type": "integer", "minimum": 0},
    origin=ORIGIN, categories={"type": "array", "items": TEST["properties"]["path"]},
    report_url=URL, report_subject=TEXT,
    culprit={"type": "object", "additionalProperties": False, "properties": {
        "code": {"type": "boolean"}, "tool": {"type": "boolean"},
        "harness": {"type": "boolean"}}},
    comment=TEXT, misc=MISC)
INCIDENT = closed(
    ["id", "origin", "issue_id", "issue_version"], id=ID, origin=ORIGIN, issue_id=ID,
    issue_version={"type": "integer", "minimum": 0}, build_id=ID, test_id=ID,
    present={"type": "boolean"}, comment=TEXT, misc=MISC)
SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["version"],
    "properties": {
        "version": {"type": "object", "additionalProperties": False, "required": ["major"],
                    "properties": {"major": {"const": 5},
                                   "minor": {"type": "integer", "minimum": 0, "maximum": 3}}},
        "checkouts": {"type": "array", "items": CHECKOUT},
        "builds": {"type": "array", "items": BUILD},
        "tests": {"type": "array", "items": TEST},
        "issues": {"type": "array", "items": ISSUE},
        "incidents": {"type": "array", "items": INCIDENT}}}

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("uri")
def is_uri(s):
    u = urllib.parse.urlsplit(s)
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*$", u.scheme)) and not re.search(r"[\s<>\"]", s)


def links(doc):
    """Every id once in its kind, every parent a child names in the document."""
    for kind in ("checkouts", "builds", "tests", "issues", "incidents"):
        seen = [o["id"] for o in doc.get(kind, [])]
        if len(seen) != len(set(seen)):
            return "%s: an id given twice" % kind
    ids = {k: {o["id"] for o in doc.get(k, [])} for k in ("checkouts", "builds", "tests", "issues")}
    for kind, key, parent in (("builds", "checkout_id", "checkouts"), ("tests", "build_id", "builds"),
                              ("incidents", "issue_id", "issues"), ("incidents", "test_id", "tests")):
        for o in doc.get(kind, []):
            if key in o and o[key] not in ids[parent]:
                return "%s %s: %s %s is not in the document" % (kind, o["id"], key, o[key])
    return None


def main(args):
    v = jsonschema.Draft7Validator(SCHEMA, format_checker=FORMATS)
    for p in args:
        doc = json.load(open(p))
        for e in v.iter_errors(doc):
            print("%s: %s: %s" % (p, "/".join(map(str, e.path)), e.message[:200]))
            return 1
        err = links(doc)
        if err:
            print("%s: %s" % (p, err))
            return 1
    return 0 if args else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
