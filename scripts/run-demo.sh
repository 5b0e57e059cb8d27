#!/bin/sh
# make run: creates the demo instance var/demo when it is absent (about 10,000 legal
# persons and 50,000 records, imported through the normal, validated and audited path)
# and its portal var/demo-portal, verifies the instance, publishes, then starts the
# government-zone server, the portal and the ferry between them (Ctrl-C stops all three).
set -eu
bin=${1:-build/xinyong}
dir=var/demo
pdir=var/demo-portal
gov_addr=127.0.0.1:8443
portal_addr=127.0.0.1:8080
mkdir -p var
if [ ! -e "$dir/core.db" ]; then
	echo "== creating the demo instance in $dir"
	echo "   (one-time passwords, shown once and stored nowhere: note them now)"
	"$bin" init "$dir"
	echo "== importing demo data (10,000 legal persons, 50,000 records)"
	"$bin" demo "$dir" --subjects 10000 --records 50000 >var/demo-import.log
	grep -E '^unit ' var/demo-import.log || true
	tail -n 1 var/demo-import.log
fi
if [ ! -e "$pdir/config.ini" ]; then
	echo "== creating the demo portal in $pdir (internet zone: no key or store of $dir)"
	"$bin" portal-init "$pdir" --platform-public-key "$dir/keys/platform-sm2.pub" \
		--name 九江信用 --listen "$portal_addr"
	"$bin" portal-register "$dir" web1 "$pdir/portal-sm2.pub"
fi
echo "== verifying the instance"
"$bin" verify "$dir"
echo "== publishing (change sets in $dir/outbox/)"
"$bin" publish "$dir"
echo
echo "Import a file:   $bin import $dir --dataset XZCF --unit 11360402DM00500101 FILE.csv"
echo "Sign in with an account and one-time password that init printed when it created $dir:"
echo "   $bin login --server http://$gov_addr --account secadmin"
echo "   (then change the password, enrol TOTP and record your identity: README, OPERATIONS.md)"
echo

pids=""
stop() {
	trap - INT TERM EXIT
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill $pids 2>/dev/null || true
	wait 2>/dev/null || true
}
trap stop INT TERM EXIT
"$bin" serve "$dir" --listen "$gov_addr" &
pids="$pids $!"
sh scripts/ferry.sh "$dir" "$pdir" web1 &
pids="$pids $!"
"$bin" portal "$pdir" --listen "$portal_addr" &
pids="$pids $!"
sleep 1
echo "== government zone (JSON API):  http://$gov_addr/api/v1/   (config: $dir/config.ini)"
echo "== internet zone (public portal): http://$portal_addr/      (config: $pdir/config.ini)"
echo "== ferry: change sets $dir/outbox -> $pdir/inbox, submissions $pdir/outbox -> $dir/inbox/web1"
echo "Ctrl-C stops all three."
wait
