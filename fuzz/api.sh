#!/usr/bin/env bash
# API fuzzing with schemathesis (PyPI): requests generated from /api/v1/openapi.json, valid and
# invalid, sent to a demo server as the administrator and as a unit officer. Fails on any 5xx, any
# response that breaks the published schema (status, content type, body) and any invalid request
# that is accepted. Not part of CI; prints schemathesis's counts.
#
#   bash fuzz/api.sh                     # 100 examples per operation and phase
#   EXAMPLES=500 bash fuzz/api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES=${EXAMPLES:-100}

command -v schemathesis >/dev/null || pip install -q 'schemathesis>=4,<5'
cargo build -q -p thidua-cli
bin=$PWD/target/debug/thidua
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

db="sqlite://$work/api.db"
"$bin" demo --db "$db" > /dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
THIDUA_LOG=warn "$bin" serve --db "$db" --listen "127.0.0.1:$port" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

status=0
for user in admin chuyenvien; do
  token=$("$bin" token create --db "$db" --user "$user" --label schemathesis 2> /dev/null)
  echo "== as $user"
  schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
    --max-examples "$EXAMPLES" --workers 2 --seed 2026 --no-color \
    --report junit --report-dir "target/schemathesis/$user" || status=$?
done
if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked:" >&2
  grep -A3 "panicked" "$work/server.log" >&2
  status=1
fi
exit $status
