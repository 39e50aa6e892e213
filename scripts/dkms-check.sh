#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh - check that the DKMS packaging builds: copies Kbuild,
# module/, uapi/, dkms.conf and VERSION to /usr/src/xstack-<version>, then
# dkms add, dkms build against the Debian 6.12 kernel (scripts/kver.sh),
# checks that xstack.ko was built, and removes everything again (also on
# failure, and any leftover of an earlier run first). Never installs or
# loads the module.
#
# Usage: scripts/dkms-check.sh
set -eu

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$SCRIPTS")
NAME=xstack

die()
{
	echo "dkms-check: $*" >&2
	exit 1
}

say()
{
	echo "dkms-check: $*"
}

version()
{
	cat "$REPO/VERSION" 2>/dev/null ||
		git -C "$REPO" describe --tags --always --dirty 2>/dev/null ||
		echo 0
}

cleanup()
{
	if dkms status -m "$NAME" -v "$ver" 2>/dev/null | grep -q .; then
		dkms remove -m "$NAME" -v "$ver" --all >/dev/null 2>&1 ||
			echo "dkms-check: dkms remove $NAME/$ver failed" >&2
	fi
	rm -rf "$srcdir"
}

copy_tree()
{
	mkdir -p "$srcdir"
	cp -a "$REPO/Kbuild" "$REPO/module" "$REPO/uapi" "$REPO/dkms.conf" \
		"$srcdir/"
	echo "$ver" >"$srcdir/VERSION"
	# Only sources: no objects of a build in the work tree.
	find "$srcdir" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o \
		-name '*.mod.c' -o -name '.*.cmd' -o -name '*.a' -o \
		-name modules.order -o -name Module.symvers \) -delete
}

# Print the module DKMS built for $kver.
built_module()
{
	find "/var/lib/dkms/$NAME/$ver/$kver" -name "$NAME.ko*" 2>/dev/null |
		head -n 1
}

main()
{
	local ko

	command -v dkms >/dev/null || die "dkms not installed (scripts/deps.sh)"
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -f "$REPO/Kbuild" ] && [ -d "$REPO/module" ] ||
		die "no Kbuild or module/ in $REPO"
	ver=$(version)
	kver=$("$SCRIPTS/kver.sh")
	srcdir=/usr/src/$NAME-$ver
	trap cleanup EXIT
	cleanup
	copy_tree
	say "dkms add $NAME/$ver"
	dkms add -m "$NAME" -v "$ver"
	say "dkms build $NAME/$ver for $kver"
	if ! dkms build -m "$NAME" -v "$ver" -k "$kver"; then
		cat "/var/lib/dkms/$NAME/$ver/build/make.log" 2>/dev/null || true
		die "dkms build failed"
	fi
	ko=$(built_module)
	[ -n "$ko" ] || die "dkms build did not produce $NAME.ko"
	modinfo -F vermagic "$ko" | grep -q "^$kver " ||
		die "$ko: vermagic is not $kver"
	dkms status -m "$NAME" -v "$ver"
	say "OK: built ${ko#/var/lib/dkms/}"
}

main "$@"
