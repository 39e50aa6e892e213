#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh - static checks of xstack's C sources; exits non-zero on any
# finding:
#   - sparse and W=1 compiler warnings: `make -C $KDIR M=<copy> C=2 W=1
#     modules` on a private copy of Kbuild, module/ and uapi/ (in build/lint,
#     so the objects of the normal build are left alone); every warning or
#     error that refers to one of our files is a finding;
#   - checkpatch.pl --strict (from the linux-source-6.12 tree) on every .c
#     and .h under module/ and uapi/, and under tools/ with the checks that
#     only make sense for kernel code turned off. checkpatch runs from the
#     repository top, so a .checkpatch.conf there applies (e.g. --ignore).
#
# Usage: scripts/lint.sh
# Environment: KDIR (default /lib/modules/$(scripts/kver.sh)/build).
set -eu

SCRIPTS=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$SCRIPTS")
# checkpatch checks that do not apply to user-space programs.
USER_IGNORE=PREFER_KERNEL_TYPES,SPLIT_STRING,PREFER_PR_LEVEL,PREFER_DEFINED_ATTRIBUTE_MACRO,NEW_TYPEDEFS,AVOID_EXTERNS,SSCANF_TO_KSTRTO,STRCPY,STRLCPY,STRNCPY

findings=0

say()
{
	echo "lint: $*"
}

# List the C sources under the directories given.
sources()
{
	local d

	for d in "$@"; do
		[ -d "$REPO/$d" ] || continue
		(cd "$REPO" && find "$d" -name '*.[ch]' -not -name '*.mod.c' |
			LC_ALL=C sort)
	done
}

run_sparse()
{
	local kdir copy log out

	kdir=${KDIR:-/lib/modules/$("$SCRIPTS/kver.sh")/build}
	[ -d "$kdir" ] || { say "no kernel build tree $kdir"; findings=1; return; }
	copy=$REPO/build/lint
	log=$REPO/build/lint/sparse.log
	rm -rf "$copy"
	mkdir -p "$copy"
	cp -a "$REPO/Kbuild" "$REPO/module" "$REPO/uapi" "$copy/"
	find "$copy" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o \
		-name '.*.cmd' -o -name '*.a' \) -delete
	say "sparse + W=1 build against $kdir"
	if ! make -C "$kdir" M="$copy" C=2 W=1 modules >"$log" 2>&1; then
		sed "s|$copy/|$REPO/|g" "$log"
		say "build failed"
		findings=$((findings + 1))
		return
	fi
	out=$(grep -E '(warning|error):' "$log" |
		grep -E "^($copy/)?(module|uapi)/" | sed "s|$copy/||" |
		LC_ALL=C sort -u || true)
	if [ -n "$out" ]; then
		echo "$out"
		findings=$((findings + $(echo "$out" | wc -l)))
	fi
}

# checkpatch FILE... with extra options in $cp_opts.
checkpatch()
{
	local f out

	for f in "$@"; do
		out=$(cd "$REPO" && perl "$src/scripts/checkpatch.pl" --strict \
			--no-tree --terse --show-types --quiet $cp_opts -f "$f" ||
			true)
		out=$(echo "$out" | grep -v '^total:' | grep -v '^$' || true)
		[ -n "$out" ] || continue
		echo "$out"
		findings=$((findings + $(echo "$out" | wc -l)))
	done
}

run_checkpatch()
{
	local files

	src=$("$SCRIPTS/linux-source.sh")
	say "checkpatch --strict on module/ and uapi/"
	cp_opts=
	# shellcheck disable=SC2046
	checkpatch $(sources module |
		grep -v -e '^module/af_xstack\.c$' -e '^module/tcp_trace\.h$')
	# TRACE_EVENT()'s own layout (as every header under
	# include/trace/events/ has it).
	cp_opts="--ignore PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE"
	checkpatch module/tcp_trace.h
	# The one writable proto_ops: copies of the const templates with
	# .family set to the family number chosen at load.
	cp_opts="--ignore CONST_STRUCT"
	checkpatch module/af_xstack.c
	# BIT() does not exist for user space.
	cp_opts="--ignore BIT_MACRO"
	# shellcheck disable=SC2046
	checkpatch $(sources uapi)
	files=$(sources tools)
	[ -n "$files" ] || return 0
	say "checkpatch --strict on tools/ (user space)"
	cp_opts="--ignore $USER_IGNORE"
	# shellcheck disable=SC2086
	checkpatch $files
}

main()
{
	if [ -z "$(sources module)" ]; then
		say "module/ has no sources yet: nothing to check"
		exit 0
	fi
	run_sparse
	run_checkpatch
	if [ "$findings" != 0 ]; then
		say "$findings finding(s)"
		exit 1
	fi
	say "clean"
}

main "$@"
