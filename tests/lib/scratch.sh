# tests/lib/scratch.sh - what crashlab's runs leave behind, read by the VM
# test scripts: its scratch directories (those holding an owner file, see
# harness/base/cl_scratch.h), so a test counts what its own runs left, not
# what an earlier, killed run did; and the domains and volumes left on a
# libvirt host, read so that a virsh that fails is a failure, never "nothing
# left".

# scratch_dirs: every scratch directory under /tmp now, sorted
scratch_dirs() {
    find /tmp -maxdepth 1 -type d -name 'crashlab-*' -exec test -e '{}/owner' \; -print 2>/dev/null | sort
}
# scratch_new BASELINE: those not in the baseline file (made since, still there)
scratch_new() { scratch_dirs | comm -13 "$1" -; }

# count_domains PREFIX [URI]: how many domains (running or not) whose name
# starts with PREFIX the host has (URI: qemu:///system); prints nothing and
# fails when virsh fails. A guest that powered itself off is left to libvirt
# to finish stopping (about 0.2 s after crashlab is done with it), so a
# count above 0 is read again for up to 2 s: what is still there then stays.
count_domains() {
    local out n i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        out=$(virsh -q -c "${2:-qemu:///system}" list --all --name) || return 1
        n=$(grep -c "^$1" <<<"$out" || true)
        [ "$n" = 0 ] && break
        sleep 0.2
    done
    echo "$n"
}
# count_volumes PATTERN URI POOL: how many volumes of POOL on the host match
# PATTERN (a grep pattern over virsh vol-list's lines); fails when virsh fails
count_volumes() {
    local out
    out=$(virsh -q -c "$2" vol-list "$3") || return 1
    grep -c "$1" <<<"$out" || true
}
# no_domains PREFIX [URI]: the host has no domain named PREFIX*, and said so
no_domains() {
    local n
    n=$(count_domains "$1" "${2:-}") || { echo "    virsh list failed on ${2:-qemu:///system}" >&2; return 1; }
    [ "$n" = 0 ] || { echo "    $n domain(s) $1* left on ${2:-qemu:///system}" >&2; return 1; }
}
