#!/usr/bin/env bash
# Load benchmark: seeds a fresh SQLite file database with TICKETS tickets, starts the release
# server and a bare axum hello world beside it, signs in as each role and drives every view
# with wrk, then a mixed read/write run. Prints a Markdown table (see BENCHMARKS.md).
#
#   bash scripts/bench.sh [TICKETS]        default 10000; the big run is 1000000
#
# Environment: BENCH_SECS (10, per view), BENCH_CONNECTIONS (16), BENCH_THREADS (2),
# BENCH_TIMEOUT (10, seconds before wrk counts a request as timed out), BENCH_SKIP_BUILD=1
# (use the binaries already built), BENCH_KEEP_DB=1 (keep the database file afterwards),
# BENCH_DIR (work directory, default a new one under /tmp), BENCH_ONLY (drive only the views
# whose name holds this text, beside the hello world; "sweep" for the filter sweep alone),
# BENCH_SWEEP_READS (5, reads of each mix in the sweep), BENCH_MIXED_CREATES (8, connections
# creating tickets in the mixed run), BENCH_MIXED_RATE (220, writes a second offered in the
# second, paced mixed run; 0 skips it), BENCH_STATUS_CONNECTIONS (at most 2 on SQLite, 4 on
# PostgreSQL, changing statuses in the mixed run).
# On another database: BENCH_DATABASE_URL=postgres://… (or sqlite://… of an earlier seed)
# serves that database (already holding the data: scripts/bench-postgres.sh seeds SQLite and
# migrates it) instead of seeding a new SQLite file, reading the seed's log from BENCH_DIR; BENCH_INSTANCES=3 starts that many
# instances behind nginx (deploy/nginx.conf) and drives the views through it.
set -euo pipefail
cd "$(dirname "$0")/.."

TICKETS=${1:-10000}
USERS=$(( TICKETS / 10 )); (( USERS > 100000 )) && USERS=100000; (( USERS < 10 )) && USERS=10
AGENTS=200
SECS=${BENCH_SECS:-10}
CONNS=${BENCH_CONNECTIONS:-16}
THREADS=${BENCH_THREADS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10}
APP=127.0.0.1:3200
HELLO=127.0.0.1:3201
# cargo-leptos finds wasm-opt (installed by setup.sh) on PATH, as in scripts/test.sh.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"
BIN="$CARGO_TARGET_DIR/release/helpdesk"
HELLO_BIN="$CARGO_TARGET_DIR/release/examples/hello"
WORK=${BENCH_DIR:-$(mktemp -d /tmp/helpdesk-bench.XXXXXX)}
mkdir -p "$WORK"
DB="$WORK/bench.db"

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
if [[ "${BENCH_SKIP_BUILD:-}" != 1 ]]; then
  ./scripts/setup.sh >&2
  step "release build"
  cargo leptos build --release --split --precompress >&2
  # The same LEPTOS_* variables as cargo-leptos' build, so the shared crates are not rebuilt.
  step "hello world baseline (examples/hello.rs)"
  source scripts/leptos-env.sh
  env "${LEPTOS_BUILD_ENV[@]}" cargo build --release --example hello --features ssr >&2
fi
if ! command -v wrk >/dev/null; then
  step "installing wrk"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  { $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk; } >&2
fi

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
REVISION=$(git describe --always --dirty 2>/dev/null || echo "unknown revision")
INSTANCES=${BENCH_INSTANCES:-1}
if [[ -z ${BENCH_DATABASE_URL:-} ]]; then
  DATABASE_URL="sqlite://$DB"
  BACKEND="SQLite"
  step "seeding $TICKETS tickets, $USERS users, $AGENTS agents into $DB"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  HELPDESK_DATABASE_URL="$DATABASE_URL" HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn \
    "$BIN" seed --tickets "$TICKETS" --users "$USERS" --agents "$AGENTS" | tee "$WORK/seed.log" >&2
  db_mb=$(( $(stat -c %s "$DB") / 1048576 ))
  database="database ${db_mb} MB"
