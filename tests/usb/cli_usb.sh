#!/bin/bash
# The unmodified qcbox binary through real libusb: usbmock (under
# umockdev-wrapper) attaches fake Qualcomm devices whose bulk pipes lead to
# qcbox-sim, then runs qcbox.  Discovery and selection, Sahara info and load,
# a flat build flashed through Sahara + Firehose and read back,
# diag/efs/dload/sdload through libusb with 1 MiB read back, a timeout, unplugs
# during a read and a write, --wait across a re-enumeration, serial DIAG ports.
. "$QCBOX_SRC/tests/lib.sh"
[ -x "${UMOCKDEV_WRAPPER:-}" ] || skip "umockdev-wrapper is not installed (Debian package umockdev)"
LOG=$T/usb.log
# umockdev itself aborts now and then when it emits a late device's uevent
# ("cannot connect to client's event socket"), a race inside the testbed,
# not in qcbox: such a run is repeated, and only the last one's output kept.
mock() {
	local try rc
	for try in 1 2 3; do
		"$UMOCKDEV_WRAPPER" "$QCBOX_USBMOCK" --log "$LOG" "$@" >"$T/mock.out" 2>"$T/mock.err"
		rc=$?
		[ $rc -eq 134 ] && grep -q "cannot connect to client's event socket" "$T/mock.err" || break
		echo "note: umockdev lost a uevent race (try $try); running again" >&2
	done
	cat "$T/mock.out"
	cat "$T/mock.err" >&2
	return $rc
}
EDL='QUSB__BULK_CID:0402_SN:8C2A5B39'

# ----- list: every Qualcomm device with mode and serial, plus the DIAG tty
expect_rc 0 mock --dev "05c6:9008,product=$EDL,manufacturer=Qualcomm CDMA Technologies MSM" \
	--dev "05c6:900e,serial=d1a9,product=Qualcomm HS-USB Diagnostics 900E,driver=qcserial" \
	--dev "05c6:9025,serial=COMP1,product=Phone,tty=ttyUSB0,driver=qcserial" \
	--dev "18d1:4ee7,product=Pixel" -- "$QCBOX" --json list
[ "$(jget "$T/out" 'len(j["devices"])')" = 4 ] || fail "list: $(cat "$T/out")"
[ "$(jget "$T/out" '[(d["spec"], d["mode"], d["serial"]) for d in j["devices"]]')" = \
	"[('usb:8C2A5B39', 'sahara', '8C2A5B39'), ('usb:d1a9', 'diag', 'd1a9'), ('usb:COMP1', 'diag', 'COMP1'), ('tty:/dev/ttyUSB0', 'diag', 'COMP1')]" ] ||
	fail "list specs/modes/serials: $(cat "$T/out")"
[ "$(jget "$T/out" '[d["vid_pid"] for d in j["devices"]]')" = "['05c6:9008', '05c6:900e', '05c6:9025', '05c6:9025']" ] ||
	fail "list vid:pid: $(cat "$T/out")"
[ "$(jget "$T/out" 'j["devices"][1]["driver"]')" = qcserial ] || fail "list: driver of the DIAG interface"
[ "$(jget "$T/out" 'j["devices"][0]["bus_port"]')" = 1-2 ] || fail "list: bus_port"
# human output: a table, and the hint that EDL's mode is from the USB ID
expect_rc 0 mock --dev "05c6:9008,product=$EDL" -- "$QCBOX" list
grep -q '^usb:8C2A5B39 .*sahara? .*05c6:9008 .*1-2 ' "$T/out" || fail "human list: $(cat "$T/out")"
grep -q -- '--probe' "$T/err" || fail "human list: no hint about --probe"
# nothing attached: an empty list, exit 0
expect_rc 0 mock -- "$QCBOX" --json list
[ "$(jget "$T/out" 'j["devices"]')" = "[]" ] || fail "empty list: $(cat "$T/out")"
# --probe: a boot ROM greets with a Sahara HELLO; a Firehose programmer that is
# already running is silent until spoken to, and then answers in XML
# HELLO: version 2, compatible 1, max command packet 0x400, image transfer mode
HELLO=$(python3 -c "import struct; print(struct.pack('<12I', 1, 0x30, 2, 1, 0x400, 0, 0, 0, 0, 0, 0, 0).hex())")
expect_rc 0 mock --dev "05c6:9008,product=$EDL,greet=$HELLO" \
	--dev "05c6:9008,reply=<?xml version=\"1.0\" ?><data><response value=\"NAK\"/></data>" -- \
	"$QCBOX" --json list --probe
