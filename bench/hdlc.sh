#!/bin/bash
# HDLC decode/encode throughput on the real captures (synthetic without them),
# and `qcbox diag parse` end to end on a 130 MB capture file.
set -eu
B=$1
F=$(dirname "$0")/../../shared/fixtures/diag
caps=()
[ -d "$F" ] && caps=("$F"/*.mi2log)
echo "## HDLC framing (DIAG, DLOAD, Streaming DLOAD)"
echo
"$B/bench/bench_hdlc" "${caps[@]}"
if [ ${#caps[@]} -gt 0 ]; then
	t=$(mktemp)
	for _ in $(seq 150); do cat "${caps[@]}"; done >"$t"
	size=$(stat -c %s "$t")
	best=999
	for _ in 1 2 3; do
		s=$(date +%s.%N); "$B/qcbox" --json diag parse "$t" >/dev/null; e=$(date +%s.%N)
		best=$(awk -v b=$best -v s=$s -v e=$e 'BEGIN{d=e-s; print (d<b)?d:b}')
	done
	rm -f "$t"
	echo
	echo "\`qcbox diag parse\` of the captures repeated 150 times ($((size / 1000000)) MB, file in page cache, best of 3; files over 32 MiB are parsed in two halves on the two cores): $(awk -v s=$size -v t=$best 'BEGIN{printf "%.0f", s/t/1e6}') MB/s."
fi
