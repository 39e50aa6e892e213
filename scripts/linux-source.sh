#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# linux-source.sh - print the path of an extracted Debian linux-source-6.12
# tree (for kselftest_harness.h, checkpatch.pl and the debug kernel).
#
# The tree lives in ${XS_CACHE:-/var/cache/xstack}/linux-source-6.12. It is
# extracted from /usr/src/linux-source-6.12.tar.xz the first time (and again
# when the tarball changes), into a temporary directory that is renamed into
# place, so concurrent or interrupted runs never expose a partial tree.
#
# Usage: scripts/linux-source.sh
set -eu

TARBALL=${XS_LINUX_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
CACHE=${XS_CACHE:-/var/cache/xstack}
NAME=linux-source-6.12
TREE=$CACHE/$NAME
STAMP=.xstack-tarball

die()
{
	echo "linux-source.sh: $*" >&2
	exit 1
}

# Identity of the tarball: changes when the Debian package is upgraded.
tarball_id()
{
	stat -c '%s %Y' "$TARBALL"
}

tree_ok()
{
	[ -f "$TREE/Makefile" ] && [ -f "$TREE/scripts/checkpatch.pl" ] ||
		return 1
	# A tree extracted by hand (no stamp) is trusted as it is.
	[ ! -f "$TREE/$STAMP" ] || [ "$(cat "$TREE/$STAMP")" = "$(tarball_id)" ]
}

extract()
{
	local tmp old

	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/.$NAME.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	echo "linux-source.sh: extracting $TARBALL into $TREE" >&2
	tar -C "$tmp" -xJf "$TARBALL"
	[ -f "$tmp/$NAME/Makefile" ] || die "$TARBALL has no $NAME/Makefile"
	tarball_id >"$tmp/$NAME/$STAMP"
	if [ -e "$TREE" ]; then
		# Stale tree: move it aside first (rename is atomic).
		old="$tmp/old"
		mv -T "$TREE" "$old" 2>/dev/null || true
	fi
	# If another run won the race, keep its tree and drop ours.
	mv -T "$tmp/$NAME" "$TREE" 2>/dev/null || tree_ok ||
		die "cannot rename the extracted tree to $TREE"
	rm -rf "$tmp"
	trap - EXIT
}

[ -f "$TARBALL" ] ||
	die "$TARBALL not found (install linux-source-6.12: scripts/deps.sh)"
tree_ok || extract
echo "$TREE"
