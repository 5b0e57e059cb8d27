#!/bin/sh
# make lint: formatting, clang-tidy, cppcheck and the banned-function grep.
# Each part reports; the script fails if any part finds something.
set -u
cd "$(dirname "$0")/.."
fail=0
src=$(find src tests/unit tests/tools tests/preload tests/fuzz bench -name '*.[ch]' 2>/dev/null | sort)

echo "== banned functions and SQL built from values"
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|atoi|system|popen|rand)[[:space:]]*\('
if grep -nE "$banned" $src | grep -vE '^\S+:[0-9]+:\s*(/\*|\*)'; then
	echo "banned function used (STYLE.md)"; fail=1
fi
if grep -nE 'printf\([^;]*"(SELECT|INSERT|UPDATE|DELETE)[^"]*%' $src; then
	echo "SQL built with snprintf: bind parameters instead"; fail=1
fi

echo "== clang-format"
if command -v clang-format >/dev/null; then
	for f in $src; do
		clang-format --dry-run --Werror "$f" 2>/dev/null || { echo "  $f"; bad=1; }
	done
	[ "${bad:-0}" = 1 ] && { echo "clang-format: the files above need formatting"; fail=1; }
fi

echo "== cppcheck"
if command -v cppcheck >/dev/null; then
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--inline-suppr --std=c11 -Isrc -D_GNU_SOURCE --suppress=missingIncludeSystem \
		src || fail=1
fi

echo "== clang-tidy"
if command -v clang-tidy >/dev/null; then
	clang-tidy --quiet --warnings-as-errors='*' \
		--checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-implicit-widening-of-multiplication-result,cert-err34-c,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-valist.Uninitialized' \
		$(find src -name '*.c') -- -std=c11 -D_GNU_SOURCE -Isrc 2>/dev/null | grep -E 'warning|error' || true
	clang-tidy --quiet --warnings-as-errors='*' \
		--checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-assignment-in-if-condition,-bugprone-implicit-widening-of-multiplication-result,cert-err34-c,clang-analyzer-*,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling,-clang-analyzer-valist.Uninitialized' \
		$(find src -name '*.c') -- -std=c11 -D_GNU_SOURCE -Isrc >/dev/null 2>&1 || fail=1
fi

[ $fail = 0 ] && echo "lint: clean" || echo "lint: problems found"
exit $fail
