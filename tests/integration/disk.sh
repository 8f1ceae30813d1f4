#!/bin/bash
# Disk images (images/mkdisk.sh, 6.1): the candidate installed on the disk
# and loaded by the OS at every boot; a real CF291 boot loop decided within K
# boots, remediated offline and booted back to healthy; the good candidate
# healthy with its digest at 4 boots; the auto-recovering build; the recipe's
# image handed over as a user's qcow2 (left as OUT/user.qcow2 and
# OUT/user.json for hosts.sh), driven through qemu-guest-agent, good and
# CF291. Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# disk images: the candidate installed persistently, boot loops, recovery"
DISK=tests/data/matrix/disk-6.1.json
"$CL" images --matrix "$DISK" >"$OUT/disk-images.out" 2>"$OUT/disk-images.err"
check "disk image built from Debian packages (or found in the cache)" \
    test -s "${CRASHLAB_CACHE:-.cache}/disks/6.1.0-56-amd64/disk.qcow2"
# two qualifications at a time: one TCG guest per core
start disk-cf291 qualify --matrix "$DISK" --candidate sensor/candidate-cf291.json \
    --scenario scenarios/persistent.json --remediate sensor/remediation-cf291.json --out "$OUT/disk-cf"
start disk-good qualify --matrix "$DISK" --candidate sensor/candidate.json \
    --scenario scenarios/persistent.json --out "$OUT/disk-good"
wait
finish disk-cf291 1
finish disk-good 0
check "disk cf291: boot_loop decided at the 3rd boot that crashed before ready" json "$OUT/disk-cf/report.json" \
    "c['verdict']=='boot_loop' and c['boots']==3 and 'cl_interp_eval' in c['title']
     and [(b['reached'],b['ended']) for b in c['timeline']]==[('init','crash')]*3
     and all('cl_interp_eval' in b['crash'] for b in c['timeline'])"
check "disk cf291: the remediation was applied offline and the machine recovered" json "$OUT/disk-cf/report.json" \
    "c['remediation']['applied'] and c['remediation']['removed']==1 and c['remediation']['recovered']
     and c['remediation']['boots']>=1 and c['remediation']['seconds']>0"
check "disk good: pass, healthy at 4 boots, the manifest's digest reported at every boot" json "$OUT/disk-good/report.json" \
    "c['verdict']=='pass' and c['boots']==4
     and all(b['healthy'] and b['content_sha256']==r['candidate']['artifacts'][0]['sha256'] for b in c['timeline'])
     and [b['ended'] for b in c['timeline']]==['reboot']*3+['poweroff']"
check "disk good: the module was loaded by the OS (modules-load.d), not by the agent" \
    bash -c "grep -q 'CL LOADED module=clsensor' '$OUT/disk-good/cells/disk-6.1/agent.log' &&
             ! grep -q 'CL LOADING' '$OUT/disk-good/cells/disk-6.1/agent.log'"
check "disk runs leave no scratch directory (no overlay) behind" test -z "$(scratch_new "$OUT/scratch.start")"

# the recipe's image, handed to crashlab as a user's file: no crashlab agent in it
cp --reflink=auto "${CRASHLAB_CACHE:-.cache}/disks/6.1.0-56-amd64/disk.qcow2" "$OUT/user.qcow2"
printf '{ "name": "user", "cells": [ { "id": "user-6.1", "kernel": "6.1.0-56-amd64", "os": "linux",\n  "image": { "path": "user.qcow2", "sha256": "%s", "firmware": "bios" } } ] }\n' \
    "$(sha256sum "$OUT/user.qcow2" | cut -d' ' -f1)" > "$OUT/user.json"
# qemu runs as libvirt-qemu: a user image it cannot read is bad input, said before anything boots
chmod 0700 "$OUT"
run user-unreadable 2 qualify --matrix "$OUT/user.json" --candidate sensor/candidate.json --out "$OUT/user-x"
check "unreadable user image: one line naming the image and the qemu user" \
    one_line user-unreadable "user.qcow2 is not .*by the qemu user\|directory .* is not searchable by the qemu user"
chmod 0755 "$OUT"
# the recovering build needs one healthy boot after its crashes, not four:
# the persistent scenario without its reboots
sed 's/"reboots": 3/"reboots": 0/' scenarios/persistent.json >"$OUT/persistent-once.json"
grep -q '"reboots": 0' "$OUT/persistent-once.json" || bad "scenarios/persistent.json has no \"reboots\": 3 to drop"
# the two user-image runs one after the other beside it: two guests at a time
start disk-recovery qualify --matrix "$DISK" --candidate sensor/candidate-cf291-recovery.json \
    --scenario "$OUT/persistent-once.json" --out "$OUT/disk-rec"
run user-good 0 qualify --matrix "$OUT/user.json" --candidate sensor/candidate.json --out "$OUT/user-good"
run user-cf291 1 qualify --matrix "$OUT/user.json" --candidate sensor/candidate-cf291.json --out "$OUT/user-cf"
wait
finish disk-recovery 1
check "user image: pass, driven through qemu-guest-agent, booted from its own GRUB" json "$OUT/user-good/report.json" \
    "c['verdict']=='pass' and c['image']=='user' and c['loaded_content_sha256']==r['candidate']['artifacts'][0]['sha256']"
check "user image: the domain had no crashlab channel, a guest-agent channel, no direct kernel" \
    bash -c "grep -q org.qemu.guest_agent.0 '$OUT/user-good/cells/user-6.1/domain.xml' &&
             ! grep -q -e '<kernel>' -e 'port=.1.' '$OUT/user-good/cells/user-6.1/domain.xml'"
check "recovery build: crash, then recovered by itself after k <= 2 crashed boots" json "$OUT/disk-rec/report.json" \
    "c['verdict']=='crash' and 'cl_interp_eval' in c['title'] and c['recovery']['recovered']
     and 1 <= c['recovery']['crashed_boots'] <= 2 and c['timeline'][c['recovery']['healthy_boot']-1]['healthy']
     and c['timeline'][-1]['ended']=='poweroff' and c['boots']==c['recovery']['healthy_boot']"
check "user image cf291: crash in the interpreter, blaming clsensor" json "$OUT/user-cf/report.json" \
    "c['verdict']=='crash' and c['frame']=='cl_interp_eval' and c['module']=='clsensor'"
check "the user's image file was not modified" \
    test "$(sha256sum "$OUT/user.qcow2" | cut -d' ' -f1)" = \
         "$(python3 -c "import json; print(json.load(open('$OUT/user.json'))['cells'][0]['image']['sha256'])")"

[ "$fail" = 0 ]
