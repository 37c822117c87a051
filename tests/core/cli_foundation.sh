#!/bin/bash
# The simulator over pty, unix and tcp; diag send/parse through the CLI; bad
# input of every kind gets one clear sentence and the contract's exit code.
. "$QCBOX_SRC/tests/lib.sh"

# diag send over a pty and a unix socket
start_sim_pty p --mode diag
expect_rc 0 timeout 10 "$QCBOX" -d "tty:$T/p.tty" --json diag send 00
jget "$T/out" 'j["response"][:2]' | grep -qx 00 || fail "pty: version reply $(cat "$T/out")"
wait_exit "$SIMPID"

start_sim u --mode diag --model TESTMODEL
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/u.sock" --json --trace "$T/trace" diag send 00
jget "$T/out" 'bytes.fromhex(j["response"])[39:48]' | grep -q TESTMODE || fail "unix: model not in version reply"
grep -q -- '-> 4 0078f07e' "$T/trace" || fail "--trace did not record the request"
grep -q -- '<- ' "$T/trace" || fail "--trace did not record the reply"
wait_exit "$SIMPID"

# unknown command: the device's bad-command reply, shown by name, exit 1
start_sim b --mode diag --persist
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/b.sock" --json diag send 12 34
jget "$T/out" 'j["response"]' | grep -qx 131234 || fail "bad-command reply: $(cat "$T/out")"
grep -q "bad command" "$T/err" || fail "bad-command reply not named: $(cat "$T/err")"
# human output
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/b.sock" diag send 00
head -1 "$T/out" | grep -q '^00 ' || fail "human hex output: $(head -1 "$T/out")"

# tcp
port=$((20000 + $$ % 20000))
"$QCBOX_SIM" --mode diag --listen "tcp:$port" >"$T/tcp.log" 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 100); do "$QCBOX" -q -d "tcp:127.0.0.1:$port" diag send 00 >/dev/null 2>&1 && break; sleep 0.05; done
[ "$(head -c 2 "$T/tcp.log")" = "" ] || true

# diag parse: a capture we make from known frames (the real ones are checked below)
printf '\x00\x78\xf0\x7e\x01\xf1\xe1\x7e\x7e\x00\x78\xf1\x7e\x1c\x95\x2a\x7e' >"$T/s.bin"
expect_rc 0 "$QCBOX" --json diag parse "$T/s.bin"
[ "$(jget "$T/out" '(j["frames"], j["crc_errors"], j["bytes"], j["commands"]["0x00"])')" = "(3, 1, 17, 1)" ] ||
	fail "diag parse counts: $(cat "$T/out")"
# non-HDLC stream is detected
printf '\x7e\x01\x01\x00\x00\x7e\x7e\x01\x02\x00\x4b\x12\x7e' >"$T/n.bin"
expect_rc 0 "$QCBOX" --json diag parse "$T/n.bin"
[ "$(jget "$T/out" '(j["frames"], j["framing_errors"])')" = "(2, 0)" ] || fail "nhdlc parse: $(cat "$T/out")"
# garbage and a 10 MB frame without a flag: counted, no crash, bounded memory
head -c 10485760 /dev/zero | tr '\0' 'A' >"$T/big.bin"
printf '\x7e\x00\x78\xf0\x7e' >>"$T/big.bin"
expect_rc 0 "$QCBOX" --json diag parse "$T/big.bin"
[ "$(jget "$T/out" '(j["frames"], j["oversized"])')" = "(1, 1)" ] || fail "overlong frame: $(cat "$T/out")"

# a large file is parsed in two halves on two threads: the counts must equal
# one sequential pass (stdin is read sequentially)
python3 - "$T/large.bin" <<'PY'
import sys
def crc(b):
    c = 0xffff
    for x in b:
        c ^= x
        for _ in range(8):
            c = (c >> 1) ^ 0x8408 if c & 1 else c >> 1
    return c ^ 0xffff
def frame(p, good=True):
    c = crc(p) ^ (0 if good else 1)
    raw = p + bytes([c & 0xff, c >> 8])
    out = bytearray()
    for x in raw:
        out += bytes([0x7d, x ^ 0x20]) if x in (0x7d, 0x7e) else bytes([x])
    return bytes(out) + b"\x7e"
