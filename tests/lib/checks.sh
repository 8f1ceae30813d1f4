# tests/lib/checks.sh - counted checks over crashlab's runs, the one copy the
# VM test scripts share (tests/integration/*.sh, tests/debug.sh,
# tests/third-party.sh, tests/faults.sh). Needs OUT, the run's output
# directory: a crashlab run NAME keeps its stdout, stderr and exit code there
# as NAME.out, NAME.err and NAME.rc. A check prints "ok   - ..." or
# "FAIL - ..." and counts in pass / fail; the caller prints the totals. What
# runs leave behind (scratch directories, domains, volumes) is read by
# tests/lib/scratch.sh; the longer Python checks are files of tests/checks/.
pass=0 fail=0
# the sanitizer build: any ASan/UBSan/leak report changes the exit code and
# fails a check (tests/faults.sh sets CL to the plain build before sourcing)
CL=${CL:-build/crashlab-asan}
export ASAN_OPTIONS=exitcode=99 LSAN_OPTIONS=exitcode=98 UBSAN_OPTIONS=halt_on_error=1:exitcode=97

ok()  { echo "ok   - $1"; pass=$((pass + 1)); }
bad() { echo "FAIL - $1"; fail=$((fail + 1)); }
# check WHAT CMD...: ok when CMD succeeds
check() {
    local what=$1 t0=$SECONDS
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
    took "$t0" "check: ${what:0:60}"
}
# took T0 WHAT: a step's seconds since T0 into OUT/times ("SECONDS FEATURE WHAT"),
# for tests/integration.sh to name where make check's minutes go
took() { echo "$((SECONDS - $1)) ${FEATURE:-${0##*/}} $2" >>"$OUT/times"; }

# run NAME EXPECTED_RC ARGS...: run crashlab, keep stdout/stderr, check the code
run() {
    local name=$1 want=$2 t0=$SECONDS; shift 2
    "$CL" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    local rc=$?
    took "$t0" "run: $name"
    if [ "$rc" = "$want" ]; then ok "$name: exit $rc"; else
        bad "$name: exit $rc, want $want"; tail -5 "$OUT/$name.err" | sed 's/^/    /'; fi
}

# start NAME [VAR=VALUE...] [--] ARGS...: run crashlab in the background with
# those variables in its environment; sets PID (the subshell's). Two TCG
# guests at a time: `wait`, then finish NAME EXPECTED_RC checks its exit code
# as run does; or rc_of NAME waits for the code without counting it.
start() {
    local name=$1 envs=()
    shift
    while [ $# -gt 0 ] && [[ $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do envs+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    ( t0=$SECONDS; env "${envs[@]}" "$CL" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"; echo $? >"$OUT/$name.rc"
      took "$t0" "start: $name" ) &
    PID=$!
}
finish() {
    local rc; rc=$(cat "$OUT/$1.rc" 2>/dev/null)
    if [ "$rc" = "$2" ]; then ok "$1: exit $rc"; else
        bad "$1: exit ${rc:-none}, want $2"; tail -5 "$OUT/$1.err" | sed 's/^/    /'; fi
}
# rc_of NAME: its exit code, once it has one (command substitution cannot `wait`)
rc_of() {
    local i
    for ((i = 0; i < 9000; i++)); do [ -s "$OUT/$1.rc" ] && break; sleep 0.2; done
    cat "$OUT/$1.rc" 2>/dev/null || echo none
}
# wait_for NAME TEXT [SECONDS]: until the stderr of NAME shows TEXT (300 s)
wait_for() {
    local i
    for ((i = 0; i < ${3:-300} * 10; i++)); do
        grep -q "$2" "$OUT/$1.err" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# json FILE PYTHON-EXPR: evaluate an expression over the report (r) and its first cell (c);
# json FILE CELL-ID PYTHON-EXPR: c is the cell of that id
json() {
    local file=$1 id="" pick="r['cells'][0]" expr=$2
    if [ $# = 3 ]; then id=$2 pick="{x['id']: x for x in r['cells']}[sys.argv[2]]" expr=$3; fi
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); c=$pick; sys.exit(0 if ($expr) else 1)" \
        "$file" "$id"
}
# report_has DIR PYTHON-EXPR: json over DIR/report.json, quietly; false when
# there is no report or no cell
report_has() { json "$1/report.json" "$2" 2>/dev/null; }
# verdicts DIR: "cell=verdict/attempts ..." from DIR/report.json, with the
# title of a cell that did not pass; "no-report" when there is none
verdicts() { python3 tests/checks/verdicts.py "$1"; }

# one_line NAME TEXT: the run's stderr is one line, and it matches TEXT
one_line() { [ "$(wc -l < "$OUT/$1.err")" = 1 ] && grep -q "$2" "$OUT/$1.err"; }
