#!/bin/sh
# Runs every suite against each build folder given (e.g. build build/asan),
# then a short run of each fuzz target, and prints one closing line
# "N passed, N failed" over all of them.  Suites speak TAP ("ok N - name",
# "not ok N - name"); a suite that dies without saying why counts as one
# failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
out=${XY_TEST_OUT:-build/test-logs}
mkdir -p "$out"
pass=0
fail=0
failed_names=""

# count LOGFILE SUITE-LABEL RC
count() {
	p=$(grep -cE '^ok [0-9]+' "$1")
	f=$(grep -cE '^not ok [0-9]+' "$1")
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $2 exited with status $3" >>"$1"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed_names="$failed_names $2"
		grep -E '^not ok|^# ' "$1" | sed "s|^|  $2: |" | head -40
	fi
	printf '%-44s %4d passed %4d failed\n' "$2" "$p" "$f"
}

for b in "$@"; do
	tag=$(echo "$b" | tr '/' '_')
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		log="$out/$tag.$name.log"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		count "$log" "$b: $name" $?
	done
	for t in tests/cli/test_*.py tests/api/test_*.py; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .py)
		log="$out/$tag.$name.log"
		XY_BIN="$top/$b/xinyong" XY_BUILD="$top/$b" python3 "$t" >"$log" 2>&1
		count "$log" "$b: $name" $?
	done
done

# Browser tests (tests/e2e/run.sh: Playwright driving Debian's Chromium against the
# portal and the government server of a small demo), once, against the first build
# folder (the normal build; the sanitizer build adds nothing a browser can see). A
# missing Chromium or Node.js counts as a failure, not a skip: scripts/deps.sh installs
# them. XY_E2E=0 leaves the suite out on purpose.
if [ $# -gt 0 ]; then
	log="$out/e2e.portal.log"
	sh tests/e2e/run.sh "$1" >"$log" 2>&1
	count "$log" "e2e: portal (browser)" $?
fi

# Fuzz targets: the kept corpus (every crash found becomes a file there)
# plus a short random run.
for t in build/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	log="$out/fuzz.$name.log"
	corpus="tests/fuzz/corpus/${name#fuzz_}"
	mkdir -p "$corpus"
	work=$(mktemp -d)
	if "$t" -runs="${XY_FUZZ_RUNS:-20000}" -max_total_time=20 -max_len=4096 -artifact_prefix="$out/" \
		"$work" "$corpus" >"$log" 2>&1; then
		echo "ok 1 - $name short run" >>"$log"
	else
		echo "not ok 1 - $name short run (see $log)" >>"$log"
	fi
	rm -rf "$work"
	count "$log" "fuzz: $name" 0
done

# Which requirement IDs have a test naming them (COL-2, col2, COL_2 …).
ids=$(grep -rhoiE --exclude-dir=node_modules '(^|[^a-z0-9])(col|shr|acc|sod|aud|cry|chg|net|por|ops)[-_]?[0-9]+' tests \
	2>/dev/null | sed -E 's/^[^a-zA-Z]//; s/^([a-zA-Z]+)[-_]?([0-9]+)$/\1-\2/' |
	tr 'a-z' 'A-Z' | sort -u -t- -k1,1 -k2,2n | tr '\n' ' ')
echo "requirement IDs with tests: $ids"
[ -n "$failed_names" ] && echo "failed suites:$failed_names"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
