#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-initramfs.sh - build (once, cached) the small initramfs that scripts/vm
# boots: busybox-static, the kernel modules needed to mount the host root
# over virtio-9p (with their dependencies from modules.dep, decompressed),
# scripts/vm-init as /init and scripts/vm-guest as the second stage.
#
# Prints the path of the cached image:
#   ${XS_CACHE:-/var/cache/xstack}/initramfs-<kver>-<hash of inputs>.cpio.gz
#
# Usage: scripts/vm-initramfs.sh [--moddir DIR] KVER
#   --moddir DIR   modules of KVER are in DIR (default /lib/modules/KVER)
set -eu -o pipefail

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
CACHE=${XS_CACHE:-/var/cache/xstack}
BUSYBOX=/bin/busybox
# Modules needed to mount the root: built-in ones are skipped.
WANTED="virtio virtio_ring virtio_pci virtio_console netfs 9pnet 9pnet_virtio overlay
	9p virtio_rng"

die()
{
	echo "vm-initramfs.sh: $*" >&2
	exit 1
}

# Print the paths in modules list file $2 whose module name is $1.
find_module()
{
	awk -F: -v n="${1//-/_}" '{ f = $1; sub(/.*\//, "", f);
		sub(/\.ko(\.[a-z]+)?$/, "", f); gsub(/-/, "_", f);
		if (f == n) { print $1; exit } }' "$2"
}

# Dependencies of module path $1 (from modules.dep), load order first.
module_deps()
{
	awk -F: -v p="$1" '$1 == p { n = split($2, d, " ");
		for (i = n; i >= 1; i--) print d[i]; exit }' "$moddir/modules.dep"
}

# Print the module paths to load, in load order, each once.
module_list()
{
	local m p

	for m in $WANTED; do
		p=$(find_module "$m" "$moddir/modules.dep")
		if [ -z "$p" ]; then
			[ -n "$(find_module "$m" "$moddir/modules.builtin")" ] ||
				die "module $m not found in $moddir"
			continue
		fi
		module_deps "$p"
		echo "$p"
	done | awk '!seen[$0]++'
}

# Hash of everything that goes into the image.
inputs_hash()
{
	{
		echo "$kver"
		sha256sum "$BUSYBOX" "$SCRIPTS/vm-init" "$SCRIPTS/vm-guest" \
			"$SCRIPTS/vm-initramfs.sh" | cut -d' ' -f1
		for m in $modules; do
			echo "$m"
			stat -c '%s %Y' "$moddir/$m"
		done
	} | sha256sum | cut -c1-16
}

decompress()
{
	case "$1" in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*.gz) gzip -dc "$1" ;;
	*) cat "$1" ;;
	esac
}

build_image()
{
	local out=$1 tmp root m dst

	tmp=$(mktemp -d "$CACHE/.initramfs.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	root=$tmp/root
	mkdir -p "$root"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$BUSYBOX" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	cp "$SCRIPTS/vm-init" "$root/init"
	cp "$SCRIPTS/vm-guest" "$root/guest"
	chmod 755 "$root/init" "$root/guest"
	mknod -m 600 "$root/dev/console" c 5 1
	mknod -m 666 "$root/dev/null" c 1 3
	for m in $modules; do
		dst=$root/lib/modules/$(basename "${m%.ko*}").ko
		decompress "$moddir/$m" >"$dst"
		echo "/lib/modules/${dst##*/}" >>"$root/modules.list"
	done
	touch "$root/modules.list"
	(cd "$root" && find . | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/image"
	mv -f "$tmp/image" "$out"
	rm -rf "$tmp"
	trap - EXIT
}

# Remove the images of the same kernel built from other inputs and not
# used for a day (other work trees may still use theirs).
prune_old()
{
	find "$CACHE" -maxdepth 1 -name "initramfs-$kver-*.cpio.gz" \
		-not -path "$1" -mtime +0 -delete 2>/dev/null || true
}

main()
{
	local out

	moddir=
	while [ $# -gt 0 ]; do
		case "$1" in
		--moddir) moddir=$2; shift ;;
		-*) die "unknown option $1" ;;
		*) break ;;
		esac
		shift
	done
	[ $# = 1 ] || die "usage: $0 [--moddir DIR] KVER"
	kver=$1
	moddir=${moddir:-/lib/modules/$kver}
	[ -f "$moddir/modules.dep" ] || die "no $moddir/modules.dep"
	[ -x "$BUSYBOX" ] || die "no $BUSYBOX (install busybox-static)"
	modules=$(module_list)
	out=$CACHE/initramfs-$kver-$(inputs_hash).cpio.gz
	if [ -s "$out" ]; then
		touch "$out"
	else
		mkdir -p "$CACHE"
		build_image "$out"
		prune_old "$out"
	fi
	echo "$out"
}

main "$@"
