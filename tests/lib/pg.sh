# A PostgreSQL server of the tests' own (sourced): a private data directory
# and socket under DIR, no TCP port, no system service touched. The server
# refuses to run as root, so as root it runs as the build user.
#   pg_start DIR   start it; print the URL crashlab takes (--db) on stdout
#   pg_stop DIR    stop it (fast) and remove DIR
pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }; done
    echo "pg: no PostgreSQL server installed (scripts/deps.sh installs postgresql)" >&2
    return 1
}

pg_as() {
    if [ "$(id -u)" = 0 ]; then runuser -u crashlab-build -- "$@"; else "$@"; fi
}

pg_start() {
    local dir=$1 bin user
    bin=$(pg_bin) || return 1
    mkdir -p "$dir" && chmod 0755 "$dir" || return 1
    [ "$(id -u)" = 0 ] && chown crashlab-build "$dir"
    user=$(pg_as id -un)
    pg_as "$bin/initdb" -D "$dir/data" -U "$user" -A trust --no-sync >"$dir/initdb.log" 2>&1 ||
        { echo "pg: initdb failed, see $dir/initdb.log" >&2; return 1; }
    pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -h '' -c fsync=off" start >/dev/null 2>&1 ||
        { echo "pg: the server did not start, see $dir/server.log" >&2; return 1; }
    echo "postgresql:///postgres?host=$dir&user=$user"
}

pg_stop() {
    local bin
    bin=$(pg_bin) || return 1
    pg_as "$bin/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$1"
}
