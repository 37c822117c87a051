#!/bin/bash
# qcbox nv against qcbox-sim: read/write by number and name, indexed and
# per-SIM items, every NV status by name, backup and restore round trip
# (a restore writes only what was readable), malformed backups rejected
# before anything is written, SPC-locked items reported per item.
. "$QCBOX_SRC/tests/lib.sh"

nv_writes() { grep -c '"event": *"nv_write"' "$1" || true; }

# read/write over a pty
start_sim_pty p --mode diag --imei 490154203237518 --persist
P="-d tty:$T/p.tty"
expect_rc 0 timeout 10 "$QCBOX" $P nv write 441 0102030405
expect_rc 0 timeout 10 "$QCBOX" $P --json nv read band_pref
[ "$(jget "$T/out" '(j["item"], j["status"], j["data"][:12])')" = "(441, 'ok', '010203040500')" ] ||
	fail "pty round trip: $(cat "$T/out")"
expect_rc 0 timeout 10 "$QCBOX" $P --json nv read imei
[ "$(jget "$T/out" 'j["imei"]')" = 490154203237518 ] || fail "nv read imei: $(cat "$T/out")"
[ "$(jget "$T/out" 'j["data"][:18]')" = 084a09512430325781 ] || fail "IMEI BCD: $(cat "$T/out")"
# backup and restore of a range over the pty, into the same phone after a change
expect_rc 0 timeout 60 "$QCBOX" $P --json nv backup "$T/p.json" --items 400-600
[ "$(jget "$T/out" '(j["items"], j["ok"])')" = "(202, 2)" ] || fail "pty backup: $(cat "$T/out")"
expect_rc 0 timeout 10 "$QCBOX" $P nv write 441 ffff
expect_rc 0 timeout 60 "$QCBOX" $P nv restore "$T/p.json"
grep -q "2 written, 0 not written, 200 skipped" "$T/out" || fail "pty restore: $(tail -1 "$T/out")"
expect_rc 0 timeout 10 "$QCBOX" $P --json nv read 441
[ "$(jget "$T/out" 'j["data"][:10]')" = 0102030405 ] || fail "pty restore did not bring 441 back: $(cat "$T/out")"
kill "$SIMPID"
# a modem that answers for another item
start_sim wi --mode diag --fault wrong-item
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/wi.sock" nv read 441
grep -q "answered an NV read of item 441 with one of item 442" "$T/err" || fail "wrong item: $(cat "$T/err")"

# the same over a unix socket, with statuses configured through --nv
python3 - "$T/statuses.json" <<'EOF'
import json, sys
names = ["ok", "busy", "bad_command", "full", "fail", "inactive", "bad_param", "read_only",
         "bad_target", "no_memory", "not_allocated"]
items = [{"item": 3000 + i, "status": n} | ({"data": "aa"} if n == "ok" else {}) for i, n in enumerate(names)]
json.dump({"format": "qcbox-nv-backup", "version": 1, "items": items}, open(sys.argv[1], "w"))
EOF
start_sim u --mode diag --nv "$T/statuses.json" --persist
S="-d unix:$T/u.sock"
i=0
for n in ok busy bad_command full fail inactive bad_param read_only bad_target no_memory not_allocated; do
	want=1; [ $n = ok ] && want=0
	expect_rc $want timeout 10 "$QCBOX" $S --json nv read $((3000 + i))
	[ "$(jget "$T/out" 'j["status"]')" = $n ] || fail "status $n: $(cat "$T/out")"
	[ $n = ok ] || grep -q "NV item $((3000 + i)): $n" "$T/err" || fail "status $n not named: $(cat "$T/err")"
	i=$((i + 1))
