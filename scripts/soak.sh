#!/usr/bin/env bash
# Soak: the release server on a SQLite file under 100 connections for 5 minutes, every role
# reading and writing at once. Afterwards it checks: 0 errors, every acknowledged write in the
# database exactly once (tickets and replies recounted from the file), the counters equal to a
# full recount, and resident memory flat after warm-up (< 10 % growth from minute 1 to the end).
#
#   bash scripts/soak.sh                 SOAK_SECS (300), SOAK_CONNECTIONS (100),
#                                        SOAK_SKIP_BUILD=1 (use the release binary already built)
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=${SOAK_SECS:-300}
CONNS=${SOAK_CONNECTIONS:-100}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
BIN="$CARGO_TARGET_DIR/release/helpdesk"
WORK=$(mktemp -d /tmp/helpdesk-soak.XXXXXX)
DB="$WORK/soak.db"
APP=127.0.0.1:3300
step() { printf '\n==> %s\n' "$*" >&2; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [[ "${SOAK_SKIP_BUILD:-}" != 1 ]]; then
  ./scripts/setup.sh >&2
  step "release build"
  cargo leptos build --release --split --precompress >&2
fi
if ! command -v wrk >/dev/null; then
  step "installing wrk"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk; } >&2
fi

step "seeding 10 000 tickets into $DB"
HELPDESK_DATABASE_URL="sqlite://$DB" HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn \
  "$BIN" seed --tickets 10000 --users 1000 --agents 20 >&2
LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD HELPDESK_ADDR=$APP HELPDESK_DATABASE_URL="sqlite://$DB" \
  HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
SERVER=$!; pids+=("$SERVER")
for _ in $(seq 100); do curl -fsS -o /dev/null "http://$APP/login" 2>/dev/null && break; sleep 0.2; done

login() {
  curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" \
    "http://$APP/api/auth/login" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
SUPER=$(login superadmin@gmail.com superadmin123)
ADMIN=$(login admin@gmail.com admin123)
AGENT=$(login agent1@seed.test password123)
USER=$(login user1@seed.test password123)
# The agent's tickets in progress take the replies.
AGENT_TICKETS=$(curl -fsS -H "Authorization: Bearer $AGENT" "http://$APP/api/agents/assigned-tickets?status=in-progress&perPage=50" \
  | python3 -c 'import json, sys; print(",".join(str(t["id"]) for t in json.load(sys.stdin)["tickets"]))')
[[ -n $AGENT_TICKETS ]] || { echo "the seeded agent has no tickets in progress" >&2; exit 1; }

cat >"$WORK/report.lua" <<'EOF'
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format("SOAK %.1f %.2f %.2f %d %d %d\n", s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout, s.requests))
end
EOF
# Reads: each role's views in turn, with that role's token.
reads() {
  local token=$1; shift
  local paths; paths=$(printf '"%s",' "$@")
  cat <<EOF
local paths, n = { ${paths%,} }, 0
request = function()
  n = n % #paths + 1
  return wrk.format("GET", paths[n], { ["Authorization"] = "Bearer $token", ["Cookie"] = "helpdesk_session=$token" })
end
$(cat "$WORK/report.lua")
EOF
}
reads "$USER" /api/users/dashboard /api/users/my-tickets /user >"$WORK/user.lua"
reads "$AGENT" /api/agents/dashboard /api/agents/assigned-tickets /agent/tickets >"$WORK/agent.lua"
reads "$ADMIN" /api/admin/dashboard "/api/tickets?status=open&sort=priority" /admin /api/admin/reports >"$WORK/admin.lua"
reads "$SUPER" /api/superadmin/dashboard /api/superadmin/users /api/superadmin/audit /superadmin >"$WORK/super.lua"
cat >"$WORK/create.lua" <<EOF
wrk.method = "POST"
wrk.path = "/api/tickets"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $USER"
wrk.body = '{"title":"Soak: printer queue stuck","description":"Jobs stay in the queue.","category":"technical","priority":"medium"}'
$(cat "$WORK/report.lua")
EOF
cat >"$WORK/reply.lua" <<EOF
local ids, n = { $AGENT_TICKETS }, 0
request = function()
  n = n % #ids + 1
  return wrk.format("POST", "/api/agents/ticket/" .. ids[n] .. "/note",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $AGENT" },
    '{"note":"Soak reply: still looking","internal":false}')
