#!/bin/bash
# Memory across runs, on real runs of matrix/smoke.json: two qualifications
# of the good candidate and two of CF291, recorded in an SQLite file and
# then, the same sequence, in a PostgreSQL server of the test's own
# (tests/lib/pg.sh): the runs, the crash group new then known, --baseline
# last-pass naming every cell a regression, a baseline that cannot be had
# refused before any VM, the signed report's regressions refused by the
# gate; a run exported as KCIDB data; where a crash begins, by bisect.
# Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
. tests/lib/pg.sh

M=matrix/smoke.json
CF=sensor/candidate-cf291.json
GOOD=sensor/candidate.json

# sequence TAG DB: the four runs and what the history says of them
sequence() {
    local t=$1 db=$2
    run "h-$t-good1" 0 qualify --matrix $M --candidate $GOOD --db "$db" --out "$OUT/h-$t-good1"
    run "h-$t-good2" 0 qualify --matrix $M --candidate $GOOD --db "$db" --baseline last-pass \
        --out "$OUT/h-$t-good2"
    check "history ($t): the second good run against the first: no regression, no fix" \
        json "$OUT/h-$t-good2/report.json" "r['baseline']['run']==1 and r['baseline']['regressions']==[]
             and r['baseline']['fixes']==[] and r['baseline']['new_cells']==[]"
    run "h-$t-cf1" 1 qualify --matrix $M --candidate $CF --db "$db" --out "$OUT/h-$t-cf1"
    check "history ($t): the three runs, newest first, two passing and one failing" \
        bash -c "'$CL' history --db '$db' --json > '$OUT/h-$t.json' &&
                 python3 -c \"import json; r=json.load(open('$OUT/h-$t.json'))
assert [x['run'] for x in r]==[3,2,1] and [x['verdict'] for x in r]==['fail','pass','pass'], r
assert r[0]['candidate']=='crashlab-reference-sensor' and r[0]['cells']==4 and r[0]['passed']==0, r\""
    check "history ($t): the CF291 run's crash group is new, said on stderr and in its report" \
        bash -c "grep -q '^crashlab: new crash: .*cl_interp_eval' '$OUT/h-$t-cf1.err' &&
                 python3 -c \"import json; h=json.load(open('$OUT/h-$t-cf1/report.json'))['history']
assert h['recorded'] and h['run']==3 and [g['status'] for g in h['groups']]==['new'], h\""
    run "h-$t-cf2" 1 qualify --matrix $M --candidate $CF --db "$db" --baseline last-pass \
        --out "$OUT/h-$t-cf2"
    check "history ($t): run again, the crash group is known since run 3" \
        bash -c "grep -q '^crashlab: known crash: .*cl_interp_eval.*first seen in run 3' '$OUT/h-$t-cf2.err' &&
                 python3 -c \"import json; h=json.load(open('$OUT/h-$t-cf2/report.json'))['history']
assert [(g['status'], g['first_run']) for g in h['groups']]==[('known', 3)], h\""
    check "history ($t): --baseline last-pass is run 2, and every cell is a regression" \
        json "$OUT/h-$t-cf2/report.json" "r['baseline']['run']==2 and
             sorted(x['cell'] for x in r['baseline']['regressions'])==sorted(c['id'] for c in r['cells'])
             and len(r['baseline']['regressions'])==4 and len(r['baseline']['new_titles'])==1"
    check "history ($t): crashes lists the group once, seen in runs 3 and 4 on four kernels" \
        bash -c "'$CL' crashes --db '$db' --json > '$OUT/h-$t-crashes.json' &&
                 python3 -c \"import json; g=json.load(open('$OUT/h-$t-crashes.json'))
assert len(g)==1 and g[0]['runs']==2 and g[0]['first_run']==3 and g[0]['last_run']==4, g
assert len(g[0]['kernels'])==4 and 'cl_interp_eval' in g[0]['title'], g\""
    title=$(python3 -c "import json; print(json.load(open('$OUT/h-$t-crashes.json'))[0]['title'])")
    check "history ($t): first bad and last good of the crash: the CF291 content after the good one" \
        bash -c "'$CL' crashes --db '$db' --title '$title' | grep -qx 'candidate_version: first bad 1.0.0-cf291, last good 1.0.0'"
    check "history ($t): the reports with their history are valid against the schema" \
        python3 tests/checks/schema.py "$OUT/h-$t-cf1/report.json" "$OUT/h-$t-cf2/report.json"
}

