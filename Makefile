# qcbox: thin front end over meson/ninja.  Every target first makes sure the
# Debian packages it needs are installed (scripts/install-deps).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
PREFIX     ?= /usr/local

.PHONY: all deps demo check test asan bench fuzz install uninstall clean format

all: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) --prefix=$(PREFIX) >/dev/null
	ninja -C $(BUILD)

deps:
	@scripts/install-deps

demo: all
	scripts/demo

# The whole suite twice: the normal build (gcc), then AddressSanitizer + UBSan
# built with clang, so both compilers' warnings stop the build.
check: all
	@[ -f $(ASAN_BUILD)/build.ninja ] || CC=clang meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
	ninja -C $(ASAN_BUILD)
	scripts/run-tests $(BUILD) $(ASAN_BUILD)

test: all
	scripts/run-tests $(BUILD)

bench: all
	bench/run $(BUILD)

# libFuzzer targets (clang), each run for FUZZ_SECONDS from its seed corpus.
fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
	ninja -C $(FUZZ_BUILD)
	scripts/run-fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: all
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')
