#!/bin/bash
# qcbox sahara info/load/reset against qcbox-sim's boot ROM over unix sockets
# and ptys: identity for v2/v3, uploads whose reassembled image equals the
# file (32/64-bit reads, several chunk sizes, two images, legacy MBN), loader
# directories, and every kind of broken device or bad input.
. "$QCBOX_SRC/tests/lib.sh"
MKELF="python3 $QCBOX_SRC/tests/sahara/mkelf.py"

# sha256 of the image the device reassembled (Nth sahara_image event, default first)
ev_sha() { python3 -c "
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1]) if '\"sahara_image\"' in l]
print(ev[int(sys.argv[2])]['sha256'] if len(ev) > int(sys.argv[2]) else 'none')" "$T/$1.ev" "${2:-0}"; }
ev_count() { grep -c "\"$2\"" "$T/$1.ev" 2>/dev/null || true; }
sha() { sha256sum <"$1" | cut -d' ' -f1; }

PK32=f8ab20526358c4fa1b7e0a2b5a5f8da0f0f2e5d56c1cfc2e3b2b6c3d8e8e9f01
PK48=55bc36ac4fca83b0f81a4f20f0ee15fd82ea34a834b36e804986b6a043e56a4cbc8afcf0a3c2a5b1b2916e3aaa1096cf

# ----- identity -----
start_sim i2 --sahara-version 2 --hwid 0008b0e100420011 --pkhash $PK32 --serial 1a2b3c4d --sbl-version 30
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/i2.sock" --json sahara info
[ "$(jget "$T/out" '(j["sahara_version"], j["hwid"], j["serial"], j["pkhash"], j["msm_id"], j["oem_id"], j["model_id"], j["sbl_version"], j["soc"])')" = \
	"(2, '0008b0e100420011', '1a2b3c4d', '$PK32', '0008b0e1', '0042', '0011', '00000030', 'SDM845')" ] ||
	fail "sahara info v2: $(cat "$T/out")"
wait_exit "$SIMPID"
ok "info v2 over unix"

start_sim_pty i3 --sahara-version 3 --hwid 001b80e100720005 --pkhash $PK48 --serial 0badcafe
expect_rc 0 timeout 20 "$QCBOX" -d "tty:$T/i3.tty" --json sahara info
[ "$(jget "$T/out" '(j["sahara_version"], j["hwid"], j["serial"], j["pkhash"], j["hwid_source"], j["refused"][0]["command"])')" = \
	"(3, '001b80e100720005', '0badcafe', None, 'chip_id_v3', 'OEM_PK_HASH_READ')" ] || fail "sahara info v3: $(cat "$T/out")"
wait_exit "$SIMPID"
# a v3 device that does answer the PK hash, SHA-384, repeated to 96 bytes
start_sim i3b --sahara-version 3 --hwid 001b80e100720005 --pkhash $PK48 --refuse 2 --pkhash-repeat
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/i3b.sock" --json sahara info
[ "$(jget "$T/out" 'j["pkhash"]')" = "$PK48" ] || fail "sahara info v3 SHA-384 PK hash: $(cat "$T/out")"
ok "info v3 over pty (chip id v3, PK hash refused or SHA-384)"

# human output
start_sim ih --hwid 007050e100420001
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/ih.sock" sahara info
grep -q "^HWID  *007050e100420001" "$T/out" || fail "human info: $(cat "$T/out")"
# v1 has no command mode
start_sim i1 --sahara-version 1
expect_rc 1 timeout 20 "$QCBOX" -d "unix:$T/i1.sock" sahara info
grep -q "v1, which has no command mode" "$T/err" || fail "v1 info: $(cat "$T/err")"