echo "# history: runs recorded in SQLite and in PostgreSQL, new and known crashes, a baseline"
sequence sqlite "$OUT/history-test.db"
PGD=$(mktemp -d /tmp/crashlab-it-pg.XXXXXX)
if url=$(pg_start "$PGD"); then
    sequence postgresql "$url"
else
    bad "history: a PostgreSQL server of the test's own did not start"
fi
pg_stop "$PGD"

# the history page as a person sees it: headless Chromium's DOM of it
run h-page 0 history --db "$OUT/history-test.db" --html "$OUT/history.html"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --dump-dom "file://$(realpath "$OUT/history.html")" >"$OUT/history.dom" 2>/dev/null
check "history --html: in Chromium, 4 runs by the 4 cells of smoke, runs 3-4 crashed and the group listed" \
    python3 - "$OUT/history.dom" <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s): super().__init__(); s.rows = []; s.grid = False; s.td = None; s.groups = 0
    def handle_starttag(s, t, a):
        a = dict(a)
        if t == 'table': s.grid = a.get('class') == 'grid'; s.groups += a.get('class') == 'groups'
        if s.grid and t == 'tr': s.rows.append([])
        if s.grid and t in ('td', 'th'): s.td = a.get('class') or t
    def handle_data(s, d):
        if s.grid and s.td and s.rows: s.rows[-1].append((s.td, d.strip())); s.td = None
p = P(); p.feed(open(sys.argv[1]).read())
head, body = p.rows[0], p.rows[1:]
assert [d for _, d in head] == ['cell', 'run 1', 'run 2', 'run 3', 'run 4'], head
assert len(body) == 4, body
assert all([c for c, _ in r[1:]] == ['v-pass', 'v-pass', 'v-crash', 'v-crash'] for r in body), body
assert p.groups == 1
PY

# KernelCI: a CF291 run and a good run as KCIDB data, held to KCIDB 5.3's
# rules (tests/checks/kcidb.py: crashlab's statement of them; kcidb-io's own
# validator needs pip, which has no network here)
for d in h-sqlite-cf1 h-sqlite-good1; do
    run "$d-kcidb" 0 export --kcidb "$OUT/$d" --out "$OUT/$d.kcidb.json"
done
check "export --kcidb: both runs are valid KCIDB 5.3 data" \
    python3 tests/checks/kcidb.py "$OUT/h-sqlite-cf1.kcidb.json" "$OUT/h-sqlite-good1.kcidb.json"
check "export --kcidb: CF291 as 4 FAIL tests on 4 kernel builds, one issue (the candidate's code) met 4 times; the good run 4 PASS, no issue" \
    python3 -c "import json; k=json.load(open('$OUT/h-sqlite-cf1.kcidb.json')); g=json.load(open('$OUT/h-sqlite-good1.kcidb.json'))
assert k['version']=={'major': 5, 'minor': 3} and len(k['checkouts'])==1 and len(k['builds'])==4, k['builds']
assert [t['status'] for t in k['tests']]==['FAIL']*4 and all('cl_interp_eval' in t['comment'] for t in k['tests']), k['tests']
assert all('BUG: unable to handle page fault' in t['log_excerpt'] and t['log_url'].startswith('file:///') for t in k['tests'])
assert len(k['issues'])==1 and k['issues'][0]['culprit']['code'] and len(k['incidents'])==4, k['issues']
assert [t['status'] for t in g['tests']]==['PASS']*4 and g['issues']==[] and g['incidents']==[], g['tests']
assert k['checkouts'][0]['git_commit_name']=='1.0.0-cf291' and k['checkouts'][0]['id']!=g['checkouts'][0]['id']"
sed 's/"FAIL"/"CRASH"/' "$OUT/h-sqlite-cf1.kcidb.json" >"$OUT/h-kcidb-broken.json"
check "export --kcidb: the check refuses what KCIDB would (a status it does not have)" \
    bash -c "! python3 tests/checks/kcidb.py '$OUT/h-kcidb-broken.json' >/dev/null"
