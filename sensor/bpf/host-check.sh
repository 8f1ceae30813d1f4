#!/bin/bash
# host-check.sh - each build of the BPF reference sensor on this machine's
# running kernel, for real (root): good loads, attaches, counts and matches
# events; unbounded is refused by the verifier; newer loads (a 6.4+ kernel);
# degraded exits 0 with the unix-connect program left unattached.
#
# One line per check, "ok ..." or "FAIL ...", and exit 1 on any FAIL. It
# leaves the machine as it found it: nothing pinned under /sys/fs/bpf/
# clsensor, no sensor program loaded, bpf_stats_enabled and the bpffs and
# tracefs mounts as they were. Builds the loaders first (make sensor-bpf).
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin="$root/build/sensor-bpf"
content="$root/sensor/content/channel-291-good.bin"
pins=/sys/fs/bpf/clsensor
progs="cl_fifo_create cl_fifo_open cl_unix_connect"
fails=0

if [ "$(id -u)" != 0 ]; then
    echo "host-check: needs root (loads BPF programs)" >&2; exit 2
fi
make -C "$root" --no-print-directory -s sensor-bpf || exit 2

work=$(mktemp -d /tmp/clsensor-check.XXXXXX)
stats_was=$(cat /proc/sys/kernel/bpf_stats_enabled)
mounted() { [ "$(stat -f -c %T "$1" 2>/dev/null)" = "$2" ]; }
bpffs_was=0; mounted /sys/fs/bpf bpf_fs && bpffs_was=1
tracefs_was=0; mounted /sys/kernel/tracing tracefs && tracefs_was=1

check() { # check NAME CONDITION-EXIT-STATUS [DETAIL]
    if [ "$2" = 0 ]; then echo "ok   $1"; else echo "FAIL $1${3:+: $3}"; fails=$((fails + 1)); fi
}

# Ids of loaded sensor programs, one per line (none when unloaded).
prog_ids() {
    bpftool -j prog show | python3 -c '
import json, sys
names = set(sys.argv[1].split())
for p in json.load(sys.stdin):
    if p.get("name") in names:
        print(p["id"], p["name"], p.get("type"), p.get("run_cnt", 0))' "$progs"
}

# Links per sensor program: "NAME COUNT" lines.
links_per_prog() {
    local ids; ids=$(prog_ids)
    bpftool -j link show | python3 -c '
import json, sys
ids = {int(l.split()[0]): l.split()[1] for l in sys.argv[1].splitlines() if l}
count = {n: 0 for n in ids.values()}
for l in json.load(sys.stdin):
    if l.get("prog_id") in ids:
        count[ids[l["prog_id"]]] += 1
for n, c in sorted(count.items()):
    print(n, c)' "$ids"
}

# Wait until no sensor program is loaded (they go once RCU lets them).
gone() {
    for _ in $(seq 50); do [ -z "$(prog_ids)" ] && return 0; sleep 0.1; done
    return 1
}

unload() { "$bin/good/clsensor-bpf" unload >/dev/null 2>&1; gone; }

cleanup() {
    unload
    echo "$stats_was" > /proc/sys/kernel/bpf_stats_enabled
    [ "$tracefs_was" = 0 ] && mounted /sys/kernel/tracing tracefs && umount /sys/kernel/tracing
    [ "$bpffs_was" = 0 ] && mounted /sys/fs/bpf bpf_fs && umount /sys/fs/bpf
    rm -rf "$work"
}
trap cleanup EXIT

# The IPC the good content watches: a FIFO named msagent_* (instance 1), an
# open of a FIFO named MSSE-*-server (2), a connect to .../run/ipc/*.sock (3).
workload() {
    mkdir -p "$work/run/ipc" || return 1
    mkfifo "$work/msagent_hc" "$work/MSSE-hc-server" || return 1
    python3 - "$work" <<'EOF'
import os, socket, sys
w = sys.argv[1]
os.close(os.open(w + "/MSSE-hc-server", os.O_RDWR))
os.close(os.open(w + "/msagent_hc", os.O_RDONLY | os.O_NONBLOCK))
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(w + "/run/ipc/hc.sock"); srv.listen(1)
cli = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
cli.connect(w + "/run/ipc/hc.sock")
cli.close(); srv.close()
EOF
}

status_value() { awk -v k="$1" '$1 == k { print $2 }' "$work/status"; }

# Nothing of ours may be there before we start.
unload
check "start: nothing pinned, no sensor program loaded" \
    "$([ ! -e $pins ] && [ -z "$(prog_ids)" ]; echo $?)"

# --- good
"$bin/good/clsensor-bpf" load --content "$content" 2>"$work/good.err"
check "good: load exits 0" "$?" "$(tail -1 "$work/good.err")"
n=$(prog_ids | awk '$3 == "tracepoint"' | wc -l)
check "good: bpftool prog show lists the 3 programs" "$([ "$n" = 3 ]; echo $?)" "$n listed"
links=$(links_per_prog | tr '\n' ' ')
check "good: bpftool link show has links for each (${links% })" \
    "$([ "$links" = "cl_fifo_create 2 cl_fifo_open 3 cl_unix_connect 1 " ]; echo $?)"
