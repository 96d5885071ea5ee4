#!/usr/bin/env bash
# Live event streams (`GET /api/events`) on the release build: what an open stream costs the
# server in memory (10 000 held open), how long a change takes to reach 2 000 open streams,
# and how much the mixed read/write run of scripts/bench.sh slows while 2 000 are open.
# Streams are opened and timed by examples/live_client.rs. Prints a Markdown section (see
# BENCHMARKS.md).
#
#   bash scripts/bench-live.sh [TICKETS]        default 10000
#
# Environment, as scripts/bench.sh: BENCH_SECS (10, the hello world and each mixed run),
# BENCH_CONNECTIONS (16) and BENCH_THREADS (2) for the hello world, BENCH_TIMEOUT (10),
# BENCH_SKIP_BUILD=1 (use the live client already built; otherwise it is built here, while the
# release server and the hello world come from scripts/bench.sh's build), BENCH_KEEP_DB=1,
# BENCH_DIR, BENCH_DATABASE_URL (serve that database instead of seeding one; the seed's log is
# read from BENCH_DIR if it is there). Streams: BENCH_HOLD_STREAMS (10000), BENCH_LATENCY_STREAMS
# (2000), BENCH_WRITES (50, replies timed), BENCH_MIXED_STREAMS (2000).
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${1:-10000}
USERS=$(( TICKETS / 10 )); (( USERS > 100000 )) && USERS=100000; (( USERS < 10 )) && USERS=10
AGENTS=200
SECS=${BENCH_SECS:-10}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10}
HOLD=${BENCH_HOLD_STREAMS:-10000}
LAT_STREAMS=${BENCH_LATENCY_STREAMS:-2000}
WRITES=${BENCH_WRITES:-50}
MIXED_STREAMS=${BENCH_MIXED_STREAMS:-2000}
APP=127.0.0.1:3240
HELLO=127.0.0.1:3241
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"
BIN="$CARGO_TARGET_DIR/release/helpdesk"
HELLO_BIN="$CARGO_TARGET_DIR/release/examples/hello"
CLIENT_BIN="$CARGO_TARGET_DIR/release/examples/live_client"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/helpdesk-bench-live.XXXXXX)}
mkdir -p "$WORK"
DB="$WORK/bench.db"
# The server and the client each hold one descriptor per stream; both inherit this limit.
NOFILE=$(( HOLD + 1000 )); (( NOFILE < 20000 )) && NOFILE=20000
ulimit -n "$NOFILE" || { echo "cannot raise the open-files limit to $NOFILE (hard limit $(ulimit -Hn))" >&2; exit 2; }

step() { printf '\n==> %s\n' "$*" >&2; }
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "${BENCH_KEEP_DB:-}" != 1 ]]; then rm -f "$DB" "$DB-wal" "$DB-shm"; fi
  printf '\nlogs: %s\n' "$WORK" >&2
}
trap cleanup EXIT

# Standard output carries only the results (Markdown); progress goes to standard error.
for bin in "$BIN" "$HELLO_BIN"; do
  [[ -x $bin ]] || { echo "$bin is missing: build it with scripts/bench.sh first" >&2; exit 2; }
done
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  # The same LEPTOS_* variables as cargo-leptos' build, so the shared crates are not rebuilt.
  step "live client (examples/live_client.rs)"
  source scripts/leptos-env.sh
  env "${LEPTOS_BUILD_ENV[@]}" cargo build --release --example live_client --features ssr >&2
fi
[[ -x $CLIENT_BIN ]] || { echo "$CLIENT_BIN is missing: run without BENCH_SKIP_BUILD" >&2; exit 2; }
if ! command -v wrk >/dev/null; then
  step "installing wrk"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk; } >&2
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
REVISION=$(git describe --always --dirty 2>/dev/null || echo "unknown revision")
if [[ -z ${BENCH_DATABASE_URL:-} ]]; then
  DATABASE_URL="sqlite://$DB"
  BACKEND="SQLite"
  step "seeding $TICKETS tickets, $USERS users, $AGENTS agents into $DB"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  HELPDESK_DATABASE_URL="$DATABASE_URL" HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn \
    "$BIN" seed --tickets "$TICKETS" --users "$USERS" --agents "$AGENTS" | tee "$WORK/seed.log" >&2
  database="database $(( $(stat -c %s "$DB") / 1048576 )) MB"
