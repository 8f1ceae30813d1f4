#!/bin/bash
# A sensor of user space and BPF (sensor/candidate-bpf*.json: the reference
# sensor's CO-RE programs and their static loader, no kernel module) on
# snapshot cells of 6.1 and 6.12: the good build passes with every program
# attached and run, its cost per event and verifier figures in the report;
# the unbounded interpreter is refused by the verifier (install_failed,
# naming the program and the verifier's reason); the build that needs
# open-coded iterators loads on 6.12 only; the loader that skips an attach
# is degraded. Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
M=tests/data/matrix/snapshot.json

echo "# BPF sensors: programs the kernel lists, the verifier's word, degraded"
run bpf-good 0 qualify --matrix $M --candidate sensor/candidate-bpf.json --out "$OUT/bpf-good"
check "bpf: both kernels pass, every program loaded, of its type, attached (where: 6.12 says, 6.1 does not) and run, with its cost and verifier figures" \
    json "$OUT/bpf-good/report.json" "len(r['cells'])==2 and all(c['verdict']=='pass'
         and c['bpf']['btf'] and c['bpf']['stats_enabled'] and len(c['bpf']['programs'])==3
         and all(p['loaded'] and p['attached'] and p['type']=='tracepoint'
                 and p['link_type']=='perf_event' and p['run_cnt']>0
                 and (p['expected_attach'] in p['attach_targets'] if c['kernel_release'].startswith('6.12')
                      else p['attach_targets']==[])
                 and p['ns_per_event']>0 and 0<p['verified_insns']<p['insns_limit']
                 for p in c['bpf']['programs'])
         and all(m['created'] for m in c['bpf']['maps'])
         and c['evidence']['values']['content_sha256']==[a['sha256'] for a in r['candidate']['artifacts'] if a['kind']=='content'][0]
         for c in r['cells'])"
check "bpf: the HTML shows each program's cost per event" \
    grep -q "cl_fifo_create.*ns per event" "$OUT/bpf-good/report.html"

run bpf-unbounded 1 qualify --matrix $M --candidate sensor/candidate-bpf-unbounded.json \
    --out "$OUT/bpf-unbounded"
check "bpf: the unbounded interpreter is refused by the verifier on both kernels, the program and the reason named" \
    json "$OUT/bpf-unbounded/report.json" "len(r['cells'])==2 and all(c['verdict']=='install_failed'
         and c['title'].startswith('bpf program ') and ' refused: ' in c['title']
         and c['bpf']['start_failure']['program'] in c['title']
         and any('-- END PROG LOAD LOG --' in l for l in c['bpf']['start_log'])
         for c in r['cells'])"

run bpf-newer 1 qualify --matrix $M --candidate sensor/candidate-bpf-newer.json --out "$OUT/bpf-newer"
check "bpf: open-coded iterators load on 6.12 and are refused on 6.1" \
    bash -c "python3 - '$OUT/bpf-newer/report.json' <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); v = {c['id']: c for c in r['cells']}
assert v['snap-6.12']['verdict'] == 'pass', v['snap-6.12']['title']
assert v['snap-6.1-n']['verdict'] == 'install_failed', v['snap-6.1-n']['title']
assert 'bpf_iter_num' in v['snap-6.1-n']['title'], v['snap-6.1-n']['title']
PY"

run bpf-degraded 1 qualify --matrix $M --candidate sensor/candidate-bpf-degraded.json \
    --out "$OUT/bpf-degraded"
check "bpf: the loader that skips an attach is degraded on both kernels, never pass" \
    json "$OUT/bpf-degraded/report.json" "len(r['cells'])==2 and all(c['verdict']=='degraded'
         and c['title']=='bpf program cl_unix_connect loaded but not attached'
         for c in r['cells'])"
check "bpf: reports valid against the schema" \
    python3 tests/checks/schema.py "$OUT"/bpf-*/report.json

[ "$fail" = 0 ]
