#!/bin/sh
# Audit benchmark (`make bench`, issue 5), bench/audit BUILD's parts, on fresh files:
#
#   append     the group-commit writer (xy_auditw_start, signing a checkpoint every 1,000
#              events or 10 s as the server does) with BENCH_PRODUCERS threads (8), two ways:
#              server   each producer keeps up to BENCH_INFLIGHT (32) events handed over with
#                       xy_auditw_submit and not yet durable, as an HTTP server thread does: it
#                       suspends the request's connection until the writer's completion says
#                       the event is durable, and goes on to its next request (8 x 32 = 256
#                       requests waiting, within the server's 1,024 connections).  The target
#                       is judged on this one: it is how `xinyong serve` produces events.
#              blocking each producer calls xy_auditw_write, which returns once its event is
#                       durable: one event in flight a producer, so a commit carries <= 8
#              BENCH_EVENTS query events (400,000): events/s, commits, wait per event
#   reference  the same rows inserted by plain SQLite in one transaction (audit_events' shape,
#              WAL, synchronous=FULL, one prepared INSERT, the hash a 32-byte blob): rows/s
#   verify     xy_audit_verify over the events the server-way append wrote, with its signed
#              checkpoints, as `xinyong audit verify` does: events/s
#
# and, for scale (no target), plain SQLite committing BENCH_PRODUCERS rows per durable
# transaction: the most that BENCH_PRODUCERS blocking producers could get if each commit carried
# one event of each.  Prints the figures, the ratio and PASS/FAIL per target.
#
#   sh bench/audit.sh BUILD
#   BENCH_EVENTS=N     events per run (default 400000)
#   BENCH_REPEAT=N     runs of each part, best kept (default 3)
#   BENCH_PRODUCERS=N  producer threads (default 8, as the target says)
#   BENCH_INFLIGHT=N   events a producer keeps in flight the server way (default 32)
#   BENCH_ONLY=audit   run only this one of `make bench`'s benchmarks
#
# Exits 0 when the measurement ran, even if a target is missed; 1 when it could not run.
set -eu

case ${BENCH_ONLY:-audit} in audit) ;; *) exit 0 ;; esac

BUILD=${1:-build}
EVENTS=${BENCH_EVENTS:-400000}
REPEAT=${BENCH_REPEAT:-3}
PRODUCERS=${BENCH_PRODUCERS:-8}
INFLIGHT=${BENCH_INFLIGHT:-32}
BIN=$BUILD/bench/audit

# Targets (the issue).
TARGET_EPS=100000
TARGET_RATIO=0.30
TARGET_VERIFY_EPS=300000

die() {
	echo "bench: $*" >&2
	exit 1
}
[ -x "$BIN" ] || die "$BIN missing (run make bench)"
for v in "$EVENTS" "$REPEAT" "$PRODUCERS" "$INFLIGHT"; do
	case $v in '' | 0 | *[!0-9]*) die "BENCH_EVENTS, BENCH_REPEAT, BENCH_PRODUCERS, BENCH_INFLIGHT: whole numbers > 0" ;; esac
done

mkdir -p "$BUILD/bench-data"
DIR=$(mktemp -d "$BUILD/bench-data/audit.XXXXXX")
trap 'rm -rf "$DIR"; rmdir "$BUILD/bench-data" 2>/dev/null || :' EXIT
trap 'exit 130' INT TERM

load() { cut -d' ' -f1-3 /proc/loadavg; }
# The value of KEY in a line of key=value figures.
field() { sed -n "s/.*[[:space:]]$2=\([0-9.]*\).*/\1/p; s/^$2=\([0-9.]*\).*/\1/p" "$1" | head -1; }

echo "audit: $EVENTS events, $PRODUCERS producers ($INFLIGHT events in flight each the server way), $REPEAT runs; load average $(load)"

# append DB INFLIGHT LABEL: one run; prints its line, leaves events/s in $app
append() {
	l0=$(load)
	"$BIN" append "$1" "$EVENTS" "$PRODUCERS" "$2" >"$DIR/append.out" 2>"$DIR/append.err" ||
		die "append failed: $(tail -3 "$DIR/append.err")"
	app=$(field "$DIR/append.out" events_per_s)
	commits=$(sed -n 's/.*audit writer: [0-9]* events in \([0-9]*\) commits.*/\1/p' "$DIR/append.err")
	echo "run $i: append $3 $app events/s, ${commits:-?} commits ($(awk -v n="$EVENTS" -v c="${commits:-0}" 'BEGIN { printf "%.1f", c ? n / c : 0 }') events a commit), wait p50 $(field "$DIR/append.out" wait_p50_us) µs p99 $(field "$DIR/append.out" wait_p99_us) µs max $(field "$DIR/append.out" wait_max_us) µs; load $l0"
}

