#!/bin/bash
# Image formats: CRC-32 and GPT in-process (bench_image), then the CLI on
# files in the page cache: sparse expansion and CRC verification of a
# 512 MiB image, and `qcbox plan` of the vendor flat build when present.
set -eu
B=$1
F=$(dirname "$0")/../../shared/fixtures/flatbuild-rubikpi3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
best() { # prints the best wall time of 3 runs of "$@", in seconds
	local b=999 s e
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
		b=$(awk -v b="$b" -v s="$s" -v e="$e" 'BEGIN{d=e-s; print (d<b)?d:b}')
	done
	echo "$b"
}
echo "## Image formats (GPT, Android sparse, flat builds)"
echo
"$B/bench/bench_image"
echo
# 512 MiB: 256 MiB of data, 128 MiB of one pattern, 128 MiB of holes
python3 - "$T/raw.img" <<'PY'
import os, sys
with open(sys.argv[1], "wb") as f:
    for _ in range(256):
        f.write(os.urandom(1 << 20))
    f.write(b"\x12\x34\x56\x78" * (32 << 20))
    f.truncate(512 << 20)
PY
"$B/qcbox" -q sparse make --dont-care-zeros --crc "$T/raw.img" "$T/s.simg"
rm -f "$T/raw.img"
cat "$T/s.simg" >/dev/null
un=$(best "$B/qcbox" -q sparse unsparse "$T/s.simg" "$T/out.raw")
info=$(best "$B/qcbox" -q sparse info "$T/s.simg")
echo "Sparse image of 512 MiB (256 MiB RAW, 128 MiB FILL, 128 MiB DONT_CARE, one CRC32 chunk), made by \`qcbox sparse make\`, file in page cache, best of 3:"
echo
echo "| command | time | rate |"
echo "|---|---|---|"
echo "| \`qcbox sparse unsparse\` (writes RAW and FILL, holes for DONT_CARE) | $(awk -v t="$un" 'BEGIN{printf "%.2f s", t}') | $(awk -v t="$un" 'BEGIN{printf "%.0f MB/s of output", 536870912/t/1e6}') |"
echo "| \`qcbox sparse info\` (validates, checks the CRC32 chunk: reads all RAW data) | $(awk -v t="$info" 'BEGIN{printf "%.2f s", t}') | $(awk -v t="$info" 'BEGIN{printf "%.0f MB/s of RAW data", 268435456/t/1e6}') |"
rss=$( { /usr/bin/time -f %M "$B/qcbox" -q sparse unsparse "$T/s.simg" "$T/out.raw" >/dev/null; } 2>&1 | tail -1)
echo
echo "Peak RSS of \`qcbox sparse unsparse\` on it: ${rss} KiB (/usr/bin/time -f %M)."
if [ -d "$F" ]; then
	pl=$(best "$B/qcbox" --json plan "$F")
	what=$("$B/qcbox" --json plan "$F" 2>/dev/null | python3 -c 'import json,sys; j=json.load(sys.stdin); print("%d XML files, %d programs to write, %d DISK patches" % (len(j["xml_files"]), len(j["programs"]), j["patches"]))')
	echo
	echo "\`qcbox plan\` of the RUBIK Pi 3 vendor build ($what; best of 3): $(awk -v t="$pl" 'BEGIN{printf "%.0f ms", t*1000}')."
fi
