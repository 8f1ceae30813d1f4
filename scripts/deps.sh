#!/bin/bash
# Install what crashlab needs from Debian's packages and start libvirtd.
# Idempotent: installs only what is missing, starts daemons only when they are
# not running. Used by `make demo`, `make check` and .ci/run.
set -euo pipefail

PKGS=(build-essential pkg-config make gcc qemu-system-x86 libvirt-daemon-system
      libvirt-clients libvirt-dev libjansson-dev libcmocka-dev busybox-static
      cpio xz-utils zstd kmod bc libelf-dev libxml2-utils python3 python3-jsonschema clang
      libclang-rt-14-dev crash
      # clang's linker and tools, for the KMSAN kernel kind (LLVM=1)
      lld llvm
      # the BPF reference sensor (sensor/bpf): its static loader links
      # libbpf.a, libelf.a and libz.a; bpftool makes its skeleton
      libbpf-dev bpftool zlib1g-dev
      # disk images (images/mkdisk.sh) and offline installs (libguestfs);
      # libguestfs' appliance boots the host's kernel from /boot
      mmdebstrap fdisk e2fsprogs qemu-utils libguestfs-dev libguestfs-tools ovmf
      linux-image-amd64
      # crashlab's own package index of every Debian release (images/apt.sh)
      # and the other releases' toolchain roots (images/toolchain.sh)
      debian-archive-keyring
      # arm64 guests: the emulator, and the cross compiler for the agent and
      # the candidate's modules on Debian 12's arm64 kernels
      qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      # arm64 disk images: mmdebstrap runs their maintainer scripts under
      # qemu-user (binfmt_misc, registered below)
      qemu-user-static binfmt-support arch-test
      # the debug kernel kind, built from Debian's source (images/kernel-debug.sh)
      flex bison
      # digests: cache entries (images/cache.sh) and the controller (libcrypto)
      openssl libssl-dev
      # report.html is checked as rendered by headless Chromium (tests)
      chromium
      # the history of runs: SQLite by default, PostgreSQL for a team (the
      # tests start a server of their own)
      libsqlite3-dev libpq-dev postgresql)

missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "crashlab: installing ${missing[*]}" >&2
    if [ "$(id -u)" != 0 ]; then
        echo "crashlab: need root to install packages" >&2; exit 2
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# arm64 disk images: the kernel runs arm64 binaries through qemu-user only
# once binfmt_misc is mounted and qemu's entry enabled (no systemd here does it).
if [ "$(id -u)" = 0 ] && ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    [ -e /proc/sys/fs/binfmt_misc/register ] ||
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 ||
        echo "crashlab: could not register qemu-aarch64 with binfmt_misc: no arm64 disk images" >&2
fi

# The candidate's own code (pre-flight commands, kbuild and DKMS builds)
# runs as this unprivileged user, never as root (harness/base/cl_builder.h).
if [ "$(id -u)" = 0 ] && ! getent passwd crashlab-build >/dev/null; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
        --user-group crashlab-build
fi

# No udev here either, so Debian's rule for /dev/kvm (0660 root:kvm) never ran.
# libvirt checks that the qemu user can open /dev/kvm; when it cannot, it
# throws its capability cache away and re-probes qemu on every domain start
# (about 50 s each). Apply the rule by hand.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
fi

# libvirtd: no systemd on these machines, so start the daemons ourselves.
# The daemons run under scripts/reaper.c: PID 1 here reaps exited qemu
# processes lazily, and libvirt waits for that before a domain counts as
# stopped (about 2 s per cell); the reaper reaps them at once.
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/build"
if [ ! -x "$root/build/reaper" ] || [ "$root/scripts/reaper.c" -nt "$root/build/reaper" ]; then
    gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$root/build/reaper" "$root/scripts/reaper.c"
fi
start_daemon() {
    local name=$1
    if ! pgrep -x "$name" >/dev/null; then
        echo "crashlab: starting $name" >&2
        "$root/build/reaper" "$name" -d
    fi
}
if [ "${CRASHLAB_NO_LIBVIRTD:-0}" != 1 ]; then
    start_daemon virtlogd
    start_daemon libvirtd
    for _ in $(seq 1 50); do
        virsh -q -c qemu:///system version >/dev/null 2>&1 && exit 0
        sleep 0.2
    done
    echo "crashlab: libvirtd did not answer on qemu:///system" >&2
    exit 2
fi
