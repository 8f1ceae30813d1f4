# crashlab - kernel-crash test lab and release qualification harness.
#
#   make          build build/crashlab, build/clcc and the guest agent
#   make demo     install what is missing, build, qualify the reference sensor
#                 on matrix/smoke.json with good and with CF291-style content
#   make check    all tests: unit tests (ASan/UBSan) and VM integration tests
#
# Downloads (Debian kernel packages) and built images are cached in .cache/.

CC      ?= gcc
PKGS    := jansson libvirt
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iharness -Ireports -Isensor/kmod
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c)) $(wildcard reports/*.c)
HDRS    := $(wildcard harness/*.h reports/*.h sensor/kmod/*.h)
TESTS   := $(patsubst tests/unit/%.c,build/test/%,$(wildcard tests/unit/test_*.c))
CONTENT := $(patsubst %.json,%.bin,$(wildcard sensor/content/*.json))

.PHONY: all deps demo check unit integration content clean
all: build/crashlab build/clcc build/guest/crashlab-agent

build/crashlab: harness/main.c $(LIB_SRC) $(HDRS)
	@mkdir -p build
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -o $@ harness/main.c $(LIB_SRC) $(PKG_LIBS) -lpthread

build/clcc: sensor/clcc.c sensor/kmod/cl_content.c sensor/kmod/cl_content.h
	@mkdir -p build
	$(CC) $(CFLAGS) -DCL_BOUNDS_CHECK=0 $(PKG_CFLAGS) -o $@ sensor/clcc.c sensor/kmod/cl_content.c -ljansson

# PID 1 of every guest: static, so the initramfs needs no libc.
build/guest/crashlab-agent: guest/agent.c
	@mkdir -p build/guest
	$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -static -o $@ guest/agent.c

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
build/test/%: tests/unit/%.c $(LIB_SRC) sensor/kmod/cl_content.c tests/unit/cl_test.h $(HDRS)
	@mkdir -p build/test
	$(CC) $(CFLAGS) $(SAN) -O1 -Itests/unit $(PKG_CFLAGS) -o $@ $< $(LIB_SRC) \
		sensor/kmod/cl_content.c $(PKG_LIBS) -lcmocka -lpthread

unit: all $(TESTS)
	@bash tests/run-unit.sh $(TESTS)

integration: all
	@bash tests/integration.sh

check: deps
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory integration

clean:
	rm -rf build
