#!/bin/sh
# Query benchmark (`make bench`, issue 4): on a generated instance of BENCH_SUBJECTS legal
# persons (default 1,000,000) and BENCH_RECORDS records (default 5,000,000; half XZCF from the
# city's market regulator, half XZXK from the city's housing bureau), a unit_user of a
# city-level using unit with a use agreement asks, with wrk -t2 -c64:
#
#   GET /api/v1/subjects/{random existing code}?purpose=daily_supervision   (the target)
#   GET /api/v1/subjects?q={random 3-6 character part of a name}&purpose=…  (name search)
#   GET /healthz                                 (the same server's hello world, the reference)
#
# every /api/v1 request audited, the event durable before the answer; the rate limits and the
# connections per address are raised in config.ini and the access log is off (the only
# changes).  Then the plain SQLite reference (bench/sqlite_lookup: the server's own subject
# and records statements in a loop on the same core.db).  Prints req/s, p99, the ratio to hello
# world and PASS/FAIL per target.  Last, what the audit costs (issue 5): the subject lookups
# on fresh servers, alternately this server and the same one built with a writer that drops
# its events (bench/xinyong-audit-drop, XY_AUDITW_DROP), two rounds; the loss must be <= 10%.
#
#   sh bench/query.sh BUILD
#   BENCH_SUBJECTS=N   legal persons (default 1000000)
#   BENCH_RECORDS=N    records (default 5000000)
#   BENCH_SECONDS=N    seconds per wrk run (default 20; a 5 s warm-up comes first)
#   BENCH_ONLY=query   run only this one of `make bench`'s benchmarks (import, http, query, audit, portal)
#   BENCH_KEEP=1       keep the scratch instance (build/bench-data/query.*) for a look after;
#                      user.creds there signs bench.user in again (password, TOTP secret)
#   BENCH_PERF=1       perf record (flat, 499 Hz) of the server during the subject-lookup run;
#                      the top of the report is printed (perf costs a few % of the figure)
#
# Exits 0 when the measurement ran, even if a target is missed; 1 when it could not run.
set -eu

case ${BENCH_ONLY:-query} in query) ;; *) exit 0 ;; esac

BUILD=${1:-build}
SUBJECTS=${BENCH_SUBJECTS:-1000000}
RECORDS=${BENCH_RECORDS:-5000000}
SECS=${BENCH_SECONDS:-20}
WARMUP=5
PURPOSE=daily_supervision
XY=$BUILD/xinyong
GEN=$BUILD/bench/gen_query
REF=$BUILD/bench/sqlite_lookup
HERE=$(cd "$(dirname "$0")" && pwd)

# Targets (the issue).
TARGET_RPS=25000
TARGET_P99_MS=20
TARGET_RATIO=0.15
TARGET_SEARCH_RPS=2000
TARGET_AUDIT_LOSS=0.10 # issue 5: audit on loses at most 10% against a writer that drops events

die() {
	echo "bench: $*" >&2
	exit 1
}
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps.sh installs it)"
for f in "$XY" "$GEN" "$REF"; do
	[ -x "$f" ] || die "$f missing (run make bench)"
done
for v in "$SUBJECTS" "$RECORDS" "$SECS"; do
	case $v in '' | 0 | *[!0-9]*) die "BENCH_SUBJECTS, BENCH_RECORDS, BENCH_SECONDS: whole numbers > 0" ;; esac
done

mkdir -p "$BUILD/bench-data"
DIR=$(cd "$(mktemp -d "$BUILD/bench-data/query.XXXXXX")" && pwd)
pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "query: scratch instance kept in $DIR"
	else
		rm -rf "$DIR"
		rmdir "$BUILD/bench-data" 2>/dev/null || :
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "query: $SUBJECTS legal persons, $RECORDS records; load average $(load)"

# ---- 1. the instance: two city-level providers and the city-level using unit ----
"$GEN" units >"$DIR/units.csv" || die "gen_query units failed"
P_CF=$(awk -F, '$4 == "XZCF" { print $1 }' "$DIR/units.csv")
P_XK=$(awk -F, '$4 == "XZXK" { print $1 }' "$DIR/units.csv")
USING=$(awk -F, 'NR > 1 && $4 == "" { print $1 }' "$DIR/units.csv")
# init.json holds the first administrators' one-time passwords: scratch only, removed at the end.
"$XY" init "$DIR/inst" --units "$DIR/units.csv" --json >"$DIR/init.json" 2>"$DIR/init.err" ||
	die "init failed: $(cat "$DIR/init.err")"

