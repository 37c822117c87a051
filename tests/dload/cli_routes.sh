#!/bin/bash
# Both legacy routes end to end through the CLI, over a unix socket and a
# pty: DIAG -> to-dload -> programmer upload (Intel HEX, then MBN) ->
# streaming hello -> write -> read back identical -> reset; and Sahara ->
# legacy MBN programmer -> the same streaming session.
. "$QCBOX_SRC/tests/lib.sh"

sha() { sha256sum "$1" | cut -d' ' -f1; }
head -c 60000 /dev/urandom >"$T/prog.bin"
python3 - "$T/prog.bin" "$T/prog.hex" "$T/prog.mbn" <<'EOF2'
import struct, sys
data = open(sys.argv[1], 'rb').read()
base = 0x2A000000
out = []
def rec(t, a, d):
    b = bytes([len(d), a >> 8 & 0xff, a & 0xff, t]) + d
    out.append(':' + (b + bytes([-sum(b) & 0xff])).hex().upper())
for off in range(0, len(data), 16):
    a = base + off
    if off == 0 or a & 0xffff == 0:
        rec(4, 0, (a >> 16).to_bytes(2, 'big'))
    rec(0, a & 0xffff, data[off:off + 16])
rec(5, 0, base.to_bytes(4, 'big')); rec(1, 0, b'')
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
# legacy 80-byte MBN header: image at 0x08000000, image_size bytes after it
hdr = struct.pack('<20I', 0x844BDCD1, 0x73D71034, 0x0E, 0xffffffff, 0xffffffff, 0x50, 0x08000000,
                  len(data), len(data), 0, 0, 0, 0, 1, 1, *([0xffffffff] * 5))
open(sys.argv[3], 'wb').write(hdr + data)
EOF2
head -c 1048576 /dev/urandom >"$T/img.bin"

# streaming session on device D: hello, write at sector 100, read back, reset
streaming() {
	expect_rc 0 timeout 20 "$QCBOX" $1 --json sdload info
	jget "$T/out" 'j' | grep -q "QCOM fast download protocol" || fail "$2: sdload info: $(cat "$T/out")"
	expect_rc 0 timeout 30 "$QCBOX" $1 sdload write 0/100 "$T/img.bin"
	expect_rc 0 timeout 30 "$QCBOX" $1 sdload read 0/100+2048 "$T/back.bin"
	cmp -s "$T/img.bin" "$T/back.bin" || fail "$2: streaming read back differs"
	expect_rc 0 timeout 10 "$QCBOX" $1 sdload reset
}

for link in unix pty; do
	for prog in hex mbn; do
		name=$link-$prog
		if [ $link = unix ]; then
			start_sim $name --mode diag --persist --storage emmc --luns 1 --lun-size 8M
			D="-d unix:$T/$name.sock"
		else
			start_sim_pty $name --mode diag --persist --storage emmc --luns 1 --lun-size 8M
			D="-d tty:$T/$name.tty"
		fi
		expect_rc 0 timeout 10 "$QCBOX" $D diag to-dload
		# the phone re-enumerates: wait for its new port
		for _ in $(seq 100); do [ -e "$T/$name.tty" ] || [ $link = unix ] && break; sleep 0.05; done
		expect_rc 0 timeout 30 "$QCBOX" $D dload load "$T/prog.$prog"
		if [ $prog = hex ]; then
			grep -q '"event":"dload_go","address":704643072,"bytes":60000,"sha256":"'"$(sha "$T/prog.bin")" "$T/$name.ev" ||
				fail "$name: the HEX programmer did not land at 0x2A000000"
		else
			grep -q '"event":"dload_go","address":134217728,"bytes":60000,"sha256":"'"$(sha "$T/prog.bin")" "$T/$name.ev" ||
				fail "$name: the MBN programmer did not land at 0x08000000"
		fi
		streaming "$D" "$name"
		kill "$SIMPID"
	done
	# Sahara delivers the streaming programmer on MSM8960/8974-era chips
	if [ $link = unix ]; then
		start_sim s-$link --mode sahara --persist --storage emmc --luns 1 --lun-size 8M
		D="-d unix:$T/s-$link.sock"
	else
		start_sim_pty s-$link --mode sahara --persist --storage emmc --luns 1 --lun-size 8M
		D="-d tty:$T/s-$link.tty"
	fi
	expect_rc 0 timeout 30 "$QCBOX" $D sahara load "$T/prog.mbn"
	grep -q '"event":"sahara_image".*"sha256":"'"$(sha "$T/prog.mbn")" "$T/s-$link.ev" ||
		fail "sahara $link: the MBN did not arrive whole"
	streaming "$D" "sahara-$link"
	kill "$SIMPID"
done
ok "diag -> dload -> HEX/MBN -> streaming, and sahara -> MBN -> streaming, over unix and pty"