run h-kcidb-origin 2 export --kcidb "$OUT/h-sqlite-cf1" --origin Not-An-Origin
check "export --kcidb: an origin KCIDB would refuse: exit 2, one line" \
    one_line h-kcidb-origin 'a KCIDB origin is'

# a field crash matched: a CF291 console copied out of a report, matched
# against that report and against the history; its reproduce line run
cp "$(ls "$OUT"/h-sqlite-cf1/cells/*/console.log | head -n1)" "$OUT/field-console.log"
for w in "$OUT/h-sqlite-cf1" "$OUT/history-test.db"; do
    check "triage --match $(basename "$w"): the console's crash group, its cells and a reproduce line" \
        bash -c "'$CL' triage '$OUT/field-console.log' --match '$w' > '$OUT/h-match.json' &&
                 python3 -c \"import json; m=json.load(open('$OUT/h-match.json'))['match']
assert 'cl_interp_eval' in m['group'] and len(m['cells']) >= 3, m
assert m['reproduce'].startswith('crashlab reproduce --kernel 6.1') and 'candidate-cf291.json' in m['reproduce'], m\""
done
line=$(python3 -c "import json; print(json.load(open('$OUT/h-match.json'))['match']['reproduce'])")
# shellcheck disable=SC2086 # the printed line, split into its words as a shell would
run h-repro 1 ${line#crashlab } --out "$OUT/h-repro"
check "triage --match: the printed reproduce line reproduces the crash, same title" \
    json "$OUT/h-repro/report.json" "c['verdict']=='crash' and 'cl_interp_eval' in c['title']"
check "triage --match: a console with no crash matches nothing" \
    bash -c "'$CL' triage '$OUT/h-sqlite-good1/cells/deb12-6.1-n/console.log' --match '$OUT/h-sqlite-cf1' |
             python3 -c 'import json,sys; assert json.load(sys.stdin)[\"match\"] is None'"

# flaky or real: a guest step that fails at random (fixed seed): the first
# run fails, its two reruns pass; the cell keeps its failing verdict
run h-flaky 1 qualify --matrix tests/data/matrix/one-6.1.json --candidate $GOOD \
    --scenario tests/data/scenario/flaky.json --reruns 2 --db "$OUT/history-test.db" --out "$OUT/h-flaky"
check "--reruns 2 on a flaky guest: the cell fails, reproduced 1/3, its reruns passed" \
    json "$OUT/h-flaky/report.json" "c['verdict']=='workload_failed' and c['reproduced']=={'failed': 1,
         'runs': 3, 'reruns': ['pass', 'pass']} and r['verdict']=='fail'"
check "--reruns: history --flaky lists the cell, 1 of 3" \
    bash -c "'$CL' history --db '$OUT/history-test.db' --flaky --json |
             python3 -c 'import json,sys; f=[x for x in json.load(sys.stdin) if x.get(\"reproduced\")]