# ---- 2. the data ----
N_CF=$((RECORDS / 2))
N_XK=$((RECORDS - N_CF))
t0=$(now_ms)
"$GEN" rows XZCF "$SUBJECTS" "$N_CF" 0 >"$DIR/xzcf.csv" &
g1=$!
"$GEN" rows XZXK "$SUBJECTS" "$N_XK" "$N_CF" >"$DIR/xzxk.csv" &
g2=$!
"$GEN" subjects "$SUBJECTS" >"$DIR/subjects.tsv" || die "gen_query subjects failed"
wait $g1 || die "gen_query rows XZCF failed"
wait $g2 || die "gen_query rows XZXK failed"
cut -f1 "$DIR/subjects.tsv" >"$DIR/codes.txt"
# Name parts: 20,000 random parts of 3-6 characters of random existing names, percent-encoded.
python3 - "$DIR/subjects.tsv" "$DIR/parts.txt" <<'PY'
import random, sys, urllib.parse
names = [l.rstrip("\n").split("\t")[1] for l in open(sys.argv[1], encoding="utf-8")]
rnd = random.Random(4)
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for _ in range(20000):
        name = rnd.choice(names)
        k = rnd.randint(3, min(6, len(name)))
        at = rnd.randint(0, len(name) - k)
        f.write(urllib.parse.quote(name[at:at + k]) + "\n")
PY
echo "query: generated $N_CF XZCF + $N_XK XZXK rows ($(du -cm "$DIR/xzcf.csv" "$DIR/xzxk.csv" | tail -1 | cut -f1) MiB) in $(secs_since "$t0") s"

import_one() { # DATASET UNIT FILE ROWS
	t=$(now_ms)
	set +e
	"$XY" import "$DIR/inst" --dataset "$1" --unit "$2" "$3" >"$DIR/import.out" 2>"$DIR/import.err"
	rc=$?
	set -e
	[ $rc -eq 0 ] || die "import $1 failed ($rc): $(tail -3 "$DIR/import.err") $(cat "$DIR/import.out")"
	accepted=$(sed -n 's/^accepted=\([0-9]*\) .*/\1/p' "$DIR/import.out")
	[ "$accepted" = "$4" ] || die "import $1 accepted $accepted of $4 rows"
	s=$(secs_since "$t")
	echo "query: imported $4 $1 rows in $s s ($(awk -v n="$4" -v s="$s" 'BEGIN { printf "%.0f", n / s }') rows/s)"
	rm -f "$3"
}
import_one XZCF "$P_CF" "$DIR/xzcf.csv" "$N_CF"
import_one XZXK "$P_XK" "$DIR/xzxk.csv" "$N_XK"
echo "query: core.db $(du -m "$DIR/inst/core.db" | cut -f1) MiB"

# ---- 3. the server, limits raised for the benchmark only ----
sed -i -e 's/^rate_per_addr = .*/rate_per_addr = 1000000/' \
	-e 's/^rate_per_account = .*/rate_per_account = 1000000/' \
	-e 's/^signin_per_minute = .*/signin_per_minute = 600/' \
	-e 's/^conn_per_addr = .*/conn_per_addr = 256/' \
	-e 's/^access_log = .*/access_log = 0/' "$DIR/inst/config.ini"
serve() { # BINARY: starts it on the instance; sets pid, base
	rm -f "$DIR/serve.out" # (not truncated by the background start: it may race the wait below)
	"$1" serve "$DIR/inst" --listen 127.0.0.1:0 >"$DIR/serve.out" 2>>"$DIR/serve.log" &
	pid=$!
	i=0
	while ! grep -q '^listening port=' "$DIR/serve.out" 2>/dev/null; do
		i=$((i + 1))
		kill -0 "$pid" 2>/dev/null || die "the server stopped: $(tail -3 "$DIR/serve.log")"
		[ $i -lt 6000 ] || die "the server did not start in 10 minutes: $(tail -3 "$DIR/serve.log")"
		sleep 0.1
	done
	base="http://127.0.0.1:$(sed -n 's/^listening port=//p' "$DIR/serve.out")"
}
stop() {
	kill "$pid"
	wait "$pid" || die "the server exited with status $?: $(tail -3 "$DIR/serve.log")"
	pid=
}
t0=$(now_ms)
serve "$XY"
echo "query: server up in $(secs_since "$t0") s (name index of the new subjects included), pid $pid"

