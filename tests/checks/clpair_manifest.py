#!/usr/bin/env python3
"""The manifest of the test vendor's clpair modules as a vendor ships them
(tests/data/dkms/clpair): written as DIR/candidate.json, with the digest of
each file it names.

usage:
  clpair_manifest.py prebuilt DIR
      DIR/6.1/clpair_core.ko and clpair_user.ko, built for 6.1.0-56-amd64
      only, and the vendor's agent DIR/clpair-agent_1.0_all.deb installed into
      the image; loaded with greeting=prebuilt, the evidence reads it back
      from the module and from the agent
  clpair_manifest.py packaged DIR
      the modules inside DIR/clpair-agent_1.0_all.deb itself (crashlab
      builds and installs nothing); loaded with greeting=packaged, the
      evidence reads the agent's status
"""
import hashlib
import json
import sys

DEB = "clpair-agent_1.0_all.deb"


def sha(d, f):
    return hashlib.sha256(open(f"{d}/{f}", "rb").read()).hexdigest()


def prebuilt(d):
    mods = [{"file": f"6.1/{m}.ko", "sha256": sha(d, f"6.1/{m}.ko")} for m in ("clpair_core", "clpair_user")]
    return {"manifest_version": 2, "name": "clpair-prebuilt", "version": "1.0", "content": [],
            "image": "disk",
            "packages": [{"file": DEB, "sha256": sha(d, DEB)}],
            "module": {"prebuilt": {"6.1.0-56-amd64": mods},
                       "load": [{"name": "clpair_core", "args": "greeting=prebuilt"}, "clpair_user"]},
            "evidence": {"command": {"run": ["sh", "-c", "echo greeting=$(cat /sys/module/clpair_core/parameters/greeting);"
                                                         " cat /run/clpair-agent.status"]},
                         "require": [{"key": "greeting", "equals": "prebuilt"},
                                     {"key": "agent_saw", "equals": "prebuilt"}]}}


def packaged(d):
    return {"manifest_version": 2, "name": "clpair-packaged", "version": "1.0", "content": [],
            "image": "disk", "packages": [{"file": DEB, "sha256": sha(d, DEB)}],
            "module": {"from_packages": True,
                       "load": [{"name": "clpair_core", "args": "greeting=packaged"}, "clpair_user"]},
            "evidence": {"command": {"run": ["sh", "-c", "cat /run/clpair-agent.status"]},
                         "require": [{"key": "agent_saw", "equals": "packaged"}]}}


if __name__ == "__main__":
    kinds = {"prebuilt": prebuilt, "packaged": packaged}
    if len(sys.argv) != 3 or sys.argv[1] not in kinds:
        sys.exit(__doc__)
    json.dump(kinds[sys.argv[1]](sys.argv[2]), open(sys.argv[2] + "/candidate.json", "w"))
