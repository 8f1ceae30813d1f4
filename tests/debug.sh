#!/bin/bash
# The debug matrix (make debug): the CF291 candidate built with its inputs in
# an ordinary kmalloc'd object (sensor/candidate-cf291-kmalloc.json) on one
# Debian 6.1 release twice, as Debian ships it and as crashlab's debug kernel
# of the same source. The read past the inputs faults on neither; only
# KASAN sees it. The first run builds the debug kernel (images/kernel-debug.sh,
# about 10 minutes on 2 cores; cached in .cache/ after that).
# Ends with "debug: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-debug.XXXXXX)}
. tests/lib/checks.sh

cell() { json "$OUT/kmalloc/report.json" "$@"; }

echo "# the debug kernel, built once"
run images 0 images --matrix matrix/debug.json
has_config() { grep -qx "$1" .cache/images/6.1.0-56-debug/config; }
check "the debug kernel was built with KASAN, UBSAN, lockdep, kmemleak, debug objects and preemption checks" \
    bash -c "$(declare -f has_config); has_config CONFIG_KASAN=y && has_config CONFIG_UBSAN=y && has_config CONFIG_PROVE_LOCKING=y && has_config CONFIG_DEBUG_KMEMLEAK=y &&
             has_config CONFIG_DEBUG_OBJECTS_TIMERS=y && has_config CONFIG_PREEMPT=y && has_config CONFIG_DEBUG_PREEMPT=y"
check "its provenance: Debian's linux-source-6.1 at the production kernel's version" \
    grep -qx "linux-source-6.1 $(apt-cache policy linux-image-6.1.0-56-amd64 | awk '/Candidate:/ {print $2}')" \
    .cache/images/6.1.0-56-debug/packages

echo "# CF291 with the inputs in a kmalloc'd object: production vs KASAN"
run kmalloc 1 qualify --matrix matrix/debug.json --candidate sensor/candidate-cf291-kmalloc.json \
    --out "$OUT/kmalloc"
check "production cell: the read past the inputs lands in the object's zeroed slack and the cell passes unseen" \
    cell deb12-6.1 "c['verdict']=='pass'"
check "KASAN cell: crash titled 'KASAN: slab-out-of-bounds Read in cl_interp_eval', blaming clsensor" \
    cell deb12-6.1-debug "c['verdict']=='crash' and c['title']=='KASAN: slab-out-of-bounds Read in cl_interp_eval' and c['module']=='clsensor' and c['class']=='kasan'"
check "KASAN cell: its console holds the KASAN report, read of size 8" \
    grep -q "Read of size 8 at addr" "$OUT/kmalloc/cells/deb12-6.1-debug/console.log"

echo "# the good candidate on the debug kernel: no report, a pass"
run good 0 qualify --matrix matrix/debug.json --candidate sensor/candidate.json --out "$OUT/good"

echo "debug: $pass passed, $fail failed"
[ "$fail" = 0 ]
