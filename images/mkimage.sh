#!/bin/bash
# Build the bootable image of one Debian kernel release for crashlab:
#   CACHE/images/RELEASE/vmlinuz        the kernel, from linux-image-RELEASE
#   CACHE/images/RELEASE/base.cpio.gz   initramfs: busybox, the crashlab agent as
#                                       /init, and the modules the agent loads
#   CACHE/kernels/RELEASE/headers/...   extracted linux-headers tree to build
#                                       candidate modules against
# Everything comes from Debian's own packages (apt-get download + dpkg-deb -x)
# found in crashlab's own package index (images/apt.sh: every release, amd64
# and arm64); nothing is installed on the host and its apt state is not read. A RELEASE ending in "-debug" or "-kmsan" is
# built from Debian's kernel source instead, with the sanitizers on (images/kernel-debug.sh). The result is keyed by its inputs (package
# versions, this recipe, the agent, busybox) and its files are checked against
# their digests when reused, so a second build with the same inputs does
# nothing and a damaged image is built again.
#
# usage: mkimage.sh RELEASE CACHE AGENT_BINARY
# exit:  0 built or up to date; 3 unknown kernel release; 1 other failure
set -euo pipefail

release=${1:?usage: mkimage.sh RELEASE CACHE AGENT}
cache=${2:?usage: mkimage.sh RELEASE CACHE AGENT}
agent=${3:?usage: mkimage.sh RELEASE CACHE AGENT}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=images/cache.sh
. "$here/cache.sh"
# shellcheck source=images/kernel-debug.sh
. "$here/kernel-debug.sh"
# shellcheck source=images/apt.sh
. "$here/apt.sh"
# shellcheck source=images/toolchain.sh
. "$here/toolchain.sh"

case "$release" in
    *[!A-Za-z0-9.+_-]*|"") echo "mkimage: invalid kernel release '$release'" >&2; exit 3;;
esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd) # absolute: the index's paths are used from other directories
# A debug kernel is built from the host's bookworm source packages; every
# other kernel comes from crashlab's index of its Debian release.
apt_cache=apt-cache
case "$release" in
    *-debug|*-kmsan) ;;
    *) idx_setup "$cache" "$release"
       apt_cache=idx_apt_cache ;;
esac
# --check: only say whether Debian has this kernel (fast, downloads no package)
if [ "${4:-}" = "--check" ]; then
    [ -f "$cache/images/$release/key" ] && exit 0
    case "$release" in
        *-debug|*-kmsan) debug_names; debug_version >/dev/null; exit $? ;;
    esac
    idx_update || exit 1
    idx_apt_cache show "linux-image-$release" >/dev/null 2>&1 && exit 0
    echo "mkimage: Debian has no package linux-image-$release" >&2
    exit 3
fi

debs=$cache/debs
out=$cache/images/$release
kroot=$cache/kernels/$release
mkdir -p "$debs" "$out" "$kroot"
# One builder per release at a time (parallel runs and CI shards share the cache).
exec 9>"$out/.lock"
flock 9
[ "$apt_cache" = apt-cache ] || idx_update || exit 1

