#!/bin/bash
# Print a matrix of every Debian 12 kernel ABI the package index offers, in
# the amd64, cloud-amd64 and rt-amd64 flavours (matrix/debian12.json was made
# with it; after that it is edited by hand like any matrix). A release whose
# linux-headers package the index does not carry (some ABIs are there only as
# images, from bookworm-security) cannot have a candidate module built
# against it: it is left out, and the description names it.
#   ring "canary": the newest 6.1 ABI and the one before it (N-1), the newest
#   6.1 cloud flavour and the newest 6.12 backport; ring "broad": the rest.
#   fleet_share: a starting weight (newest ABIs and the generic flavour
#   weigh most); replace it with the fleet's own numbers.
# usage: scripts/debian12-matrix.sh > matrix/debian12.json
set -euo pipefail
mapfile -t rel < <(apt-cache search --names-only '^linux-image-6\.(1|12)\.[0-9]+[-+][0-9a-z]+-(amd64|cloud-amd64|rt-amd64)$' \
    | awk '{print $1}' | grep -v -- '-dbg$' | sed 's/^linux-image-//' | sort -V)
skipped=()
kept=()
for r in "${rel[@]}"; do
    if apt-cache show "linux-headers-$r" >/dev/null 2>&1; then kept+=("$r"); else skipped+=("$r"); fi
done
rel=("${kept[@]}")
skipped_abis=$(printf '%s\n' "${skipped[@]}" | sed -E 's/-(cloud-|rt-)?amd64$//' | sort -Vu | paste -sd, - | sed 's/,/, /g')
abis_61=$(printf '%s\n' "${rel[@]}" | grep '^6\.1\.' | sed -E 's/-(cloud-|rt-)?amd64$//' | sort -Vu)
abis_612=$(printf '%s\n' "${rel[@]}" | grep '^6\.12\.' | sed -E 's/-(cloud-|rt-)?amd64$//' | sort -Vu)
new61=$(tail -n1 <<<"$abis_61"); prev61=$(tail -n2 <<<"$abis_61" | head -n1)
new612=$(tail -n1 <<<"$abis_612")
n61=$(wc -l <<<"$abis_61"); n612=$(wc -l <<<"$abis_612")

echo '{'
echo '  "name": "debian12",'
echo "  \"description\": \"Every Debian 12 kernel ABI the package index offered when this file was made ($n61 6.1 ABIs, $n612 6.12 backports) in the amd64, cloud-amd64 and rt-amd64 flavours. Left out: ${skipped_abis:-none} (the index has their images but not their linux-headers, so no module can be built against them). Ring canary runs first: the newest 6.1 ABI, N-1, the newest 6.1 cloud flavour and the newest 6.12 backport. fleet_share is a starting weight (newest ABIs and the generic flavour weigh most): replace it with the fleet's own numbers. Cells start from snapshots (each kernel booted once to the agent's wait and saved): content updates are qualified without a boot.\","
echo '  "defaults": { "memory_mib": 512, "vcpus": 1 },'
echo '  "rings": ["canary", "broad"],'
echo '  "cells": ['
first=1
for r in "${rel[@]}"; do
    abi=$(sed -E 's/-(cloud-|rt-)?amd64$//' <<<"$r")
    flavour=${r#"$abi"-}
    series=6.1; [[ $abi == 6.12.* ]] && series=6.12
    # weight: position of the ABI from the newest (1 newest), by flavour
    if [ $series = 6.1 ]; then age=$(( n61 - $(grep -nx "$abi" <<<"$abis_61" | cut -d: -f1) + 1 ))
    else age=$(( n612 - $(grep -nx "$abi" <<<"$abis_612" | cut -d: -f1) + 1 )); fi
    case $flavour in amd64) w=6;; cloud-amd64) w=3;; *) w=1;; esac
    share=$(awk -v w=$w -v a=$age 'BEGIN { printf "%.2f", w / a }')
    ring=broad
    case "$r" in "$new61-amd64"|"$prev61-amd64"|"$new61-cloud-amd64"|"$new612-amd64") ring=canary;; esac
    id="deb12-${abi%+deb12}-$flavour"
    [ $first = 1 ] || echo ','
    first=0
    printf '    { "id": "%s", "kernel": "%s", "image": "snapshot", "ring": "%s", "fleet_share": %s }' \
        "$id" "$r" "$ring" "$share"
done
echo
echo '  ]'
echo '}'
