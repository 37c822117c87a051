#!/bin/bash
# qcbox sahara ramdump against the simulated crashed device: regions saved
# byte-identical (file-backed and patterned, 32- and 64-bit tables, unix and
# pty), hostile names sanitized, absurd sizes refused, nothing written
# outside DIR, globs, and a broken table.
. "$QCBOX_SRC/tests/lib.sh"

head -c 300000 /dev/urandom >"$T/ddr.bin"
head -c 4096 /dev/urandom >"$T/ocimem.bin"
# the simulator's pattern for regions without a file
pattern_ok() { python3 - "$1" "$2" <<'EOF'
import sys
addr = int(sys.argv[2], 0)
data = open(sys.argv[1], 'rb').read()
want = bytes((((addr + i) * 0x9e3779b97f4a7c15) & (2**64 - 1)) >> 56 for i in range(len(data)))
sys.exit(0 if data == want else 1)
EOF
}
# DIR sits two levels below a private directory, so "../../x" from the
# device would land in it rather than in a shared /tmp.
outside_clean() {
	[ ! -e "$T/x" ] && [ ! -e "$T/o$1/x" ] && [ ! -e "$T/o$1/in/x" ] || fail "a file was written outside DIR"
}

for mode in "unix 32" "pty 64"; do
	set -- $mode
	link=$1 bits=$2
	r64=""
	[ "$bits" = 64 ] && r64=--read64
	args=(--memory-debug $r64
		--ramdump-region "DDRCS0.BIN:0x80000000:300000:$T/ddr.bin"
		--ramdump-region "OCIMEM.BIN:0x08600000:4096:$T/ocimem.bin"
		--ramdump-region "../../x:0x1000:4096"
		--ramdump-region $'ctl\x01\x1b[2J/..\x7f:0x2000:100'
		--ramdump-region "DDRCS0.BIN:0x90000000:33"
		--ramdump-region "index.json:0x3000:8"
		--ramdump-region "tiny:0x4000:16"
		--ramdump-region ".hidden:0x5000:1")
	if [ "$bits" = 64 ]; then
		args+=(--ramdump-region "absurd:0x100000000:0xffffffffffffff")
		args+=(--ramdump-region "wraps:0xfffffffffffff000:0x2000")
	else
		args+=(--ramdump-region "big:0xa0000000:0xffffffff")
	fi
	mkdir -p "$T/o$bits/in"
	D="$T/o$bits/in/dump"
	if [ "$link" = pty ]; then
		start_sim_pty "r$bits" "${args[@]}"
		dev="tty:$T/r$bits.tty"
	else
		start_sim "r$bits" "${args[@]}"
		dev="unix:$T/r$bits.sock"
	fi
	# 64-bit: two absurd regions are refused (exit 1), the rest saved;
	# 32-bit: a 4 GiB region is below the default limit, so cap it here.
	want=1
	extra=()
	[ "$bits" = 32 ] && extra=(--max-region 1M)
	expect_rc $want timeout 60 "$QCBOX" -d "$dev" --json sahara ramdump "${extra[@]}" "$D"
	wait_exit "$SIMPID"
	cmp -s "$D/DDRCS0.BIN" "$T/ddr.bin" || fail "$bits: DDRCS0.BIN differs"
	cmp -s "$D/OCIMEM.BIN" "$T/ocimem.bin" || fail "$bits: OCIMEM.BIN differs"
	pattern_ok "$D/_._.__x" 0x1000 || fail "$bits: ../../x region content"
	pattern_ok "$D/DDRCS0.BIN.4" 0x90000000 || fail "$bits: duplicate name content"
	pattern_ok "$D/tiny" 0x4000 || fail "$bits: a 16-byte region"
	pattern_ok "$D/index.json.5" 0x3000 || fail "$bits: a region named index.json"
	pattern_ok "$D/_hidden" 0x5000 || fail "$bits: .hidden"
	# every file in D is a plain name we chose; nothing escaped
	for f in "$D"/* "$D"/.[!.]*; do
		[ -e "$f" ] || continue
		b=$(basename "$f")
		[[ $b =~ ^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*$ ]] && [[ $b != *..* ]] || fail "$bits: unsafe file name '$b'"
	done
	outside_clean "$bits"
	[ "$(ls "$D" | wc -l)" -eq 9 ] || fail "$bits: expected 8 regions + index.json: $(ls "$D")"
	python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$D/index.json" || fail "$bits: index.json is not JSON"
	[ "$(jget "$D/index.json" 'len(j["regions"])')" = $((bits == 64 ? 10 : 9)) ] || fail "$bits: index entries"
	jget "$D/index.json" '[r["description"] for r in j["regions"]][3]' | grep -qF 'ctl\x01\x1b[2J/..\x7f' ||
		fail "$bits: control characters not escaped in the index"
	[ "$(jget "$T/out" 'j["read64"]')" = $([ "$bits" = 64 ] && echo True || echo False) ] || fail "$bits: read64 flag"
	if [ "$bits" = 64 ]; then
		jget "$T/out" '[r["reason"] for r in j["regions"] if not r["saved"]]' | grep -q "exceeds the limit" ||
			fail "absurd size not refused: $(cat "$T/out")"
		jget "$T/out" '[r["reason"] for r in j["regions"] if not r["saved"]]' | grep -q "wraps around" ||
			fail "wrapping region not refused"
	else
		jget "$T/out" '[r["reason"] for r in j["regions"] if not r["saved"]][0]' | grep -q "exceeds the limit of 1048576" ||
			fail "--max-region: $(cat "$T/out")"
	fi
	grep -q "could not be saved" "$T/err" || fail "$bits: summary of refused regions: $(cat "$T/err")"
	ok "ramdump $bits-bit table over $link: byte-identical, names sanitized, absurd sizes refused"
done

# globs select regions; the rest stay in the index unselected
start_sim g --memory-debug --ramdump-region "DDRCS0.BIN:0x80000000:300000:$T/ddr.bin" \
	--ramdump-region "DDRCS1.BIN:0x90000000:1000" --ramdump-region "OCIMEM.BIN:0x08600000:4096:$T/ocimem.bin"
expect_rc 0 timeout 60 "$QCBOX" -d "unix:$T/g.sock" sahara ramdump "$T/g" 'DDR*'
[ "$(ls "$T/g" | tr '\n' ' ')" = "DDRCS0.BIN DDRCS1.BIN index.json " ] || fail "globs: $(ls "$T/g")"
grep -q "^saved    DDRCS0.BIN" "$T/out" || fail "human output: $(cat "$T/out")"
ok "globs"

# a symlink planted in DIR is not followed
mkdir -p "$T/s"
ln -s "$T/victim" "$T/s/OCIMEM.BIN"
start_sim sl --memory-debug --ramdump-region "OCIMEM.BIN:0x08600000:4096:$T/ocimem.bin" --ramdump-region "B:0x1000:10"
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/sl.sock" sahara ramdump "$T/s"
[ ! -e "$T/victim" ] || fail "the symlink was followed"
grep -q "OCIMEM.BIN" "$T/err" || fail "symlinked region not reported: $(cat "$T/err")"
[ -f "$T/s/B" ] || fail "the other region was not saved"

# the device refuses a read: that region is missing, the others are saved
start_sim rf --memory-debug --fault sahara:refuse-memory --ramdump-region "A:0x1000:100" --ramdump-region "B:0x2000:100"
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/rf.sock" sahara ramdump "$T/rf"
grep -q "INVALID_MEMORY_READ" "$T/err" || fail "refused read: $(cat "$T/err")"
[ ! -e "$T/rf/A" ] && [ -f "$T/rf/B" ] || fail "refused region handling: $(ls "$T/rf")"
ok "symlinks not followed, refused reads reported"

# broken tables and devices
start_sim bt --memory-debug --fault sahara:bad-table --ramdump-region "A:0x1000:100"
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/bt.sock" sahara ramdump "$T/bt"
grep -q "region table of 55 bytes" "$T/err" || fail "bad table: $(cat "$T/err")"
start_sim nr
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/nr.sock" sahara ramdump "$T/nr"
grep -q "MEMORY_DEBUG_NOT_SUPPORTED" "$T/err" || fail "no memory debug: $(cat "$T/err")"
start_sim v1 --sahara-version 1
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/v1.sock" sahara ramdump "$T/v1"
grep -q "no memory-debug mode" "$T/err" || fail "v1: $(cat "$T/err")"
# DIR that cannot be created
: >"$T/afile"
start_sim nd --memory-debug --ramdump-region "A:0x1000:100"
expect_rc 1 timeout 60 "$QCBOX" -d "unix:$T/nd.sock" sahara ramdump "$T/afile/sub"
grep -q "afile/sub" "$T/err" || fail "uncreatable DIR: $(cat "$T/err")"
expect_rc 2 "$QCBOX" -d "unix:$T/nd.sock" sahara ramdump
# --no-reset leaves the device in memory-debug mode: a second dump works
start_sim nrs --persist --memory-debug --ramdump-region "A:0x1000:100"
expect_rc 0 timeout 60 "$QCBOX" -d "unix:$T/nrs.sock" sahara ramdump --no-reset "$T/n1"
expect_rc 0 timeout 60 "$QCBOX" -d "unix:$T/nrs.sock" sahara ramdump "$T/n2"
cmp -s "$T/n1/A" "$T/n2/A" || fail "--no-reset"
[ "$(grep -c sahara_reset "$T/nrs.ev")" = 1 ] || fail "reset count: $(cat "$T/nrs.ev")"
ok "broken tables, devices without memory debug, bad DIR, --no-reset"
