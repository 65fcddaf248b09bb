# Sourced by scripts/run and scripts/test. Provides PostgreSQL when ConnectionStrings__Postgres is not set:
# installs Debian's package if missing, keeps a private cluster under .data/pg on a free local port,
# and reuses it on the next run.
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PG_DIR="$ROOT/.data/pg"

as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

install_postgres() {
  [ -n "$(pg_bin)" ] && [ -x "$(pg_bin)/initdb" ] && return
  if [ "$(id -u)" != 0 ]; then echo "PostgreSQL is missing: install the 'postgresql' package (needs root)." >&2; exit 1; fi
  echo "Installing PostgreSQL (Debian package)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
}

# PostgreSQL will not run as root, so as root the cluster belongs to the 'postgres' user. When that user
# cannot reach the checkout (a clone under /root, say), the cluster lives under /var/lib/postgresql and
# .data/pg points to it.
place_cluster() {
  [ "$(id -u)" = 0 ] || return 0
  [ -L "$PG_DIR" ] && return 0
  if [ ! -e "$PG_DIR" ] && ! runuser -u postgres -- test -x "$ROOT/.data"; then
    local home="/var/lib/postgresql/opencalendly-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    mkdir -p "$home" && chown postgres:postgres "$home"
    ln -s "$home" "$PG_DIR"
  fi
}

# stop_postgres_started_here: stops the private cluster if this script started it (a running one is left alone).
stop_postgres_started_here() {
  [ "${PG_STARTED_HERE:-}" = 1 ] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 || true
}

# ensure_postgres DBNAME [fresh]: exports ConnectionStrings__Postgres for DBNAME; "fresh" drops it first.
ensure_postgres() {
  local db="$1" fresh="${2:-}"
  if [ -n "${ConnectionStrings__Postgres:-}" ]; then return; fi
  install_postgres
  local bin; bin="$(pg_bin)"
  mkdir -p "$ROOT/.data"
  place_cluster
  PG_DIR="$(readlink -f "$PG_DIR" 2>/dev/null || echo "$PG_DIR")"
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
    as_pg "$bin/initdb" -D "$PG_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR"
  local port
  if ! as_pg "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    port="$(cat "$ROOT/.data/pg.port" 2>/dev/null || echo 55432)"
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "$port" > "$ROOT/.data/pg.port"
    as_pg "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${PG_FSYNC:-on}" start >/dev/null
    PG_STARTED_HERE=1
  fi
  port="$(cat "$ROOT/.data/pg.port")"
  local psql=("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$fresh" = fresh ]; then
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  fi
  if [ -z "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  fi
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$port;Username=postgres;Database=$db"
}
