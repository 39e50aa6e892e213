#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Print the release of the installed Debian 6.12 kernel headers that xstack
# builds against. Never `uname -r`: the build host does not run that kernel.
set -e
for d in /lib/modules/6.12.*-amd64; do
	[ -e "$d/build/Makefile" ] && v=${d#/lib/modules/}
done
if [ -z "$v" ]; then
	v=$(ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | tail -n 1)
	v=${v#/usr/src/linux-headers-}
fi
[ -n "$v" ] || { echo "kver.sh: no linux-headers-6.12-amd64 installed (run scripts/deps.sh)" >&2; exit 1; }
echo "$v"