# deb_in DIR PKG[:ARCH] [VERSION]: the .deb of PKG (of ARCH) in DIR whose
# digest this release's index lists, if any (the directory is shared by every
# release: a package of the same name from another release is left alone).
deb_in() {
    local name=${2%%:*} arch= f
    [ "$name" = "$2" ] || arch=_${2#*:}
    for f in "$1/${name}_${3:+${3}_}"*"$arch.deb"; do
        [ -f "$f" ] && deb_ok "$f" "$2" "$apt_cache" && { echo "$f"; return 0; }
    done
    return 0
}

# fetch PKG [VERSION]: make sure PKG's .deb (at VERSION, or the candidate)
# is in $debs, whole (its digest is the one the package index lists), print
# its path. Downloads go to a private directory first and are renamed into
# place, so a killed download is never taken for a package.
fetch() {
    local pkg=$1 ver=${2:-} f dl
    f=$(deb_in "$debs" "$pkg" "$ver")
    if [ -z "$f" ]; then
        if ! $apt_cache show "$pkg" >/dev/null 2>&1; then
            return 3
        fi
        echo "mkimage: downloading $pkg" >&2
        dl=$(mktemp -d "$debs/.dl.XXXXXX")
        (cd "$dl" && ${apt_cache/cache/get} download -q "$pkg${ver:+=$ver}" >/dev/null 2>"$dl/.err") \
            || { cat "$dl/.err" >&2; rm -rf "$dl"; return 1; }
        f=$(ls "$dl/${pkg%%:*}"_*.deb | head -n1)
        if ! deb_ok "$f" "$pkg" "$apt_cache"; then
            echo "mkimage: downloaded $pkg does not match the package index" >&2
            rm -rf "$dl"
            return 1
        fi
        mv "$f" "$debs/"
        rm -rf "$dl"
        f=$(deb_in "$debs" "$pkg" "$ver")
    fi
    echo "$f"
}

# extract_vmlinux BZIMAGE OUT: the ELF inside the bzImage's payload (xz,
# zstd or gzip), kept only when it has a PVH entry note (Xen note 0x12).
extract_vmlinux() {
    local z=$1 out=$2 magic tool off
    for magic in '\xFD\x37\x7A\x58\x5A\x00:xz -dc --single-stream' \
                 '\x28\xB5\x2F\xFD:zstd -qdc' '\x1F\x8B\x08\x00:gzip -dc'; do
        tool=${magic#*:}
        off=$(LC_ALL=C grep -obUaP "${magic%%:*}" "$z" 2>/dev/null | head -n1 | cut -d: -f1)
        [ -n "$off" ] || continue
        tail -c +$((off + 1)) "$z" | $tool >"$out" 2>/dev/null
        if readelf -nW "$out" 2>/dev/null | grep -q '(0x00000012)'; then
            return 0
        fi
    done
    rm -f "$out"
    return 1
}

# The package index as it is now: apt rebuilds pkgcache.bin (and renames
# lists into their directory) whenever the index changes.
index_stamp() {
    stat -c '%Y %s %i' "$idx_dir/cache/pkgcache.bin" "$idx_dir/lists" 2>/dev/null | tr '\n' ' '
}
# The initramfs's busybox, the same for every release: amd64's is the host's
# (Debian 12's), arm64's Debian 12's from the arm64 archive (its version is
# part of the key).
busybox_pkg=
busybox_version=
if [ "${idx_arch:-amd64}" = arm64 ]; then
    busybox_pkg=busybox-static:arm64
    # asked of apt-cache only when Debian 12's index changed since it last was
    busybox_version=$( (idx_setup_codename "$cache" bookworm && idx_update || exit 1
                        seen=$idx_dir/busybox-arm64 stamp=$(index_stamp)
                        if [ -n "$stamp" ] && [ "$(head -n1 "$seen" 2>/dev/null)" = "$stamp" ]; then
                            tail -n +2 "$seen"; exit 0
                        fi
                        v=$(idx_apt_cache policy $busybox_pkg | awk '/Candidate:/ {print $2}')
                        printf '%s\n%s\n' "$stamp" "$v" > "$seen.$$" && mv "$seen.$$" "$seen"
                        echo "$v") ) || exit 1
fi
# fetch_busybox: its .deb, from Debian 12's index.
fetch_busybox() {
    (idx_setup_codename "$cache" bookworm && apt_cache=idx_apt_cache && fetch "$busybox_pkg")
}
# The versions the index offers of the kernel and its headers: asked of
# apt-cache (~0.7 s) only when the index changed since they were last read.
index_versions() {
    local stamp v
    stamp=$(index_stamp)
    if [ -n "$stamp" ] && [ -f "$out/index" ] && [ "$(head -n1 "$out/index")" = "$stamp" ]; then
        tail -n +2 "$out/index"
        return
    fi
    v=$($apt_cache policy "linux-image-$release" "linux-headers-$release" 2>/dev/null \
        | awk '/Candidate:/ {print $2}')
    [ -n "$stamp" ] && printf '%s\n%s\n' "$stamp" "$v" >"$out/index.tmp" && mv "$out/index.tmp" "$out/index"
    echo "$v"
}

# The inputs, read without opening a package: the versions the index offers
# of the kernel and of its headers, this recipe, the agent and busybox. A
# cached image with this key whose files match their digests is used as it
# is (a fraction of a second); the .debs are fetched and verified only when
# something has to be built.
case "$release" in
    *-debug|*-kmsan) debug_names
             versions="$src_pkg $(debug_version)" || exit $?
             versions+=" $(sha256sum "${frags[@]}" | awk '{print $1}')" ;;
    *) versions=$(index_versions) ;;
