#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install every Debian package xstack needs to build, lint, test
# (QEMU guest) and package itself. Idempotent: when everything is already
# installed it only runs one dpkg-query and exits (well under a second);
# otherwise it runs apt-get update once and installs what is missing.
#
# Usage: scripts/deps.sh [--quiet]
set -eu

PACKAGES="
	qemu-system-x86
	linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
	busybox-static kmod cpio xz-utils lz4
	build-essential bc bison flex libelf-dev libssl-dev dwarves
	sparse dkms
	iproute2 libmnl-dev
	python3 python3-scapy tcpdump tshark socat iperf3 ncat arping
	iputils-ping jq ethtool gnuplot-nox
	curl nginx-light redis-server redis-tools
"

quiet=0

usage()
{
	echo "usage: $0 [--quiet]" >&2
	exit 2
}

say()
{
	[ "$quiet" = 1 ] || echo "deps: $*"
}

# Print the packages of $PACKAGES that are not fully installed (one
# dpkg-query call for all of them: this is the fast path).
missing_packages()
{
	local installed p

	# shellcheck disable=SC2086
	installed=" $(dpkg-query -W -f='${db:Status-Status}:${Package} ' \
		$PACKAGES 2>/dev/null | tr ' ' '\n' | sed -n 's/^installed://p' |
		tr '\n' ' ')"
	for p in $PACKAGES; do
		case "$installed" in
		*" $p "*) ;;
		*) echo "$p" ;;
		esac
	done
}

# Run a command, hiding its output with --quiet (errors still show).
run()
{
	if [ "$quiet" = 1 ]; then
		"$@" >/dev/null
	else
		"$@"
	fi
}

install_packages()
{
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: $*; run as root to install them" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# tshark asks whether non-root users may capture: answer "no".
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		debconf-set-selections
	say "apt-get update"
	run apt-get update -q
	say "installing: $*"
	run apt-get install -y -q --no-install-recommends \
		-o Dpkg::Options::=--force-confdef \
		-o Dpkg::Options::=--force-confold "$@"
}

main()
{
	local missing

	while [ $# -gt 0 ]; do
		case "$1" in
		--quiet|-q) quiet=1 ;;
		-h|--help) usage ;;
		*) usage ;;
		esac
		shift
	done

	missing=$(missing_packages)
	if [ -z "$missing" ]; then
		say "all packages installed"
		return 0
	fi
	# shellcheck disable=SC2086
	install_packages $missing
	missing=$(missing_packages)
	if [ -n "$missing" ]; then
		echo "deps: still missing after install:" $missing >&2
		exit 1
	fi
	say "done"
}

main "$@"
