#!/bin/bash
# --mutants: malformed content derived from the published file, each
# installed as the real content is and refused or survived; without the
# bounds check the field-21 mutant crashes and is named; in snapshot cells
# over the agent's channel; refused in a disk cell. crashlab minimize cuts
# CF291's content to the one criterion the crash needs, from snapshots.
# Part of tests/integration.sh.
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

echo "# crashlab minimize: CF291's content cut to what the crash needs, each try the cell from its snapshot"
# minjson FILE PYTHON-EXPR: the expression over minimize.json (r)
minjson() { python3 -c "import json, sys; r = json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; }
run minimize 0 minimize --candidate sensor/candidate-cf291.json --matrix "$ONE" --cell deb12-6.1-n \
    --out "$OUT/min"
check "minimize (CF291): one instance, one criterion: the 21st field's, and the crash is the original's" \
    minjson "$OUT/min/minimize.json" "r['complete'] and r['verdict']=='crash' and r['title'].endswith(' in cl_interp_eval')
         and [(i['index'], [c['what'] for c in i['criteria']]) for i in r['minimal']]
             == [(3, ['criterion 3 of instance 3: field 21 glob \"*\"'])]
         and r['original']=={'instances': 3, 'criteria': 7}"
# every try is a real run: the first of the content as published, the last
# that kept anything the minimal content itself, crashing the same way
check "minimize (CF291): fewer runs than instances x criteria (21), each try a run whose report says so" \
    minjson "$OUT/min/minimize.json" "r['runs']==len(r['trials'])<3*7 and r['trials'][0]['answer']=='same'
         and [t for t in r['trials'] if t['answer']=='same'][-1]['criteria']==1
         and all(t['answer'] in ('same','different') for t in r['trials'])"
check "minimize (CF291): minimal.bin is what the last kept try ran, from its snapshot, and that run names exactly those bytes" \
    python3 -c "
import hashlib, json, sys
r = json.load(open('$OUT/min/minimize.json'))
last = [i for i, t in enumerate(r['trials']) if t['answer'] == 'same'][-1]
b = open('$OUT/min/minimal.bin', 'rb').read()
sys.exit(0 if b == open('$OUT/min/trials/%d/content.bin' % last, 'rb').read()
         and json.load(open('$OUT/min/trials/%d/report.json' % last))['cells'][0]['image'] == 'snapshot'
         and any(a['sha256'] == hashlib.sha256(b).hexdigest()
                 for a in json.load(open('$OUT/min/trials/%d/report.json' % last))['candidate']['artifacts'])
         else 1)"
check "minimize: the stdout names the instance and the criterion" \
    grep -q 'criterion 3 of instance 3: field 21 glob "\*"' "$OUT/minimize.out"
run minimize-good 1 minimize --candidate sensor/candidate.json --matrix "$ONE" --cell deb12-6.1-n \
    --out "$OUT/min-good"
check "minimize of content that does not crash: exit 1 after one run, said" \
    grep -q "does not fail cell deb12-6.1-n: nothing to minimize" "$OUT/minimize-good.err"
run minimize-nocell 2 minimize --candidate sensor/candidate-cf291.json --matrix "$ONE" --cell nope --out "$OUT/x"
check "minimize of a cell the matrix lacks: one line, before any run" one_line minimize-nocell "one-6.1.json: no cell nope"

[ "$fail" = 0 ]
