#!/bin/sh
# Installs the Debian packages xinyong builds against, when a header or tool is
# missing. Called by make before the first compile; quiet and quick when all is
# present. Needs root (or sudo) only when something has to be installed.
set -eu

missing=""
need() { # need HEADER-OR-COMMAND PACKAGE
	case "$1" in
	/*) [ -e "$1" ] || missing="$missing $2" ;;
	*) command -v "$1" >/dev/null 2>&1 || missing="$missing $2" ;;
	esac
}

need /usr/include/openssl/evp.h libssl-dev
need /usr/include/sqlite3.h libsqlite3-dev
need /usr/include/jansson.h libjansson-dev
need /usr/include/argon2.h libargon2-dev
need /usr/include/microhttpd.h libmicrohttpd-dev
need /usr/include/seccomp.h libseccomp-dev
need /usr/include/cmocka.h libcmocka-dev
need /usr/include/postgresql/libpq-fe.h libpq-dev
need sqlite3 sqlite3
need python3 python3
need clang clang
need pkg-config pkg-config
need wrk wrk
# The browser tests (tests/e2e/run.sh): Debian's Chromium, driven by playwright-core
# from npm (tests/e2e/package-lock.json; no browser download) on Node.js >= 18
# (playwright-core is held at 1.61, the last release that runs on Debian 12's Node 18).
need /usr/bin/chromium chromium
need node nodejs
need npm npm
# libcurl's headers sit under the multiarch folder on Debian (the API client).
[ -e /usr/include/curl/curl.h ] || [ -n "$(ls /usr/include/*/curl/curl.h 2>/dev/null)" ] ||
	missing="$missing libcurl4-openssl-dev"
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
	missing="$missing libclang-rt-14-dev"

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >&2
