#!/bin/bash
# Bad input: one line on stderr, exit 2, no VM started. Part of
# tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# bad input"
run missing-matrix 2 qualify --matrix does-not-exist.json --candidate sensor/candidate.json --out "$OUT/x"
check "missing matrix: one line naming the file" one_line missing-matrix "does-not-exist.json: cannot open"
printf '{"cells": [ {"kernel": "6.1.0-56-amd64"}\n' > "$OUT/syntax.json"
run syntax-error 2 qualify --matrix "$OUT/syntax.json" --candidate sensor/candidate.json --out "$OUT/x"
check "syntax error: line and column" one_line syntax-error "syntax.json:2:0: malformed JSON"
printf '{"cells": [ {"kernel": "6.1.0-99-amd64"} ]}\n' > "$OUT/unknown.json"
run unknown-kernel 2 qualify --matrix "$OUT/unknown.json" --candidate sensor/candidate.json --out "$OUT/x"
check "unknown kernel: one line naming the matrix and the package" \
    one_line unknown-kernel \
    "unknown.json: unknown kernel 6.1.0-99-amd64: Debian has no package linux-image-6.1.0-99-amd64"
# the manifest beside a copy of the sensor's files, so its relative paths
# resolve as in the tree and nothing is written into it
tree_copy wrong-digest sensor
sed 's/"sha256": "[0-9a-f]*"/"sha256": "0000000000000000000000000000000000000000000000000000000000000000"/' \
    sensor/candidate.json > "$OUT/wrong-digest/sensor/candidate.json"
run wrong-digest 2 qualify --matrix matrix/ci.json --candidate "$OUT/wrong-digest/sensor/candidate.json" --out "$OUT/x"
check "wrong digest: one line" one_line wrong-digest "wrong digest"
run no-args 2 qualify

[ "$fail" = 0 ]