[ "$(jget "$T/out" '[(d["mode"], d["mode_probed"]) for d in j["devices"]]')" = "[('sahara', True), ('firehose', True)]" ] ||
	fail "list --probe: $(cat "$T/out")"
grep -q "^1-3 out 5$" "$LOG" || fail "probe frame not seen: $(cat "$LOG")"
! grep -q "^1-2 out" "$LOG" || fail "the probe wrote to a device that had greeted: $(cat "$LOG")"

# ----- several devices and no selection: refused (3), and all are named
expect_rc 3 mock --dev "05c6:9008,product=$EDL" --dev "05c6:900e,serial=d1a9" -- "$QCBOX" diag send 00
grep -q "2 Qualcomm USB devices match" "$T/err" || fail "ambiguous: $(cat "$T/err")"
grep -q "usb:1-2 (sahara, 05c6:9008, serial 8C2A5B39)" "$T/err" || fail "ambiguous: EDL not listed: $(cat "$T/err")"
grep -q "usb:1-3 (diag, 05c6:900e, serial d1a9)" "$T/err" || fail "ambiguous: DIAG not listed: $(cat "$T/err")"
expect_rc 3 mock --dev "05c6:900e,serial=d1a9" -- "$QCBOX" -d usb:nosuch diag send 00
grep -q "no Qualcomm USB device with serial 'nosuch'" "$T/err" || fail "unknown serial: $(cat "$T/err")"

# ----- DIAG end to end through libusb, selected by serial and by port
start_sim d --mode diag --model USBDIAG
rm -f "$LOG"
expect_rc 0 mock --dev "05c6:9008,product=$EDL" --dev "05c6:900e,serial=d1a9,sim=unix:$T/d.sock" -- \
	"$QCBOX" -d usb:D1A9 --json diag send 00
jget "$T/out" 'bytes.fromhex(j["response"])[39:46]' | grep -q USBDIAG || fail "diag via usb:SERIAL: $(cat "$T/out")"
grep -q '^1-3 out 4$' "$LOG" || fail "the request did not reach the device: $(cat "$LOG")"
# no unsolicited zero-length packet from the host (qdl issue #320)
! grep -q zlp "$LOG" || fail "the host sent a ZLP nobody asked for: $(cat "$LOG")"
wait_exit "$SIMPID"
start_sim p --mode diag
expect_rc 0 mock --dev "05c6:9008,product=$EDL" --dev "05c6:900e,port=7,sim=unix:$T/p.sock" -- \
	"$QCBOX" -d usb:1-7 diag send 00
head -1 "$T/out" | grep -q '^00 ' || fail "diag via usb:BUS-PORT: $(cat "$T/out")"
wait_exit "$SIMPID"
# the only device, default -d usb; a bound serial driver is detached, and said so
start_sim k --mode diag --persist
expect_rc 0 mock --dev "05c6:900e,driver=qcserial,sim=unix:$T/k.sock" -- "$QCBOX" diag send 00
grep -q "detached kernel driver qcserial from interface 0" "$T/err" || fail "detach not reported: $(cat "$T/err")"
# a bad-command reply is still a reply: exit 1, named
expect_rc 1 mock --dev "05c6:900e,sim=unix:$T/k.sock" -- "$QCBOX" --json diag send 12 34
jget "$T/out" 'j["response"]' | grep -qx 131234 || fail "bad-command reply over usb: $(cat "$T/out")"
kill "$SIMPID"

# ----- a device that says nothing: timeout, exit 1
start_sim st --mode diag --fault stall@0
expect_rc 1 mock --dev "05c6:900e,sim=unix:$T/st.sock" -- "$QCBOX" --timeout 300 diag send 00
grep -q "usb:1-2 within 300 ms" "$T/err" || fail "usb timeout: $(cat "$T/err")"

