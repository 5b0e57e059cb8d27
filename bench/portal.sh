#!/bin/sh
# Portal benchmark (`make bench`, issue 6).  A portal built from one generated, signed
# snapshot change set (bench/gen_portal: BENCH_PORTAL_SUBJECTS legal persons, default
# 100,000, and BENCH_PORTAL_RECORDS 双公示 records, default 300,000, about 650 bytes a line):
#
#   apply       the snapshot applied at the portal's start: records/s and lines/s, with the
#               parts the portal logs (read and SM2/SM3 verify, lines, commit)
#   subject     wrk -t2 -c64: GET /subjects/{random code} of BENCH_PORTAL_PAGES subjects
#               (default 5,000) on the portal, and the same pages saved as static files
#               served by nginx (2 workers, same Content-Type), alternated: portal, nginx,
#               portal, nginx; the sums of the two rounds compared
#   search      wrk -t2 -c64: GET /search?q={random 3-6 character part of a random name}
#   render      the same portal restarted with its page cache off (page_cache_mb = 0): subject
#               pages of any subject and search, every answer rendered (not a target; what
#               the cache saves)
#
# The portal's rate limits and connections per address are raised in config.ini and its
# access log is off (the only changes).  Prints figures, ratios and PASS/FAIL per target.
#
#   sh bench/portal.sh BUILD
#   BENCH_SECONDS=N           seconds per wrk run (default 10; a 3 s warm-up comes first)
#   BENCH_ONLY=portal         run only this one of `make bench`'s benchmarks
#   BENCH_KEEP=1              keep the scratch folder (build/bench-data/portal.*)
#
# Exits 0 when the measurement ran, even if a target is missed; 1 when it could not run.
set -eu

case ${BENCH_ONLY:-portal} in portal) ;; *) exit 0 ;; esac

BUILD=${1:-build}
SUBJECTS=${BENCH_PORTAL_SUBJECTS:-100000}
RECORDS=${BENCH_PORTAL_RECORDS:-300000}
PAGES=${BENCH_PORTAL_PAGES:-5000}
SECS=${BENCH_SECONDS:-10}
WARMUP=3
XY=$BUILD/xinyong
GEN=$BUILD/bench/gen_portal
HERE=$(cd "$(dirname "$0")" && pwd)

# Targets (the issue).
TARGET_RATIO=0.50
TARGET_SEARCH_RPS=5000
TARGET_APPLY_RPS=100000

die() {
	echo "bench: $*" >&2
	exit 1
}
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps.sh installs it)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || die "nginx is not installed (apt-get install -y nginx-light)"
for f in "$XY" "$GEN"; do
	[ -x "$f" ] || die "$f missing (run make bench)"
done
for v in "$SUBJECTS" "$RECORDS" "$PAGES" "$SECS"; do
	case $v in '' | 0 | *[!0-9]*) die "BENCH_PORTAL_SUBJECTS, _RECORDS, _PAGES, BENCH_SECONDS: whole numbers > 0" ;; esac
done

mkdir -p "$BUILD/bench-data"
DIR=$(cd "$(mktemp -d "$BUILD/bench-data/portal.XXXXXX")" && pwd)
chmod 755 "$DIR"
pid=
ngx=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	if [ -n "$ngx" ]; then
		kill "$ngx" 2>/dev/null || :
		wait "$ngx" 2>/dev/null || :
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "portal: scratch folder kept in $DIR"
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

echo "portal: $SUBJECTS legal persons, $RECORDS records; load average $(load)"

# ---- 1. the change set and the portal ----
t0=$(now_ms)
"$GEN" "$DIR" "$SUBJECTS" "$RECORDS" || die "gen_portal failed"
CS="$DIR/cs-0000000001.xycs"
echo "portal: generated and signed $(($(wc -c <"$CS") / 1048576)) MiB in $(secs_since "$t0") s"
"$XY" portal-init "$DIR/p" --platform-public-key "$DIR/platform.pem" --name 九江信用 \
	>"$DIR/init.out" 2>&1 || die "portal-init failed: $(cat "$DIR/init.out")"
# Limits raised for the benchmark only (the defaults protect a real portal).
sed -i -e 's/^rate_per_addr = .*/rate_per_addr = 1000000/' \
	-e 's/^rate_burst = .*/rate_burst = 1000000/' \
	-e 's/^conn_per_addr = .*/conn_per_addr = 256/' \
	-e 's/^access_log = .*/access_log = 0/' "$DIR/p/config.ini"
owner=$(stat -c %u:%g "$DIR/p")
chown "$owner" "$CS" 2>/dev/null || :
mv "$CS" "$DIR/p/inbox/"

