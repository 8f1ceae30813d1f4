# Shared by the image recipes (sourced): cache entries are verified by digest
# when they are read, so a file truncated or damaged after it was built is
# rebuilt, never booted. openssl is used for its speed (SHA-NI: ~1 GB/s).

# sums_write DIR FILE...: record the sha256 of each FILE (relative to DIR).
sums_write() {
    local dir=$1; shift
    (cd "$dir" && openssl dgst -sha256 -r "$@" > .sums.tmp && mv .sums.tmp sums)
}

# sums_ok DIR: every file listed in DIR/sums is there with its recorded digest.
sums_ok() {
    local dir=$1 files
    [ -s "$dir/sums" ] || return 1
    files=$(sed 's/^[0-9a-f]* \*//' "$dir/sums")
    # shellcheck disable=SC2086 # names are ours: no spaces
    [ "$(cd "$dir" && openssl dgst -sha256 -r $files 2>/dev/null)" = "$(cat "$dir/sums")" ]
}

# deb_ok FILE PKG: FILE is a .deb of PKG whose sha256 the package index lists.
deb_ok() {
    local sum
    sum=$(openssl dgst -sha256 -r "$1" 2>/dev/null | cut -d' ' -f1) || return 1
    # grep reads it all: with -q it would stop early, and apt-cache's SIGPIPE
    # fails the pipeline under pipefail
    apt-cache show "$2" 2>/dev/null | grep -x "SHA256: $sum" >/dev/null
}
