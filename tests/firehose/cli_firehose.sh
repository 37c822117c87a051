#!/bin/bash
# Firehose through the real qcbox binary against qcbox-sim, over a unix
# socket and a pty: every device command, flashing a small flat build with
# patches and an absent image, verification failures, NAKs, disconnects and
# garbage, each with its exit code and a sentence that names what failed.
. "$QCBOX_SRC/tests/lib.sh"
Q=$QCBOX
here=$QCBOX_SRC/tests/firehose
# events of one kind, summed: evsum FILE EVENT FIELD
evsum() { python3 -c "
import json,sys
print(sum(int(json.loads(l).get(sys.argv[3],0)) for l in open(sys.argv[1]) if json.loads(l).get('event')==sys.argv[2]))" "$@"; }

head -c 3000000 /dev/urandom >"$T/img"

# ---- single commands over a unix socket ----
start_sim u --mode firehose --persist --luns 2 --lun-size 64M --disk-dir "$T/u.disk"
S=(-d "unix:$T/u.sock")
expect_rc 0 "$Q" "${S[@]}" --json nop
[ "$(jget "$T/out" '(j["memory"], j["max_payload"])')" = "('ufs', 1048576)" ] || fail "nop: $(cat "$T/out")"
expect_rc 0 "$Q" "${S[@]}" --json storage-info --lun 1
[ "$(jget "$T/out" '(j["total_blocks"], j["block_size"], j["num_physical"])')" = "(16384, 4096, 2)" ] ||
	fail "storage-info: $(cat "$T/out")"
expect_rc 0 "$Q" "${S[@]}" --json write 1/100+800 "$T/img"
[ "$(jget "$T/out" '(j["sectors"], j["verified"])')" = "(733, 'sha256')" ] || fail "write: $(cat "$T/out")"
grep -q '"event":"program","lun":1,"start":100,"sectors":733,"sector_size":4096}' "$T/u.ev" ||
	fail "no program event: $(tail -3 "$T/u.ev")"
expect_rc 0 "$Q" "${S[@]}" read 1/100+733 "$T/back"
cmp -s -n 3000000 "$T/img" "$T/back" || fail "read back differs"
[ "$(stat -c %s "$T/back")" = $((733 * 4096)) ] || fail "read size"
expect_rc 0 "$Q" "${S[@]}" sha256 1/100+733
[ "$(cut -d' ' -f1 "$T/out")" = "$(sha256sum <"$T/back" | cut -d' ' -f1)" ] || fail "sha256: $(cat "$T/out")"
# a range to the end of the LUN
expect_rc 0 "$Q" "${S[@]}" --json read 1/16380 "$T/tail"
[ "$(jget "$T/out" 'j["sectors"]')" = 4 ] || fail "read to the end: $(cat "$T/out")"
expect_rc 0 "$Q" "${S[@]}" erase 1/100+733
expect_rc 0 "$Q" "${S[@]}" read 1/100+733 "$T/back"
cmp -s "$T/back" <(head -c $((733 * 4096)) /dev/zero) || fail "erase left data"
expect_rc 0 "$Q" "${S[@]}" --json peek 0x14680000 8
[ "$(jget "$T/out" 'j["data"]')" = 030a11181f262d34 ] || fail "peek: $(cat "$T/out")"
expect_rc 0 "$Q" "${S[@]}" poke 0x14680002 "c0 ff ee"
expect_rc 0 "$Q" "${S[@]}" peek 0x14680000 6
grep -q '03 0a c0 ff ee 26' "$T/out" || fail "poke: $(cat "$T/out")"
expect_rc 0 "$Q" "${S[@]}" storage-info --benchmark
grep -q 'MB/s' "$T/out" || fail "benchmark: $(cat "$T/out")"
# bad input: exit 2, a sentence naming it
expect_rc 2 "$Q" "${S[@]}" write 1/100+10 "$T/img"
grep -q "does not fit 1/100+10" "$T/err" || fail "too big: $(cat "$T/err")"
expect_rc 2 "$Q" "${S[@]}" write 1/100+10 "$T/nonexistent"
grep -q nonexistent "$T/err" || fail "missing file not named"
expect_rc 2 "$Q" "${S[@]}" read 1/x+3 "$T/x"
expect_rc 2 "$Q" "${S[@]}" read 1/5+0 "$T/x"
expect_rc 2 "$Q" "${S[@]}" write --storage floppy 0/0+1 "$T/img"
expect_rc 2 "$Q" "${S[@]}" peek 0x14680000 0
expect_rc 2 "$Q" "${S[@]}" poke 0x14680000 xyz
# the device says no: exit 1 with its reason
expect_rc 1 "$Q" "${S[@]}" read 5/0+1 "$T/x"
grep -q "does not exist" "$T/err" || fail "unknown LUN: $(cat "$T/err")"
expect_rc 1 "$Q" "${S[@]}" read 1/16000+1000 "$T/x"
grep -q "beyond the end" "$T/err" || fail "out of range: $(cat "$T/err")"
expect_rc 1 "$Q" "${S[@]}" peek 0x1000 4
grep -q "outside accessible memory" "$T/err" || fail "peek outside: $(cat "$T/err")"
expect_rc 1 "$Q" "${S[@]}" nop --storage emmc
grep -q "MemoryName" "$T/err" || fail "wrong storage: $(cat "$T/err")"
expect_rc 0 "$Q" "${S[@]}" --json reset
grep -q '"event":"power","value":"reset"' "$T/u.ev" || fail "reset: $(tail -1 "$T/u.ev")"
kill "$SIMPID"

# ---- over a pty, with a small payload, split answers and late logs ----
start_sim_pty p --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/p.disk" --max-payload 64K --xml-split 13 --late-logs
P=(-d "tty:$T/p.tty")
expect_rc 0 timeout 60 "$Q" "${P[@]}" --json write 0/10+800 "$T/img"
[ "$(jget "$T/out" 'j["verified"]')" = sha256 ] || fail "pty write: $(cat "$T/out")"
grep -q '"max_payload":65536' "$T/p.ev" || fail "payload not negotiated down to 64K: $(head -2 "$T/p.ev")"
wait_exit "$SIMPID"
start_sim_pty p2 --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/p.disk" --no-digest
expect_rc 0 timeout 60 "$Q" -d "tty:$T/p2.tty" --json read 0/10+733 "$T/pback"
cmp -s -n 3000000 "$T/img" "$T/pback" || fail "pty read back differs"
wait_exit "$SIMPID"

# ---- verification ----
# no digests: read back
start_sim nd --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/nd.disk" --no-digest
expect_rc 0 "$Q" -d "unix:$T/nd.sock" --json write 0/0+733 "$T/img"
[ "$(jget "$T/out" 'j["verified"]')" = readback ] || fail "read-back verify: $(cat "$T/out")"
wait_exit "$SIMPID"
# wrong data on the storage: named, with its sector, exit 1
start_sim c --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/c.disk" --fault corrupt:program
expect_rc 1 "$Q" -d "unix:$T/c.sock" write 0/40+733 "$T/img"
grep -q "verify failed: 0/40+733 (LUN 0, sectors 40..772) differs .* at sector 406" "$T/err" ||
	fail "verify mismatch: $(cat "$T/err")"
wait_exit "$SIMPID"

# ---- failures in the middle ----
start_sim dc --mode firehose --luns 1 --lun-size 64M --disk-dir "$T/dc.disk" --fault rx:disconnect@5000000
head -c 20000000 /dev/urandom >"$T/big"
expect_rc 1 "$Q" -d "unix:$T/dc.sock" write 0/0+5000 "$T/big"
grep -q "disconnected.*of 20000768 bytes" "$T/err" || fail "disconnect mid-write: $(cat "$T/err")"
wait_exit "$SIMPID"
grep -q '"complete":false' "$T/dc.ev" || fail "the simulator did not record a partial program"
start_sim g --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/g.disk" --fault garbage-xml
expect_rc 1 "$Q" -d "unix:$T/g.sock" nop
grep -qi "malformed XML" "$T/err" || fail "garbage: $(cat "$T/err")"
"$QCBOX_SIM" --mode firehose --listen "unix:$T/st.sock" --fault stall@0 >/dev/null 2>&1 &
SIMPIDS="$SIMPIDS $!"
for _ in $(seq 100); do [ -S "$T/st.sock" ] && break; sleep 0.025; done
expect_rc 1 "$Q" -d "unix:$T/st.sock" --timeout 300 nop
grep -q "no response to <configure> within 300 ms" "$T/err" || fail "stall: $(cat "$T/err")"
expect_rc 3 "$Q" -d "unix:$T/nothing.sock" nop

# ---- a flat build: GPT, patches, an absent image ----
python3 "$here/mkgpt.py" "$T/fb" 4096 2048 || fail "mkgpt"
# --dry-run is plan: nothing touches a device
expect_rc 0 "$Q" --json flash --dry-run "$T/fb/rawprogram0.xml" "$T/fb/patch0.xml"
[ "$(jget "$T/out" '(len(j["programs"]), j["patches"], j["missing_files"])')" = "(5, 7, ['gone.img'])" ] ||
	fail "dry run: $(cat "$T/out")"
expect_rc 2 "$Q" -d "unix:$T/nothing.sock" flash --strict "$T/fb/rawprogram0.xml" "$T/fb/patch0.xml"
grep -q "gone.img" "$T/err" || fail "--strict did not name the absent file"
start_sim f --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/f.disk"
expect_rc 0 "$Q" -d "unix:$T/f.sock" --json flash "$T/fb/rawprogram0.xml" "$T/fb/patch0.xml"
[ "$(jget "$T/out" '(j["images"], j["patches"], j["missing_files"])')" = "(5, 7, ['gone.img'])" ] ||
	fail "flash: $(cat "$T/out")"
grep -q "gone.img for 'gone' (LUN 0) is absent; skipped" "$T/err" || fail "absent file not reported: $(cat "$T/err")"
wait_exit "$SIMPID"
[ "$(evsum "$T/f.ev" patch size)" = 40 ] || fail "patch events: $(grep patch "$T/f.ev" | head -3)"
start_sim f2 --mode firehose --persist --luns 1 --lun-size 16M --disk-dir "$T/f.disk"
F=(-d "unix:$T/f2.sock")
expect_rc 0 "$Q" "${F[@]}" --json gpt
[ "$(jget "$T/out" '[(l["has_gpt"], l["header_crc_ok"], l["entries_crc_ok"], l["disk_sectors"], [p["name"] for p in l["partitions"]]) for l in j["luns"]]')" = \
	"[(True, True, True, 4096, ['boot_a', 'boot_b', 'data'])]" ] || fail "gpt after flash: $(cat "$T/out")"
expect_rc 0 "$Q" "${F[@]}" read boot_a "$T/boot"
cmp -s -n 3000 "$T/boot" "$T/fb/boot_a.img" || fail "boot_a read back"
expect_rc 0 "$Q" "${F[@]}" sha256 0/data
expect_rc 0 "$Q" "${F[@]}" write boot_b "$T/fb/boot_a.img"
expect_rc 0 "$Q" "${F[@]}" erase data
expect_rc 2 "$Q" "${F[@]}" write boot_b "$T/img"
grep -q "does not fit boot_b (4 sectors)" "$T/err" || fail "too big for partition: $(cat "$T/err")"
expect_rc 1 "$Q" "${F[@]}" read 0/nosuch "$T/x"
grep -q "LUN 0 has no partition 'nosuch' (it has boot_a, boot_b, data)" "$T/err" || fail "unknown name: $(cat "$T/err")"
# backup, then restore into a blank device: the same disk
expect_rc 0 "$Q" "${F[@]}" --json backup "$T/bk"
[ "$(jget "$T/out" 'len(j["partitions"])')" = 3 ] || fail "backup: $(cat "$T/out")"
kill "$SIMPID"
start_sim r --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/r.disk"
expect_rc 0 "$Q" -d "unix:$T/r.sock" flash --strict "$T/bk"
wait_exit "$SIMPID"
cmp -s "$T/f.disk/lun0.img" "$T/r.disk/lun0.img" || fail "restored disk differs from the backed-up one"

# a partition whose data comes back wrong is named, with the sector
start_sim cv --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/f.disk" --fault corrupt:program
head -c 16000 /dev/urandom >"$T/16k"
expect_rc 1 "$Q" -d "unix:$T/cv.sock" write boot_a "$T/16k"
grep -q "verify failed: boot_a (LUN 0, sectors 3..6) differs from the data written at sector 5" "$T/err" ||
	fail "named verify mismatch: $(cat "$T/err")"
wait_exit "$SIMPID"

# NAK in the middle of a flash: what was written is reported, exit 1
start_sim n --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/n.disk" --fault nak:program:3
expect_rc 1 "$Q" -d "unix:$T/n.sock" flash "$T/fb/rawprogram0.xml" "$T/fb/patch0.xml"
grep -q "flashing stopped at .*rawprogram0.xml line 5 'boot_b'; 2 of 5 images were written before it" "$T/err" ||
	fail "NAK mid-flash: $(cat "$T/err")"
grep -q "written before the failure: PrimaryGPT boot_a" "$T/err" || fail "written list: $(cat "$T/err")"
wait_exit "$SIMPID"
# a build laid out beyond the disk: refused before anything is written
mkdir -p "$T/fb2" && cp "$T/fb/boot_a.img" "$T/fb2/"
cat >"$T/fb2/rawprogram0.xml" <<EOF
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="4096" filename="boot_a.img" label="one" num_partition_sectors="4" physical_partition_number="0" start_sector="10"/>
  <program SECTOR_SIZE_IN_BYTES="4096" filename="boot_a.img" label="far" num_partition_sectors="4" physical_partition_number="0" start_sector="NUM_DISK_SECTORS+10"/>
</data>
EOF
start_sim b --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/b.disk"
expect_rc 2 "$Q" -d "unix:$T/b.sock" flash "$T/fb2/rawprogram0.xml"
grep -q "far" "$T/err" || fail "beyond the disk: $(cat "$T/err")"
wait_exit "$SIMPID"
[ "$(evsum "$T/b.ev" program sectors)" = 0 ] || fail "a refused build wrote something"

# ---- a sparse image: only RAW and FILL data goes out ----
if command -v img2simg >/dev/null; then
	{ head -c 1048576 /dev/urandom; head -c 4194304 /dev/zero; head -c 8192 /dev/urandom; } >"$T/raw.img"
	img2simg "$T/raw.img" "$T/sparse.img" >/dev/null
	start_sim sp --mode firehose --luns 1 --lun-size 16M --disk-dir "$T/sp.disk"
	expect_rc 0 "$Q" -d "unix:$T/sp.sock" --json write 0/8 "$T/sparse.img"
	[ "$(jget "$T/out" '(j["sparse"], j["verified"])')" = "(True, 'sha256')" ] || fail "sparse write: $(cat "$T/out")"
	wait_exit "$SIMPID"
	cmp -s "$T/raw.img" <(tail -c +$((8 * 4096 + 1)) "$T/sp.disk/lun0.img" | head -c 5251072) ||
		fail "sparse image expanded wrongly on the device"
else
	echo "note: img2simg not installed; sparse check skipped"
fi

# ---- through Sahara: the programmer is uploaded first, then found running ----
"$QCBOX_BUILD/qcbox-mkflat" -q "$T/mk" || fail "qcbox-mkflat"
python3 "$QCBOX_SRC/tests/sahara/mkelf.py" "$T/mk/prog.elf" --size 65536 || fail "mkelf"
start_sim sa --mode sahara --persist --luns 3 --lun-size 64M --disk-dir "$T/sa.disk"
expect_rc 2 "$Q" -d "unix:$T/sa.sock" nop
grep -q "Sahara mode .* give it with --loader" "$T/err" || fail "Sahara without a programmer: $(cat "$T/err")"
(cd "$T/mk" && "$Q" -d "unix:$T/sa.sock" --json flash --no-reset prog.elf rawprogram*.xml patch*.xml) >"$T/out" 2>"$T/err" ||
	fail "flash through Sahara: $(tail -2 "$T/err")"
grep -q '"event":"sahara_image"' "$T/sa.ev" || fail "no Sahara upload"
[ "$(jget "$T/out" '(j["images"], j["bootable_lun"])')" = "(10, 1)" ] || fail "flash: $(cat "$T/out")"
# the programmer is still running: Sahara is skipped, even with --loader
expect_rc 0 "$Q" -d "unix:$T/sa.sock" -v --json gpt --loader "$T/mk/prog.elf"
grep -q "already running" "$T/err" || fail "running programmer not detected: $(cat "$T/err")"
[ "$(grep -c '"event":"sahara_image"' "$T/sa.ev")" = 1 ] || fail "the programmer was uploaded twice"
expect_rc 0 "$Q" -d "unix:$T/sa.sock" read boot_a "$T/mkboot"
cmp -s -n "$(stat -c %s "$T/mk/boot.img")" "$T/mkboot" "$T/mk/boot.img" || fail "boot_a after a Sahara flash"
expect_rc 0 "$Q" -d "unix:$T/sa.sock" reset --to edl
expect_rc 0 "$Q" -d "unix:$T/sa.sock" reset
kill "$SIMPID"
if [ -f "$QCBOX_SHARED/acceptance/flatcheck.py" ]; then
	python3 "$QCBOX_SHARED/acceptance/flatcheck.py" "$T/mk" "$T/sa.disk" --sector-size 4096 >"$T/fc" ||
		fail "flatcheck of the generated build: $(head -c 600 "$T/fc")"
fi

# ---- the real vendor build, when ../shared is here ----
if [ -d "$QCBOX_SHARED/fixtures/flatbuild-rubikpi3" ]; then
	R=$QCBOX_SHARED/fixtures/flatbuild-rubikpi3
	start_sim rb --mode sahara --luns 7 --lun-size 2G --disk-dir "$T/rb.disk"
	(cd "$R" && "$Q" -d "unix:$T/rb.sock" -q flash --storage ufs prog_firehose_ddr.elf rawprogram*.xml patch*.xml) \
		2>"$T/err" || fail "rubik flash: $(tail -2 "$T/err")"
	wait_exit "$SIMPID"
	if [ -f "$QCBOX_SHARED/acceptance/flatcheck.py" ]; then
		python3 "$QCBOX_SHARED/acceptance/flatcheck.py" "$R" "$T/rb.disk" --sector-size 4096 >"$T/fc" ||
			fail "flatcheck: $(head -c 600 "$T/fc")"
	fi
else
	echo "note: ../shared/fixtures absent; the vendor flat build is not flashed"
fi
ok "firehose CLI"
