# Shared by scripts/serve and scripts/test: install what is missing, build what changed.
# Each step checks before it acts, so a second run takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen crate pinned in Cargo.toml
SITE="target/site"
PKG="$SITE/pkg"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 1; }
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding rustup's $component"
      rustup component add "$component"
    fi
  done
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes, once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
}

# OpenSSL's headers: webauthn-rs (passkeys) verifies signatures with OpenSSL.
ensure_openssl() {
  if ! pkg-config --exists openssl 2>/dev/null; then
    say "installing libssl-dev and pkg-config (OpenSSL for passkeys)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libssl-dev pkg-config
  fi
}

# npm packages: binaryen (wasm-opt) for the build, Playwright and axe-core for tests.
ensure_npm() {
  command -v npm >/dev/null || { echo "npm not found: install Node.js 20 or newer"; exit 1; }
  local stamp="end2end/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ end2end/package-lock.json -nt "$stamp" ]; then
    say "installing npm packages (npm ci)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium for the browser tests"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
  fi
}

# Debian's SpamAssassin scores every email the tests send (scripts/score-mail).
ensure_spamassassin() {
  if ! command -v spamassassin >/dev/null; then
    say "installing Debian's spamassassin (scores the test suite's email; a few minutes, once)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq spamassassin
  fi
}

# A real Prometheus scrapes the portal in the metrics test (server/tests/api/metrics.rs).
ensure_prometheus() {
  if [ ! -x /usr/bin/prometheus ]; then
    say "installing Debian's prometheus (the metrics test scrapes the portal with it)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus
  fi
}

# A real SMTP server for the delivery tests: Python's aiosmtpd, in a venv under target/.
ensure_smtp_sink() {
  local venv="$ROOT/target/pyenv"
  if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    say "installing aiosmtpd (the test SMTP server) in target/pyenv"
    command -v python3 >/dev/null || { echo "python3 not found: install it (apt-get install python3 python3-venv)"; exit 1; }
    if ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian's python3 keeps venv support in its own package.
      say "installing python3-venv"
      local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv
      rm -rf "$venv"
      python3 -m venv "$venv" || { echo "python3 -m venv failed: install python3-venv"; exit 1; }
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check aiosmtpd==1.4.6
  fi
  # An independent DKIM verifier (and PyNaCl for its Ed25519), for the mail tests.
  if ! "$venv/bin/python" -c 'import dkim, nacl' 2>/dev/null; then
    say "installing dkimpy and PyNaCl in target/pyenv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check dkimpy==1.1.8 pynacl==1.6.2
  fi
  # The OpenAPI document's validator, for the integration tests.
  if ! "$venv/bin/python" -c 'import openapi_spec_validator' 2>/dev/null; then
    say "installing openapi-spec-validator in target/pyenv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check openapi-spec-validator==0.7.1
  fi
  export PORTAL_TEST_PYTHON="$venv/bin/python"
}

# The browser bundle: the login card's script (frontend/) compiled to wasm32 with the size-optimised
# profile, bound by wasm-bindgen, shrunk by wasm-opt; plus the stylesheet.
# Whether a PostgreSQL server answers at the URL (psql if installed, else a TCP probe).
postgres_reachable() {
  local url="$1"
  if command -v psql >/dev/null; then
    PGCONNECT_TIMEOUT=3 psql "$url" -Atqc 'SELECT 1' >/dev/null 2>&1
  else
    local hostport="${url#*@}"; hostport="${hostport%%/*}"
    timeout 3 bash -c "exec 3<>/dev/tcp/${hostport%%:*}/${hostport##*:}" 2>/dev/null
  fi
}

build_site() {
  say "building the browser bundle (wasm)"
  # `|| return 1`: called as `if ! build_site`, bash runs it without `set -e`.
  cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release || return 1
  local wasm="target/wasm32-unknown-unknown/wasm-release/frontend.wasm" raw="target/site-raw"
  mkdir -p "$raw"
  if [ ! -f "$raw/portal_bg.wasm" ] || [ "$wasm" -nt "$raw/portal_bg.wasm" ]; then
    wasm-bindgen --target web --no-typescript --out-dir "$raw" --out-name portal "$wasm" || return 1
    wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$raw/portal_bg.wasm" -o "$raw/portal_bg.wasm" || return 1
  fi
  build_assets
}

# The CSS and icon into the site, named by content hash (a second or so): what a
# style change needs.
build_assets() {
  local raw="target/site-raw"
  cp style/portal.css style/favicon.svg "$raw/" || return 1
  # Named by content hash, with .br and .gz beside each, and pkg/manifest.json.
  node scripts/assets.mjs "$raw" "$PKG" portal.js portal_bg.wasm portal.css favicon.svg
}

build_server() {
  say "building the server"
  cargo build -p server --bin portal
}
