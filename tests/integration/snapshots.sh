#!/bin/bash
# Snapshot cells (6.1 and 6.12): each kernel booted once to the agent's wait,
# saved, restored per cell; the candidate delivered over the agent's virtio
# port and checked by digest; good -> pass, CF291 -> crash; a damaged saved
# state is saved again, never restored. Starts from no saved state (removes
# the cache's). Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# snapshot cells: each kernel booted once to the agent's wait, saved, restored per cell"
SNAP=tests/data/matrix/snapshot.json
SNAPS=${CRASHLAB_CACHE:-.cache}/snapshots
rm -rf "$SNAPS" # the first run builds them
run snap-first 0 qualify --matrix "$SNAP" --candidate sensor/candidate.json --out "$OUT/snap1"
check "snapshot first run: every cell pass, started from a snapshot this run saved" json "$OUT/snap1/report.json" \
    "len(r['cells'])==2 and all(x['verdict']=='pass' and x['started_from']=='snapshot'
         and x['snapshot']['built_by_this_run'] for x in r['cells'])"
run snap-again 0 qualify --matrix "$SNAP" --candidate sensor/candidate.json --out "$OUT/snap2"
check "snapshot second run: the same saved states restored, no kernel booted" \
    python3 tests/checks/snapshots.py restored "$OUT/snap1" "$OUT/snap2"
check "the restored guest received the exact module and content bytes (its own SHA-256)" \
    python3 tests/checks/snapshots.py delivered "$OUT/snap2"
run snap-cf291 1 qualify --matrix "$SNAP" --candidate sensor/candidate-cf291.json --out "$OUT/snap-cf"
check "snapshot cf291: every cell crash in the interpreter, blaming clsensor" json "$OUT/snap-cf/report.json" \
    "len(r['cells'])==2 and all(x['verdict']=='crash' and 'cl_interp_eval' in x['title'] and x['module']=='clsensor'
         for x in r['cells'])"
# one byte of a saved state changed: its digest no longer matches, so it is saved again, never restored
check "the 6.1 saved state the runs restored (by its recorded digest) damaged: one byte flipped" \
    python3 tests/checks/snapshots.py damage "$SNAPS" 6.1.0-56-amd64 "$OUT/snap2"
run snap-damaged 0 qualify --matrix "$SNAP" --candidate sensor/candidate.json --out "$OUT/snap3"
check "a damaged snapshot is saved again (digest checked before each restore), the other reused" \
    json "$OUT/snap3/report.json" \
    "[x['snapshot']['built_by_this_run'] for x in r['cells']]==[True, False] and all(x['verdict']=='pass' for x in r['cells'])"
check "the damaged state was not restored: 6.1 has a new digest, 6.12 the one the earlier runs restored" \
    json "$OUT/snap3/report.json" "(lambda b: r['cells'][0]['snapshot']['sha256']!=b[0]['snapshot']['sha256']
         and r['cells'][1]['snapshot']['sha256']==b[1]['snapshot']['sha256'])(json.load(open('$OUT/snap2/report.json'))['cells'])"
check "snapshot runs leave no domain and no build directory" bash -c \
    "$(declare -f count_domains no_domains); no_domains crashlab-snap- &&
     test -z \"\$(find /tmp -maxdepth 1 -name 'crashlab-snap-*')\""

[ "$fail" = 0 ]