# ----- uploads of synthetic programmers -----
$MKELF "$T/p32.elf" --class 32 --hashseg 3 --size 70000 --segments 3 --sections
$MKELF "$T/p64.elf" --class 64 --hashseg 6 --size 90001 --seed 2
$MKELF "$T/p7.elf" --class 64 --hashseg 7 --size 5000 --seed 3
$MKELF "$T/p5.elf" --class 64 --hashseg 5 --size 5000 --seed 4
$MKELF "$T/mprg.mbn" --legacy80 --size 40000
for spec in "v1 p32 unix --sahara-version 1" "v2 p32 pty --chunk-size 1000" "v2r64 p64 unix --read64" \
	"v3r64 p64 pty --sahara-version 3 --read64 --chunk-size 64K" "v7 p7 unix" "v5 p5 unix --chunk-size 1M" \
	"mbn mprg.mbn unix"; do
	set -- $spec
	name=$1 file=$2 link=$3
	shift 3
	case $file in *.mbn) ;; *) file=$file.elf ;; esac
	# Over a pty the simulator is kept alive (--persist): in this tree the
	# programmer modes it hands over to end at once, and a pty that closes
	# drops what the host has not read yet (DONE_RESP).
	if [ "$link" = pty ]; then
		start_sim_pty "$name" --persist "$@"
		dev="tty:$T/$name.tty"
	else
		start_sim "$name" "$@"
		dev="unix:$T/$name.sock"
	fi
	expect_rc 0 timeout 30 "$QCBOX" -d "$dev" sahara load "$T/$file"
	[ "$link" = pty ] || wait_exit "$SIMPID"
	[ "$(ev_sha "$name")" = "$(sha "$T/$file")" ] || fail "load $name: device image $(ev_sha "$name") != file $(sha "$T/$file")"
	grep -q '"event":"sahara_handover"' "$T/$name.ev" || fail "load $name: no hand-over"
done
grep -q '"mode":"sdload"' "$T/mbn.ev" || fail "a legacy MBN must make the device Streaming DLOAD"
grep -q '"mode":"firehose"' "$T/v2.ev" || fail "an ELF must make the device Firehose"
grep -q "image 13 accepted" "$T/err" || true
ok "uploads v1/v2/v3, 32/64-bit reads, chunk sizes, hash segment v3/v5/v6/v7, legacy MBN"

# --json summary
start_sim js --read64
expect_rc 0 timeout 30 "$QCBOX" -d "unix:$T/js.sock" --json sahara load "$T/p64.elf"
[ "$(jget "$T/out" '(j["images"][0]["image_id"], j["read64"], j["sahara_version"], j["loader"].endswith("p64.elf"))')" = \
	"(13, True, 2, True)" ] || fail "load --json: $(cat "$T/out")"

# two images in one session
start_sim two --images 13,21
expect_rc 0 timeout 30 "$QCBOX" -d "unix:$T/two.sock" --json sahara load "13:$T/p32.elf" "21:$T/p7.elf"
wait_exit "$SIMPID"
[ "$(ev_sha two 0)" = "$(sha "$T/p32.elf")" ] && [ "$(ev_sha two 1)" = "$(sha "$T/p7.elf")" ] ||
	fail "two images: $(cat "$T/two.ev")"
[ "$(jget "$T/out" '[i["image_id"] for i in j["images"]]')" = "[13, 21]" ] || fail "two images json: $(cat "$T/out")"
start_sim two2 --images 13,21
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/two2.sock" sahara load "13:$T/p32.elf"
grep -q "image 21 and no file was given" "$T/err" || fail "missing second image: $(cat "$T/err")"
ok "two images in one session"

# a device that lost its HELLO is asked to restart its state machine
start_sim nh --fault sahara:no-hello
expect_rc 0 timeout 30 "$QCBOX" --timeout 500 -d "unix:$T/nh.sock" sahara load "$T/p32.elf"
wait_exit "$SIMPID"
[ "$(ev_sha nh)" = "$(sha "$T/p32.elf")" ] || fail "load after RESET_STATE_MACHINE"

# reset
start_sim rs
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/rs.sock" sahara reset
wait_exit "$SIMPID"
grep -q '"event":"sahara_reset"' "$T/rs.ev" || fail "reset: no sahara_reset event"
start_sim rs1 --sahara-version 1
expect_rc 0 timeout 20 "$QCBOX" -d "unix:$T/rs1.sock" sahara reset
ok "RESET_STATE_MACHINE and reset"

