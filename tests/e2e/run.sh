#!/bin/sh
# Browser tests of the two zones together (issue 6: POR-1, POR-3, POR-4), Playwright
# (playwright-core from npm, no browser download) driving Debian's Chromium:
#
#   a small demo instance (300 legal persons, 1,500 records) and its portal, registered;
#   publish change set 1, ferry it; start the portal and the government server;
#   phase "before" (portal.test.mjs): search, subject, record, objection refused then
#   lodged, ticket lookups, no JavaScript, CSP, accessibility, phone width;
#   ferry the objection in, wait for the server's intake to open the case (audit trail);
#   publish, ferry, wait for change set 2 on the portal;
#   phase "after": the record shows 异议处理中 and the ticket 信用办已收到.
#
# Screenshots go to build/e2e/*.png, the servers' logs to build/e2e/logs/.  Speaks TAP.
#
#   sh tests/e2e/run.sh [BUILD]        (BUILD: the build folder, default build)
#
# A missing Chromium or Node.js is a failure ("not ok"), not a skip: scripts/deps.sh
# installs both (Debian's chromium, nodejs and npm; playwright-core is held at 1.61, which
# still runs on Debian 12's Node 18). XY_E2E=0 skips the suite on purpose (and says so).
# XY_E2E_CHROMIUM names another browser binary.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
b=${1:-build}
bin="$top/$b/xinyong"
here="$top/tests/e2e"
out="$top/build/e2e"
chromium=${XY_E2E_CHROMIUM:-/usr/bin/chromium}
n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
# notok NAME [DIAGNOSTIC-FILE]: one failure, then stop
notok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	[ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/# /'
	echo "1..$n"
	exit 1
}

if [ "${XY_E2E:-1}" = 0 ]; then
	echo "# e2e: skipped on purpose (XY_E2E=0)"
	exit 0
fi
[ -x "$chromium" ] || notok "e2e: Chromium at $chromium (apt-get install chromium; scripts/deps.sh does it)"
{ command -v node && command -v npm; } >/dev/null 2>&1 ||
	notok "e2e: Node.js and npm (apt-get install nodejs npm; scripts/deps.sh does it)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || notok "e2e: Node.js >= 18 for playwright-core (found $(node --version))"
[ -x "$bin" ] || notok "e2e: $bin is built"
if [ ! -d "$here/node_modules/playwright-core" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error >"$top/build/e2e-npm.log" 2>&1) ||
		notok "e2e: npm ci in tests/e2e" "$top/build/e2e-npm.log"
fi

mkdir -p "$out/logs"
rm -f "$out"/*.png "$out"/logs/* "$out/state.json"
work=$(mktemp -d /tmp/xy-e2e.XXXXXX)
chmod 755 "$work" # the portal runs as nobody when started as root: it must reach PDIR
gov="$work/gov"
pdir="$work/portal"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	cp "$work"/*.log "$out/logs/" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

log="$work/setup.log"
{
	"$bin" init "$gov" &&
		"$bin" demo "$gov" --subjects 300 --records 1500 &&
		"$bin" portal-init "$pdir" --platform-public-key "$gov/keys/platform-sm2.pub" \
			--name 九江信用 &&
		"$bin" portal-register "$gov" web1 "$pdir/portal-sm2.pub" &&
		"$bin" publish "$gov" &&
		sh scripts/ferry.sh "$gov" "$pdir" web1 --once
} >"$log" 2>&1 || notok "e2e setup: demo instance, portal, change set 1" "$log"
# The portal looks at its inbox every second; its rate limit is raised for one browser.
cat >>"$pdir/config.ini" <<EOF
poll_seconds = 1
rate_per_addr = 1000
rate_burst = 2000
EOF
sed -i '/^poll_seconds = 2$/d; /^rate_per_addr = 20$/d; /^rate_burst = 40$/d' "$pdir/config.ini"
ok "e2e setup: demo instance (300 legal persons, 1,500 records), portal registered, change set 1 ferried"

# start NAME COMMAND...: runs it in the background, waits for "listening port=N"
start() {
	name=$1
	shift
	: >"$work/$name.out"
	"$@" >>"$work/$name.out" 2>"$work/$name.log" &
	pids="$pids $!"
	i=0
	while [ $i -lt 100 ]; do
		port=$(sed -n 's/^listening port=\([0-9]*\).*/\1/p' "$work/$name.out")
		[ -n "$port" ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	notok "e2e: $name starts" "$work/$name.log"
}
start portal "$bin" portal "$pdir" --listen 127.0.0.1:0
url="http://127.0.0.1:$port"
start serve "$bin" serve "$gov" --listen 127.0.0.1:0

# portal_seq: the change set the portal serves (its public status)
portal_seq() {
	node -e 'fetch(process.argv[1] + "/api/v1/public/status").then(r => r.json())
		.then(j => console.log(j.changeset.seq)).catch(() => console.log(0))' "$url"
}
# wait_for SECONDS COMMAND...: until COMMAND succeeds
wait_for() {
	end=$(($(date +%s) + $1))
	shift
	while ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.3
	done
}
seq_at_least() { [ "$(portal_seq)" -ge "$1" ]; }
wait_for 15 seq_at_least 1 || notok "e2e: the portal applies change set 1" "$work/portal.log"

# phase TAG: runs the browser tests of one phase, numbering on from $n
phase() {
	XY_E2E_URL=$url XY_E2E_OUT=$out XY_E2E_STATE="$out/state.json" XY_E2E_FROM=$((n + 1)) \
		XY_E2E_CHROMIUM=$chromium node "$here/portal.test.mjs" "$1" >"$work/phase-$1.out" 2>&1
	rc=$?
	cat "$work/phase-$1.out"
	n=$((n + $(grep -cE '^(not )?ok [0-9]+' "$work/phase-$1.out")))
	[ $rc -eq 0 ] || notok "e2e: browser phase $1 (see above)"
}
phase before

# The objection crosses to the government side; the server's intake (every 2 s) opens the
# case and audits it.
sh scripts/ferry.sh "$gov" "$pdir" web1 --once >>"$work/ferry.log" 2>&1 ||
	notok "e2e: ferry carries the submission in" "$work/ferry.log"
grep -q 'sub-0000000001.xysub -> government (web1)' "$work/ferry.log" ||
	notok "POR-3 the portal's submission file is carried to the government side" "$work/ferry.log"
case_opened() {
	[ "$(sqlite3 "$gov/core.db" "select count(*) from audit_events
		where action = 'case.open' and result = 'ok'" 2>/dev/null)" = 1 ]
}
wait_for 20 case_opened ||
	notok "POR-3 the objection opens a case on the government side (audit: case.open ok)" "$work/serve.log"
ok "POR-3 the objection opens a case on the government side (audit: case.open ok)"

# The next change set marks the record and carries the ticket's state out.
"$bin" publish "$gov" >>"$log" 2>&1 || notok "e2e: publish change set 2" "$log"
sh scripts/ferry.sh "$gov" "$pdir" web1 --once >>"$work/ferry.log" 2>&1 ||
	notok "e2e: ferry carries change set 2 out" "$work/ferry.log"
wait_for 15 seq_at_least 2 ||
	notok "POR-3 the portal applies the change set after the case" "$work/portal.log"
ok "POR-3 the portal applies the change set after the case"
phase after

echo "1..$n"
echo "# screenshots: $out/*.png"
