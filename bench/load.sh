#!/usr/bin/env bash
# Load test: the year-end crunch on a generated province, driven by wrk on loopback.
#
#   bash bench/load.sh            # generates target/bench/province.db once (thidua gen), then runs
#
# Signs in a system administrator and a unit officer of one upper committee, then drives every
# route of the mix at once with wrk for DURATION seconds (dashboards, score entry, evaluation
# grids, paper ballots, search as the administrator; the officer's own pages: home, clusters,
# documents, dashboards, evaluations, members, awards, transfers), /healthz among them, and prints
# throughput and p50/p99 per route beside /healthz's, then the time of the year-end reports, each
# alone, and the server's peak RSS. Bounded in time: the server is stopped at the end.
# Environment: DURATION (20), CONNECTIONS per route (4), DB_FILE (target/bench/province.db), SCALE
# (province), PORT (18181), DB_URL (sqlite://$DB_FILE; a postgres://… database is generated into
# when it holds no members).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-4}
DB_FILE=${DB_FILE:-target/bench/province.db}
SCALE=${SCALE:-province}
PORT=${PORT:-18181}
DB_URL=${DB_URL:-sqlite://$DB_FILE}
BASE="http://127.0.0.1:$PORT"
PASSWORD="load-test-password-2026"
WORK=$(mktemp -d)

case "$DB_URL" in postgres*) client=psql ;; *) client=sqlite3 ;; esac
for tool in wrk "$client" curl; do
  if ! command -v "$tool" >/dev/null; then
    apt-get install -y -qq "$tool" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; }
  fi
done

cargo build --release --bin thidua -q
BIN=target/release/thidua
DB="$DB_URL"
if [ "$client" = psql ]; then
  q() { psql -X -q -At -v ON_ERROR_STOP=1 "$DB" -c "$1"; }
  size() { q "SELECT pg_size_pretty(pg_database_size(current_database()))"; }
  [ "$(q "SELECT count(*) FROM member" 2>/dev/null || echo 0)" != 0 ] || "$BIN" gen --db "$DB" --scale "$SCALE" --seed 1
else
  q() { sqlite3 -batch -noheader "$DB_FILE" "$1"; }
  size() { du -h "$DB_FILE" | cut -f1; }
  mkdir -p "$(dirname "$DB_FILE")"
  [ -f "$DB_FILE" ] || "$BIN" gen --db "$DB" --scale "$SCALE" --seed 1
fi
printf '%s\n' "$PASSWORD" | "$BIN" user add --db "$DB" --username load-admin --display-name "Quản trị tải" --admin >/dev/null 2>&1 || true
# Most users are unit officers, whose every list is checked against their part of the tree: one
# over the first upper committee's subtree browses its pages beside the administrator's routes.
printf '%s\n' "$PASSWORD" | "$BIN" user add --db "$DB" --username load-officer --display-name "Chuyên viên tải" >/dev/null 2>&1 || true
officer_org=$(q "SELECT org_id FROM org_version WHERE kind = 'upper_grassroots_committee' AND valid_to IS NULL ORDER BY org_id LIMIT 1")
"$BIN" user grant --db "$DB" --username load-officer --role unit_officer --org "$officer_org" >/dev/null 2>&1 || true

q "SELECT '/dashboards/clusters/' || id FROM cluster ORDER BY id LIMIT 300" > "$WORK/dashboards"
q "SELECT '/dashboards/orgs/' || org_id FROM org_version WHERE kind = 'grassroots_committee' AND valid_to IS NULL ORDER BY org_id LIMIT 300" >> "$WORK/dashboards"
q "SELECT '/evaluations/' || e.round_id || '/cells/' || e.cell_id FROM evaluation e JOIN evaluation_round r ON r.id = e.round_id
   WHERE r.year = 2026 AND e.kind = 'organization' AND e.org_id <> r.org_id ORDER BY e.id LIMIT 600" > "$WORK/grids"
# Each unit's own sheet with the version it is at (1 when not started): a run goes on from the last.
q "SELECT s.id || ' ' || m.org_id || ' ' || COALESCE(h.version, 1) FROM scoring_round s
   JOIN cluster_member m ON m.cluster_id = s.cluster_id AND m.year = s.year
   LEFT JOIN score_sheet h ON h.round_id = s.id AND h.target_org_id = m.org_id AND h.role = 'self' AND h.scorer_org_id = m.org_id
   WHERE s.status = 'open' ORDER BY s.id, m.org_id" > "$WORK/sheets"
for words in "ket nap dang vien" "thi dua" "chuyen sinh hoat dang" "bao ve chinh tri noi bo" "quy hoach can bo" "dai hoi dang bo" \
             "van thu luu tru" "danh gia xep loai" "huy hieu dang" "sap xep to chuc bo may" "dang vien sinh hoat tam thoi" "cum thi dua"; do
  echo "/documents?q=${words// /+}"
done > "$WORK/searches"
echo "/healthz" > "$WORK/healthz"

"$BIN" serve --db "$DB" --listen "127.0.0.1:$PORT" > "$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 600); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
idle_rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")

