#!/bin/bash
# Every snapshot of a matrix saved again and again, each restored: the proof
# that a saved guest comes back with its console. Each round removes the
# matrix's snapshots from the cache and qualifies the good candidate on it,
# so every kernel is booted to the agent's wait, quiesced, saved, proven by a
# test restore (its agent answers a PROBE on its channel and on the console)
# and then restored by its cell. Counted over all rounds:
#   - snapshots saved, and how many failed their test restore and were saved
#     again (the build log says why);
#   - saved states with a serial port in flight ("serial/tsr": restored dead);
#   - saved states without the zero pages of the guest's RAM (every one:
#     each is proven with the pages left out);
#   - cells that passed with a non-empty console.log.
# usage: tests/snapshot-proof.sh [ROUNDS] [MATRIX]   (make snapshot-proof: 3 rounds of debian12)
set -u
cd "$(dirname "$0")/.."
CL=${CL:-build/crashlab}
ROUNDS=${1:-3}
MATRIX=${2:-matrix/debian12.json}
SNAPS=${CRASHLAB_CACHE:-.cache}/snapshots
W=$(mktemp -d /tmp/crashlab-snapproof.XXXXXX)
trap 'rm -rf "$W"' EXIT
kernels=$(python3 -c "import json; print(' '.join(sorted({c['kernel'] for c in json.load(open('$MATRIX'))['cells']})))")
saved=0 resaved=0 inflight=0 sparse=0 cells=0 good=0
for ((i = 1; i <= ROUNDS; i++)); do
    for k in $kernels; do rm -rf "$SNAPS/$k"-????????????????; done
    t0=$(date +%s)
    "$CL" qualify --matrix "$MATRIX" --candidate sensor/candidate.json --jobs auto --out "$W/out" \
        >"$W/run.out" 2>"$W/run.err"
    rc=$?
    read -r s r f z <<<"$(for k in $kernels; do
        d=$(ls -d "$SNAPS/$k"-???????????????? 2>/dev/null | head -1)
        [ -n "$d" ] || continue
        again=$(grep -c 'saving it again' "$d/build.log" 2>/dev/null)
        tsr=$(grep -c 'serial/tsr' "$d/state.save" 2>/dev/null)
        zero=$(grep -c 'are zero and left out' "$d/build.log" 2>/dev/null)
        echo "1 ${again:-0} ${tsr:-0} ${zero:-0}"
    done | awk '{ s += $1; r += $2; f += ($3 > 0); z += ($4 > 0) } END { print s + 0, r + 0, f + 0, z + 0 }')"
    read -r n p <<<"$(python3 - "$W/out" <<'PY' 2>/dev/null || echo "0 0"
import json, os, sys
d = sys.argv[1]
r = json.load(open(d + '/report.json'))
ok = [c for c in r['cells'] if c['verdict'] == 'pass' and c['started_from'] == 'snapshot'
      and c.get('console') and os.path.getsize(os.path.join(d, c['console'])) > 0]
print(len(r['cells']), len(ok))
PY
)"
    saved=$((saved + s)) resaved=$((resaved + r)) inflight=$((inflight + f)) sparse=$((sparse + z))
    cells=$((cells + n)) good=$((good + p))
    printf 'round %d: exit %d in %ds; %d snapshots saved (%d saved again after a failed test restore, %d without their zero pages), %d cached with a serial port in flight; %d/%d cells passed from a snapshot with a console\n' \
        $i $rc $(( $(date +%s) - t0 )) "$s" "$r" "$z" "$f" "$p" "$n"
    grep -h 'saving it again\|test restore failed' "$SNAPS"/*/build.log 2>/dev/null | sort | uniq -c | head -5
done
echo
echo "snapshot-proof: $saved snapshots saved and proven by a test restore ($resaved saved again, $sparse without their zero pages), $inflight cached with a serial port in flight; cells $good/$cells passed from their snapshot with a console"
[ "$saved" -gt 0 ] && [ "$inflight" = 0 ] && [ "$sparse" = "$saved" ] && [ "$good" = "$cells" ] && [ "$cells" -gt 0 ]
