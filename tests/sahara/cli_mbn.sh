#!/bin/bash
# qcbox mbn info: the real loaders (their certificates must agree with the
# HWID and PK-hash prefix bkerler's names give them), synthetic images of
# every hash segment version, damaged and foreign files.
. "$QCBOX_SRC/tests/lib.sh"
MKELF="python3 $QCBOX_SRC/tests/sahara/mkelf.py"

# synthetic images: every hash segment version, both classes, legacy MBN
for spec in "32 3" "32 5" "64 5" "64 6" "32 7" "64 7"; do
	set -- $spec
	$MKELF "$T/e.elf" --class "$1" --hashseg "$2" --size 3000 --sections
	expect_rc 0 "$QCBOX" --json mbn info "$T/e.elf"
	[ "$(jget "$T/out" '(j["format"], j["hash_segment_version"], j["hashes_ok"], j["signed"], j["pkhash"], j["image_end"])')" = \
		"('elf$1', $2, True, False, None, $(stat -c %s "$T/e.elf"))" ] || fail "elf$1 v$2: $(cat "$T/out")"
done
$MKELF "$T/l.mbn" --legacy80 --size 5000
expect_rc 0 "$QCBOX" --json mbn info "$T/l.mbn"
[ "$(jget "$T/out" '(j["format"], j["hash_segment_version"], j["hashes_ok"], j["hwid"], j["image_id"])')" = \
	"('mbn80', None, None, None, 13)" ] || fail "legacy MBN: $(cat "$T/out")"
# a damaged segment: reported, not an error
$MKELF "$T/bad.elf" --corrupt
expect_rc 0 "$QCBOX" --json mbn info "$T/bad.elf"
[ "$(jget "$T/out" '(j["hashes_ok"], j["bad_segments"], j["first_bad_segment"])')" = "(False, 1, 3)" ] ||
	fail "corrupt segment: $(cat "$T/out")"
grep -q "do not match the hash table" "$T/err" || fail "corrupt segment warning"
expect_rc 0 "$QCBOX" mbn info "$T/bad.elf"
grep -q "^hashes .*MISMATCH" "$T/out" || fail "human output: $(cat "$T/out")"
ok "synthetic ELF32/ELF64 with hash segments v3/v5/v6/v7, legacy MBN, damaged segment"

# bad input: one sentence naming the file, exit 2
head -c 5000 /dev/urandom >"$T/random.bin"
printf 'hello' >"$T/short.bin"
: >"$T/empty.bin"
head -c 3000 "$T/e.elf" >"$T/cut.elf"
for f in random.bin short.bin empty.bin cut.elf; do
	expect_rc 2 "$QCBOX" mbn info "$T/$f"
	grep -q "$f" "$T/err" || fail "$f not named: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$f: more than one line: $(cat "$T/err")"
done
expect_rc 2 "$QCBOX" --json mbn info "$T/nonexistent.mbn"
jget "$T/out" 'j["error"]' | grep -q nonexistent.mbn || fail "--json error"
expect_rc 2 "$QCBOX" mbn info "$T"
expect_rc 2 "$QCBOX" mbn info
expect_rc 2 "$QCBOX" mbn frob x
ok "bad files refused with one sentence"

need_fixtures
n=0
for f in "$FIX"/loaders/* "$FIX"/flatbuild-rubikpi3/prog_firehose_*.elf; do
	expect_rc 0 "$QCBOX" --json mbn info "$f"
	[ "$(jget "$T/out" 'all(k in j for k in ("format", "hash_segment_version", "hwid", "msm_id", "oem_id", "model_id", "pkhash", "signed", "hashes_ok")) and j["hashes_ok"] in (True, None)')" = True ] ||
		fail "$(basename "$f"): keys or hashes: $(cat "$T/out")"
	b=$(basename "$f")
	b=${b#*__}
	if [[ $b =~ ^([0-9a-f]{16})_([0-9a-f]{16})_ ]]; then
		cp "$f" "$T/neutral.bin"
		expect_rc 0 "$QCBOX" --json mbn info "$T/neutral.bin"
		[ "$(jget "$T/out" 'j["hwid"] + " " + j["pkhash"][:16]')" = "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" ] ||
			fail "$b: $(cat "$T/out")"
		n=$((n + 1))
	fi
done
[ $n -ge 3 ] || fail "only $n bkerler-named loaders checked"
# v6 programmer: SHA-384 of the SecTools test root, metadata identity
expect_rc 0 "$QCBOX" --json mbn info "$FIX/flatbuild-rubikpi3/prog_firehose_ddr.elf"
[ "$(jget "$T/out" '(j["format"], j["hash_segment_version"], j["hash_algorithm"], j["hwid_source"], j["soc_vers"], j["signed"], len(j["pkhash"]), j["certificates"][2]["subject_cn"])')" = \
	"('elf64', 6, 'sha384', 'metadata', ['6018'], True, 96, 'SECTOOLS SECP384R1 CURVE TEST ROOT')" ] ||
	fail "prog_firehose_ddr.elf: $(cat "$T/out")"
ok "every fixture loader; $n bkerler names agree with the certificates"
