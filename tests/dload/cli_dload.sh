#!/bin/bash
# DMSS download through the real qcbox against the simulated boot loader,
# over a pty and a unix socket: info, Intel HEX / MBN / raw uploads landing
# where they say, GO turning the phone into the streaming programmer, and
# every kind of bad input with its sentence and exit code.
. "$QCBOX_SRC/tests/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }
# go_event FILE ADDRESS SHA BYTES: the simulator's dload_go event
go_event() {
	grep '"event":"dload_go"' "$1" | grep -q "\"address\":$2,\"bytes\":$4,\"sha256\":\"$3\"" ||
		fail "no dload_go at $2 of $4 bytes with sha256 $3 in: $(cat "$1")"
}
# hexfile BIN HEX BASE: Intel HEX of BIN at BASE with a start record (binutils when present)
hexfile() {
	if command -v objcopy >/dev/null; then
		objcopy -I binary -O ihex --change-addresses "$3" "$1" "$2" && return
	fi
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
data = open(sys.argv[1], 'rb').read(); base = int(sys.argv[3], 0); out = []
def rec(t, a, d):
    b = bytes([len(d), a >> 8, a & 255, t]) + d
    out.append(':' + b.hex().upper() + '%02X' % (-sum(b) & 255))
hi = None
for off in range(0, len(data), 16):
    a = base + off
    if a >> 16 != hi:
        hi = a >> 16; rec(4, 0, hi.to_bytes(2, 'big'))
    rec(0, a & 0xffff, data[off:off + 16])
rec(5, 0, base.to_bytes(4, 'big')); rec(1, 0, b'')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
EOF
}

head -c 70000 /dev/urandom >"$T/prog.bin"
hexfile "$T/prog.bin" "$T/prog.hex" 0x2A000000

# ----- info: JSON over a unix socket, text over a pty
start_sim u --mode dload --dload-version "TESTPBL 1.0"
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/u.sock" --json dload info
[ "$(jget "$T/out" '(j["version"], j["protocol_version"], j["max_write_size"])')" = "('TESTPBL 1.0', 8, 1024)" ] ||
	fail "dload info: $(cat "$T/out")"
wait_exit "$SIMPID"
start_sim_pty p --mode dload --dload-max-write 512
expect_rc 0 timeout 10 "$QCBOX" -d "tty:$T/p.tty" dload info
grep -q "max write size: *512 bytes" "$T/out" || fail "dload info over pty: $(cat "$T/out")"
wait_exit "$SIMPID"

# ----- Intel HEX over a pty: the start record is the jump target; then the
# programmer it became answers a streaming session on the same pty
start_sim_pty h --mode dload --storage emmc --luns 1 --lun-size 4M --persist
H="-d tty:$T/h.tty"
expect_rc 0 timeout 20 "$QCBOX" $H dload load "$T/prog.hex"
grep -q "jumped to 0x2a000000" "$T/out" || fail "HEX load: $(cat "$T/out")"
go_event "$T/h.ev" 704643072 "$(sha "$T/prog.bin")" 70000
head -c 200000 /dev/urandom >"$T/pimg.bin"
expect_rc 0 timeout 20 "$QCBOX" $H --json sdload write 0/1 "$T/pimg.bin"
[ "$(jget "$T/out" 'j["max_outstanding"] > 1')" = True ] || fail "pty: the window was not used: $(cat "$T/out")"
expect_rc 0 timeout 20 "$QCBOX" $H sdload read 0/1+391 "$T/pback.bin"
cmp -s -n 200000 "$T/pimg.bin" "$T/pback.bin" || fail "pty: streaming read back differs"
expect_rc 0 timeout 10 "$QCBOX" $H sdload reset
kill "$SIMPID"

# ----- a raw binary needs --address; with it, it lands there (unix, JSON)
expect_rc 2 "$QCBOX" -d "unix:$T/none.sock" dload load "$T/prog.bin"
grep -q "prog.bin is a raw image: give its load address with --address" "$T/err" || fail "bin without --address: $(cat "$T/err")"
start_sim b --mode dload
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/b.sock" --json dload load "$T/prog.bin" --address 0x80200000
[ "$(jget "$T/out" '(j["format"], j["load_address"], j["jump_address"], j["packets"])')" = "('bin', 2149580800, 2149580800, 69)" ] ||
	fail "bin load: $(cat "$T/out")"
