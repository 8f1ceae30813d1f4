# crashlab - kernel-crash test lab and release qualification harness.
#
#   make          build build/crashlab, build/clcc and the guest agent
#   make demo     install what is missing, build, qualify the reference sensor
#                 on matrix/smoke.json with good and with CF291-style content
#   make check    all tests: unit tests (ASan/UBSan), VM integration tests, the
#                 gate attacks (tests/gate-attacks.sh) and the fault table
#                 (tests/faults.sh)
#   make soak     the smoke matrix 20 times in a row: identical, no leak
#   make soak-debian12   matrix/debian12.json 10 times, then 10 more two at a time
#
# Downloads (Debian kernel packages) and built images are cached in .cache/.

CC      ?= gcc
PKGS    := jansson libvirt libvirt-qemu libguestfs libcrypto libxml-2.0 sqlite3 libpq
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
# CFLAGS is the user's (optimisation, debugging): the project's own flags are
# kept apart, so `make CFLAGS=-O0` still builds with -std=c11 and -Werror.
CFLAGS  ?= -O2 -g
# The parts, each a folder (docs/architecture.md says what each may include).
PARTS   := harness harness/inputs harness/cell harness/decide harness/virt harness/content history \
	   harness/base images reports
CL_CPPFLAGS = -D_GNU_SOURCE $(addprefix -I,$(PARTS)) -Isensor/kmod \
	      $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CL_CFLAGS := -std=c11 $(WARN)
