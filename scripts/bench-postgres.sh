#!/usr/bin/env bash
# The load benchmark on SQLite, then on PostgreSQL with one instance and with three behind
# nginx, in one run on the same data: bench.sh seeds a SQLite file and drives every view;
# `helpdesk migrate` copies that file into a throwaway PostgreSQL database; bench.sh drives
# the same views against it. Prints the three Markdown tables (see BENCHMARKS.md).
#
#   bash scripts/bench-postgres.sh [TICKETS]      default 10000; the big run is 1000000
#
# Environment: as bench.sh (BENCH_SECS, BENCH_CONNECTIONS, …).
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS=${1:-10000}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"
WORK=$(mktemp -d /tmp/helpdesk-bench-pg.XXXXXX)
step() { printf '\n==> %s\n' "$*" >&2; }

if ! [[ -x /usr/sbin/nginx || -x /usr/bin/nginx ]]; then
  step "installing Debian's nginx"
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >&2
fi
URL=$(scripts/postgres.sh create)
trap 'scripts/postgres.sh drop "$URL" || true; rm -rf "$WORK"' EXIT

BENCH_DIR="$WORK" BENCH_KEEP_DB=1 bash scripts/bench.sh "$TICKETS"
step "copying the SQLite database into PostgreSQL"
RUST_LOG=warn "$CARGO_TARGET_DIR/release/helpdesk" migrate --from "sqlite://$WORK/bench.db" --to "$URL" >&2
for instances in 1 3; do
  BENCH_DIR="$WORK" BENCH_KEEP_DB=1 BENCH_SKIP_BUILD=1 BENCH_DATABASE_URL="$URL" BENCH_INSTANCES=$instances \
    bash scripts/bench.sh "$TICKETS"
done
