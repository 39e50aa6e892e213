# SPDX-License-Identifier: GPL-2.0
#
# xstack user entry points: build, run, check, lint, dkms-check, install.
#
#   make              build module/xstack.ko and the tools
#   make run          boot the QEMU guest and show xstack at work
#   make check        run the whole test suite in the guest (DEBUG=1: debug
#                     kernel; TESTS="udp net_ping.sh": only those tests)
#   make shell        interactive guest shell with xstack loaded
#   make lint         sparse (C=1) and checkpatch --strict on our files
#   make dkms-check   dkms add/build/remove against the 6.12 headers
#   make bench        xstack against native Linux: xsperf's workloads, a
#                     table and a plot in build/bench (BENCH_FLAGS=...)
#   make soak         the packet and syscall fuzzers for SOAK_SECS each
#                     (default 600, seed SOAK_SEED), then the stress suite
#                     with SOAK_SHORT (default 1000000) short connections

KVER      ?= $(shell scripts/kver.sh)
KDIR      ?= /lib/modules/$(KVER)/build
XS_CACHE  ?= /var/cache/xstack
DEBUG     ?= 0
# make check: the tests to run (names as in selftests/, e.g. "udp
# net_ping.sh"); all of them when empty.
TESTS     ?=
export XS_CACHE

MODSRC    := $(CURDIR)
RESULTS   := build/results
# The guest's time limit for make check: the whole suite takes about 25
# minutes on the stock kernel, several times that on the debug one.
CHECK_TIME := 2700
ifeq ($(DEBUG),1)
# The debug kernel tree and a private copy of the sources to build against
# it, so the stock build in module/ stays untouched.
DBG_KDIR   = $(shell scripts/debug-kernel.sh --print-kdir)
MODSRC    := $(CURDIR)/build/debug-src
RESULTS   := build/results-debug
VMFLAGS   += --debug
CHECK_TIME := 10800
endif

.PHONY: all module tools selftests deps run check shell lint dkms-check \
	install clean bench soak

all: module tools

module:
ifeq ($(DEBUG),1)
	scripts/debug-kernel.sh
	rm -rf $(MODSRC) && mkdir -p $(MODSRC)
	cp -a Kbuild module uapi $(MODSRC)/
	find $(MODSRC) \( -name '*.o' -o -name '.*.cmd' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name modules.order \) \
		-delete
	$(MAKE) -C $(DBG_KDIR) M=$(MODSRC) W=1 modules
else
	$(MAKE) -C $(KDIR) M=$(MODSRC) W=1 modules
endif

tools:
	$(MAKE) -C tools

selftests: module tools
	$(MAKE) -C selftests

deps:
	scripts/deps.sh --quiet

run: deps all
	scripts/vm $(VMFLAGS) -- scripts/demo.sh

check: deps all selftests
	scripts/vm $(VMFLAGS) --timeout $(CHECK_TIME) --out $(RESULTS) -- \
		selftests/run.sh --module $(MODSRC)/module/xstack.ko $(TESTS)

shell: deps all
	scripts/vm $(VMFLAGS) --interactive -- scripts/demo.sh --shell

lint:
	scripts/lint.sh

dkms-check:
	scripts/dkms-check.sh

# make bench: xsperf's workloads on native Linux and on xstack in one
# guest; table, JSON and plot in build/bench (scripts/bench.sh -h).
# BENCH_FLAGS="--rounds 5 --cpus 1 --idle-conns 10000 --offloads-off".
BENCH_FLAGS ?=
bench: deps all
	scripts/bench.sh $(BENCH_FLAGS)

# make soak: the fuzzers for SOAK_SECS each, then the stress suite with
# SOAK_SHORT short connections each way (DEBUG=1 works). The time bound
# allows 100 short connections a second.
SOAK_SECS  ?= 600
SOAK_SEED  ?= 1
SOAK_CONNS ?= 10000
SOAK_SHORT ?= 1000000
SOAK_TIME   = $$((2 * $(SOAK_SECS) + $(SOAK_SHORT) / 50 + 1800))
soak: deps all selftests
	XS_FUZZ_SECS=$(SOAK_SECS) XS_FUZZ_SEED=$(SOAK_SEED) \
	XS_STRESS_CONNS=$(SOAK_CONNS) XS_STRESS_SHORT=$(SOAK_SHORT) \
	scripts/vm $(VMFLAGS) --timeout $(SOAK_TIME) \
		--out $(RESULTS)-soak -- selftests/run.sh \
		--timeout $(SOAK_TIME) --module $(MODSRC)/module/xstack.ko \
		fuzz_packets.sh fuzz_syscalls.sh stress.sh

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C tools install

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	$(MAKE) -C tools clean
	$(MAKE) -C selftests clean || true
	rm -rf build
