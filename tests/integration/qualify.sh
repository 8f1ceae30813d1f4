#!/bin/bash
# matrix/ci.json (6.1 and 6.12): the good candidate, signed, passes (exit 0)
# with every instance and field of its content exercised; the CF291 candidate
# crashes in the interpreter function (exit 1), its report.html checked as
# headless Chromium renders it; the fixed sensor with the CF291 content is
# install_failed; a WARNING, a boot loop and a hang on one cell; crash
# groups; reproduce --vmcore opened by crash(8). Part of tests/integration.sh;
# makes the keys (k.*, other.*) and the signed runs (good/, cf291/) the gate
# and shard features use.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh

echo "# good candidate on matrix/ci.json (signed)"
run keygen 0 keygen --out "$OUT/k"
run keygen-other 0 keygen --out "$OUT/other"
check "keygen: the private key is 0600, the public key PEM" \
    bash -c "[ \$(stat -c %a '$OUT/k.key') = 600 ] && grep -q 'BEGIN PUBLIC KEY' '$OUT/k.pub'"
run good 0 qualify --matrix matrix/ci.json --candidate sensor/candidate.json --out "$OUT/good" \
    --sign-key "$OUT/k.key"
check "good: every cell pass with the manifest's digest loaded" json "$OUT/good/report.json" \
    "r['verdict']=='pass' and len(r['cells'])==2
     and all(c['verdict']=='pass' and c['loaded_content_sha256']==r['candidate']['artifacts'][0]['sha256']
             and c['kernel_release_seen']==c['kernel_release'] for c in r['cells'])"
check "good: every instance and input field of the content exercised, by the events crashlab derived from it" \
    json "$OUT/good/report.json" "len(r['candidate']['coverage_plan']['events'])==4
     and r['candidate']['coverage_plan']['undrivable']==[] and len(r['cells'])==2
     and all(c['coverage']['complete'] and [i['id'] for i in c['coverage']['instances']]==[1,2,3,4]
             and all(i['exercised'] and i['evaluated']==i['criteria']>0 for i in c['coverage']['instances'])
             and [f['field'] for f in c['coverage']['fields'] if f['exercised']]==[1,2,3] for c in r['cells'])"
check "good: its validator and the bounded fuzz run of its parser passed before any VM" json "$OUT/good/report.json" \
    "[(s['name'],s['status']) for s in r['preflight']['steps']]==[('content-validator','pass'),('content-parser-fuzz','pass')]
     and 'valid: channel 291' in r['preflight']['steps'][0]['detail'] and r['preflight']['skipped'] is False"
check "good: junit has 2 testcases, no failure" \
    bash -c "grep -q 'tests=\"2\" failures=\"0\" errors=\"0\"' '$OUT/good/junit.xml' && xmllint --noout '$OUT/good/junit.xml'"
check "good: console saved per cell" test -s "$OUT/good/cells/deb12-6.12/console.log"
check "good: provenance: module source, each cell's booted kernel and initramfs by digest, the kernel packages, the host" \
    json "$OUT/good/report.json" "any(a['kind']=='module_source' for a in r['candidate']['artifacts']) and len(r['cells'])==2
     and all(set(x['boot_media']['files'])=={'vmlinuz','vmlinux','base.cpio.gz'}
             and any(p.startswith('linux-image-'+x['kernel_release']+' ') for p in x['boot_media']['packages'])
             for x in r['cells'])
     and r['host']['uri']=='qemu:///system' and len(r['crashlab']['sha256'])==64"
check "good: junit carries the content and each module digest as properties" \
    python3 tests/checks/junit_properties.py "$OUT/good" channel-291 2
check "good: summary.md for a pull-request comment" \
    bash -c "head -1 '$OUT/good/summary.md' | grep -q '^## crashlab: pass - crashlab-reference-sensor 1.0.0 on ci' &&
             grep -q '^2 cells: 2 pass.' '$OUT/good/summary.md'"

echo "# CF291 candidate on matrix/ci.json"
run cf291 1 qualify --matrix matrix/ci.json --candidate sensor/candidate-cf291.json --out "$OUT/cf291" \
    --sign-key "$OUT/k.key"
check "cf291: every cell crash, titled with the interpreter function, blaming clsensor" \
    json "$OUT/cf291/report.json" \
    "r['verdict']=='fail' and len(r['cells'])==2
     and all(c['verdict']=='crash' and 'cl_interp_eval' in c['title'] and c['module']=='clsensor'
             and c['frame']=='cl_interp_eval' for c in r['cells'])"
check "cf291: junit failure carries the console excerpt" \
    grep -q "RIP: 0010:cl_interp_eval" "$OUT/cf291/junit.xml"
# the whole console of a crashed cell is also a triage case
check "cf291: crashlab triage agrees on the saved console" \
    bash -c "'$CL' triage '$OUT/cf291/cells/deb12-6.1-n/console.log' | python3 -c \"import json,sys; t=json.load(sys.stdin); sys.exit(0 if (t['class']=='page_fault'
             and t['frame']=='cl_interp_eval' and t['module']=='clsensor') else 1)\""

echo "# report.html as a person sees it: headless Chromium"
chrome() { timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "$@" 2>/dev/null; }
chrome --dump-dom "file://$(realpath "$OUT/cf291/report.html")" >"$OUT/cf291.dom"
check "report.html (cf291): every grid cell crash, the crash group with cl_interp_eval and clsensor, excerpts as text" \
    python3 tests/checks/html_check.py dom "$OUT/cf291.dom" "$OUT/cf291/report.json"
