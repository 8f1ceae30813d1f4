#!/usr/bin/env python3
"""The signed statement of a qualification of the reference sensor (a DSSE
envelope around an in-toto Statement v1), and a forged copy of it.

usage:
  attestation.py statement ATTESTATION
      one signature; the statement's verdict pass; its subjects name the
      manifest, the content, every module source file and a module per kernel
      (the reference sensor on matrix/ci.json: two)
  attestation.py edit ATTESTATION OUT
      writes the envelope with its first cell's verdict edited ("pass "), the
      signature kept: what a gate must refuse
"""
import base64
import json
import sys


def statement(path):
    e = json.load(open(path))
    assert e["payloadType"] == "application/vnd.in-toto+json" and len(e["signatures"]) == 1
    st = json.loads(base64.b64decode(e["payload"]))
    assert st["_type"] == "https://in-toto.io/Statement/v1" and st["predicate"]["verdict"] == "pass"
    names = [s["name"] for s in st["subject"]]
    assert ("manifest:candidate.json" in names and "content:channel-291" in names
            and "module_source_file:kmod/cl_content.c" in names), names
    assert len([n for n in names if n.startswith("clsensor.ko@")]) == 2, names


def edit(path, out):
    e = json.load(open(path))
    st = json.loads(base64.b64decode(e["payload"]))
    st["predicate"]["cells"][0]["verdict"] = "pass "
    e["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    json.dump(e, open(out, "w"))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "statement":
        statement(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "edit":
        edit(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