esac
key=$( { sha256sum "$agent" /bin/busybox "$0" "$here/cache.sh" "$here/kernel-debug.sh" "$here/apt.sh" "$here/toolchain.sh" | awk '{print $1}'
         echo "$release"; echo "$versions"; echo "$busybox_version"; } | sha256sum | awk '{print $1}')
# What the caller may take without running this recipe again
# (images/cl_image.c): the arguments, the index age limit, until when the
# index counts as fresh, and every file this answer read, as it looked then.
# When one of them changes, or the time passes, the recipe runs again.
write_seen() {
    # a debug kernel's versions are the host's apt's: no index of ours to watch
    case "$release" in *-debug|*-kmsan) return 0;; esac
    local until files=("$agent" /bin/busybox "$here/${0##*/}" "$here/cache.sh" "$here/kernel-debug.sh"
                       "$here/apt.sh" "$here/toolchain.sh"
                       "$idx_dir/lists" "$idx_dir/updated" "$out/key" "$out/sums" "$out/packages"
                       "$kroot/headers/usr/src/linux-headers-$release/Makefile") f
    until=$(( $(stat -c %Y "$idx_dir/updated") + ${CL_INDEX_MAX_AGE:-86400} ))
    if [ -n "$busybox_pkg" ]; then # and Debian 12's index, for the arm64 busybox
        f=$cache/apt/bookworm
        files+=("$f/busybox-arm64" "$f/lists" "$f/updated")
        f=$(( $(stat -c %Y "$f/updated") + ${CL_INDEX_MAX_AGE:-86400} ))
        [ "$f" -lt "$until" ] && until=$f
    fi
    for f in $(sed 's/^[0-9a-f]* \*//' "$out/sums"); do files+=("$out/$f"); done
    { echo "args $release $cache $agent"; echo "env ${CL_INDEX_MAX_AGE-unset}"; echo "until $until"
      stat -c '%n %s %.9Y %i' "${files[@]}"; } > "$out/seen.tmp" && mv "$out/seen.tmp" "$out/seen"
}
# headers_usable: the headers tree, and the Makefile it includes, are this
# cache's (a cache copied from elsewhere keeps the old place's paths, which
# may lead to another cache or to nothing).
headers_usable() {
    local mk=$kroot/headers/usr/src/linux-headers-$release/Makefile inc root
    [ -f "$mk" ] || return 1
    root=$(readlink -f "$kroot/headers") || return 1
    case "$root/" in "$(cd "$cache" && pwd -P)"/*) ;; *) return 1 ;; esac
    inc=$(sed -n 's/^include //p' "$mk" | head -n1)
    case "$inc" in
        "$cache"/*) [ -f "$inc" ] ;;
        /usr/src/*) [ -L "$kroot/headers" ] && [ -f "$root$inc" ] ;; # a toolchain root's own path
        /*) return 1 ;;
        *) return 0 ;; # a whole source tree (a debug kernel): its includes are its own
    esac
}
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ]; then
    if sums_ok "$out"; then
        headers_usable && { write_seen; exit 0; }
    else
        echo "mkimage: cached image for $release does not match its digests; rebuilding" >&2
    fi
fi
rm -f "$out/seen" # built again: nothing of the old answer holds

# Another release's headers go into its toolchain root (images/toolchain.sh),
# where Debian installs them; KROOT/headers is a link to that root.
headers_in_toolchain() {
    local hdr=$1 kbuild root lockfd d
    shift
    for d in "$@"; do case "$(basename "$d")" in linux-kbuild-*) kbuild=$d;; esac; done
    # shellcheck disable=SC2046 # package names: no spaces
    root=$(toolchain_ensure "$cache" "$idx_codename" $(toolchain_packages "$hdr" "$kbuild")) || return 1
    exec {lockfd}>"$root/.extract.lock"
    flock "$lockfd"
    for d in "$hdr" "$@"; do dpkg-deb -x "$d" "$root"; done
    exec {lockfd}>&-
    ln -sfn "$root" "$kroot/headers"
}

# The kernel: KROOT/image/boot/{vmlinuz,config,System.map}-RELEASE and
# /lib/modules, and the headers tree; PACKAGES: where they came from.
kernel_from_packages() {
    local img_deb hdr_deb dep_debs=() dep mk rc
    img_deb=$(fetch "linux-image-$release") || {
        rc=$?
        [ $rc = 3 ] && echo "mkimage: Debian has no package linux-image-$release" >&2
        return $rc
    }
    hdr_deb=$(fetch "linux-headers-$release") || {
        echo "mkimage: no package linux-headers-$release" >&2; return 3; }
    # The headers package depends on its -common tree and on linux-kbuild; read
    # the names from its control file instead of guessing them.
    for dep in $(dpkg-deb -f "$hdr_deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//' \
                 | tr -d ' ' | grep -E '^linux-(headers|kbuild)-'); do
        dep_debs+=("$(fetch "$dep")")
    done
    echo "mkimage: building image for $release" >&2
    rm -rf "$kroot/image" "$kroot/headers"
    dpkg-deb -x "$img_deb" "$kroot/image"
    if [ "$idx_codename" != bookworm ]; then
        headers_in_toolchain "$hdr_deb" "${dep_debs[@]}" || return 1
    else
        # Headers: one private root; point the one absolute include at it.
        for d in "$hdr_deb" "${dep_debs[@]}"; do dpkg-deb -x "$d" "$kroot/headers"; done
        mk=$kroot/headers/usr/src/linux-headers-$release/Makefile
        sed -i "s|^include /usr/src/|include $kroot/headers/usr/src/|" "$mk"
    fi
    $apt_cache policy "linux-image-$release" "linux-headers-$release" 2>/dev/null \
        | awk '/^[^ ]/ { p = $1; sub(":$", "", p) } /Candidate:/ { print p, $2 }' > "$out/packages.tmp"
}

rm -f "$out/key"
case "$release" in
    *-debug|*-kmsan) rm -rf "$kroot/image"
             debug_build "$kroot" > "$out/packages.tmp" ;;
    *) kernel_from_packages ;;
esac
cp "$kroot/image/boot/vmlinuz-$release" "$out/vmlinuz.tmp"
# The kernel's own vmlinux, out of the bzImage's compressed payload, when the
# kernel has a PVH entry (CONFIG_PVH): qemu boots it directly, without
# firmware or the decompressor (1.6 s of a 6 s TCG boot). Same code as the
# bzImage runs; crashlab's initramfs and snapshot cells boot it.
rm -f "$out/vmlinux"
if grep -qx 'CONFIG_PVH=y' "$kroot/image/boot/config-$release" &&
   extract_vmlinux "$out/vmlinuz.tmp" "$out/vmlinux.tmp"; then
    mv "$out/vmlinux.tmp" "$out/vmlinux"
fi
rm -f "$out/vmlinux.tmp"
cp "$kroot/image/boot/config-$release" "$out/config"
cp "$kroot/image/boot/System.map-$release" "$out/System.map"

# Initramfs.
stage=$(mktemp -d "$out/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,run,var/lib,lib/modules/crashlab,crashlab}
if [ -n "$busybox_pkg" ]; then
    bb_deb=$(fetch_busybox) || exit 1
    # /bin/busybox, or /usr/bin/busybox where /usr is merged (trixie)
    dpkg-deb --fsys-tarfile "$bb_deb" | tar -xO --wildcards "./bin/busybox" "./usr/bin/busybox" > "$stage/bin/busybox" 2>/dev/null || [ -s "$stage/bin/busybox" ] || exit 1
    chmod 0755 "$stage/bin/busybox"
else
    cp /bin/busybox "$stage/bin/busybox"
fi
for a in sh ls cat mkfifo dmesg poweroff reboot sleep echo mount; do
    ln -s busybox "$stage/bin/$a"
done
install -m 0755 "$agent" "$stage/init"
moddir=$kroot/image/lib/modules/$release/kernel
# trixie's kernel packages install under /usr/lib (merged /usr)
[ -d "$moddir" ] || moddir=$kroot/image/usr/lib/modules/$release/kernel
# (5.10 has pvpanic as one module in drivers/misc)
for m in drivers/misc/pvpanic/pvpanic drivers/misc/pvpanic drivers/misc/pvpanic/pvpanic-mmio \
         drivers/firmware/qemu_fw_cfg drivers/virtio/virtio drivers/virtio/virtio_ring \
         drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev \
         drivers/virtio/virtio_pci drivers/virtio/virtio_mmio drivers/char/virtio_console; do
    name=$(basename "$m")
    if [ -f "$moddir/$m.ko" ]; then
        cp "$moddir/$m.ko" "$stage/lib/modules/crashlab/$name.ko"
    elif [ -f "$moddir/$m.ko.xz" ]; then
        xz -dc "$moddir/$m.ko.xz" > "$stage/lib/modules/crashlab/$name.ko"
    elif [ -f "$moddir/$m.ko.zst" ]; then
        zstd -qdc "$moddir/$m.ko.zst" > "$stage/lib/modules/crashlab/$name.ko"
    fi
done
# Load order for the agent: pvpanic core before its ISA/ACPI front end, so a
# panic reaches the host as an event; qemu_fw_cfg so the guest hands QEMU its
# VMCOREINFO and crash dumps (--vmcore) carry what crash(8) needs.
# Snapshot guests (crashlab.mode=wait) also take their delivery on a
# virtio-serial port: virtio_console and what it needs, where they are modules.
# An arm64 guest has no pvpanic and takes its agent channel on a virtio
# port too (the virt machine has one UART): virtio first, at every boot.
virtio="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_mmio virtio_console"
if [ "${idx_arch:-amd64}" = arm64 ]; then
    # shellcheck disable=SC2086 # module names
    printf '%s\n' $virtio qemu_fw_cfg > "$stage/lib/modules/crashlab/order"
else
    printf '%s\n' pvpanic pvpanic-mmio qemu_fw_cfg > "$stage/lib/modules/crashlab/order"
fi
# shellcheck disable=SC2086
printf '%s\n' $virtio > "$stage/lib/modules/crashlab/order.wait"
echo "$release" > "$stage/crashlab/kernel-release"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) \
    | gzip -n -6 > "$out/base.cpio.gz.tmp"
mv "$out/base.cpio.gz.tmp" "$out/base.cpio.gz"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
rm -rf "$kroot/image"
if [ -f "$out/vmlinux" ]; then sums_write "$out" vmlinuz vmlinux base.cpio.gz
else sums_write "$out" vmlinuz base.cpio.gz; fi
# the package versions this image was made from, for the report's provenance
mv "$out/packages.tmp" "$out/packages"
echo "$key" > "$out/key.tmp"
mv "$out/key.tmp" "$out/key"
write_seen
