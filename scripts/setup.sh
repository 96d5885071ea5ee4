#!/usr/bin/env bash
# Installs what building and testing the help desk needs, skipping what is already present:
# the wasm32 target, cargo-leptos, the wasm-bindgen CLI matching Cargo.lock, and (with
# --e2e) Debian's Chromium and the Playwright/binaryen npm packages.
#
#   --e2e           also what the tests need (Chromium, nginx, aiosmtpd, Dovecot, Playwright)
#   --later-tools   skip the client build tools (cargo-leptos, the wasm-bindgen CLI)
#   --tools-only    only those tools (scripts/test.sh installs them while the cargo tests run)
set -euo pipefail
cd "$(dirname "$0")/.."

want_e2e=false want_tools=true want_rest=true
for arg in "$@"; do
  case "$arg" in
    --e2e) want_e2e=true ;;
    --later-tools) want_tools=false ;;
    --tools-only) want_rest=false ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }

if $want_rest && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# Tools, not shipped code: built at opt-level 1 and without cargo-leptos' own fat LTO and single
# codegen unit (its [profile.release]). What they do per build (run cargo, wasm-bindgen and
# wasm-opt, split, hash and compress a few MB) takes seconds either way; full optimisation took
# minutes of both cores to compile.
tool_install() {
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo install "$@"
}

if $want_tools && ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  step "installing cargo-leptos 0.3.10 (about 10 minutes on 2 cores, once)"
  tool_install cargo-leptos --version 0.3.10 --locked
fi

# cargo-leptos uses the wasm-bindgen on PATH; it must match the crate version exactly.
wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if $want_tools && ! wasm-bindgen --version 2>/dev/null | grep -q " ${wbg_version}\$"; then
  step "installing wasm-bindgen-cli ${wbg_version}"
  tool_install wasm-bindgen-cli --version "${wbg_version}" --force
fi

$want_rest || exit 0

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "installing Node.js and npm"
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

# binaryen's wasm-opt (npm, not Debian's outdated one) for release builds, and Playwright.
if [[ ! -x end2end/node_modules/.bin/wasm-opt ]] || { $want_e2e && [[ ! -d end2end/node_modules/@playwright/test ]]; } \
   || [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
  step "installing npm packages in end2end/"
  (cd end2end && npm ci --no-audit --no-fund)
fi

if $want_e2e && ! [[ -x /usr/sbin/nginx || -x /usr/bin/nginx ]]; then
  step "installing Debian's nginx (the load balancer of the several-instances test)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx
fi

if $want_e2e && ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
  step "installing Debian's aiosmtpd (the SMTP server the mail tests send to)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-aiosmtpd
fi

if $want_e2e && [[ ! -x /usr/sbin/dovecot ]]; then
  step "installing Debian's Dovecot (the IMAP server the mail tests read from)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dovecot-imapd
fi

if $want_e2e && [[ ! -x /usr/bin/chromium ]]; then
  step "installing Debian's Chromium"
  apt-get update -qq && apt-get install -y -qq chromium
fi
