#!/bin/bash
# The kernels Debian offers now, read from crashlab's own package index
# (images/apt.sh), fetched again first: the kernel crawler behind
# `crashlab matrix refresh`.
#
# usage: kernels.sh CACHE CODENAME...
# prints one line per kernel package linux-image-KERNEL of those releases,
# both architectures:  CODENAME KERNEL HEADERS  (HEADERS: 1 when the index
# also has linux-headers-KERNEL, so a module can be built for it)
# exit: 0, or 1 when an index cannot be fetched (the line before says why)
set -euo pipefail
cache=${1:?usage: kernels.sh CACHE CODENAME...}
shift
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=images/apt.sh
. "$here/apt.sh"
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
flavours='(amd64|cloud-amd64|rt-amd64|arm64|cloud-arm64|rt-arm64)'
for codename in "$@"; do
    case "$codename" in bullseye|bookworm|trixie) ;;
        *) echo "kernels: no Debian release '$codename' in crashlab's index" >&2; exit 1 ;;
    esac
    idx_setup_codename "$cache" "$codename"
    CL_INDEX_MAX_AGE=${CL_INDEX_MAX_AGE:-600} idx_update || exit 1
    # ABI kernels only (a version, then -N, +debN or .debN.N): not the
    # linux-image-6.12-amd64 meta packages, debug symbols or unsigned builds
    idx_apt_cache pkgnames linux- | grep -E "^linux-(image|headers)-[0-9]+\.[0-9]+(\.[0-9]+)?(-[0-9][0-9a-z.]*|\+deb[0-9][0-9a-z.]*)-$flavours\$" \
        | sort -u | awk -v c="$codename" '
            /^linux-image-/   { k = substr($0, 13); img[k] = 1 }
            /^linux-headers-/ { k = substr($0, 15); hdr[k] = 1 }
            END { for (k in img) print c, k, (k in hdr) ? 1 : 0 }' | sort -V -k2
done