else
  DATABASE_URL=$BENCH_DATABASE_URL
  if [[ $DATABASE_URL == sqlite:* ]]; then
    BACKEND="SQLite"
    database="the database of that seed"
  else
    BACKEND="PostgreSQL, $INSTANCES instance(s)"
    database="PostgreSQL database copied from it by helpdesk migrate"
  fi
fi
seed_line=$(grep '^seed: added' "$WORK/seed.log")
RARE=$(sed -n 's/^seed: rare word: \([a-z]*\) .*/\1/p' "$WORK/seed.log")

if (( INSTANCES == 1 )); then
  step "starting the server on $APP ($BACKEND) and the hello world on $HELLO"
  LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD HELPDESK_ADDR=$APP HELPDESK_DATABASE_URL="$DATABASE_URL" \
    HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn "$BIN" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!; pids+=("$SERVER_PID"); APP_PIDS=("$SERVER_PID")
else
  APP_PIDS=()
  # The instances on ports 3210…, nginx on $APP with the project's configuration.
  upstreams=""
  for n in $(seq "$INSTANCES"); do
    port=$(( 3209 + n ))
    LEPTOS_SITE_ROOT=target/site LEPTOS_ENV=PROD HELPDESK_ADDR=127.0.0.1:$port HELPDESK_DATABASE_URL="$DATABASE_URL" \
      HELPDESK_TRUSTED_PROXIES=127.0.0.1/32 HELPDESK_OUTBOX_DIR="$WORK/outbox" RUST_LOG=warn "$BIN" >"$WORK/server-$n.log" 2>&1 &
    pids+=("$!"); APP_PIDS+=("$!"); (( n == 1 )) && SERVER_PID=$!
    upstreams+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;\n"
  done
  mkdir -p "$WORK/nginx/tmp"
  python3 - "$APP" "$upstreams" "$WORK/nginx/nginx.conf" <<'PY'
import re, sys
app, upstreams, out = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3]
conf = open("deploy/nginx.conf").read()
conf = re.sub(r"(        server 127\.0\.0\.1:300\d [^\n]*\n)+", upstreams, conf)
conf = conf.replace("listen 127.0.0.1:8080;", f"listen {app};")
open(out, "w").write("user root;\n" + conf)
PY
  nginx -p "$WORK/nginx" -c nginx.conf -e stderr >"$WORK/nginx.log" 2>&1 &
  pids+=("$!")
