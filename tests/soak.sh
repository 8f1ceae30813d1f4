#!/bin/bash
# Soak: qualify the good reference sensor on a matrix N times in a row (make
# soak: matrix/smoke.json, 20 times; make soak-debian12: matrix/debian12.json
# 10 times, then 10 times with two runs at once) and check that nothing
# drifts, leaks or blames the lab on the candidate:
#   - every cell of every run passes, and its console.log is not empty (a
#     restored cell whose console never connected is the lab's fault, and
#     must be neither a verdict nor silence);
#   - the verdicts of every run are identical;
#   - crashlab's peak RSS and peak open file descriptors are flat (sampled
#     from /proc every 0.2 s while it runs; from round 2 on: round 1 may build caches);
#   - after every round: no crashlab domain, no scratch directory, no qemu,
#     and libvirtd / virtlogd hold no more descriptors than after the first.
# With --parallel P, each round starts P runs at once (each its own output
# directory). One line per run, then the totals.
#
# usage: tests/soak.sh [--parallel P] [RUNS] [MATRIX]
set -u
cd "$(dirname "$0")/.."
CL=${CL:-build/crashlab}
PAR=1
if [ "${1:-}" = --parallel ]; then PAR=$2; shift 2; fi
RUNS=${1:-20}
MATRIX=${2:-matrix/smoke.json}
W=$(mktemp -d /tmp/crashlab-soak.XXXXXX)
export CRASHLAB_DB=${CRASHLAB_DB:-$W/history.db} # the runs here are not the user's history
trap 'rm -rf "$W"' EXIT
KEEP=${SOAK_KEEP:-/tmp/crashlab-soak-failed.$$} # failing runs' directories, kept after the soak
. tests/lib/scratch.sh
scratch_dirs >"$W/scratch.start"

fds_of() { local p; p=$(pgrep -x "$1" | head -n1); [ -n "$p" ] && ls /proc/"$p"/fd | wc -l || echo 0; }
# domains ("?" when virsh fails: unknown, counted as a leak), scratch directories, qemus
left() {
    echo "$(count_domains crashlab- || echo '?')" \
         "$(scratch_new "$W/scratch.start" | wc -l)" \
         "$(pgrep -fc 'qemu-system-x86_64 -name guest=crashlab-' || true)"
}

# one_run K: qualify into $W/out$K, sampling its peak RSS and fds into $W/peak$K
one_run() {
    local k=$1 pid rss=0 fds=0 r f
    "$CL" qualify --matrix "$MATRIX" --candidate sensor/candidate.json --out "$W/out$k" \
        >"$W/run$k.out" 2>"$W/run$k.err" &
    pid=$!
    while kill -0 $pid 2>/dev/null; do
        r=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
        f=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
        [ "${r:-0}" -gt $rss ] && rss=$r
        [ "${f:-0}" -gt $fds ] && fds=$f
        sleep 0.2
    done
    wait $pid
    echo "$? $rss $fds" >"$W/peak$k"
}

# verdicts, cells, passing cells, cells with a non-empty console.log of run K
tally() { python3 tests/checks/soak_tally.py "$W/out$1" 2>/dev/null || echo "no-report 0 0 0"; }

first_v="" same=0 leaks=0 ncells=0 npass=0 ncon=0 runs=0
rss_min=0 rss_max=0 fd_min=0 fd_max=0 lv0=0 vl0=0 lv_max=0 vl_max=0
printf '%-6s %-6s %-8s %-5s %-7s %-9s %-12s %s\n' run exit rss_kib fds passed consoles left libvirtd_fd
for ((i = 1; i <= RUNS; i++)); do
    for ((k = 1; k <= PAR; k++)); do one_run $k & done
    wait
    read -r doms dirs qemus <<<"$(left)"
    lv=$(fds_of libvirtd) vl=$(fds_of virtlogd)
    [ $i = 1 ] && lv0=$lv vl0=$vl
    { [ "$doms" = "?" ] || [ $((doms + dirs + qemus)) -gt 0 ]; } && leaks=$((leaks + 1))
    [ $lv -gt $lv_max ] && lv_max=$lv; [ $vl -gt $vl_max ] && vl_max=$vl
    for ((k = 1; k <= PAR; k++)); do
        read -r rc rss fds <"$W/peak$k"
        read -r v n p c <<<"$(tally $k)"
        runs=$((runs + 1)) ncells=$((ncells + n)) npass=$((npass + p)) ncon=$((ncon + c))
        [ $runs = 1 ] && first_v=$v
        [ "$v" = "$first_v" ] && [ "$rc" = 0 ] && same=$((same + 1))
        # the peaks' spread from round 2 on: round 1 may build what the cache
        # lacks (images, modules, snapshots: more pipes, more memory) - a
        # leak climbs over the rounds after it as well
        if [ $i = 2 ] && [ $k = 1 ]; then rss_min=$rss rss_max=$rss fd_min=$fds fd_max=$fds; fi
        if [ $i -ge 2 ]; then
            [ $rss -lt $rss_min ] && rss_min=$rss; [ $rss -gt $rss_max ] && rss_max=$rss
            [ $fds -lt $fd_min ] && fd_min=$fds; [ $fds -gt $fd_max ] && fd_max=$fds
        fi
        printf '%-6s %-6s %-8s %-5s %-7s %-9s %-12s %s\n' "$i.$k" "$rc" "$rss" "$fds" "$p/$n" \
            "$c/$n" "$doms/$dirs/$qemus" "$lv"
        if [ "$p" != "$n" ] || [ "$c" != "$n" ] || [ "$rc" != 0 ]; then
            # nothing lost: the failing run's directory kept, its cells said
            kept=$KEEP/run$i.$k
            mkdir -p "$KEEP" && cp -a "$W/out$k" "$kept" && cp "$W/run$k.err" "$kept/crashlab.err"
            python3 -c "import json,sys; [print('    %s %s: %s (attempts %s, from %s)' % (c['id'], c['verdict'],
c['title'][:160], c['attempts'], c.get('started_from'))) for c in json.load(open(sys.argv[1]))['cells']
if c['verdict'] != 'pass']" "$kept/report.json" 2>/dev/null
            echo "    kept in $kept"
        fi
    done
done

echo
echo "cells passed $npass of $ncells; console.log non-empty $ncon of $ncells ($runs runs of $MATRIX, $PAR at a time)"
echo "identical runs $same/$runs (exit 0, the same verdicts)"
echo "crashlab peak RSS $((rss_min / 1024))-$((rss_max / 1024)) MiB, peak open fds $fd_min-$fd_max (rounds 2-$RUNS)"
echo "libvirtd fds $lv0 after round 1, at most $lv_max; virtlogd $vl0, at most $vl_max"
echo "rounds that left a domain, scratch directory or qemu behind: $leaks"
flat=1
# flat: the spread of the peaks is small (noise of sampling), not a climb
[ $((rss_max - rss_min)) -le $((rss_min / 10 + 2048)) ] && [ $((fd_max - fd_min)) -le 2 ] \
    && [ $((lv_max - lv0)) -le $((4 * PAR)) ] && [ $((vl_max - vl0)) -le $((4 * PAR)) ] && flat=0
[ $flat = 0 ] && echo "no leak: RSS, descriptors and daemons flat" || echo "LEAK: something climbed"
[ $ncells -gt 0 ] && [ $npass = $ncells ] && [ $ncon = $ncells ] && [ $same = $runs ] &&
    [ $leaks = 0 ] && [ $flat = 0 ]
