#!/bin/bash
# Build a DKMS module source for one kernel, as dkms would, without dkms:
#   OUT/modules         one line per built module, in dkms.conf's order:
#                       NAME SHA256   (written last; crashlab installs each
#                       in /lib/modules/RELEASE/updates/dkms, as Debian's
#                       dkms does)
#   OUT/NAME.ko         each built module
#   OUT/build.log       the build's output
#   OUT/key             sha256 of every input (this script, the source, the
#                       kernel release and headers' .config); written last
# SRC is a DKMS source tree (a directory with dkms.conf) or a Debian package
# holding one under /usr/src (a *-dkms .deb). dkms.conf is read the way dkms
# reads it: sourced by bash with kernelver, kernel_source_dir, dkms_tree,
# source_tree and arch set; its MAKE[0] (or dkms' default make command) is
# run in the build directory, and every BUILT_MODULE_NAME[i] must be there
# afterwards under BUILT_MODULE_LOCATION[i]. BUILD_EXCLUSIVE_KERNEL and
# BUILD_EXCLUSIVE_ARCH are honoured as dkms honours them.
#
# usage: dkms.sh SRC RELEASE HEADERS OUT
# exit:  0 built (or up to date); 4 the source does not build for this
#        kernel (the last line says why); 1 other failure
set -euo pipefail
# the compiler's messages in plain ASCII, for the report (the kernel's
# Makefile unexports LC_ALL, not LANG or LC_MESSAGES)
export LC_ALL=C LANG=C LC_MESSAGES=C LC_CTYPE=C

src=${1:?usage: dkms.sh SRC RELEASE HEADERS OUT}
release=${2:?usage: dkms.sh SRC RELEASE HEADERS OUT}
headers=${3:?usage: dkms.sh SRC RELEASE HEADERS OUT}
out=${4:?usage: dkms.sh SRC RELEASE HEADERS OUT}
# absolute: the make line runs in the build directory
headers=$(cd "$headers" && pwd) || { echo "dkms: no headers directory $3" >&2; exit 1; }
src=$(realpath -e "$src") || { echo "dkms: no DKMS source $1" >&2; exit 1; }
mkdir -p "$out" && out=$(cd "$out" && pwd)

