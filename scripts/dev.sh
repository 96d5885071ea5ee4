#!/usr/bin/env bash
# README command 1: set up what is missing, then run the help desk with demo data at
# http://127.0.0.1:3000 (rebuilds and reloads on change).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
export HELPDESK_DEMO="${HELPDESK_DEMO:-true}"
exec cargo leptos watch --split
