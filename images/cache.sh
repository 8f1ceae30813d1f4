# Shared by the image recipes (sourced): cache entries are verified by digest
# when they are read, so a file truncated or damaged after it was built is
# rebuilt, never booted. openssl is used for its speed (SHA-NI: ~1 GB/s).

# sums_write DIR FILE...: record the sha256 of each FILE (relative to DIR),
# and what each file looked like when it was hashed.
sums_write() {
    local dir=$1; shift
    (cd "$dir" && openssl dgst -sha256 -r "$@" > .sums.tmp && mv .sums.tmp sums &&
     stat -c '%n %s %Y %i' "$@" > .seen.tmp && mv .seen.tmp sums.seen)
}

# sums_ok DIR: every file listed in DIR/sums is there with its recorded digest.
# The files are hashed again whenever one's size, mtime or inode changed since
# they last were (a truncated or rewritten file always changes one of them);
# an unchanged entry is taken in a stat (a 65 MB vmlinux costs 0.1 s to hash).
sums_ok() {
    local dir=$1 files
    [ -s "$dir/sums" ] || return 1
    files=$(sed 's/^[0-9a-f]* \*//' "$dir/sums")
    # shellcheck disable=SC2086 # names are ours: no spaces
    if [ -s "$dir/sums.seen" ] &&
       [ "$(cd "$dir" && stat -c '%n %s %Y %i' $files 2>/dev/null)" = "$(cat "$dir/sums.seen")" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    [ "$(cd "$dir" && openssl dgst -sha256 -r $files 2>/dev/null)" = "$(cat "$dir/sums")" ] || return 1
    # shellcheck disable=SC2086
    (cd "$dir" && stat -c '%n %s %Y %i' $files > .seen.tmp && mv .seen.tmp sums.seen) 2>/dev/null
    return 0
}

# deb_ok FILE PKG [APT_CACHE]: FILE is a .deb of PKG whose sha256 the package
# index lists (the host's, or the one APT_CACHE reads, e.g. idx_apt_cache).
deb_ok() {
    local sum
    sum=$(openssl dgst -sha256 -r "$1" 2>/dev/null | cut -d' ' -f1) || return 1
    # grep reads it all: with -q it would stop early, and apt-cache's SIGPIPE
    # fails the pipeline under pipefail
    ${3:-apt-cache} show "$2" 2>/dev/null | grep -x "SHA256: $sum" >/dev/null
}
