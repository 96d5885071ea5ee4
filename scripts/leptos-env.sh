# The LEPTOS_* variables cargo-leptos sets when it builds (`cargo leptos build` with this
# Cargo.toml). A build by plain cargo with the same ones shares cargo-leptos' compiled crates
# (leptos reads them at compile time, so other values would rebuild those crates).
# Sourced by scripts/test.sh, bench.sh and bench-live.sh: `env "${LEPTOS_BUILD_ENV[@]}" cargo …`.
LEPTOS_BUILD_ENV=(
  LEPTOS_OUTPUT_NAME=helpdesk LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg
  LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=. LEPTOS_BIN_DIR=.
  LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true LEPTOS_HASH_FILE_NAME=hash.txt
)
