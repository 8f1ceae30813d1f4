#!/bin/bash
# The Debian fleet beyond Debian 12 (matrix/releases.json: one amd64 cell of
# Debian 11, 12 and 13): kernels and headers from crashlab's own package
# index of each release, the module built by each release's own compiler
# (gcc-10, gcc-12, gcc-14): the good candidate passes every cell, CF291
# crashes every cell in the interpreter. The kernel crawler: a matrix written
# by `matrix refresh --write` is up to date; a cell removed by hand is new
# again, a kernel Debian does not have is gone; cells the lab cannot boot yet
# are refused before anything runs. Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
M=matrix/releases.json

echo "# Debian 11, 12 and 13: own package index, each release's compiler"
run releases-good 0 qualify --matrix $M --candidate sensor/candidate.json --out "$OUT/releases-good"
check "releases: the good candidate passes on Debian 11, 12 and 13, each cell of its release" \
    json "$OUT/releases-good/report.json" "sorted(c['definition']['os'] for c in r['cells'])==['debian-11','debian-12','debian-13']
         and all(c['verdict']=='pass' and c['kernel_release_seen']==c['kernel_release'] for c in r['cells'])"
check "releases: each module's vermagic is its kernel's, built by that release's compiler" \
    python3 - "$OUT/releases-good" <<'PY'
import glob, subprocess, sys
want = {'5.10.0-46-amd64': 'gcc-10', '6.1.0-56-amd64': 'gcc-12', '6.12.118+deb13-amd64': 'gcc-14'}
seen = {}
for ko in glob.glob(sys.argv[1] + '/modules/*/clsensor.ko'):
    info = subprocess.run(['modinfo', '-F', 'vermagic', ko], capture_output=True, text=True).stdout.split()
    comment = subprocess.run(['readelf', '-p', '.comment', ko], capture_output=True, text=True).stdout
    rel = info[0] if info else ''
    seen[rel] = 'GCC: (Debian %s' % want.get(rel, '?')[4:] in comment
sys.exit(0 if seen == {k: True for k in want} else print(seen) or 1)
PY
run releases-cf291 1 qualify --matrix $M --candidate sensor/candidate-cf291.json --out "$OUT/releases-cf291"
check "releases: CF291 crashes every release in the interpreter" \
    json "$OUT/releases-cf291/report.json" "len(r['cells'])==3 and all(c['verdict']=='crash'
         and 'cl_interp_eval' in c['title'] for c in r['cells'])"

echo "# the kernel crawler: matrix refresh"
cp matrix/releases.json "$OUT/refresh-seed.json"
run refresh-write 1 matrix refresh --matrix "$OUT/refresh-seed.json" --write --out "$OUT/refresh.json"
run refresh-again 0 matrix refresh --matrix "$OUT/refresh.json"
check "refresh: right after writing it, nothing new and nothing gone" \
    grep -q ": 0 new, 0 gone against the package index of bullseye bookworm trixie" "$OUT/refresh-again.out"
python3 - "$OUT/refresh.json" "$OUT/refresh-cut.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m['cells'] = [c for c in m['cells'] if c['kernel'] != '5.10.0-44-amd64']
m['cells'].append({'id': 'no-such-abi', 'kernel': '6.1.0-99-amd64'})
json.dump(m, open(sys.argv[2], 'w'), indent=1)
PY
run refresh-cut 1 matrix refresh --matrix "$OUT/refresh-cut.json"
check "refresh: the cell removed by hand is new, the kernel Debian does not have is gone" \
    bash -c "grep -q '^new .*5.10.0-44-amd64 .*Debian 11 amd64' '$OUT/refresh-cut.out' &&
             grep -q '^gone .*no-such-abi .*6.1.0-99-amd64' '$OUT/refresh-cut.out' &&
             grep -q ': 1 new, 1 gone' '$OUT/refresh-cut.out'"

echo "# what the lab cannot boot yet, and cells that contradict their kernel"
printf '{"cells": [{"kernel": "6.1.0-56-arm64"}]}\n' >"$OUT/arm64.json"
run arm64-cell 2 qualify --matrix "$OUT/arm64.json" --candidate sensor/candidate.json --out "$OUT/arm64-cell"
check "an arm64 cell: one line, exit 2, before anything boots" one_line arm64-cell "arm64 guests cannot be booted yet"
printf '{"cells": [{"kernel": "6.1.0-56-amd64", "release": 13}]}\n' >"$OUT/wrong-release.json"
run wrong-release 2 matrix list --matrix "$OUT/wrong-release.json"
check "a cell whose release contradicts its kernel: one line naming both" \
    one_line wrong-release "release 13 but kernel 6.1.0-56-amd64 is Debian 12's"
[ "$fail" = 0 ]
