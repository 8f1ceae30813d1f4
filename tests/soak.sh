#!/bin/bash
# Soak: qualify the good reference sensor on a matrix N times in a row (make
# soak: matrix/smoke.json, 20 times) and check that nothing drifts or leaks:
#   - the verdicts of every run are identical;
#   - crashlab's peak RSS and peak open file descriptors are flat (sampled
#     from /proc every 0.2 s while it runs);
#   - after every run: no crashlab domain, no scratch directory, no qemu, and
#     libvirtd / virtlogd hold no more descriptors than after the first run.
# One line per run, then the totals.
#
# usage: tests/soak.sh [RUNS] [MATRIX]
set -u
cd "$(dirname "$0")/.."
CL=${CL:-build/crashlab}
RUNS=${1:-20}
MATRIX=${2:-matrix/smoke.json}
W=$(mktemp -d /tmp/crashlab-soak.XXXXXX)
trap 'rm -rf "$W"' EXIT
. tests/scratch.sh
scratch_dirs >"$W/scratch.start"

fds_of() { local p; p=$(pgrep -x "$1" | head -n1); [ -n "$p" ] && ls /proc/"$p"/fd | wc -l || echo 0; }
left() {
    echo "$(virsh -c qemu:///system list --all --name 2>/dev/null | grep -c '^crashlab-')" \
         "$(scratch_new "$W/scratch.start" | wc -l)" \
         "$(pgrep -fc 'qemu-system-x86_64 -name guest=crashlab-' || true)"
}

first_v="" same=0 leaks=0
rss_min=0 rss_max=0 fd_min=0 fd_max=0 lv0=0 vl0=0 lv_max=0 vl_max=0
printf '%-4s %-6s %-8s %-5s %-9s %-12s %s\n' run exit rss_kib fds left libvirtd_fd verdicts
for ((i = 1; i <= RUNS; i++)); do
    "$CL" qualify --matrix "$MATRIX" --candidate sensor/candidate.json --out "$W/out" \
        >"$W/run.out" 2>"$W/run.err" &
    pid=$! rss=0 fds=0
    while kill -0 $pid 2>/dev/null; do
        r=$(awk '/VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
        f=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
        [ "${r:-0}" -gt $rss ] && rss=$r
        [ "${f:-0}" -gt $fds ] && fds=$f
        sleep 0.2
    done
    wait $pid
    rc=$?
    v=$(python3 -c "
import json
r=json.load(open('$W/out/report.json'))
print(' '.join('%s=%s' % (c['id'], c['verdict']) for c in r['cells']))" 2>/dev/null || echo no-report)
    read -r doms dirs qemus <<<"$(left)"
    lv=$(fds_of libvirtd) vl=$(fds_of virtlogd)
    if [ $i = 1 ]; then
        first_v=$v rss_min=$rss rss_max=$rss fd_min=$fds fd_max=$fds lv0=$lv vl0=$vl
    fi
    [ "$v" = "$first_v" ] && [ $rc = 0 ] && same=$((same + 1))
    [ $((doms + dirs + qemus)) -gt 0 ] && leaks=$((leaks + 1))
    [ $rss -lt $rss_min ] && rss_min=$rss; [ $rss -gt $rss_max ] && rss_max=$rss
    [ $fds -lt $fd_min ] && fd_min=$fds; [ $fds -gt $fd_max ] && fd_max=$fds
    [ $lv -gt $lv_max ] && lv_max=$lv; [ $vl -gt $vl_max ] && vl_max=$vl
    printf '%-4s %-6s %-8s %-5s %-9s %-12s %s\n' $i $rc $rss $fds "$doms/$dirs/$qemus" "$lv" "$v"
done

echo
echo "identical runs $same/$RUNS (exit 0, verdicts: $first_v)"
echo "crashlab peak RSS $((rss_min / 1024))-$((rss_max / 1024)) MiB, peak open fds $fd_min-$fd_max"
echo "libvirtd fds $lv0 after run 1, at most $lv_max; virtlogd $vl0, at most $vl_max"
echo "runs that left a domain, scratch directory or qemu behind: $leaks"
flat=1
# flat: the spread of the peaks is small (noise of sampling), not a climb
[ $((rss_max - rss_min)) -le $((rss_min / 10 + 2048)) ] && [ $((fd_max - fd_min)) -le 2 ] \
    && [ $((lv_max - lv0)) -le 4 ] && [ $((vl_max - vl0)) -le 4 ] && flat=0
[ $flat = 0 ] && echo "no leak: RSS, descriptors and daemons flat" || echo "LEAK: something climbed"
[ $same = "$RUNS" ] && [ $leaks = 0 ] && [ $flat = 0 ]