# ---- 4. the people and the agreement ----
token=$(python3 "$HERE/query_setup.py" "$base" "$DIR/init.json" "$USING" "$PURPOSE" \
	"$DIR/codes.txt" "$DIR/user.creds") || die "set-up failed"
[ -n "$token" ] || die "set-up gave no token"
AUTH="Authorization: Bearer $token"

# ---- 5. one run: hello world, subject lookup, name search ----
wrk_run() { # NAME URL [wrk args…]: the output in $DIR/wrk.NAME
	name=$1
	shift
	wrk -t2 -c64 -d"${SECS}s" --latency "$@" >"$DIR/wrk.$name" 2>&1 ||
		die "wrk $name failed: $(cat "$DIR/wrk.$name")"
}
# The figures of one wrk output: "req_per_s p50_ms p99_ms requests non2xx socket_errors".
wrk_figures() {
	awk '
	function ms(v) {
		if (v ~ /us$/) return v * 0.001
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return v + 0
	}
	/^Requests\/sec:/ { rps = $2 }
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	/ requests in / { n = $1 }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { gsub(/,/, ""); err = $4 + $6 + $8 + $10 }
	END { printf "%s %.3f %.3f %d %d %d\n", rps, p50, p99, n, bad, err }' "$1"
}

wrk -t2 -c64 -d"${WARMUP}s" -H "$AUTH" -s "$HERE/query.lua" "$base" -- subject \
	"$DIR/codes.txt" "$PURPOSE" >"$DIR/wrk.warmup" 2>&1 || die "wrk warm-up failed"
load_before=$(load)
wrk_run hello "$base/healthz"
perfpid=
if [ "${BENCH_PERF:-0}" = 1 ]; then
	command -v perf >/dev/null || die "BENCH_PERF=1: perf is not installed"
	perf record -F 499 -p "$pid" -o "$DIR/perf.data" -- sleep "$SECS" >"$DIR/perf.out" 2>&1 &
	perfpid=$!
fi
wrk_run subject -H "$AUTH" -s "$HERE/query.lua" "$base" -- subject "$DIR/codes.txt" "$PURPOSE"
[ -z "$perfpid" ] || wait "$perfpid" || :
wrk_run search -H "$AUTH" -s "$HERE/query.lua" "$base" -- search "$DIR/parts.txt" "$PURPOSE"
load_after=$(load)

# The measured path was the real one: a sample of codes answers 200 with records, and the
# session still works after the run.
python3 - "$base" "$token" "$DIR/codes.txt" "$PURPOSE" <<'PY' || die "the check after the run failed"
import http.client, json, random, sys, urllib.parse
base, token, codes, purpose = sys.argv[1:5]
u = urllib.parse.urlsplit(base)
codes = [l.strip() for l in open(codes) if l.strip()]
rnd, counts = random.Random(7), []
c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
for code in rnd.sample(codes, 200):
    c.request("GET", "/api/v1/subjects/%s?purpose=%s" % (code, purpose),
              headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit("query check: %s: %d %s" % (code, r.status, body[:300]))
    doc = json.loads(body)
    counts.append(sum(len(ds["records"]) for ds in doc["datasets"]))
if min(counts) == 0:
    sys.exit("query check: a subject answered without records")
print("query: check after the run: 200 codes, all 200 with records (%d-%d a subject, mean %.2f)"
      % (min(counts), max(counts), sum(counts) / len(counts)))
PY

# Stop the server (SIGTERM: it finishes what is in flight), then count the audit events.
stop
events=$(python3 - "$DIR/inst/core.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(" ".join(str(c.execute("select count(*) from audit_events where action = ? and result = 'ok'",
                             (a,)).fetchone()[0]) for a in ("subject.query", "subject.search")))
PY
)

