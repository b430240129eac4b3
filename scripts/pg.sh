#!/usr/bin/env bash
# A private PostgreSQL server for the tests: Debian's postgresql binaries, a cluster in a
# directory of our own, listening on 127.0.0.1 only, trust authentication (loopback,
# throwaway data). Run as root it runs the server as the `postgres` user (initdb refuses
# root); as anyone else, as that user.
#
#   bash scripts/pg.sh start  [DIR] [PORT]   initdb when DIR is new, start, create role and database
#   bash scripts/pg.sh stop   [DIR]
#   bash scripts/pg.sh restart [DIR] [MODE]  stop (pg_ctl -m MODE: fast, or immediate as a crash
#                                            would: no checkpoint, recovery on start) and start
#   bash scripts/pg.sh status [DIR]
#   bash scripts/pg.sh url    [DIR] [PORT]   print the URL the tests take (IGNY8_TEST_PG_URL)
#
# Defaults: DIR /tmp/igny8-pg, PORT 55432. The database is igny8test, owned by role igny8.
set -euo pipefail

cmd=${1:-status}
dir=${2:-${IGNY8_PG_DIR:-/tmp/igny8-pg}}
port=${3:-${IGNY8_PG_PORT:-55432}}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
  echo "pg.sh: error: no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "postgresql://igny8@127.0.0.1:${port}/igny8test"; }

case "$cmd" in
  start)
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
      chmod 700 "$dir"
      as_owner "$bindir/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 || {
        cat "$dir.initdb.log" >&2; exit 1; }
      cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
max_locks_per_transaction = 256  # tests drop stores of ~90 objects each while others run
shared_buffers = 64MB
fsync = off                # a throwaway test cluster: no OS crash to survive; commits still wait for the WAL write
full_page_writes = off
log_min_messages = warning
CONF
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    fi
    psql=("$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'igny8'")" != 1 ]; then
      "${psql[@]}" -c "CREATE ROLE igny8 LOGIN"
    fi
    if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'igny8test'")" != 1 ]; then
      "${psql[@]}" -c "CREATE DATABASE igny8test OWNER igny8 ENCODING 'UTF8' TEMPLATE template0"
    fi
    echo "pg.sh: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') running in $dir on 127.0.0.1:$port: $(url)"
    ;;
  stop)
    if [ -f "$dir/PG_VERSION" ]; then
      as_owner "$bindir/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  restart)
    mode=${3:-fast}
    case "$mode" in fast|immediate) ;; *) echo "pg.sh: restart MODE is fast or immediate, not '$mode'" >&2; exit 2;; esac
    as_owner "$bindir/pg_ctl" -D "$dir" -m "$mode" -w stop >/dev/null
    as_owner "$bindir/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  status)
    as_owner "$bindir/pg_ctl" -D "$dir" status
    ;;
  url)
    url
    ;;
  *)
    echo "usage: pg.sh start|stop|restart|status|url [DIR] [PORT]" >&2
    exit 2
    ;;
esac
