#!/bin/bash
# Triage throughput: build/crashlab triage over 1,000 real console logs
# (the corpus in tests/data/triage, repeated) in one process. Target: well
# under one second in total. Prints the measurement; exits 1 over budget.
set -eu
cd "$(dirname "$0")/../.."
budget_ms=${BUDGET_MS:-1000}
dir=$(mktemp -d /tmp/crashlab-bench.XXXXXX)
trap 'rm -rf "$dir"' EXIT
corpus=(tests/data/triage/*)
for i in $(seq 0 999); do
    cp "${corpus[$((i % ${#corpus[@]}))]}" "$dir/$i.log"
done
bytes=$(cat "$dir"/*.log | wc -c)
best=999999
for run in 1 2 3; do
    t0=$(date +%s%N)
    build/crashlab triage "$dir"/*.log > "$dir/out.jsonl"
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    [ $ms -lt $best ] && best=$ms
done
lines=$(wc -l < "$dir/out.jsonl")
crashed=$(grep -c '"crashed": true' "$dir/out.jsonl" || true)
echo "triage: $lines logs, $((bytes / 1048576)) MiB, best of 3: ${best} ms ($crashed crashed)"
[ "$lines" = 1000 ] && [ "$best" -lt "$budget_ms" ]