chrome --window-size=1280,1600 --screenshot="$OUT/cf291.png" "file://$(realpath "$OUT/cf291/report.html")" >/dev/null
check "report.html (cf291) screenshot: the crashed cells show red" python3 tests/checks/html_check.py png "$OUT/cf291.png"
check "report.html is self-contained: no external script, style, font or image" \
    bash -c "grep -Eiq '(src|href)=\"(https?:)?//|<link|<script' '$OUT/cf291/report.html'; [ \$? = 1 ]"
# guest text that tries to end the <pre> and run a script, in a real run's report
python3 tests/checks/html_check.py hostile "$OUT/cf291/report.json" "$OUT/evil.json"
run html-evil 0 html "$OUT/evil.json" "$OUT/evil.html"
chrome --dump-dom "file://$(realpath "$OUT/evil.html")" >"$OUT/evil.dom"
check "report.html: guest text with </pre><script> and <img onerror> shows as text; no script ran" \
    python3 tests/checks/html_check.py dom "$OUT/evil.dom" "$OUT/evil.json"

echo "# fixed sensor with the CF291 content"
run fixed-cf 1 qualify --matrix matrix/ci.json --candidate tests/data/candidate/fixed-sensor-cf-content.json \
    --out "$OUT/fixed"
check "fixed sensor refuses 21-field content: install_failed, never pass" json "$OUT/fixed/report.json" \
    "len(r['cells'])==2 and all(c['verdict']=='install_failed' for c in r['cells'])"

echo "# a WARNING the candidate causes fails the gate (ipc-basic sets panic_on_warn)"
run warn 1 qualify --matrix tests/data/matrix/one-6.1.json --candidate tests/data/candidate/crasher-warn.json \
    --out "$OUT/warn"
check "warn: crash titled WARNING in crasher_warn, blaming crasher" json "$OUT/warn/report.json" \
    "r['cells'][0]['verdict']=='crash' and r['cells'][0]['title']=='WARNING in crasher_warn'
     and r['cells'][0]['module']=='crasher'"

echo "# boot loop: no pvpanic, the guest reboots into the same crash"
run boot-loop 1 qualify --matrix tests/data/matrix/one-6.1.json --candidate sensor/candidate-cf291.json \
    --scenario scenarios/boot-loop.json --out "$OUT/bootloop"
check "boot loop: verdict boot_loop after 3 boots, named after the crash, timeline of 3 crashed boots" \
    json "$OUT/bootloop/report.json" \
    "c['verdict']=='boot_loop' and c['boots']==3 and 'cl_interp_eval' in c['title'] and len(c['timeline'])==3
     and all(b['crash'] and 'cl_interp_eval' in b['crash'] for b in c['timeline'][:2])"

echo "# hang: a module load that never returns while the guest keeps scheduling"
run stuck-step 1 qualify --matrix tests/data/matrix/one-6.1.json --candidate tests/data/candidate/crasher-hungtask.json \
    --scenario tests/data/scenario/stuck-step.json --out "$OUT/stuck"
check "stuck step: verdict hang, not a pass" json "$OUT/stuck/report.json" \
    "r['cells'][0]['verdict']=='hang' and 'plan step stuck' in r['cells'][0]['title']"

echo "# crash groups across the matrix"
check "cf291: one crash group covering every cell, blaming clsensor" json "$OUT/cf291/report.json" \
    "len(r['groups'])==1 and r['groups'][0]['count']==len(r['cells']) and r['groups'][0]['module']=='clsensor'
     and 'cl_interp_eval' in r['groups'][0]['title'] and r['summary_text']=='1 distinct crash on 2 of 2 cells'"

echo "# reproduce --vmcore: a dump crash(8) opens with the kernel's debug symbols"
run reproduce 1 reproduce --kernel 6.1.0-56-amd64 --candidate sensor/candidate-cf291.json --vmcore --out "$OUT/rep"
cell="$OUT/rep/cells/6.1.0-56-amd64"
check "reproduce: console streamed to the terminal" grep -q "RIP: 0010:cl_interp_eval" "$OUT/reproduce.err"
check "reproduce: prints the triage and where the artifacts are" \
    bash -c "grep -q '^triage: .*\"frame\": \"cl_interp_eval\"' '$OUT/reproduce.out' && grep -q '^vmcore: ' '$OUT/reproduce.out'"
check "reproduce: console log and kdump file kept" test -s "$cell/console.log" -a -s "$cell/vmcore.kdump"
vmlinux=$(python3 -c "import json; print(json.load(open('$cell/vmcore.json'))['vmlinux'])" 2>/dev/null)
printf 'bt\nquit\n' > "$OUT/crash.cmds"
timeout 300 crash -s "$vmlinux" "$cell/vmcore.kdump" -i "$OUT/crash.cmds" > "$OUT/crash.out" 2>&1
check "crash(8) opens the dump and bt shows the faulting function" grep -q "exception RIP: cl_interp_eval" "$OUT/crash.out"
check "reproduce: the candidate's pre-flight is skipped, and the report says so" json "$OUT/rep/report.json" \
    "r['preflight']=={'declared': 1, 'skipped': True, 'steps': []}"

[ "$fail" = 0 ]
