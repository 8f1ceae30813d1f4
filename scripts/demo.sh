#!/bin/bash
# make demo: qualify the reference sensor on matrix/smoke.json twice - with
# its good channel 291 content, and as it shipped in July 2024 (interpreter
# without bounds check, content with a 21st input field) - and print both
# verdicts. Succeeds when the good run passes (exit 0) and the CF291 run is
# blocked (exit 1) on every cell.
set -u
cd "$(dirname "$0")/.."
out=${CRASHLAB_DEMO_OUT:-crashlab-out/demo}
rm -rf "$out"
echo "== crashlab demo: building images of matrix/smoke.json"
build/crashlab images --matrix matrix/smoke.json || exit 2
echo
echo "== 1/2 good content: sensor/candidate.json"
build/crashlab qualify --matrix matrix/smoke.json --candidate sensor/candidate.json --out "$out/good"
good=$?
echo
echo "== 2/2 Channel-File-291-style content: sensor/candidate-cf291.json"
build/crashlab qualify --matrix matrix/smoke.json --candidate sensor/candidate-cf291.json --out "$out/cf291"
bad=$?
echo
echo "== verdicts"
echo "good content:  exit $good ($( [ $good = 0 ] && echo 'release may ship' || echo 'release blocked'))  report: $out/good/report.json"
echo "CF291 content: exit $bad ($( [ $bad = 0 ] && echo 'release may ship' || echo 'release blocked'))  report: $out/cf291/report.json"
if [ $good = 0 ] && [ $bad = 1 ]; then
    echo "demo: as expected - the good build passes, the CF291 build is blocked before it ships"
    exit 0
fi
echo "demo: unexpected result (want 0 and 1)"
exit 1
