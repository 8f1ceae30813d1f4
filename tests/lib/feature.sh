# tests/lib/feature.sh - sourced first by every tests/integration/*.sh, from
# the project root: the shared output directory OUT (CRASHLAB_TEST_OUT, which
# tests/integration.sh exports; a new one when a feature runs alone), the
# helpers of tests/lib/, the baseline of scratch directories, and on exit the
# feature's tally ("PASS FAIL" in OUT/tally/FEATURE) for tests/integration.sh
# to add up. A feature that needs what an earlier one made says so with
# needs; it ends with `[ "$fail" = 0 ]`.
FEATURE=$(basename "$0" .sh)
OUT=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-it.XXXXXX)}
. tests/lib/scratch.sh
. tests/lib/checks.sh
[ -e "$OUT/scratch.start" ] || scratch_dirs >"$OUT/scratch.start"
mkdir -p "$OUT/tally"
# written even when the script stops early (an unset variable under set -u)
trap 'echo "$pass $fail" >"$OUT/tally/$FEATURE"; echo "# $FEATURE: $pass passed, $fail failed"' EXIT

# needs FEATURE PATH...: the files of OUT an earlier feature made; when one is
# missing, say which script makes it (its checks will fail, not be skipped)
needs() {
    local by=$1 p
    shift
    for p in "$@"; do
        [ -e "$OUT/$p" ] || echo "# $FEATURE: $OUT/$p missing: tests/integration/$by.sh makes it" >&2
    done
}

# tree_copy DIR PATH...: the project's PATHs copied into OUT/DIR at their
# place in the tree, so a manifest written there beside them resolves its
# relative paths as it would in the tree, and nothing is written into it
tree_copy() {
    local d=$OUT/$1
    shift
    rm -rf "$d" && mkdir -p "$d" && cp -a --parents "$@" "$d/"
}