DEPFLAGS = -MMD -MP
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# The controller's library: every part but the command line's main(). The
# sensor's content parser is the harness's too (coverage derivation).
LIB_SRC := $(filter-out harness/main.c,$(foreach d,$(PARTS),$(wildcard $(d)/*.c))) \
	sensor/kmod/cl_content.c
TESTS   := $(patsubst tests/unit/%.c,build/test/%,$(wildcard tests/unit/test_*.c))
LIB_OBJS := $(patsubst %.c,build/obj/%.o,$(LIB_SRC))
# The sanitizer build of the library: compiled once, linked into every unit
# test and into build/crashlab-asan.
SAN_OBJS := $(patsubst %.c,build/san/%.o,$(LIB_SRC))
CONTENT := $(patsubst %.json,%.bin,$(wildcard sensor/content/*.json))

.PHONY: all deps demo check unit integration faults soak soak-debian12 snapshot-proof serial-save gate-attacks fuzz bench perf content clean debug third-party sensor-bpf bpf-boot fleet-disk
all: build/crashlab build/clcc build/guest/crashlab-agent build/guest-arm64/crashlab-agent \
	build/reaper sensor-bpf

# One object per source, each with the headers it includes as its dependencies.
build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CL_CPPFLAGS) $(CL_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CL_CPPFLAGS) -Itests/unit -Iguest $(CL_CFLAGS) $(CFLAGS) $(SAN) -O1 $(DEPFLAGS) -c -o $@ $<

build/crashlab: build/obj/harness/main.o $(LIB_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) -lpthread

# The content compiler: its own objects (the parser without its bounds check).
CLCC_OBJS := build/clcc-obj/clcc.o build/clcc-obj/cl_content.o
build/clcc-obj/%.o: sensor/%.c
	@mkdir -p $(dir $@)
	$(CC) -Isensor/kmod -D_GNU_SOURCE -DCL_BOUNDS_CHECK=0 $(CL_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/clcc-obj/%.o: sensor/kmod/%.c
	@mkdir -p $(dir $@)
	$(CC) -Isensor/kmod -D_GNU_SOURCE -DCL_BOUNDS_CHECK=0 $(CL_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/clcc: $(CLCC_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ -ljansson

# Runs libvirtd so exited qemu processes are reaped at once (scripts/reaper.c).
build/reaper: build/obj/scripts/reaper.o
	$(CC) $(CFLAGS) -o $@ $^

# PID 1 of every guest: static, so the initramfs needs no libc.
GUEST_SRC := guest/agent.c guest/sha256.c guest/workload.c guest/evidence.c guest/bpfscan.c
build/guest/crashlab-agent: $(patsubst %.c,build/obj/%.o,$(GUEST_SRC))
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -static -s -o $@ $^
# The same agent for arm64 guests, cross-built (Debian's gcc-aarch64-linux-gnu).
CROSS_ARM64 ?= aarch64-linux-gnu-
build/obj-arm64/%.o: %.c
	@mkdir -p $(dir $@)
	$(CROSS_ARM64)gcc -D_GNU_SOURCE -Iguest $(CL_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/guest-arm64/crashlab-agent: $(patsubst %.c,build/obj-arm64/%.o,$(GUEST_SRC))
	@mkdir -p $(dir $@)
	$(CROSS_ARM64)gcc $(CFLAGS) -static -s -o $@ $^

# The BPF reference sensor (sensor/bpf): a static loader per build, each
# with its BPF object embedded by bpftool's skeleton (generated here, never
# committed). The builds differ by their -D flags: good; unbounded (no bound
# on a criterion's field: the verifier refuses it); newer (an open-coded
# iterator: 6.4+ only); degraded (the loader leaves unix connect unattached);
# lockup (2^23 x 2^23 empty iterations per event: the soft-lockup watchdog).
BPF_CLANG ?= clang
BPFTOOL ?= bpftool
BPF_BUILDS := good unbounded newer degraded lockup
BPF_DEFS_good :=
BPF_DEFS_unbounded := -DCL_BPF_UNBOUNDED=1
BPF_DEFS_newer := -DCL_BPF_NEWER=1
BPF_DEFS_degraded := -DCL_BPF_DEGRADED=1
BPF_DEFS_lockup := -DCL_BPF_LOCKUP=1
# No libc for the BPF target: the arch's kernel headers, cl_content.h's
# <string.h> from sensor/bpf/nolibc.
BPF_CFLAGS := -target bpf -mcpu=v3 -O2 -g -ffreestanding -Wall -Wextra -Werror \
	-I/usr/include/$(shell $(CC) -print-multiarch) -Isensor/bpf/nolibc -Isensor/bpf -Isensor/kmod
sensor-bpf: $(foreach b,$(BPF_BUILDS),build/sensor-bpf/$(b)/clsensor-bpf)
build/sensor-bpf/%/clsensor.bpf.o: sensor/bpf/clsensor.bpf.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) $(BPF_DEFS_$*) $(DEPFLAGS) -c -o $@ $<
build/sensor-bpf/%/clsensor.skel.h: build/sensor-bpf/%/clsensor.bpf.o
	$(BPFTOOL) gen skeleton $< name clsensor_bpf > $@.tmp && mv $@.tmp $@
build/sensor-bpf/%/clsensor-bpf.o: sensor/bpf/clsensor-bpf.c build/sensor-bpf/%/clsensor.skel.h
	$(CC) -D_GNU_SOURCE -Ibuild/sensor-bpf/$* -Isensor/bpf -Isensor/kmod -Iguest $(BPF_DEFS_$*) \
		$(CL_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<
# Static, like the agent: the guest's initramfs has no libc.
build/sensor-bpf/%/clsensor-bpf: build/sensor-bpf/%/clsensor-bpf.o build/obj/sensor/kmod/cl_content.o \
		build/obj/guest/sha256.o
	$(CC) $(CFLAGS) -static -o $@ $^ -lbpf -lelf -lz

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

# Unit tests: ASan + UBSan, one binary per tests/unit/test_*.c.
# The tests of the guest's own code link it too (only they: a change there
# relinks them alone).
GUEST_SAN := build/san/guest/sha256.o build/san/guest/workload.o build/san/guest/evidence.o \
	     build/san/guest/bpfscan.o
build/test/test_sha256 build/test/test_workload build/test/test_evidence \
	build/test/test_bpfscan: $(GUEST_SAN)
build/test/%: build/san/tests/unit/%.o $(SAN_OBJS)
	@mkdir -p build/test
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread

unit: all $(TESTS)
	@bash tests/run-unit.sh $(TESTS)

# The controller as the integration tests run it: ASan + UBSan + LeakSanitizer.
build/crashlab-asan: build/san/harness/main.o $(SAN_OBJS)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS) -lpthread

integration: all build/crashlab-asan
	@bash tests/integration.sh

# libFuzzer over every parser of guest input, seeded with the real consoles,
# and over the gate's verify path (statements, matrices), seeded with real ones.
FUZZ_SECONDS ?= 60
FUZZ_GATE_SECONDS ?= 30
FUZZ_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
build/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(CL_CPPFLAGS) $(CL_CFLAGS) -g -O1 $(FUZZ_CFLAGS) $(DEPFLAGS) -c -o $@ $<
build/fuzz/fuzz_%: build/fuzzobj/tests/fuzz/fuzz_%.o $(patsubst %.c,build/fuzzobj/%.o,$(LIB_SRC))
	@mkdir -p build/fuzz
	clang -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS) -lpthread

# fuzz-run NAME SECONDS CORPUS: one target's bounded run, its verdict line
define fuzz-run
	@echo "fuzz $(1): $(2) s over $$(ls $(3) | wc -l) seeds"
	@build/fuzz/fuzz_$(1) -max_total_time=$(2) -max_len=65536 -rss_limit_mb=2048 -timeout=20 \
		-print_final_stats=1 $(3) 2>build/fuzz/$(1).log; rc=$$?; \
		grep -E '^(stat::number_of_executed_units|Done|==[0-9]+==ERROR)' build/fuzz/$(1).log; \
		if [ $$rc -ne 0 ]; then tail -40 build/fuzz/$(1).log; echo "fuzz: 0 passed, 1 failed"; exit 1; fi
endef

fuzz: build/fuzz/fuzz_parsers build/fuzz/fuzz_gate
	@rm -rf build/fuzz/corpus build/fuzz/gate-corpus && mkdir -p build/fuzz/corpus build/fuzz/gate-corpus
	@cp tests/data/triage/* tests/data/bugcheck/* tests/data/bpf/* sensor/content/*.bin build/fuzz/corpus/
	@cp matrix/*.json tests/data/matrix/*.json build/fuzz/gate-corpus/
	@python3 -c "import json; r=json.load(open('tests/data/report/cf291-ci.json')); \
		json.dump({'_type': 'https://in-toto.io/Statement/v1', 'subject': [], 'predicateType': \
		'https://crashlab.dev/qualification/v1', 'predicate': r}, open('build/fuzz/gate-corpus/statement.json', 'w'))"
	$(call fuzz-run,parsers,$(FUZZ_SECONDS),build/fuzz/corpus)
	$(call fuzz-run,gate,$(FUZZ_GATE_SECONDS),build/fuzz/gate-corpus)
	@echo "fuzz: 2 passed, 0 failed"

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

# The reference BPF sensor started by its unit at every boot of disk cells
# (tests/bpf-boot.sh; ~3 min once the disk images are cached).
bpf-boot: all build/crashlab-asan
	@bash tests/bpf-boot.sh

# Disk cells of Debian 11 amd64 and Debian 13 arm64 (tests/fleet-disk.sh):
# CF291's boot loop remediated on both, the good candidate healthy at 4 boots;
# the first run builds both disk images (~10 min), then ~15 min of TCG boots.
fleet-disk: all build/crashlab-asan
	@bash tests/fleet-disk.sh

# The smoke matrix qualified 20 times in a row: identical verdicts, no leak.
SOAK_RUNS ?= 20
soak: all
	@bash tests/soak.sh $(SOAK_RUNS) matrix/smoke.json

# Why a saved console can come back dead, on this machine's qemu and libvirt,
# and that crashlab's way of saving keeps it alive (tests/serial; ~1 min).
serial-save: all
	@bash tests/serial/serial-save.sh 2

# Every snapshot of matrix/debian12.json saved and proven 3 times over, each
# restored by its cell (tests/snapshot-proof.sh; ~10 min).
snapshot-proof: all
	@bash tests/snapshot-proof.sh 3 matrix/debian12.json

# Every Debian 12 kernel from its snapshot, 10 runs in a row, then 10 more
# two at a time: every cell passes with a console, nothing leaks (~35 min warm).
soak-debian12: all
	@bash tests/soak.sh 10 matrix/debian12.json
	@bash tests/soak.sh --parallel 2 5 matrix/debian12.json

# The release gate attacked for real against signed runs (tests/gate-attacks.sh).
gate-attacks: all build/crashlab-asan
	@bash tests/gate-attacks.sh

check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory gate-attacks
	@$(MAKE) --no-print-directory faults

clean:
	rm -rf build

# Objects made by a chain of pattern rules are kept: deleted, they would be
# compiled again on every run.
.SECONDARY:

# Each object's header dependencies, as the compiler found them.
-include $(shell find build -name '*.d' 2>/dev/null)

# Installed, crashlab runs from any directory (docs/install.md): its data under
# PREFIX/share/crashlab, its helpers under PREFIX/lib/crashlab, both found
# from PREFIX/bin/crashlab (harness/base/cl_util.h), so only PREFIX and
# DESTDIR move them. As root with no DESTDIR, install also adds the build
# user (crashlab-build) the candidate's code runs as; uninstall leaves it
# and the cache.
PREFIX  ?= /usr/local
INSTALL ?= install
CL_BINDIR  = $(DESTDIR)$(PREFIX)/bin
CL_DATADIR = $(DESTDIR)$(PREFIX)/share/crashlab
CL_LIBEXEC = $(DESTDIR)$(PREFIX)/lib/crashlab
CL_MAN1    = $(DESTDIR)$(PREFIX)/share/man/man1
CL_BASHCOMP = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
# The data, as in the checkout (sources of C only where a guest or a
# pre-flight step builds them: the reference sensor's module and fuzz target).
CL_DATA := $(filter-out %.mod.c,$(wildcard images/*.sh images/kernel-*.config matrix/*.json \
	scenarios/*.json candidates/*.json candidates/*/* guest/*.service reports/report.schema.json \
	sensor/*.json sensor/content/*.json sensor/content/*.bin sensor/kmod/Kbuild sensor/kmod/*.[ch] \
	sensor/loader/* sensor/fuzz/run sensor/fuzz/*.c sensor/bpf/*.service))

# crashlab(1), from its markdown source.
build/crashlab.1: docs/crashlab.1.md scripts/md2man.py
	@mkdir -p build
	python3 scripts/md2man.py $< > $@.tmp && mv $@.tmp $@

.PHONY: install uninstall
install: all build/crashlab.1
	$(INSTALL) -d $(CL_BINDIR) $(CL_DATADIR)/build $(CL_LIBEXEC)/guest $(CL_LIBEXEC)/guest-arm64 \
		$(CL_MAN1) $(CL_BASHCOMP)
	$(INSTALL) -m 0755 build/crashlab build/clcc $(CL_BINDIR)/
	$(INSTALL) -m 0755 build/guest/crashlab-agent $(CL_LIBEXEC)/guest/
	$(INSTALL) -m 0755 build/guest-arm64/crashlab-agent $(CL_LIBEXEC)/guest-arm64/
	$(INSTALL) -m 0755 build/reaper $(CL_LIBEXEC)/
	@for f in $(CL_DATA); do \
		if [ -x "$$f" ] || [ "$$(head -c2 "$$f")" = '#!' ]; then m=0755; else m=0644; fi; \
		echo "$(INSTALL) -D -m $$m $$f $(CL_DATADIR)/$$f"; \
		$(INSTALL) -D -m $$m "$$f" "$(CL_DATADIR)/$$f" || exit 1; \
	done
	@# sensor/candidate.json's validator is ../build/clcc, as in the checkout
	ln -sfn ../../../bin/clcc $(CL_DATADIR)/build/clcc
	@# the BPF sensor's builds, where sensor/candidate-bpf*.json name them
	for b in $(BPF_BUILDS); do \
		$(INSTALL) -D -m 0755 build/sensor-bpf/$$b/clsensor-bpf \
			$(CL_DATADIR)/build/sensor-bpf/$$b/clsensor-bpf || exit 1; \
	done
	$(INSTALL) -m 0644 build/crashlab.1 $(CL_MAN1)/crashlab.1
	$(INSTALL) -m 0644 scripts/crashlab.bash-completion $(CL_BASHCOMP)/crashlab
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && ! getent passwd crashlab-build >/dev/null; then \
		echo "useradd --system ... crashlab-build"; \
		useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
			--user-group crashlab-build; \
	fi

uninstall:
	rm -f $(CL_BINDIR)/crashlab $(CL_BINDIR)/clcc $(CL_MAN1)/crashlab.1 $(CL_BASHCOMP)/crashlab
	rm -rf $(CL_DATADIR) $(CL_LIBEXEC)