# ----- unplugged in the middle of the reply (the phone drops off the bus)
start_sim dc --mode diag --fault tx:disconnect@10
expect_rc 1 mock --dev "05c6:900e,sim=unix:$T/dc.sock" -- "$QCBOX" diag send 00
grep -q "usb:1-2: device disconnected during read" "$T/err" || fail "unplug during read: $(cat "$T/err")"
# ...and in the middle of a write: the device takes 2 bytes, then the cable goes
expect_rc 1 mock --dev "05c6:900e,unplug-after=2" -- "$QCBOX" diag send 00
grep -q "usb:1-2: device disconnected during write" "$T/err" || fail "unplug during write: $(cat "$T/err")"
grep -q "unplug after 0 bytes" "$LOG" || fail "device log: $(cat "$LOG")"

# ----- --wait: the device shows up a while after qcbox started
start_sim w --mode diag
expect_rc 0 mock --dev "05c6:900e,after=1500,sim=unix:$T/w.sock" -- "$QCBOX" --wait=20 --json diag send 00
jget "$T/out" 'j["response"][:2]' | grep -qx 00 || fail "--wait: $(cat "$T/out")"
wait_exit "$SIMPID"
expect_rc 3 mock -- "$QCBOX" --wait=1 diag send 00
grep -q "appeared within 1 s" "$T/err" || fail "--wait timeout: $(cat "$T/err")"
expect_rc 0 mock --dev "05c6:9008,after=1500,product=$EDL" -- "$QCBOX" --wait=20 --json list
[ "$(jget "$T/out" 'len(j["devices"])')" = 1 ] || fail "list --wait: $(cat "$T/out")"
expect_rc 2 "$QCBOX" --wait=soon list

# ----- diag info through libusb
start_sim di --mode diag --model USBINFO
expect_rc 0 mock --dev "05c6:900e,sim=unix:$T/di.sock" -- "$QCBOX" --json diag info
[ "$(jget "$T/out" 'j["model"]')" = USBINFO ] || fail "diag info via usb: $(cat "$T/out")"
wait_exit "$SIMPID"

# ----- EFS through libusb: a file put on the phone and got back is identical
mkdir "$T/efs"
start_sim ef --mode diag --efs-dir "$T/efs"
head -c 300000 /dev/urandom >"$T/efile"
expect_rc 0 mock --dev "05c6:900e,sim=unix:$T/ef.sock" -- \
	sh -c '"$0" -q efs put "$1" /big.bin && "$0" -q efs get /big.bin "$2"' "$QCBOX" "$T/efile" "$T/eback"
cmp -s "$T/efile" "$T/eback" || fail "EFS round trip through usb differs"
cmp -s "$T/efile" "$T/efs/big.bin" || fail "EFS file on the simulated phone differs"
wait_exit "$SIMPID"

# ----- an old chip's 9008 runs DMSS DLOAD or a streaming programmer: --probe
# tells which, and both work through libusb
start_sim dl --mode dload --persist
DLPID=$SIMPID
start_sim sd --mode sdload --storage emmc --lun-size 4M --sdload-block 8192 --persist
SDPID=$SIMPID
expect_rc 0 mock --dev "05c6:9008,sim=unix:$T/dl.sock" --dev "05c6:9008,sim=unix:$T/sd.sock" -- \
	"$QCBOX" --json list --probe
[ "$(jget "$T/out" '[(d["mode"], d["mode_probed"]) for d in j["devices"]]')" = "[('dload', True), ('sdload', True)]" ] ||
	fail "probe of legacy downloaders: $(cat "$T/out")"
expect_rc 0 mock --dev "05c6:9008,sim=unix:$T/dl.sock" -- "$QCBOX" --json dload info
[ "$(jget "$T/out" 'j["protocol_version"]')" = 8 ] || fail "dload info via usb: $(cat "$T/out")"
# 1 MiB through the CLI: streamed to the flash, read back, identical; no ZLP
head -c 1048576 /dev/urandom >"$T/img"
rm -f "$LOG"
expect_rc 0 mock --dev "05c6:9008,sim=unix:$T/sd.sock" -- \
	sh -c '"$0" -q sdload write 0/16 "$1" && "$0" -q sdload read 0/16+2048 "$2"' "$QCBOX" "$T/img" "$T/back"
cmp -s "$T/img" "$T/back" || fail "1 MiB written and read back through usb differs"
! grep -q zlp "$LOG" || fail "unsolicited ZLP during streaming download: $(grep -c zlp "$LOG")"
kill "$DLPID" "$SDPID"