fi
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
read -r SUPER_TOKEN _ < <(login superadmin@gmail.com superadmin123)
read -r ADMIN_TOKEN _ < <(login admin@gmail.com admin123)
read -r AGENT_TOKEN AGENT_ID < <(login agent1@seed.test password123)
read -r USER_TOKEN _ < <(login user1@seed.test password123)
[[ -n $SUPER_TOKEN && -n $ADMIN_TOKEN && -n $AGENT_TOKEN && -n $USER_TOKEN ]] || { echo "sign-in failed" >&2; exit 1; }
# The newest closed ticket (it has a full history).
body=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "http://$APP/api/tickets?status=closed&perPage=1")
body=${body#*\"id\":}; TICKET=${body%%[!0-9]*}
YEAR_AGO=$(date -u -d '1 year ago' +%F)
MID_LAST_MONTH=$(date -u -d "$(date -u +%Y-%m-01) -1 month +14 days" +%F)
MID_30=$(date -u -d "$MID_LAST_MONTH -29 days" +%F)
# A ticket with 50 events: one of agent1's tickets in progress (else on hold, else open: an
# earlier run's mixed load may have left them all on hold), given public replies until it has.
for status in in-progress on-hold open; do
  body=$(curl -fsS -H "Authorization: Bearer $AGENT_TOKEN" "http://$APP/api/agents/assigned-tickets?status=$status&perPage=1")
  [[ $body == *'"id":'* ]] && break
done
body=${body#*\"id\":}; LONG_TICKET=${body%%[!0-9]*}
events=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "http://$APP/api/tickets/$LONG_TICKET" \
  | python3 -c 'import json, sys; d = json.load(sys.stdin); t = d["ticket"]; print(len(t.get("history") or []) + len(t.get("notes") or []))')
for _ in $(seq "$events" 49); do
  curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $AGENT_TOKEN" \
    -d '{"note":"Still looking into it.","internal":false}' "http://$APP/api/agents/ticket/$LONG_TICKET/note"
done
# An export of about 10 000 rows: everything up to that size, else the agent whose ticket count
# is nearest to it.
EXPORT_QUERY=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" "http://$APP/api/admin/dashboard" | python3 -c '
import json, sys
d = json.load(sys.stdin)["dashboard"]
agents = [a for a in d["agentPerformance"] if a["assigned"] > 0]
if d["stats"]["totalTickets"] <= 12000 or not agents:
    print("", d["stats"]["totalTickets"])
else:
    a = min(agents, key=lambda a: abs(a["assigned"] - 10000))
    print("?assignedTo=%d %d" % (a["agentId"], a["assigned"]))')
read -r EXPORT_QUERY EXPORT_ROWS <<<"$EXPORT_QUERY" || true
[[ -z ${EXPORT_ROWS:-} ]] && { EXPORT_ROWS=$EXPORT_QUERY; EXPORT_QUERY=""; }

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
# The app's CPU: every instance. The database's CPU: every PostgreSQL process (backends,
# writers, autovacuum) plus what its postmaster collected from backends that have exited.
app_ticks() { local t=0 pid; for pid in "${APP_PIDS[@]}"; do t=$(( t + $(ticks_of "$pid") )); done; echo "$t"; }
db_ticks() {
  local t=0 pid master
  [[ $BACKEND == SQLite ]] && { echo 0; return; }
  for pid in $(pgrep -u postgres -x postgres); do t=$(( t + $(ticks_of "$pid") )); done
  master=$(pgrep -u postgres -x postgres -o)
  [[ -n $master ]] && t=$(( t + $(sed 's/.*) //' "/proc/$master/stat" | awk '{ print $14 + $15 }') ))
  echo "$t"
}
TICK_MS=$(( 1000 / $(getconf CLK_TCK) ))

# CPU other processes take meanwhile (e.g. a build) skews the numbers: it is measured and shown.
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
our_ticks() {
  echo $(( $(app_ticks) + $(db_ticks) + $(ticks_of "$HELLO_PID") + $(sed 's/.*) //' /proc/$$/stat | awk '{ print $14 + $15 }') ))
}
BUSY0=$(busy_ticks); OURS0=$(our_ticks); START=$(date +%s)

rows=()
# Waits (at most 5 minutes) until the server is idle: a request wrk gave up on may still run.
settle() {
  local before
  for _ in $(seq 600); do
    before=$(cpu_ticks); sleep 0.5
    (( $(cpu_ticks) - before <= 5 )) && return 0
  done
}
rss_mb() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$SERVER_PID/status"; }
# bench NAME ROLE-TOKEN|- api|page PATH: one curl to check the answer, then wrk.
# bench NAME TOKEN KIND PATH [JSON]: GET PATH, or POST the JSON body to it when given.
bench() {
  local name=$1 token=$2 kind=$3 path=$4 body=${5:-} url auth=() script="$WORK/report.lua" post=()
  # BENCH_ONLY=text: only the views whose name holds it (and the hello world beside them).
  [[ -n ${BENCH_ONLY:-} && $name != *"$BENCH_ONLY"* && $name != hello* ]] && return
  [[ $path == http* ]] && url=$path || url="http://$APP$path"
  if [[ $token != - && $kind == page ]]; then auth=(-H "Cookie: helpdesk_session=$token" -H "Accept: text/html")
  elif [[ $token != - ]]; then auth=(-H "Authorization: Bearer $token")
  elif [[ $kind == page ]]; then auth=(-H "Accept: text/html"); fi
  if [[ -n $body ]]; then
    script="$WORK/post.lua"
    post=(-X POST -H "Content-Type: application/json" --data "$body")
    { printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' "$body"; cat "$WORK/report.lua"; } >"$script"
  fi
  local check app0 db0
  check=$(curl -s --max-time 300 -o /dev/null -w '%{http_code} %{size_download}' "${auth[@]}" "${post[@]}" "$url" || true)
  local out rps=- p50=- p99=- non2xx=- sockerr=- reqs=-
  app0=$(app_ticks); db0=$(db_ticks)
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --timeout "${TIMEOUT}s" --latency -s "$script" \
    "${auth[@]}" "$url" | grep '^BENCH' || true)
  [[ -n $out ]] && read -r _ rps p50 p99 non2xx sockerr reqs <<<"$out"
  local kb rss
  kb=$(awk -v b="${check#* }" 'BEGIN { printf "%.1f", b / 1024 }')
  rss=$(rss_mb)
  # The CPU each request cost, counted once the server is idle again (a request wrk gave up
  # on still costs). Ticks are 10 ms: over BENCH_SECS the sum is exact to a few percent.
  settle
  local cpu
  cpu=$(awk -v a=$(( $(app_ticks) - app0 )) -v d=$(( $(db_ticks) - db0 )) -v n="$reqs" -v ms="$TICK_MS" -v pg="$([[ $BACKEND == SQLite ]] && echo 0 || echo 1)" '
    BEGIN {
      if (n == "-" || n == 0) { print "- | - | -"; exit }
      app = a * ms / n; db = d * ms / n
      if (!pg) { printf "%.2f | - | -", app; exit }
      printf "%.2f | %.2f | %s", app, db, (db > 0 ? sprintf("%.1f", app / db) : "-")
    }')
  local row="| $name | ${check% *} | $kb | $reqs | $rps | $p50 | $p99 | $non2xx / $sockerr | $rss | $cpu |"
  echo "$row" >&2
  rows+=("$row")
}

step "driving each view for ${SECS}s with $CONNS connections, $THREADS threads"
bench "hello world (bare axum)" - api "http://$HELLO/"
bench "user dashboard (API)" "$USER_TOKEN" api /api/users/dashboard
bench "agent dashboard (API)" "$AGENT_TOKEN" api /api/agents/dashboard
bench "admin dashboard (API)" "$ADMIN_TOKEN" api /api/admin/dashboard
bench "superadmin dashboard (API)" "$SUPER_TOKEN" api /api/superadmin/dashboard
bench "/user page" "$USER_TOKEN" page /user
bench "/agent page" "$AGENT_TOKEN" page /agent
bench "/admin page" "$ADMIN_TOKEN" page /admin
bench "/superadmin page" "$SUPER_TOKEN" page /superadmin
bench "tickets, first page" "$ADMIN_TOKEN" api /api/tickets
bench "tickets, page 400" "$ADMIN_TOKEN" api "/api/tickets?page=400"
bench "tickets, open by priority" "$ADMIN_TOKEN" api "/api/tickets?status=open&sort=priority"
bench "tickets, priority=critical" "$ADMIN_TOKEN" api "/api/tickets?priority=critical"
bench "tickets, category=billing" "$ADMIN_TOKEN" api "/api/tickets?category=billing"
bench "tickets, assignedTo=agent1" "$ADMIN_TOKEN" api "/api/tickets?assignedTo=$AGENT_ID"
bench "tickets, unassigned" "$ADMIN_TOKEN" api "/api/tickets?unassigned=true"
bench "tickets, overdue" "$ADMIN_TOKEN" api "/api/tickets?overdue=true"
# Every filter the list offers with every sort it offers.
for filter in "status=in-progress" "priority=high" "category=billing" "assignedTo=$AGENT_ID" "unassigned=true" "overdue=true"; do
  for sort in newest oldest updated priority; do
    bench "tickets, ${filter/$AGENT_ID/agent1} by $sort" "$ADMIN_TOKEN" api "/api/tickets?$filter&sort=$sort"
  done
done
bench "tickets, status=open&priority=high&category=technical by updated" "$ADMIN_TOKEN" api \
  "/api/tickets?status=open&priority=high&category=technical&sort=updated"
bench "tickets, q=$RARE (rare)" "$ADMIN_TOKEN" api "/api/tickets?q=$RARE"
bench "tickets, q=printer (1/3)" "$ADMIN_TOKEN" api "/api/tickets?q=printer"
bench "agent's assigned tickets" "$AGENT_TOKEN" api /api/agents/assigned-tickets
# Reports at three ranges: the default (the last 30 days), 30 days ending last month's 15th
# (other days at the two ends), and a year.
bench "reports, default range (last 30 days)" "$ADMIN_TOKEN" api /api/admin/reports
bench "reports, 30 days to $MID_LAST_MONTH" "$ADMIN_TOKEN" api "/api/admin/reports?from=$MID_30&to=$MID_LAST_MONTH"
bench "reports, a year from $YEAR_AGO" "$ADMIN_TOKEN" api "/api/admin/reports?from=$YEAR_AGO"
bench "/admin/tickets page" "$ADMIN_TOKEN" page /admin/tickets
bench "/tickets/$TICKET page" "$ADMIN_TOKEN" page "/tickets/$TICKET"
bench "/login page" - page /login
bench "/tickets/$LONG_TICKET page (50 events)" "$AGENT_TOKEN" page "/tickets/$LONG_TICKET"
bench "ticket history, 50 events (API)" "$AGENT_TOKEN" api "/api/tickets/$LONG_TICKET/history"
# A staff page's presence heartbeat (every 20 s per open ticket page; the same word again
# writes only the new expiry) and the read of who else is there.
bench "presence heartbeat, POST (API)" "$ADMIN_TOKEN" api "/api/tickets/$TICKET/presence" '{"tab":"bench-tab-0001","state":"viewing"}'
bench "presence: who else is on a ticket, GET (API)" "$ADMIN_TOKEN" api "/api/tickets/$TICKET/presence"
bench "tickets CSV export ($EXPORT_ROWS rows)" "$ADMIN_TOKEN" api "/api/admin/tickets/export.csv$EXPORT_QUERY"

# The filter sweep (issue 25): every pair of the list's filters with every sort, and a
# fixed-seed sample of larger mixes, each read a few times; the slowest five go in the table.
SWEEP=""
if [[ -z ${BENCH_ONLY:-} || sweep == *"$BENCH_ONLY"* ]]; then
  step "sweeping every pair of filters with every sort, and 40 larger mixes"
  SWEEP=$(python3 scripts/sweep.py "$APP" "$ADMIN_TOKEN" "$AGENT_ID" "$RARE" "${BENCH_SWEEP_READS:-5}" 40 "$AGENT_TOKEN" "$USER_TOKEN" 2>"$WORK/sweep-all.txt")
fi

# The mixed run, twice: the writers first as fast as their connections go (what the server can
# take), then paced to BENCH_MIXED_RATE writes a second in all (220 by default, two thirds
# creates, one third status changes): the load issue 25 asks the server to sustain while the
# dashboard keeps at least half of its read-only rate. A paced writer sends on a schedule
# (LuaJIT's ffi reads the monotonic clock) and never catches up on a missed slot, so a server
# that cannot keep up shows fewer writes than offered.
cat >"$WORK/create.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $USER_TOKEN"
wrk.body = '{"title":"Benchmark: printer queue stuck","description":"Jobs stay in the queue of the printer on floor 2.","category":"technical","priority":"medium"}'
$(cat "$WORK/report.lua")
EOF
# pace_lua RATE: a delay() holding one wrk thread (all its connections) to RATE requests a second.
pace_lua() {
  cat <<EOF
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]]
local ts, interval, slot = ffi.new("bench_timespec"), 1000 / $1, nil
delay = function()
  ffi.C.clock_gettime(1, ts)
  local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  slot = math.max(now, (slot or now) + interval)
  return math.floor(slot - now + 0.5)
end
EOF
}
# status_lua: the agent's tickets in progress and on hold, each switched to the other status and
# back in turn (a run that ends mid-turn leaves some on hold: the next run takes them as they
# are, so the agent's pool does not dwindle run after run). Edits carry the ticket's version
# (REST edits need it): each wrk thread has one connection and its own tickets, and takes the
# new version from every answer. Read afresh before each run.
status_lua() {
  local versions
  versions=$(python3 -c '
import json, sys, urllib.request
app, token = sys.argv[1], sys.argv[2]
def get(path):
    request = urllib.request.Request(f"http://{app}{path}", headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(request))
rows = []
for status, held in (("in-progress", "false"), ("on-hold", "true")):
    for t in get(f"/api/agents/assigned-tickets?status={status}&perPage=50").get("tickets", []):
        # list rows carry no version: each ticket is read once
        rows.append("{ %d, %d, %s }" % (t["id"], get(f"/api/tickets/{t['"'"'id'"'"']}")["ticket"]["version"], held))
print(", ".join(rows))' "$APP" "$AGENT_TOKEN")
  [[ -z $versions ]] && return 1
  # Up to STATUS_MOST connections, each with tickets of its own (a paced one waits for its
  # answers too).
  status_conns=$(( $(grep -o '{' <<<"$versions" | wc -l) / 2 )); (( status_conns > STATUS_MOST )) && status_conns=$STATUS_MOST
  (( status_conns < 1 )) && status_conns=1
  cat <<EOF
local all, count = { $versions }, 0
setup = function(thread) thread:set("offset", count); count = count + 1 end
local mine, n, current, checked = nil, 0, nil, false
request = function()
  if not mine then
    mine = {}
    for i, t in ipairs(all) do if (i - 1) % $status_conns == offset then table.insert(mine, t) end end
  end
  -- wrk calls this once to check the request, and sends what it got: a read, not a change
  -- (it would otherwise be a 404 counted among the errors, or a change nobody tracks).
  if not checked then
    checked = true
    return wrk.format("GET", "/api/agents/assigned-tickets?perPage=1", { ["Authorization"] = "Bearer $AGENT_TOKEN" })
  end
  n = n % #mine + 1
  current = mine[n]
  current[3] = not current[3]
  local status = current[3] and "on-hold" or "in-progress"
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
}
# Enough writers to offer more than the 200 writes a second issue 25 asks the server to sustain:
# each connection waits for its answer, so N connections cap the rate at N / latency. Beside the
# twelve readers a create takes 30-40 ms on a 2-core machine: four connections could not offer
# more than about 120 a second, eight offer about 230.
CREATES=${BENCH_MIXED_CREATES:-8}
RATE=${BENCH_MIXED_RATE:-220}
# Connections changing statuses: on SQLite two (one writer at a time: with four beside the
# eight creating, writes waited on each other, up to 600 ms, and fewer got through); on
# PostgreSQL four (a change is answered in about 45 ms there, so two cannot offer the paced
# run's 73 a second).
STATUS_MOST=${BENCH_STATUS_CONNECTIONS:-$([[ $BACKEND == SQLite ]] && echo 2 || echo 4)}
mixed_rows=()
# mixed_run TITLE RATE: 10 s of the three loads at once; RATE 0 for writers as fast as they go.
mixed_run() {
  local title=$1 rate=$2 read_pid create_pid create_script="$WORK/create.lua" status_script="$WORK/status.lua" part
  step "mixed run, $title: reads of the admin dashboard while a user creates tickets and an agent changes statuses"
  status_lua >"$status_script" || status_script=""
  if (( rate > 0 )); then
    create_script="$WORK/create-paced.lua"
    { cat "$WORK/create.lua"; pace_lua "$(( rate * 2 / 3 ))"; } >"$create_script"
    [[ -n $status_script ]] && { pace_lua "$(( (rate - rate * 2 / 3) / status_conns ))" >>"$status_script"; }
  fi
  wrk -t1 -c12 -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$WORK/report.lua" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "http://$APP/api/admin/dashboard" >"$WORK/mixed-read.txt" &
  read_pid=$!
  wrk -t1 -c"$CREATES" -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$create_script" "http://$APP/api/tickets" >"$WORK/mixed-create.txt" &
  create_pid=$!
  if [[ -n $status_script ]]; then
    wrk -t$status_conns -c$status_conns -d"${SECS}s" --timeout "${TIMEOUT}s" -s "$status_script" "http://$APP/" \
      >"$WORK/mixed-status.txt"
  else
    echo "BENCH 0 0 0 0 0 0" >"$WORK/mixed-status.txt"
  fi
  wait "$read_pid" "$create_pid"
  for part in "read:admin dashboard, 12 connections" "create:create tickets (user), $CREATES connections" \
              "status:status changes (agent), ${status_conns:-0} connection(s)"; do
    read -r _ rps p50 p99 non2xx sockerr reqs < <(grep '^BENCH' "$WORK/mixed-${part%%:*}.txt")
    mixed_rows+=("| $title | ${part#*:} | $reqs | $rps | $p50 | $p99 | $non2xx / $sockerr |")
  done
}
# BENCH_ONLY=sweep: the sweep alone, leaving the data as it was (the mixed run adds tickets and
# changes statuses, which would move the next sweep's walks).
if [[ ${BENCH_ONLY:-} != sweep ]]; then
  mixed_run "writers as fast as they go" 0
  (( RATE > 0 )) && mixed_run "writers paced to $RATE a second" "$RATE"
fi
hwm=$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$SERVER_PID/status")
other=$(( ($(busy_ticks) - BUSY0 - $(our_ticks) + OURS0) * 100 / ( ($(date +%s) - START) * $(getconf CLK_TCK) * $(nproc) ) ))
(( other < 0 )) && other=0

cat <<EOF

## $(date -u '+%F %H:%M') UTC — $TICKETS tickets on $BACKEND ($REVISION)

\`bash scripts/bench.sh $TICKETS\`: BENCH_SECS=$SECS, $CONNS connections, $THREADS wrk threads, $(nproc) cores,
load average before the run $LOAD_BEFORE; other processes used ${other} % of the CPU meanwhile.
Backend: $BACKEND. Seeding: ${seed_line#seed: }; $database.

CPU per request, from \`/proc\`: the app's (all instances) and PostgreSQL's (all its processes);
app ÷ DB is how many app instances one database server of the same size feeds before it
saturates on that view.

| view | HTTP | KB | requests | req/s | p50 ms | p99 ms | non-2xx / socket errors | server RSS MB | app CPU ms/req | DB CPU ms/req | app ÷ DB |
|---|---|---|---|---|---|---|---|---|---|---|---|
$(printf '%s\n' "${rows[@]}")

Mixed run (${SECS}s, at the same time):

| run | load | requests | req/s | p50 ms | p99 ms | non-2xx / socket errors |
|---|---|---|---|---|---|---|
$(printf '%s\n' "${mixed_rows[@]}")

Server peak RSS (VmHWM): ${hwm} MB.
EOF
if [[ -n $SWEEP ]]; then printf '\nFilter sweep (`scripts/sweep.py`, one connection, each mix a first page with its count; every mix, slowest first, in %s):\n\n%s\n' "$WORK/sweep-all.txt" "$SWEEP"; fi
