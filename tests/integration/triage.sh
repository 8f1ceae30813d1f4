#!/bin/bash
# crashlab triage on every file of the console corpus (tests/data/triage),
# headers included, as a user runs it: no VM. Part of tests/integration.sh.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# crashlab triage on every corpus file, headers included, as a user runs it"
check "triage CLI: every tests/data/triage case prints its expected class, title, frame, module, corrupted" \
    python3 tests/checks/triage_corpus.py build/crashlab tests/data/triage 40

[ "$fail" = 0 ]
