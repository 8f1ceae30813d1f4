#!/bin/bash
# Rings and --fail-fast; a matrix qualified in shards and merged: the
# verdicts of one run (qualify.sh's good run), signed, and gated. Part of
# tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
needs qualify k.key k.pub good/report.json

echo "# rings and --fail-fast; shards and merge"
run fail-fast 1 qualify --matrix tests/data/matrix/rings.json --candidate sensor/candidate-cf291.json \
    --fail-fast --out "$OUT/ff"
check "fail-fast: the canary crashed, the later ring not_run, blast radius 75%" json "$OUT/ff/report.json" \
    "[(x['id'], x['verdict']) for x in r['cells']]==[('deb12-6.1-n','crash'),('deb12-6.12','not_run')]
     and r['blast_radius']['failing_percent']==75.0"
run shard-1 0 qualify --matrix matrix/ci.json --candidate sensor/candidate.json --shard 1/2 --out "$OUT/s1" \
    --sign-key "$OUT/k.key"
run shard-2 0 qualify --matrix matrix/ci.json --candidate sensor/candidate.json --shard 2/2 --out "$OUT/s2" \
    --sign-key "$OUT/k.key"
check "each shard ran one cell" json "$OUT/s2/report.json" "len(r['cells'])==1 and r['shard']=={'index':2,'count':2}"
run merge 0 merge "$OUT/s2" "$OUT/s1" --out "$OUT/merged"
check "merged shards give the verdicts of one run, in matrix order" \
    python3 tests/checks/same_verdicts.py "$OUT/merged" "$OUT/good"
check "merged junit.xml has every cell" grep -q 'tests="2" failures="0"' "$OUT/merged/junit.xml"
run merge-signed 0 merge "$OUT/s1" "$OUT/s2" --out "$OUT/merged-signed" --sign-key "$OUT/k.key"
run gate-merged 0 gate --attestation "$OUT/merged-signed/attestation.json" --pubkey "$OUT/k.pub" \
    --candidate sensor/candidate.json --matrix matrix/ci.json
run merge-missing 2 merge "$OUT/s1" --out "$OUT/merged-x"
check "a missing shard: one line naming it" one_line merge-missing "shards missing"

[ "$fail" = 0 ]
