#!/bin/bash
# Two libvirt hosts: this machine's and scripts/testhost.sh's second
# libvirtd, which shares none of our files. Cells spread over both;
# initramfs, disk, snapshot and user-image cells on the remote host from
# uploaded volumes, consoles as streams; the remote host killed mid-run and
# its cell qualified on the other; Ctrl-C leaves nothing on either. Part of
# tests/integration.sh; the user image is disk.sh's.
set -u
cd "$(dirname "$0")/../.."
. tests/lib/feature.sh
needs disk user.qcow2 user.json

echo "# two libvirt hosts: this machine's, and a second libvirtd on loopback sharing none of our files"
H=tests/data/matrix/hosts.json
DISK=tests/data/matrix/disk-6.1.json
REMOTE=$(scripts/testhost.sh start 2>"$OUT/testhost.err")
HOSTS="--uri qemu:///system --uri $REMOTE --jobs 1"
# domains, and a run's own volumes (crashlab-PID-...; the shared crashlab-base-* stay)
# (two counts, one a line; "virsh failed" when either listing fails: never read as none left)
remote_left() {
    local d v
    d=$(count_domains crashlab- "$REMOTE") && v=$(count_volumes ' crashlab-[0-9]' "$REMOTE" crashlab) \
        || { echo "virsh failed"; return 1; }
    echo "$d"; echo "$v"
}
check "the second host answers on loopback" test -n "$REMOTE"
run hosts-good 0 qualify --matrix "$H" --candidate sensor/candidate.json $HOSTS --out "$OUT/hosts"
check "two hosts: every cell passed, and both hosts ran cells" json "$OUT/hosts/report.json" \
    "len(r['cells'])==4 and all(x['verdict']=='pass' for x in r['cells'])
     and set(x['host'] for x in r['cells'])=={'qemu:///system','$REMOTE'}"
check "the remote domains booted from volumes on their host, consoles as streams, none of our paths" \
    python3 tests/checks/hosts.py remote-domains "$OUT/hosts" "$REMOTE" "$PWD"
check "no domain and no volume left on the remote host" test "$(remote_left | tr '\n' ' ')" = "0 0 "
run hosts-snap1 0 qualify --matrix tests/data/matrix/snapshot.json --candidate sensor/candidate.json \
    --uri "$REMOTE" --out "$OUT/hostsnap1"
run hosts-snap2 0 qualify --matrix tests/data/matrix/snapshot.json --candidate sensor/candidate.json \
    --uri "$REMOTE" --out "$OUT/hostsnap2"
check "snapshot cells on the remote host: saved there once, then restored (digest read back through libvirt)" \
    python3 tests/checks/hosts.py remote-snapshots "$OUT/hostsnap1" "$OUT/hostsnap2" "$REMOTE"
# the disk cell (four boots) beside the user-image run, two guests at a time:
# their uploads (disk.qcow2, its vmlinuz and initrd; user.qcow2) share no
# volume name, so two processes never upload one volume at once (the remote
# cache serialises uploads within a process only)
start hosts-disk qualify --matrix "$DISK" --candidate sensor/candidate.json --scenario scenarios/persistent.json \
    --uri "$REMOTE" --out "$OUT/hostdisk"
run hosts-user 0 qualify --matrix "$OUT/user.json" --candidate sensor/candidate.json \
    --uri "$REMOTE" --out "$OUT/hostuser"
check "a user's image on the remote host: pass through qemu-guest-agent, the image uploaded, ours unchanged" \
    json "$OUT/hostuser/report.json" "c['verdict']=='pass' and c['host']=='$REMOTE' and \
    \"<source file='/var/lib/libvirt/crashlab/crashlab-\" in open('$OUT/hostuser/cells/user-6.1/domain.xml').read() and \
    __import__('hashlib').sha256(open('$OUT/user.qcow2','rb').read()).hexdigest()
        ==json.load(open('$OUT/user.json'))['cells'][0]['image']['sha256']"
