#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - the xstack test suite, run as root inside the QEMU guest
# (`make check` calls it through scripts/vm). Never on the build host:
# it loads a kernel module.
#
#   selftests/run.sh [--module PATH/xstack.ko] [--results DIR]
#                    [--timeout SEC] [TEST...]
#
# First the in-module self-tests (insmod xstack.ko selftest=1: the load
# must succeed and log "xstack: <area> self-tests: pass" lines, none
# failing), then every test program: the shell tests (*.sh) and the C
# tests (built from *.c by `make -C selftests`). Prints KTAP on stdout,
# each test's output prefixed with "# "; ends with the line
# "N passed, N failed, N skipped". Exit status 1 when anything failed.
#
# Each test gets a timeout (settings: timeout=, three times that on the
# debug kernel, or --timeout). After each
# test the kernel log is checked for warnings, and a test that leaves the
# module loaded or netns behind is reported and cleaned up after.
# Per-test output: DIR/<test>.log (default build/results of the repo),
# plus DIR/ktap.txt (scripts/vm --out saves the kernel log there too).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(dirname "$HERE")
RESULTS=""
TIMEOUT=""
TESTS=()
NUM=0
NPASS=0
NFAIL=0
NSKIP=0

KERNEL_BAD='BUG:|WARNING:|KASAN|KFENCE|UBSAN|kmemleak|Call Trace|general protection|refcount_t:|list_(add|del) corruption|possible recursive locking|circular locking|suspicious RCU|unreferenced object|Oops'

# A passing in-module self-test area, as logged (after the timestamp).
SELFTEST_PASS='(^|\] )xstack: [[:alnum:]_ -]+ self-tests: pass$'

usage()
{
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

# out LINE: a KTAP line to stdout and DIR/ktap.txt.
out()
{
	echo "$*"
	echo "$*" >>"$RESULTS/ktap.txt"
}

parse_args()
{
	while [ $# -gt 0 ]; do
		case "$1" in
		--module) XSTACK_KO=$(realpath "$2"); export XSTACK_KO; shift ;;
		--results) RESULTS=$2; shift ;;
		--timeout) TIMEOUT=$2; shift ;;
		-h|--help) usage ;;
		-*) usage ;;
		*) TESTS+=("$1") ;;
		esac
		shift
	done
}

