#!/usr/bin/env bash
# Tongbu's two set-up commands.
#
#   ./tongbu.sh run    install what is missing, build, migrate and serve the
#                      app on http://127.0.0.1:3000 (SQLite in ./data)
#   ./tongbu.sh test   install what is missing and run every test: formatting,
#                      lints of both builds, unit and integration tests on
#                      SQLite and PostgreSQL, and the browser tests
#
# Installs are idempotent: each tool is skipped when the right version is
# already there, so a warm machine pays nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$ROOT/.tools/node_modules/.bin:$PATH"

say() { printf '\033[1;36m==>\033[0m %s\n' "$*"; }

# The wasm-bindgen CLI must match the crate to the patch version.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (once per machine, about 12 minutes)"
    # Newer versions need a newer compiler; --locked keeps its tested dependencies.
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $wbg\$"; then
    say "installing wasm-bindgen-cli $wbg"
    # No --locked: its lock file names a crate version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$wbg" --force
  fi
}

# wasm-opt, for release builds, from the npm registry (cargo-leptos would
# otherwise try to download it, which fails without internet).
ensure_wasm_opt() {
  if ! command -v wasm-opt >/dev/null 2>&1; then
    say "installing wasm-opt (binaryen)"
    mkdir -p .tools
    npm install --prefix .tools --no-audit --no-fund --silent binaryen@132 >/dev/null
  fi
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    say "installing Playwright (no browser download: it drives the system's Chromium)"
    (cd end2end && npm ci --no-audit --no-fund --silent)
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if command -v pg_ctlcluster >/dev/null 2>&1; then
      say "starting PostgreSQL"
      for v in /etc/postgresql/*; do
        pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
      done
    fi
    for _ in $(seq 1 30); do
      pg_isready -q -h 127.0.0.1 -p 5432 && break
      sleep 1
    done
  fi
  pg_isready -h 127.0.0.1 -p 5432 >/dev/null || {
    echo "PostgreSQL is not reachable on 127.0.0.1:5432; set TONGBU_TEST_POSTGRES_URL to one that is." >&2
    exit 1
  }
}

run_app() {
  ensure_rust_tools
  ensure_wasm_opt
  say "building (release)"
  cargo leptos build --release
  say "migrating and serving on ${TONGBU_ADDR:-127.0.0.1:3000}"
  export TONGBU_SITE_ROOT="${TONGBU_SITE_ROOT:-target/site}"
  # The first workspace gets the emulated demo channels, one per network.
  export TONGBU_DEMO="${TONGBU_DEMO:-1}"
  exec target/release/tongbu serve
}

run_tests() {
  local start=$SECONDS
  # A one-shot CI build gains nothing from incremental caches but their disk.
  if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
  ensure_rust_tools
  ensure_browser
  ensure_postgres

  say "formatting"
  cargo fmt --all -- --check

  say "lints: server build"
  cargo clippy --all-targets --locked -- -D warnings
  say "lints: browser build (wasm32, hydrate)"
  cargo clippy --lib --locked --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings

  say "unit and integration tests (SQLite and PostgreSQL)"
  if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --locked --no-fail-fast
  else
    cargo test --locked --no-fail-fast
  fi

  say "browser tests (Playwright, headless Chromium)"
  cargo leptos build
  (cd end2end && npx playwright test)

  say "all tests passed in $((SECONDS - start)) s"
}

case "${1:-}" in
  run) run_app ;;
  test) run_tests ;;
  *)
    echo "usage: $0 run | test" >&2
    exit 2
    ;;
esac
