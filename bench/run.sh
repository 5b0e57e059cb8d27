#!/bin/sh
# Import benchmark (`make bench`): a generated XZCF file of BENCH_ROWS rows (default 1,000,000;
# 30% natural persons, so their fields are sealed) imported by `xinyong import` into a fresh
# instance, against the reference bench/sqlite_ref (the same rows as plain TEXT inserts, no
# validation, no encryption).  Prints rows/s, peak RSS, the ratio and PASS/FAIL per target.
#
#   sh bench/run.sh BUILD
#   BENCH_ROWS=N       rows in the file (default 1000000)
#   BENCH_REPEAT=N     runs of each side, best rows/s and largest RSS kept (default 2)
#
# Exits 0 when the measurement ran, even if a target is missed (FAIL is printed); 1 when it
# could not run.
set -eu

# BENCH_ONLY=import|http|query|audit|portal runs one of `make bench`'s benchmarks.
case ${BENCH_ONLY:-import} in import) ;; *) exit 0 ;; esac

BUILD=${1:-build}
ROWS=${BENCH_ROWS:-1000000}
REPEAT=${BENCH_REPEAT:-2}
XY=$BUILD/xinyong
GEN=$BUILD/bench/gen_rows
REF=$BUILD/bench/sqlite_ref
TIME=/usr/bin/time

# Targets (the issue): rows/s, share of the reference, peak RSS.
TARGET_RPS=100000
TARGET_RATIO=0.40
TARGET_RSS_MIB=64

die() {
	echo "bench: $*" >&2
	exit 1
}

for f in "$XY" "$GEN" "$REF" "$TIME"; do
	[ -x "$f" ] || die "$f missing (run make bench)"
done
case $ROWS in '' | *[!0-9]*) die "BENCH_ROWS must be a whole number" ;; esac
case $REPEAT in '' | 0 | *[!0-9]*) die "BENCH_REPEAT must be 1 or more" ;; esac

mkdir -p "$BUILD/bench-data"
DIR=$(mktemp -d "$BUILD/bench-data/import.XXXXXX")
trap 'rm -rf "$DIR"; rmdir "$BUILD/bench-data" 2>/dev/null || :' EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }

# "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34" -> seconds.
wall_s() {
	sed -n 's/^.*Elapsed (wall clock) time.*: //p' "$1" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}
rss_kib() { sed -n 's/^.*Maximum resident set size (kbytes): //p' "$1"; }

UNIT=$("$GEN" --unit-code) || die "gen_rows --unit-code failed"
printf 'code,name,region,provides\n%s,九江市市场监督管理局,360400,XZCF\n' "$UNIT" >"$DIR/units.csv"

CSV=$DIR/xzcf.csv
t0=$(now_ms)
"$GEN" --dataset XZCF --natural-share 0.3 "$ROWS" >"$CSV" || die "gen_rows failed"
t1=$(now_ms)
echo "generated $ROWS XZCF rows ($(du -m "$CSV" | cut -f1) MiB) in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100)) s (not timed below)"

# One import into a fresh instance: prints "rows_per_s rss_kib".  The same file may be imported
# only once per instance, so every run gets its own.
import_once() {
	inst=$DIR/inst.$1
	# init prints the first administrators' one-time passwords on stdout: never keep them.
	"$XY" init "$inst" --units "$DIR/units.csv" >/dev/null 2>"$DIR/init.err" ||
		die "init failed: $(cat "$DIR/init.err")"
	set +e
	"$TIME" -v -o "$DIR/import.time" "$XY" import "$inst" --dataset XZCF --unit "$UNIT" \
		"$CSV" >"$DIR/import.out" 2>"$DIR/import.err"
	rc=$?
	set -e
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || die "import failed ($rc): $(cat "$DIR/import.err")"
	accepted=$(sed -n 's/^accepted=\([0-9]*\) .*/\1/p' "$DIR/import.out")
	[ "$accepted" = "$ROWS" ] ||
		echo "bench: WARNING: import accepted $accepted of $ROWS rows ($(tr '\n' ' ' <"$DIR/import.out"))" >&2
	w=$(wall_s "$DIR/import.time")
	echo "$(awk -v n="$accepted" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }') $(rss_kib "$DIR/import.time")"
	rm -rf "$inst"
}

# One reference run into a fresh database file: prints "rows_per_s rss_kib".
ref_once() {
	db=$DIR/ref.$1.db
	"$TIME" -v -o "$DIR/ref.time" "$REF" "$CSV" "$db" >"$DIR/ref.out" 2>"$DIR/ref.err" ||
		die "reference failed: $(cat "$DIR/ref.err")"
	n=$(sed -n 's/^rows=\([0-9]*\) .*/\1/p' "$DIR/ref.out")
	[ "$n" = "$ROWS" ] || die "reference inserted $n of $ROWS rows"
	w=$(wall_s "$DIR/ref.time")
	echo "$(awk -v n="$n" -v w="$w" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }') $(rss_kib "$DIR/ref.time")"
	rm -f "$db" "$db-wal" "$db-shm"
}

best_imp=0 worst_rss=0 best_ref=0 ref_rss=0
i=1
while [ "$i" -le "$REPEAT" ]; do
	out=$(import_once "$i") || exit 1
	rps=${out% *} rss=${out#* }
	echo "run $i: import    $rps rows/s, peak RSS $((rss / 1024)) MiB"
	[ "$rps" -gt "$best_imp" ] && best_imp=$rps
	[ "$rss" -gt "$worst_rss" ] && worst_rss=$rss
	out=$(ref_once "$i") || exit 1
	rps=${out% *} rss=${out#* }
	echo "run $i: reference $rps rows/s, peak RSS $((rss / 1024)) MiB"
	[ "$rps" -gt "$best_ref" ] && best_ref=$rps
	[ "$rss" -gt "$ref_rss" ] && ref_rss=$rss
	i=$((i + 1))
done

awk -v rows="$ROWS" -v rep="$REPEAT" -v imp="$best_imp" -v rss="$worst_rss" -v ref="$best_ref" \
	-v refrss="$ref_rss" -v t_rps="$TARGET_RPS" -v t_ratio="$TARGET_RATIO" \
	-v t_rss="$TARGET_RSS_MIB" 'BEGIN {
	ratio = ref > 0 ? imp / ref : 0
	mib = rss / 1024
	printf "\nimport benchmark: %d XZCF rows, best of %d runs (RSS: largest of the runs)\n", rows, rep
	printf "%-28s %14s   %-12s %s\n", "measure", "value", "target", "result"
	printf "%-28s %14d   %-12s %s\n", "import rows/s", imp, ">= " t_rps, (imp >= t_rps ? "PASS" : "FAIL")
	printf "%-28s %14.1f   %-12s %s\n", "import peak RSS (MiB)", mib, "< " t_rss, (mib < t_rss ? "PASS" : "FAIL")
	printf "%-28s %14d   %-12s %s\n", "reference rows/s", ref, "", ""
	printf "%-28s %14.1f   %-12s %s\n", "reference peak RSS (MiB)", refrss / 1024, "", ""
	printf "%-28s %13.1f%%   %-12s %s\n", "import / reference", ratio * 100, ">= " t_ratio * 100 "%", (ratio >= t_ratio ? "PASS" : "FAIL")
	if (imp < t_rps || mib >= t_rss || ratio < t_ratio)
		print "\nFAIL: at least one import target is missed (see above)"
	else
		print "\nPASS: every import target is met"
}'
exit 0