done
# a write to a read-only item is refused with its status
expect_rc 1 timeout 10 "$QCBOX" $S --json nv write 3007 01
[ "$(jget "$T/out" 'j["status"]')" = read_only ] || fail "write to read-only: $(cat "$T/out")"
grep -q "was not written: read_only" "$T/err" || fail "read-only message: $(cat "$T/err")"
# never written, never readable
expect_rc 1 timeout 10 "$QCBOX" $S --json nv read 6
[ "$(jget "$T/out" '(j["status"], j["data"])')" = "('inactive', None)" ] || fail "inactive: $(cat "$T/out")"
expect_rc 1 timeout 10 "$QCBOX" $S --json nv read a_key
[ "$(jget "$T/out" '(j["status"], j["reply"])')" = "('denied', '0x14')" ] || fail "a_key: $(cat "$T/out")"
# indexed item: --index puts the NAM into the first data byte
expect_rc 0 timeout 10 "$QCBOX" $S nv write dir_number --index 1 35353531323334
expect_rc 0 timeout 10 "$QCBOX" $S --json nv read 178 --index 1
[ "$(jget "$T/out" '(j["index"], j["data"][:16])')" = "(1, '0135353531323334')" ] || fail "index 1: $(cat "$T/out")"
expect_rc 1 timeout 10 "$QCBOX" $S nv read 178
expect_rc 1 timeout 10 "$QCBOX" $S --json nv read 178 --index 5
[ "$(jget "$T/out" 'j["status"]')" = bad_param ] || fail "NAM 5: $(cat "$T/out")"
# per-SIM item through subsystem 0x30
expect_rc 0 timeout 10 "$QCBOX" $S nv write imei --sim 1 083a95882143658709
expect_rc 0 timeout 10 "$QCBOX" $S --json nv read 550 --sim 1
[ "$(jget "$T/out" '(j["sim"], j["imei"])')" = "(1, '359881234567890')" ] || fail "sim 1: $(cat "$T/out")"
expect_rc 1 timeout 10 "$QCBOX" $S nv read 550
expect_rc 1 timeout 10 "$QCBOX" $S nv read 550 --sim 7
grep -q "bad parameters (0x14)" "$T/err" || fail "sim 7: $(cat "$T/err")"
expect_rc 0 timeout 10 "$QCBOX" $S --json diag info
[ "$(jget "$T/out" '("imei" in j, j["imei2"])')" = "(False, '359881234567890')" ] || fail "imei2: $(cat "$T/out")"
# bad arguments
expect_rc 2 "$QCBOX" $S nv read no_such_item
grep -q "unknown NV item 'no_such_item'" "$T/err" || fail "unknown name: $(cat "$T/err")"
expect_rc 2 "$QCBOX" $S nv read 70000
expect_rc 2 "$QCBOX" $S nv write 441 0102z
expect_rc 2 "$QCBOX" $S nv write 441 "$(printf '00%.0s' $(seq 129))"
grep -q "129 bytes" "$T/err" || fail "long write: $(cat "$T/err")"
expect_rc 2 "$QCBOX" $S nv write 178 --index 1 "$(printf '00%.0s' $(seq 128))"
expect_rc 2 "$QCBOX" $S nv read 441 --index 300
expect_rc 2 "$QCBOX" $S nv
expect_rc 2 "$QCBOX" $S nv frobnicate
expect_rc 0 "$QCBOX" nv names
grep -q "ue_imei.*alias imei" "$T/out" || fail "nv names: $(head -3 "$T/out")"
ok "nv read/write, statuses, index, sim"

# backup of the whole default range, then restore into a blank phone
expect_rc 0 timeout 60 "$QCBOX" $S nv write 441 0a0b0c
expect_rc 0 timeout 120 "$QCBOX" $S --json nv backup "$T/a.json"
[ "$(jget "$T/out" 'j["items"] >= 7233 and j["ok"] >= 4')" = True ] || fail "backup counts: $(cat "$T/out")"
python3 - "$T/a.json" <<'EOF' || fail "backup content"
import json, sys
j = json.load(open(sys.argv[1]))
e = {(x["item"], x.get("index", -1), x.get("sim", -1)): x for x in j["items"]}
assert j["format"] == "qcbox-nv-backup" and j["version"] == 1
assert len([k for k in e if k[1] == -1 and k[2] == -1]) == 7233, "every item 0-7232"
assert e[(441, -1, -1)]["data"].startswith("0a0b0c") and len(e[(441, -1, -1)]["data"]) == 256
assert e[(178, 1, -1)]["data"].startswith("0135353531323334"), "the known indexed item, NAM 1"
assert e[(550, -1, 1)]["status"] == "ok", "the second subscription"
assert e[(6, -1, -1)]["status"] == "inactive" and "data" not in e[(6, -1, -1)]
assert e[(25, -1, -1)] == {"item": 25, "status": "denied", "reply": "0x14"}
assert e[(3007, -1, -1)]["status"] == "read_only"
EOF
oks=$(jget "$T/out" 'j["ok"]')
start_sim b --mode diag --persist
B="-d unix:$T/b.sock"
expect_rc 0 timeout 120 "$QCBOX" $B --json nv restore "$T/a.json"
[ "$(jget "$T/out" '(j["written"], j["failed"])')" = "($oks, 0)" ] || fail "restore: $(head -c 300 "$T/out")"
[ "$(nv_writes "$T/b.ev")" = "$oks" ] || fail "restore wrote $(nv_writes "$T/b.ev") items, backup had $oks readable"
python3 - "$T/b.ev" "$T/a.json" <<'EOF' || fail "restore wrote an item that was not readable"
import json, sys
ok = {(x["item"], x.get("index", -1), x.get("sim", -1)) for x in json.load(open(sys.argv[2]))["items"] if x["status"] == "ok"}
for l in open(sys.argv[1]):
    ev = json.loads(l)
    if ev["event"] == "nv_write":
        assert (ev["item"], ev.get("index", -1) if ev.get("index", -1) > 0 else -1, ev.get("sim", -1)) in ok, ev
