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

# The kinds of debug kernel, named by the release's last word: the config
# fragments (in order; a later line overrides an earlier one) and the
# compiler. "-debug": gcc, as Debian builds; "-kmsan": clang, which KMSAN needs.
debug_variant() {
    variant=${release##*-}
    case "$variant" in
        debug) frags=("$here/kernel-debug.config"); kmake=() ;;
        kmsan) frags=("$here/kernel-debug.config" "$here/kernel-kmsan.config"); kmake=(LLVM=1) ;;
        *) echo "mkimage: no debug kernel kind '$variant' ($release)" >&2; return 3 ;;
    esac
}

# debug_names: from $release set $abi (6.1.0-56), $series (6.1), the
# production image package it mirrors and the source package, and the
# kind's fragments and compiler (debug_variant).
debug_names() {
    debug_variant || exit 3
    abi=${release%-"$variant"}
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

# debug_fragment: the kind's fragments as one, each option's last line kept.
debug_fragment() {
    awk -F= '/^CONFIG_[A-Za-z0-9_]+=/ { if (!($1 in v)) k[++n] = $1; v[$1] = $0 }
             END { for (i = 1; i <= n; i++) print v[k[i]] }' "${frags[@]}"
}

# debug_config TREE FRAGMENT: configure TREE; fail naming every option of
# FRAGMENT that olddefconfig did not keep.
debug_config() {
    local tree=$1 frag=$2 lost=() line sym val
    # ARCH=x86_64: a 64-bit allnoconfig, so every default that depends on
    # 64BIT (FRAME_WARN, ...) is the 64-bit one; later makes read it from .config.
    # The compiler (kmake) decides what Kconfig offers (KMSAN: clang only).
    make -C "$tree" -s ARCH=x86_64 "${kmake[@]}" allnoconfig >/dev/null \
        && (cd "$tree" && scripts/kconfig/merge_config.sh -m .config kernel/configs/kvm_guest.config \
                "$frag" >/dev/null) \
        && make -C "$tree" -s "${kmake[@]}" olddefconfig >/dev/null \
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
    ver=$(debug_version) || return $?
    tree=$kroot/headers/usr/src/linux-headers-$release
    key=$( { echo "$release $src_pkg $ver ${kmake[*]}"
             sha256sum "${frags[@]}" "$here/kernel-debug.sh" | awk '{print $1}'
             if [ ${#kmake[@]} -gt 0 ]; then clang --version; else gcc --version; fi | head -n1
           } | sha256sum | awk '{print $1}')
    if ! [ -f "$tree/.crashlab-key" ] || [ "$(cat "$tree/.crashlab-key")" != "$key" ] \
        || ! [ -f "$tree/arch/x86/boot/bzImage" ]; then
        src_deb=$(fetch "$src_pkg" "$ver") || return $?
        echo "mkimage: building the debug kernel $release from $src_pkg $ver (the first build takes 10 to 15 minutes on 2 cores)" >&2
        rm -rf "$kroot/headers" "$kroot/src"
        mkdir -p "$kroot/src" "$(dirname "$tree")"
        dpkg-deb --fsys-tarfile "$src_deb" | tar -x -C "$kroot/src" "./usr/src/linux-source-$series.tar.xz"
        tar -xJf "$kroot/src/usr/src/linux-source-$series.tar.xz" -C "$kroot/src"
        mv "$kroot/src/linux-source-$series" "$tree"
        rm -rf "$kroot/src"
        frag=$kroot/fragment.config
        debug_fragment > "$frag"
        debug_config "$tree" "$frag" || return 1
        jobs=$(nproc)
        # Debian's own way of naming a release: KERNELVERSION is the ABI
        # its progress goes to the log (stderr); stdout is this function's answer
        make -C "$tree" -j"$jobs" "${kmake[@]}" KERNELVERSION="$abi" LOCALVERSION="-$variant" bzImage modules >&2 \
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
