#!/usr/bin/env python3
"""Malformed content (--mutants) as the guest received it.

usage:
  mutants.py kept RUN_DIR
      each mutant of the first cell is kept in RUN_DIR with the digest the
      report gives, the agent installed each one, and restored the real
      content after them
  mutants.py snapshot RUN_DIR N
      two snapshot cells, each passed with N mutants, all refused or
      survived, the last delivered over the agent's channel
"""
import hashlib
import json
import sys


def kept(run):
    r = json.load(open(run + "/report.json"))
    c = r["cells"][0]
    log = open("%s/cells/%s/agent.log" % (run, c["id"])).read()
    for m in c["mutants"]:
        assert hashlib.sha256(open(run + "/" + m["file"], "rb").read()).hexdigest() == m["sha256"], m["name"]
        assert "CL MUTANT name=%s phase=install" % m["name"] in log, m["name"]
    assert "CL RESTORE rc=0" in log


def snapshot(run, n):
    n = int(n)
    r = json.load(open(run + "/report.json"))
    assert len(r["cells"]) == 2, len(r["cells"])
    for c in r["cells"]:
        assert c["verdict"] == "pass" and c["started_from"] == "snapshot" and len(c["mutants"]) == n, c["id"]
        assert all(m["outcome"] in ("refused", "survived") for m in c["mutants"]), c["id"]
        log = open("%s/cells/%s/agent.log" % (run, c["id"])).read()
        assert "path=/crashlab/mutants/%d " % (n - 1) in log, c["id"]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "kept":
        kept(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "snapshot":
        snapshot(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
