#!/bin/sh
# The last counts bpftrace printed, as key=value lines; whether it still runs.
out=/run/bpftrace-ipc.out
sleep 2 # one more interval: counts from after the workload
last() { grep "^@$1: " "$out" 2>/dev/null | tail -n 1 | cut -d' ' -f2; }
echo "fifo_creates=$(last fifo_creates)"
echo "connects=$(last connects)"
if systemctl is-active --quiet bpftrace-ipc.service; then echo "state=running"; else echo "state=stopped"; fi
