#!/bin/bash
# NV backup throughput: `qcbox nv backup` of the default range (items 0-7232
# plus the known indexed ones) against qcbox-sim over a unix socket, one
# DIAG request per item as on a real modem.
set -eu
B=$1
T=$(mktemp -d /tmp/qcbox-bench-diag.XXXXXX)
SIMPID=
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$T"' EXIT
python3 - "$T/nv.json" <<'PY'
import json, sys
# a phone with a few hundred written items, like a typical modem
items = [{"item": i, "status": "ok", "data": bytes([i % 251] * 16).hex()} for i in range(400, 7200, 17)]
json.dump({"format": "qcbox-nv-backup", "version": 1, "items": items}, open(sys.argv[1], "w"))
PY
"$B/qcbox-sim" --mode diag --listen "unix:$T/s.sock" --persist --nv "$T/nv.json" --imei 490154203237518 \
	>"$T/sim.log" 2>&1 &
SIMPID=$!
for _ in $(seq 200); do [ -S "$T/s.sock" ] && break; sleep 0.025; done
best=0 items=0 ok=0
for _ in 1 2 3; do
	"$B/qcbox" -d "unix:$T/s.sock" --json nv backup "$T/b.json" >"$T/out"
	read -r items ok rate < <(python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(j['items'], j['ok'], int(j['items_per_s']))" "$T/out")
	[ "$rate" -gt "$best" ] && best=$rate
done
size=$(stat -c %s "$T/b.json")
echo "## DIAG: NV backup"
echo
echo "\`qcbox nv backup\` of the default range against \`qcbox-sim --mode diag\` over a unix socket:"
echo "$items items read one request each ($ok of them written on the simulated phone), best of 3 runs:"
echo "**$best items/s**; the JSON backup is $((size / 1024)) KiB."
echo "Each item is a 133-byte request and a 133-byte reply. This measures the host and the simulator"
echo "only; on a phone the modem's response time per request sets the rate."
