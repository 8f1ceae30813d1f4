#!/bin/bash
# The release gate attacked as an attacker and a careless pipeline would,
# each attack performed for real against signed qualifications:
#   A  the reference sensor (kbuild source, content, install files and units)
#      on one snapshot cell, signed by qualify --sign-key;
#   B  a contentless third-party candidate: modules prebuilt for 6.1 and the
#      vendor's agent as its own .deb, on one disk cell, signed afterwards by
#      `crashlab sign` (the step that never runs candidate code).
# Both must gate (exit 0); every attack must be refused. Prints one line per
# attack (what, expected, got) and "gate-attacks: refused N/N".
# Needs what make check builds; about 2 minutes with warm caches.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
CL=${CL:-$ROOT/build/crashlab-asan}
export ASAN_OPTIONS=exitcode=99 LSAN_OPTIONS=exitcode=98 UBSAN_OPTIONS=halt_on_error=1:exitcode=97
W=${CRASHLAB_TEST_OUT:-$(mktemp -d /tmp/crashlab-gate.XXXXXX)}
export CRASHLAB_DB=${CRASHLAB_DB:-$W/history.db} # the runs here are not the user's history
mkdir -p "$W"
chmod 755 "$W" # the candidate's code runs as crashlab-build: it must read its copy
refused=0 attacks=0 bad=0

say() { printf '%-58s %-10s %s\n' "$1" "$2" "$3"; }
# attack WHAT WANT WHY CMD...: the attack must get exit code WANT (1 refused,
# 2 bad input) for the reason WHY (an extended regex over its error lines):
# refused for another reason would prove nothing
attack() {
    local what=$1 want=$2 why_re=$3; shift 3
    "$@" >"$W/last.out" 2>"$W/last.err"
    local rc=$? why
    why=$(grep -m1 -E '^(gate|crashlab)' "$W/last.err" | cut -c1-110)
    attacks=$((attacks + 1))
    if [ "$rc" = "$want" ] && grep -Eq "$why_re" "$W/last.err"; then
        refused=$((refused + 1)); say "$what" "exit $want" "exit $rc: $why"
    else
        say "$what" "exit $want" "EXIT $rc (NOT REFUSED AS EXPECTED: /$why_re/): $why"
    fi
}
# must WHAT CMD...: a step that has to succeed for the attacks to mean anything
must() {
    local what=$1; shift
    if "$@" >"$W/last.out" 2>"$W/last.err"; then echo "ok   - $what"; else
        echo "FAIL - $what (exit $?)"; tail -5 "$W/last.err" | sed 's/^/    /'; bad=$((bad + 1)); fi
}
json_set() { # json_set FILE PYTHON-STATEMENT (on r)
    python3 -c "import json,sys; r=json.load(open('$1')); $2; json.dump(r, open('$1','w'), indent=2)"
}

echo "# gate attacks in $W"
"$CL" keygen --out "$W/k" >/dev/null && "$CL" keygen --out "$W/other" >/dev/null || exit 2

# --- A: the reference sensor, copied so that its bytes can be changed ---
rm -rf "$W/a" && cp -a sensor "$W/a"
python3 - "$W/a" "$ROOT" <<'PY'
import json, sys
d, root = sys.argv[1], sys.argv[2]
m = json.load(open(d + '/candidate.json'))
m['preflight'][0]['run'][0] = root + '/build/clcc'
m['install'] = {'load': 'units',
                'units': [{'name': 'clsensor-loader.service', 'file': 'loader/clsensor-loader.service',
                           'wanted_by': 'sysinit.target'}],
                'files': [{'file': 'loader/loader.sh', 'path': '/usr/lib/clsensor/loader.sh', 'mode': '0755'}]}
json.dump(m, open(d + '/candidate.json', 'w'), indent=2)
PY
printf '{"name":"gate-one","cells":[{"id":"g-6.1","kernel":"6.1.0-56-amd64","image":"snapshot"}]}\n' >"$W/one.json"
printf '{"name":"gate-two","cells":[{"id":"g-6.1","kernel":"6.1.0-56-amd64","image":"snapshot"},{"id":"g-6.12","kernel":"6.12.117+deb12-amd64","image":"snapshot"}]}\n' >"$W/two.json"
printf '{"name":"gate-disk","cells":[{"id":"g-6.1","kernel":"6.1.0-56-amd64","image":"disk"}]}\n' >"$W/kind.json"
printf '{"name":"gate-mem","cells":[{"id":"g-6.1","kernel":"6.1.0-56-amd64","image":"snapshot","memory_mib":1024}]}\n' >"$W/mem.json"
SCN=$ROOT/scenarios/ipc-basic.json
must "A: qualify the reference sensor on one snapshot cell, signed" \
    "$CL" qualify --matrix "$W/one.json" --candidate "$W/a/candidate.json" --out "$W/A" --sign-key "$W/k.key"
A=(--attestation "$W/A/attestation.json" --pubkey "$W/k.pub" --candidate "$W/a/candidate.json"
   --matrix "$W/one.json" --scenario "$SCN")