# ----- the device refuses -----
start_sim sig --expect-signed-by $PK32
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/sig.sock" sahara load "$T/p32.elf"
grep -q "0x25 IMAGE_AUTH_FAILURE" "$T/err" || fail "unsigned image vs --expect-signed-by: $(cat "$T/err")"
start_sim nak --fault nak:image
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/nak.sock" sahara load "$T/p64.elf"
grep -q "IMAGE_AUTH_FAILURE" "$T/err" || fail "nak:image: $(cat "$T/err")"
# a bit flipped on the way: the device's hash check catches it
start_sim flip --fault rx:flip-bit@30000
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/flip.sock" sahara load "$T/p32.elf"
grep -q "HASH_VERIFICATION_FAILURE" "$T/err" || fail "flipped bit: $(cat "$T/err")"
$MKELF "$T/bad.elf" --corrupt --seed 9
start_sim badh
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/badh.sock" sahara load "$T/bad.elf"
grep -q "0x22 HASH_VERIFICATION_FAILURE" "$T/err" || fail "bad hash: $(cat "$T/err")"
start_sim md --memory-debug --ramdump-region A:0x1000:16
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/md.sock" sahara load "$T/p32.elf"
grep -q "memory-debug mode" "$T/err" || fail "load on a crashed device: $(cat "$T/err")"
ok "refusals name their status"

