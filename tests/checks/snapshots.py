#!/usr/bin/env python3
"""Snapshot cells: saved states restored, the candidate delivered into the
restored guest, a saved state damaged.

usage:
  snapshots.py restored FIRST_RUN SECOND_RUN
      the second run restored the states the first saved (same digests), built
      none, started each cell at ready, and no console shows a kernel booting
  snapshots.py delivered RUN_DIR
      each restored guest's agent received the module and the content with
      the digests the report gives
  snapshots.py damage SNAPSHOTS KERNEL RUN_DIR
      flips one byte (at 40 MiB) of the state of KERNEL under SNAPSHOTS that
      RUN_DIR's first cell restored, found by its recorded digest
"""
import glob
import json
import os
import sys


def restored(first, second):
    a = json.load(open(first + "/report.json"))
    b = json.load(open(second + "/report.json"))
    assert len(b["cells"]) == 2 and ([c["snapshot"]["sha256"] for c in a["cells"]]
                                     == [c["snapshot"]["sha256"] for c in b["cells"]])
    assert all(c["verdict"] == "pass" and not c["snapshot"]["built_by_this_run"]
               and c["timeline"][0]["reached"] == "ready" for c in b["cells"])
    for c in b["cells"]:
        console = open("%s/cells/%s/console.log" % (second, c["id"]), errors="replace").read()
        assert "Linux version" not in console


def delivered(run):
    r = json.load(open(run + "/report.json"))
    assert len(r["cells"]) == 2, len(r["cells"])
    for c in r["cells"]:
        log = open("%s/cells/%s/agent.log" % (run, c["id"])).read()
        assert ("path=/crashlab/candidate/clsensor.ko bytes=" in log
                and "sha256=" + c["module_sha256"] in log), c["id"]
        assert "sha256=" + r["candidate"]["artifacts"][0]["sha256"] in log, c["id"]


def damage(snapshots, kernel, run):
    want = json.load(open(run + "/report.json"))["cells"][0]["snapshot"]["sha256"]
    sums = lambda p: os.path.join(os.path.dirname(p), "sha256")
    ps = [p for p in glob.glob("%s/%s-*/state.save" % (snapshots, kernel))
          if os.path.isfile(sums(p)) and open(sums(p)).read(64) == want]
    assert len(ps) == 1, ps
    with open(ps[0], "r+b") as f:
        f.seek(40 << 20)
        b = f.read(1)
        assert len(b) == 1, ps
        f.seek(40 << 20)
        f.write(bytes([b[0] ^ 1]))


if __name__ == "__main__":
    cmds = {"restored": (restored, 2), "delivered": (delivered, 1), "damage": (damage, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or len(sys.argv) != 2 + cmds[sys.argv[1]][1]:
        sys.exit(__doc__)
    cmds[sys.argv[1]][0](*sys.argv[2:])