# The shell tests then the C tests, as listed by the Makefile's rules
# (installed layout: kselftest-list.txt).
discover_tests()
{
	local f
	if [ ${#TESTS[@]} -gt 0 ]; then
		return
	fi
	for f in "$HERE"/*.sh; do
		[ "$(basename "$f")" = run.sh ] || TESTS+=("$(basename "$f")")
	done
	if ls "$HERE"/*.c >/dev/null 2>&1; then
		# xs_*.c are helper programs of the tests, not tests.
		for f in "$HERE"/*.c; do
			f=$(basename "$f" .c)
			case "$f" in xs_*) ;; *) TESTS+=("$f") ;; esac
		done
	elif [ -r "$HERE/../kselftest-list.txt" ]; then
		for f in $(sed -n 's/^xstack://p' "$HERE/../kselftest-list.txt"); do
			case "$f" in *.sh) ;; *) TESTS+=("$f") ;; esac
		done
	fi
}

setup_results()
{
	[ -n "$RESULTS" ] || RESULTS=${XS_VM_OUT:-$REPO/build/results}
	if ! mkdir -p "$RESULTS" 2>/dev/null || [ ! -w "$RESULTS" ]; then
		RESULTS=/tmp/xstack-results
		mkdir -p "$RESULTS"
	fi
	RESULTS=$(realpath "$RESULTS")
	rm -f "$RESULTS/ktap.txt" "$RESULTS"/*.log
	export XS_RESULTS=$RESULTS
}

default_timeout()
{
	[ -z "$TIMEOUT" ] || return 0
	TIMEOUT=$(sed -n 's/^timeout=//p' "$HERE/settings" 2>/dev/null)
	[ -n "$TIMEOUT" ] || TIMEOUT=600
	# The debug kernel (KASAN, lockdep, kmemleak) runs everything about
	# three times slower under TCG: tcp alone needs more than 600 s.
	[ ! -e /sys/kernel/debug/kmemleak ] || TIMEOUT=$((TIMEOUT * 3))
}

mark()
{
	MARK="xstack-run: $1 $$.$RANDOM"
	echo "$MARK" >/dev/kmsg
}

dmesg_since_mark()
{
	dmesg | sed -n "/$MARK\$/,\$p" | sed 1d
}

# result NAME STATUS(pass|fail|skip) [REASON]
result()
{
	NUM=$((NUM + 1))
	case "$2" in
	pass) NPASS=$((NPASS + 1)); out "ok $NUM $1" ;;
	skip) NSKIP=$((NSKIP + 1)); out "ok $NUM $1 # SKIP ${3:-}" ;;
	*) NFAIL=$((NFAIL + 1)); out "not ok $NUM $1${3:+ # $3}" ;;
	esac
}

insmod_xstack()
{
	if [ -n "${XSTACK_KO:-}" ]; then
		insmod "$XSTACK_KO" "$@"
	else
		modprobe xstack "$@"
	fi
}

# Test 1: insmod selftest=1, the self-test lines, rmmod.
run_module_selftests()
{
	local log=$RESULTS/module_selftests.log rc=0 lines why=""
	mark module_selftests
	if [ -d /sys/module/xstack ]; then
		rmmod xstack 2>>"$log" || true
	fi
	insmod_xstack selftest=1 >>"$log" 2>&1 || rc=$?
	lines=$(dmesg_since_mark | grep -E 'self-tests' || true)
	{ echo "insmod selftest=1: exit $rc"; echo "$lines"; } >>"$log"
	sed 's/^/# /' "$log" | tee -a "$RESULTS/ktap.txt"
	if [ "$rc" != 0 ]; then
		why="insmod selftest=1 failed (exit $rc)"
	elif ! echo "$lines" | grep -Eq "$SELFTEST_PASS"; then
		why="no 'xstack: <area> self-tests: pass' line in the kernel log"
	elif echo "$lines" | grep -Evq "$SELFTEST_PASS"; then
		why="a self-test line is not 'xstack: <area> self-tests: pass'"
	fi
	if [ -d /sys/module/xstack ] && ! rmmod xstack >>"$log" 2>&1; then
		why=${why:-rmmod after the self-tests failed}
	fi
	[ -z "$why" ] || out "# $why"
	check_kernel_log || why=${why:-kernel warnings}
	result module_selftests "$([ -z "$why" ] && echo pass || echo fail)" \
		"$why"
}

# Kernel warnings since the mark: print them, return 1.
check_kernel_log()
{
	local bad
	bad=$(dmesg_since_mark | grep -E "$KERNEL_BAD" || true)
	[ -n "$bad" ] || return 0
	out "# kernel log:"
	echo "$bad" | head -n 40 | while IFS= read -r l; do out "#   $l"; done
	return 1
}

# Leftovers of a test (module, netns): clean up, return 1 when the
# module could not be unloaded.
check_leftovers()
{
	local ns rc=0
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		out "# leftover netns $ns: deleting"
		ip netns del "$ns" || true
	done
	if [ -d /sys/module/xstack ]; then
		out "# test left xstack loaded: unloading"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmmod xstack 2>/dev/null && break
			sleep 0.5
		done
		if [ -d /sys/module/xstack ]; then
			out "# rmmod xstack: $(rmmod xstack 2>&1)"
			rc=1
		fi
	fi
	return $rc
}

# all_skipped LOG: every KTAP result line of a C test is a SKIP.
all_skipped()
{
	local total skipped
	total=$(grep -Ec '^(not )?ok [0-9]+ ' "$1" || true)
	skipped=$(grep -Ec '^ok [0-9]+ .*# SKIP' "$1" || true)
	[ "$total" -gt 0 ] && [ "$total" = "$skipped" ]
}

run_one()
{
	local name=$1 path=$HERE/$1 log=$RESULTS/${1%.sh}.log rc=0 why=""
	local reason t0
	mark "$name"
	out "# selftest: $name"
	t0=$(date +%s)
	if [ ! -x "$path" ]; then
		echo "$path missing or not executable (make -C selftests)" >"$log"
		rc=1
	else
		(cd "$HERE" && timeout --kill-after=30 "$TIMEOUT" "$path") \
			>"$log" 2>&1 </dev/null || rc=$?
	fi
	sed 's/^/# /' "$log" | tee -a "$RESULTS/ktap.txt"
	out "# $name: $(($(date +%s) - t0)) s"
	case "$rc" in
	0) ;;
	4) ;;
	124|137) why="TIMEOUT after ${TIMEOUT}s" ;;
	*) why="exit=$rc" ;;
	esac
	check_kernel_log || why=${why:-kernel warnings}
	check_leftovers || why=${why:-could not unload xstack after the test}
	if [ -n "$why" ]; then
		result "$name" fail "$why"
	elif [ "$rc" = 4 ]; then
		reason=$(sed -n 's/^# SKIP: //p' "$log" | head -n 1)
		result "$name" skip "$reason"
	elif [ "$rc" = 0 ] && all_skipped "$log"; then
		reason=$(sed -n 's/^ok [0-9]* .*# SKIP //p' "$log" | head -n 1)
		result "$name" skip "$reason"
	else
		result "$name" pass
	fi
}

main()
{
	local t
	parse_args "$@"
	[ "$(id -u)" = 0 ] || { echo "run.sh: must run as root in the guest" >&2; exit 2; }
	setup_results
	default_timeout
	discover_tests
	out "TAP version 13"
	out "1..$((${#TESTS[@]} + 1))"
	out "# xstack selftests on $(uname -r), module ${XSTACK_KO:-(modprobe)}"
	run_module_selftests
	for t in "${TESTS[@]}"; do
		run_one "$t"
	done
	out "# Totals: pass:$NPASS fail:$NFAIL skip:$NSKIP"
	out "$NPASS passed, $NFAIL failed, $NSKIP skipped"
	[ "$NFAIL" = 0 ]
}

main "$@"
