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
echo "regressions in the transport (e.g. transfers no longer queued).  Firehose write/read through"
echo "the fake device against the same over the simulator's socket is the figure to add once the"
echo "Firehose host and simulator are merged."
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
