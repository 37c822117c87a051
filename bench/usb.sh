#!/bin/bash
# Raw bulk throughput of the libusb transport through a fake usbfs device
# (umockdev), next to the same transfers over a unix socket, in one run.
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
