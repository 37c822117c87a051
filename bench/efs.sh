#!/bin/bash
# efs put / efs get of a 16 MiB file against qcbox-sim over a unix socket:
# with the windows the simulator offers by default (the client's 8 KiB cap
# applies) and with 1 KiB windows (fs_diag's own read limit on real modems).
set -eu
B=$1
T=$(mktemp -d /tmp/qcbox-bench-efs.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
head -c 16777216 /dev/urandom >"$T/big"

now() { date +%s.%N; }
# best of N runs of "$@"; prints seconds
best() {
	local n=$1 b=999 s e
	shift
	for _ in $(seq "$n"); do
		s=$(now)
		"$@" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; exit 1; }
		e=$(now)
		b=$(awk -v b="$b" -v s="$s" -v e="$e" 'BEGIN{d=e-s; print (d<b)?d:b}')
	done
	echo "$b"
}
rate() { awk -v t="$1" 'BEGIN{printf "%.1f MB/s", 16777216/t/1e6}'; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$T/out" "$1"; }

echo "## EFS2 file transfer (efs put / efs get)"
echo
echo "One 16 MiB file of random data through \`qcbox efs put\` and \`qcbox efs get\` against \`qcbox-sim --mode diag\`"
echo "over a unix socket on the same machine; each figure is the best of 3 whole command runs (connect, HELLO,"
echo "transfer, close), the simulator's directory in the page cache."
echo
echo "| windows offered by the modem | chunk used (read / write) | put | get |"
echo "|---|---|---|---|"
for win in default 1024; do
	rm -rf "$T/efs" "$T/sock"
	extra=()
	[ "$win" = default ] || extra=(--efs-window "$win")
	"$B/qcbox-sim" --mode diag --listen "unix:$T/sock" --efs-dir "$T/efs" --persist "${extra[@]}" 2>/dev/null &
	pid=$!
	for _ in $(seq 200); do [ -S "$T/sock" ] && break; sleep 0.025; done
	sleep 0.1
	put=$(best 3 "$B/qcbox" -d "unix:$T/sock" --json efs put "$T/big" /big)
	chunks="$(field read_chunk) / $(field write_chunk) bytes"
	get=$(best 3 "$B/qcbox" -d "unix:$T/sock" --json efs get /big "$T/back")
	cmp -s "$T/big" "$T/back" || { echo "efs bench: the copy differs" >&2; exit 1; }
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=""
	label=$([ "$win" = default ] && echo "1 MiB (simulator default)" || echo "$win bytes")
	echo "| $label | $chunks | $(rate "$put") | $(rate "$get") |"
done