echo 1 > /proc/sys/kernel/bpf_stats_enabled
workload
check "good: workload (mkfifo, FIFO opens, unix connect) ran" "$?"
"$bin/good/clsensor-bpf" status > "$work/status"
check "good: status exits 0" "$?"
for k in events_fifo_create events_fifo_open events_unix_connect; do
    v=$(status_value $k)
    check "good: $k ${v:-?} > 0" "$([ "${v:-0}" -gt 0 ]; echo $?)"
done
v=$(status_value matches)
check "good: matches ${v:-?} = 3 (instances 1, 2 and 3 of the content)" "$([ "${v:-0}" = 3 ]; echo $?)"
sum=$(sha256sum "$content" | cut -d' ' -f1)
check "good: content_sha256 is the file's" "$([ "$(status_value content_sha256)" = "$sum" ]; echo $?)"
cov=$(grep -c '^coverage_instance [0-9]* \([0-9a-f]*\) \1$' "$work/status")
check "good: coverage: every instance's criteria evaluated" "$([ "$cov" = 4 ]; echo $?)" "$cov of 4"
runs=$(prog_ids | awk '{ printf "%s=%s ", $2, $4 }')
check "good: run_cnt > 0 for each (${runs% })" \
    "$(prog_ids | awk '$4 == 0 { bad = 1 } END { exit bad || NR != 3 }'; echo $?)"
echo "$stats_was" > /proc/sys/kernel/bpf_stats_enabled
"$bin/good/clsensor-bpf" unload
check "good: unload exits 0, nothing pinned, programs gone" \
    "$(r=$?; gone && [ $r = 0 ] && [ ! -e $pins ]; echo $?)"

# --- unbounded: the verifier refuses the interpreter; nothing stays
"$bin/unbounded/clsensor-bpf" load --content "$content" 2>"$work/unbounded.err"
check "unbounded: load exits 1" "$([ $? = 1 ]; echo $?)"
grep -q "^libbpf: prog 'cl_[a-z_]*': -- BEGIN PROG LOAD LOG --" "$work/unbounded.err" &&
    grep -q -- "-- END PROG LOAD LOG --" "$work/unbounded.err"
log=$?
prog=$(sed -n "s/^libbpf: prog '\(cl_[a-z_]*\)': -- BEGIN PROG LOAD LOG --/\1/p" "$work/unbounded.err")
why=$(grep -B1 -m1 'outside of the allowed memory range' "$work/unbounded.err" | head -1)
check "unbounded: stderr has the verifier log of $prog: $why" \
    "$([ $log = 0 ] && [ -n "$why" ]; echo $?)"
check "unbounded: nothing pinned, no program loaded" \
    "$([ ! -e $pins ] && [ -z "$(prog_ids)" ]; echo $?)"

# --- newer: open-coded iterators load on this kernel
"$bin/newer/clsensor-bpf" load --content "$content" 2>"$work/newer.err"
check "newer: load exits 0 on $(uname -r)" "$?" "$(tail -1 "$work/newer.err")"
bpftool prog dump xlated name cl_fifo_create > "$work/xlated"
grep -q 'call bpf_iter_num_next' "$work/xlated"
check "newer: cl_fifo_create calls bpf_iter_num_next" "$?"
mkfifo "$work/msagent_newer"
"$bin/newer/clsensor-bpf" status > "$work/status"
check "newer: a FIFO counted and matched" \
    "$([ "$(status_value events_fifo_create)" -gt 0 ] && [ "$(status_value matches)" -gt 0 ]; echo $?)"
unload

# --- degraded: exits 0, says only what good says, unix connect unattached
"$bin/degraded/clsensor-bpf" load --content "$content" 2>"$work/degraded.err"
check "degraded: load exits 0" "$?"
check "degraded: says nothing more than good" "$(cmp -s "$work/good.err" "$work/degraded.err"; echo $?)"
links=$(links_per_prog | tr '\n' ' ')
check "degraded: cl_unix_connect loaded with no link (${links% })" \
    "$([ "$links" = "cl_fifo_create 2 cl_fifo_open 3 cl_unix_connect 0 " ]; echo $?)"
rm -rf "$work/run" "$work"/msagent_hc "$work"/MSSE-hc-server
workload
"$bin/degraded/clsensor-bpf" status > "$work/status"
check "degraded: a unix connect is not seen (events_unix_connect $(status_value events_unix_connect))" \
    "$([ "$(status_value events_unix_connect)" = 0 ]; echo $?)"
unload

check "end: nothing pinned, no sensor program loaded" \
    "$([ ! -e $pins ] && [ -z "$(prog_ids)" ]; echo $?)"
echo "host-check: $fails failed"
[ "$fails" = 0 ]
