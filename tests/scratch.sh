# tests/scratch.sh - sourced by the VM test scripts: crashlab's scratch
# directories (those holding an owner file, see harness/cl_scratch.h), so a
# test counts what its own runs left, not what an earlier, killed run did.

# scratch_dirs: every scratch directory under /tmp now, sorted
scratch_dirs() {
    find /tmp -maxdepth 1 -type d -name 'crashlab-*' -exec test -e '{}/owner' \; -print 2>/dev/null | sort
}
# scratch_new BASELINE: those not in the baseline file (made since, still there)
scratch_new() { scratch_dirs | comm -13 "$1" -; }