best_app=0 best_blk=0 best_ref=0 best_cap=0 best_ver=0 ratios=
i=1
while [ "$i" -le "$REPEAT" ]; do
	db=$DIR/append.db
	append "$db" 1 "blocking"
	blk=$app
	rm -f "$db" "$db-wal" "$db-shm" "$db.cp" "$db.pub"
	append "$db" "$INFLIGHT" "server  "

	"$BIN" verify "$db" >"$DIR/verify.out" 2>"$DIR/verify.err" ||
		die "verify failed: $(tail -3 "$DIR/verify.err")"
	[ "$(field "$DIR/verify.out" events)" = "$EVENTS" ] ||
		die "verify read $(field "$DIR/verify.out" events) events, not $EVENTS"
	ver=$(field "$DIR/verify.out" events_per_s)
	[ "$(field "$DIR/verify.out" checkpoints_to)" = "$EVENTS" ] ||
		die "verify: the signed checkpoints reach event $(field "$DIR/verify.out" checkpoints_to), not $EVENTS"
	echo "run $i: verify    $ver events/s ($(field "$DIR/verify.out" seconds) s, checkpoints included); load $(load)"
	rm -f "$db" "$db-wal" "$db-shm" "$db.cp" "$db.pub"

	l0=$(load)
	"$BIN" ref "$DIR/ref.db" "$EVENTS" >"$DIR/ref.out" 2>"$DIR/ref.err" ||
		die "reference failed: $(tail -3 "$DIR/ref.err")"
	ref=$(field "$DIR/ref.out" rows_per_s)
	echo "run $i: reference $ref rows/s (one transaction); load $l0"
	rm -f "$DIR/ref.db" "$DIR/ref.db-wal" "$DIR/ref.db-shm"

	l0=$(load)
	"$BIN" ref "$DIR/cap.db" "$EVENTS" "$PRODUCERS" >"$DIR/cap.out" 2>"$DIR/cap.err" ||
		die "reference ($PRODUCERS rows a commit) failed: $(tail -3 "$DIR/cap.err")"
	cap=$(field "$DIR/cap.out" rows_per_s)
	echo "run $i: plain SQLite, $PRODUCERS rows per durable commit: $cap rows/s; load $l0"
	rm -f "$DIR/cap.db" "$DIR/cap.db-wal" "$DIR/cap.db-shm"

	ratios="$ratios $(awk -v a="$app" -v r="$ref" 'BEGIN { printf "%.1f%%", (r > 0 ? a / r * 100 : 0) }')"
	[ "${app%.*}" -gt "$best_app" ] && best_app=${app%.*}
	[ "${blk%.*}" -gt "$best_blk" ] && best_blk=${blk%.*}
	[ "${ref%.*}" -gt "$best_ref" ] && best_ref=${ref%.*}
	[ "${cap%.*}" -gt "$best_cap" ] && best_cap=${cap%.*}
	[ "${ver%.*}" -gt "$best_ver" ] && best_ver=${ver%.*}
	i=$((i + 1))
done

awk -v n="$EVENTS" -v rep="$REPEAT" -v prod="$PRODUCERS" -v app="$best_app" -v ref="$best_ref" \
	-v blk="$best_blk" -v inflight="$INFLIGHT" \
	-v cap="$best_cap" -v ver="$best_ver" -v ratios="$ratios" -v t_eps="$TARGET_EPS" \
	-v t_ratio="$TARGET_RATIO" -v t_ver="$TARGET_VERIFY_EPS" -v la="$(load)" 'BEGIN {
	ratio = ref > 0 ? app / ref : 0
	printf "\naudit benchmark: %d events, %d producers, best of %d runs; load average %s after\n", n, prod, rep, la
	printf "%-44s %12s   %-10s %s\n", "measure", "value", "target", "result"
	printf "%-44s %12d   %-10s %s\n", "durable append events/s (" inflight " in flight each)", app, ">= " t_eps, (app >= t_eps ? "PASS" : "FAIL")
	printf "%-44s %12d   %-10s %s\n", "reference rows/s (plain SQLite, one txn)", ref, "", ""
	printf "%-44s %11.1f%%   %-10s %s\n", "append / reference", ratio * 100, ">= " t_ratio * 100 "%", (ratio >= t_ratio ? "PASS" : "FAIL")
	printf "%-44s %12d   %-10s %s\n", "audit verify events/s", ver, ">= " t_ver, (ver >= t_ver ? "PASS" : "FAIL")
	printf "%-44s %12d\n", "durable append, blocking producers, events/s", blk
	printf "%-44s %11.1f%%\n", "blocking append / reference", (ref > 0 ? blk / ref * 100 : 0)
	printf "%-44s %12d\n", "plain SQLite, " prod " rows per durable commit", cap
	printf "append / reference in each run:%s\n", ratios
	if (app < t_eps || ratio < t_ratio || ver < t_ver)
		print "\nFAIL: at least one audit target is missed (see above)"
	else
		print "\nPASS: every audit target is met"
}'
exit 0
