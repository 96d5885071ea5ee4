#!/usr/bin/env bash
# README command 2: set up what is missing, then run every test: the cargo tests (domain,
# services, REST and pages against in-memory SQLite; the PostgreSQL store, three instances
# behind nginx and a database outage against a local PostgreSQL, started or installed when
# needed; mail against Debian's aiosmtpd and Dovecot), the REST and page tests again on PostgreSQL, and
# the Playwright tests in Chromium against the release client.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step is stamped with the seconds since the start, so a log shows what each phase costs.
step() { printf '\n==> [%ds] %s\n' "$SECONDS" "$*"; }
./scripts/setup.sh --e2e --later-tools
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
# Build output outside the clone, so repeated runs (CI clones afresh) reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/helpdesk-target}"

# The client's build tools (cargo-leptos, the wasm-bindgen CLI) are needed only after the cargo
# tests. On a new machine they take about 10 minutes to build: they build meanwhile, beside the
# tests (2 cores have idle stretches while one crate compiles or the tests wait on a database).
tools_log=$(mktemp)
./scripts/setup.sh --tools-only >"$tools_log" 2>&1 &
tools_pid=$!

step 'PostgreSQL: a throwaway database for this run, dropped at the end'
root="$PWD"
HELPDESK_TEST_POSTGRES_URL=$(scripts/postgres.sh create)
export HELPDESK_TEST_POSTGRES_URL
trap 'kill "$tools_pid" ${front_pid:-} 2>/dev/null || true; "$root/scripts/postgres.sh" drop "$HELPDESK_TEST_POSTGRES_URL" || true' EXIT

step 'cargo tests'
cargo test --features ssr

# The client's compile (cargo-leptos' own command for `build --release --split`, with its
# environment: cargo-leptos then finds it up to date) goes on beside the PostgreSQL run.
front_log=$(mktemp)
source scripts/leptos-env.sh
env "${LEPTOS_BUILD_ENV[@]}" RUSTFLAGS="--cfg erase_components -Clink-args=--emit-relocs" \
  cargo build --package=helpdesk --lib --target-dir="$CARGO_TARGET_DIR/front" --target=wasm32-unknown-unknown \
  --no-default-features --features=hydrate --profile=wasm-release >"$front_log" 2>&1 &
front_pid=$!

step 'the integration tests again, every app on PostgreSQL (a schema each)'
HELPDESK_TEST_DATABASE_URL="$HELPDESK_TEST_POSTGRES_URL" cargo test --features ssr --test '*' -- \
  --skip three_instances_on_one_postgres --skip a_stopped_database_is_answered_503

step 'the client build tools (installed in the background since the start)'
if ! wait "$tools_pid"; then cat "$tools_log"; exit 1; fi
grep '^==>' "$tools_log" || true

# The server for the rest is the one the cargo tests built and ran (same code, same features):
# a release build of it would compile every dependency a second time, for speed these tests
# do not measure (scripts/bench.sh measures the release build). The client is the release one
# a browser gets: split, optimised, hashed and precompressed.
step 'release build of the client (compiled in the background since the cargo tests)'
if ! wait "$front_pid"; then cat "$front_log"; exit 1; fi
cargo leptos build --release --split --precompress --frontend-only
# `cargo test` built and linked it with the tests' features (a plain `cargo build` would resolve
# them without the dev-dependencies and compile a dozen crates and the app again: 3.5 minutes cold).
export HELPDESK_BIN="$CARGO_TARGET_DIR/debug/helpdesk"
# The server finds the client's hashed file names in the hash.txt beside its binary.
cp "$CARGO_TARGET_DIR/release/hash.txt" "$CARGO_TARGET_DIR/debug/hash.txt"

step 'sign-in storm: 500 simultaneous sign-ins stay under 100 MB and memory returns to idle'
python3 scripts/sign-in-storm.py "$HELPDESK_BIN"

step 'Schemathesis: every API operation fuzzed for each role against /api/openapi.json'
FUZZ_SEED="${FUZZ_SEED:-20261202}" scripts/fuzz-api.sh

step 'Playwright tests (Chromium)'
export HELPDESK_SITE_ROOT="$PWD/target/site"
cd end2end
npx playwright test
cd ..
step "done: every test passed"