must "A: the signed good run gates, its built modules too" "$CL" gate "${A[@]}" --modules "$W/A/modules"

# --- B: prebuilt modules and a vendor .deb, no content ---
mkdir -p "$W/b/6.1" "$W/bk"
must "B: the vendor's modules built (images/dkms.sh)" bash images/dkms.sh tests/data/dkms/clpair 6.1.0-56-amd64 \
    "$(ls -d "${CRASHLAB_CACHE:-.cache}"/kernels/6.1.0-56-amd64/headers/usr/src/linux-headers-6.1.0-56-amd64)" "$W/bk"
cp "$W"/bk/*.ko "$W/b/6.1/"
bash tests/data/dkms/make-agent-deb.sh "$W/b/clpair-agent_1.0_all.deb" >/dev/null
python3 - "$W/b" <<'PY'
import hashlib, json, os, sys
d = sys.argv[1]
sha = lambda p: hashlib.sha256(open(os.path.join(d, p), 'rb').read()).hexdigest()
mods = [{'file': '6.1/' + k, 'sha256': sha('6.1/' + k)} for k in sorted(os.listdir(d + '/6.1'))]
json.dump({'manifest_version': 2, 'name': 'clpair-prebuilt', 'version': '1.0', 'content': [],
           'image': 'disk', 'packages': [{'file': 'clpair-agent_1.0_all.deb', 'sha256': sha('clpair-agent_1.0_all.deb')}],
           'module': {'prebuilt': {'6.1.0-56-amd64': mods},
                      'load': [{'name': 'clpair_core', 'args': 'greeting=prebuilt'}, 'clpair_user']},
           'evidence': {'command': {'run': ['sh', '-c', 'echo greeting=$(cat /sys/module/clpair_core/parameters/greeting); cat /run/clpair-agent.status']},
                        'require': [{'key': 'greeting', 'equals': 'prebuilt'}, {'key': 'agent_saw', 'equals': 'prebuilt'}]}},
          open(d + '/candidate.json', 'w'), indent=2)
PY
printf '{"name":"gate-b","cells":[{"id":"g-6.1","kernel":"6.1.0-56-amd64"}]}\n' >"$W/b.json"
must "B: qualify the contentless prebuilt candidate on one disk cell (unsigned)" \
    "$CL" qualify --matrix "$W/b.json" --candidate "$W/b/candidate.json" --out "$W/B"
must "B: signed as a step of its own (crashlab sign)" "$CL" sign "$W/B" --key "$W/k.key"
B=(--attestation "$W/B/attestation.json" --pubkey "$W/k.pub" --candidate "$W/b/candidate.json"
   --matrix "$W/b.json" --scenario "$SCN")
must "B: a candidate without content gates" "$CL" gate "${B[@]}"

# --- one byte in each kind of artifact ---
echo
say "attack" "expected" "got"
# one byte more (a blank: a manifest stays valid JSON, and differs), the original kept aside
flip() { cp -a "$1" "$W/original"; printf ' ' >>"$1"; }
unflip() { mv "$W/original" "$1"; }
for f in candidate.json content/channel-291-good.bin kmod/cl_content.c loader/loader.sh \
         loader/clsensor-loader.service; do
    flip "$W/a/$f"
    attack "one byte appended to $f" 1 "$f \(.*\) changed since it was qualified" "$CL" gate "${A[@]}"
    unflip "$W/a/$f"
done
echo '/* new */' >"$W/a/kmod/new.h"
attack "a file added to the module source" 1 "kmod/new.h .* was not qualified" "$CL" gate "${A[@]}"
rm "$W/a/kmod/new.h"
ko=$(ls "$W"/A/modules/*/*.ko | head -1)
flip "$ko"; attack "one byte appended to the built module (--modules)" 1 "${ko##*/} changed since it was qualified" \
    "$CL" gate "${A[@]}" --modules "$W/A/modules"; unflip "$ko"
cp "$SCN" "$W/scn.json"; flip "$W/scn.json"
attack "one byte appended to the scenario" 1 "scn.json .* is not the scenario that ran" "$CL" gate "${A[@]/$SCN/$W/scn.json}"
for f in clpair-agent_1.0_all.deb "$(cd "$W/b" && ls 6.1/*.ko | head -1)"; do
    flip "$W/b/$f"; attack "one byte appended to B's $f" 1 "${f##*/} \(.*\) changed since it was qualified" \
        "$CL" gate "${B[@]}"; unflip "$W/b/$f"
done

# --- the matrix the release requires ---
attack "a smaller matrix qualified (a cell missing)" 1 "cell g-6.12 of .* was not qualified" "$CL" gate "${A[@]/$W\/one.json/$W/two.json}"
attack "another image kind required (disk)" 1 "cell g-6.1: image is \"disk\"" "$CL" gate "${A[@]/$W\/one.json/$W/kind.json}"
attack "another memory size required" 1 "cell g-6.1: memory_mib is 1024" "$CL" gate "${A[@]/$W\/one.json/$W/mem.json}"
attack "no required matrix given" 2 "required --matrix" "$CL" gate --attestation "$W/A/attestation.json" --pubkey "$W/k.pub" \
    --candidate "$W/a/candidate.json"

