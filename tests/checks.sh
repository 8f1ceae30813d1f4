# tests/checks.sh - sourced by the VM test scripts (integration, debug):
# counted checks and crashlab runs. Needs OUT (the run's output directory);
# prints "ok   - ..." / "FAIL - ..." lines. What runs leave behind (scratch
# directories, libvirt domains and volumes: no_domains, count_domains,
# count_volumes, which fail when virsh does) is read by tests/scratch.sh.
pass=0 fail=0
# the sanitizer build: any ASan/UBSan/leak report changes the exit code and fails a check
CL=${CL:-build/crashlab-asan}
export ASAN_OPTIONS=exitcode=99 LSAN_OPTIONS=exitcode=98 UBSAN_OPTIONS=halt_on_error=1:exitcode=97

ok()  { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# run NAME EXPECTED_RC ARGS...: run crashlab, keep stdout/stderr, check the code
run() {
    local name=$1 want=$2; shift 2
    "$CL" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    local rc=$?
    if [ "$rc" = "$want" ]; then ok "$name: exit $rc"; else
        bad "$name: exit $rc, want $want"; tail -5 "$OUT/$name.err" | sed 's/^/    /'; fi
}

# start NAME ARGS...: run crashlab in the background (two TCG guests at a time);
# finish NAME EXPECTED_RC after `wait` checks its exit code like run does
start() { local name=$1; shift; ( "$CL" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc" ) & }
finish() {
    local rc; rc=$(cat "$OUT/$1.rc" 2>/dev/null)
    if [ "$rc" = "$2" ]; then ok "$1: exit $rc"; else
        bad "$1: exit ${rc:-none}, want $2"; tail -5 "$OUT/$1.err" | sed 's/^/    /'; fi
}

# json FILE PYTHON-EXPR: evaluate an expression over the report (r) and its first cell (c);
# json FILE CELL-ID PYTHON-EXPR: c is the cell of that id
json() {
    local pick="r['cells'][0]" expr=$2
    if [ $# = 3 ]; then pick="{x['id']: x for x in r['cells']}['$2']" expr=$3; fi
    python3 -c "import json,sys; r=json.load(open('$1')); c=$pick; sys.exit(0 if ($expr) else 1)"
}

one_line() { [ "$(wc -l < "$OUT/$1.err")" = 1 ] && grep -q "$2" "$OUT/$1.err"; }
