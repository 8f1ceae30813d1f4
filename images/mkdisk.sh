#!/bin/bash
# Build the Debian disk image of one kernel release for crashlab (Debian 11,
# 12 or 13, amd64 or arm64: the release and architecture the kernel's name
# says, from crashlab's own package index, images/apt.sh):
#   CACHE/disks/RELEASE/disk.qcow2   partitioned (MBR), ext4 root labelled
#                                    crashlab-root on partition 1; on amd64
#                                    GRUB in the MBR with the console on ttyS0
#                                    (the image a user may be handed)
#   CACHE/disks/RELEASE/vmlinuz      the image's own kernel and initramfs, for
#   CACHE/disks/RELEASE/initrd.img   direct kernel boot (root=/dev/vda1)
#   CACHE/disks/RELEASE/modules.tar.zst  its lib/modules/RELEASE, for depmod
#                                    on the host (images/cl_depmod.c)
#   CACHE/disks/RELEASE/key          sha256 of every input; written last
#   CACHE/disks/RELEASE/times        seconds each step of the build took
# With --packages NAME PKG...: the same image with a candidate's user-space
# packages installed too (Debian's by name, a vendor's as /path/to/file.deb;
# apt installs each with its dependencies), in CACHE/disks/NAME (crashlab
# names it RELEASE+digest of the package list). Cells boot the kernel
# directly, so a package image has no boot loader: GRUB, installed by
# libguestfs' appliance under TCG, is only in the base image, the one handed
# to crashlab as a user's own.
# The root file system is made by mmdebstrap from Debian's packages only
# (systemd, udev, kmod, qemu-guest-agent, GRUB on amd64 and linux-image-RELEASE
# with the initramfs that initramfs-tools builds for it); an arm64 root's
# maintainer scripts run under qemu-user (binfmt_misc, scripts/deps.sh). Cells
# boot the image's own kernel and initramfs directly on both architectures.
# No loop devices and no mounts on the host: mkfs.ext4 -d fills the file
# system from a directory, sfdisk writes the partition table into a plain
# file, and libguestfs (its own
# appliance VM) runs grub-install inside the image. Nothing of crashlab is in
# the image: the agent and the candidate are injected into each cell's overlay.
# The base is built in a temporary directory and renamed into place, so a
# killed build never leaves a half-made image that looks finished; it is never
# modified afterwards (cells boot qcow2 overlays backed by it).
#
# usage: mkdisk.sh RELEASE CACHE [--check | --packages NAME PKG...]
# exit:  0 built or up to date; 3 unknown kernel release; 1 other failure
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=images/cache.sh
. "$here/cache.sh"
release=${1:?usage: mkdisk.sh RELEASE CACHE [--check | --packages NAME PKG...]}
cache=${2:?usage: mkdisk.sh RELEASE CACHE [--check | --packages NAME PKG...]}
name=$release extra=()
if [ "${3:-}" = "--packages" ]; then
    name=${4:?mkdisk: --packages needs a NAME}
    extra=("${@:5}")
    case "$name" in
        *[!A-Za-z0-9.+_-]*|"") echo "mkdisk: invalid image name '$name'" >&2; exit 1;;
    esac
fi
case "$release" in
    *[!A-Za-z0-9.+_-]*|"") echo "mkdisk: invalid kernel release '$release'" >&2; exit 3;;
esac
# shellcheck source=images/apt.sh
. "$here/apt.sh"
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
idx_setup "$cache" "$release"
idx_update || exit 1
arch=$idx_arch codename=$idx_codename
case "$arch" in
    amd64) boot_pkgs=(grub-pc); [ "$name" = "$release" ] || boot_pkgs=();;
    arm64) boot_pkgs=() emulator=aarch64;;
    *) echo "mkdisk: no disk images for $arch" >&2; exit 3;;
esac
pkgs=(systemd-sysv udev kmod qemu-guest-agent initramfs-tools "${boot_pkgs[@]}" procps
      "linux-image-$release" "${extra[@]}")

