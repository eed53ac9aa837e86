#!/usr/bin/env bash
# The search benchmark of `make bench`: seed N records (default 1,000,000)
# into a fresh SQLite file with depositctl, then run bench/searchbench, which
# times every search of the records page in process and the same SQL through
# the sqlite3 CLI; then the desktop on the same records
# (BenchmarkRecordsPage, bench/desktop.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
N=${BENCH_RECORDS:-1000000}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
$GO build -o "$dir/depositctl" ./cmd/depositctl
$GO build -o "$dir/searchbench" ./bench/searchbench
db="$dir/bench.db"
export DEPOSITDESK_PASSWORD=bench-password-1
echo "$DEPOSITDESK_PASSWORD" | "$dir/depositctl" --db "$db" operator create --name admin --password-stdin --perm all >/dev/null
start=$(date +%s.%N)
"$dir/depositctl" --db "$db" --operator admin seed --records "$N" 2>/dev/null
end=$(date +%s.%N)
awk -v n="$N" -v a="$start" -v b="$end" 'BEGIN { printf "seeding %d records: %.1f s (target <= 30 s)\n\n", n, b - a }'
# Every search the records page offers, page and count, in process against
# the same SQL in the sqlite3 CLI.
"$dir/searchbench" -engine sqlite -db "$db" -runs "${BENCH_RUNS:-200}"
echo
# The desktop on the same million records: Enter to rows through the real
# widgets (in process), then the real program under Xvfb — cold start,
# memory, and an operator's session of DESKTOP_SESSION seconds.
DEPOSITDESK_BENCH_DB="$db" DEPOSITDESK_BENCH_PASSWORD="$DEPOSITDESK_PASSWORD" \
	$GO test ./ui -run '^$' -bench '^BenchmarkRecordsPage$' -benchtime 20x -count 1
GO=$GO bench/desktop.sh "$db" "$DEPOSITDESK_PASSWORD" "${DESKTOP_SESSION:-600}"