EOF
expect_rc 0 timeout 120 "$QCBOX" $B nv backup "$T/b.json" --items 0-4000
grep -q "items/s" "$T/out" || fail "backup summary: $(cat "$T/out")"
python3 - "$T/a.json" "$T/b.json" <<'EOF' || fail "restored NV differs from the backup"
import json, sys
def oks(p, limit):
    return {(x["item"], x.get("index", -1), x.get("sim", -1)): x["data"] for x in json.load(open(p))["items"]
            if x["status"] == "ok" and x["item"] <= limit and x["item"] not in (85,)}
a, b = oks(sys.argv[1], 4000), oks(sys.argv[2], 4000)
assert a == b, set(a.items()) ^ set(b.items())
EOF
# --items and --no-extra
expect_rc 0 timeout 30 "$QCBOX" $B --json nv backup "$T/c.json" --items 170-180 --no-extra
[ "$(jget "$T/out" 'j["items"]')" = 11 ] || fail "--items 170-180: $(cat "$T/out")"
expect_rc 0 timeout 30 "$QCBOX" $B --json nv backup "$T/c.json" --items 178
[ "$(jget "$T/out" 'j["items"]')" = 2 ] || fail "--items 178 with its NAM 1: $(cat "$T/out")"
expect_rc 2 "$QCBOX" $B nv backup "$T/c.json" --items 9-3
expect_rc 1 "$QCBOX" $B nv backup "$T/no/such/dir/x.json" --items 1-2
grep -q "cannot create" "$T/err" || fail "unwritable backup path: $(cat "$T/err")"
ok "backup and restore round trip"

# malformed backups are rejected whole, before the phone is touched
before=$(nv_writes "$T/b.ev")
printf '{"items":[{"item":441,"status":"ok","data":"01"},' >"$T/bad1.json"
printf '{"items":[{"item":441,"status":"ok","data":"%s"}]}' "$(printf 'ab%.0s' $(seq 129))" >"$T/bad2.json"
printf '{"items":[{"item":441,"status":"ok","data":"01"},{"item":441,"status":"ok","data":"02"}]}' >"$T/bad3.json"
printf '{"items":[{"item":441,"status":"ok"}]}' >"$T/bad4.json"
printf '{"items":[{"item":441,"status":"ok","data":"0x01"}]}' >"$T/bad5.json"
for f in bad1:"not valid JSON" bad2:"129 bytes" bad3:"both NV item 441" bad4:"no \"data\"" bad5:"not hex"; do
	expect_rc 2 timeout 10 "$QCBOX" $B nv restore "$T/${f%%:*}.json"
	grep -q "${f%%:*}.json" "$T/err" || fail "${f%%:*}: file not named: $(cat "$T/err")"
	grep -q "${f#*:}" "$T/err" || fail "${f%%:*}: $(cat "$T/err")"
done
expect_rc 2 timeout 10 "$QCBOX" $B nv restore "$T/missing.json"
[ "$(nv_writes "$T/b.ev")" = "$before" ] || fail "a rejected backup wrote items"
ok "malformed backups rejected"

# restore into an SPC-locked phone: protected items refused one by one
start_sim l --mode diag --spc 111111 --persist
expect_rc 1 timeout 120 "$QCBOX" -d "unix:$T/l.sock" nv restore "$T/a.json"
grep -q "NV item 178 (dir_number) index 1: refused: SPC locked (0x42)" "$T/out" || fail "locked restore: $(grep 178 "$T/out")"
grep -q "NV item 441 (band_pref): written" "$T/out" || fail "locked restore skipped 441"
grep -q "were not written" "$T/err" || fail "locked restore summary: $(cat "$T/err")"

# the simulator's --nv file is checked like a backup
start_sim bad --mode diag --nv "$T/bad2.json"
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/bad.sock" diag info
grep -q "129 bytes" "$T/bad.log" || fail "sim --nv error: $(cat "$T/bad.log")"
ok "nv CLI"
