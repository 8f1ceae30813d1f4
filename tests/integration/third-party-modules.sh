#!/bin/bash
# A third party's modules by manifest: a two-module DKMS source built by its
# dkms.conf (images/dkms.sh; BUILD_EXCLUSIVE_KERNEL honoured), loaded by the
# OS in order with a parameter, passing on its own evidence command; the
# same modules prebuilt for 6.1 only with the vendor's agent as a .deb in the
# image: 6.1 passes, 6.12 install_failed unbooted; and inside the vendor's
# .deb itself: 6.1 passes, 6.12 boots, install_failed. Part of
# tests/integration.sh (tests/third-party.sh qualifies a real one).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# a third party's driver from a DKMS source: dkms.conf read, modules in order, parameters, its evidence"
HDR=${CRASHLAB_CACHE:-.cache}/kernels/6.1.0-56-amd64/headers/usr/src/linux-headers-6.1.0-56-amd64
check "dkms.sh: the test source's two modules built for 6.1 by its dkms.conf, listed in its order with their digests" \
    bash -c "bash images/dkms.sh tests/data/dkms/clpair 6.1.0-56-amd64 '$HDR' '$OUT/dkms-pair' 2>/dev/null &&
             awk '{print \$1}' '$OUT/dkms-pair/modules' | tr '\n' ' ' | grep -qx 'clpair_core clpair_user ' &&
             cd '$OUT/dkms-pair' && awk '{print \$2 \"  \" \$1 \".ko\"}' modules | sha256sum -c --quiet"
cp -r tests/data/dkms/clpair "$OUT/clpair-excl"
echo 'BUILD_EXCLUSIVE_KERNEL="^5\."' >> "$OUT/clpair-excl/dkms.conf"
check "dkms.sh: BUILD_EXCLUSIVE_KERNEL honoured: exit 4, nothing built, the reason in one line" \
    bash -c "bash images/dkms.sh '$OUT/clpair-excl' 6.1.0-56-amd64 '$HDR' '$OUT/dkms-excl' 2>'$OUT/dkms-excl.err'; [ \$? = 4 ] &&
             [ ! -e '$OUT/dkms-excl/modules' ] &&
             grep -q 'not for kernel 6.1.0-56-amd64 (BUILD_EXCLUSIVE_KERNEL' '$OUT/dkms-excl.err'"
# the same modules as a vendor ships them: prebuilt for 6.1 only, each file with its
# digest, and the vendor's user-space agent as its own .deb, installed into the image
mkdir -p "$OUT/prebuilt/6.1" && cp "$OUT"/dkms-pair/*.ko "$OUT/prebuilt/6.1/"
bash tests/data/dkms/make-agent-deb.sh "$OUT/prebuilt/clpair-agent_1.0_all.deb"
python3 tests/checks/clpair_manifest.py prebuilt "$OUT/prebuilt"
# and the modules inside the vendor's package itself: crashlab builds and installs nothing
mkdir -p "$OUT/packaged"
bash tests/data/dkms/make-agent-deb.sh "$OUT/packaged/clpair-agent_1.0_all.deb" 6.1.0-56-amd64 "$OUT"/dkms-pair/*.ko
python3 tests/checks/clpair_manifest.py packaged "$OUT/packaged"
printf '{ "name": "two", "cells": [ { "id": "deb12-6.1-n", "kernel": "6.1.0-56-amd64" }, { "id": "deb12-6.12", "kernel": "6.12.117+deb12-amd64" } ] }\n' > "$OUT/two.json"
# two qualifications at a time, one TCG guest per core: the packaged run
# (two images to build) beside the DKMS cell and then the prebuilt run
start packaged qualify --matrix "$OUT/two.json" --candidate "$OUT/packaged/candidate.json" --out "$OUT/pk"
run dkms-pair 0 qualify --matrix tests/data/matrix/one-6.1.json --candidate tests/data/dkms/candidate-clpair.json \
    --out "$OUT/dkms"
start prebuilt qualify --matrix "$OUT/two.json" --candidate "$OUT/prebuilt/candidate.json" --out "$OUT/pb"
wait
finish prebuilt 1
finish packaged 1
check "modules in the vendor's package: 6.1 passes on its agent's evidence; 6.12, which the package has no module for, boots and is install_failed" \
    json "$OUT/pk/report.json" "[(c['id'], c['verdict']) for c in r['cells']]==[('deb12-6.1-n', 'pass'), ('deb12-6.12', 'install_failed')]
     and r['cells'][0]['evidence']['values']['agent_saw']=='packaged'
     and 'module-not-loaded name=clpair_core' in r['cells'][1]['title'] and r['cells'][1]['boots']==1"
check "modules in the vendor's package: the report binds the package by its digest" \
    json "$OUT/pk/report.json" "[a['sha256'] for a in r['candidate']['artifacts'] if a['kind']=='package']
         ==[json.load(open('$OUT/packaged/candidate.json'))['packages'][0]['sha256']]
     and not any(a['kind']=='module' for a in r['candidate']['artifacts'])"
check "prebuilt: the kernel it ships modules for passes, loaded with its parameter, its .deb agent ran; the other is install_failed, not booted" \
    json "$OUT/pb/report.json" "[(c['id'], c['verdict']) for c in r['cells']]==[('deb12-6.1-n', 'pass'), ('deb12-6.12', 'install_failed')]
     and r['cells'][0]['evidence']['values']['greeting']=='prebuilt' and r['cells'][0]['evidence']['values']['agent_saw']=='prebuilt'
     and 'ships no module for kernel 6.12.117+deb12-amd64' in r['cells'][1]['title'] and r['cells'][1]['boots']==0"
check "prebuilt: the report binds each shipped file's digest for its kernel" \
    json "$OUT/pb/report.json" "sorted(a['sha256'] for a in r['candidate']['artifacts'] if a['kind']=='module')
         ==sorted(m['sha256'] for m in json.load(open('$OUT/prebuilt/candidate.json'))['module']['prebuilt']['6.1.0-56-amd64'])"
check "dkms: the initramfs cell ran as a disk cell; pass on the command's evidence, every condition held" \
    json "$OUT/dkms/report.json" "c['verdict']=='pass' and c['image']=='disk' and [q['held'] for q in c['evidence']['require']]==[True]*3
     and c['evidence']['values']['greeting']=='qualified'"
check "dkms: both modules loaded by the OS (the second needs the first), each checked by the agent" bash -c \
    "grep -q 'CL LOADED module=clpair_core' '$OUT/dkms/cells/deb12-6.1-n/agent.log' &&
     grep -q 'CL LOADED module=clpair_user' '$OUT/dkms/cells/deb12-6.1-n/agent.log'"
check "dkms: the report binds each module built for the kernel by its digest, and speaks of no content or sensor" \
    json "$OUT/dkms/report.json" "sorted((a['name'], a['kernel_release']) for a in r['candidate']['artifacts'] if a['kind']=='module')
         ==[('clpair_core', '6.1.0-56-amd64'), ('clpair_user', '6.1.0-56-amd64')]
     and 'sensor' not in c['title'] and 'content' not in c['title']"

[ "$fail" = 0 ]
