#!/bin/bash
# Streaming DLOAD through the real qcbox against the simulated programmer,
# over a unix socket and a pty: HELLO, open multi-image, windowed writes and
# reads that come back identical (checked against the LUN files too), other
# eMMC areas, byte addressing, reset; broken HELLO replies, refusals,
# damaged frames and bad arguments.
. "$QCBOX_SRC/tests/lib.sh"


head -c 1048576 /dev/urandom >"$T/img.bin"
head -c 100000 /dev/urandom >"$T/odd.bin"

# ----- unix socket: info, write, read back, the LUN file itself
start_sim e --mode sdload --storage emmc --luns 3 --lun-size 8M --disk-dir "$T/disk" --persist
E="-d unix:$T/e.sock"
expect_rc 0 timeout 10 "$QCBOX" $E --json sdload info
[ "$(jget "$T/out" '(j["magic"], j["window_size"], j["max_block_size"], j["sector_addressing"], j["sector_sizes"])')" = \
	"('QCOM fast download protocol targ', 8, 1024, True, [512])" ] || fail "sdload info: $(cat "$T/out")"
jget "$T/out" 'j["feature_names"]' | grep -q sector_addresses || fail "feature names: $(cat "$T/out")"
expect_rc 0 timeout 30 "$QCBOX" $E --json sdload write 0/100 "$T/img.bin"
[ "$(jget "$T/out" '(j["image_type"], j["sectors"], j["window"], j["max_outstanding"], j["resent"])')" = \
	"('emmc_user', 2048, 8, 8, 0)" ] || fail "sdload write: $(cat "$T/out")"
expect_rc 0 timeout 30 "$QCBOX" $E sdload read 0/100+2048 "$T/back.bin"
cmp -s "$T/img.bin" "$T/back.bin" || fail "read back differs"
cmp -s "$T/img.bin" <(dd if="$T/disk/lun0.img" bs=512 skip=100 count=2048 2>/dev/null) ||
	fail "the bytes are not at sector 100 of lun0.img"
grep -q '"event":"program","lun":0,"start":100,"sectors":2048,"sector_size":512,"image_type":"emmc_user"' "$T/e.ev" ||
	fail "program event: $(cat "$T/e.ev")"
# another area (boot1 = LUN 2), chosen by LUN and by name
expect_rc 0 timeout 30 "$QCBOX" $E sdload write 2/8 "$T/odd.bin"
grep -q "not a whole number of 512-byte sectors: the last sector is padded with zeros" "$T/err" ||
	fail "padding not reported: $(cat "$T/err")"
expect_rc 0 timeout 30 "$QCBOX" $E sdload read --image-type emmc_boot1 0/8+196 "$T/odd.back"
cmp -s -n 100000 "$T/odd.bin" "$T/odd.back" || fail "boot1 read back differs"
[ "$(tail -c 352 "$T/odd.back" | tr -d '\0' | wc -c)" = 0 ] || fail "padding is not zeros"
cmp -s -n 100000 "$T/odd.bin" <(dd if="$T/disk/lun2.img" bs=512 skip=8 2>/dev/null) || fail "boot1 is not lun2.img"
# a window of one, and byte addresses
expect_rc 0 timeout 30 "$QCBOX" $E --json sdload write --window 1 --byte-addressing 1/0 "$T/odd.bin"
[ "$(jget "$T/out" '(j["image_type"], j["window"], j["max_outstanding"], j["sector_addressing"])')" = \
	"('emmc_boot0', 1, 1, False)" ] || fail "window 1, byte addressing: $(cat "$T/out")"
expect_rc 0 timeout 30 "$QCBOX" $E sdload read --byte-addressing --block 4096 1/0+196 "$T/odd.back2"
cmp -s -n 100000 "$T/odd.bin" "$T/odd.back2" || fail "byte-addressed read back differs"
expect_rc 0 timeout 10 "$QCBOX" $E sdload nop
expect_rc 0 timeout 10 "$QCBOX" $E --json sdload ecc on
[ "$(jget "$T/out" 'j["ecc"]')" = True ] || fail "ecc: $(cat "$T/out")"
# bad arguments: exit 2 with the reason
expect_rc 2 "$QCBOX" $E sdload write 0 "$T/img.bin"
grep -q "expected LUN/START" "$T/err" || fail "bad target: $(cat "$T/err")"
expect_rc 2 "$QCBOX" $E sdload read 0/5 "$T/x"
expect_rc 2 "$QCBOX" $E sdload write 9/0 "$T/img.bin"
expect_rc 2 "$QCBOX" $E sdload write --image-type user 1/0 "$T/img.bin"
grep -q "LUN 1 is emmc_boot0, but --image-type says emmc_user" "$T/err" || fail "LUN/type clash: $(cat "$T/err")"
expect_rc 2 "$QCBOX" $E sdload write --image-type nonsense 0/0 "$T/img.bin"
expect_rc 2 "$QCBOX" $E sdload write 0/0 "$T/missing.bin"
expect_rc 2 "$QCBOX" $E sdload write --window 0 0/0 "$T/img.bin"
expect_rc 2 "$QCBOX" $E sdload erase
grep -q "add --yes" "$T/err" || fail "erase without --yes: $(cat "$T/err")"
expect_rc 2 "$QCBOX" sdload
# refusals: exit 1 naming the packet and the programmer's reason
expect_rc 1 timeout 30 "$QCBOX" $E sdload write 0/16380 "$T/img.bin"
grep -q "refused STREAM_WRITE of 1024 bytes at sector 16384 (byte 2048 of img.bin): invalid destination address (0x02)" "$T/err" ||
	fail "write past the end: $(cat "$T/err")"
