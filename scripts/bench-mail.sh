#!/usr/bin/env bash
# Mail throughput on the release build: the inbound endpoint taking new mails (each becomes a
# ticket and notifies both admins), and the outbox sending those notifications to Debian's
# aiosmtpd on loopback. Prints a Markdown report (see BENCHMARKS.md).
#
#   bash scripts/bench-mail.sh [TICKETS]      default 10000; the big run is 1000000
#
# Environment: BENCH_SECS (10), BENCH_CONNECTIONS (8), BENCH_SMTP_CONNECTIONS (32), BENCH_SKIP_BUILD=1 (use the binary
# already built). Needs python3-aiosmtpd (scripts/setup.sh --e2e installs it) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${1:-10000}
SECS=${BENCH_SECS:-10}
CONNS=${BENCH_CONNECTIONS:-8}
# Mails the outbox sends at once (mail.smtp_connections; the app's default is 16).
SMTP_CONNS=${BENCH_SMTP_CONNECTIONS:-32}
APP=127.0.0.1:3230
SMTP=127.0.0.1:3231
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"
BIN="$CARGO_TARGET_DIR/release/helpdesk"
WORK=$(mktemp -d /tmp/helpdesk-bench-mail.XXXXXX)
SECRET=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
step() { printf '\n==> %s\n' "$*" >&2; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  ./scripts/setup.sh --e2e >&2
  step "release build"
  cargo leptos build --release --split --precompress >&2
fi
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 2; }

step "seeding $TICKETS tickets"
HELPDESK_DATABASE_URL="sqlite://$WORK/bench.db" HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn \
  "$BIN" seed --tickets "$TICKETS" >"$WORK/seed.log"
seed_line=$(grep '^seed: added' "$WORK/seed.log")

step "starting the SMTP sink on $SMTP and the server on $APP"
/usr/bin/python3 -m aiosmtpd -n -l "$SMTP" -c aiosmtpd.handlers.Mailbox "$WORK/maildir" >"$WORK/smtp.log" 2>&1 &
pids+=("$!")
LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD HELPDESK_ADDR=$APP HELPDESK_DATABASE_URL="sqlite://$WORK/bench.db" \
  HELPDESK_SMTP_URL="smtp://$SMTP" HELPDESK_SMTP_CONNECTIONS="$SMTP_CONNS" HELPDESK_MAIL_INBOUND_SECRET="$SECRET" HELPDESK_MAIL_NOTIFY_ADMINS=true \
  HELPDESK_MAIL_NOTICES_PER_SENDER_HOUR=1000000000 RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!; pids+=("$SERVER_PID")
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$APP/login" 2>/dev/null && break
  sleep 0.2
done
depth() { curl -fsS "http://$APP/metrics" | awk '$1 == "mail_outbox_depth" { print $2 + 0 }'; }
delivered() { find "$WORK/maildir/new" -type f 2>/dev/null | wc -l; }

# Each request a new mail (a Message-ID of its own) from a seeded user: a new ticket, which
# the two admins are told of.
cat >"$WORK/inbound.lua" <<EOF
local n, thread_no = 0, 0
setup = function(thread) thread:set("me", thread_no); thread_no = thread_no + 1 end
request = function()
  n = n + 1
  local body = string.format("From: user1@seed.test\r\nTo: support@localhost\r\nSubject: Bench mail %d-%d\r\n" ..
    "Message-ID: <bench-%d-%d-%d@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" ..
    "The printer on floor %d jams again.\r\n\r\nOn Mon, 7 Dec 2026 at 10:00, Help Desk wrote:\r\n> earlier\r\n",
    me, n, me, n, os.time(), n % 9)
  return wrk.format("POST", "/api/mail/inbound",
    { ["Authorization"] = "Bearer $SECRET", ["Content-Type"] = "message/rfc822" }, body)
end
done = function(s, latency, requests)
  io.write(string.format("BENCH %.1f %.2f %.2f %d %d\n", s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, s.errors.status, s.requests))
end
EOF

step "inbound: $CONNS connections post new mails for ${SECS}s"
start=$(date +%s.%N)
read -r _ in_rps in_p50 in_p99 in_non2xx in_reqs < <(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s \
  -s "$WORK/inbound.lua" "http://$APP/api/mail/inbound" | grep '^BENCH')
posted_end=$(date +%s.%N)
sent_during=$(delivered)

step "outbox: waiting for every notification to reach the sink"
drain_start=$(date +%s.%N)
for _ in $(seq 1200); do
  [[ "$(depth)" == 0 ]] && break
  sleep 0.5
done
drain_end=$(date +%s.%N)
total=$(delivered)
rss=$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SERVER_PID/status")
left=$(depth)
rates=$(awk -v s="$start" -v p="$posted_end" -v ds="$drain_start" -v de="$drain_end" -v t="$total" -v d="$sent_during" '
  BEGIN { all = de - s; drain = de - ds;
          printf "%.1f %.1f %.1f %.1f", t / all, (drain > 0.5 ? (t - d) / drain : 0), all, drain }')
read -r overall drain_rate all_secs drain_secs <<<"$rates"

cat <<EOF

## $(date -u '+%F %H:%M') UTC — mail at $TICKETS tickets on SQLite ($(git describe --always --dirty 2>/dev/null))

\`bash scripts/bench-mail.sh $TICKETS\`: ${CONNS} connections for ${SECS}s, the outbox ${SMTP_CONNS} mails at once, $(nproc) cores shared by wrk, the app and aiosmtpd.
Seeding: ${seed_line#seed: }. Each mail taken in is a new ticket from a seeded user, and notifies both admins (\`mail.notify_admins\`).

| what | figure |
|---|---|
| inbound mails taken (\`POST /api/mail/inbound\`) | $in_reqs in ${SECS}s: **$in_rps mails/s**, p50 $in_p50 ms, p99 $in_p99 ms, non-2xx $in_non2xx |
| notifications delivered to the SMTP sink | $total in ${all_secs}s from the first post: **$overall mails/s** overall; $sent_during during the posting, the rest at $drain_rate mails/s once it stopped (${drain_secs}s) |
| left in the outbox | $left |
| server peak RSS | ${rss} MB |
EOF
