#!/bin/bash
# Raw bulk throughput of the libusb transport through a fake usbfs device
# (umockdev), next to the same transfers over a unix socket, in one run; and
# a Sahara programmer upload over both links.
set -eu
B=$1
echo "## USB transport (libusb through a fake usbfs device)"
echo
if ! command -v umockdev-wrapper >/dev/null || [ ! -x "$B/bench/bench_usb" ]; then
	echo "Not measured: umockdev-wrapper or bench_usb is missing."
	exit 0
fi
echo "What is measured: \`qc_transport_write\`/\`qc_transport_read\` of raw bulk data through qcbox's libusb"
echo "backend and the real libusb 1.0 Linux backend, against a device emulated in"
echo "\`tests/usb/fakeusb.c\` (every usbfs ioctl is forwarded by umockdev to a handler thread and"
echo "back), next to the same calls on a unix socket pair in the same run.  **This is not a phone on a"
echo "real bus**: the ratio says what the libusb path plus the emulation cost here, and catches"
echo "regressions in the transport (e.g. transfers no longer queued).  Below: the same for whole"
echo "protocols, Firehose and Sahara, through the fake device and over the simulator's socket."
echo
ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$B/bench/bench_usb" 32

# Sahara upload: the same programmer to the simulated boot ROM over the unix
# socket and through the fake USB device, in this run.
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/qcbox-bench.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT
python3 "$here/../tests/sahara/mkelf.py" "$T/prog.elf" --class 64 --size 4194304 --segments 4
# one upload; prints the client's own upload seconds (first READ_DATA to DONE_RESP)
upload() {
	local link=$1 chunk=$2 sock=$T/s.sock
	rm -f "$sock"
	"$B/qcbox-sim" --mode sahara --listen "unix:$sock" --chunk-size "$chunk" --read64 >/dev/null 2>&1 &
	pids="$pids $!"
	for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.01; done
	if [ "$link" = usb ]; then
		ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$B/tests/usb/usbmock" \
			--dev "05c6:9008,product=QUSB__BULK_SN:BE4C11,sim=unix:$sock" -- \
			"$B/qcbox" --json sahara load "$T/prog.elf" >"$T/out.json" 2>/dev/null
	else
		"$B/qcbox" -d "unix:$sock" --json sahara load "$T/prog.elf" >"$T/out.json" 2>/dev/null
	fi
	wait 2>/dev/null || true
	python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$T/out.json"
}
best() { local b=999 s; for _ in 1 2 3; do s=$(upload "$@"); b=$(awk -v a="$b" -v c="$s" 'BEGIN{print (c<a)?c:a}'); done; echo "$b"; }
size=$(stat -c %s "$T/prog.elf")
if [ -x "$B/tests/usb/usbmock" ]; then
	echo
	echo "Sahara upload of a 4 MiB programmer (\`qcbox sahara load\`, client's own clock from the first"
	echo "READ_DATA to DONE_RESP, best of 3) to \`qcbox-sim --mode sahara --read64\`, over the unix socket"
	echo "and through the fake USB device bridged to the same simulator by \`usbmock\`:"
	echo
	echo "| READ_DATA size | unix socket MB/s | fake USB MB/s | USB / socket |"
	echo "|---:|---:|---:|---:|"
	for chunk in 4096 65536 1048576; do
		u=$(best unix "$chunk")
		f=$(best usb "$chunk")
		awk -v c="$chunk" -v n="$size" -v u="$u" -v f="$f" \
			'BEGIN{printf "| %d | %.0f | %.0f | %.2f |\n", c, n/u/1e6, n/f/1e6, u/f}'
	done
fi

# Firehose: 64 MiB written (no read-back verification) and read, over the
# unix socket and through the fake USB device, to the same simulated programmer.
fhsock=$T/fh.sock
"$B/qcbox-sim" --mode firehose --persist --luns 1 --lun-size 80M --disk-dir "$T/fh.disk" --listen "unix:$fhsock" \
	>/dev/null 2>&1 &
pids="$pids $!"
for _ in $(seq 200); do [ -S "$fhsock" ] && break; sleep 0.01; done
head -c $((64 << 20)) /dev/urandom >"$T/fh.img"
# wall seconds of one qcbox command over LINK
fh_once() {
	local link=$1 s e
	shift
	s=$(date +%s.%N)
	if [ "$link" = usb ]; then
		ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$B/tests/usb/usbmock" \
			--dev "05c6:9008,sim=unix:$fhsock" -- "$B/qcbox" -q "$@" >/dev/null 2>&1
	else
		"$B/qcbox" -q -d "unix:$fhsock" "$@" >/dev/null 2>&1
	fi
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN{print e - s}'
}
fh_best() { local b=999 x; for _ in 1 2 3; do x=$(fh_once "$@"); b=$(awk -v a="$b" -v c="$x" 'BEGIN{print (c<a)?c:a}'); done; echo "$b"; }
if [ -x "$B/tests/usb/usbmock" ]; then
	echo
	echo "Firehose, 64 MiB to and from a simulated programmer (\`qcbox write --no-verify\`, \`qcbox read\`, 1 MiB"
	echo "payloads): wall time of the command minus that of a \`nop\` over the same link (start-up, configure),"
	echo "best of 3, over the unix socket and through the fake USB device:"
	echo
	echo "| operation | unix socket MB/s | fake USB MB/s | USB / socket |"
	echo "|---|---:|---:|---:|"
	for link in unix usb; do
		eval "nop_$link=\$(fh_best $link nop)"
		eval "w_$link=\$(fh_best $link write --no-verify 0/0 \"$T/fh.img\")"
		eval "r_$link=\$(fh_best $link read 0/0+16384 \"$T/fh.back\")"
	done
	n=$((64 << 20))
	awk -v n="$n" -v a="$w_unix" -v b="$w_usb" -v x="$nop_unix" -v y="$nop_usb" \
		'BEGIN{u=n/(a-x)/1e6; f=n/(b-y)/1e6; printf "| write (program) | %.0f | %.0f | %.2f |\n", u, f, f/u}'
	awk -v n="$n" -v a="$r_unix" -v b="$r_usb" -v x="$nop_unix" -v y="$nop_usb" \
		'BEGIN{u=n/(a-x)/1e6; f=n/(b-y)/1e6; printf "| read | %.0f | %.0f | %.2f |\n", u, f, f/u}'
fi
