#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# app_http.sh - unmodified HTTP servers and clients over xstack through
# xstack-run: nginx (sendfile on, epoll, accept4), curl, and
# `python3 -m http.server`.
#
# Checks, per variant:
#   - curl fetches a 50 MiB random file from nginx: HTTP 200, the
#     SHA-256 of what it got is the file's;
#   - curl makes 200 small requests on one kept-alive connection, then
#     100 with "Connection: close" (100 connections): every one answered
#     200 with the file's size; on an xstack server the connections are
#     counted (Tcp PassiveOpens +100, ActiveOpens on an xstack client);
#   - curl fetches a 1 MiB file and the directory listing from python's
#     http.server (SHA-256 checked, the listing names the file);
#   - on every xstack host the Tcp counters show xstack carried the data
#     (segments sent >= bytes/1500, received >= bytes/65536) and the
#     native stack of that netns saw none of it.
#
#   topology a (xstack xa <-> native nb):
#     nginx on xa (xstack) <- curl on nb (native): all of the above;
#     nginx on nb (native) <- curl on xa (xstack): the 50 MiB file;
#     http.server on xa (xstack) <- curl on nb;
#   topology b (xstack xa <-> xstack xb):
#     nginx on xb <- curl on xa, both xstack: all of the above but
#     http.server (python starts slowly in the emulated guest).
set -eu
. "$(dirname "$0")/lib/topo.sh"
. "$(dirname "$0")/lib/app.sh"

BIG_MIB=50
SMALL=200
CONNS=100
PORT=8080
WWW=""
BIG_SHA=""

# nginx_start NS STACK ADDR: nginx in the foreground (one worker),
# serving $WWW on ADDR:$PORT.
nginx_start()
{
	local ns=$1 stack=$2 addr=$3 conf
	local -a wrap=()
	[ "$stack" = native ] || wrap=("$XS_RUN")
	PORT=$((PORT + 1))
	conf=$APP_TMP/nginx.$PORT
	mkdir -p "$conf"
	cat >"$conf/nginx.conf" <<EOT
daemon off;
master_process on;
user root;
worker_processes 1;
pid $conf/nginx.pid;
error_log $conf/error.log;
events { worker_connections 512; }
http {
	access_log off;
	sendfile on;
	keepalive_requests 10000;
	client_body_temp_path $conf;
	proxy_temp_path $conf;
	fastcgi_temp_path $conf;
	uwsgi_temp_path $conf;
	scgi_temp_path $conf;
	server {
		listen $addr:$PORT;
		root $WWW;
	}
}
EOT
	bg in_ns "$ns" "${wrap[@]}" nginx -e "$conf/error.log" -p "$conf" \
		-c "$conf/nginx.conf" >"$conf/out.log" 2>&1
	app_wait_listen "$ns" "$PORT" tcp "$stack"
}

# pysrv_start NS ADDR: python3 -m http.server (xstack) serving $WWW.
pysrv_start()
{
	PORT=$((PORT + 1))
	(cd "$WWW" && exec ip netns exec "$1" "$XS_RUN" python3 -m http.server \
		--bind "$2" "$PORT" >"$APP_TMP/py.$PORT.log" 2>&1) &
	XS_PIDS="$XS_PIDS $!"
	app_wait_listen "$1" "$PORT" tcp xs
}

# curl_in NS STACK ARGS...: curl in NS (through xstack-run for xs).
curl_in()
{
	local ns=$1 stack=$2
	local -a wrap=()
	shift 2
	[ "$stack" = native ] || wrap=("$XS_RUN")
	in_ns "$ns" timeout 120 "${wrap[@]}" curl -sS --max-time 100 "$@"
}

# big_fetch DESC CNS CST ADDR: the 50 MiB file, SHA-256 checked.
big_fetch()
{
	local desc=$1 out=$APP_TMP/big.out code sha
	code=$(curl_in "$2" "$3" -o "$out" -w '%{http_code}' \
		"http://$4:$PORT/big.bin" 2>&1) || true
	sha=$(sha256sum "$out" 2>/dev/null | cut -d' ' -f1)
	if [ "$code" = 200 ] && [ "$sha" = "$BIG_SHA" ]; then
		ok "$desc: $BIG_MIB MiB, HTTP 200, SHA-256 matches"
	else
		nok "$desc: HTTP '$code', SHA-256 ${sha:-none} (want $BIG_SHA)"
	fi
	rm -f "$out"
}