expect_rc 1 timeout 30 "$QCBOX" $E sdload write 4/0 "$T/odd.bin"
grep -q "no emmc_gpp2 partition" "$T/err" || fail "missing partition: $(cat "$T/err")"
expect_rc 1 timeout 10 "$QCBOX" $E sdload poweroff
grep -q "power-off not supported (0x15)" "$T/err" || fail "poweroff: $(cat "$T/err")"
expect_rc 0 timeout 10 "$QCBOX" $E sdload reset
grep -q '"event":"sdload_reset"' "$T/e.ev" || fail "no reset event"

# ----- over a pty, 3 MiB at 0/100 as the acceptance check does
head -c 3145728 /dev/urandom >"$T/big.bin"
start_sim_pty p --mode sdload --storage emmc --luns 1 --lun-size 64M --persist
P="-d tty:$T/p.tty"
expect_rc 0 timeout 10 "$QCBOX" $P sdload info
grep -q "window: *8 packets" "$T/out" || fail "pty info: $(cat "$T/out")"
expect_rc 0 timeout 60 "$QCBOX" $P sdload write 0/100 "$T/big.bin"
expect_rc 0 timeout 60 "$QCBOX" $P sdload read 0/100+6144 "$T/big.back"
cmp -s "$T/big.bin" "$T/big.back" || fail "pty: read back differs"
expect_rc 0 timeout 10 "$QCBOX" $P sdload reset

# ----- damaged and lost frames both ways are sent again
start_sim l --mode sdload --storage emmc --luns 1 --lun-size 8M --persist \
	--fault tx:flip-bit@300 --fault tx:drop-byte@900 --fault rx:flip-bit@20000 --fault rx:drop-byte@400000
L="-d unix:$T/l.sock --timeout 400"
expect_rc 0 timeout 30 "$QCBOX" $L --json sdload write 0/0 "$T/img.bin"
[ "$(jget "$T/out" 'j["resent"] > 0')" = True ] || fail "no packet was sent again: $(cat "$T/out")"
expect_rc 0 timeout 30 "$QCBOX" $L sdload read 0/0+2048 "$T/back.bin"
cmp -s "$T/img.bin" "$T/back.bin" || fail "read back after losses differs"

# ----- broken programmers
for f in "--fault hello:bad-magic|magic is \"QCOM fast download protocol host\", not" \
	"--fault hello:huge-block|offers a block size of 1073741824 bytes" \
	"--fault hello:truncated|1 sector sizes at offset" \
	"--sdload-window 0|window of 0 packets"; do
	start_sim b --mode sdload --storage emmc --luns 1 --lun-size 1M ${f%%|*}
	expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/b.sock" sdload info
	grep -q "${f#*|}" "$T/err" || fail "${f%%|*}: $(cat "$T/err")"
	wait_exit "$SIMPID"
	rm -f "$T/b.sock"
done
start_sim n --mode sdload --storage emmc --luns 1 --lun-size 8M --fault nak:write --fault-after 100
expect_rc 1 timeout 30 "$QCBOX" -d "unix:$T/n.sock" sdload write 0/10 "$T/img.bin"
grep -q "refused STREAM_WRITE of 1024 bytes at sector 208 (byte 101376 of img.bin): operation failed (0x07) (\"Write unsuccessful\")" "$T/err" ||
	fail "NAK mid-stream: $(cat "$T/err")"
wait_exit "$SIMPID"
start_sim s --mode sdload --storage emmc --luns 1 --lun-size 1M --fault tx:flip-bit@10 --fault tx:flip-bit@80 --fault tx:flip-bit@150
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/s.sock" --timeout 300 sdload info
grep -q "the answer to Streaming DLOAD HELLO failed its CRC" "$T/err" || fail "damaged HELLO replies: $(cat "$T/err")"
wait_exit "$SIMPID"
expect_rc 3 "$QCBOX" -d "unix:$T/none.sock" sdload info
ok "sdload CLI"
