#!/bin/bash
# A manifest-v2 candidate judged by its own evidence command's output, on
# matrix/ci.json; a condition its output does not meet fails the cell. Part
# of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# a candidate's own evidence command and its conditions (manifest v2)"
run evidence 0 qualify --matrix matrix/ci.json --candidate tests/data/candidate/evidence-command.json \
    --out "$OUT/evidence"
check "evidence: every condition held on what the command printed in the guest, the content's digest among them" \
    json "$OUT/evidence/report.json" "len(r['cells'])==2 and all(c['verdict']=='pass'
         and 'its evidence held after the workload (4 conditions)' in c['title'] and c['evidence']['command_exit']==0
         and [q['held'] for q in c['evidence']['require']]==[True]*4
         and c['evidence']['values']['content_sha256']==r['candidate']['artifacts'][0]['sha256']
         and int(c['evidence']['values']['matches'])>0 for c in r['cells'])"
# the stricter manifest beside copies of the files its relative paths name
# (../../../sensor/...), so nothing is written into the tree
tree_copy evidence-tree sensor tests/data/candidate/evidence-command.json
strict=$OUT/evidence-tree/tests/data/candidate/evidence-strict.json
sed 's/"matches", "at_least": 1 }/"matches", "at_least": 100000000 }/' tests/data/candidate/evidence-command.json \
    > "$strict"
run evidence-strict 1 reproduce --kernel 6.1.0-56-amd64 --candidate "$strict" --out "$OUT/evidence-strict"
check "evidence: a condition the output does not meet fails the cell, naming the key, its value and the bound" \
    json "$OUT/evidence-strict/report.json" "c['verdict']=='workload_failed'
         and c['title'].startswith('evidence matches is ') and c['title'].endswith(', needs at least 100000000')
         and c['evidence']['require'][3]['held'] is False"
check "evidence: reports valid against the schema, the conditions in the HTML" \
    bash -c "python3 tests/checks/schema.py '$OUT/evidence/report.json' '$OUT/evidence-strict/report.json' &&
             grep -q 'matches = [0-9]* NOT held' '$OUT/evidence-strict/report.html'"

[ "$fail" = 0 ]