else
  DATABASE_URL=$BENCH_DATABASE_URL
  [[ $DATABASE_URL == sqlite:* ]] && BACKEND="SQLite" || BACKEND="PostgreSQL"
  database="the database of an earlier seed"
fi
seed_line=$(grep -s '^seed: added' "$WORK/seed.log" || echo "seed: not seeded by this run")

step "starting the server on $APP ($BACKEND) and the hello world on $HELLO"
LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD HELPDESK_ADDR=$APP HELPDESK_DATABASE_URL="$DATABASE_URL" \
  HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!; pids+=("$SERVER_PID")
"$HELLO_BIN" "$HELLO" >"$WORK/hello.log" 2>&1 &
HELLO_PID=$!; pids+=("$HELLO_PID")
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://$APP/login" 2>/dev/null && curl -fsS -o /dev/null "http://$HELLO/" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS -o /dev/null "http://$APP/login" || { echo "the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }

# Sign-in: prints "<token> <user id>".
login() {
  local body
  body=$(curl -fsS -X POST -H 'Content-Type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "http://$APP/api/auth/login")
  local token=${body#*\"token\":\"}; token=${token%%\"*}
  local id=${body#*\"id\":}; id=${id%%[!0-9]*}
  echo "$token $id"
}
read -r ADMIN_TOKEN _ < <(login admin@gmail.com admin123)
read -r AGENT_TOKEN _ < <(login agent1@seed.test password123)
read -r USER_TOKEN _ < <(login user1@seed.test password123)
# Another requester: the mixed run's changes are not theirs, so their streams hear of none.
read -r OTHER_TOKEN _ < <(login user2@seed.test password123)
[[ -n $ADMIN_TOKEN && -n $AGENT_TOKEN && -n $USER_TOKEN ]] || { echo "sign-in failed" >&2; exit 1; }

cat >"$WORK/report.lua" <<'EOF'
done = function(s, latency, requests)
  local e = s.errors
  io.write(string.format("BENCH %.1f %.2f %.2f %d %d %d\n", s.requests / (s.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.status,
    e.connect + e.read + e.write + e.timeout, s.requests))
end
EOF

# CPU ticks (utime + stime) of one process; the fields after the command name, which may hold spaces.
ticks_of() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0; }
cpu_ticks() { ticks_of "$SERVER_PID"; }
TICK_MS=$(( 1000 / $(getconf CLK_TCK) ))
# CPU other processes take meanwhile (e.g. a build) skews the numbers: it is measured and shown.
# Ours: the server, the hello world, and this script's finished children (wrk, curl, the client).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
our_ticks() {
  echo $(( $(cpu_ticks) + $(ticks_of "$HELLO_PID") + $(sed 's/.*) //' /proc/$$/stat | awk '{ print $14 + $15 }') ))
}
BUSY0=$(busy_ticks); OURS0=$(our_ticks); START=$(date +%s)

# Waits (at most 5 minutes) until the server is idle: a request wrk gave up on may still run.
# Not while streams are held: each looks at its session every 60 s, which is work.
settle() {
  local before
  for _ in $(seq 600); do
    before=$(cpu_ticks); sleep 0.5
    (( $(cpu_ticks) - before <= 5 )) && return 0
  done
  return 0
}
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status"; }
# The server gives freed heap back every 5 s (main.rs, trim_heap_periodically): RSS is read
# after that has happened at least once.
rss_after_trim() { sleep 6; rss_kb; }

# hold_start N NAME: N streams as the admin (who hears of every change), held in the background
# until hold_end; returns once all have their 200 answer. The client's standard input is a FIFO
# this shell keeps open on descriptor 3: closing it ends the client, and so does this script's end.
hold_start() {
  local n=$1 name=$2 token=${3:-$ADMIN_TOKEN}
  rm -f "$WORK/$name.in"; mkfifo "$WORK/$name.in"
  exec 3<>"$WORK/$name.in"
  "$CLIENT_BIN" hold --addr "$APP" --token "$token" --streams "$n" --secs 3600 \
    <"$WORK/$name.in" >"$WORK/$name.out" 2>"$WORK/$name.err" 3>&- &
  HOLD_PID=$!; pids+=("$HOLD_PID")
  for _ in $(seq 1200); do
    grep -qs '^open ' "$WORK/$name.out" && return 0
    kill -0 "$HOLD_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "the $n streams did not open:" >&2; cat "$WORK/$name.err" >&2; exit 1
}
hold_end() { exec 3>&-; wait "$HOLD_PID" || true; }
# The server may notice a stream whose client has gone only when its next keep-alive comment
# (every 15 s) fails to be sent: memory is read after that.
GONE=16

step "hello world baseline for ${SECS}s"
read -r _ HELLO_RPS _ < <(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$WORK/report.lua" \
  "http://$HELLO/" | grep '^BENCH') || HELLO_RPS=-

step "memory: warm-up (200 streams opened and closed), then $HOLD streams held open"
hold_start 200 warmup; hold_end
sleep "$GONE"
settle
RSS_IDLE=$(rss_after_trim)
hold_start "$HOLD" hold
read -r _ _ _ HOLD_OPEN_S _ <"$WORK/hold.out"
RSS_HELD=$(rss_after_trim)
# Server CPU while the streams are idle, over 10 s.
t0=$(cpu_ticks); sleep 10; HOLD_CPU=$(awk -v t=$(( $(cpu_ticks) - t0 )) -v ms="$TICK_MS" 'BEGIN { printf "%.1f", t * ms / 100 }')
hold_end
HOLD_CLOSED=$(awk '/^held/ { print $10 }' "$WORK/hold.out")
sleep "$GONE"
RSS_AFTER=$(rss_after_trim)
GROWTH=$(awk -v a="$RSS_IDLE" -v b="$RSS_HELD" -v n="$HOLD" 'BEGIN { printf "%.1f MB, %.1f KB per stream", (b - a) / 1024, (b - a) / n }')

step "latency: $WRITES replies, each to $LAT_STREAMS streams"
settle
TICKET=$(curl -fsS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $USER_TOKEN" \
  -d '{"title":"Benchmark: live latency","description":"Replies to this ticket are timed to every open stream.","category":"technical","priority":"low"}' \
  "http://$APP/api/tickets" | python3 -c 'import json, sys; print(json.load(sys.stdin)["ticket"]["id"])')
"$CLIENT_BIN" latency --addr "$APP" --token "$ADMIN_TOKEN" --writer-token "$USER_TOKEN" --streams "$LAT_STREAMS" \
  --writes "$WRITES" --ticket "$TICKET" >"$WORK/latency.out" 2>"$WORK/latency.err" \
  || { cat "$WORK/latency.err" >&2; exit 1; }
cat "$WORK/latency.out" >&2
lat_row() { awk -v k="$1" -v label="$2" '$1 == k { printf "| %s | %s | %s | %s | %s |\n", label, $2, $3, $4, $5 }' "$WORK/latency.out"; }
LAT_OPEN_S=$(awk '/^open/ { print $4 }' "$WORK/latency.out")
read -r _ MISSED _ LAT_TOTAL _ LAT_CLOSED < <(grep '^missed' "$WORK/latency.out")
read -r _ CLIENT_CPU _ CLIENT_WALL _ CLIENT_EVENTS < <(grep '^client_cpu_ms' "$WORK/latency.out")
CLIENT_LINE=$(awk -v c="$CLIENT_CPU" -v w="$CLIENT_WALL" -v e="$CLIENT_EVENTS" 'BEGIN {
  printf "%d ms of CPU over %.1f s of writes (%.1f %% of one core), %.1f µs per event received", c, w / 1000, 100 * c / w, (e > 0 ? 1000 * c / e : 0) }')

# The mixed run of scripts/bench.sh: admin dashboard reads (12 connections), ticket creation
# by user1 (2) and agent1's in-progress tickets switched to on-hold and back (1 or 2), at once.
cat >"$WORK/create.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $USER_TOKEN"
wrk.body = '{"title":"Benchmark: printer queue stuck","description":"Jobs stay in the queue of the printer on floor 2.","category":"technical","priority":"medium"}'
$(cat "$WORK/report.lua")
EOF
mixed() {
  local name=$1 versions status_conns=1
  # Edits carry the ticket's version: each wrk thread has one connection and its own tickets,
  # and takes the new version from every answer.
  versions=$(curl -fsS -H "Authorization: Bearer $AGENT_TOKEN" \
    "http://$APP/api/agents/assigned-tickets?status=in-progress&perPage=100" | python3 -c '
import json, sys, urllib.request
app, token = sys.argv[1], sys.argv[2]
def version(id):  # list rows carry no version: each ticket is read once
    request = urllib.request.Request(f"http://{app}/api/tickets/{id}", headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request))["ticket"]["version"]
ids = [t["id"] for t in json.load(sys.stdin).get("tickets", [])]
print(", ".join("{ %d, %d }" % (id, version(id)) for id in ids))' "$APP" "$AGENT_TOKEN")
  (( $(grep -o '{' <<<"$versions" | wc -l) >= 4 )) && status_conns=2
  cat >"$WORK/status.lua" <<EOF
local all, count = { $versions }, 0
setup = function(thread) thread:set("offset", count); count = count + 1 end
local mine, held, n, current, checked = nil, {}, 0, nil, false
request = function()
  if not mine then
    mine = {}
    for i, t in ipairs(all) do if (i - 1) % $status_conns == offset then table.insert(mine, t) end end
  end
  -- wrk calls this once to check the request, and sends what it got: a read, not a change.
  if not checked then
    checked = true
    return wrk.format("GET", "/api/agents/assigned-tickets?perPage=1", { ["Authorization"] = "Bearer $AGENT_TOKEN" })
  end
  n = n % #mine + 1
  current = mine[n]
  held[current[1]] = not held[current[1]]
  local status = held[current[1]] and "on-hold" or "in-progress"
  local body = string.format('{"status":"%s","version":%d}', status, current[2])
  return wrk.format("PUT", "/api/agents/ticket/" .. current[1] .. "/status",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $AGENT_TOKEN" }, body)
end
response = function(status, headers, body)
  local version = body and body:match('"version":(%d+)')
  if current and version then current[2] = tonumber(version) end
end
$(cat "$WORK/report.lua")
EOF
  wrk -t1 -c12 -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$WORK/report.lua" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "http://$APP/api/admin/dashboard" >"$WORK/mixed-$name-read.txt" &
  local read_pid=$!
  wrk -t1 -c2 -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$WORK/create.lua" "http://$APP/api/tickets" >"$WORK/mixed-$name-create.txt" &
  local create_pid=$!
  if [[ -n $versions ]]; then
    wrk -t$status_conns -c$status_conns -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$WORK/status.lua" "http://$APP/" \
      >"$WORK/mixed-$name-status.txt"
  else
    echo "BENCH 0 0 0 0 0 0" >"$WORK/mixed-$name-status.txt"
  fi
  wait "$read_pid" "$create_pid"
  echo "$status_conns" >"$WORK/mixed-$name-status-conns.txt"
  # The tickets left on hold go back in progress, so the next run has as many to switch.
  local id
  for id in $(grep -o '{ [0-9]*' <<<"$versions" | tr -d '{ '); do
    curl -s -o /dev/null -X PUT -H 'Content-Type: application/json' -H "Authorization: Bearer $AGENT_TOKEN" \
      -d '{"status":"in-progress"}' "http://$APP/api/agents/ticket/$id/status" || true
  done
}

# CPU of the server and of the stream client over one mixed run, as % of one core.
cpu_pct() { awk -v t="$1" -v ms="$TICK_MS" -v secs="$SECS" 'BEGIN { printf "%.0f", t * ms / (secs * 10) }'; }
mixed_measured() {
  local name=$1 client=${2:-} s0 c0=0
  s0=$(cpu_ticks); [[ -n $client ]] && c0=$(ticks_of "$client")
  mixed "$name"
  MIXED_SERVER_CPU[$name]=$(cpu_pct $(( $(cpu_ticks) - s0 )))
  MIXED_CLIENT_CPU[$name]=$([[ -n $client ]] && cpu_pct $(( $(ticks_of "$client") - c0 )) || echo 0)
}
declare -A MIXED_SERVER_CPU MIXED_CLIENT_CPU
step "mixed run for ${SECS}s without streams"
settle
mixed_measured plain
step "mixed run for ${SECS}s with $MIXED_STREAMS requester streams open (hearing of none of it)"
settle
hold_start "$MIXED_STREAMS" mixed-quiet "$OTHER_TOKEN"
sleep 2
mixed_measured quiet "$HOLD_PID"
hold_end
step "mixed run for ${SECS}s with $MIXED_STREAMS admin streams open (hearing of all of it)"
settle
hold_start "$MIXED_STREAMS" mixed-hold
sleep 2
mixed_measured streams "$HOLD_PID"
hold_end
MIXED_EVENTS=0 MIXED_CLOSED=?
read -r _ _ _ _ _ MIXED_EVENTS _ _ _ MIXED_CLOSED < <(grep '^held' "$WORK/mixed-hold.out") || true

mixed_rows=()
for part in "read:admin dashboard, 12 connections" "create:create tickets (user), 2 connections" \
            "status:status changes (agent), $(cat "$WORK/mixed-plain-status-conns.txt") connection(s)"; do
  read -r _ rps0 _ p990 _ < <(grep '^BENCH' "$WORK/mixed-plain-${part%%:*}.txt") || true
  row="| ${part#*:} | ${rps0:--} | ${p990:--} |"
  for run in quiet streams; do
    read -r _ rps1 _ p991 err1 sock1 _ < <(grep '^BENCH' "$WORK/mixed-$run-${part%%:*}.txt") || true
    ratio=$(awk -v a="${rps0:-0}" -v b="${rps1:-0}" 'BEGIN { if (a > 0) printf "%.2f", b / a; else printf "-" }')
    row+=" ${rps1:--} | ${p991:--} | $ratio |"
  done
  mixed_rows+=("$row")
done
mixed_rows+=("| CPU, % of one core: server / stream client | ${MIXED_SERVER_CPU[plain]} / - | | ${MIXED_SERVER_CPU[quiet]} / ${MIXED_CLIENT_CPU[quiet]} | | | ${MIXED_SERVER_CPU[streams]} / ${MIXED_CLIENT_CPU[streams]} | | |")
other=$(( ($(busy_ticks) - BUSY0 - $(our_ticks) + OURS0) * 100 / ( ($(date +%s) - START) * $(getconf CLK_TCK) * $(nproc) ) ))
(( other < 0 )) && other=0
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

cat <<EOF

## Live event streams (\`scripts/bench-live.sh\`), $(date -u '+%F %H:%M') UTC — $TICKETS tickets on $BACKEND ($REVISION)

\`bash scripts/bench-live.sh $TICKETS\`: BENCH_SECS=$SECS, $(nproc) cores, load average before the run
$LOAD_BEFORE; other processes used ${other} % of the CPU meanwhile. Seeding: ${seed_line#seed: }; $database.
Streams are opened by \`examples/live_client.rs\` (tokio, 2 workers, hand-written HTTP/1.1 and SSE
parsing) as admin@gmail.com, who hears of every change, on the same cores as the server. The
bare axum hello world answers $HELLO_RPS req/s here (wrk -t$THREADS -c$CONNS).

Memory (server VmRSS, read 6 s after each change: the server gives freed heap back every 5 s):

| streams open | server RSS MB | |
|---|---|---|
| 0, after a warm-up of 200 streams | $(mb "$RSS_IDLE") | |
| $HOLD (opened in $HOLD_OPEN_S s) | $(mb "$RSS_HELD") | +$GROWTH |
| 0, $(( GONE + 6 )) s after they closed | $(mb "$RSS_AFTER") | |

While the $HOLD streams sat idle the server used ${HOLD_CPU} % of one core (each stream looks at its
session every 60 s, and at once when told its account changed); the server ended ${HOLD_CLOSED:-?} of them early.

Latency: $WRITES public replies to ticket $TICKET (\`POST /api/tickets/:id/replies\`, 200 ms apart),
each timed to its \`ticket\` event on each of $LAT_STREAMS open streams (opened in $LAT_OPEN_S s), in ms
from the end of the reply's answer (negative: the event came before the answer):

| | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---|---|---|
$(lat_row every_stream_ms "the last of the $LAT_STREAMS streams, per reply")
$(lat_row each_stream_ms "each stream, per reply")
$(lat_row every_stream_from_request_ms "the last stream, from the reply's request sent")
$(lat_row handling_us "client: socket read to recorded, µs")

Events missed (not there 10 s after the answer): $MISSED of $LAT_TOTAL; streams ended by the server:
$LAT_CLOSED. The client itself: $CLIENT_LINE.

Mixed run (as in scripts/bench.sh, ${SECS}s each): without streams; with $MIXED_STREAMS streams of a
requester whose tickets the run does not touch (each event is looked at by every stream and sent
to none); with $MIXED_STREAMS admin streams, which hear of everything and received $MIXED_EVENTS events
meanwhile ($(( ${MIXED_EVENTS:-0} / (MIXED_STREAMS > 0 ? MIXED_STREAMS : 1) )) each; ${MIXED_CLOSED:-?} ended early). The stream client
runs on the same two cores: its CPU is shown, as is the server's.

| load | req/s | p99 ms | req/s, requester streams | p99 ms | with ÷ without | req/s, admin streams | p99 ms | with ÷ without |
|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${mixed_rows[@]}")
EOF
