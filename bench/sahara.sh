#!/bin/bash
# Sahara programmer upload: a 1 MiB ELF programmer (synthetic, plus the real
# 1,024,000-byte RUBIK Pi 3 programmer when ../shared/fixtures is present)
# sent by `qcbox sahara load` to qcbox-sim's boot ROM over a unix socket, at
# the chunk sizes real boot ROMs use (4 KiB) and larger ones.
set -eu
B=$1
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/qcbox-bench.XXXXXX)
pids=""
trap 'for p in $pids; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT

python3 "$here/../tests/sahara/mkelf.py" "$T/prog.elf" --size 1048576 --segments 4
files=("$T/prog.elf")
fix=$here/../../shared/fixtures/flatbuild-rubikpi3/prog_firehose_ddr.elf
[ -f "$fix" ] && files+=("$fix")

# one upload: prints "client_seconds wall_seconds bytes"
run() {
	local file=$1 chunk=$2 sock=$T/s.sock s e
	rm -f "$sock"
	"$B/qcbox-sim" --mode sahara --listen "unix:$sock" --chunk-size "$chunk" --read64 >/dev/null 2>&1 &
	pids="$pids $!"
	for _ in $(seq 200); do [ -S "$sock" ] && break; sleep 0.01; done
	s=$(date +%s.%N)
	"$B/qcbox" -d "unix:$sock" --json sahara load "$file" >"$T/out.json" 2>/dev/null
	e=$(date +%s.%N)
	wait 2>/dev/null || true
	python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['seconds'], float(sys.argv[3]) - float(sys.argv[2]), j['bytes'], j['requests'])" \
		"$T/out.json" "$s" "$e"
}

echo "## Sahara programmer upload"
echo
echo "\`qcbox sahara load\` to \`qcbox-sim --mode sahara\` over a unix socket on the same machine; best of 5 runs."
echo "*Upload* is the client's own clock from the first READ_DATA to DONE_RESP (the Sahara exchange alone);"
echo "*wall* adds starting qcbox, connecting and the HELLO.  Bytes are the image bytes the boot ROM asked for."
echo
echo "| programmer | READ_DATA size | requests | bytes | upload | MB/s | wall |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for f in "${files[@]}"; do
	for chunk in 4096 65536 1048576; do
		best=""
		for _ in 1 2 3 4 5; do
			r=$(run "$f" "$chunk")
			best=$(printf '%s\n%s\n' "$best" "$r" | awk 'NF { if (!b || $1 < b1) { b = $0; b1 = $1 } } END { print b }')
		done
		set -- $best
		name=$(basename "$f")
		[ "$f" = "$T/prog.elf" ] && name="synthetic 1 MiB ELF64"
		awk -v n="$name" -v c="$chunk" -v t="$1" -v w="$2" -v b="$3" -v q="$4" 'BEGIN {
			printf "| %s | %d | %d | %d | %.1f ms | %.0f | %.1f ms |\n", n, c, q, b, t * 1000, b / t / 1e6, w * 1000 }'
	done
done
echo
echo "The host streams each READ_DATA from the file through one 1 MiB buffer (no allocation per chunk); with"
echo "4 KiB requests the round trip per request dominates, as it does on USB with real boot ROMs."
