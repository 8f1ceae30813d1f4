#!/bin/bash
# Fault injection: each fault is caused for real while crashlab qualifies the
# good reference sensor on matrix/ci.json (or one cell of it), then the
# outcome is checked against what must hold:
#   - an infrastructure fault ends as a pass on retry or as infra_error /
#     not_run (exit 0 or 2), never as a product verdict (crash, hang, ...),
#     and never as a pass the fault should have prevented;
#   - nothing is left behind: no crashlab domain, no scratch directory, no
#     half-written file;
#   - the fault is seen to have happened (a killed qemu's cell tried again,
#     the run's own words about a lost daemon, a rebuilt file, ...): an
#     outcome without that trace fails the row, since the fault may have
#     missed.
# Prints a table (fault, expected, got) and totals. Needs root (tmpfs mounts,
# signals to libvirtd), the daemons and the ci images (make check sets them up).
#
# usage: tests/faults.sh [--only NAME[,NAME...]]
set -u
cd "$(dirname "$0")/.."
CL=${CL:-build/crashlab}
MATRIX=matrix/ci.json
# the faults are the infrastructure's: the candidate's pre-flight (a fuzz run
# that a fresh cache does not remember) is not what they measure
CAND="sensor/candidate.json --skip-preflight"
# this run's directory: each crashlab run NAME keeps NAME.out, .err and .rc
# there (start, rc_of, wait_for, verdicts, report_has: tests/lib/checks.sh)
OUT=$(mktemp -d /tmp/crashlab-faults.XXXXXX)
export CRASHLAB_DB=${CRASHLAB_DB:-$OUT/history.db} # the runs here are not the user's history
. tests/lib/scratch.sh
. tests/lib/checks.sh
scratch_dirs >"$OUT/scratch.start"
ONLY=${2:-}
[ "${1:-}" = "--only" ] || ONLY=
rows=() survived=0 total=0 false_pass=0 blamed=0
product='crash|boot_loop|hang|install_failed|workload_failed|degraded'

cleanup() {
    for m in "$OUT"/mnt-*; do [ -d "$m" ] && umount "$m" 2>/dev/null; done
    if [ "$survived" != "$total" ]; then
        # a fault not survived: keep every run's reports and consoles to look at
        rm -rf build/faults-failed && mkdir -p build && mv "$OUT" build/faults-failed \
            && echo "faults: the runs' reports and consoles are kept in build/faults-failed" >&2
    fi
    rm -rf "$OUT"
    pkill -CONT -x libvirtd 2>/dev/null || true
}
trap cleanup EXIT

wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

# slow_scenario: prints the path of ipc-basic with a 20 s settle: a cell that
# is still working when a fault is injected
slow_scenario() {
    [ -s "$OUT/slow.json" ] || sed 's/"seconds": 0.25/"seconds": 20/' scenarios/ipc-basic.json >"$OUT/slow.json"
    grep -q '"seconds": 20' "$OUT/slow.json" || { echo "faults: ipc-basic has no 0.25 s settle to stretch" >&2; exit 2; }
    echo "$OUT/slow.json"
}
qemu_pids() { pgrep -f 'qemu-system-x86_64 -name guest=crashlab-' || true; }
# one_cell FILE [IMAGE]: the first cell of MATRIX as a matrix of its own
one_cell() { python3 tests/checks/one_cell.py "$MATRIX" "$1" "${2:-}"; }

# row NAME EXPECTED GOT OK(0|1) [FALSE_PASS BLAMED]
row() {
    total=$((total + 1))
    [ "$4" = 0 ] && survived=$((survived + 1))
    false_pass=$((false_pass + ${5:-0}))
    blamed=$((blamed + ${6:-0}))
    rows+=("$(printf '%-18s %-44s %s %s' "$1" "$2" "$([ "$4" = 0 ] && echo ok || echo FAIL)" "$3")")
    echo "${rows[-1]}" >&2
}

