# crashlab's debug kernel kind (sourced by images/mkimage.sh).
#
# A matrix cell names it as a release ending in "-debug": "6.1.0-56-debug" is
# Debian's own source of linux-image-6.1.0-56-amd64 (linux-source-6.1 at that
# package's version), configured small (allnoconfig + kvm_guest.config +
# images/kernel-debug.config: KASAN, KFENCE, UBSAN, lockdep, kmemleak, list
# debugging, atomic-sleep checks, debug objects, preemption checks) and built
# by us, with the uname -r it is named by. The build tree is the headers
# tree candidates are built against.
# Built once: keyed by the source package version, the config, this recipe
# and the compiler; later runs reuse it (the initramfs around it is rebuilt
# on its own key, without rebuilding the kernel).

# debug_names: from $release set $abi (6.1.0-56), $series (6.1), the
# production image package it mirrors and the source package.
debug_names() {
    abi=${release%-debug}
    series=$(echo "$abi" | cut -d. -f1,2)
    prod_pkg=linux-image-$abi-amd64
    src_pkg=linux-source-$series
}

# debug_version: the version of the source to build (the production
# package's), or exit status 3 when Debian has no such kernel or source.
debug_version() {
    local v
    v=$(apt-cache policy "$prod_pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$v" ] || [ "$v" = "(none)" ]; then
        echo "mkimage: Debian has no package $prod_pkg, so no source for $release" >&2
        return 3
    fi
    if ! apt-cache show "$src_pkg=$v" >/dev/null 2>&1; then
        echo "mkimage: Debian has no package $src_pkg at version $v (the version of $prod_pkg)" >&2
        return 3
    fi
    echo "$v"
}

# debug_config TREE FRAGMENT: configure TREE; fail naming every option of
# FRAGMENT that olddefconfig did not keep.
debug_config() {
    local tree=$1 frag=$2 lost=() line sym val
    # ARCH=x86_64: a 64-bit allnoconfig, so every default that depends on
    # 64BIT (FRAME_WARN, ...) is the 64-bit one; later makes read it from .config
    make -C "$tree" -s ARCH=x86_64 allnoconfig >/dev/null \
        && (cd "$tree" && scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
                "$frag" >/dev/null) \
        && make -C "$tree" -s olddefconfig >/dev/null \
        || { echo "mkimage: configuring the debug kernel $release failed" >&2; return 1; }
    while IFS= read -r line; do
        case "$line" in CONFIG_*=*) ;; *) continue ;; esac
        sym=${line%%=*} val=${line#*=}
        if [ "$val" = n ]; then
            grep -q "^$sym=[ym]" "$tree/.config" && lost+=("$sym=n")
        else
            grep -qx "$sym=$val" "$tree/.config" || lost+=("$line")
        fi
    done < "$frag"
    if [ ${#lost[@]} -gt 0 ]; then
        echo "mkimage: the debug config of $release did not keep: ${lost[*]}" >&2
        return 1
    fi
}

# debug_build KROOT DEBS: make sure KROOT/headers/usr/src/linux-headers-RELEASE
# is a built tree of RELEASE; copy its kernel into KROOT/image/boot.
debug_build() {
    local kroot=$1 ver src_deb tree frag key jobs
    frag=$here/kernel-debug.config
    ver=$(debug_version) || return $?
    tree=$kroot/headers/usr/src/linux-headers-$release
    key=$( { echo "$release $src_pkg $ver"; sha256sum "$frag" "$here/kernel-debug.sh" | awk '{print $1}'
             gcc --version | head -n1; } | sha256sum | awk '{print $1}')
    if ! [ -f "$tree/.crashlab-key" ] || [ "$(cat "$tree/.crashlab-key")" != "$key" ] \
        || ! [ -f "$tree/arch/x86/boot/bzImage" ]; then
        src_deb=$(fetch "$src_pkg" "$ver") || return $?
        echo "mkimage: building the debug kernel $release from $src_pkg $ver (the first build takes about 10 minutes on 2 cores)" >&2
        rm -rf "$kroot/headers" "$kroot/src"
        mkdir -p "$kroot/src" "$(dirname "$tree")"
        dpkg-deb --fsys-tarfile "$src_deb" | tar -x -C "$kroot/src" "./usr/src/linux-source-$series.tar.xz"
        tar -xJf "$kroot/src/usr/src/linux-source-$series.tar.xz" -C "$kroot/src"
        mv "$kroot/src/linux-source-$series" "$tree"
        rm -rf "$kroot/src"
        debug_config "$tree" "$frag"
        jobs=$(nproc)
        # Debian's own way of naming a release: KERNELVERSION is the ABI
        # its progress goes to the log (stderr); stdout is this function's answer
        make -C "$tree" -j"$jobs" KERNELVERSION="$abi" LOCALVERSION=-debug bzImage modules >&2 \
            || { echo "mkimage: building the debug kernel $release failed" >&2; return 1; }
        if [ "$(cat "$tree/include/config/kernel.release")" != "$release" ]; then
            echo "mkimage: the debug kernel says it is $(cat "$tree/include/config/kernel.release"), not $release" >&2
            return 1
        fi
        echo "$key" > "$tree/.crashlab-key"
    fi
    mkdir -p "$kroot/image/boot" "$kroot/image/lib/modules/$release/kernel"
    cp "$tree/arch/x86/boot/bzImage" "$kroot/image/boot/vmlinuz-$release"
    cp "$tree/.config" "$kroot/image/boot/config-$release"
    cp "$tree/System.map" "$kroot/image/boot/System.map-$release"
    echo "$src_pkg $ver"
}