assert [(x[\"cell\"], x[\"reproduced\"]) for x in f]==[(\"deb12-6.1-n\", \"1/3\")], f'"
check "--reruns: the report with its reruns is valid against the schema" \
    python3 tests/checks/schema.py "$OUT/h-flaky/report.json"

# bisect: a crash that begins at one patch level (the 21st-field instances
# read the field only on 6.1.0-56 and 6.12 kernels). The history holds it
# on the 6.12 backport; bisect runs smoke's amd64 kernels below it, middle
# first (the cloud kernel is another flavour: never run)
BIS=tests/data/candidate/cf291-kernel-specific.json
BT='BUG: unable to handle page fault in cl_interp_eval'
run h-bis-seed 1 reproduce --kernel 6.12.117+deb12-amd64 --candidate $BIS --db "$OUT/h-bisect.db" \
    --out "$OUT/h-bis-seed"
run h-bisect 1 bisect --title "$BT" --candidate $BIS --db "$OUT/h-bisect.db" --out "$OUT/h-bisect"
check "bisect: 6.1.0-56-amd64 run and bad; 6.1.0-55, where the instance's field-21 criterion is never reached, failed coverage: not judged, never good" \
    python3 -c "import json; b=json.load(open('$OUT/h-bisect/bisect.json'))
assert [(s['kernel'], s['answer']) for s in b['steps']]==[('6.1.0-56-amd64', 'bad'), ('6.1.0-55-amd64', 'other')], b
assert b['steps'][1]['verdict']=='workload_failed' and 'never evaluated' in b['steps'][1]['title'], b
assert b['first_bad']=='6.1.0-56-amd64' and b['last_good'] is None and b['not_judged']==['6.1.0-55-amd64'], b
assert b['flavor']=='amd64' and 'cloud' not in str(b['steps']), b
assert b['complete'] and b['runs']==2, b"
check "bisect: its answer on stdout, and each step's run recorded in the history (3 runs)" \
    bash -c "grep -qx 'edge: first bad 6.1.0-56-amd64, last good - (none in the matrix below it), kernels between not judged, in 2 runs of cells' '$OUT/h-bisect.out' &&
             '$CL' history --db '$OUT/h-bisect.db' --json | python3 -c 'import json,sys; r=json.load(sys.stdin)
assert [x[\"verdict\"] for x in r]==[\"fail\", \"fail\", \"fail\"], r'"
run h-bis-unknown 2 bisect --title 'no such crash' --candidate $BIS --db "$OUT/h-bisect.db" \
    --out "$OUT/h-bis-unknown"
check "bisect: a crash the history never met for this candidate: exit 2, one line" \
    one_line h-bis-unknown 'never met "no such crash" in the history'
run h-bis-image 2 bisect --title "$BT" --candidate $BIS --db "$OUT/h-bisect.db" --image floppy \
    --out "$OUT/h-bis-image"
check "bisect: an image kind no step could boot: exit 2, one line, before any run" \
    bash -c "grep -q 'floppy' '$OUT/h-bis-image.err' && [ \$(wc -l < '$OUT/h-bis-image.err') = 1 ] &&
             [ ! -e '$OUT/h-bis-image/steps' ]"

# two qualifications at once on one SQLite file: both recorded, no lock error
start h-two-a -- qualify --matrix tests/data/matrix/one-6.1.json --candidate $GOOD \
    --db "$OUT/h-two.db" --out "$OUT/h-two-a"
a=$PID
start h-two-b -- qualify --matrix tests/data/matrix/one-6.1.json --candidate $GOOD \
    --db "$OUT/h-two.db" --out "$OUT/h-two-b"
wait "$a" "$PID"
finish h-two-a 0
finish h-two-b 0
check "two qualifies at once on one SQLite file: no history error on either" \
    bash -c "! grep -h 'history not recorded' '$OUT/h-two-a.err' '$OUT/h-two-b.err'"
check "two qualifies at once on one SQLite file: both recorded" \
    bash -c "'$CL' history --db '$OUT/h-two.db' --json | python3 -c 'import json,sys; assert len(json.load(sys.stdin))==2'"

run h-nobase 2 qualify --matrix $M --candidate $GOOD --db "$OUT/h-empty.db" --baseline last-pass \
    --out "$OUT/h-nobase"
check "history: a baseline the history does not have: exit 2, one line naming the database" \
    one_line h-nobase 'h-empty.db has no such run'
check "history: ... and no VM was booted for it" test ! -e "$OUT/h-nobase/report.json"

# the gate: --no-regressions takes the good run compared with its baseline,
# and refuses the one that was compared with none
"$CL" keygen --out "$OUT/h-key" >/dev/null 2>&1
for d in h-sqlite-good1 h-sqlite-good2; do "$CL" sign "$OUT/$d" --key "$OUT/h-key.key" >/dev/null 2>&1; done
run h-gate-ok 0 gate --attestation "$OUT/h-sqlite-good2/attestation.json" --pubkey "$OUT/h-key.pub" \
    --candidate $GOOD --matrix $M --no-regressions
run h-gate-nobase 1 gate --attestation "$OUT/h-sqlite-good1/attestation.json" --pubkey "$OUT/h-key.pub" \
    --candidate $GOOD --matrix $M --no-regressions
check "history: gate --no-regressions refuses a signed report compared with no baseline" \
    grep -q 'has no baseline' "$OUT/h-gate-nobase.err"

[ "$fail" = 0 ]