# ----- broken devices: one sentence, exit 1, no hang -----
for f in "sahara:oversized:4096 bytes" "sahara:truncated:cut short" "sahara:unknown-cmd:unknown Sahara packet" \
	"sahara:read-beyond:beyond the end" "sahara:huge-read:beyond the end"; do
	fault=${f%:*} msg=${f##*:}
	start_sim bd --fault "$fault"
	expect_rc 1 timeout 30 "$QCBOX" --timeout 500 -d "unix:$T/bd.sock" sahara load "$T/p32.elf"
	grep -q "$msg" "$T/err" || fail "$fault: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -le 3 ] || fail "$fault: too chatty: $(cat "$T/err")"
	kill "$SIMPID" 2>/dev/null
done
# not a Sahara device at all (DIAG stays silent)
start_sim dg --mode diag
expect_rc 1 timeout 30 "$QCBOX" --timeout 300 -d "unix:$T/dg.sock" sahara info
grep -q "no Sahara HELLO" "$T/err" || fail "silent device: $(cat "$T/err")"
ok "oversized, truncated and unknown packets, reads beyond the image, silence"

# ----- bad input: exit 2 before the device sees anything -----
start_sim bi
head -c 5000 /dev/urandom >"$T/junk.bin"
expect_rc 2 "$QCBOX" -d "unix:$T/bi.sock" sahara load "$T/junk.bin"
grep -q "junk.bin" "$T/err" && grep -q "ELF or MBN" "$T/err" || fail "junk loader: $(cat "$T/err")"
head -c 3000 "$T/p32.elf" >"$T/cut.elf"
expect_rc 2 "$QCBOX" -d "unix:$T/bi.sock" sahara load "$T/cut.elf"
grep -q "runs past the end" "$T/err" || fail "truncated loader: $(cat "$T/err")"
expect_rc 2 "$QCBOX" -d "unix:$T/bi.sock" sahara load "$T/nonexistent.elf"
grep -q "nonexistent.elf" "$T/err" || fail "missing loader not named"
expect_rc 2 "$QCBOX" -d "unix:$T/bi.sock" sahara load
expect_rc 2 "$QCBOX" -d "unix:$T/bi.sock" sahara frobnicate
expect_rc 2 "$QCBOX" sahara
[ -z "$(cat "$T/bi.ev" 2>/dev/null)" ] || fail "the device saw traffic for bad input: $(cat "$T/bi.ev")"
expect_rc 3 "$QCBOX" -d "unix:$T/none.sock" sahara info
ok "bad input refused before the device is touched"

# ----- loader directories -----
mkdir -p "$T/dir"
cp "$T/p32.elf" "$T/p64.elf" "$T/junk.bin" "$T/dir/"
start_sim d1 --hwid 0008b0e100000000
expect_rc 2 timeout 30 "$QCBOX" -d "unix:$T/d1.sock" sahara load "$T/dir"
[ "$(grep -c '^qcbox: rejected ' "$T/err")" -eq 3 ] || fail "one line per rejected candidate: $(cat "$T/err")"
grep -q "junk.bin: not a usable ELF or MBN" "$T/err" || fail "junk candidate reason: $(cat "$T/err")"
grep -q "none of the 3 files" "$T/err" || fail "no-match summary: $(cat "$T/err")"
start_sim d2 --sahara-version 1
expect_rc 2 timeout 30 "$QCBOX" -d "unix:$T/d2.sock" sahara load "$T/dir"
grep -q "name the loader file" "$T/err" || fail "v1 with a directory: $(cat "$T/err")"
ok "directory without a match: one line per candidate"

# the real loaders (skipped, exit 77, without ../shared/fixtures)
need_fixtures
L=$FIX/loaders
# every real loader goes through; the device's image equals the bytes a PBL reads
for f in "$L"/* "$FIX"/flatbuild-rubikpi3/prog_firehose_*.elf; do
	"$QCBOX" --json mbn info "$f" >"$T/mi.json" || fail "mbn info $f"
	end=$(jget "$T/mi.json" 'j["image_end"]')
	start_sim fx --read64
	expect_rc 0 timeout 30 "$QCBOX" -d "unix:$T/fx.sock" sahara load "$f"
	wait_exit "$SIMPID"
	# One MSM8916 loader ends in 508 zero bytes outside every segment, which
	# no boot ROM reads; for all others image_end is the file size.
	[ "$(ev_sha fx)" = "$(head -c "$end" "$f" | sha256sum | cut -d' ' -f1)" ] || fail "fixture $f: $(tail -1 "$T/fx.ev")"
	if [ "$end" = "$(stat -c %s "$f")" ]; then
		[ "$(ev_sha fx)" = "$(sha "$f")" ] || fail "fixture $f: image differs from the file"
	fi
	rm -f "$T/fx.ev"
done
ok "every fixture loader reaches the device intact"
# directory matching by certificate
PK=$("$QCBOX" --json mbn info "$L/msm8916__007050e100420001_ec287e5aa0bf4e3e_fhprg_peek.bin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["pkhash"])')
start_sim dm --hwid 007050e100420001 --pkhash "$PK" --expect-signed-by "$PK"
expect_rc 0 timeout 30 "$QCBOX" -d "unix:$T/dm.sock" --json sahara load "$L"
wait_exit "$SIMPID"
[ "$(ev_sha dm)" = "$(sha "$L/msm8916__007050e100420001_ec287e5aa0bf4e3e_fhprg_peek.bin")" ] || fail "directory match picked $(jget "$T/out" 'j["loader"]')"
[ "$(jget "$T/out" 'sum(1 for c in j["candidates"] if c["match"])')" = 1 ] || fail "candidates: $(cat "$T/out")"
# the generic MSM8916 loader (OEM 0) is rejected for its key
jget "$T/out" '[c["reason"] for c in j["candidates"] if "007050e100000000" in c["file"]][0]' | grep -q "differs from the device's PK hash" ||
	fail "generic loader reason: $(cat "$T/out")"
# a device signed by another key: the fixture loader is refused with the right status
start_sim ds --expect-signed-by $PK32
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/ds.sock" sahara load "$L/msm8916__007050e100420001_ec287e5aa0bf4e3e_fhprg_peek.bin"
grep -q "IMAGE_AUTH_FAILURE" "$T/err" || fail "foreign key: $(cat "$T/err")"
ok "loader directory matched by HWID and root-certificate hash"
