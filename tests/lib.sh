# Helpers for integration tests (sourced).  The environment comes from meson:
# QCBOX, QCBOX_SIM, QCBOX_SRC, QCBOX_SHARED.
set -u
T=$(mktemp -d /tmp/qcbox-test.XXXXXX)
SIMPIDS=""
cleanup() {
	for p in $SIMPIDS; do kill "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
ok() { echo "ok: $*"; }
# fixtures from ../shared, or skip with a message
need_fixtures() {
	[ -d "$QCBOX_SHARED/fixtures" ] || skip "../shared/fixtures is not present; fixture-based checks skipped"
	FIX=$QCBOX_SHARED/fixtures
}
# start_sim NAME ARGS...: qcbox-sim on unix socket $T/NAME.sock, events $T/NAME.ev; pid in SIMPID
start_sim() {
	name=$1; shift
	"$QCBOX_SIM" --listen "unix:$T/$name.sock" --events "$T/$name.ev" "$@" >"$T/$name.log" 2>&1 &
	SIMPID=$!; SIMPIDS="$SIMPIDS $SIMPID"
	for _ in $(seq 200); do [ -S "$T/$name.sock" ] && return 0; sleep 0.025; done
	cat "$T/$name.log" >&2; fail "qcbox-sim $* did not start"
}
# start_sim_pty NAME ARGS...: qcbox-sim on a pty linked at $T/NAME.tty
start_sim_pty() {
	name=$1; shift
	"$QCBOX_SIM" --listen "pty:$T/$name.tty" --events "$T/$name.ev" "$@" >"$T/$name.log" 2>&1 &
	SIMPID=$!; SIMPIDS="$SIMPIDS $SIMPID"
	for _ in $(seq 200); do [ -e "$T/$name.tty" ] && return 0; sleep 0.025; done
	cat "$T/$name.log" >&2; fail "qcbox-sim $* did not create its pty"
}
# wait_exit PID: the simulator ends after its client leaves (unless --persist)
wait_exit() {
	for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
	fail "qcbox-sim (pid $1) still running 10 s after its client left"
}
# expect_rc WANT CMD...: run CMD, its stderr in $T/err, stdout in $T/out
expect_rc() {
	want=$1; shift
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, expected $want: $(tail -n 3 "$T/err")"
}
# jget FILE EXPR: python expression over the parsed JSON document j
jget() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