blk = b"".join(frame(bytes([0x10, 0, 20, 0, 20, 0, i, 0xb0]) + bytes(range(i, i + 60)) + b"\x7e\x7d", i % 17 != 0)
               for i in range(64))
with open(sys.argv[1], "wb") as f:
    for _ in range(40 * 1024 * 1024 // len(blk) + 1):
        f.write(blk)
PY
expect_rc 0 "$QCBOX" --json diag parse "$T/large.bin"
mv "$T/out" "$T/split.json"
"$QCBOX" --json diag parse /dev/stdin <"$T/large.bin" >"$T/seq.json" || fail "diag parse of stdin"
python3 - "$T/split.json" "$T/seq.json" <<'PY' || fail "split parse differs from the sequential one"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for j in (a, b):
    j.pop("file")
assert a == b, (a, b)
assert a["crc_errors"] > 0 and a["frames"] > 0
PY

# bad input: missing file (2), missing device (3), bad spec (2), bad hex (2)
expect_rc 2 "$QCBOX" diag parse "$T/nonexistent.qmdl"
grep -q "nonexistent.qmdl" "$T/err" || fail "missing file not named"
expect_rc 3 "$QCBOX" -d "tty:$T/no-such-tty" diag send 00
grep -q "no-such-tty" "$T/err" || fail "missing tty not named"
expect_rc 3 "$QCBOX" -d "unix:$T/no.sock" diag send 00
expect_rc 2 "$QCBOX" -d "bogus:x" diag send 00
expect_rc 2 "$QCBOX" -d "unix:$T/b.sock" diag send zz
expect_rc 2 "$QCBOX" nosuchcommand
expect_rc 2 "$QCBOX" diag

# a device that says nothing: timeout, exit 1, within the timeout
"$QCBOX_SIM" --mode diag --listen "unix:$T/st.sock" --fault stall@0 >/dev/null 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 100); do [ -S "$T/st.sock" ] && break; sleep 0.025; done
start=$(date +%s%N)
expect_rc 1 "$QCBOX" -d "unix:$T/st.sock" --timeout 300 diag send 00
el=$((($(date +%s%N) - start) / 1000000))
[ "$el" -lt 3000 ] || fail "timeout took $el ms"
grep -q "within 300 ms" "$T/err" || fail "timeout message: $(cat "$T/err")"

# a device that closes mid-frame
"$QCBOX_SIM" --mode diag --listen "unix:$T/dc.sock" --fault tx:disconnect@10 >/dev/null 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 100); do [ -S "$T/dc.sock" ] && break; sleep 0.025; done
expect_rc 1 "$QCBOX" -d "unix:$T/dc.sock" diag send 00
grep -qi "disconnected" "$T/err" || fail "mid-frame close: $(cat "$T/err")"

# a corrupted reply is dropped (bad CRC), so the request times out cleanly
"$QCBOX_SIM" --mode diag --listen "unix:$T/fl.sock" --fault flip-bit@3 >/dev/null 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 100); do [ -S "$T/fl.sock" ] && break; sleep 0.025; done
expect_rc 1 "$QCBOX" -d "unix:$T/fl.sock" --timeout 300 diag send 00
grep -qi "bad CRC" "$T/err" || fail "corrupt reply not reported: $(cat "$T/err")"

# the real captures, when ../shared is here
if [ -d "$QCBOX_SHARED/fixtures/diag" ]; then
	for f in attach_sample.mi2log:5058 mobility_sample.mi2log:8183; do
		expect_rc 0 "$QCBOX" --json diag parse "$QCBOX_SHARED/fixtures/diag/${f%:*}"
		[ "$(jget "$T/out" '(j["frames"], j["crc_errors"])')" = "(${f#*:}, 0)" ] || fail "${f%:*}: $(head -5 "$T/out")"
	done
else
	echo "note: ../shared/fixtures absent; real-capture checks skipped"
fi
ok "foundation CLI"