# judge NAME OUT RC ALLOWED_RCS PASS_ALLOWED EXPECTED [SEEN(0|1) TRACE]: the
# usual rules for a run; SEEN 1: the fault's TRACE is missing, the row fails
judge() {
    local name=$1 out=$2 rc=$3 rcs=$4 pass_ok=$5 expect=$6 v fp=0 bl=0 ok=0 trace=""
    v=$(verdicts "$out")
    if echo "$v" | grep -Eq "=($product)/"; then bl=1; ok=1; fi
    if [ "$pass_ok" = 0 ] && echo "$v" | grep -q "=pass/"; then fp=1; ok=1; fi
    [[ " $rcs " == *" $rc "* ]] || ok=1
    if [ $# -ge 7 ]; then
        [ "$7" = 0 ] && trace="; seen: $8" || { trace="; NOT seen: $8"; ok=1; }
    fi
    row "$name" "$expect" "exit $rc: $v$trace" "$ok" "$fp" "$bl"
}

# --- the faults -------------------------------------------------------------

fault_libvirtd_kill() {
    start kill -- qualify --matrix $MATRIX --candidate $CAND --scenario "$(slow_scenario)" --out "$OUT/kill"
    wait_for kill ': running' 300 && sleep 1
    local killed=1 seen=1 rc
    pkill -9 -x libvirtd && killed=0
    sleep 3
    pgrep -x libvirtd >/dev/null || build/reaper libvirtd -d
    rc=$(rc_of kill)
    # the run lost its connection, and a cell's attempt ended on it: tried again, or infra_error
    [ $killed = 0 ] && grep -q "lost the libvirt connection to qemu:///system\|libvirt connection dead" "$OUT/kill.err" \
        && report_has "$OUT/kill" "len(r['cells'])==2 and any((x['attempts']==2 and x['retried_because']) or x['verdict']=='infra_error' for x in r['cells'])" \
        && seen=0
    judge libvirtd-kill "$OUT/kill" "$rc" "0 2" 1 "retried after reconnect or infra_error; 0|2" \
        $seen "libvirtd killed, connection lost, a cell retried or infra_error"
}

fault_libvirtd_stop() {
    start stop -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/stop"
    wait_for stop qualifying && sleep 3
    pkill -STOP -x libvirtd
    wait_for stop "keepalive" 60
    local noticed=$?
    pkill -CONT -x libvirtd
    local rc; rc=$(rc_of stop)
    if [ $noticed != 0 ]; then
        row libvirtd-stop "keepalive notices a frozen daemon" "not noticed in 60 s" 1
    else
        # the frozen daemon cost a cell its attempt: the keepalive is the reason it gives
        local seen=1
        report_has "$OUT/stop" "len(r['cells'])==2 and any('keepalive' in (x['retried_because'] or '') or (x['verdict']=='infra_error' and 'keepalive' in x['title']) for x in r['cells'])" \
            && seen=0
        judge libvirtd-stop "$OUT/stop" "$rc" "0 2" 1 "keepalive notices, retried or infra_error" \
            $seen "a cell retried or infra_error on the keepalive"
    fi
}

fault_qemu_kill_once() {
    start q1 -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/q1"
    wait_for q1 qualifying
    local victim seen=1 rc i
    # a qemu a second into its boot (a cell takes ~3 s now: no longer pause first)
    for i in $(seq 300); do victim=$(qemu_pids | head -n1); [ -n "$victim" ] && break; sleep 0.1; done
    sleep 1
    [ -n "$victim" ] && kill -9 "$victim" 2>/dev/null || victim=""
    rc=$(rc_of q1)
    # the killed cell was tried again (2 attempts, the reason kept) and passed
    [ -n "$victim" ] && grep -q "; trying again" "$OUT/q1.err" \
        && report_has "$OUT/q1" "len(r['cells'])==2 and any(x['verdict']=='pass' and x['attempts']==2 and x['retried_because'] for x in r['cells'])" \
        && seen=0
    judge qemu-kill-once "$OUT/q1" "$rc" "0" 1 "the killed cell passes on retry; 0" \
        $seen "qemu ${victim:-(none found)} killed, its cell passed at attempt 2"
}

fault_qemu_kill_twice() {
    local one=$OUT/one.json i
    one_cell "$one"
    start q2 -- qualify --matrix "$one" --candidate $CAND --out "$OUT/q2"
    wait_for q2 qualifying
    local first second retried=1 seen=1 rc
    # its qemu, a second into its boot (the whole cell takes ~3 s now)
    for i in $(seq 300); do first=$(qemu_pids | head -n1); [ -n "$first" ] && break; sleep 0.1; done
    sleep 1
    kill -9 $first 2>/dev/null
    wait_for q2 "trying again" 60 && retried=0
    # the retry's qemu, killed as soon as it is there: a cell takes ~3 s now,
    # a pause first would let it finish (and read as a false pass)
    for i in $(seq 300); do
        second=$(qemu_pids | grep -vx "${first:-none}" | head -n1)
        [ -n "$second" ] && break
        sleep 0.1
    done
    kill -9 $second 2>/dev/null
    rc=$(rc_of q2)
    # both attempts were killed: the second qemu is another, the cell gave up after it
    [ -n "$first" ] && [ -n "$second" ] && [ "$first" != "$second" ] && [ $retried = 0 ] \
        && report_has "$OUT/q2" "len(r['cells'])==1 and c['verdict']=='infra_error' and c['attempts']==2 and c['retried_because']" \
        && seen=0
    judge qemu-kill-twice "$OUT/q2" "$rc" "2" 0 "infra_error after 2 attempts; 2" \
        $seen "qemu ${first:-(none)} then ${second:-(none)} killed, 2 attempts"
}

# a stuck external command: another builder holds the image lock forever
fault_command_hang() {
    local lock release t0 rc
    release=$(python3 -c "import json; print(json.load(open('$MATRIX'))['cells'][0]['kernel'])")
    lock=.cache/images/$release/.lock
    # the recipe must run to meet the lock: its last answer (seen) goes first
    rm -f ".cache/images/$release/seen"
    flock "$lock" sleep 300 &
    local holder=$!
    sleep 0.5
    t0=$(date +%s)
    start hang CRASHLAB_CMD_TIMEOUT=8 -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/hang"
    rc=$(rc_of hang)
    pkill -P $holder 2>/dev/null; kill $holder 2>/dev/null
    local took=$(( $(date +%s) - t0 )) ok=1 left
    left=$(pgrep -f "mkimage.sh $release" | wc -l)
    [ "$rc" = 2 ] && grep -q "mkimage.sh: no result after 8 s" "$OUT/hang.err" && [ $took -lt 60 ] \
        && [ "$left" = 0 ] && ok=0
    row command-hang "killed at its limit, named; 2; nothing left" \
        "exit $rc in ${took}s; $(grep -c 'no result' "$OUT/hang.err") named; $left left" $ok
}

# libguestfs under a limit shorter than its appliance needs to boot (~20 s
# under TCG): the watchdog kills the appliance's qemu, the cell is infra_error
fault_appliance_limit() {
    local rc t0 took ok=1
    # the disk image is made first, without the limit: the limit is for the appliance
    bash images/mkdisk.sh 6.1.0-56-amd64 .cache >"$OUT/gfs.mkdisk" 2>&1 \
        || { row appliance-limit "appliance killed at its limit; infra; 2" \
                 "the disk image could not be made: $(tail -1 "$OUT/gfs.mkdisk")" 1 0 0; return; }
    t0=$(date +%s)
    start gfs CRASHLAB_CMD_TIMEOUT=12 -- qualify --matrix tests/data/matrix/disk-6.1.json \
        --candidate $CAND --out "$OUT/gfs"
    rc=$(rc_of gfs)
    took=$(( $(date +%s) - t0 ))
    local v; v=$(verdicts "$OUT/gfs")
    [ "$rc" = 2 ] && echo "$v" | grep -q "=infra_error/2" && grep -q "appliance killed" "$OUT/gfs/report.json" \
        && [ -z "$(pgrep -f 'crashlab.gfs=')" ] && ok=0
    row appliance-limit "appliance killed at its limit; infra; 2" "exit $rc in ${took}s: $v" $ok 0 \
        "$(echo "$v" | grep -Ecq "=($product)/" && echo 1 || echo 0)"
}

# a damaged cache: truncated initramfs image and candidate module
fault_cache_truncate() {
    local release ko img rc kos=() named p
    release=$(python3 -c "import json; print(json.load(open('$MATRIX'))['cells'][0]['kernel'])")
    img=.cache/images/$release/base.cpio.gz
    truncate -s 1000 "$img"
    for ko in .cache/modules/*/*.ko; do [ -f "$ko" ] && truncate -s 100 "$ko" && kos+=("$(realpath "$ko")"); done
    start trunc -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/trunc"
    rc=$(rc_of trunc)
    local rebuilt=0
    # the image is whole again and matches its recorded digests
    [ "$(stat -c %s "$img")" -gt 1000 ] && (. images/cache.sh && sums_ok "$(dirname "$img")") \
        && rebuilt=$((rebuilt + 1))
    grep -q "does not match its recorded digest" "$OUT/trunc.err" && rebuilt=$((rebuilt + 1))
    # each module the run named is one truncated here, built again: whole, with its recorded digest
    named=$(sed -n 's/^crashlab: \(.*\) does not match its recorded digest; building again$/\1/p' "$OUT/trunc.err")
    if [ -n "$named" ]; then
        rebuilt=$((rebuilt + 1))
        while read -r p; do
            printf '%s\n' "${kos[@]}" | grep -qxF "$(realpath "$p")" \
                && [ "$(sha256sum <"$p" | cut -d' ' -f1)" = "$(head -c 64 "$p.sha256")" ] \
                || { rebuilt=$((rebuilt - 1)); break; }
        done <<<"$named"
    fi
    judge cache-truncate "$OUT/trunc" "$rc" "0" 1 "detected ($rebuilt/3 seen), rebuilt, pass; 0" \
        "$([ "$rebuilt" = 3 ] && report_has "$OUT/trunc" "len(r['cells'])==2" && echo 0 || echo 1)" \
        "image rebuilt, ${#kos[@]} truncated modules: $(echo "$named" | grep -c .) named and rebuilt"
}

# two runs at once sharing the caches, both having to build the same module
fault_two_runs() {
    rm -rf .cache/modules
    start twoA -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/twoA"
    local a=$PID
    start twoB -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/twoB"
    local rcb; rcb=$(rc_of twoB)
    PID=$a
    local rca; rca=$(rc_of twoA)
    local va vb ok=1 mods
    va=$(verdicts "$OUT/twoA"); vb=$(verdicts "$OUT/twoB")
    [ "$rca" = 0 ] && [ "$rcb" = 0 ] && ok=0
    # they ran at once, both on the one module per kernel the shared cache holds
    mods=$(find .cache/modules -mindepth 1 -maxdepth 1 -type d -name 'clsensor-*' 2>/dev/null | wc -l)
    python3 tests/checks/two_runs.py "$OUT/twoA" "$OUT/twoB" 2>/dev/null && [ "$mods" = 2 ] || ok=1
    row two-runs "both pass, caches shared; 0 and 0" "exit $rca/$rcb: $va | $vb; $mods cached modules" $ok
}

# tmpfs SIZE: a small file system of its own; prints its mount point
small_fs() {
    local m; m=$(mktemp -d "$OUT/mnt-XXXXXX")
    mount -t tmpfs -o size="$1" tmpfs "$m" && echo "$m"
}

fault_full_output() {
    local m rc ok=1
    m=$(small_fs 160k) || { row disk-full-out "exit 2, one line" "cannot mount tmpfs" 1; return; }
    local filled=1
    dd if=/dev/zero of="$m/fill" bs=1k count=120 2>/dev/null && filled=0
    start fullout -- qualify --matrix $MATRIX --candidate $CAND --out "$m/out"
    rc=$(rc_of fullout)
    local last; last=$(tail -n1 "$OUT/fullout.err")
    # exit 2; no report.json, or one that says error (never a complete-looking pass)
    if [ "$rc" = 2 ] && { [ ! -f "$m/out/report.json" ] || ! grep -q '"verdict": "pass"' "$m/out/report.json"; }; then
        ok=0
    fi
    # the disk did fill: a write of the run failed for want of space
    [ $filled = 0 ] && grep -q "No space left on device" "$OUT/fullout.err" || ok=1
    ls "$m"/out/*.tmp.* >/dev/null 2>&1 && ok=1
    row disk-full-out "exit 2, one line, no complete report" "exit $rc: ${last:0:90}" $ok
    umount "$m"
}

fault_full_cache() {
    local m rc ok=1
    m=$(small_fs 8m) || { row disk-full-cache "exit 2, one line" "cannot mount tmpfs" 1; return; }
    start fullcache CRASHLAB_CACHE="$m" -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/fullcache"
    rc=$(rc_of fullcache)
    local last; last=$(tail -n1 "$OUT/fullcache.err")
    [ "$rc" = 2 ] && echo "$last" | grep -q "failed" && ok=0
    # the build that failed is the small cache's, and it had begun filling it
    # (crashlab's package index, or a download), and says so
    local log; log=$(sed -n 's/.*, see \(.*\)$/\1/p' <<<"$last")
    [[ "$log" == "$m/"* ]] && grep -qE "mkimage: downloading|index: updating" "$log" &&
        grep -qE "No space left|write error|could not fetch" "$log" || ok=1
    row disk-full-cache "exit 2, the failing build named" "exit $rc: ${last:0:90}" $ok
    umount "$m"
}

fault_console_flood() {
    local one=$OUT/one.json rc hwm=0 pid rss ok=1 cap=1048576
    one_cell "$one"
    start flood CRASHLAB_CONSOLE_MAX=$cap -- reproduce --kernel "$(python3 -c "import json; print(json.load(open('$one'))['cells'][0]['kernel'])")" \
        --candidate sensor/candidate.json --scenario tests/data/scenario/console-flood.json --out "$OUT/flood"
    pid=""
    while [ -z "$pid" ] && [ ! -f "$OUT/flood.rc" ]; do pid=$(pgrep -P "$PID" -f "reproduce" | head -n1); sleep 0.1; done
    while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
        rss=$(awk '/VmRSS/ {print $2}' /proc/"$pid"/status 2>/dev/null || echo 0)
        [ "${rss:-0}" -gt "$hwm" ] && hwm=$rss
        sleep 0.5
    done
    rc=$(rc_of flood)
    local log; log=$(ls "$OUT"/flood/cells/*/console.log 2>/dev/null | head -n1)
    local size; size=$(stat -c %s "$log" 2>/dev/null || echo 0)
    local esc; esc=$(grep -c $'\x1b' "$OUT/flood.err")
    # the flood came (the guest wrote more than the cap) and crashlab's RSS was sampled
    if [ "$rc" = 0 ] && [ "$size" -lt $((cap + 4096)) ] && grep -q "console.log capped" "$log" \
       && [ "$esc" = 0 ] && [ "$hwm" -gt 0 ] && [ "$hwm" -lt 51200 ] \
       && report_has "$OUT/flood" "len(r['cells'])==1 and c['console_bytes']>$cap"; then ok=0; fi
    row console-flood "pass; log capped with a note; RSS<50MiB; no ESC" \
        "exit $rc; log $size B; RSS max $((hwm / 1024)) MiB; $esc raw ESC lines" $ok
}

