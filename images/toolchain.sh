# The toolchain a Debian release builds its kernel modules with (sourced by
# images/mkimage.sh, after images/apt.sh).
#
# Debian's linux-headers name the compiler their kernel was built with
# (bullseye: gcc-10, trixie: gcc-14) and their kbuild tools are linked
# against that release's C library; bookworm's are the host's own. For the
# other releases crashlab builds a root of that release from Debian packages
# (mmdebstrap, no mounts): CACHE/toolchains/CODENAME, marked by
# .crashlab-toolchain, with make, the C library headers and the compiler the
# headers ask for. The kernel headers are extracted into it, under /usr/src
# as Debian installs them, and modules are built inside it (cl_module.c runs
# make chrooted there, as the build user).

# toolchain_packages HEADERS_DEB KBUILD_DEB: what building a module needs:
# the compiler the headers name (gcc-N; linux-compiler-gcc-N-ARCH is a name
# for it), native and cross to arm64, whichever architecture the headers are
# for (one root serves both: the list does not change with them), and the
# libraries of the kbuild tools (always the host's architecture).
toolchain_packages() {
    local gcc
    for gcc in $(dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//' | tr -d ' ' \
                 | sed -nE 's/^(gcc-[0-9]+)$/\1/p; s/^linux-compiler-(gcc-[0-9]+)-[a-z0-9]+$/\1/p' | sort -u); do
        echo "$gcc"
        echo "$gcc-aarch64-linux-gnu"
    done
    dpkg-deb -f "$2" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//' | tr -d ' ' | grep -v '^$'
}

# toolchain_ensure CACHE CODENAME PACKAGE...: the root exists with PACKAGES
# (rebuilt when the list changes); prints its path.
toolchain_ensure() {
    local cache=$1 codename=$2 root lockfd want tmp
    shift 2
    root=$cache/toolchains/$codename
    want=$(printf '%s\n' make libc6-dev "$@" | sort -u | paste -sd, -)
    mkdir -p "$cache/toolchains"
    exec {lockfd}>"$cache/toolchains/.$codename.lock"
    flock "$lockfd"
    if [ "$(cat "$root/.crashlab-toolchain" 2>/dev/null)" != "$want" ]; then
        echo "mkimage: building the $codename toolchain root ($want)" >&2
        tmp=$cache/toolchains/.$codename.new
        rm -rf "$tmp"
        if ! mmdebstrap --quiet --variant=minbase --architectures=amd64 --include="$want" \
                "$codename" "$tmp" \
                "deb [signed-by=$idx_keyring] $idx_mirror $codename main" \
                "deb [signed-by=$idx_keyring] $idx_security $codename-security main" \
                > "$cache/toolchains/$codename.log" 2>&1; then
            echo "mkimage: building the $codename toolchain failed, see $cache/toolchains/$codename.log" >&2
            rm -rf "$tmp"
            exec {lockfd}>&-
            return 1
        fi
        rm -rf "$tmp/var/cache/apt/archives"/*.deb "$tmp/var/lib/apt/lists"/*_Packages
        mkdir -p "$tmp/build"
        chmod 1777 "$tmp/build"
        echo "$want" > "$tmp/.crashlab-toolchain"
        rm -rf "$root"
        mv "$tmp" "$root"
    fi
    exec {lockfd}>&-
    echo "$root"
}
