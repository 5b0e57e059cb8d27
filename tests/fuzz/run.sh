#!/bin/sh
# Runs every built fuzz target (build/fuzz/fuzz_*) for SECONDS each, one after another:
#   sh tests/fuzz/run.sh SECONDS
# Each starts from its kept corpus tests/fuzz/corpus/<name without fuzz_>/ (seeds and
# every crash ever found, read only); new corpus entries go to a scratch folder that is
# removed afterwards; crashing inputs go to build/fuzz/crashes/<name>/ and the log to
# build/fuzz/logs/<name>.log.  Prints which targets found crashes; exits 1 if any did.
# XY_FUZZ_MAX_LEN (default 4096) caps the input size.  A crash found here becomes a
# regression file: fix it, then copy the input into the target's corpus folder.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
secs=${1:-60}
case "$secs" in
'' | *[!0-9]*)
	echo "usage: sh tests/fuzz/run.sh SECONDS" >&2
	exit 2
	;;
esac
mkdir -p build/fuzz/logs
found=""
ran=0
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	crashes="build/fuzz/crashes/$name"
	log="build/fuzz/logs/$name.log"
	mkdir -p "$corpus" "$crashes"
	work=$(mktemp -d "${TMPDIR:-/tmp}/xy-fuzz-$name.XXXXXX")
	printf '%-24s %5ss ... ' "$name" "$secs"
	"$t" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 \
		-max_len="${XY_FUZZ_MAX_LEN:-4096}" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$work" "$corpus" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	ran=$((ran + 1))
	if [ "$rc" -ne 0 ]; then
		found="$found $name"
		echo "FOUND A CRASH (exit $rc): see $log and $crashes/"
	else
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		echo "ok (${runs:-?} runs)"
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "no fuzz targets built in build/fuzz (make fuzz-build)" >&2
	exit 2
fi
if [ -n "$found" ]; then
	echo "targets that found crashes:$found"
	exit 1
fi
echo "no crashes in $ran targets"
exit 0