src_digest() {
    if [ -f "$src" ]; then
        sha256sum "$src" | awk '{print $1}'
    else
        (cd "$src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
            sha256sum | awk '{print $1}'
    fi
}
key=$( { sha256sum "$0" | awk '{print $1}'; src_digest; echo "$release"
         sha256sum "$headers/.config" | awk '{print $1}'; } | sha256sum | awk '{print $1}')
if [ -f "$out/key" ] && [ "$(cat "$out/key")" = "$key" ] && [ -f "$out/modules" ]; then
    # every module still what the list says
    ok=1
    while read -r name sum; do
        [ "$(sha256sum "$out/$name.ko" 2>/dev/null | awk '{print $1}')" = "$sum" ] || ok=0
    done < "$out/modules"
    [ "$ok" = 1 ] && exit 0
fi

# emptied, not removed: the caller made it, and the build may not own its parent
find "$out" -mindepth 1 -delete
work=$(mktemp -d "$out/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$out/build.log
: > "$log"

# the source tree: the directory itself, or the one directory under
# /usr/src of the package that holds a dkms.conf
if [ -f "$src" ]; then
    dpkg-deb -x "$src" "$work/deb"
    mapfile -t confs < <(find "$work/deb/usr/src" -mindepth 2 -maxdepth 2 -name dkms.conf 2>/dev/null)
    if [ "${#confs[@]}" -ne 1 ]; then
        echo "dkms: $src holds ${#confs[@]} dkms.conf files under /usr/src, not one" | tee -a "$log" >&2
        exit 1
    fi
    tree=$(dirname "${confs[0]}")
else
    tree=$src
fi
[ -f "$tree/dkms.conf" ] || { echo "dkms: $tree has no dkms.conf" | tee -a "$log" >&2; exit 1; }

# dkms.conf, sourced as dkms sources it; what it sets is printed, one
# NUL-terminated field each, and read back (so nothing it runs reaches here)
dkms_tree=$work/tree
export kernelver=$release kernel_source_dir=$headers dkms_tree source_tree=$(dirname "$tree")
export arch=x86_64 conf=$tree/dkms.conf
fields=$(bash -c '
    set +u
    . "$conf" >/dev/null 2>&1 || exit 1
    : "${MAKE[0]:=make -C $kernel_source_dir M=$dkms_tree/$PACKAGE_NAME/$PACKAGE_VERSION/build}"
    printf "%s\n" "$PACKAGE_NAME" "$PACKAGE_VERSION" "${MAKE[0]}" \
        "${BUILD_EXCLUSIVE_KERNEL:-}" "${BUILD_EXCLUSIVE_ARCH:-}" "${#BUILT_MODULE_NAME[@]}"
    for i in "${!BUILT_MODULE_NAME[@]}"; do
        printf "%s\n" "${BUILT_MODULE_NAME[$i]}" "${BUILT_MODULE_LOCATION[$i]:-}"
    done
    echo end') || { echo "dkms: $tree/dkms.conf cannot be read" | tee -a "$log" >&2; exit 1; }
mapfile -t f <<< "$fields"
pkg=${f[0]} ver=${f[1]} make_cmd=${f[2]} excl_kernel=${f[3]} excl_arch=${f[4]} n=${f[5]}
case "$pkg$ver" in
    ""|*[!A-Za-z0-9._+~-]*) echo "dkms: $tree/dkms.conf: PACKAGE_NAME and PACKAGE_VERSION must be set" | tee -a "$log" >&2; exit 1;;
esac
if [ "$n" -lt 1 ] || [ "$n" -gt 128 ]; then
    echo "dkms: $tree/dkms.conf: lists $n modules (BUILT_MODULE_NAME), not 1 to 128" | tee -a "$log" >&2
    exit 1
fi
if [ "${#f[@]}" -ne $((6 + 2 * n + 1)) ] || [ "${f[6 + 2 * n]}" != end ]; then
    echo "dkms: $tree/dkms.conf: a module name or location spans lines" | tee -a "$log" >&2
    exit 1
fi
if [ -n "$excl_kernel" ] && ! [[ "$release" =~ $excl_kernel ]]; then
    echo "dkms: $pkg $ver is not for kernel $release (BUILD_EXCLUSIVE_KERNEL=$excl_kernel)" | tee -a "$log" >&2
    exit 4
fi
if [ -n "$excl_arch" ] && ! [[ "x86_64" =~ $excl_arch ]]; then
    echo "dkms: $pkg $ver is not for x86_64 (BUILD_EXCLUSIVE_ARCH=$excl_arch)" | tee -a "$log" >&2
    exit 4
fi

build=$dkms_tree/$pkg/$ver/build
mkdir -p "$build"
cp -a "$tree/." "$build/"
echo "dkms: $pkg $ver for $release: $make_cmd" >> "$log"
t0=$(date +%s)
# BTF for modules needs pahole and vmlinux, which a headers tree lacks:
# switched off through MAKEFLAGS, the only way into a make line we do not write
export MAKEFLAGS="-j$(nproc) CONFIG_DEBUG_INFO_BTF_MODULES="
# a kernel built with clang (the KMSAN kind) takes modules built with clang
grep -qsx 'CONFIG_CC_IS_CLANG=y' "$headers/.config" && MAKEFLAGS+=" LLVM=1"
if ! (cd "$build" && eval "$make_cmd") >> "$log" 2>&1; then
    err=$(grep -m1 -E 'error:|Error [0-9]' "$log" | sed "s|$build/||" | cut -c1-200 || true)
    echo "dkms: $pkg $ver does not build for $release: ${err:-make failed}" | tee -a "$log" >&2
    exit 4
fi
: > "$work/modules"
for ((i = 0; i < n; i++)); do
    name=${f[6 + 2 * i]} loc=${f[7 + 2 * i]}
    case "$name/$loc" in
        *[!A-Za-z0-9._/+-]*|*..*|/*) echo "dkms: module '$name' in '$loc' is not a plain name and path" | tee -a "$log" >&2; exit 1;;
    esac
    ko=$build/$loc/$name.ko
    if [ ! -f "$ko" ]; then
        echo "dkms: $pkg $ver built for $release without $loc$name.ko" | tee -a "$log" >&2
        exit 4
    fi
    cp "$ko" "$out/$name.ko"
    echo "$name $(sha256sum "$out/$name.ko" | awk '{print $1}')" >> "$work/modules"
done
mv "$work/modules" "$out/modules"
echo "$key" > "$out/key"
echo "dkms: $pkg $ver for $release: $n modules in $(( $(date +%s) - t0 )) s" | tee -a "$log" >&2
