#!/bin/bash
# Disk cells beyond Debian 12 amd64 (make fleet-disk; matrix/releases-disk.json):
# a Debian 11 amd64 disk and a Debian 13 arm64 disk, each built from its own
# release's packages (the arm64 one under qemu-user), the candidate installed
# as its package would install it. CF291 in the persistent scenario boot-loops
# both, the vendor's remediation is applied offline and both come back healthy;
# the good candidate is healthy at its 4 boots on both. The first run builds
# the two disk images (~9 min here), later runs find them in the cache. The
# arm64 image's depmod runs at its first boot (guest/crashlab-depmod.service).
# Ends with "fleet-disk: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-fleetdisk.XXXXXX)}
mkdir -p "$OUT"
. tests/lib/scratch.sh
. tests/lib/checks.sh
M=matrix/releases-disk.json
scratch_dirs >"$OUT/scratch.start"

echo "# the disk images of Debian 11 amd64 and Debian 13 arm64"
run images 0 images --matrix "$M"
check "both disk images built from their release's packages (or found in the cache)" \
    bash -c "test -s '${CRASHLAB_CACHE:-.cache}/disks/5.10.0-46-amd64/disk.qcow2' &&
             test -s '${CRASHLAB_CACHE:-.cache}/disks/6.12.118+deb13-arm64/disk.qcow2'"

echo "# CF291 at every boot: a boot loop on each, remediated offline"
run cf291 1 qualify --matrix "$M" --candidate sensor/candidate-cf291.json \
    --scenario scenarios/persistent.json --remediate sensor/remediation-cf291.json --out "$OUT/cf291"
R=$OUT/cf291/report.json
check "cf291: both cells boot_loop at the 3rd boot that crashed before ready, in the interpreter" json "$R" \
    "len(r['cells'])==2 and all(c['verdict']=='boot_loop' and c['boots']==3 and 'cl_interp_eval' in c['title']
     and [(b['reached'],b['ended']) for b in c['timeline']]==[('init','crash')]*3 for c in r['cells'])"
check "cf291: the remediation was applied offline and both machines recovered" json "$R" \
    "all(c['remediation']['applied'] and c['remediation']['removed']==1 and c['remediation']['recovered']
         for c in r['cells'])"
check "cf291: each cell ran its own release's kernel, arm64 under qemu-system-aarch64" \
    bash -c "grep -q 'Linux version 5.10.0-46-amd64' '$OUT/cf291/cells/deb11-5.10-disk/console.log' &&
             grep -q 'Linux version 6.12.118+deb13-arm64' '$OUT/cf291/cells/deb13-arm64-disk/console.log' &&
             grep -q 'Booting Linux on physical CPU' '$OUT/cf291/cells/deb13-arm64-disk/console.log' &&
             grep -q 'Debian GNU/Linux 13' '$OUT/cf291/cells/deb13-arm64-disk/console.log' &&
             grep -q 'Debian GNU/Linux 11' '$OUT/cf291/cells/deb11-5.10-disk/console.log'"

check "cf291: arm64's depmod ran at the first boot only, its index kept through the panics" \
    test "$(grep -c 'Starting crashlab-depmod.service' "$OUT/cf291/cells/deb13-arm64-disk/console.log")" = 1

echo "# the good candidate: healthy at every boot"
run good 0 qualify --matrix "$M" --candidate sensor/candidate.json \
    --scenario scenarios/persistent.json --out "$OUT/good"
R=$OUT/good/report.json
check "good: both cells pass, healthy at 4 boots with the manifest's digest" json "$R" \
    "len(r['cells'])==2 and all(c['verdict']=='pass' and c['boots']==4
     and all(b['healthy'] and b['content_sha256']==r['candidate']['artifacts'][0]['sha256'] for b in c['timeline'])
     for c in r['cells'])"
check "good: the module was loaded by the OS (modules-load.d) on both, never by the agent" \
    bash -c "for id in deb11-5.10-disk deb13-arm64-disk; do
                 [ \$(grep -c 'CL LOADED module=clsensor' '$OUT/good/cells/'\$id/agent.log) -ge 4 ] || exit 1
                 ! grep -q 'CL LOADING' '$OUT/good/cells/'\$id/agent.log || exit 1; done"
check "reports valid against the schema" \
    bash -c "python3 tests/checks/schema.py '$OUT/cf291/report.json' && python3 tests/checks/schema.py '$R'"
check "no scratch directory (no overlay) left behind" test -z "$(scratch_new "$OUT/scratch.start")"

echo "fleet-disk: $pass passed, $fail failed"
[ "$fail" = 0 ]