wait_exit "$SIMPID"
go_event "$T/b.ev" 2149580800 "$(sha "$T/prog.bin")" 70000

# ----- MBN: a handmade 80-byte header, then the real programmers
python3 - "$T/prog.bin" "$T/h80.mbn" <<'EOF'
import struct, sys
body = open(sys.argv[1], 'rb').read()[:40000]
hdr = struct.pack('<20I', 0x844BDCD1, 0x73D71034, 0x0E, 0xffffffff, 0xffffffff, 0x50, 0x08000000,
                  len(body), len(body), 0, 0, 0, 0, 1, 1, *([0xffffffff] * 5))
open(sys.argv[2], 'wb').write(hdr + body)
EOF
tail -c +81 "$T/h80.mbn" >"$T/h80.body"
start_sim m --mode dload
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/m.sock" --json dload load "$T/h80.mbn"
[ "$(jget "$T/out" '(j["format"], j["image_id"], j["bytes"])')" = "('mbn80', 14, 40000)" ] || fail "mbn load: $(cat "$T/out")"
wait_exit "$SIMPID"
go_event "$T/m.ev" 134217728 "$(sha "$T/h80.body")" 40000
if [ -d "$QCBOX_SHARED/fixtures/loaders" ]; then
	P=$QCBOX_SHARED/fixtures/loaders/MPRG8974-G2.mbn
	tail -c +81 "$P" | head -c 75808 >"$T/mprg.body"
	start_sim_pty r --mode dload
	expect_rc 0 timeout 20 "$QCBOX" -d "tty:$T/r.tty" dload load "$P"
	wait_exit "$SIMPID"
	go_event "$T/r.ev" 4160798800 "$(sha "$T/mprg.body")" 75808
	F=$QCBOX_SHARED/fixtures/loaders/openpst-readmbn__40byte_header.mbn
	expect_rc 0 "$QCBOX" --json dload load --dry-run "$F"
	[ "$(jget "$T/out" '(j["format"], j["load_address"], j["bytes"])')" = "('mbn40', 2147561512, 81464)" ] ||
		fail "40-byte header: $(cat "$T/out")"
	expect_rc 2 "$QCBOX" dload load --dry-run "$QCBOX_SHARED/fixtures/loaders/mannar__prog_firehose_lite.elf"
	grep -q "is an ELF programmer" "$T/err" || fail "ELF given to dload: $(cat "$T/err")"
else
	echo "note: ../shared/fixtures absent; real programmer checks skipped"
fi

# ----- GO makes the phone the streaming programmer on the same link
start_sim g --mode dload --storage emmc --luns 1 --lun-size 8M --disk-dir "$T/gdisk" --persist
G="-d unix:$T/g.sock"
expect_rc 0 timeout 20 "$QCBOX" $G dload load "$T/prog.hex"
expect_rc 0 timeout 20 "$QCBOX" $G --json sdload info
[ "$(jget "$T/out" 'j["magic"]')" = "QCOM fast download protocol targ" ] || fail "hello after GO: $(cat "$T/out")"
head -c 300000 /dev/urandom >"$T/img.bin"
expect_rc 0 timeout 30 "$QCBOX" $G sdload write 0/64 "$T/img.bin"
expect_rc 0 timeout 30 "$QCBOX" $G sdload read 0/64+586 "$T/back.bin"
cmp -s -n 300000 "$T/img.bin" "$T/back.bin" || fail "streaming after GO: read back differs"
expect_rc 0 timeout 10 "$QCBOX" $G sdload reset
grep -q '"event":"sdload_programmer","bytes":70000' "$T/g.ev" || fail "programmer hand-over not reported: $(cat "$T/g.ev")"