# ---- 2. apply: the portal takes the snapshot at its start ----
"$XY" portal "$DIR/p" --listen 127.0.0.1:0 >"$DIR/portal.out" 2>"$DIR/portal.log" &
pid=$!
i=0
while ! grep -q '^listening port=' "$DIR/portal.out" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$pid" 2>/dev/null || die "the portal stopped: $(tail -3 "$DIR/portal.log")"
	[ $i -lt 6000 ] || die "the portal did not start in 10 minutes"
	sleep 0.1
done
base="http://127.0.0.1:$(sed -n 's/^listening port=//p' "$DIR/portal.out")"
applied=$(grep -o 'change set 1 (snapshot) applied: [^"]*' "$DIR/portal.log") ||
	die "the snapshot was not applied: $(tail -3 "$DIR/portal.log")"
# "… applied: L lines in T ms (read and verify R ms, lines N ms, commit C ms)"
set -- $(echo "$applied" | tr -c '0-9\n' ' ')
lines=$2 total=$3 t_read=$4 t_lines=$5 t_commit=$6
apply_rps=$(awk -v n="$RECORDS" -v t="$total" 'BEGIN { printf "%.0f", n * 1000 / t }')
echo "portal: apply: $lines lines ($RECORDS records) in $total ms: read and verify $t_read ms, lines $t_lines ms, commit $t_commit ms; load average $(load)"
awk -v r="$RECORDS" -v l="$lines" -v t="$total" -v v="$t_read" -v target="$TARGET_APPLY_RPS" 'BEGIN {
	rps = r * 1000 / t
	printf "portal: apply %.0f records/s, %.0f lines/s (without read and verify: %.0f records/s)   target >= %d records/s: %s\n",
		rps, l * 1000 / t, r * 1000 / (t - v), target, (rps >= target ? "PASS" : "FAIL")
}'
echo "portal: public.db $(du -m "$DIR/p/public.db" | cut -f1) MiB"

# ---- 3. the same pages as static files for nginx ----
shuf -n "$PAGES" --random-source="$DIR/codes.txt" "$DIR/codes.txt" >"$DIR/pages.txt"
mkdir -p "$DIR/www/subjects" "$DIR/nginx"
python3 - "$base" "$DIR/pages.txt" "$DIR/www/subjects" <<'PY' || die "saving the pages failed"
import http.client, sys, urllib.parse
base, codes, out = sys.argv[1], sys.argv[2], sys.argv[3]
host = urllib.parse.urlparse(base)
c = http.client.HTTPConnection(host.hostname, host.port)
for code in open(codes).read().split():
    c.request("GET", "/subjects/" + code)
    r = c.getresponse()
    body = r.read()
    if r.status != 200 or r.getheader("Content-Type") != "text/html; charset=utf-8":
        sys.exit("GET /subjects/%s: %d %s" % (code, r.status, r.getheader("Content-Type")))
    with open(out + "/" + code, "wb") as f:
        f.write(body)
PY
page_kb=$(du -sb --apparent-size "$DIR/www/subjects" | awk -v n="$PAGES" '{ printf "%.1f", $1 / n / 1024 }')
cat >"$DIR/nginx/nginx.conf" <<NGX
daemon off;
worker_processes 2;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/error.log warn;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	client_body_temp_path $DIR/nginx/tmp;
	proxy_temp_path $DIR/nginx/tmp;
	fastcgi_temp_path $DIR/nginx/tmp;
	uwsgi_temp_path $DIR/nginx/tmp;
	scgi_temp_path $DIR/nginx/tmp;
	types { }
	default_type "text/html; charset=utf-8";
	server {
		listen 127.0.0.1:0;
		root $DIR/www;
	}
}
NGX
# A free port: nginx cannot be asked for one, so take one the kernel gives and release it.
nport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$nport;/" "$DIR/nginx/nginx.conf"
mkdir -p "$DIR/nginx/tmp"
"$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" -e "$DIR/nginx/error.log" 2>"$DIR/nginx/start.err" &
ngx=$!
nbase="http://127.0.0.1:$nport"
i=0
while ! curl -fs -o /dev/null "$nbase/subjects/$(head -1 "$DIR/pages.txt")"; do
	i=$((i + 1))
	kill -0 "$ngx" 2>/dev/null || die "nginx stopped: $(cat "$DIR/nginx/start.err" "$DIR/nginx/error.log" 2>/dev/null | tail -3)"
	[ $i -lt 100 ] || die "nginx did not start"
	sleep 0.1
