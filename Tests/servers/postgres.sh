#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests, on 127.0.0.1 only:
#   postgres.sh start DIR PORT     initdb in DIR (once) and start; role and database `vigil`,
#                                  password in DIR/password (scram-sha-256, as a real store would ask)
#   postgres.sh stop DIR [fast|immediate]
#   postgres.sh url PORT           the URL a Vigil config uses
# As root it runs the server as the `postgres` user (initdb refuses root).
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
command="$1"; dir="$2"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$dir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$command" in
  start)
    port="$3"
    mkdir -p "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      [ -f "$dir/password" ] || head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
      chmod 600 "$dir/password"
      as_owner "$bin/initdb" -D "$dir/data" -U vigil --pwfile="$dir/password" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
      cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = on
max_connections = 100
CONF
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    if [ ! -f "$dir/created" ]; then
      PGPASSWORD="$(cat "$dir/password")" psql -h 127.0.0.1 -p "$port" -U vigil -d postgres -qAtc "CREATE DATABASE vigil" >/dev/null
      touch "$dir/created"
    fi
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m "${3:-fast}" -w -t 60 stop >/dev/null
    ;;
  url)
    echo "postgresql://vigil@127.0.0.1:$2/vigil"
    ;;
  *) echo "usage: postgres.sh start|stop DIR [PORT|MODE]" >&2; exit 2 ;;
esac
