#!/bin/bash
# Third parties' sensors qualified from their manifests alone (make
# third-party). candidates/falco-scap.json, the Falco/sysdig system-call
# driver as Debian 12 ships it (falcosecurity-scap-dkms, built per kernel
# by its own dkms.conf) with sysdig in user space, on the smoke matrix. Its source builds for the
# 6.1 kernels and not for 6.12: three passes on the candidate's own evidence,
# one install_failed, and the release blocked. Nothing in crashlab knows the
# candidate's name. The first run builds four disk images with sysdig in
# them (about 2 minutes each on 2 cores; cached in .cache/ after that); its
# signed statement gates for the three 6.1 cells and not for the smoke
# matrix. candidates/bpftrace-ipc.json, Debian's bpftrace started by a unit
# at boot: its programs loaded and run, its own counts as evidence (four
# more disk images, with bpftrace, about 4 minutes each the first time).
# Ends with "third-party: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-3p.XXXXXX)}
export CRASHLAB_DB=${CRASHLAB_DB:-$OUT/history.db} # the runs here are not the user's history
. tests/lib/checks.sh
R=$OUT/scap/report.json

echo "# falcosecurity-scap on the smoke matrix, signed"
"$CL" keygen --out "$OUT/k" >/dev/null || { echo "third-party: keygen failed" >&2; exit 2; }
run scap 1 qualify --matrix matrix/smoke.json --candidate candidates/falco-scap.json --out "$OUT/scap" \
    --sign-key "$OUT/k.key"
for id in deb12-6.1-n deb12-6.1-n-1 deb12-6.1-cloud; do
    check "$id: pass, on a disk image (the matrix's initramfs cell), the driver loaded by the OS" \
        json "$R" $id "c['verdict']=='pass' and c['image']=='disk' and 'its evidence held' in c['title']"
    check "$id: sysdig's capture through the driver holds the workload's FIFOs and unix connects" \
        json "$R" $id "c['evidence']['values']['driver']=='loaded' and int(c['evidence']['values']['fifo_creates'])>=12 and int(c['evidence']['values']['unix_connects'])>=8 and all(q['held'] for q in c['evidence']['require'])"
done
check "deb12-6.12: install_failed (not crash, not pass), naming the compiler's reason" \
    json "$R" deb12-6.12 "c['verdict']=='install_failed' and c['title'].startswith('scap ') and 'does not build for 6.12.117+deb12-amd64: ' in c['title'] and 'error:' in c['title']"
check "the release is blocked for that kernel only: 1 failure of 4 cells" \
    json "$R" "len(r['cells'])==4 and sum(c['verdict']!='pass' for c in r['cells'])==1"
check "the report binds the package's digest and the module built for each 6.1 kernel" \
    json "$R" "any(a['kind']=='module_source' and a['sha256']=='d405afc4399f279afc2397bb709d899cc72b61a03eeb543ba73c780b9f34fac5' for a in r['candidate']['artifacts']) and sorted(a['kernel_release'] for a in r['candidate']['artifacts'] if a['kind']=='module' and a['name']=='scap')==['6.1.0-55-amd64', '6.1.0-56-amd64', '6.1.0-56-cloud-amd64']"
check "no message of the report speaks of content or sensor counters" \
    bash -c "{ grep -qi -e 'sensor' -e 'content' '$OUT/scap/summary.md'; [ \$? = 1 ]; } &&
             python3 tests/checks/report_words.py '$OUT/scap' 4 'sensor|content'"
check "report valid against the schema" python3 tests/checks/schema.py "$R"

# The gate: a candidate without content gates like any other. A release that
# needs the three 6.1 cells only is met (exit 0); one that needs the smoke
# matrix is refused (exit 1), the 6.12 cell named.
python3 -c "import json; m=json.load(open('matrix/smoke.json')); m['name']='smoke-6.1'; \
m['cells']=[c for c in m['cells'] if c['kernel'].startswith('6.1.')]; json.dump(m, open('$OUT/smoke-6.1.json','w'))"
G=(gate --attestation "$OUT/scap/attestation.json" --pubkey "$OUT/k.pub"
   --candidate candidates/falco-scap.json --modules "$OUT/scap/modules")
run gate-6.1 0 "${G[@]}" --matrix "$OUT/smoke-6.1.json"
check "gate on the 6.1 cells: pass" grep -q "^gate: pass" "$OUT/gate-6.1.out"
run gate-smoke 1 "${G[@]}" --matrix matrix/smoke.json
check "gate on the smoke matrix: refused, naming deb12-6.12" grep -q "deb12-6.12" "$OUT/gate-smoke.err"
check "crashlab's code (harness, reports, guest agent, image scripts) does not name the candidate" \
    bash -c "grep -rqiw -e scap -e sysdig -e falco -e falcosecurity harness/ reports/ guest/ images/ scripts/; [ \$? = 1 ]"

# A third party's BPF tool by manifest alone: Debian's bpftrace, started at
# boot by a unit, counting the workload's FIFOs and connects.
B=$OUT/bpftrace/report.json
echo "# bpftrace (candidates/bpftrace-ipc.json) on the smoke matrix"
run bpftrace 0 qualify --matrix matrix/smoke.json --candidate candidates/bpftrace-ipc.json \
    --out "$OUT/bpftrace"
check "bpftrace: every cell passes on a disk image, its programs loaded and run, on its own evidence" \
    json "$B" "len(r['cells'])==4 and all(c['verdict']=='pass' and c['image']=='disk'
         and all(p['loaded'] and p['attached'] and p['run_cnt']>0 for p in c['bpf']['programs'])
         and int(c['evidence']['values']['fifo_creates'])>=1 and c['evidence']['values']['state']=='running'
         for c in r['cells'])"
check "bpftrace: report valid against the schema" python3 tests/checks/schema.py "$B"
check "crashlab's code does not name bpftrace" \
    bash -c "grep -rqiw -e bpftrace harness/ reports/ guest/ images/ scripts/; [ \$? = 1 ]"

echo "third-party: $pass passed, $fail failed"
[ "$fail" = 0 ]
