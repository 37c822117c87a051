#!/bin/bash
# libqcbox as an application sees it: installed headers, the pkg-config file,
# the shared library exporting only the public qc_* API, and a small program
# built against it talking to the simulator.
. "$QCBOX_SRC/tests/lib.sh"
command -v pkg-config >/dev/null || skip "pkg-config not installed"
DESTDIR=$T/root meson install -C "$QCBOX_BUILD" --quiet --no-rebuild >/dev/null 2>"$T/install.err" ||
	fail "meson install: $(tail -3 "$T/install.err")"
pc=$(find "$T/root" -name libqcbox.pc | head -1)
[ -n "$pc" ] || fail "libqcbox.pc not installed"
so=$(find "$T/root" -name 'libqcbox.so.*.*' | head -1)
[ -n "$so" ] || fail "libqcbox.so not installed"
nm -D "$so" | grep -q ' U __asan_init' && skip "sanitizer build: the installed-library check runs in the normal build"
# only the public API is exported
bad=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^qc_' | grep -v '^_' || true)
[ -z "$bad" ] || fail "libqcbox.so exports non-API symbols: $(echo $bad | head -c 200)"
nm -D --defined-only "$so" | grep -q ' qc_strerror$' || fail "qc_strerror not exported"
# build the example with the installed pkg-config data
export PKG_CONFIG_PATH=$(dirname "$pc")
prefix=$(sed -n 's/^prefix=//p' "$pc")
flags=$(pkg-config --define-variable=prefix="$T/root$prefix" --cflags --libs libqcbox) || fail "pkg-config libqcbox"
cc -Wall -Werror -o "$T/diag_version" "$QCBOX_SRC/examples/diag_version.c" $flags 2>"$T/cc.err" ||
	fail "the example does not build against the installed library: $(head -3 "$T/cc.err")"
start_sim e --mode diag --model LIBTEST
libdir=$(dirname "$so")
out=$(LD_LIBRARY_PATH=$libdir "$T/diag_version" "unix:$T/e.sock") || fail "example failed: $out"
[ "$out" = "model: LIBTEST " ] || [ "$out" = "model: LIBTEST  " ] || fail "example printed '$out'"
ok "library install, pkg-config, exports, example program"
