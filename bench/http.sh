#!/bin/sh
# HTTP benchmark (`make bench`, issue 3): authenticated GET /api/v1/session against the
# same server's GET /healthz (the hello-world reference), wrk -t2 -c64, in one run on a
# fresh instance with the rate limits raised and the access log off.  Also times sign-in
# (Argon2id).  Prints requests/s, the ratio, and PASS/FAIL against the target (>= 60%).
#
#   sh bench/http.sh BUILD
#   BENCH_SECONDS=N    seconds per wrk run (default 10)
#
# Exits 0 when the measurement ran, even if the target is missed; 1 when it could not run.
set -eu

# BENCH_ONLY=import|http|query|audit|portal runs one of `make bench`'s benchmarks.
case ${BENCH_ONLY:-http} in http) ;; *) exit 0 ;; esac

BUILD=${1:-build}
SECS=${BENCH_SECONDS:-10}
XY=$BUILD/xinyong
TARGET_RATIO=0.60

die() {
	echo "bench: $*" >&2
	exit 1
}
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps.sh installs it)"
[ -x "$XY" ] || die "$XY is missing: run make first"

work=$(mktemp -d "${TMPDIR:-/tmp}/xy-http-bench.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

"$XY" init "$work/inst" >"$work/init.out" 2>/dev/null || die "init failed"
pw=$(sed -n 's/^account=secadmin role=security_admin password=//p' "$work/init.out")
# Limits raised for the benchmark only (the defaults protect a real server).
sed -i -e 's/^rate_per_addr = .*/rate_per_addr = 1000000/' \
	-e 's/^rate_per_account = .*/rate_per_account = 1000000/' \
	-e 's/^signin_per_minute = .*/signin_per_minute = 600/' \
	-e 's/^access_log = .*/access_log = 0/' "$work/inst/config.ini"
"$XY" serve "$work/inst" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
pid=$!
i=0
while ! grep -q '^listening port=' "$work/serve.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "the server did not start: $(tail -3 "$work/serve.log")"
	sleep 0.1
done
port=$(sed -n 's/^listening port=//p' "$work/serve.out")
base="http://127.0.0.1:$port"

# Sign-in cost: 5 sign-ins, median wall time of the whole request.
export XY_BENCH_BASE="$base" XY_BENCH_PW="$pw" XY_BENCH_OUT="$work/signin"
token=$(python3 - <<'PY'
import json, os, time, urllib.request
base, pw = os.environ["XY_BENCH_BASE"], os.environ["XY_BENCH_PW"]
times, tok = [], None
for _ in range(5):
    req = urllib.request.Request(base + "/api/v1/session", method="POST",
        data=json.dumps({"account": "secadmin", "password": pw}).encode(),
        headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    tok = json.load(urllib.request.urlopen(req))["token"]
    times.append(time.perf_counter() - t)
times.sort()
print(tok)
with open(os.environ["XY_BENCH_OUT"], "w") as f:
    f.write("%.1f" % (times[2] * 1000))
PY
)
[ -n "$token" ] || die "sign-in failed"

run() { # URL [header]
	if [ -n "${2:-}" ]; then
		wrk -t2 -c64 -d"${SECS}s" -H "$2" "$1"
	else
		wrk -t2 -c64 -d"${SECS}s" "$1"
	fi | sed -n 's/^Requests\/sec: *//p'
}

hello=$(run "$base/healthz")
authed=$(run "$base/api/v1/session" "Authorization: Bearer $token")
python3 - "$hello" "$authed" "$TARGET_RATIO" <<'PY'
import sys
hello, authed, target = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
ratio = authed / hello if hello else 0
print("http: GET /healthz (hello world)          %10.0f req/s" % hello)
print("http: GET /api/v1/session (authenticated) %10.0f req/s (each audited, group commit)" % authed)
print("http: ratio %.1f%%   target >= %.0f%%: %s" % (ratio * 100, target * 100,
      "PASS" if ratio >= target else "FAIL"))
PY
echo "http: sign-in (Argon2id m=19456 KiB, t=2, p=1): $(cat "$work/signin") ms a request (median of 5; aim 50-200 ms)"
