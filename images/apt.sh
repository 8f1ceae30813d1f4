# crashlab's own package index (sourced by the image recipes).
#
# One apt state per Debian release under CACHE/apt/CODENAME: its own
# sources.list (the release and its -security suite, amd64 and arm64), lists,
# package cache and an empty dpkg status. Signatures are checked with
# Debian's archive keyring, as apt does for the host. The host's apt
# configuration, sources and architectures are never read or changed.
#
#   idx_setup CACHE KERNEL_RELEASE   pick the index for a kernel (sets idx_dir,
#                                    idx_codename, idx_arch)
#   idx_update [--force]             fetch the index when it is missing or older
#                                    than CL_INDEX_MAX_AGE seconds (default a day)
#   idx_apt_get ARGS / idx_apt_cache ARGS   apt-get / apt-cache on that index

idx_mirror=${CL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
idx_security=${CL_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
idx_keyring=/usr/share/keyrings/debian-archive-keyring.gpg

# debian_codename KERNEL_RELEASE: the Debian release whose archive carries
# it, read from Debian's own naming (5.10 and 6.1.0-0.deb11.N: bullseye;
# +deb13: trixie; 6.1.0-N and +deb12: bookworm).
debian_codename() {
    case "$1" in
        *+deb13*|*.deb13.*) echo trixie ;;
        *+deb11*|*.deb11.*|5.10.*) echo bullseye ;;
        *) echo bookworm ;;
    esac
}

# debian_arch KERNEL_RELEASE: the architecture of a flavour (…-arm64: arm64).
debian_arch() {
    case "$1" in
        *-arm64) echo arm64 ;;
        *) echo amd64 ;;
    esac
}

idx_setup_codename() {
    idx_codename=$2
    idx_dir=$1/apt/$idx_codename
    idx_opts=(-o "Dir::Etc::SourceList=$idx_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
              -o "Dir::State::Lists=$idx_dir/lists" -o "Dir::Cache=$idx_dir/cache"
              -o "Dir::State::status=$idx_dir/status" -o Dir::Etc::Preferences=/dev/null
              -o Dir::Etc::PreferencesParts=/dev/null -o APT::Architecture=amd64
              -o APT::Architectures::=amd64 -o APT::Architectures::=arm64
              -o Acquire::Languages=none -o Debug::NoLocking=1
              -o APT::Sandbox::User=root)
}

idx_setup() {
    idx_setup_codename "$1" "$(debian_codename "$2")"
    idx_arch=$(debian_arch "$2")
}

idx_apt_get() { apt-get "${idx_opts[@]}" "$@"; }
idx_apt_cache() { apt-cache "${idx_opts[@]}" "$@"; }

# The index is fresh when its lists are younger than the maximum age.
idx_fresh() {
    local stamp=$idx_dir/updated age
    [ -f "$stamp" ] || return 1
    age=$(( $(date +%s) - $(stat -c %Y "$stamp") ))
    [ "$age" -lt "${CL_INDEX_MAX_AGE:-86400}" ]
}

# The first reason apt gave in LOG: an E:/W: line, or the line under an Err:.
idx_failure() {
    local why
    why=$(grep -m1 -E '^(E|W): ' "$1")
    [ -n "$why" ] || why=$(grep -m1 -A1 '^Err:' "$1" | tail -n1 | sed 's/^ *//')
    echo "${why:-see $1}"
}

idx_update() {
    local force=${1:-} lockfd
    mkdir -p "$idx_dir/lists/partial" "$idx_dir/cache/archives/partial"
    exec {lockfd}>"$idx_dir/.lock"
    flock "$lockfd"
    if [ "$force" != --force ] && idx_fresh; then
        exec {lockfd}>&-
        return 0
    fi
    : > "$idx_dir/status"
    printf 'deb [arch=amd64,arm64 signed-by=%s] %s %s main\n' \
        "$idx_keyring" "$idx_mirror" "$idx_codename" \
        "$idx_keyring" "$idx_security" "$idx_codename-security" > "$idx_dir/sources.list"
    echo "index: updating crashlab's package index for $idx_codename (amd64, arm64)" >&2
    # a suite that fails to download or to verify is a failure, not a warning
    if ! idx_apt_get -q update > "$idx_dir/update.log" 2>&1 ||
       grep -qE '^E: |^W: (GPG error|Failed to fetch|Some index files)' "$idx_dir/update.log"; then
        if [ -f "$idx_dir/updated" ]; then
            echo "index: could not update the $idx_codename index (kept the one from $(date -u -r "$idx_dir/updated" +%FT%TZ)); see $idx_dir/update.log" >&2
            exec {lockfd}>&-
            return 0
        fi
        echo "index: could not fetch the $idx_codename index: $(idx_failure "$idx_dir/update.log")" >&2
        exec {lockfd}>&-
        return 1
    fi
    touch "$idx_dir/updated"
    exec {lockfd}>&-
}