# --- keys, payloads, replay ---
attack "another key" 1 "signature does not verify" "$CL" gate "${A[@]/$W\/k.pub/$W/other.pub}"
python3 - "$W/A/attestation.json" "$W/edited.json" <<'PY'
import base64, json, sys
env = json.load(open(sys.argv[1]))
st = json.loads(base64.b64decode(env['payload']))
st['predicate']['cells'][0]['definition']['memory_mib'] = 1024
env['payload'] = base64.b64encode(json.dumps(st, sort_keys=True, separators=(',', ':')).encode()).decode()
json.dump(env, open(sys.argv[2], 'w'))
PY
attack "an edited payload, signature kept" 1 "signature does not verify" "$CL" gate "${A[@]/$W\/A\/attestation.json/$W/edited.json}"
sleep 2
attack "a replayed statement (older than --max-age 1s)" 1 "s old \(finished .*\); the limit is 1 s" "$CL" gate "${A[@]}" --max-age 1s
attack "--max-age 0" 2 "not a positive" "$CL" gate "${A[@]}" --max-age 0
for when in 2099-01-01T00:00:00Z "$(date -u +%Y-%m-%dT%H:%M:%SZ)junk"; do
    rm -rf "$W/F" && cp -a "$W/A" "$W/F" && rm "$W/F/attestation.json"
    json_set "$W/F/report.json" "r['finished']='$when'"
    "$CL" sign "$W/F" --key "$W/k.key" >/dev/null 2>&1
    attack "a statement finished at $when" 1 "in the future|not a UTC time" "$CL" gate "${A[@]/$W\/A\//$W/F/}"
done

# --- merge: it signs only what was qualified ---
rm -rf "$W/forged" && mkdir -p "$W/forged/cells"
json_set_copy() { cp "$W/A/report.json" "$1/report.json"; json_set "$1/report.json" "$2"; }
json_set_copy "$W/forged" "r['finished']='2099-01-01T00:00:00Z'; r['cells'][0]['verdict']='pass'"
attack "merge --sign-key of a hand-written shard" 2 "forged/attestation.json: cannot open" "$CL" merge "$W/forged" --out "$W/M1" --sign-key "$W/k.key"
rm -rf "$W/linked" && cp -a "$W/A" "$W/linked" && rm -rf "$W/linked/cells" && ln -s /etc "$W/linked/cells"
attack "merge of a shard whose cells/ is a link to /etc" 2 "linked/cells: a symbolic link" "$CL" merge "$W/linked" --out "$W/M2" --sign-key "$W/k.key"
rm -rf "$W/empty" && cp -a "$W/A" "$W/empty" && rm "$W/empty/attestation.json"
json_set "$W/empty/report.json" "r['cells']=[]"
"$CL" sign "$W/empty" --key "$W/k.key" >/dev/null 2>&1
attack "merge of a signed shard with no cells" 2 "has no cells" "$CL" merge "$W/empty" --out "$W/M3" --sign-key "$W/k.key"
attack "merge --sign-key with shards signed by another key" 2 "signature does not verify" "$CL" merge "$W/A" --out "$W/M4" --sign-key "$W/other.key"
must "A: shard 1/2 of a two-cell matrix, signed" "$CL" qualify --matrix "$W/two.json" \
    --candidate "$W/a/candidate.json" --out "$W/S1" --shard 1/2 --sign-key "$W/k.key"
attack "merge with shard 2/2 missing" 2 "shards missing" "$CL" merge "$W/S1" --out "$W/M5" --sign-key "$W/k.key"
attack "gate on shard 1/2 alone (cell 2 of the matrix missing)" 1 "cell g-6.12 of .* was not qualified" "$CL" gate --attestation "$W/S1/attestation.json" \
    --pubkey "$W/k.pub" --candidate "$W/a/candidate.json" --matrix "$W/two.json" --scenario "$SCN"
must "merge of the real signed run, signed" "$CL" merge "$W/A" --out "$W/M" --sign-key "$W/k.key"
must "the merged statement gates" "$CL" gate "${A[@]/$W\/A\//$W/M/}"

# --- the plumbing: a parent that ignores SIGCHLD cannot turn failures into passes ---
attack "qualify started with SIGCHLD ignored (failing pre-flight)" 1 "pre-flight content-parser-fuzz on channel-291: fail" python3 -c '
import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$CL" qualify --matrix "$W/one.json" \
    --candidate tests/data/candidate/no-bounds-check-fuzzed.json --out "$W/sigchld"

echo
echo "gate-attacks: refused $refused/$attacks; good runs: $([ $bad = 0 ] && echo 'gate' || echo "$bad FAILED")"
[ "$refused" = "$attacks" ] && [ "$bad" = 0 ]
