#!/bin/bash
# Capture real console logs of every failure class for tests/data/triage/.
# Each mode of the test-only crasher module is loaded as a "candidate" on
# real Debian kernels; the console of each cell becomes one corpus file,
# headed by the answer we expect - written here by hand, per mode, not taken
# from crashlab's own triage (so the corpus can catch triage mistakes).
#
# usage: tests/crasher/capture.sh [MODE...]      (default: every mode)
#        KEEP=1 keeps the runs (reports, events.log) in /tmp/crashlab-capture.*
# Needs build/crashlab (make) and libvirtd (scripts/deps.sh). A few minutes,
# plus the first builds of the debug and KMSAN kernels (images/kernel-debug.sh)
# for the sanitizer modes.
set -u
cd "$(dirname "$0")/../.."
root=$(pwd)
work=$(mktemp -d /tmp/crashlab-capture.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
kernels="6.1.0-56-amd64 6.12.117+deb12-amd64"
debug=6.1.0-56-debug
kmsan=6.1.0-56-kmsan
arm64="5.10.0-32-arm64 6.1.0-56-arm64 6.12.118+deb13-arm64"

# name|class|title|frame|module|sysctls (a=b,...)|extra kernel cmdline|kernels|crasher mode (default: name)|seconds to wait after loading (default 1)
# (stackoverflow-silent: on 6.12 the double-fault report is printed from NMI
# context, deferred, and lost when pvpanic stops the guest - the console shows
# no crash and only the pvpanic event tells; rcustall on 6.12 under TCG hangs
# during boot with a 5 s stall timeout, so it is captured on 6.1 only; a
# row starting with # is not captured; odebug and preempt-smp need
# CONFIG_DEBUG_OBJECTS_FREE/_TIMERS and CONFIG_DEBUG_PREEMPT on a
# preemptible kernel, which only the debug kernel has; kmsan and badfp need
# the -kmsan kernel (KMSAN, frame-pointer unwinder); sea and the other ARM64
# rows run on Debian's arm64 kernels (asf on 5.10 only: later kernels have
# no "Unhandled fault" and report the address size fault as "Unable to
# handle kernel"); ud2's arm64 form is die()'s own
# "Oops - Undefined instruction" from 6.12 on - older kernels BUG() in the
# trap handler instead)
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
softlockup-mdelay|soft_lockup|BUG: soft lockup in crasher_softlockup_mdelay|crasher_softlockup_mdelay|crasher|kernel.softlockup_panic=1|watchdog_thresh=5|
hunginit|hung_task|INFO: task hung in crasher_init|crasher_init|crasher|kernel.hung_task_panic=1,kernel.hung_task_timeout_secs=5||
listcorrupt|list_corruption|BUG: corrupted list in crasher_listcorrupt|crasher_listcorrupt|crasher|||
refcount|refcount|refcount_t: underflow; use-after-free in crasher_refcount|crasher_refcount|crasher|kernel.panic_on_warn=1||
schedatomic|scheduling_while_atomic|BUG: scheduling while atomic in crasher_schedatomic|crasher_schedatomic|crasher|kernel.panic_on_warn=1||
sleepinvalid|sleep_in_atomic|BUG: sleeping function called from invalid context in crasher_sleepinvalid|crasher_sleepinvalid|crasher|||DEBUG
kasan-oob|kasan|KASAN: slab-out-of-bounds Read in crasher_kasan_oob|crasher_kasan_oob|crasher|||DEBUG
kasan-oob-write|kasan|KASAN: slab-out-of-bounds Write in crasher_kasan_oob_write|crasher_kasan_oob_write|crasher|||DEBUG
kasan-uaf|kasan|KASAN: use-after-free Read in crasher_kasan_uaf|crasher_kasan_uaf|crasher|||DEBUG
kasan-double-free|kasan|KASAN: double-free in crasher_kasan_double_free|crasher_kasan_double_free|crasher|||DEBUG
kasan-global|kasan|KASAN: global-out-of-bounds Read in crasher_kasan_global|crasher_kasan_global|crasher|||DEBUG
kasan-stack|kasan|KASAN: stack-out-of-bounds Read in crasher_kasan_stack|crasher_kasan_stack|crasher|||DEBUG
ubsan-bounds|ubsan|UBSAN: array-index-out-of-bounds in crasher_ubsan_bounds|crasher_ubsan_bounds|crasher|||DEBUG
ubsan-shift|ubsan|UBSAN: shift-out-of-bounds in crasher_ubsan_shift|crasher_ubsan_shift|crasher|||DEBUG
lockdep-circular|lockdep|WARNING: possible circular locking dependency in crasher_lockdep_circular|crasher_lockdep_circular|crasher|||DEBUG
lockdep-recursive|lockdep|WARNING: possible recursive locking in crasher_lockdep_recursive|crasher_lockdep_recursive|crasher|||DEBUG
lockdep-inconsistent|lockdep|WARNING: inconsistent lock state in crasher_lockdep_inconsistent|crasher_lockdep_inconsistent|crasher|||DEBUG
lockdep-unlock|lockdep|WARNING: bad unlock balance in crasher_lockdep_unlock|crasher_lockdep_unlock|crasher|||DEBUG
lockdep-freed|lockdep|WARNING: held lock freed in crasher_lockdep_freed|crasher_lockdep_freed|crasher|||DEBUG
lockdep-rcu|lockdep|WARNING: suspicious RCU usage in crasher_lockdep_rcu|crasher_lockdep_rcu|crasher|||DEBUG
kmemleak|kmemleak|memory leak in crasher_kmemleak_alloc|crasher_kmemleak_alloc|crasher|||DEBUG||10
hung-mutex|hung_task|INFO: task hung in crasher_hung_mutex|crasher_hung_mutex|crasher|kernel.hung_task_panic=1,kernel.hung_task_timeout_secs=5||
hung-completion|hung_task|INFO: task hung in crasher_hung_completion|crasher_hung_completion|crasher|kernel.hung_task_panic=1,kernel.hung_task_timeout_secs=5||
warn-helper|warning|WARNING in crasher_warn_helper_check|crasher_warn_helper_check|crasher|kernel.panic_on_warn=1||
usercopy|bad_usercopy|BUG: bad usercopy in crasher_usercopy|crasher_usercopy|crasher|||
vmalloc-zero|warning|WARNING in crasher_vmalloc_zero|crasher_vmalloc_zero|crasher|kernel.panic_on_warn=1||
kmalloc-huge|warning|WARNING in crasher_kmalloc_huge|crasher_kmalloc_huge|crasher|kernel.panic_on_warn=1||
lockdep-nonstatic|lockdep|INFO: trying to register non-static key in crasher_lockdep_nonstatic|crasher_lockdep_nonstatic|crasher|||DEBUG
lockdep-held-return|lockdep|WARNING: lock held when returning to user space in crasher_lockdep_held_return|crasher_lockdep_held_return|crasher|||DEBUG
lockdep-exit-held|lockdep|WARNING: still has locks held in crasher_lockdep_exit_held_fn|crasher_lockdep_exit_held_fn|crasher|||DEBUG||5
netdev-leak|hung_task|unregister_netdevice: waiting for DEV to become free||||||
odebug|odebug|ODEBUG bug in crasher_odebug|crasher_odebug|crasher|||DEBUG
preempt-smp|bug|BUG: using smp_processor_id() in preemptible code in crasher_preempt_smp|crasher_preempt_smp|crasher|||DEBUG
reset|unexpected_reboot|unexpected kernel reboot||||||
kmsan|kmsan|KMSAN: uninit-value in crasher_kmsan|crasher_kmsan|crasher|||KMSAN
badfp|warning|WARNING: kernel stack frame pointer has bad value in crasher_badfp|crasher_badfp|crasher|||KMSAN
sea|bug|Internal error in crasher_sea|crasher_sea|crasher|||ARM64
asf|page_fault|Unhandled fault in crasher_asf|crasher_asf|crasher|||5.10.0-32-arm64
bug-arm64|bug|kernel BUG in crasher_bug|crasher_bug|crasher|||ARM64|bug
ud2-arm64|invalid_opcode|invalid opcode in crasher_ud2|crasher_ud2|crasher|||6.12.118+deb13-arm64|ud2
T
)