fault_signal() {
    local sig=$1 name=sig-$1 rc
    # a workload that lasts, so the signal lands while a cell is working:
    # cells are now done seconds after they run, and a fixed sleep raced them
    start "$name" -- qualify --matrix $MATRIX --candidate $CAND --scenario "$(slow_scenario)" \
        --out "$OUT/$name"
    wait_for "$name" ': running' 300 && sleep 1
    local sent=1
    pkill -"$sig" -f -- "--out $OUT/$name\$" && sent=0
    rc=$(rc_of "$name")
    local v ok=1
    v=$(verdicts "$OUT/$name")
    [ "$rc" = 2 ] && echo "$v" | grep -q "not_run" && ! echo "$v" | grep -Eq "=($product)/" && ok=0
    # the signal reached crashlab: it says so, and both cells are in the report
    [ $sent = 0 ] && grep -q "crashlab: stopped by a signal; unfinished cells are not_run" "$OUT/$name.err" \
        && report_has "$OUT/$name" "len(r['cells'])==2" || ok=1
    row "$name" "partial report, not_run; 2" "exit $rc: $v" $ok 0 "$(echo "$v" | grep -Ecq "=($product)/" && echo 1 || echo 0)"
}

fault_confinement() {
    local user ok=1 xml
    start conf -- qualify --matrix $MATRIX --candidate $CAND --out "$OUT/conf"
    wait_for conf qualifying && sleep 2
    user=$(ps -o user= -p "$(qemu_pids | head -n1)" 2>/dev/null | tr -d ' ')
    rc_of conf >/dev/null
    xml=$(cat "$OUT"/conf/cells/*/domain.xml 2>/dev/null)
    local mode; mode=$(stat -c %a "$OUT/conf/report.json" 2>/dev/null)
    [ "$user" = libvirt-qemu ] && ! echo "$xml" | grep -q "seclabel type='none'" && [ "$mode" = 644 ] && ok=0
    row confinement "qemu as libvirt-qemu (DAC), no seclabel none" "qemu user ${user:-none}; report mode $mode" $ok
}

# crashlab SIGKILLed while a snapshot cell runs: a restored domain cannot be
# auto-destroyed, so it is left, and so is the run's scratch directory; the
# next run removes the directory (its owner is gone), destroys the guest (it
# holds the snapshot's lock) and qualifies normally
fault_snapshot_sigkill() {
    local snap=$OUT/snap.json left killed ok=0 v rc
    one_cell "$snap" snapshot
    # a workload that lasts (a restored cell is done ~0.5 s after it runs):
    # the guest must still be there when the run is killed
    scratch_dirs >"$OUT/scratch.before"
    start snapkill -- qualify --matrix "$snap" --candidate $CAND --scenario "$(slow_scenario)" \
        --out "$OUT/snapkill"
    wait_for snapkill ': running' 300
    pkill -9 -f -- "--out $OUT/snapkill" || true
    local krc; krc=$(rc_of snapkill)
    killed=$(scratch_new "$OUT/scratch.before")
    left=$(count_domains crashlab-snap- || echo "virsh failed")
    "$CL" qualify --matrix "$snap" --candidate $CAND --out "$OUT/snapagain" >"$OUT/snapagain.err" 2>&1
    rc=$?
    v=$(verdicts "$OUT/snapagain")
    # the run died of the SIGKILL (128 + 9), not of something else
    [ "$krc" = 137 ] && [ "$left" = 1 ] && [ "$rc" = 0 ] && [[ "$v" == *"=pass/1"* ]] || ok=1
    no_domains crashlab-snap- || ok=1
    # the killed run's directory existed, and the next run removed it, saying so
    [ -n "$killed" ] && [ -z "$(comm -12 <(echo "$killed") <(scratch_dirs))" ] \
        && grep -q "removed $killed, left by run" "$OUT/snapagain.err" || ok=1
    row snapshot-sigkill "killed run left guest+scratch; next run removes both" \
        "killed: exit $krc, left $left, scratch $(echo "$killed" | grep -c .); next exit $rc: $v" "$ok"
}

# A cached snapshot whose console port was saved mid-transmission (the state
# made so by tests/serial/poison.py, its digest recorded again so the cache
# takes it): restored, its console is dead. The cell must say so at once
# (infra, "dead console"), discard the snapshot and pass on its retry from a
# snapshot built and proven again: never a hang blamed on the candidate.
fault_dead_console() {
    local snap=$OUT/deadcon.json ok=0 v rc entry t0 took
    one_cell "$snap" snapshot
    "$CL" qualify --matrix "$snap" --candidate $CAND --out "$OUT/deadcon0" >/dev/null 2>&1
    entry=$(ls -d .cache/snapshots/"$(python3 -c "import json; print(json.load(open('$snap'))['cells'][0]['kernel'])")"-???????????????? | head -1)
    python3 tests/serial/poison.py "$entry/state.save" >&2 &&
        sha256sum "$entry/state.save" | cut -c1-64 | tr -d '\n' >"$entry/sha256" || ok=1
    t0=$(date +%s)
    "$CL" qualify --matrix "$snap" --candidate $CAND --out "$OUT/deadcon" >"$OUT/deadcon.out" 2>"$OUT/deadcon.err"
    rc=$? took=$(( $(date +%s) - t0 ))
    v=$(verdicts "$OUT/deadcon")
    # the retry passed from a snapshot built again; the first attempt said why at once
    [ "$rc" = 0 ] && report_has "$OUT/deadcon" "len(r['cells'])==1 and c['verdict']=='pass' and c['attempts']==2 and 'dead console' in (c['retried_because'] or '') and c['snapshot']['built_by_this_run']" || ok=1
    grep -q "restored with a dead console; discarded" "$OUT/deadcon.err" || ok=1
    grep -q '"restored"' "$OUT/deadcon/cells/"*/events.attempt1.log 2>/dev/null ||
        grep -q ' restored' "$OUT/deadcon/cells/"*/events.attempt1.log || ok=1
    ! grep -q 'serial/tsr' "$entry/state.save" || ok=1
    row dead-console "dead console: infra at once, rebuilt, pass on retry" \
        "exit $rc in ${took}s: $v" "$ok" 0 "$(echo "$v" | grep -Eq "=($product)/" && echo 1 || echo 0)"
}

# --- run, then count what was left -----------------------------------------
echo "# crashlab faults: $CL on $MATRIX" >&2
for f in libvirtd_kill libvirtd_stop qemu_kill_once qemu_kill_twice command_hang appliance_limit \
         cache_truncate two_runs full_output full_cache console_flood confinement snapshot_sigkill \
         dead_console; do
    wanted "${f//_/-}" && "fault_$f"
done
for s in INT TERM HUP; do wanted "sig-$s" && fault_signal $s; done

domains=$(count_domains crashlab- || echo "unknown (virsh failed)")
overlays=$(scratch_new "$OUT/scratch.start" | wc -l)
tmpfiles=$( { find .cache -name '*.tmp.*' -o -name '.dl.*' -o -name '.sums.tmp' \
                -o -name '.*.build.*' -o -name 'stage.*'; \
              find "$OUT" -name '*.tmp.*'; } 2>/dev/null | wc -l)

echo
printf '%-18s %-44s %s\n' fault expected got
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "faults survived $survived/$total"
echo "false passes $false_pass"
echo "candidate blamed for infrastructure $blamed"
echo "domains left $domains, overlays left $overlays, temp files left $tmpfiles"
# a failed row once more, last: the end of a long log is what a CI page shows
for r in "${rows[@]}"; do [[ "$r" == *" FAIL "* ]] && echo "not survived: $r"; done
[ "$survived" = "$total" ] && [ "$false_pass" = 0 ] && [ "$blamed" = 0 ] && [ "$domains" = 0 ] \
    && [ "$overlays" = 0 ] && [ "$tmpfiles" = 0 ]
