#!/bin/bash
# VM integration tests: real Debian kernels booted under libvirt, the real
# reference sensor built against each kernel's headers, real crashes. One
# script per feature in tests/integration/, each on the helpers of
# tests/lib/, run here in this order (a later one reads what an earlier one
# left in the shared OUT directory: the keys and signed runs of qualify.sh,
# the user image of disk.sh, ...; each says what it needs):
#   triage      crashlab triage on every corpus file, as a user runs it
#   bad-input   one line, exit 2, no VM started
#   preflight   the candidate's fuzz run finds the bounds bug before any VM
#               (cells not_run, exit 1), in shards and their merge too
#   qualify     matrix/ci.json (6.1 and 6.12), signed: good candidate -> pass
#               with every instance and field of the content exercised; CF291
#               -> crash in the interpreter function, its report.html as
#               headless Chromium shows it; fixed sensor + CF291 content ->
#               install_failed; a WARNING, a boot loop, a hang; crash groups;
#               reproduce --vmcore opened by crash(8)
#   releases    Debian 11, 12 and 13 on amd64 and arm64 from crashlab's own
#               package index, modules by each release's compiler (cross to
#               arm64): good passes; CF291 crashes arm64, decided from the
#               console; matrix refresh finds a removed cell and a gone kernel
#   scenarios   every IPC kind (scenarios/ipc-storm.json) with exactly the
#               events the sensor saw; the hardened scenario's per-config
#               memory-debugging options; a live content update
#   evidence    a manifest-v2 candidate judged by its own evidence command
#   interrupt   Ctrl-C mid-run leaves no domain and no scratch directory
#   gate        crashlab gate over the signed statements: a pass, each refusal
#   shards      rings and --fail-fast; shards merged into the verdicts of one run
#   history     runs recorded in SQLite and in a PostgreSQL of the test's own:
#               crash groups new then known, --baseline, gate --no-regressions
#   snapshots   snapshot cells (6.1 and 6.12): saved once, restored per cell,
#               the candidate delivered over the agent's virtio port and
#               checked by digest; a damaged saved state is saved again
#   bpf         a sensor of user space and BPF on snapshot cells: passes with
#               every program attached and run; the unbounded interpreter
#               refused by the verifier; 6.4+ iterators refused on 6.1 only;
#               the loader that skips an attach degraded
#   mutants     --mutants: malformed content, each refused or survived;
#               without the bounds check the field-21 mutant crashes, named;
#               crashlab minimize cuts CF291's content to the field-21 criterion
#   disk        disk images (6.1): installed and loaded by the OS at every
#               boot; a CF291 boot loop decided within K boots, remediated
#               offline; the auto-recovering build; the recipe's image as a
#               user's qcow2, driven through qemu-guest-agent
#   third-party-modules
#               a two-module DKMS source by its dkms.conf, on its own
#               evidence command; the same modules prebuilt for 6.1 only, and
#               inside the vendor's .deb
#   hosts       two libvirt hosts (scripts/testhost.sh's second libvirtd):
#               cells of every kind on the remote host from uploaded volumes;
#               the remote host killed mid-run; Ctrl-C leaves nothing on either
# Then, over every run: reports valid against the schema, no sanitizer
# report. Ends with "integration: N passed, N failed" over all of them.
# One feature alone, on an earlier run's directory (those before it):
#   CRASHLAB_TEST_OUT=/tmp/crashlab-it.XXXXXX bash tests/integration/gate.sh
set -u
cd "$(dirname "$0")/.."
export CRASHLAB_TEST_OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-it.XXXXXX)}
OUT=$CRASHLAB_TEST_OUT
export CRASHLAB_DB=${CRASHLAB_DB:-$OUT/history.db} # the runs here are not the user's history
. tests/lib/scratch.sh
. tests/lib/checks.sh
scratch_dirs >"$OUT/scratch.start"
mkdir -p "$OUT/tally"

for f in triage bad-input preflight qualify releases scenarios evidence interrupt gate shards history snapshots bpf \
         mutants disk \
         third-party-modules hosts; do
    rm -f "$OUT/tally/$f"
    t0=$SECONDS
    bash "tests/integration/$f.sh"
    rc=$?
    echo "# $f: $((SECONDS - t0)) s" # where make check's minutes go
    read -r p n 2>/dev/null <"$OUT/tally/$f" || p=0 n=0
    pass=$((pass + p)) fail=$((fail + n))
    # a script that stopped without saying why fails too
    [ "$rc" = 0 ] || [ "$n" != 0 ] || bad "tests/integration/$f.sh: exit $rc"
done

echo "# every run of the features above"
check "every report.json these tests wrote is valid against reports/report.schema.json" \
    python3 tests/checks/schema.py --at-least 20 "$OUT"/*/report.json
check "no sanitizer report in any run" \
    bash -c "grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$OUT'/*.err; [ \$? = 1 ]"

echo "# the slowest steps (seconds, feature, step; OUT/times has them all)"
sort -rn "$OUT/times" 2>/dev/null | head -n 15 | sed 's/^/#   /'
echo "integration: $pass passed, $fail failed"
[ "$fail" = 0 ]
