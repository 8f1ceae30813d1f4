#!/bin/bash
# Capture real console logs of every failure class for tests/data/triage/.
# Each mode of the test-only crasher module is loaded as a "candidate" on
# real Debian kernels; the console of each cell becomes one corpus file,
# headed by the answer we expect - written here by hand, per mode, not taken
# from crashlab's own triage (so the corpus can catch triage mistakes).
#
# usage: tests/crasher/capture.sh [MODE...]      (default: every mode)
# Needs build/crashlab (make) and libvirtd (scripts/deps.sh). A few minutes.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d /tmp/crashlab-capture.XXXXXX)
trap 'rm -rf "$work"' EXIT
kernels="6.1.0-56-amd64 6.12.117+deb12-amd64"

# name|class|title|frame|module|sysctls (a=b,...)|extra kernel cmdline|kernels|crasher mode (default: name)
# (stackoverflow-silent: on 6.12 the double-fault report is printed from NMI
# context, deferred, and lost when pvpanic stops the guest - the console shows
# no crash and only the pvpanic event tells; rcustall on 6.12 under TCG hangs
# during boot with a 5 s stall timeout, so it is captured on 6.1 only)
table=$(cat <<'T'
null|null_deref|BUG: kernel NULL pointer dereference in crasher_null|crasher_null|crasher|||
pagefault|page_fault|BUG: unable to handle page fault in crasher_pagefault|crasher_pagefault|crasher|||
gpf|general_protection_fault|general protection fault in crasher_gpf|crasher_gpf|crasher|||
bug|bug|kernel BUG in crasher_bug|crasher_bug|crasher|||
divide|divide_error|divide error in crasher_divide|crasher_divide|crasher|||
ud2|invalid_opcode|invalid opcode in crasher_ud2|crasher_ud2|crasher|||
panic|panic|kernel panic: crasher: deliberate panic, code N|crasher_panic|crasher|||
warn|warning|WARNING in crasher_warn|crasher_warn|crasher|kernel.panic_on_warn=1||
warn-nonfatal|none|||||||warn
softlockup|soft_lockup|BUG: soft lockup in crasher_softlockup|crasher_softlockup|crasher|kernel.softlockup_panic=1|watchdog_thresh=5|
hungtask|hung_task|INFO: task hung in crasher_hungtask|crasher_hungtask|crasher|kernel.hung_task_panic=1,kernel.hung_task_timeout_secs=5||
stackprot|stack_protector|stack-protector: kernel stack is corrupted in crasher_stackprot|crasher_stackprot|crasher|||
stackoverflow|stack_overflow|BUG: stack guard page was hit in crasher_stackoverflow|crasher_stackoverflow|crasher|||6.1.0-56-amd64
stackoverflow-silent|none||||||6.12.117+deb12-amd64|stackoverflow
oom|oom|out of memory panic|crasher_oom|crasher|vm.panic_on_oom=1||
rcustall|rcu_stall|INFO: rcu detected stall in crasher_rcustall|crasher_rcustall|crasher|kernel.panic_on_rcu_stall=1|nowatchdog rcupdate.rcu_cpu_stall_timeout=5|6.1.0-56-amd64
kfence|kfence|KFENCE: out-of-bounds read in crasher_kfence|crasher_kfence|crasher|kernel.panic_on_warn=1|kfence.sample_interval=1|6.12.117+deb12-amd64
modtrace|null_deref|BUG: kernel NULL pointer dereference in crasher_modtrace|crasher_modtrace|crasher|||
clean|none||||||
noisy|none||||||
earlyprintk|none|||||earlyprintk=serial,ttyS0,115200||clean
T
)

want=("$@")
echo "$table" | while IFS='|' read -r mode cls title frame module sysctls cmdline only arg; do
    [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " =~ " $mode " ]] && continue
    arg=${arg:-$mode}
    sys=""
    IFS=',' read -ra kv <<< "$sysctls"
    for s in "${kv[@]}"; do [ -n "$s" ] && sys+="\"${s%%=*}\": \"${s#*=}\", "; done
    cat > "$work/scenario-$mode.json" <<J
{ "name": "crasher-$mode",
  "limits": { "boot_s": 120, "heartbeat_s": 60, "total_s": 150, "max_boots": 1 },
  ${cmdline:+\"kernel_cmdline\": \"$cmdline\",}
  "sysctl": { ${sys}"kernel.panic_on_oops": "1" },
  "workload": [ { "op": "sleep", "seconds": 1 } ] }
J
    cat > "$work/candidate-$mode.json" <<J
{ "name": "crasher", "version": "$mode",
  "module": { "name": "crasher", "source": "$root/tests/crasher", "args": "mode=$arg" },
  "content": [],
  "evidence": { "status_file": "/proc/version", "counters": [] } }
J
    cells=""
    for k in ${only:-$kernels}; do cells+="{ \"id\": \"$k\", \"kernel\": \"$k\" },"; done
    echo "{ \"name\": \"capture\", \"cells\": [ ${cells%,} ] }" > "$work/matrix-$mode.json"
    echo "== $mode"
    build/crashlab qualify --matrix "$work/matrix-$mode.json" --candidate "$work/candidate-$mode.json" \
        --scenario "$work/scenario-$mode.json" --out "$work/out-$mode" 2>&1 | grep -E '^\s|crash|hang' | tail -3
    for k in ${only:-$kernels}; do
        series=${k%%-*}; series=${series%.*}
        dest=tests/data/triage/crasher-$mode-$series.log
        {
            echo "CLASS: $cls"
            echo "TITLE: $title"
            echo "FRAME: $frame"
            echo "MODULE: $module"
            echo "CORRUPTED: N"
            echo "SOURCE: tests/crasher mode=$arg on Debian $k (tests/crasher/capture.sh)"
            echo
            cat "$work/out-$mode/cells/$k/console.log"
        } > "$dest"
        echo "   $dest: $(build/crashlab triage "$dest" | cut -c1-200)"
    done
done