end
$(cat "$WORK/report.lua")
EOF

step "soak: $CONNS connections for ${SECS}s"
share=$(( CONNS / 6 ))
declare -A conns=([user]=$share [agent]=$share [admin]=$share [super]=$share [create]=$share [reply]=$(( CONNS - 5 * share )))
for part in user agent admin super create reply; do
  wrk -t1 -c"${conns[$part]}" -d"${SECS}s" --timeout 10s -s "$WORK/$part.lua" "http://$APP" >"$WORK/$part.txt" &
  pids+=("$!")
done
samples=()
for (( t = 0; t < SECS; t += 10 )); do
  sleep 10
  samples+=("$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status")")
done
wait "${pids[@]:1}" 2>/dev/null || true

printf '\n| load | connections | requests | req/s | p50 ms | p99 ms | non-2xx / socket errors |\n|---|---|---|---|---|---|---|\n'
errors=0
for part in user agent admin super create reply; do
  read -r _ rps p50 p99 non2xx sockerr reqs < <(grep '^SOAK' "$WORK/$part.txt")
  printf '| %s | %s | %s | %s | %s | %s | %s / %s |\n' "$part" "${conns[$part]}" "$reqs" "$rps" "$p50" "$p99" "$non2xx" "$sockerr"
  errors=$(( errors + non2xx + sockerr ))
  [[ $part == create ]] && created=$reqs
  [[ $part == reply ]] && replied=$reqs
done
hwm=$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SERVER/status")
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

step "recount from the database file"
echo "RSS every 10 s (MB): ${samples[*]}"
python3 - "$DB" "$created" "$replied" "${samples[5]:-${samples[0]}}" "${samples[-1]}" "$hwm" "$errors" "${conns[create]}" "${conns[reply]}" <<'EOF'
import sqlite3, sys
db, created, replied, warm, last, hwm, errors = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6], int(sys.argv[7])
# wrk counts the answers it read; requests still in flight when it stopped may have been
# written without being counted, at most one per connection.
in_flight_creates, in_flight_replies = int(sys.argv[8]), int(sys.argv[9])
con = sqlite3.connect(db)
tickets = con.execute("SELECT COUNT(*) FROM tickets WHERE title = 'Soak: printer queue stuck'").fetchone()[0]
replies = con.execute("SELECT COUNT(*) FROM ticket_events WHERE detail = 'Soak reply: still looking'").fetchone()[0]
counted = dict(((s, n) for s, n in con.execute("SELECT status, n FROM ticket_counts WHERE scope = 'all'")))
actual = dict(con.execute("SELECT status, COUNT(*) FROM tickets GROUP BY status").fetchall())
problems = []
if errors: problems.append(f"{errors} errors")
if not created <= tickets <= created + in_flight_creates: problems.append(f"{created} tickets acknowledged, {tickets} in the database")
if not replied <= replies <= replied + in_flight_replies: problems.append(f"{replied} replies acknowledged, {replies} in the database")
if {k: v for k, v in counted.items() if v} != actual: problems.append(f"counters {counted} != recount {actual}")
growth = (last - warm) / warm * 100
if growth >= 10: problems.append(f"RSS grew {growth:.1f} % after warm-up")
print(f"\nacknowledged / stored: {created} / {tickets} tickets, {replied} / {replies} replies (the difference: requests in flight at the end); counters match a recount: {not any('counters' in p for p in problems)}")
print(f"RSS after warm-up (minute 1) {warm} MB, at the end {last} MB ({growth:+.1f} %); peak (VmHWM) {hwm} MB")
for p in problems: print("FAIL:", p, file=sys.stderr)
sys.exit(1 if problems else 0)
EOF