want=("$@")
echo "$table" | while IFS='|' read -r mode cls title frame module sysctls cmdline only arg wait; do
    case "$mode" in '#'*) continue ;; esac
    [ ${#want[@]} -gt 0 ] && [[ ! " ${want[*]} " =~ " $mode " ]] && continue
    arg=${arg:-$mode}
    wait=${wait:-1}
    boot_s=240
    case "$only" in DEBUG) only=$debug ;; KMSAN) only=$kmsan boot_s=900 ;; ARM64) only=$arm64 ;; esac
    sys=""
    IFS=',' read -ra kv <<< "$sysctls"
    for s in "${kv[@]}"; do [ -n "$s" ] && sys+="\"${s%%=*}\": \"${s#*=}\", "; done
    cat > "$work/scenario-$mode.json" <<J
{ "name": "crasher-$mode",
  "limits": { "boot_s": $boot_s, "heartbeat_s": 60, "step_s": $((wait + 60)), "total_s": $((wait + boot_s + 60)),
              "max_boots": 1 },
  ${cmdline:+\"kernel_cmdline\": \"$cmdline\",}
  "sysctl": { ${sys}"kernel.panic_on_oops": "1" },
  "workload": [ { "op": "sleep", "seconds": $wait } ] }
J
    evidence='"evidence": { "status_file": "/proc/version", "counters": [] }'
    # kmemleak reports what a scan finds; its own first scan comes a minute
    # after boot and takes minutes under TCG: ask for one after the workload
    [ "$mode" = kmemleak ] && evidence='"manifest_version": 2,
  "evidence": { "command": { "timeout_s": 240, "run": [ "sh", "-c",
      "mount -t debugfs none /sys/kernel/debug && echo stack=off > /sys/kernel/debug/kmemleak && echo scan > /sys/kernel/debug/kmemleak && echo scan > /sys/kernel/debug/kmemleak && echo scanned=1" ] },
    "require": [ { "key": "scanned", "equals": "1" } ] }'
    cat > "$work/candidate-$mode.json" <<J
{ "name": "crasher", "version": "$mode",
  "module": { "name": "crasher", "source": "$root/tests/crasher", "args": "mode=$arg" },
  "content": [],
  $evidence }
J
    cells=""
    for k in ${only:-$kernels}; do
        mem=512
        case "$k" in *-debug|*-kmsan) mem=1024 ;; esac # sanitizers' shadow, kmemleak's pool
        cells+="{ \"id\": \"$k\", \"kernel\": \"$k\", \"memory_mib\": $mem },"
    done
    echo "{ \"name\": \"capture\", \"cells\": [ ${cells%,} ] }" > "$work/matrix-$mode.json"
    echo "== $mode"
    build/crashlab qualify --matrix "$work/matrix-$mode.json" --candidate "$work/candidate-$mode.json" \
        --scenario "$work/scenario-$mode.json" --out "$work/out-$mode" 2>&1 | grep -E '^\s|crash|hang' | tail -3
    for k in ${only:-$kernels}; do
        series=${k%%-*}; series=${series%.*}
        case "$k" in *-debug) series+=-debug ;; *-kmsan) series+=-kmsan ;; *-arm64) series+=-arm64 ;; esac
        dest=tests/data/triage/crasher-${mode%-arm64}-$series.log
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
