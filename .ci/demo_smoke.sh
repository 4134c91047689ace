#!/usr/bin/env bash
# Starts `make demo` in a scratch copy's database and waits for /readyz to answer 200.
set -euo pipefail
cd "$(dirname "$0")/.."
port=8000
if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
  echo "port $port is already serving; stop that server first" >&2
  exit 1
fi
log=$(mktemp)
setsid make demo >"$log" 2>&1 &
pid=$!
cleanup() { kill -- -"$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 1 180); do
  if curl -fsS "http://127.0.0.1:$port/readyz" 2>/dev/null | grep -q '"ok"'; then
    grep -q "caseworker.1440" "$log" || { echo "demo logins were not printed" >&2; cat "$log"; exit 1; }
    grep -q "Password:" "$log" || { echo "demo password was not printed" >&2; exit 1; }
    echo "make demo answers on /readyz and printed the demo logins"
    exit 0
  fi
  sleep 1
done
echo "make demo did not answer on /readyz within 180 s" >&2
cat "$log" >&2
exit 1
