#!/bin/bash
# Build the test vendor's user-space agent as a Debian package, the same
# bytes every time (fixed times, root-owned): clpair-agent, a service that
# runs once the OS has loaded the modules and writes what clpair_core's
# parameter says to /run/clpair-agent.status, before multi-user.target.
# Given a kernel release and modules, the package ships those modules too,
# in /lib/modules/RELEASE/updates/vendor/, as a vendor's package would.
# usage: make-agent-deb.sh OUT.deb [RELEASE MODULE.ko...]
set -euo pipefail
out=${1:?usage: make-agent-deb.sh OUT.deb [RELEASE MODULE.ko...]}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
mkdir -p "$root/DEBIAN" "$root/usr/lib/clpair" "$root/lib/systemd/system" \
    "$root/etc/systemd/system/multi-user.target.wants"
cat > "$root/DEBIAN/control" <<'CTL'
Package: clpair-agent
Version: 1.0
Architecture: all
Maintainer: crashlab tests <tests@crashlab.invalid>
Depends: kmod
Description: crashlab test vendor's user-space agent
 Reads the clpair_core module's parameter once the modules are loaded.
CTL
cat > "$root/usr/lib/clpair/agent.sh" <<'SH'
#!/bin/sh
echo "agent_saw=$(cat /sys/module/clpair_core/parameters/greeting 2>/dev/null || echo none)" > /run/clpair-agent.status
SH
chmod 0755 "$root/usr/lib/clpair/agent.sh"
cat > "$root/lib/systemd/system/clpair-agent.service" <<'UNIT'
[Unit]
Description=clpair test agent
After=systemd-modules-load.service
Before=multi-user.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/lib/clpair/agent.sh

[Install]
WantedBy=multi-user.target
UNIT
ln -s /lib/systemd/system/clpair-agent.service \
    "$root/etc/systemd/system/multi-user.target.wants/clpair-agent.service"
if [ $# -ge 3 ]; then
    mkdir -p "$root/lib/modules/$2/updates/vendor"
    cp "${@:3}" "$root/lib/modules/$2/updates/vendor/"
fi
find "$root" -exec touch -h -d @0 {} +
SOURCE_DATE_EPOCH=0 dpkg-deb --root-owner-group -Zgzip --build "$root" "$out" >/dev/null