# small_fetch DESC CNS CST ADDR N [CURL ARGS...]: N requests for
# small.txt; every answer must be 200 with its size.
small_fetch()
{
	local desc=$1 cns=$2 cst=$3 addr=$4 n=$5 res size
	shift 5
	size=$(stat -c %s "$WWW/small.txt")
	# Bodies to /dev/null (-o names the first URL of a glob only), the
	# -w line of each request to stderr.
	res=$(curl_in "$cns" "$cst" "$@" \
		-w '%{stderr}%{http_code} %{size_download}\n' \
		"http://$addr:$PORT/small.txt?[1-$n]" 2>&1 >/dev/null |
		awk -v s="$size" '$0 == "200 " s { g++; next } { b++; l = $0 }
			END { print g + 0, b + 0, l }') || true
	if [ "${res%% *}" = "$n" ] && [ "$(echo "$res" | cut -d' ' -f2)" = 0 ]; then
		ok "$desc: $n requests, all 200 with $size bytes"
	else
		nok "$desc: of $n requests: good, bad, last bad: $res"
	fi
}

# nginx_all DESC SNS SST CNS CST ADDR: nginx on SNS, curl on CNS.
nginx_all()
{
	local desc=$1 sns=$2 sst=$3 cns=$4 cst=$5 addr=$6 min_out min_in
	min_out=$((BIG_MIB * 1048576 / 1500))
	min_in=$((BIG_MIB * 1048576 / 65536))
	nginx_start "$sns" "$sst" "$addr"
	[ "$sst" = native ] || app_snap "$sns" srv
	[ "$cst" = native ] || app_snap "$cns" cli
	big_fetch "$desc: nginx" "$cns" "$cst" "$addr"
	[ "$sst" = native ] ||
		app_carried "$desc: nginx sent" "$sns" srv tcp 0 "$min_out"
	[ "$cst" = native ] ||
		app_carried "$desc: curl received" "$cns" cli tcp "$min_in" 0
	[ "$sst" != native ] || return 0

	small_fetch "$desc: keep-alive" "$cns" "$cst" "$addr" "$SMALL"
	app_snap "$sns" srv
	[ "$cst" = native ] || app_snap "$cns" cli
	small_fetch "$desc: Connection: close" "$cns" "$cst" "$addr" \
		"$CONNS" -H 'Connection: close'
	app_grew "$desc: $CONNS connections accepted" "$sns" srv Tcp \
		PassiveOpens "$CONNS"
	[ "$cst" = native ] ||
		app_grew "$desc: $CONNS connections made" "$cns" cli Tcp \
			ActiveOpens "$CONNS"
}

# python_all DESC SNS CNS CST ADDR: http.server on SNS (xstack).
python_all()
{
	local desc=$1 sns=$2 cns=$3 cst=$4 addr=$5 sha list
	pysrv_start "$sns" "$addr"
	app_snap "$sns" srv
	sha=$(curl_in "$cns" "$cst" "http://$addr:$PORT/mid.bin" 2>&1 |
		sha256sum | cut -d' ' -f1) || true
	check_eq "$desc: 1 MiB from python3 -m http.server, SHA-256" \
		"$(sha256sum <"$WWW/mid.bin" | cut -d' ' -f1)" "$sha"
	list=$(curl_in "$cns" "$cst" "http://$addr:$PORT/" 2>&1) || true
	check_match "$desc: directory listing" 'href="mid.bin"' "$list"
	app_carried "$desc: http.server sent" "$sns" srv tcp 0 \
		$((1048576 / 1500))
}

app_init nginx curl python3 sha256sum
WWW=$APP_TMP/www
mkdir -p "$WWW"
chmod 755 "$APP_TMP" "$WWW"
head -c $((BIG_MIB * 1048576)) /dev/urandom >"$WWW/big.bin"
head -c 1048576 /dev/urandom >"$WWW/mid.bin"
seq 1 300 >"$WWW/small.txt"
BIG_SHA=$(sha256sum "$WWW/big.bin" | cut -d' ' -f1)

topo_xa_nb
nginx_all "xa server, nb client" "$NS_XA" xs "$NS_NB" native 10.0.0.1
nginx_all "nb server, xa client" "$NS_NB" native "$NS_XA" xs 10.0.0.2
python_all "xa server, nb client" "$NS_XA" "$NS_NB" native 10.0.0.1
app_topo_down

topo_xa_xb
nginx_all "xb server, xa client" "$NS_XB" xs "$NS_XA" xs 10.0.0.2

app_done