# "NAME VERSION" of every package by name, from one apt-cache call (one call
# per package costs half a second each): the image architecture's version
# (NAME:ARCH), else the package's for all architectures (NAME); a package
# Debian lacks is exit 3.
names=() ; for p in "${pkgs[@]}"; do [[ "$p" == /*.deb ]] || names+=("$p:$arch" "$p"); done
versions=$(idx_apt_cache policy "${names[@]}" 2>/dev/null |
           awk '/^[^ ]/ { p = $1; sub(/:$/, "", p); q = sub(/:(amd64|arm64)$/, "", p) }
                /^  Candidate:/ && $2 != "(none)" { if (q || !(p in v)) v[p] = $2 }
                END { for (p in v) print p, v[p] }')
version_of() { awk -v p="$1" '$1 == p { print $2 }' <<<"$versions"; }
for p in "${pkgs[@]}"; do
    case "$p" in
        /*.deb) [ -f "$p" ] || { echo "mkdisk: no package file $p" >&2; exit 3; };;
        *) [ -n "$(version_of "$p")" ] || { echo "mkdisk: Debian has no package $p" >&2; exit 3; };;
    esac
done
[ "${3:-}" = "--check" ] && exit 0
if [ -n "${emulator:-}" ] && ! grep -qx enabled "/proc/sys/fs/binfmt_misc/qemu-$emulator" 2>/dev/null; then
    echo "mkdisk: an $arch disk image needs qemu-user-static and binfmt_misc (run scripts/deps.sh)" >&2
    exit 1
fi
size=3G
out=$cache/disks/$name
mkdir -p "$cache/disks"
exec 9>"$cache/disks/.$name.lock"
flock 9
# builders of this image hold the lock: a build directory found now is a dead
# one's (killed, or the machine restarted under it)
rm -rf "$cache/disks/.$name.build."*

# The inputs: this script, the release and the version of every package the
# image is made of (a new Debian point release gives a new image).
key=$( { sha256sum "$0" | awk '{print $1}'; echo "$release $codename $arch"
         for p in "${pkgs[@]}"; do
             case "$p" in
                 /*.deb) sha256sum "$p" | awk '{print $1}';;
                 *) version_of "$p";;
             esac
         done
       } | sha256sum | awk '{print $1}')
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ]; then
    sums_ok "$out" && exit 0
    echo "mkdisk: cached disk image for $release does not match its digests; rebuilding" >&2
fi

work=$(mktemp -d "$cache/disks/.$name.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
t0=$(date +%s) tp=$t0 times=()
# step NAME: NAME took the seconds since the previous step ended
step() { times+=("$1 $(( $(date +%s) - tp ))"); tp=$(date +%s); }
echo "mkdisk: building the disk image $name (Debian $codename $arch, mmdebstrap, a few minutes)" >&2

# Guest settings written into the tree before it is packed: the root by
# label; with GRUB (amd64), GRUB and the kernel on the serial console and a
# short GRUB timeout.
hooks=(--customize-hook='printf "LABEL=crashlab-root / ext4 errors=remount-ro 0 1\n" > "$1/etc/fstab";
      echo crashlab-guest > "$1/etc/hostname"')
[ "${#boot_pkgs[@]}" -gt 0 ] && hooks+=(--customize-hook='mkdir -p "$1/etc/default/grub.d";
      printf "%s\n" "GRUB_TIMEOUT=1" "GRUB_TERMINAL=serial" \
        "GRUB_SERIAL_COMMAND=\"serial --unit=0 --speed=115200\"" \
        "GRUB_CMDLINE_LINUX_DEFAULT=\"\"" \
        "GRUB_CMDLINE_LINUX=\"console=ttyS0,115200\"" > "$1/etc/default/grub.d/crashlab.cfg"')
# a vendor's .deb: an --include of its own, made visible inside the chroot
# (where dpkg runs) by mmdebstrap's own hook, and removed from it afterwards
names=() files=()
for p in "${pkgs[@]}"; do
    case "$p" in /*.deb) files+=(--include="$p");; *) names+=("$p");; esac
done
[ "${#files[@]}" -gt 0 ] && files+=(--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount)
# The initramfs is made once, by the last hook, when every package is in: the
# kernel's own postinst skips it (INITRD=No, which its initramfs-tools hook
# honours) and the packages installed after it find no initramfs to update.
# Left to the packages it was made twice, ~60 s each here (~70 s of a 190 s
# amd64 build; under qemu-user on arm64 far more).
# It holds the modules a crashlab domain needs to mount its root (virtio's PCI
# and MMIO transports, virtio-blk, ext4 and what they depend on), not
# Debian's MODULES=most for any hardware: the packages step of a 6.1 build
# took 69 s instead of 134 here, and every boot unpacks 6.5 MB, not 36; the
# OS loads the rest from the root as on any Debian machine.
hooks+=(--customize-hook='printf "MODULES=list\n" > "$1/etc/initramfs-tools/conf.d/crashlab";
      printf "%s\n" virtio_pci virtio_mmio virtio_blk ext4 crc32c_generic >> "$1/etc/initramfs-tools/modules"')
hooks+=(--customize-hook="chroot \"\$1\" update-initramfs -c -k $release")
INITRD=No mmdebstrap --quiet --variant=minbase --architectures="$arch" \
    --include="$(IFS=,; echo "${names[*]}")" "${files[@]}" "${hooks[@]}" \
    "$codename" "$work/root.tar" \
    "deb [signed-by=$idx_keyring] $idx_mirror $codename main" \
    "deb [signed-by=$idx_keyring] $idx_security $codename-security main" >&2

mkdir "$work/root"
tar -xpf "$work/root.tar" -C "$work/root" --numeric-owner
rm -f "$work/root.tar"
step packages
cp "$work/root/boot/vmlinuz-$release" "$work/vmlinuz"
cp "$work/root/boot/initrd.img-$release" "$work/initrd.img"
# the image's own module tree, for depmod on the host when a cell adds the
# candidate's modules (harness: images/cl_depmod.c); ~90 MB for 6.1
tar -C "$work/root" -cf - "lib/modules/$release" | zstd -q -3 -T0 -o "$work/modules.tar.zst"

# Partition 1 starts at 1 MiB and fills the disk; the file system is made
# from the tree in a file of exactly that size and copied in at that offset.
mkfs.ext4 -q -F -L crashlab-root -d "$work/root" "$work/root.ext4" "$size"
rm -rf "$work/root"
truncate -s "$(( $(stat -c %s "$work/root.ext4") + 1048576 ))" "$work/disk.raw"
echo 'start=2048, type=83, bootable' | sfdisk -q "$work/disk.raw" >/dev/null
dd if="$work/root.ext4" of="$work/disk.raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/root.ext4"
step filesystem

# GRUB from inside the image (libguestfs' appliance: TCG, direct backend).
# Once in a while (1 build of about 10 seen) grub-install in the appliance
# takes the disk for another one ("embedding is not possible, but this is
# required for cross-disk install") and the next try succeeds; three tries,
# each logged, before the build fails.
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg
install_grub() {
    guestfish --format=raw -a "$work/disk.raw" >&2 <<'GF'
run
mount /dev/sda1 /
command "grub-install --target=i386-pc --recheck /dev/sda"
command "update-grub"
GF
}
# (an arm64 image has no boot loader: the appliance cannot run its
# grub-install, and its cells boot the image's kernel directly; nor has a
# package image, see above)
if [ "${#boot_pkgs[@]}" -gt 0 ]; then
    for try in 1 2 3; do
        install_grub && break
        echo "mkdisk: grub-install failed (try $try of 3)" >&2
        [ "$try" = 3 ] && exit 1
    done
    step grub
fi

qemu-img convert -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
rm -f "$work/disk.raw"
step qcow2
printf '%s s\n' "${times[@]}" > "$work/times"
sums_write "$work" disk.qcow2 vmlinuz initrd.img modules.tar.zst
echo "$key" > "$work/key"
rm -rf "$out"
chmod 0755 "$work"
mv "$work" "$out"
trap - EXIT
echo "mkdisk: $name done in $(( $(date +%s) - t0 )) s ($(printf '%s s, ' "${times[@]}")$(du -sh "$out/disk.qcow2" | cut -f1))" >&2
