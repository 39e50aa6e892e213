#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build, once, the xstack debug kernel: Debian's
# linux-source-6.12 configured with `make tinyconfig` + scripts/debug.config
# (KASAN, UBSAN, lockdep, kmemleak, DEBUG_OBJECTS, fault injection, ...).
#
# It is cached in ${XS_CACHE:-/var/cache/xstack}/debug-kernel-<key>, key =
# hash of the linux-source version and the fragment:
#   build/         the build tree (make -C build M=<dir> modules)
#   bzImage        the kernel image, booted by scripts/vm --debug
#   modules/lib/modules/<release>/   its modules (modules_install)
#   release        the kernel release (uname -r)
# The build runs in a temporary directory renamed into place at the end,
# under a lock, so concurrent or interrupted runs never leave a half-built
# kernel behind. The build log is kept in the cache directory.
#
# Usage: scripts/debug-kernel.sh [--print-kdir | --print-dir]
#   (no option)    build if needed, then print the build tree path
#   --print-kdir   print the build tree path (without building)
#   --print-dir    print the cache directory (without building)
# Environment: XS_CACHE, XS_JOBS (make -j, default 2).
set -eu

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
CACHE=${XS_CACHE:-/var/cache/xstack}
FRAGMENT=$SCRIPTS/debug.config
# Bump when the way the kernel is built changes (forces a rebuild).
RECIPE=1
JOBS=${XS_JOBS:-2}

die()
{
	echo "debug-kernel.sh: $*" >&2
	exit 1
}

say()
{
	echo "debug-kernel.sh: $*" >&2
}

cache_key()
{
	{
		dpkg-query -W -f='${Version}\n' linux-source-6.12 2>/dev/null ||
			stat -c '%s %Y' /usr/src/linux-source-6.12.tar.xz
		cat "$FRAGMENT"
		echo "recipe $RECIPE"
	} | sha256sum | cut -c1-12
}

kmake()
{
	make -C "$src" O="$tmp/build" ARCH=x86_64 "$@"
}

# Check that every option of the fragment made it into .config.
check_config()
{
	local line opt want bad=0

	while read -r line; do
		case "$line" in
		CONFIG_*=*) opt=${line%%=*}; want=$line ;;
		"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
			want=$line ;;
		*) continue ;;
		esac
		if ! grep -qxF "$want" "$tmp/build/.config"; then
			[ "${want#\#}" != "$want" ] &&
				! grep -q "^$opt=" "$tmp/build/.config" && continue
			say "fragment option not in .config: $want" \
				"(got: $(grep -E "^(# )?${opt}[= ]" "$tmp/build/.config" || echo unset))"
			bad=1
		fi
	done <"$FRAGMENT"
	return $bad
}

configure()
{
	kmake tinyconfig
	"$src/scripts/kconfig/merge_config.sh" -m -O "$tmp/build" \
		"$tmp/build/.config" "$FRAGMENT"
	kmake olddefconfig
	check_config || die "configuration does not match $FRAGMENT"
}

build()
{
	local rel

	configure
	kmake -j"$JOBS"
	rel=$(kmake -s kernelrelease)
	kmake INSTALL_MOD_PATH="$tmp/modules" modules_install
	ln -sfn "$dir/build" "$tmp/modules/lib/modules/$rel/build"
	rm -f "$tmp/modules/lib/modules/$rel/source"
	cp "$tmp/build/arch/x86/boot/bzImage" "$tmp/bzImage"
	echo "$rel" >"$tmp/release"
}

build_locked()
{
	local log=$CACHE/debug-kernel-$key.log start

	exec 9>"$CACHE/.debug-kernel-$key.lock"
	flock 9
	[ ! -f "$dir/release" ] || return 0
	# Holding the lock: any temporary directory left is from a dead run.
	rm -rf "$CACHE/.debug-kernel-$key.tmp."*
	tmp=$(mktemp -d "$CACHE/.debug-kernel-$key.tmp.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	start=$(date +%s)
	say "building the debug kernel in $dir (log: $log)"
	if ! build >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "build failed, see $log"
	fi
	mv -T "$tmp" "$dir"
	trap - EXIT
	say "built $(cat "$dir/release") in $(($(date +%s) - start)) s"
	prune_old
}

# Remove the debug kernels (~600 MB each) built from another fragment or
# source and not used for two days (other work trees may use theirs).
prune_old()
{
	local d

	for d in "$CACHE"/debug-kernel-*; do
		case "$d" in
		"$dir"|"$dir.log") continue ;;
		esac
		[ -z "$(find "$d" -maxdepth 0 -mtime -2)" ] || continue
		[ ! -f "$d/release" ] ||
			[ -z "$(find "$d/release" -mtime -2)" ] || continue
		rm -rf "$d"
	done
}

main()
{
	local mode=build

	case "${1:-}" in
	--print-kdir) mode=kdir ;;
	--print-dir) mode=dir ;;
	"") ;;
	*) echo "usage: $0 [--print-kdir | --print-dir]" >&2; exit 2 ;;
	esac
	[ -f "$FRAGMENT" ] || die "$FRAGMENT missing"
	key=$(cache_key)
	dir=$CACHE/debug-kernel-$key
	case "$mode" in
	kdir) echo "$dir/build"; return ;;
	dir) echo "$dir"; return ;;
	esac
	if [ -f "$dir/release" ]; then
		touch "$dir/release"	# in use: see prune_old
	else
		src=$("$SCRIPTS/linux-source.sh") || die "no linux source tree"
		mkdir -p "$CACHE"
		build_locked
	fi
	echo "$dir/build"
}

main "$@"
