#!/bin/sh
# make run: creates the demo instance var/demo when it is absent (about
# 10,000 legal persons and 50,000 records, imported through the normal,
# validated and audited path), verifies it, then starts the government-zone
# server on it (Ctrl-C stops it).
set -eu
bin=${1:-build/xinyong}
dir=var/demo
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
echo "== verifying the instance"
"$bin" verify "$dir"
echo
echo "The demo instance is in $dir (store: $dir/core.db, import reports: $dir/reports/,"
echo "import log: var/demo-import.log; the units above provide the datasets in brackets)."
echo "Import a file:   $bin import $dir --dataset XZCF --unit 11360402DM00500101 FILE.csv"
echo "Check it:        $bin verify $dir"
echo
echo "== starting the government-zone server (config: $dir/config.ini [http]; Ctrl-C stops it)"
echo "Sign in with an account and one-time password that init printed when it created $dir:"
echo "   $bin login --server http://127.0.0.1:8443 --account secadmin"
echo "   (then change the password, enrol TOTP and record your identity: README, OPERATIONS.md)"
exec "$bin" serve "$dir"