wait
finish hosts-disk 0
check "a disk cell on the remote host: pass, healthy at 4 boots, from an overlay volume on the host's base copy" \
    json "$OUT/hostdisk/report.json" "c['verdict']=='pass' and c['boots']==4 and c['host']=='$REMOTE' and \
    \"<source file='/var/lib/libvirt/crashlab/crashlab-\" in open('$OUT/hostdisk/cells/disk-6.1/domain.xml').read()"
check "the base image stays on the remote host as its cache (uploaded once, marked done); no cell volume left" \
    bash -c "vols=\$(virsh -q -c '$REMOTE' vol-list crashlab) &&
             grep -q 'crashlab-base-.*-disk.qcow2.done' <<<\"\$vols\" && ! grep -q ' crashlab-[0-9]' <<<\"\$vols\""
run hosts-remediate-remote 2 qualify --matrix "$DISK" --candidate sensor/candidate-cf291.json \
    --scenario scenarios/persistent.json --remediate sensor/remediation-cf291.json --uri "$REMOTE" --out "$OUT/x"
check "--remediate with only a remote host: bad input, said before anything boots" \
    grep -q "a disk cell with --remediate keeps files on its host, and no --uri is this machine's" \
    "$OUT/hosts-remediate-remote.err"

# the remote host goes down (libvirtd and its guests killed) while one of its cells runs
start hosts-kill qualify --matrix "$H" --candidate sensor/candidate.json $HOSTS --out "$OUT/hostkill"
for _ in $(seq 1 900); do virsh -q -c "$REMOTE" list --name 2>/dev/null | grep -q '^crashlab-' && break; sleep 0.2; done
sleep 2
scripts/testhost.sh kill
wait
finish hosts-kill 0
check "a host lost mid-run: every cell qualified on the other; the moved cell says why" json "$OUT/hostkill/report.json" \
    "len(r['cells'])==4 and all(x['verdict']=='pass' for x in r['cells'])
     and any(x['moved']==1 and x['host']=='qemu:///system' and x['retried_because'].startswith('host $REMOTE lost')
             for x in r['cells'])"
check "a host lost mid-run: the run saw it go and said its cells go to the other host" \
    grep -q "crashlab: host $REMOTE is gone; its cells go to the other hosts" "$OUT/hosts-kill.err"

# Ctrl-C while both hosts run a cell
scripts/testhost.sh stop
REMOTE=$(scripts/testhost.sh start 2>>"$OUT/testhost.err")
"$CL" qualify --matrix "$H" --candidate sensor/candidate.json $HOSTS --out "$OUT/hostint" \
    >"$OUT/hostint.out" 2>"$OUT/hostint.err" &
pid=$!
ran=0
for _ in $(seq 1 900); do
    virsh -q -c "$REMOTE" list --name 2>/dev/null | grep -q '^crashlab-' \
        && virsh -q -c qemu:///system list --name 2>/dev/null | grep -q "^crashlab-$pid-" && { ran=1; break; }
    sleep 0.2
done
kill -INT $pid
wait $pid; rc=$?
left_remote=$(remote_left | tr '\n' ' ') left_scratch=$(scratch_new "$OUT/scratch.start")
left_local=$(count_domains "crashlab-$pid-" || echo "virsh failed")
check "Ctrl-C on two hosts came while each ran a domain of the run, and the run says it stopped on the signal" \
    bash -c "[ $ran = 1 ] && grep -q 'crashlab: stopped by a signal; unfinished cells are not_run' '$OUT/hostint.err'"
check "Ctrl-C on two hosts: on each host a cell stopped after it started, not_run; no cell blamed" \
    json "$OUT/hostint/report.json" "len(r['cells'])==4
     and set(x['host'] for x in r['cells'] if x['verdict']=='not_run' and x['attempts']>=1
             and x['title']=='not run: stopped before the cell finished')=={'qemu:///system','$REMOTE'}
     and all(x['verdict'] in ('not_run','pass') for x in r['cells'])"
check "Ctrl-C on two hosts: exit 2; no domain, volume or scratch directory left on either" \
    bash -c "[ $rc = 2 ] && [ '$left_local' = 0 ] && [ '$left_remote' = '0 0 ' ] && [ -z '$left_scratch' ]"
scripts/testhost.sh stop

[ "$fail" = 0 ]
