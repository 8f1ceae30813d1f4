#!/bin/bash
# --mutants: malformed content derived from the published file, each
# installed as the real content is and refused or survived; without the
# bounds check the field-21 mutant crashes and is named; in snapshot cells
# over the agent's channel; refused in a disk cell. Part of
# tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# malformed content (--mutants): each refused or survived; the 21st-field case caught"
ONE=tests/data/matrix/one-6.1.json
run mutants-good 0 qualify --matrix "$ONE" --candidate sensor/candidate.json --mutants all --out "$OUT/mut"
check "--mutants all, bounds check on: every mutant refused or survived (field-past-inputs refused), then the real content again" \
    json "$OUT/mut/report.json" "c['verdict']=='pass' and len(c['mutants'])>=40
         and all(m['outcome'] in ('refused','survived') for m in c['mutants'])
         and [m['outcome'] for m in c['mutants'] if m['name']=='channel-291.field-past-inputs']==['refused']
         and c['mutant'] is None and c['loaded_content_sha256']==r['candidate']['artifacts'][0]['sha256']"
check "each mutant is kept in the run's directory with the digest the report gives, and each was installed in the guest" \
    python3 tests/checks/mutants.py kept "$OUT/mut"
run nobounds 0 qualify --matrix "$ONE" --candidate sensor/candidate-no-bounds-check.json --out "$OUT/nb"
run mutants-nobounds 1 qualify --matrix "$ONE" --candidate sensor/candidate-no-bounds-check.json \
    --mutants all --out "$OUT/mutnb"
check "without the bounds check the workload passes, and the field-21 mutant crashes the interpreter, named in the report" \
    json "$OUT/mutnb/report.json" "c['verdict']=='crash' and c['frame']=='cl_interp_eval' and c['module']=='clsensor'
         and c['mutant']=='channel-291.field-past-inputs' and c['title'].endswith('[mutant channel-291.field-past-inputs]')
         and [m['outcome'] for m in c['mutants'][:3]]==['refused','refused','crash']
         and all(m['outcome']=='not_run' for m in c['mutants'][3:])"
run mutants-snapshot 0 qualify --matrix tests/data/matrix/snapshot.json --candidate sensor/candidate.json \
    --mutants 6 --out "$OUT/mutsnap"
check "--mutants 6 in snapshot cells: delivered over the agent channel, six mutants each, all refused or survived" \
    python3 tests/checks/mutants.py snapshot "$OUT/mutsnap" 6
run mutants-disk 2 qualify --matrix tests/data/matrix/disk-6.1.json --candidate sensor/candidate.json \
    --scenario scenarios/persistent.json --mutants 3 --out "$OUT/x"
check "--mutants in a disk cell: one line, before anything boots" one_line mutants-disk "cell disk-6.1: --mutants needs a kind"
run mutants-zero 2 qualify --matrix "$ONE" --candidate sensor/candidate.json --mutants 0 --out "$OUT/x"

[ "$fail" = 0 ]