# ----- re-enumeration: DIAG tells the phone to go to download mode; it drops
# off the bus and comes back on the same port as 05c6:9008, which --wait finds
start_sim re --mode diag
rm -f "$LOG"
expect_rc 0 mock --dev "05c6:900e,serial=RE1,sim=unix:$T/re.sock,replug=05c6:9008" -- sh -c '
	"$0" diag to-dload >/dev/null || exit 1
	for _ in $(seq 100); do "$0" --json list --no-tty | grep -q 05c6:900e || break; sleep 0.05; done
	exec "$0" --wait=10 --json dload info' "$QCBOX"
[ "$(jget "$T/out" 'j["version"]')" = PBL_DloadVER2.0 ] || fail "dload after re-enumeration: $(cat "$T/out")"
grep -q "^1-2 plugged 05c6:9008$" "$LOG" || fail "no re-enumeration: $(cat "$LOG")"

# ----- Sahara through libusb: the simulated boot ROM behind 05c6:9008
PK32=f8ab20526358c4fa1b7e0a2b5a5f8da0f0f2e5d56c1cfc2e3b2b6c3d8e8e9f01
sha() { sha256sum <"$1" | cut -d' ' -f1; }
ev_sha() { python3 -c "
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1]) if '\"sahara_image\"' in l]
print(ev[0]['sha256'] if ev else 'none')" "$T/$1.ev"; }
start_sim si --mode sahara --sahara-version 2 --hwid 0008b0e100420011 --pkhash $PK32 --serial 8c2a5b39
rm -f "$LOG"
expect_rc 0 mock --dev "05c6:9008,product=$EDL,sim=unix:$T/si.sock" -- "$QCBOX" -d usb:8C2A5B39 --json sahara info
# the serial Sahara reports is the one the product string gave list
[ "$(jget "$T/out" '(j["serial"], j["hwid"], j["pkhash"])')" = "('8c2a5b39', '0008b0e100420011', '$PK32')" ] ||
	fail "sahara info via usb: $(cat "$T/out")"
! grep -q zlp "$LOG" || fail "a ZLP was sent to the Sahara boot ROM (qdl issue #320): $(cat "$LOG")"
wait_exit "$SIMPID"
# load: 64 KiB READ_DATA_64 requests, whole packets, still no ZLP; the image
# the boot ROM reassembled is the file
python3 "$QCBOX_SRC/tests/sahara/mkelf.py" "$T/prog.elf" --class 64 --hashseg 6 --size 300000 --seed 5
start_sim sl --mode sahara --read64 --chunk-size 64K
rm -f "$LOG"
expect_rc 0 mock --dev "05c6:9008,product=$EDL,sim=unix:$T/sl.sock" -- "$QCBOX" sahara load "$T/prog.elf"
wait_exit "$SIMPID"
[ "$(ev_sha sl)" = "$(sha "$T/prog.elf")" ] || fail "sahara load via usb: image differs: $(cat "$T/sl.ev")"
grep -q '^1-2 out 65536$' "$LOG" || fail "no 64 KiB chunk went out: $(head -5 "$LOG")"
! grep -q zlp "$LOG" || fail "a ZLP was sent during the Sahara upload"
# list --probe first takes the boot ROM's HELLO; the load after it still works
start_sim sp --mode sahara
expect_rc 0 mock --dev "05c6:9008,product=$EDL,sim=unix:$T/sp.sock" -- \
	sh -c '"$0" --json list --probe >"$1" && exec "$0" --timeout 1000 sahara load "$2"' "$QCBOX" "$T/probe.json" \
	"$T/prog.elf"
[ "$(jget "$T/probe.json" '(j["devices"][0]["mode"], j["devices"][0]["mode_probed"])')" = "('sahara', True)" ] ||
	fail "probe of the boot ROM: $(cat "$T/probe.json")"