# ---- 6. the plain SQLite reference, on the same core.db, the server stopped ----
ref() { "$REF" "$DIR/inst/core.db" "$DIR/codes.txt" 5 "$@" | sed -n 's/.*lookups_per_s=\([0-9]*\).*/\1/p'; }
ref1=$(ref 1)
ref2=$(ref 2)
refr1=$(ref 1 records)
refr2=$(ref 2 records)

# ---- 6b. what the audit costs (issue 5): the subject lookups again, alternately on the
# server and on the same server built with a writer that drops its events
# (bench/xinyong-audit-drop), each a fresh start, a sign-in and a warm-up: on, drop, on, drop.
lookups() { # NAME: one warm-up and one subject-lookup run against a fresh server
	tok=$(python3 "$HERE/query_setup.py" --signin "$base" "$DIR/user.creds") || die "sign-in failed"
	wrk -t2 -c64 -d"${WARMUP}s" -H "Authorization: Bearer $tok" -s "$HERE/query.lua" "$base" -- \
		subject "$DIR/codes.txt" "$PURPOSE" >"$DIR/wrk.warmup.$1" 2>&1 || die "wrk warm-up failed"
	wrk_run "$1" -H "Authorization: Bearer $tok" -s "$HERE/query.lua" "$base" -- subject \
		"$DIR/codes.txt" "$PURPOSE"
}
DROP=$BUILD/bench/xinyong-audit-drop
[ -x "$DROP" ] || die "$DROP missing (run make bench)"
for round in 1 2; do
	serve "$XY"
	lookups "on$round"
	stop
	serve "$DROP"
	lookups "drop$round"
	stop
done
load_audit=$(load)

if [ -n "$perfpid" ]; then
	echo "query: server profile during the subject lookups (perf, self time, top 40):"
	perf report -i "$DIR/perf.data" --stdio --no-children -F overhead,dso,sym 2>/dev/null |
		grep -v '^#' | grep -v '^ *$' | head -40
fi

# ---- 7. the figures (the fields of each line, split on purpose) ----
# shellcheck disable=SC2046,SC2086
{
	set -- $(wrk_figures "$DIR/wrk.hello")
	h_rps=$1 h_p99=$3
	set -- $(wrk_figures "$DIR/wrk.subject")
	s_rps=$1 s_p50=$2 s_p99=$3 s_n=$4 s_bad=$5 s_err=$6
	set -- $(wrk_figures "$DIR/wrk.search")
	q_rps=$1 q_p50=$2 q_p99=$3 q_n=$4 q_bad=$5 q_err=$6
	set -- $events
	ev_query=$1 ev_search=$2
	set -- $(wrk_figures "$DIR/wrk.on1")
	on1=$1 on1_bad=$5
	set -- $(wrk_figures "$DIR/wrk.on2")
	on2=$1 on2_bad=$5
	set -- $(wrk_figures "$DIR/wrk.drop1")
	drop1=$1 drop1_bad=$5
	set -- $(wrk_figures "$DIR/wrk.drop2")
	drop2=$1 drop2_bad=$5
	set -- $(wrk_figures "$DIR/wrk.warmup")
	w_n=$4
}

