#!/bin/bash
# The release gate over the signed statements of qualify.sh and scenarios.sh:
# the statement's shape, a pass, and each refusal (a changed content byte,
# an edited statement, another key, a cell not qualified, too old, a failing
# run, a run that skipped the pre-flight), each saying why. Part of
# tests/integration.sh (tests/gate-attacks.sh attacks it further).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
needs qualify k.pub other.pub good/attestation.json cf291/attestation.json
needs scenarios storm/attestation.json

echo "# the release gate: crashlab gate over the signed statements"
G="--pubkey $OUT/k.pub --matrix matrix/ci.json --max-age 24h"
check "the statement: DSSE envelope, in-toto Statement v1, subjects = manifest, content, every source file, each module" \
    python3 tests/checks/attestation.py statement "$OUT/good/attestation.json"
run gate-pass 0 gate --attestation "$OUT/good/attestation.json" --candidate sensor/candidate.json $G
# gate_refused NAME REASON ARGS...: exit 1 with REASON on its one line
gate_refused() {
    local name=$1 why=$2; shift 2
    run "$name" 1 gate "$@"
    check "$name: refused, saying so" one_line "$name" "gate: refused: .*$why"
}
rm -rf "$OUT/cand" && cp -a sensor "$OUT/cand"
printf '\x01' | dd of="$OUT/cand/content/channel-291-good.bin" bs=1 seek=100 conv=notrunc status=none
gate_refused gate-content-byte "channel-291-good.bin (content) changed since it was qualified" \
    --attestation "$OUT/good/attestation.json" --candidate "$OUT/cand/candidate.json" $G
python3 tests/checks/attestation.py edit "$OUT/good/attestation.json" "$OUT/edited.json"
gate_refused gate-edited "signature does not verify" --attestation "$OUT/edited.json" \
    --candidate sensor/candidate.json $G
gate_refused gate-other-key "signature does not verify" --attestation "$OUT/good/attestation.json" \
    --candidate sensor/candidate.json --pubkey "$OUT/other.pub" --matrix matrix/ci.json
gate_refused gate-missing-cell "cell snap-6.1-n .* was not qualified" \
    --attestation "$OUT/good/attestation.json" --candidate sensor/candidate.json \
    --pubkey "$OUT/k.pub" --matrix tests/data/matrix/snapshot.json
sleep 2
gate_refused gate-too-old "s old (finished .*); the limit is 1 s" --attestation "$OUT/good/attestation.json" \
    --candidate sensor/candidate.json --pubkey "$OUT/k.pub" --matrix matrix/ci.json --max-age 1s
gate_refused gate-failing-run "cell deb12-6.1-n .*: crash" --attestation "$OUT/cf291/attestation.json" \
    --candidate sensor/candidate-cf291.json $G
gate_refused gate-preflight-skipped "skipped the candidate's pre-flight" \
    --attestation "$OUT/storm/attestation.json" --candidate sensor/candidate.json $G
run gate-bad-input 2 gate --attestation "$OUT/none.json" --candidate sensor/candidate.json $G

[ "$fail" = 0 ]
