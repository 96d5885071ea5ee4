#!/usr/bin/env bash
# A throwaway PostgreSQL database for the tests.
#
#   scripts/postgres.sh create   installs Debian's PostgreSQL if it is missing, starts its
#                                cluster if it is down, creates a new empty database owned by
#                                the role helpdesk_test (given a fresh random password each
#                                time) and prints its URL on standard output
#   scripts/postgres.sh drop URL drops that database again
#
# Needs root (it acts as the postgres user through runuser). Progress goes to standard error.
set -euo pipefail

say() { printf '%s\n' "$*" >&2; }
as_postgres() { runuser -u postgres -- "$@"; }

cluster() {
  # "version name port status" of the first cluster, if any.
  pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $1, $2, $3, $4 }'
}

ensure_running() {
  if ! command -v pg_lsclusters >/dev/null || [[ -z "$(cluster)" ]]; then
    say "==> installing PostgreSQL (Debian)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  read -r version name port status <<<"$(cluster)"
  if [[ "$status" != online* ]]; then
    say "==> starting PostgreSQL $version/$name"
    pg_ctlcluster "$version" "$name" start >&2
  fi
  for _ in $(seq 100); do
    pg_isready -q -h 127.0.0.1 -p "$port" && { echo "$port"; return; }
    sleep 0.1
  done
  say "PostgreSQL $version/$name did not become ready on port $port"
  exit 1
}

case "${1:-}" in
  create)
    port=$(ensure_running)
    password=$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')
    database="helpdesk_test_$(date +%s)_$$"
    as_postgres psql -q -v ON_ERROR_STOP=1 -p "$port" -d postgres >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'helpdesk_test') THEN
    CREATE ROLE helpdesk_test LOGIN;
  END IF;
END \$\$;
ALTER ROLE helpdesk_test WITH LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE $database OWNER helpdesk_test;
SQL
    echo "postgres://helpdesk_test:$password@127.0.0.1:$port/$database"
    ;;
  drop)
    url="${2:?usage: $0 drop URL}"
    database="${url##*/}"
    port="${url##*:}"; port="${port%%/*}"
    [[ "$database" =~ ^helpdesk_test_[0-9_]+$ ]] || { say "not a test database: $database"; exit 2; }
    as_postgres dropdb --if-exists --force -p "$port" "$database" >&2
    ;;
  *)
    say "usage: $0 create | drop URL"
    exit 2
    ;;
esac