awk -v subjects="$SUBJECTS" -v records="$RECORDS" -v secs="$SECS" \
	-v h_rps="$h_rps" -v h_p99="$h_p99" \
	-v s_rps="$s_rps" -v s_p50="$s_p50" -v s_p99="$s_p99" -v s_n="$s_n" -v s_bad="$s_bad" -v s_err="$s_err" \
	-v q_rps="$q_rps" -v q_p50="$q_p50" -v q_p99="$q_p99" -v q_n="$q_n" -v q_bad="$q_bad" -v q_err="$q_err" \
	-v ev_query="$ev_query" -v ev_search="$ev_search" -v w_n="$w_n" \
	-v ref1="$ref1" -v ref2="$ref2" -v refr1="$refr1" -v refr2="$refr2" \
	-v t_rps="$TARGET_RPS" -v t_p99="$TARGET_P99_MS" -v t_ratio="$TARGET_RATIO" -v t_search="$TARGET_SEARCH_RPS" \
	-v lb="$load_before" -v la="$load_after" -v lau="$load_audit" \
	-v on1="$on1" -v on2="$on2" -v drop1="$drop1" -v drop2="$drop2" \
	-v ab="$((on1_bad + on2_bad + drop1_bad + drop2_bad))" -v t_audit="$TARGET_AUDIT_LOSS" 'BEGIN {
	ratio = h_rps > 0 ? s_rps / h_rps : 0
	printf "\nquery benchmark: %d legal persons, %d records; wrk -t2 -c64, %d s a run; load average %s before, %s after\n", subjects, records, secs, lb, la
	printf "%-44s %12s   %-10s %s\n", "measure", "value", "target", "result"
	printf "%-44s %12.0f   %-10s %s\n", "GET /healthz (hello world) req/s", h_rps, "", ""
	printf "%-44s %12.2f   %-10s %s\n", "GET /healthz p99 (ms)", h_p99, "", ""
	printf "%-44s %12.0f   %-10s %s\n", "GET /api/v1/subjects/{code} req/s", s_rps, ">= " t_rps, (s_rps >= t_rps ? "PASS" : "FAIL")
	printf "%-44s %12.2f   %-10s %s\n", "GET /api/v1/subjects/{code} p99 (ms)", s_p99, "< " t_p99, (s_p99 < t_p99 ? "PASS" : "FAIL")
	printf "%-44s %11.1f%%   %-10s %s\n", "subject lookup / hello world", ratio * 100, ">= " t_ratio * 100 "%", (ratio >= t_ratio ? "PASS" : "FAIL")
	printf "%-44s %12.0f   %-10s %s\n", "GET /api/v1/subjects?q=NAME-PART req/s", q_rps, ">= " t_search, (q_rps >= t_search ? "PASS" : "FAIL")
	printf "%-44s %12.2f   %-10s %s\n", "GET /api/v1/subjects?q=NAME-PART p99 (ms)", q_p99, "", ""
	printf "%-44s %12.0f\n", "SQLite subject by code, 1 thread, lookups/s", ref1
	printf "%-44s %12.0f\n", "SQLite subject by code, 2 threads, lookups/s", ref2
	printf "%-44s %12.0f\n", "SQLite subject + records, 1 thread, /s", refr1
	printf "%-44s %12.0f\n", "SQLite subject + records, 2 threads, /s", refr2
	printf "%-44s %11.1f%%\n", "subject lookup / SQLite subject + records (2)", (refr2 > 0 ? s_rps / refr2 * 100 : 0)
	printf "subject lookups: %d answers, %d not 2xx, %d socket errors; p50 %.2f ms\n", s_n, s_bad, s_err, s_p50
	printf "name searches:   %d answers, %d not 2xx, %d socket errors; p50 %.2f ms\n", q_n, q_bad, q_err, q_p50
	printf "audit events (result ok): subject.query %d for %d answers counted by wrk, subject.search %d for %d\n", ev_query, s_n + w_n + 205, ev_search, q_n + 1
	print "  (wrk does not count the answers in flight when it stops: up to 64 a run more events)"
	on = (on1 + on2) / 2
	drop = (drop1 + drop2) / 2
	loss = drop > 0 ? 1 - on / drop : 1
	printf "\nwhat the audit costs (subject lookups, alternated on/drop/on/drop, fresh servers; load average %s after):\n", lau
	printf "%-44s %12s\n", "audit on req/s (runs 1, 2)", sprintf("%.0f, %.0f", on1, on2)
	printf "%-44s %12s\n", "writer dropping events req/s (runs 1, 2)", sprintf("%.0f, %.0f", drop1, drop2)
	printf "%-44s %11.1f%%   %-10s %s\n", "lost with audit on (mean of each)", loss * 100, "<= " t_audit * 100 "%", (loss <= t_audit ? "PASS" : "FAIL")
	if (ab)
		print "WARNING: some requests of the audit-cost runs were not 2xx"
	if (s_bad || q_bad || s_err || q_err)
		print "WARNING: some requests failed (see above): the figures are not of the real path"
	if (s_rps < t_rps || s_p99 >= t_p99 || ratio < t_ratio || q_rps < t_search || loss > t_audit)
		print "\nFAIL: at least one query target is missed (see above)"
	else
		print "\nPASS: every query target is met"
}'
exit 0
