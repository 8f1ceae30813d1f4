#!/bin/sh
# This boot reached multi-user.target with the sensor loaded: a healthy boot.
# Reset the try count; content that ran a healthy boot becomes known-good.
set -u
state=/var/lib/clsensor
[ -d /sys/module/clsensor ] || exit 0
echo 0 > "$state/tries" && sync
newest=/var/lib/crashlab/channels/C-00000291.sys
if [ "$(cat /sys/module/clsensor/parameters/content)" = "$newest" ]; then
    mkdir -p "$state/known-good" && cp "$newest" "$state/known-good/C-00000291.sys" && sync
fi
