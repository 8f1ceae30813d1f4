#!/bin/sh
# Evidence of the scap driver at work: stop the capture (sysdig closes the
# file on SIGINT) and count in it the IPC system calls of the workload.
cap=/var/lib/scap-capture/ipc.scap
systemctl stop scap-capture.service
if [ -d /sys/module/scap ]; then echo "driver=loaded"; else echo "driver=missing"; fi
count() { sysdig -r "$cap" "$1" 2>/dev/null | wc -l; }
echo "capture_bytes=$(stat -c %s "$cap" 2>/dev/null || echo 0)"
echo "capture_events=$(count 'evt.dir=<')"
echo "fifo_creates=$(count 'evt.type in (mknod, mknodat) and evt.dir=<')"
echo "unix_connects=$(count 'evt.type=connect and evt.dir=< and fd.type=unix')"
