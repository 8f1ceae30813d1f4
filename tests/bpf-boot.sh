#!/bin/bash
# The reference BPF sensor on the boot path (make bpf-boot): matrix/disk.json,
# sensor/candidate-bpf.json started by its own unit (clsensor-bpf.service) at
# every boot of scenarios/persistent.json (4 boots): every boot healthy, its
# programs loaded at each one, and after the last workload every program
# attached and run. Ends with "bpf-boot: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-bpfboot.XXXXXX)}
. tests/lib/checks.sh
R=$OUT/boot/report.json

echo "# the BPF sensor started at boot on disk images"
run boot 0 qualify --matrix matrix/disk.json --candidate sensor/candidate-bpf.json \
    --scenario scenarios/persistent.json --out "$OUT/boot"
check "both disk cells pass, 4 boots each, every boot healthy" \
    json "$R" "len(r['cells'])==2 and all(c['verdict']=='pass' and c['image']=='disk' and c['boots']==4
         and len(c['timeline'])==4 and all(b['healthy'] for b in c['timeline']) for c in r['cells'])"
check "the agent saw the programs loaded at every boot, before its workload" \
    bash -c "for id in disk-6.1 disk-6.12; do [ \$(grep -c '^CL LOADED bpf=3\$' '$OUT'/boot/cells/\$id/agent.log) = 4 ] || exit 1; done"
check "after the last workload every program attached and run" \
    json "$R" "all(p['attached'] and p['run_cnt']>0 for c in r['cells'] for p in c['bpf']['programs'])"
check "report valid against the schema" python3 tests/checks/schema.py "$R"

echo "bpf-boot: $pass passed, $fail failed"
[ "$fail" = 0 ]
