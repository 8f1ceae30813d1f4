#!/bin/bash
# Ctrl-C mid-run on matrix/ci.json: exit 2, the unfinished cells not_run and
# none blamed on the candidate, no domain and no scratch directory left
# behind. Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# Ctrl-C leaves nothing behind"
"$CL" qualify --matrix matrix/ci.json --candidate sensor/candidate.json --out "$OUT/int" \
    >"$OUT/int.out" 2>"$OUT/int.err" &
pid=$!
for _ in $(seq 1 300); do grep -q "qualifying" "$OUT/int.err" 2>/dev/null && break; sleep 0.1; done
sleep 2
# the signal must find a domain of the run: otherwise "nothing left" proves nothing
ran=0
for _ in $(seq 1 600); do
    virsh -q -c qemu:///system list --name 2>/dev/null | grep -q "^crashlab-$pid-" && { ran=1; break; }
    sleep 0.1
done
kill -INT $pid
wait $pid; rc=$?
check "interrupted run exits 2 (not a pass)" test "$rc" = 2
check "Ctrl-C came while a domain of the run ran, and the run says it stopped on the signal" \
    bash -c "[ $ran = 1 ] && grep -q 'crashlab: stopped by a signal; unfinished cells are not_run' '$OUT/int.err'"
check "no crashlab domain left" no_domains "crashlab-$pid-"
check "no scratch directory left" test -z "$(scratch_new "$OUT/scratch.start")"
check "interrupted cells are not_run (one stopped after it started), none blamed on the candidate" \
    json "$OUT/int/report.json" "r['verdict']=='error' and len(r['cells'])==2
         and any(c['verdict']=='not_run' and c['attempts']>=1 and c['title']=='not run: stopped before the cell finished'
                 for c in r['cells'])
         and all(c['verdict'] in ('not_run','pass') for c in r['cells'])"

[ "$fail" = 0 ]
