#!/usr/bin/env bash
# Fuzzes the REST API against its own OpenAPI document with Schemathesis, once per demo role.
#
# Starts the server binary ($HELPDESK_BIN, default: the debug build in $CARGO_TARGET_DIR or
# target/) on a free port with a throwaway in-memory demo database and rate limits raised,
# signs in each role and runs `schemathesis run` with its bearer token, checking that no
# answer is a server error and every answer matches the document. Exits non-zero on any
# failure. The server is stopped and temporary files removed however the script ends.
#
# Environment: HELPDESK_BIN, FUZZ_EXAMPLES (test cases per operation, default 25),
# FUZZ_SEED (for a reproducible run), FUZZ_CHECKS (Schemathesis checks; default: no server
# error, and body, content type, status and headers as documented), HELPDESK_VENV (default
# ~/.cache/helpdesk-venv).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="${HELPDESK_BIN:-$TARGET_DIR/debug/helpdesk}"
VENV="${HELPDESK_VENV:-$HOME/.cache/helpdesk-venv}"
EXAMPLES="${FUZZ_EXAMPLES:-25}"
CHECKS="${FUZZ_CHECKS:-not_a_server_error,response_schema_conformance,content_type_conformance,status_code_conformance,response_headers_conformance}"

[[ -x "$BIN" ]] || { echo "fuzz-api: no server binary at $BIN (cargo build --features ssr, or set HELPDESK_BIN)" >&2; exit 2; }

if [[ ! -x "$VENV/bin/schemathesis" ]]; then
  echo "fuzz-api: installing schemathesis into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet schemathesis
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/helpdesk-fuzz.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# A port nobody listens on now (the kernel picks it).
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"

# The mail server's secret of the inbound endpoint, fuzzed with it at the end.
INBOUND_SECRET="$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')"

# Run from the empty work folder so no Leptos.toml is read: only these settings apply.
(
  cd "$WORK"
  exec env HELPDESK_DATABASE_URL="sqlite::memory:" HELPDESK_DEMO=true HELPDESK_ADDR="127.0.0.1:$PORT" \
    HELPDESK_PUBLIC_URL="$BASE" HELPDESK_OUTBOX_DIR="$WORK/outbox" \
    HELPDESK_LOGIN_FAILURES_PER_ACCOUNT=1000000 HELPDESK_LOGIN_FAILURES_PER_IP=1000000 \
    HELPDESK_LOGIN_FAILURES_PER_ACCOUNT_TOTAL=1000000 HELPDESK_SIGN_INS_PER_ACCOUNT=1000000 \
    HELPDESK_REQUESTS_PER_IP=1000000 HELPDESK_MAIL_INBOUND_SECRET="$INBOUND_SECRET" \
    LEPTOS_OUTPUT_NAME=helpdesk RUST_LOG="${RUST_LOG:-warn}" \
    "$BIN"
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

for _ in $(seq 1 100); do
  curl -sf "$BASE/api/openapi.json" -o /dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "fuzz-api: the server stopped:" >&2; cat "$WORK/server.log" >&2; exit 2; }
  sleep 0.2
done
curl -sf "$BASE/api/openapi.json" -o /dev/null || { echo "fuzz-api: the server did not answer" >&2; exit 2; }

# Prints the bearer token of a demo account.
token_of() {
  curl -sf -H 'Content-Type: application/json' -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$BASE/api/auth/login" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}

failed=0
# Logout on its own token, before the fuzzing (the super admin's run may delete demo accounts):
# it answers, and the token stops working.
token="$(token_of user@gmail.com user123)" || { echo "fuzz-api: cannot sign in as user@gmail.com" >&2; exit 2; }
status="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" "$BASE/api/auth/logout")"
after="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/api/auth/verify")"
if [[ "$status" != 200 || "$after" != 401 ]]; then
  echo "fuzz-api: logout answered $status, then verify answered $after (want 200, 401)" >&2
  failed=1
fi

# The super admin goes last: its run edits and deletes accounts, which would end the others' sessions.
ROLES=(
  "user@gmail.com user123"
  "agent@gmail.com agent123"
  "admin@gmail.com admin123"
  "superadmin@gmail.com superadmin123"
)
SEED_ARGS=()
[[ -n "${FUZZ_SEED:-}" ]] && SEED_ARGS=(--seed "$FUZZ_SEED")
for entry in "${ROLES[@]}"; do
  read -r email password <<<"$entry"
  echo "== fuzzing as $email"
  token="$(token_of "$email" "$password")" || { echo "fuzz-api: cannot sign in as $email" >&2; failed=1; continue; }
  # Logout is left out: it would end the session the rest of the run uses. The event stream is
  # left out too: it never ends, so each call would wait out the request timeout (its bad
  # inputs are cargo tests: tests/api/events.rs).
  # Run in the work folder: Schemathesis keeps a cache folder where it runs.
  # scripts/fuzz_hooks.py teaches it to send raw mail (message/rfc822) to the inbound endpoint.
  if ! (cd "$WORK" && PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=fuzz_hooks "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" \
      -H "Authorization: Bearer $token" \
      --checks "$CHECKS" \
      --exclude-path /api/auth/logout --exclude-path /api/events \
      --max-examples "$EXAMPLES" --phases examples,coverage,fuzzing \
      --workers 1 --request-timeout 30 "${SEED_ARGS[@]}"); then
    failed=1
  fi
done

# The inbound mail endpoint as the mail server calls it, with its secret: every generated body
# is a "mail" the app must answer without a server error, as documented.
echo "== fuzzing POST /api/mail/inbound with the mail server's secret"
if ! (cd "$WORK" && PYTHONPATH="$ROOT/scripts" SCHEMATHESIS_HOOKS=fuzz_hooks "$VENV/bin/schemathesis" run "$BASE/api/openapi.json" \
    -H "Authorization: Bearer $INBOUND_SECRET" \
    --checks "$CHECKS" \
    --include-path /api/mail/inbound \
    --max-examples "$EXAMPLES" --phases examples,coverage,fuzzing \
    --workers 1 --request-timeout 30 "${SEED_ARGS[@]}"); then
  failed=1
fi

if grep -q "panicked" "$WORK/server.log"; then
  echo "fuzz-api: the server panicked:" >&2
  grep -A5 "panicked" "$WORK/server.log" >&2
  failed=1
fi
exit "$failed"
