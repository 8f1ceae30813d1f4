# crashlab - kernel-crash test lab and release qualification harness.
#
#   make          build build/crashlab, build/clcc and the guest agent
#   make demo     install what is missing, build, qualify the reference sensor
#                 on matrix/smoke.json with good and with CF291-style content
#   make check    all tests: unit tests (ASan/UBSan), VM integration tests and
#                 the fault table (tests/faults.sh)
#   make soak     the smoke matrix 20 times in a row: identical, no leak
#
# Downloads (Debian kernel packages) and built images are cached in .cache/.

CC      ?= gcc
PKGS    := jansson libvirt libvirt-qemu libguestfs libcrypto libxml-2.0
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iharness -Ireports -Isensor/kmod
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The sensor's content parser is the harness's too (coverage derivation).
LIB_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c)) $(wildcard reports/*.c) \
	sensor/kmod/cl_content.c
HDRS    := $(wildcard harness/*.h reports/*.h sensor/kmod/*.h)
TESTS   := $(patsubst tests/unit/%.c,build/test/%,$(wildcard tests/unit/test_*.c))
# The sanitizer build of the library: compiled once, linked into every unit
# test and into build/crashlab-asan.
SAN_OBJS := $(patsubst %.c,build/san/%.o,$(LIB_SRC))
CONTENT := $(patsubst %.json,%.bin,$(wildcard sensor/content/*.json))

.PHONY: all deps demo check unit integration faults soak fuzz bench perf content clean debug third-party
all: build/crashlab build/clcc build/guest/crashlab-agent build/reaper

build/crashlab: harness/main.c $(LIB_SRC) $(HDRS)
	@mkdir -p build
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ harness/main.c $(LIB_SRC) $(PKG_LIBS) -lpthread

build/clcc: sensor/clcc.c sensor/kmod/cl_content.c sensor/kmod/cl_content.h
	@mkdir -p build
	$(CC) $(CFLAGS) -DCL_BOUNDS_CHECK=0 $(PKG_CFLAGS) -o $@ sensor/clcc.c sensor/kmod/cl_content.c -ljansson

# Runs libvirtd so exited qemu processes are reaped at once (scripts/reaper.c).
build/reaper: scripts/reaper.c
	@mkdir -p build
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -o $@ $<

# PID 1 of every guest: static, so the initramfs needs no libc.
GUEST_SRC := guest/agent.c guest/sha256.c guest/workload.c guest/evidence.c
build/guest/crashlab-agent: $(GUEST_SRC) $(wildcard guest/*.h)
	@mkdir -p build/guest
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ $(GUEST_SRC)

# Published content artifacts are committed; this rebuilds them from their
# definitions (tests check the committed bytes are what the compiler makes).
content: build/clcc $(CONTENT)
sensor/content/%.bin: sensor/content/%.json build/clcc
	build/clcc $< $@

deps:
	@bash scripts/deps.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@bash scripts/demo.sh

build/san/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -O1 $(PKG_CFLAGS) -c -o $@ $<

# Unit tests: ASan + UBSan, one binary per tests/unit/test_*.c.
GUEST_SAN := build/san/guest/sha256.o build/san/guest/workload.o build/san/guest/evidence.o
build/test/%: tests/unit/%.c $(SAN_OBJS) $(GUEST_SAN) \
		tests/unit/cl_test.h $(HDRS) $(wildcard guest/*.h)
	@mkdir -p build/test
	$(CC) $(CFLAGS) $(SAN) -O1 -Itests/unit -Iguest $(PKG_CFLAGS) -o $@ $< $(SAN_OBJS) \
		$(GUEST_SAN) $(PKG_LIBS) -lcmocka -lpthread

unit: all $(TESTS)
	@bash tests/run-unit.sh $(TESTS)

# The controller as the integration tests run it: ASan + UBSan + LeakSanitizer.
build/crashlab-asan: build/san/harness/main.o $(SAN_OBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) -lpthread

integration: all build/crashlab-asan
	@bash tests/integration.sh

# libFuzzer over every parser of guest input, seeded with the real consoles.
FUZZ_SECONDS ?= 60
build/fuzz/fuzz_parsers: tests/fuzz/fuzz_parsers.c $(LIB_SRC) $(HDRS)
	@mkdir -p build/fuzz
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iharness -Ireports -Isensor/kmod $(PKG_CFLAGS) \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -o $@ \
		tests/fuzz/fuzz_parsers.c $(LIB_SRC) $(PKG_LIBS) -lpthread

fuzz: build/fuzz/fuzz_parsers
	@rm -rf build/fuzz/corpus && mkdir -p build/fuzz/corpus
	@cp tests/data/triage/* tests/data/bugcheck/* sensor/content/*.bin build/fuzz/corpus/
	@echo "fuzz: $(FUZZ_SECONDS) s over $$(ls build/fuzz/corpus | wc -l) seeds"
	@build/fuzz/fuzz_parsers -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-print_final_stats=1 build/fuzz/corpus 2>build/fuzz/log.txt; rc=$$?; \
		grep -E '^(stat::number_of_executed_units|Done|==[0-9]+==ERROR)' build/fuzz/log.txt; \
		if [ $$rc -ne 0 ]; then tail -40 build/fuzz/log.txt; echo "fuzz: 0 passed, 1 failed"; exit 1; fi; \
		echo "fuzz: 1 passed, 0 failed"

# Triage throughput on 1,000 real console logs (not a timed unit test).
bench: all
	@bash tests/bench/triage.sh

# Cell and matrix figures beside their targets (bench/run; BENCH_MATRIX=...).
perf: all
	@bash bench/run

# Faults caused for real (daemon killed and frozen, qemu killed, hung
# command, truncated caches, two runs at once, full disks, console flood,
# signals); prints a table and totals.
faults: all
	@bash tests/faults.sh

# The debug matrix: one release as Debian ships it and as crashlab's debug
# kernel (KASAN, lockdep, ...); the first run builds that kernel (~10 min).
debug: all build/crashlab-asan
	@bash tests/debug.sh

# A third party's sensor from its manifest alone: candidates/falco-scap.json
# (a Debian DKMS driver and its user space) on the smoke matrix; the first
# run builds its disk images (~10 min).
third-party: deps
	@$(MAKE) --no-print-directory all build/crashlab-asan
	@bash tests/third-party.sh

# The smoke matrix qualified 20 times in a row: identical verdicts, no leak.
SOAK_RUNS ?= 20
soak: all
	@bash tests/soak.sh $(SOAK_RUNS) matrix/smoke.json

check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory faults

clean:
	rm -rf build