# ----- bad files: exit 2 and the line or field at fault, before any device is touched
printf ':020000042A00D0\n:0400000001020304F2\n:0400040001020304EF\n:00000001FF\n' >"$T/badsum.hex"
expect_rc 2 "$QCBOX" -d "unix:$T/none.sock" dload load "$T/badsum.hex"
grep -q "badsum.hex line 3: bad checksum 0xEF" "$T/err" || fail "bad checksum: $(cat "$T/err")"
printf ':0400000001020304F2\n:02000200AABB97\n:00000001FF\n' >"$T/overlap.hex"
expect_rc 2 "$QCBOX" dload load --dry-run "$T/overlap.hex"
grep -q "overlap.hex line 2: data at 0x00000002 overlaps" "$T/err" || fail "overlap: $(cat "$T/err")"
head -n 3 "$T/prog.hex" >"$T/trunc.hex"
expect_rc 2 "$QCBOX" dload load --dry-run "$T/trunc.hex"
grep -q "no end-of-file record" "$T/err" || fail "missing end record: $(cat "$T/err")"
head -c 30000 "$T/h80.mbn" >"$T/short.mbn"
expect_rc 2 "$QCBOX" dload load --dry-run "$T/short.mbn"
grep -q "image_size of 40000 bytes exceeds the 29920 bytes after its 80-byte header" "$T/err" || fail "short MBN: $(cat "$T/err")"
expect_rc 2 "$QCBOX" dload load --dry-run "$T/prog.bin" --address 0xFFFFF000
grep -q "past the 32-bit address space" "$T/err" || fail "address overflow: $(cat "$T/err")"
expect_rc 2 "$QCBOX" dload load "$T/missing.hex"
grep -q "missing.hex" "$T/err" || fail "missing file not named"
expect_rc 2 "$QCBOX" dload load --address nowhere "$T/prog.bin"
expect_rc 2 "$QCBOX" dload
expect_rc 2 "$QCBOX" dload frobnicate
expect_rc 3 "$QCBOX" -d "unix:$T/none.sock" dload info

# ----- the device says no mid-upload: exit 1, the packet and reason named
start_sim n --mode dload --fault nak:write --fault-after 5
expect_rc 1 timeout 20 "$QCBOX" -d "unix:$T/n.sock" dload load "$T/prog.hex"
grep -qi "refused DLOAD WRITE_32BIT of 1024 bytes at 0x2A001000: operation failed (0x07) (byte 4096 of 70000" "$T/err" ||
	fail "NAK mid-upload: $(cat "$T/err")"
wait_exit "$SIMPID"
start_sim w --mode dload --dload-ram 0x10000000:0x100000
expect_rc 1 timeout 20 "$QCBOX" -d "unix:$T/w.sock" dload load "$T/prog.hex"
grep -qi "at 0x2A000000: invalid destination address (0x02)" "$T/err" || fail "outside RAM: $(cat "$T/err")"
wait_exit "$SIMPID"

# ----- damaged frames: one is sent again; one damaged every time is named
start_sim c1 --mode dload --fault tx:flip-bit@3 --fault rx:flip-bit@40
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/c1.sock" -q dload load "$T/prog.hex"
wait_exit "$SIMPID"
go_event "$T/c1.ev" 704643072 "$(sha "$T/prog.bin")" 70000
start_sim c2 --mode dload --fault tx:flip-bit@3 --fault tx:flip-bit@15 --fault tx:flip-bit@27 --fault tx:flip-bit@39
expect_rc 1 timeout 20 "$QCBOX" -d "unix:$T/c2.sock" dload info
grep -q "the reply to DLOAD PARAM_REQ failed its CRC" "$T/err" || fail "persistent corruption: $(cat "$T/err")"
wait_exit "$SIMPID"

# ----- a silent device: exit 1 within the timeout, the packet named
"$QCBOX_SIM" --mode dload --listen "unix:$T/st.sock" --fault stall@0 >/dev/null 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 200); do [ -S "$T/st.sock" ] && break; sleep 0.025; done
expect_rc 1 "$QCBOX" -d "unix:$T/st.sock" --timeout 300 dload info
grep -q "no reply to DLOAD PARAM_REQ .* within 300 ms" "$T/err" || fail "timeout: $(cat "$T/err")"
ok "dload CLI"
