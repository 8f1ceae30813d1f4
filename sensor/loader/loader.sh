#!/bin/sh
# clsensor loader: starts the sensor at every boot, with A/B content and boot
# counting. Every start counts a try in /var/lib/clsensor/tries; a boot that
# reaches healthy (healthy.sh, after multi-user.target) resets it. After
# MAX_TRIES tries that never reached healthy, the newest content is
# quarantined (its sha256 in /var/lib/clsensor/bad) and the sensor starts
# with the last known-good content instead, so a bad content update cannot
# keep a machine in a boot loop.
set -u
MAX_TRIES=2
state=/var/lib/clsensor
newest=/var/lib/crashlab/channels/C-00000291.sys
good=$state/known-good/C-00000291.sys
mkdir -p "$state"
tries=$(cat "$state/tries" 2>/dev/null || echo 0)
case "$tries" in ''|*[!0-9]*) tries=0;; esac
tries=$((tries + 1))
echo "$tries" > "$state/tries.new" && sync && mv "$state/tries.new" "$state/tries" && sync
content=$newest
sum=$(sha256sum "$newest" 2>/dev/null | cut -d' ' -f1)
if [ -f "$good" ] && [ -n "$sum" ] && [ "$(cat "$state/bad" 2>/dev/null)" = "$sum" ]; then
    content=$good
elif [ -f "$good" ] && [ "$tries" -gt "$MAX_TRIES" ]; then
    echo "$sum" > "$state/bad" && sync
    echo "clsensor-loader: $((tries - 1)) boots never reached healthy; newest content quarantined, starting with last known-good" > /dev/kmsg
    content=$good
fi
exec modprobe clsensor content="$content"