wait_exit "$SIMPID"
[ "$(ev_sha sp)" = "$(sha "$T/prog.elf")" ] || fail "sahara load after a probe: $(cat "$T/sp.ev")"
# the boot ROM drops off the bus after taking 100 kB of the programmer
start_sim su --mode sahara --fault disconnect@100000
expect_rc 1 mock --dev "05c6:9008,product=$EDL,sim=unix:$T/su.sock" -- "$QCBOX" sahara load "$T/prog.elf"
grep -q "usb:1-2: device disconnected during" "$T/err" || fail "unplug during sahara load: $(cat "$T/err")"
# DIAG tells the phone to go to EDL; it re-enumerates as 9008 and --wait finds it
start_sim ed --mode diag --serial 0badcafe
expect_rc 0 mock --dev "05c6:900e,serial=ED1,sim=unix:$T/ed.sock,replug=05c6:9008,replug-product=QUSB__BULK_SN:0BADCAFE" -- \
	sh -c '
	"$0" diag to-edl >/dev/null || exit 1
	for _ in $(seq 100); do "$0" --json list --no-tty | grep -q 05c6:900e || break; sleep 0.05; done
	exec "$0" --wait=10 -d usb:0badcafe --json sahara info' "$QCBOX"
[ "$(jget "$T/out" 'j["serial"]')" = 0badcafe ] || fail "sahara info after diag to-edl: $(cat "$T/out")"

# ----- Firehose through libusb: a flat build flashed through Sahara and the
# programmer it uploads, then read back; ZLPs only after raw data that fills
# its last packet, none before Firehose runs
"$QCBOX_BUILD/qcbox-mkflat" -q "$T/mk" || fail "qcbox-mkflat"
python3 "$QCBOX_SRC/tests/sahara/mkelf.py" "$T/mk/prog.elf" --size 65536
start_sim fl --mode sahara --persist --luns 3 --lun-size 64M --disk-dir "$T/fl.disk"
FLPID=$SIMPID
rm -f "$LOG"
(cd "$T/mk" && mock --dev "05c6:9008,product=$EDL,sim=unix:$T/fl.sock" -- sh -c '
	"$0" --json flash --no-reset prog.elf rawprogram*.xml patch*.xml >"$1" || exit 1
	"$0" -q read boot_a "$2" && "$0" -q read 0/262+2048 "$3"' "$QCBOX" "$T/flash.json" "$T/boot.back" \
	"$T/sys.back") >"$T/out" 2>"$T/err" || fail "flash through usb: $(tail -3 "$T/err")"
[ "$(jget "$T/flash.json" '[(p["label"], p["verified"]) for p in j["programs"]][:2]')" = \
	"[('boot_a', 'sha256'), ('system', 'sha256')]" ] || fail "flash via usb: $(head -c 600 "$T/flash.json")"
cmp -s -n "$(stat -c %s "$T/mk/boot.img")" "$T/mk/boot.img" "$T/boot.back" || fail "boot_a read back through usb differs"
cmp -s "$T/sys.back" <(tail -c +$((262 * 4096 + 1)) "$T/fl.disk/lun0.img" | head -c $((2048 * 4096))) ||
	fail "system read back through usb differs from the device's disk"
python3 - "$LOG" <<'PY' || fail "ZLP policy: $(grep -B1 zlp "$LOG" | head -6)"
import sys
lines = [l.split() for l in open(sys.argv[1])]
first_xml = next(i for i, l in enumerate(lines) if l[1] == "in" and int(l[2]) > 100)  # Firehose's first answer
zlps = [i for i, l in enumerate(lines) if l[1] == "zlp"]
assert zlps, "no ZLP at all"
assert min(zlps) > first_xml, "a ZLP before Firehose ran"
for i in zlps:  # each after raw data that filled its last 512-byte packet (answers may cross)
	prev = [l for l in lines[:i] if l[1] != "in"][-1]
	assert prev[1] == "out" and int(prev[2]) % 512 == 0, prev
PY
kill "$FLPID"

# ----- the DIAG serial port that list reports works as -d tty:
start_sim t --mode diag --model TTYDIAG
expect_rc 0 mock --dev "05c6:9025,serial=T1,tty=ttyUSB0,driver=qcserial,tty-sim=unix:$T/t.sock" -- \
	sh -c '"$0" --json list >"$1" && "$0" -d "$(python3 -c "import json,sys; print([d[\"spec\"] for d in json.load(open(sys.argv[1]))[\"devices\"] if d[\"transport\"] == \"tty\"][0])" "$1")" --json diag send 00' \
	"$QCBOX" "$T/list.json"
jget "$T/out" 'bytes.fromhex(j["response"])[39:46]' | grep -q TTYDIAG || fail "diag over the listed tty: $(cat "$T/out")"
ok "usb: list, selection, sahara/firehose/diag/efs/dload/sdload through libusb, 1 MiB, timeout, unplug, --wait, tty"
