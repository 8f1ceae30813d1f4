#!/bin/bash
# Pre-flight: the candidate's fuzz run finds the bounds bug before any VM
# (cells not_run, exit 1), in shards and their merge too. Part of
# tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# pre-flight: the candidate's own static checks, before any VM"
run preflight-fuzz 1 qualify --matrix matrix/ci.json --candidate tests/data/candidate/no-bounds-check-fuzzed.json \
    --out "$OUT/preflight"
check "pre-flight: the fuzz run of the module's own parser source, built without its bounds check, finds the read past the inputs" \
    json "$OUT/preflight/report.json" "r['verdict']=='fail'
    and [(s['name'],s['content'],s['status']) for s in r['preflight']['steps']]==[('content-parser-fuzz','channel-291','fail')]
    and 'heap-buffer-overflow' in r['preflight']['steps'][0]['detail']
    and 'cl_interp_eval' in r['preflight']['steps'][0]['detail']"
check "pre-flight: no cell booted, each not_run naming the step" json "$OUT/preflight/report.json" \
    "len(r['cells'])==2 and all(c['verdict']=='not_run'
         and c['title']=='not run: pre-flight content-parser-fuzz on channel-291 failed' and c['attempts']==0
         for c in r['cells'])"
check "pre-flight: its reproducer and log kept in the run's directory, the summary says it" bash -c \
    "ls '$OUT'/preflight/preflight/content-parser-fuzz/channel-291/crash-* >/dev/null &&
     grep -q 'AddressSanitizer' '$OUT/preflight/preflight/content-parser-fuzz/channel-291.log' &&
     grep -q 'pre-flight content-parser-fuzz on channel-291: \\*\\*fail' '$OUT/preflight/summary.md' &&
     grep -q 'pre-flight content-parser-fuzz failed' '$OUT/preflight-fuzz.out'"
check "pre-flight: report valid against the schema" python3 tests/checks/schema.py "$OUT/preflight/report.json"
run preflight-shard1 1 qualify --matrix matrix/ci.json --candidate tests/data/candidate/no-bounds-check-fuzzed.json \
    --out "$OUT/pf-s1" --shard 1/2
run preflight-shard2 1 qualify --matrix matrix/ci.json --candidate tests/data/candidate/no-bounds-check-fuzzed.json \
    --out "$OUT/pf-s2" --shard 2/2
run preflight-merge 1 merge "$OUT/pf-s1" "$OUT/pf-s2" --out "$OUT/pf-merged"
merged_fails() {
    json "$OUT/pf-merged/report.json" "r['verdict']=='fail' and r['preflight']['steps'][0]['status']=='fail'" &&
        test -s "$OUT/pf-merged/preflight/content-parser-fuzz/channel-291.log"
}
check "pre-flight: the merged report fails on it too, with its log" merged_fails

[ "$fail" = 0 ]
