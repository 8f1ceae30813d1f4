#!/bin/bash
# The good candidate under other scenarios on matrix/ci.json: every IPC kind
# with workers, a rate and a duration (scenarios/ipc-storm.json), with
# exactly the events the sensor saw; the hardened scenario's per-config
# memory-debugging options; a live content update, applied and refused. Part
# of tests/integration.sh; the storm run, signed with qualify.sh's key and
# its pre-flight skipped, is one the gate must refuse.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
needs qualify k.key

echo "# every IPC kind, with workers, a rate and a duration (scenarios/ipc-storm.json)"
run storm 0 qualify --matrix matrix/ci.json --candidate sensor/candidate.json --scenario scenarios/ipc-storm.json \
    --out "$OUT/storm" --skip-preflight --sign-key "$OUT/k.key"
check "storm: each step reported with what it made, no errors, and the workers asked for" json "$OUT/storm/report.json" \
    "len(r['cells'])==2 and all([(w['step'],w['op'],w['errors'],w['workers']) for w in c['workload']]==
         [(1,'fifo',0,4),(2,'dgram',0,4),(3,'unix',0,8),(4,'pipe',0,2),(5,'socketpair',0,2),(6,'spawn',0,2),(7,'fifo',0,2)]
         for c in r['cells'])"
check "storm: the sensor saw exactly the FIFOs, connects and short-lived datagram clients made, and no pipe or socketpair" \
    json "$OUT/storm/report.json" "len(r['cells'])==2 and all((lambda s: s[0]['generated']==32
         and s[0]['counters_moved']['events_fifo_create']==32 and s[0]['counters_moved']['events_fifo_open']==64
         and s[1]['generated']==16+64 and s[1]['counters_moved']['events_unix_connect']==64
         and s[2]['counters_moved']['events_unix_connect']==s[2]['generated']==32
         and all(v==0 for w in s[3:5] for v in w['counters_moved'].values()) and s[3]['messages']==256
         and s[5]['generated']==16 and s[5]['counters_moved']['events_fifo_create']==8
         and s[5]['counters_moved']['events_unix_connect']==8)(c['workload']) for c in r['cells'])"
check "storm: the paced step went round for its 3 seconds, its rule matched every FIFO" json "$OUT/storm/report.json" \
    "len(r['cells'])==2 and all(c['workload'][6]['seconds']>=3 and c['workload'][6]['generated']>=16
         and c['workload'][6]['generated']%4==0
         and c['workload'][6]['counters_moved']['matches']==c['workload'][6]['generated'] for c in r['cells'])"
check "storm: report valid against the schema, each step in the HTML" \
    bash -c "python3 tests/checks/schema.py '$OUT/storm/report.json' && grep -q 'step 6: spawn' '$OUT/storm/report.html'"

echo "# the hardened scenario: memory-debugging options where each kernel has them"
run hardened 0 qualify --matrix matrix/ci.json --candidate sensor/candidate.json --scenario scenarios/hardened.json \
    --out "$OUT/hardened"
check "hardened: the good candidate passes; 6.1 boots with SLUB debugging and page poisoning, 6.12 with KFENCE too" \
    json "$OUT/hardened/report.json" "len(r['cells'])==2 and all(c['verdict']=='pass'
         and 'init_on_free=1 panic_on_taint=0x20 slub_debug=FZPU page_poison=1' in c['kernel_cmdline']
         and (('kfence.sample_interval=10' in c['kernel_cmdline']) == c['kernel_release'].startswith('6.12'))
         for c in r['cells'])"

echo "# live content update: new content loaded while the sensor runs, no reboot"
run live-update 0 qualify --matrix matrix/ci.json --candidate sensor/candidate-live-update.json \
    --scenario scenarios/live-update.json --out "$OUT/live"
check "live update: every cell reported v32, then v33, later, in the same boot" json "$OUT/live/report.json" \
    "len(r['cells'])==2 and all([h['content'] for h in x['content_history']]==['channel-291-v32','channel-291-v33']
         and x['content_history'][1]['from_s'] > x['content_history'][0]['from_s']
         and x['verdict']=='pass' and x['boots']==1 for x in r['cells'])"
run live-update-refused 1 qualify --matrix tests/data/matrix/one-6.1.json \
    --candidate tests/data/candidate/live-update-refused.json --scenario scenarios/live-update.json --out "$OUT/liveref"
check "live update the sensor refuses: install_failed, never pass" json "$OUT/liveref/report.json" \
    "c['verdict']=='install_failed' and c['title'].startswith('live content update not applied')"

[ "$fail" = 0 ]
