#!/usr/bin/env bash
# Real-browser test of the dashboard against a real `mls up`:
#   1. installs what it needs when missing (Debian chromium, playwright-core from
#      browser-test/package-lock.json),
#   2. builds the jar (./mls --help builds it) and starts `mls up` on a fresh data dir,
#   3. runs browser-test/dashboard.test.mjs (headless chromium), which deploys
#      examples/demo-app.yaml through the CLI while the page is open,
#   4. always stops `mls up`.
# Exits non-zero on any failure. Environment: MLS_PORT (default 18080), KEEP_DATA=1 keeps the
# data dir, MLS_SCREENSHOT (default docs/screenshots/dashboard.png).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
port="${MLS_PORT:-18080}"
base="http://127.0.0.1:$port"

say() { printf 'browser-test: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- what the test needs ---------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v node >/dev/null || die "node (20+) is needed"
command -v npm >/dev/null || die "npm is needed"
command -v curl >/dev/null || die "curl is needed"
if [ ! -f browser-test/node_modules/playwright-core/package.json ] \
  || [ browser-test/package-lock.json -nt browser-test/node_modules/.package-lock.json ]; then
  say "npm ci in browser-test/"
  (cd browser-test && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- the server ------------------------------------------------------------------------
say "building mls (first run only)"
./mls --help >/dev/null
./mls up --help | grep -q -- '--port' || die "'mls up' has no --port option yet"
if curl -fsS -o /dev/null "$base/manage/ping" 2>/dev/null; then
  die "something already answers on port $port; set MLS_PORT"
fi

data="$(mktemp -d "${TMPDIR:-/tmp}/mls-browser-test.XXXXXX")"
log="$data/up.log"
up_pid=""
cleanup() {
  local rc=$?
  if [ -n "$up_pid" ] && kill -0 "$up_pid" 2>/dev/null; then
    kill "$up_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$up_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$up_pid" 2>/dev/null || true
    wait "$up_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$log" ]; then
    say "failed (exit $rc); last lines of mls up's output:"
    tail -n 40 "$log" >&2 || true
  fi
  if [ "${KEEP_DATA:-0}" = 1 ]; then say "data dir kept: $data"; else rm -rf "$data"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting mls up --data-dir $data --port $port"
./mls up --data-dir "$data" --port "$port" >"$log" 2>&1 &
up_pid=$!

for i in $(seq 1 120); do
  kill -0 "$up_pid" 2>/dev/null || die "mls up exited early"
  if curl -fsS -o /dev/null "$base/manage/ping" 2>/dev/null && [ -s "$data/admin.token" ]; then break; fi
  [ "$i" -eq 120 ] && die "mls up did not answer $base/manage/ping within 60 s"
  sleep 0.5
done
say "up: $(curl -fsS "$base/manage/ping")"
token="$(tr -d '[:space:]' <"$data/admin.token")"
[ -n "$token" ] || die "$data/admin.token is empty"

# --- how the test deploys the app -------------------------------------------------------
# The CLI when it has `apps deploy-app`; otherwise the API directly. The token stays in the
# environment (MLS_TOKEN), not in the command line.
if ./mls apps deploy-app --help >/dev/null 2>&1; then
  deploy='./mls apps deploy-app --path examples/demo-app.yaml --server "$MLS_URL" --token "$MLS_TOKEN"'
else
  say "'mls apps deploy-app' is not available; the test deploys with curl"
  deploy='curl -fsS -X POST -H "Authorization: Bearer $MLS_TOKEN" -H "Content-Type: application/yaml" --data-binary @examples/demo-app.yaml "$MLS_URL/api/v1/apps" -o /dev/null -w "HTTP %{http_code}\n"'
fi

# --- the test ---------------------------------------------------------------------------
say "running browser-test/dashboard.test.mjs"
MLS_URL="$base" MLS_TOKEN="$token" MLS_DEPLOY_CMD="$deploy" \
  MLS_SCREENSHOT="${MLS_SCREENSHOT:-docs/screenshots/dashboard.png}" CHROMIUM=/usr/bin/chromium \
  timeout 300 node --test --test-force-exit --test-reporter=spec --test-reporter-destination=stdout \
  browser-test/dashboard.test.mjs
say "passed"
