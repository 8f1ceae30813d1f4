#!/bin/bash
# Run every unit-test binary given; print each one's cmocka output and a
# closing "N passed, N failed" line over all of them. Exit 1 if any failed.
set -u
passed=0 failed=0 bad=0
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ] && [ -z "$f" ]; then
        echo "unit: $t exited $rc without a cmocka summary (crash or sanitizer report)"
        bad=$((bad + 1))
    fi
done
echo "unit tests: $passed passed, $((failed + bad)) failed"
[ $failed -eq 0 ] && [ $bad -eq 0 ]
