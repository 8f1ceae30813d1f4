#!/bin/bash
# Run every unit-test binary given; print each one's cmocka output and a
# closing "N passed, N failed" line over all of them. Exit 1 if any failed.
# They run from the project root and write only under /tmp.
set -u
passed=0 failed=0 bad=0
# a cache of their own (pre-flight steps keep theirs in it): the tests write
# nothing into the checkout, whose .cache the VM tests and their images own;
# readable by the build user that pre-flight steps run as
CRASHLAB_CACHE=$(mktemp -d /tmp/crashlab-unit-cache.XXXXXX) || exit 1
export CRASHLAB_CACHE
chmod 0755 "$CRASHLAB_CACHE"
# the history store's tests run on a PostgreSQL server of their own as well
. tests/lib/pg.sh
PG_DIR=$(mktemp -d /tmp/crashlab-unit-pg.XXXXXX) || exit 1
CRASHLAB_TEST_PG=$(pg_start "$PG_DIR") || echo "unit: no PostgreSQL for the history tests" >&2
export CRASHLAB_TEST_PG
trap 'pg_stop "$PG_DIR"; rm -rf "$CRASHLAB_CACHE"' EXIT
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