# Sign in as a person does: the login form's token, then the session's CSRF token from a page.
sign_in() { # user cookie-jar; prints "session csrf"
  local jar=$2 login_csrf session
  login_csrf=$(curl -fsS -c "$jar" -b "$jar" "$BASE/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fsS -c "$jar" -b "$jar" -o /dev/null --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" \
    --data-urlencode "csrf_token=$login_csrf" --data-urlencode "next=/" "$BASE/login"
  session=$(awk '$6 == "thidua_session" {print $7}' "$jar")
  [ -n "$session" ] || { echo "sign-in of $1 failed" >&2; exit 1; }
  echo "$session $(curl -fsS -b "$jar" "$BASE/" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
}
jar="$WORK/cookies"
read -r session csrf < <(sign_in load-admin "$jar")
read -r officer_session officer_csrf < <(sign_in load-officer "$WORK/officer-cookies")
[ -n "$session" ] && [ -n "$officer_session" ] || { echo "sign-in failed" >&2; exit 1; }
printf '%s\n' / /clusters /documents /dashboards /evaluations /members /awards /transfers > "$WORK/officer"
api() { curl -fsS -b "$jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' "$@"; }

# A paper poll of the first cluster, open, for the ballots of the count.
cluster=$(q "SELECT id FROM cluster ORDER BY id LIMIT 1")
options=$(q "SELECT org_id FROM cluster_member WHERE cluster_id = $cluster AND year = 2026 ORDER BY org_id LIMIT 2" \
  | awk '{printf "%s{\"label\":\"Đơn vị %s\",\"org_id\":%s}", (NR > 1 ? "," : ""), $1, $1}')
poll=$(api -X POST "$BASE/api/v1/clusters/$cluster/polls" \
  -d "{\"title\":\"Suy tôn Cờ thi đua năm 2026 (thử tải)\",\"question\":\"choose_one\",\"mode\":\"paper\",\"electorate\":1000000,\"basis\":\"cluster\",\"held_on\":\"2026-11-20\",\"options\":[$options]}" \
  | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
api -X POST "$BASE/api/v1/polls/$poll/open" -d '{}' >/dev/null
echo "/api/v1/polls/$poll/paper" > "$WORK/ballots"

run() { # name mode paths [session csrf]
  LOAD_MODE=$2 LOAD_PATHS="$WORK/$3" LOAD_THREADS=1 LOAD_COOKIE="thidua_session=${4:-$session}" LOAD_CSRF="${5:-$csrf}" \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s -s bench/load.lua "$BASE" > "$WORK/$1.out" 2>&1
}
echo "Year-end mix: $(wc -l < "$WORK/dashboards") dashboards, $(wc -l < "$WORK/grids") evaluation grids, $(wc -l < "$WORK/sheets") score sheets, $(wc -l < "$WORK/searches") searches; ${DURATION} s, $CONNECTIONS connections per route, all at once."
pids=()
for spec in "healthz get healthz" "dashboards get dashboards" "score_entry score sheets" "evaluation_grids get grids" "ballots paper ballots" "search get searches" \
            "officer_pages get officer $officer_session $officer_csrf"; do
  # shellcheck disable=SC2086
  run $spec &
  pids+=($!)
done
wait "${pids[@]}"
sleep 1

mix_rss=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")

# Year-end reports, one at a time on the quiet server: a grassroots organization's, an upper
# committee's and the whole province's package of 2025, and a cluster's report of 2026.
live() { q "SELECT org_id FROM org_version WHERE kind = '$1' AND valid_to IS NULL ORDER BY org_id LIMIT 1"; }
reports=()
for spec in "grassroots:/orgs/$(live grassroots_committee)/year-end.xlsx?year=2025" "upper:/orgs/$(live upper_grassroots_committee)/year-end.xlsx?year=2025" \
            "province:/orgs/$(live provincial_committee)/year-end.xlsx?year=2025" "cluster:/clusters/$cluster/report.docx?year=2026"; do
  reports+=("${spec%%:*} $(curl -sS -b "$jar" -o /dev/null --max-time 600 -w '%{http_code} %{time_total} %{size_download}' "$BASE${spec#*:}")")
done

peak_rss=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
health=$(awk '/^RESULT/ {print $3}' "$WORK/healthz.out")
printf '\n%-18s %9s %9s %9s %9s %8s %10s\n' route requests "req/s" "p50 ms" "p99 ms" errors "of healthz"
for r in healthz dashboards score_entry evaluation_grids ballots search officer_pages; do
  read -r _ n rps p50 p99 status socket < <(grep '^RESULT' "$WORK/$r.out" || echo "RESULT 0 0 0 0 0 0")
  printf '%-18s %9s %9s %9s %9s %8s %9.1f%%\n' "$r" "$n" "$rps" "$p50" "$p99" "$((status + socket))" "$(echo "$rps $health" | awk '{print ($2 > 0) ? 100 * $1 / $2 : 0}')"
done
echo
echo "Year-end reports, each alone:"
for r in "${reports[@]}"; do
  read -r name code seconds bytes <<< "$r"
  printf '  %-12s HTTP %s  %8.2f s  %9s bytes\n' "$name" "$code" "$seconds" "$bytes"
done
echo
echo "Server RSS: $((idle_rss / 1024)) MB after start, peak $((mix_rss / 1024)) MB through the mix, $((peak_rss / 1024)) MB with the reports ($(size) database)."
