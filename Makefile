# safedump: a plain Makefile while the program is small.
#   make                 build ./safedump
#   make check           unit tests and end-to-end tests (tests/run.sh)
#   make SAN=1           build with AddressSanitizer and UndefinedBehaviorSanitizer (into build-san/)
#   make WERROR=1        warnings are errors (CI)
#   make CC=clang        another compiler
CC      ?= cc
PKGS    := libcrypto libzstd libpq inih libcjson libcurl
VERSION := 0.1.0

BUILD   ?= build
ifeq ($(SAN),1)
BUILD   := build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ifeq ($(FUZZ),1)
BUILD   := build-fuzz
CC      := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

WARN :=
WARN += -Wall -Wextra                    # the usual set
WARN += -Wconversion -Wsign-conversion   # silent truncation of sizes and counts
WARN += -Wformat=2                       # printf-style format checks, also non-literal formats
WARN += -Wvla                            # no variable-length arrays: stack size must be bounded
WARN += -Wshadow                         # a local hiding another is a bug waiting
WARN += -Wstrict-prototypes              # f() means f(void) only when written so
WARN += -Wmissing-prototypes             # exported functions are declared in a header
WARN += -Wpointer-arith                  # no arithmetic on void *
WARN += -Wcast-qual                      # do not drop const silently
WARN += -Wundef                          # undefined macros in #if are typos
WARN += -Wimplicit-fallthrough           # switch fall-through must be marked
WARN += -Wnull-dereference               # what the optimizer can prove
WARN += -Wdouble-promotion               # float arithmetic stays float
ifeq ($(WERROR),1)
WARN += -Werror
endif

CPPFLAGS += -Isrc -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DSAFEDUMP_VERSION='"$(VERSION)"'
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -pthread $(WARN) $(SANFLAGS) $(shell pkg-config --cflags $(PKGS))
LDFLAGS  += -pthread $(SANFLAGS)
LDLIBS   += $(shell pkg-config --libs $(PKGS))

SRCS  := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
OBJS  := $(SRCS:%.c=$(BUILD)/%.o)
TESTS := $(wildcard tests/unit/*/test_*.c tests/unit/test_*.c)
TBINS := $(TESTS:%.c=$(BUILD)/%)

all: safedump$(if $(filter 1,$(SAN)),-san)

safedump: $(BUILD)/src/main.o $(BUILD)/libsafedump.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

safedump-san: $(BUILD)/src/main.o $(BUILD)/libsafedump.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libsafedump.a: $(OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/test.h $(BUILD)/libsafedump.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) -o $@ $< $(BUILD)/libsafedump.a $(LDFLAGS) $(LDLIBS)

unit: $(TBINS)

# Fuzzers (libFuzzer, clang): make FUZZ=1 fuzz; run one with build-fuzz/tests/fuzz/fuzz_age tests/fuzz/corpus/age
FUZZERS := $(patsubst %.c,$(BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(BUILD)/libsafedump.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/libsafedump.a $(LDFLAGS) $(LDLIBS)

fuzz: $(FUZZERS)

# Each header compiles alone (STYLE.md section 9).
headers:
	@for h in $(wildcard src/*/*.h); do \
	  echo "#include \"$${h#src/}\"" | $(CC) $(CPPFLAGS) -std=c11 $(WARN) -x c -fsyntax-only - || exit 1; \
	done; echo "headers: each compiles alone"

check: all unit
	tests/run.sh

format:
	clang-format -i $(wildcard src/*.c src/*/*.c src/*/*.h tests/unit/*.h tests/unit/*/*.c tests/fuzz/*.c)

format-check:
	clang-format --dry-run --Werror $(wildcard src/*.c src/*/*.c src/*/*.h tests/unit/*.h tests/unit/*/*.c tests/fuzz/*.c)

clean:
	rm -rf build build-san build-clang build-fuzz safedump safedump-san

.PHONY: all unit fuzz headers check format format-check clean
-include $(OBJS:.o=.d) $(BUILD)/src/main.d
