#!/bin/sh
# The demo's gatekeeper (网闸) between the zones (DESIGN §2, NET-1): it carries files and
# nothing else, one way each.
#
#   outward: change sets DIR/outbox/cs-N.xycs  -> PDIR/inbox/     (copied; the last number
#            carried is kept in STATE/cs.last, so each goes once)
#   inward:  submissions PDIR/outbox/sub-N.xysub -> DIR/inbox/NAME/ (moved)
#
# A file appears at its destination whole: it is copied under a name starting with "."
# (which both sides ignore) and renamed.  It checks nothing: each side verifies what it
# takes (signature, sequence, size, schema).
#
#   sh scripts/ferry.sh DIR PDIR NAME [--once]
set -eu
gov=$1
portal=$2
name=$3
once=${4:-}
state="$gov/ferry"
mkdir -p "$state" "$portal/inbox" "$gov/inbox/$name"

seq_of() { # cs-0000000042.xycs -> 42
	n=${1#*-}
	n=${n%%.*}
	echo "$n" | sed 's/^0*//; s/^$/0/'
}

carry_out() {
	last=$(cat "$state/cs.last" 2>/dev/null || echo 0)
	for f in $(ls "$gov/outbox" 2>/dev/null | grep -E '^cs-[0-9]{10}\.xycs$' | sort); do
		n=$(seq_of "$f")
		[ "$n" -gt "$last" ] || continue
		cp "$gov/outbox/$f" "$portal/inbox/.$f.tmp"
		# The portal may run as its own user (portal-init gives it PDIR): the file is its.
		[ "$(id -u)" -ne 0 ] || chown "$(stat -c %u:%g "$portal/inbox")" "$portal/inbox/.$f.tmp"
		mv "$portal/inbox/.$f.tmp" "$portal/inbox/$f"
		echo "$n" >"$state/cs.last.tmp" && mv "$state/cs.last.tmp" "$state/cs.last"
		last=$n
		echo "ferry: $f -> portal"
	done
}

carry_in() {
	for f in $(ls "$portal/outbox" 2>/dev/null | grep -E '^sub-[0-9]{10}\.xysub$' | sort); do
		cp "$portal/outbox/$f" "$gov/inbox/$name/.$f.tmp"
		mv "$gov/inbox/$name/.$f.tmp" "$gov/inbox/$name/$f"
		rm -f "$portal/outbox/$f"
		echo "ferry: $f -> government ($name)"
	done
}

while :; do
	carry_out
	carry_in
	[ "$once" = "--once" ] && exit 0
	sleep 1
done
