# xinyong — GNU Makefile.  `make` builds build/xinyong; `make test` runs every
# suite in the normal build and again under ASan+UBSan; `make run` starts the
# demo; `make bench`, `make lint`, `make fuzz`.
#
# BUILD selects the output folder; SAN=1 builds with sanitizers (used by
# `make test` through a sub-make into build/asan).

BUILD ?= build
SAN ?= 0
CC ?= gcc

LIBS := -lssl -lcrypto -lsqlite3 -ljansson -largon2 -lmicrohttpd -lcurl -lseccomp -lpthread -lm

WARN := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wpointer-arith -Wcast-qual -Wwrite-strings \
	-Wimplicit-fallthrough -Wundef -Wno-format-truncation
HARDEN := -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE \
	-D_FORTIFY_SOURCE=2
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g -Isrc $(WARN) -MMD -MP
LDFLAGS_BASE := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack

ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN := -fsanitize=address,undefined
HARDEN := -fstack-protector-strong -fPIE
else
OPT := -O2
LDSAN :=
endif

ALL_CFLAGS := $(CFLAGS_BASE) $(OPT) $(HARDEN) $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS_BASE) $(LDSAN) $(LDFLAGS)

LIB_SRC := $(filter-out src/cmd/%,$(wildcard src/*/*.c))
CMD_SRC := $(wildcard src/cmd/*.c)
LIB_OBJ := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CMD_OBJ := $(CMD_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TESTLIB_SRC := $(wildcard tests/unit/support/*.c)
TESTLIB_OBJ := $(TESTLIB_SRC:tests/unit/support/%.c=$(BUILD)/obj/tests/support/%.o)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/xy_%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps tests test test-quick run bench lint fuzz fuzz-build clean
.SUFFIXES:
# Keep every intermediate object (test support objects included).
.SECONDARY:

all: $(BUILD)/xinyong

deps: $(BUILD)/.deps-ok

# Installs missing Debian packages once per build folder (scripts/deps.sh).
$(BUILD)/.deps-ok: scripts/deps.sh
	@mkdir -p $(@D)
	@sh scripts/deps.sh
	@touch $@

$(BUILD)/obj/%.o: src/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/support/%.o: tests/unit/support/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -c -o $@ $<

# The default catalog and the working-day calendar are compiled in (.incbin)
# from catalog/default.json and data/calendar-cn.txt.
$(BUILD)/obj/svc/catalog_blob.o: catalog/default.json
$(BUILD)/obj/svc/calendar_blob.o: data/calendar-cn.txt

$(BUILD)/libxy.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/xinyong: $(CMD_OBJ) $(BUILD)/libxy.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/libxy.a $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(TESTLIB_OBJ) $(BUILD)/libxy.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(TESTLIB_OBJ) $(BUILD)/libxy.a \
		$(ALL_LDFLAGS) $(LIBS) -lcmocka

# Test tools (tests/tools/): built beside the unit tests, never installed.
$(BUILD)/tests/xy_%: tests/tools/%.c $(BUILD)/libxy.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libxy.a $(ALL_LDFLAGS) $(LIBS)

# Preloaded into a server under test to fail its storage (tests/preload/):
# plain flags, no sanitizer, so it loads into either build.
$(BUILD)/tests/libfaultfs.so: tests/preload/faultfs.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -shared -fPIC -o $@ $< -ldl

# For the query benchmark's audit cost only (issue 5): the same server with a
# writer that drops its events (XY_AUDITW_DROP).  Never installed or run
# outside bench/query.sh.
$(BUILD)/bench/writer_drop.o: src/audit/writer.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DXY_AUDITW_DROP -c -o $@ $<

$(BUILD)/bench/xinyong-audit-drop: $(CMD_OBJ) $(BUILD)/bench/writer_drop.o $(BUILD)/libxy.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJ) $(BUILD)/bench/writer_drop.o $(BUILD)/libxy.a \
		$(ALL_LDFLAGS) $(LIBS)

$(BUILD)/bench/%: bench/%.c $(BUILD)/libxy.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libxy.a $(ALL_LDFLAGS) $(LIBS)

tests: $(BUILD)/xinyong $(UNIT_BIN) $(TOOL_BIN) $(BUILD)/tests/libfaultfs.so

# Normal build, then the same suites under AddressSanitizer + UBSan, then a
# short run of every fuzz target; tests/run.sh sums them into one line.
test: tests
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 tests
	@$(MAKE) --no-print-directory fuzz-build
	@sh tests/run.sh build build/asan

# The normal build only (faster while developing).
test-quick: tests
	@sh tests/run.sh build

run: $(BUILD)/xinyong
	@sh scripts/run-demo.sh $(BUILD)/xinyong

bench: $(BUILD)/xinyong $(BENCH_BIN) $(BUILD)/bench/xinyong-audit-drop
	@sh bench/run.sh $(BUILD)
	@sh bench/http.sh $(BUILD)
	@sh bench/query.sh $(BUILD)
	@sh bench/audit.sh $(BUILD)
	@sh bench/portal.sh $(BUILD)

# libFuzzer targets: clang, sanitizers, every parser of untrusted bytes.
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Isrc -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ := $(LIB_SRC:src/%.c=build/fuzz/obj/%.o)
fuzz-build: $(FUZZ_BIN)

build/fuzz/obj/svc/catalog_blob.o: catalog/default.json
build/fuzz/obj/svc/calendar_blob.o: data/calendar-cn.txt

build/fuzz/obj/%.o: src/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJ) $(LIBS)

# Longer fuzzing: FUZZ_SECONDS per target (default 60).
fuzz: fuzz-build
	@sh tests/fuzz/run.sh $${FUZZ_SECONDS:-60}

lint:
	@sh scripts/lint.sh

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(CMD_OBJ:.o=.d)
