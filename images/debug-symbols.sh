#!/bin/bash
# Fetch the debug vmlinux of one Debian kernel release, for opening crash
# dumps with crash(8): CACHE/debug/RELEASE/vmlinux. Only that one file is
# extracted from linux-image-RELEASE-dbg (the package unpacks to ~5 GiB);
# the .deb (~0.9 GiB) is removed afterwards.
#
# usage: debug-symbols.sh RELEASE CACHE     prints the vmlinux path
# exit:  0 ok; 3 Debian has no -dbg package for RELEASE; 1 other failure
set -euo pipefail
release=${1:?usage: debug-symbols.sh RELEASE CACHE}
cache=${2:?usage: debug-symbols.sh RELEASE CACHE}
case "$release" in *[!A-Za-z0-9.+_-]*|"") echo "debug-symbols: invalid release" >&2; exit 3;; esac
dir=$cache/debug/$release
if [ -s "$dir/vmlinux" ]; then echo "$dir/vmlinux"; exit 0; fi
pkg=linux-image-$release-dbg
if ! apt-cache show "$pkg" >/dev/null 2>&1; then
    echo "debug-symbols: Debian has no package $pkg" >&2; exit 3
fi
mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.dl.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "debug-symbols: downloading $pkg (about 0.9 GiB)" >&2
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1)
dpkg-deb --fsys-tarfile "$tmp"/"$pkg"_*.deb \
    | tar -x -C "$tmp" "./usr/lib/debug/boot/vmlinux-$release"
mv "$tmp/usr/lib/debug/boot/vmlinux-$release" "$dir/vmlinux"
echo "$dir/vmlinux"
