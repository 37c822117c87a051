#!/bin/bash
# qcbox plan and qcbox sparse through the real binary: the demo flat build
# and (when present) the RUBIK Pi 3 vendor build checked against their own
# XML, sparse images from img2simg and from qcbox, and bad input of every
# kind with one clear sentence and the contract's exit code.
. "$QCBOX_SRC/tests/lib.sh"
MKFLAT=$QCBOX_BUILD/qcbox-mkflat

# Compares plan --json ($T/out) with the XML files of a build directory.
# Checked: every <program> with a present file is listed, in order, with
# its LUN, start, sectors (file size rounded up, sparse images expanded),
# file and label; DISK patches are counted; absent files are named.
check_plan() {
	python3 - "$1" "$T/out" <<'PY' || fail "plan of $1 disagrees with its XML"
import glob, json, os, re, struct, sys, xml.etree.ElementTree as ET
d, plan = sys.argv[1], json.load(open(sys.argv[2]))
nat = lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p)]
want, missing, disk = [], set(), 0
for f in sorted(glob.glob(os.path.join(d, "rawprogram*.xml")), key=nat):
    for p in ET.parse(f).getroot().iter("program"):
        name = p.get("filename", "")
        if not name:
            continue
        path = os.path.join(d, name)
        if not os.path.exists(path):
            missing.add(name)
            continue
        ss = int(p.get("SECTOR_SIZE_IN_BYTES"))
        data = open(path, "rb").read(28)
        if p.get("sparse") == "true" and data[:4] == b"\x3a\xff\x26\xed":
            blk, blocks = struct.unpack_from("<II", data, 12)
            size = blk * blocks
        else:
            size = os.path.getsize(path)
        start = p.get("start_sector")
        start = int(start.rstrip(".")) if start.rstrip(".").isdigit() else start
        want.append({"lun": int(p.get("physical_partition_number")), "start_sector": start,
                     "sectors": -(-size // ss), "file": path, "label": p.get("label")})
for f in glob.glob(os.path.join(d, "patch*.xml")):
    disk += sum(1 for p in ET.parse(f).getroot().iter("patch") if p.get("filename") == "DISK")
got = [{k: e[k] for k in ("lun", "start_sector", "sectors", "file", "label")} for e in plan["programs"]]
if got != want:
    for a, b in zip(got, want):
        if a != b:
            sys.exit(f"first difference: plan {a} vs XML {b}")
    sys.exit(f"{len(got)} programs in the plan, {len(want)} in the XML")
if plan["patches"] != disk:
    sys.exit(f"plan has {plan['patches']} DISK patches, the files {disk}")
if set(plan["missing_files"]) != missing:
    sys.exit(f"missing {plan['missing_files']} vs {sorted(missing)}")
PY
}

# --- the demo build (no fixtures needed) ---
"$MKFLAT" -q "$T/demo" || fail "qcbox-mkflat failed"
expect_rc 0 "$QCBOX" --json plan "$T"/demo/rawprogram*.xml "$T"/demo/patch*.xml
check_plan "$T/demo"
[ "$(jget "$T/out" 'j["bootable_lun"]')" = 1 ] || fail "demo: bootable LUN $(jget "$T/out" 'j["bootable_lun"]')"
[ "$(jget "$T/out" '[p["sparse_programs"] for p in j["programs"] if p["sparse"]]')" = "[4]" ] ||
	fail "demo: the sparse image should become 4 programs (2 RAW and 2 FILL chunks)"
grep -q "vendor.img" "$T/err" || fail "demo: the absent vendor.img is not named on stderr"
ok "plan of the demo build matches its XML"
# a directory stands for its XML files; a programmer among the files is noted
expect_rc 0 "$QCBOX" --json plan "$T/demo/prog_firehose_demo.elf" "$T/demo"
check_plan "$T/demo"
[ "$(jget "$T/out" 'j["programmer"]')" = "$T/demo/prog_firehose_demo.elf" ] || fail "programmer not reported"
# patch files before rawprogram files on the command line: same plan
expect_rc 0 "$QCBOX" --json plan "$T"/demo/patch*.xml "$T"/demo/rawprogram*.xml
check_plan "$T/demo"
# --strict: absent files are an error
expect_rc 2 "$QCBOX" plan --strict "$T/demo"
grep -q "vendor.img.*--strict" "$T/err" || fail "--strict: $(cat "$T/err")"
# NUM_DISK_SECTORS resolved with --lun-size, per LUN with --disk-sectors
expect_rc 0 "$QCBOX" --json plan --lun-size 64M --disk-sectors 2=5000 "$T/demo"
[ "$(jget "$T/out" '[p["start_sector"] for p in j["programs"] if p["label"] == "BackupGPT"]')" = "[16379, 16379, 4995]" ] ||
	fail "--lun-size/--disk-sectors: $(jget "$T/out" '[p["start_sector"] for p in j["programs"]]')"
expect_rc 2 "$QCBOX" plan --lun-size 64K "$T/demo"
grep -q "disk has 16 sectors" "$T/err" || fail "a too-small LUN: $(cat "$T/err")"
# human output
expect_rc 0 "$QCBOX" plan "$T/demo"
grep -q "bootable LUN: 1" "$T/out" && grep -q "system.simg (sparse)" "$T/out" || fail "human output: $(cat "$T/out")"

# --- the vendor build ---
if [ -d "$QCBOX_SHARED/fixtures/flatbuild-rubikpi3" ]; then
	F=$QCBOX_SHARED/fixtures/flatbuild-rubikpi3
	expect_rc 0 "$QCBOX" --json plan "$F"/rawprogram*.xml "$F"/patch*.xml
	check_plan "$F"
	[ "$(jget "$T/out" 'sorted(j["missing_files"])')" = "['UBUNTU_IMAGE', 'dtb.bin', 'uefi.elf']" ] ||
		fail "rubikpi: missing $(jget "$T/out" 'j["missing_files"]')"
	[ "$(jget "$T/out" 'j["bootable_lun"]')" = 1 ] || fail "rubikpi: bootable LUN"
	ok "plan of the RUBIK Pi 3 build matches its XML"
else
	echo "fixtures absent: vendor build not checked"
fi

# --- bad flat builds: exit 2, the file named ---
printf '<data>\n<program SECTOR_SIZE_IN_BYTES="4096" start_sector="6"\n' >"$T/trunc.xml"
expect_rc 2 "$QCBOX" plan "$T/trunc.xml"
grep -q "trunc.xml line" "$T/err" || fail "malformed XML: $(cat "$T/err")"
printf '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY e "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">]><data><program label="&g;" SECTOR_SIZE_IN_BYTES="512" num_partition_sectors="1" start_sector="1"/></data>' >"$T/lol.xml"
expect_rc 2 timeout 10 "$QCBOX" plan "$T/lol.xml"
grep -q "lol.xml" "$T/err" || fail "entity bomb: $(cat "$T/err")"
printf '<data><program SECTOR_SIZE_IN_BYTES="512" num_partition_sectors="1" start_sector="(NUM_DISK_SECTORS-1)/0" filename=""/></data>' >"$T/div.xml"
expect_rc 2 "$QCBOX" plan --lun-size 1M "$T/div.xml"
grep -q "division by zero" "$T/err" || fail "division by zero: $(cat "$T/err")"
printf '<data><program SECTOR_SIZE_IN_BYTES="512" num_partition_sectors="1" start_sector="9999999999999999999999"/></data>' >"$T/big.xml"
expect_rc 2 "$QCBOX" plan "$T/big.xml"
grep -q "big.xml line 1" "$T/err" || fail "absurd number: $(cat "$T/err")"
head -c 5000 /dev/urandom >"$T/img.bin"
printf '<data><program SECTOR_SIZE_IN_BYTES="4096" num_partition_sectors="1" start_sector="8" filename="img.bin" label="tiny"/></data>' >"$T/rawprogram9.xml"
expect_rc 2 "$QCBOX" --json plan "$T/rawprogram9.xml"
grep -q "'tiny'.*bigger than its partition" "$T/err" || fail "oversized image: $(cat "$T/err")"
jget "$T/out" 'j["error"]' | grep -q "img.bin" || fail "--json error object: $(cat "$T/out")"
expect_rc 2 "$QCBOX" plan "$T/img.bin"
grep -q "img.bin is not a rawprogram or patch XML" "$T/err" || fail "non-XML: $(cat "$T/err")"
expect_rc 2 "$QCBOX" plan "$T/absent.xml"
grep -q "absent.xml" "$T/err" || fail "absent file: $(cat "$T/err")"
expect_rc 2 "$QCBOX" plan
expect_rc 2 "$QCBOX" plan --lun-size 12Q "$T/demo"
ok "bad flat builds refused with exit 2"

# --- sparse ---
python3 - "$T/raw.img" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    f.write(os.urandom(3 * 4096)); f.write(bytes(5 * 4096)); f.write(b"\x11\x22\x33\x44" * 2048)
    f.write(os.urandom(4096 + 123))
PY
if command -v img2simg >/dev/null; then
	img2simg "$T/raw.img" "$T/a.simg" >/dev/null 2>&1 || fail "img2simg failed"
	expect_rc 0 "$QCBOX" --json sparse info "$T/a.simg"
	[ "$(jget "$T/out" '(j["block_size"], j["total_blocks"], j["raw"], j["fill"], j["dont_care"], j["raw_bytes"], j["fill_bytes"])')" = \
		"(4096, 12, 2, 2, 0, 20480, 28672)" ] || fail "sparse info of img2simg output: $(cat "$T/out")"
	expect_rc 0 "$QCBOX" -q sparse unsparse "$T/a.simg" "$T/a.raw"
	cmp -n "$(stat -c %s "$T/raw.img")" "$T/raw.img" "$T/a.raw" || fail "unsparse of img2simg output differs"
	ok "img2simg output read and expanded"
else
	echo "img2simg absent: skipped its part"
fi
expect_rc 0 "$QCBOX" sparse make --dont-care-zeros --crc "$T/raw.img" "$T/b.simg"
expect_rc 0 "$QCBOX" --json sparse info --chunks "$T/b.simg"
[ "$(jget "$T/out" '(j["dont_care"], j["crc32"], j["crc_ok"], [c["type"] for c in j["chunk_list"]])')" = \
	"(1, 1, True, ['raw', 'dont_care', 'fill', 'raw', 'crc32'])" ] || fail "sparse info --chunks: $(cat "$T/out")"
expect_rc 0 "$QCBOX" sparse info "$T/b.simg"
grep -q "CRC          ok" "$T/out" || fail "human sparse info: $(cat "$T/out")"
expect_rc 0 "$QCBOX" --json sparse unsparse "$T/b.simg" "$T/b.raw"
[ "$(jget "$T/out" 'j["bytes"]')" = $((12 * 4096)) ] || fail "unsparse --json: $(cat "$T/out")"
cmp -n "$(stat -c %s "$T/raw.img")" "$T/raw.img" "$T/b.raw" || fail "unsparse of qcbox's sparse image differs"
# the DONT_CARE run is a hole in the output
[ "$(stat -c %b "$T/b.raw")" -lt $((12 * 8)) ] || echo "note: the file system did not keep the hole"
ok "sparse make/info/unsparse round trip with CRC and DONT_CARE"

# --- bad sparse images ---
python3 - "$T" <<'PY'
import struct, sys
t = sys.argv[1]
hdr = lambda blk, blocks, chunks, magic=0xed26ff3a: struct.pack("<IHHHHIIII", magic, 1, 0, 28, 12, blk, blocks, chunks, 0)
open(t + "/magic.simg", "wb").write(hdr(4096, 1, 1, 0x12345678) + struct.pack("<HHII", 0xcac3, 0, 1, 12))
open(t + "/sizes.simg", "wb").write(hdr(4096, 2, 1) + struct.pack("<HHII", 0xcac1, 0, 2, 12 + 4096) + bytes(4096))
open(t + "/count.simg", "wb").write(hdr(4096, 3, 1) + struct.pack("<HHII", 0xcac3, 0, 2, 12))
open(t + "/trunc.simg", "wb").write(hdr(4096, 1, 1) + struct.pack("<HHII", 0xcac1, 0, 1, 12 + 4096) + bytes(100))
crc = hdr(16, 1, 2) + struct.pack("<HHII", 0xcac1, 0, 1, 28) + bytes(16) + struct.pack("<HHIII", 0xcac4, 0, 0, 16, 1234)
open(t + "/crc.simg", "wb").write(crc)
PY
for f in magic:magic sizes:total_sz count:total_blks trunc:truncated; do
	expect_rc 2 "$QCBOX" sparse info "$T/${f%%:*}.simg"
	grep -q "${f%%:*}.simg.*${f#*:}" "$T/err" || fail "bad sparse ${f%%:*}: $(cat "$T/err")"
	expect_rc 2 "$QCBOX" sparse unsparse "$T/${f%%:*}.simg" "$T/x.raw"
done
expect_rc 2 "$QCBOX" --json sparse info "$T/crc.simg"
grep -q "CRC32 chunk says" "$T/err" || fail "bad CRC chunk: $(cat "$T/err")"
expect_rc 2 "$QCBOX" sparse unsparse "$T/crc.simg" "$T/x.raw"
expect_rc 2 "$QCBOX" sparse info "$T/raw.img"
grep -q "not an Android sparse image" "$T/err" || fail "raw file as sparse: $(cat "$T/err")"
expect_rc 2 "$QCBOX" sparse info "$T/nonexistent.simg"
expect_rc 1 "$QCBOX" sparse unsparse "$T/b.simg" "$T/no/such/dir/out.raw"
expect_rc 2 "$QCBOX" sparse info
expect_rc 2 "$QCBOX" sparse frobnicate
expect_rc 2 "$QCBOX" sparse make --block-size 3 "$T/raw.img" "$T/c.simg"
ok "bad sparse images refused with exit 2"
