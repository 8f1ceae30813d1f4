#!/usr/bin/env python3
"""Cells run on a second libvirt host, as its domain XML and reports show.

usage:
  hosts.py remote-domains RUN_DIR REMOTE PROJECT_DIR
      each cell the report ran on REMOTE (at least one) booted from volumes
      on that host (kernel and initrd under /var/lib/libvirt/crashlab/), its
      console a pty stream, no path of ours (/tmp/, PROJECT_DIR) in its XML
  hosts.py remote-snapshots FIRST_RUN SECOND_RUN REMOTE
      both runs passed their two snapshot cells on REMOTE; the second built
      no state and restored those the first saved (same digests)
"""
import json
import sys


def remote_domains(run, remote, project):
    r = json.load(open(run + "/report.json"))
    cells = [c for c in r["cells"] if c["host"] == remote]
    for c in cells:
        x = open("%s/cells/%s/domain.xml" % (run, c["id"])).read()
        assert "<kernel>/var/lib/libvirt/crashlab/" in x and "<initrd>/var/lib/libvirt/crashlab/" in x, c["id"]
        assert "<serial type='pty'>" in x and "/tmp/" not in x and project not in x, c["id"]
    return 0 if cells else 1


def remote_snapshots(first, second, remote):
    a, b = (json.load(open(d + "/report.json")) for d in (first, second))
    assert len(a["cells"]) == len(b["cells"]) == 2, (len(a["cells"]), len(b["cells"]))
    assert all(c["verdict"] == "pass" and c["host"] == remote for c in a["cells"] + b["cells"])
    assert [c["snapshot"]["built_by_this_run"] for c in b["cells"]] == [False, False]
    assert [c["snapshot"]["sha256"] for c in a["cells"]] == [c["snapshot"]["sha256"] for c in b["cells"]]
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "remote-domains":
        sys.exit(remote_domains(*sys.argv[2:]))
    if len(sys.argv) == 5 and sys.argv[1] == "remote-snapshots":
        sys.exit(remote_snapshots(*sys.argv[2:]))
    sys.exit(__doc__)
