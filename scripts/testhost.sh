#!/bin/bash
# A second libvirt host on this machine, for multi-host tests (tests/hosts.sh):
# its own virtlogd and libvirtd in a private mount namespace where /run, /tmp,
# /var/lib/libvirt, /var/cache/libvirt, /var/log/libvirt and the checkout
# (with its .cache) are empty: it shares none of crashlab's files, so
# whatever a cell needs there must go through libvirt (volumes, streams).
# It listens on 127.0.0.1:PORT, unauthenticated: loopback, tests only.
#
# usage: scripts/testhost.sh start|kill|stop|pid [PORT]    (PORT: 16599)
#   start  prints the URI once the daemon answers (qemu+tcp://127.0.0.1:PORT/system)
#   kill   the host goes down: SIGKILL to its daemons and every qemu they started
#   stop   kills both daemons and every qemu they started, removes the state
#   pid    prints libvirtd's pid
set -euo pipefail
cmd=${1:-}
port=${2:-16599}
root=$(cd "$(dirname "$0")/.." && pwd)
state=/var/tmp/crashlab-testhost-$port
uri="qemu+tcp://127.0.0.1:$port/system"

pid_of() { [ -s "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null && cat "$state/$1.pid"; }

start() {
    if pid_of libvirtd >/dev/null; then echo "$uri"; return 0; fi
    [ -x "$root/build/reaper" ] || { echo "testhost: build/reaper missing (make)" >&2; exit 2; }
    mkdir -p "$state"
    cat >"$state/libvirtd.conf" <<CONF
listen_tls = 0
listen_tcp = 1
listen_addr = "127.0.0.1"
tcp_port = "$port"
auth_tcp = "none"
CONF
    local cache=${CRASHLAB_CACHE:-$root/.cache}
    cp "$root/build/reaper" "$state/reaper" # the checkout is hidden in there
    # the daemons outlive this shell and keep its mount namespace
    unshare --mount --propagation private bash -c '
        set -e
        for d in /run /tmp /var/lib/libvirt /var/cache/libvirt /var/log/libvirt "$2" "$3"; do
            [ -d "$d" ] && mount -t tmpfs -o mode=0755 tmpfs "$d"
        done
        chmod 1777 /tmp
        mkdir -p /run/libvirt /run/lock /var/lib/libvirt/qemu /var/cache/libvirt/qemu /var/log/libvirt/qemu
        "$1/reaper" virtlogd -d -p "$1/virtlogd.pid"
        "$1/reaper" libvirtd -d --listen -f "$1/libvirtd.conf" -p "$1/libvirtd.pid"
    ' testhost "$state" "$root" "$cache"
    for _ in $(seq 1 100); do
        if virsh -q -c "$uri" version >/dev/null 2>&1; then
            readlink "/proc/$(cat "$state/libvirtd.pid")/ns/mnt" >"$state/ns"
            echo "$uri"
            return 0
        fi
        sleep 0.2
    done
    echo "testhost: libvirtd did not answer on $uri" >&2
    exit 2
}

# The host's processes: those in the daemons' mount namespace (recorded at
# start) and all they started. libvirt double-forks each qemu into a mount
# namespace of its own; it is reparented to the daemon's reaper.
host_pids() {
    local ns q roots=""
    ns=$(cat "$state/ns" 2>/dev/null) && [ -n "$ns" ] || return 0
    for q in /proc/[0-9]*; do
        q=${q#/proc/}
        [ "$(readlink "/proc/$q/ns/mnt" 2>/dev/null)" = "$ns" ] && roots+="$q "
    done
    [ -n "$roots" ] || return 0
    ps -eo pid=,ppid= | awk -v roots="$roots" '
        BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) s[r[i]] = 1 }
        { parent[$1] = $2 }
        END { do { more = 0; for (p in parent) if (!(p in s) && (parent[p] in s)) { s[p] = 1; more = 1 } } while (more)
              for (p in s) print p }'
}

# SIGKILL to every process of the host, again until none is left (a qemu
# being spawned at the first pass is found by a later one)
kill_host() {
    local pids
    for _ in $(seq 1 10); do
        pids=$(host_pids)
        [ -n "$pids" ] || return 0
        kill -9 $pids 2>/dev/null || true
        sleep 0.2
    done
    return 0
}

stop() {
    local p
    kill_host
    p=$(pid_of virtlogd) && kill "$p" 2>/dev/null
    for _ in $(seq 1 50); do pid_of libvirtd >/dev/null || pid_of virtlogd >/dev/null || break; sleep 0.1; done
    rm -rf "$state"
}

case "$cmd" in
    start) start ;;
    kill) kill_host ;;
    stop) stop ;;
    pid) pid_of libvirtd || exit 1 ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