done
ct=$(curl -s -o /dev/null -w '%{content_type}' "$nbase/subjects/$(head -1 "$DIR/pages.txt")")
[ "$ct" = "text/html; charset=utf-8" ] || die "nginx answers Content-Type $ct"
echo "portal: $PAGES subject pages saved for nginx (average $page_kb KiB); nginx $("$NGINX" -v 2>&1 | sed 's/.*\///')"

# ---- 4. wrk: subject pages alternated portal / nginx, then search ----
wrk_run() { # NAME URL PREFIX FILE: requests/s on stdout, the output in $DIR/wrk.NAME
	wrk -t2 -c64 -d"${SECS}s" --latency -s "$HERE/portal.lua" "$2" -- "$3" "$4" \
		>"$DIR/wrk.$1" 2>&1 || die "wrk $1 failed: $(cat "$DIR/wrk.$1")"
	if grep -q 'Non-2xx' "$DIR/wrk.$1"; then
		die "wrk $1: $(grep 'Non-2xx' "$DIR/wrk.$1")"
	fi
	sed -n 's/^Requests\/sec: *//p' "$DIR/wrk.$1"
}
p99() { awk '$1 == "99%" { print $2 }' "$DIR/wrk.$1"; }
wrk -t2 -c64 -d"${WARMUP}s" -s "$HERE/portal.lua" "$base" -- /subjects/ "$DIR/pages.txt" >/dev/null 2>&1 || :
wrk -t2 -c64 -d"${WARMUP}s" -s "$HERE/portal.lua" "$nbase" -- /subjects/ "$DIR/pages.txt" >/dev/null 2>&1 || :
l0=$(load)
p1=$(wrk_run portal1 "$base" /subjects/ "$DIR/pages.txt")
n1=$(wrk_run nginx1 "$nbase" /subjects/ "$DIR/pages.txt")
p2=$(wrk_run portal2 "$base" /subjects/ "$DIR/pages.txt")
n2=$(wrk_run nginx2 "$nbase" /subjects/ "$DIR/pages.txt")
s1=$(wrk_run search "$base" "/search?q=" "$DIR/parts.txt")
awk -v p1="$p1" -v p2="$p2" -v n1="$n1" -v n2="$n2" -v pp="$(p99 portal2)" -v np="$(p99 nginx2)" \
	-v target="$TARGET_RATIO" -v l0="$l0" -v l1="$(load)" 'BEGIN {
	ratio = (n1 + n2 > 0) ? (p1 + p2) / (n1 + n2) : 0
	printf "portal: subject page, portal  %8.0f + %8.0f req/s (p99 %s)\n", p1, p2, pp
	printf "portal: subject page, nginx   %8.0f + %8.0f req/s (p99 %s)\n", n1, n2, np
	printf "portal: ratio %.1f%%   target >= %.0f%%: %s   (load average before %s, after %s)\n",
		ratio * 100, target * 100, (ratio >= target ? "PASS" : "FAIL"), l0, l1
}'
awk -v s="$s1" -v sp="$(p99 search)" -v target="$TARGET_SEARCH_RPS" 'BEGIN {
	printf "portal: search /search?q=(3-6 characters)  %8.0f req/s (p99 %s)   target >= %d: %s\n",
		s, sp, target, (s >= target ? "PASS" : "FAIL")
}'
kill "$ngx"
wait "$ngx" 2>/dev/null || :
ngx=

# ---- 5. the render path alone: the same portal with page_cache_mb = 0 ----
stop_portal() {
	kill "$pid"
	wait "$pid" || die "the portal exited with status $?: $(tail -3 "$DIR/portal.log")"
	pid=
}
stop_portal
echo "page_cache_mb = 0" >>"$DIR/p/config.ini"
rm -f "$DIR/portal.out"
"$XY" portal "$DIR/p" --listen 127.0.0.1:0 >"$DIR/portal.out" 2>>"$DIR/portal.log" &
pid=$!
i=0
while ! grep -q '^listening port=' "$DIR/portal.out" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$pid" 2>/dev/null || die "the portal stopped: $(tail -3 "$DIR/portal.log")"
	[ $i -lt 600 ] || die "the portal did not start"
	sleep 0.1
done
base="http://127.0.0.1:$(sed -n 's/^listening port=//p' "$DIR/portal.out")"
r1=$(wrk_run render "$base" /subjects/ "$DIR/codes.txt")
r2=$(wrk_run render_search "$base" "/search?q=" "$DIR/parts.txt")
awk -v r1="$r1" -v r2="$r2" -v rp="$(p99 render)" -v sp="$(p99 render_search)" -v l="$(load)" 'BEGIN {
	printf "portal: without the page cache: subject page (any of all subjects) %8.0f req/s (p99 %s), search %8.0f req/s (p99 %s); load average %s\n",
		r1, rp, r2, sp, l
}'
stop_portal
