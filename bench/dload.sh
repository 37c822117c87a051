#!/bin/bash
# Streaming DLOAD write/read throughput of `qcbox sdload` against qcbox-sim's
# programmer over a unix socket, for several windows and block sizes, and
# the DMSS upload rate of `qcbox dload load`.
set -eu
B=$1
T=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT
MB=32
head -c $((MB << 20)) /dev/urandom >"$T/img.bin"

listening() {
	for _ in $(seq 400); do
		[ -S "$1" ] && return 0
		sleep 0.01
	done
	echo "qcbox-sim did not start" >&2
	exit 1
}

# sim NAME ARGS...: a persistent programmer on $T/NAME.sock
sim() {
	local name=$1
	shift
	"$B/qcbox-sim" --mode sdload --storage emmc --luns 1 --lun-size $((2 * MB))M --disk-dir "$T/$name" \
		--persist --listen "unix:$T/$name.sock" "$@" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	listening "$T/$name.sock"
}

# field JSON KEY
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
rate() { awk -v b=$((MB << 20)) -v s="$1" 'BEGIN { printf "%.1f", b / s / 1e6 }'; }

# row NAME LABEL BLOCK [qcbox sdload options]: best of 3 writes and reads
row() {
	local name=$1 label=$2 block=$3 w=999 r=999 s
	shift 3
	for _ in 1 2 3; do
		"$B/qcbox" -q -d "unix:$T/$name.sock" --json sdload write "$@" 0/0 "$T/img.bin" >"$T/w.json"
		s=$(field "$T/w.json" seconds)
		w=$(awk -v a="$w" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
		"$B/qcbox" -q -d "unix:$T/$name.sock" --json sdload read "$@" 0/0+$((MB << 11)) "$T/back.bin" >"$T/r.json"
		s=$(field "$T/r.json" seconds)
		r=$(awk -v a="$r" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
	done
	cmp -s "$T/img.bin" "$T/back.bin" || { echo "read back differs" >&2; exit 1; }
	echo "| $label | $block | $(field "$T/w.json" window) | $(field "$T/w.json" max_outstanding) | $(rate "$w") | $(rate "$r") |"
}

echo "## Legacy download (Streaming DLOAD, DMSS DLOAD)"
echo
echo "\`qcbox sdload write 0/0\` and \`sdload read\` of a ${MB} MiB file against \`qcbox-sim --mode sdload\`"
echo "(eMMC, 512-byte sectors, sector addressing) on a unix socket, simulator and host on the same machine;"
echo "best of 3 runs each, the data read back compared with what was written.  \"window\" is what the"
echo "programmer announced (or \`--window\` lowered), \"in flight\" the most packets the host had unanswered."
echo
echo "| programmer | block (bytes) | window | in flight | write MB/s | read MB/s |"
echo "|---|---|---|---|---|---|"
sim a
row a "default (1 KiB blocks, window 8)" 1024
row a "same, host limited to --window 1" 1024 --window 1
sim b --sdload-block 16384 --sdload-window 16
row b "16 KiB blocks, window 16" 16384
row b "same, host limited to --window 1" 16384 --window 1

# DMSS upload of a programmer-sized image (4 MiB raw) in 1 KiB writes
head -c $((4 << 20)) /dev/urandom >"$T/prog.bin"
best=999
for _ in 1 2 3; do
	"$B/qcbox-sim" --mode dload --listen "unix:$T/d.sock" >/dev/null 2>&1 &
	PIDS="$PIDS $!"
	listening "$T/d.sock"
	"$B/qcbox" -q -d "unix:$T/d.sock" --json dload load --no-go --address 0x80000000 "$T/prog.bin" >"$T/d.json"
	s=$(field "$T/d.json" seconds)
	best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
	rm -f "$T/d.sock"
done
echo
echo "\`qcbox dload load\` of a 4 MiB raw image in 1024-byte WRITE_32BIT packets (one ACK each, no window in"
echo "DMSS DLOAD), best of 3: $(awk -v s="$best" 'BEGIN { printf "%.1f", 4194304 / s / 1e6 }') MB/s."
