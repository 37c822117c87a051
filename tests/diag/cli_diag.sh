#!/bin/bash
# qcbox diag against qcbox-sim over a unix socket and a pty: identity exactly
# as configured, phone modes and resets, SPC locking with three wrong tries,
# the security password, the DLOAD/EDL re-enumeration, and a modem that
# misbehaves (replies for other commands, short replies, corrupt frames).
. "$QCBOX_SRC/tests/lib.sh"

IMEI=359881234567890 BID=MPSS.AT.4.3-00123-SM8350_GEN_PACK-1 MEID=A0000012345678
ID=(--imei $IMEI --esn 0x8badf00d --build-id $BID --model LONGMODEL1 --meid $MEID)
ev() { python3 -c "import json,sys; [print(json.dumps(json.loads(l))) for l in open(sys.argv[1])]" "$1"; }

check_identity() {
	[ "$(jget "$T/out" 'j["imei"]')" = $IMEI ] || fail "$1: imei $(cat "$T/out")"
	[ "$(jget "$T/out" 'j["esn"]')" = 8badf00d ] || fail "$1: esn $(jget "$T/out" 'j["esn"]')"
	[ "$(jget "$T/out" 'j["build_id"]')" = $BID ] || fail "$1: build_id"
	[ "$(jget "$T/out" 'j["model"]')" = LONGMODEL1 ] || fail "$1: model $(jget "$T/out" 'j["model"]')"
	[ "$(jget "$T/out" 'j["meid"]')" = $MEID ] || fail "$1: meid"
	[ "$(jget "$T/out" 'j["diag_version"]')" = 8 ] || fail "$1: diag_version"
	for k in comp_date comp_time rel_date rel_time; do
		[ -n "$(jget "$T/out" "j[\"$k\"]")" ] || fail "$1: $k missing"
	done
}

# identity over a unix socket and over a pty
start_sim u --mode diag "${ID[@]}"
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/u.sock" --json diag info
check_identity unix
wait_exit "$SIMPID"
start_sim_pty p --mode diag "${ID[@]}"
expect_rc 0 timeout 10 "$QCBOX" -d "tty:$T/p.tty" --json diag info
check_identity pty
wait_exit "$SIMPID"
# human output, and a phone with no ESN and no IMEI
start_sim h --mode diag --persist
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/h.sock" diag info
grep -q '^model *QCBOXSIM' "$T/out" || fail "human info: $(cat "$T/out")"
grep -q '^IMEI *(not set' "$T/out" || fail "human info without IMEI: $(cat "$T/out")"
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/h.sock" --json diag info
[ "$(jget "$T/out" '("imei" in j, j["esn"])')" = "(False, None)" ] || fail "blank phone: $(cat "$T/out")"
ok "identity over unix and pty"

# phone modes: offline, ftm, online; a reset is refused from online (raw),
# `diag mode reset` goes offline first, and the phone re-enumerates
S="-d unix:$T/h.sock"
for m in offline ftm lpm online; do
	expect_rc 0 timeout 10 "$QCBOX" $S --json diag mode $m
	[ "$(jget "$T/out" 'j["mode"]')" = $m ] || fail "mode $m: $(cat "$T/out")"
done
expect_rc 1 timeout 10 "$QCBOX" $S diag send 29 02 00
grep -q "not allowed in the current mode" "$T/err" || fail "reset from online: $(cat "$T/err")"
expect_rc 0 timeout 10 "$QCBOX" $S diag mode reset
grep -q "goes away" "$T/out" || fail "reset output: $(cat "$T/out")"
ev "$T/h.ev" | grep phone_mode | tail -2 | tr -d '\n' | grep -q '"offline".*"reset"' || fail "reset without offline first: $(cat "$T/h.ev")"
expect_rc 0 timeout 10 "$QCBOX" $S diag info   # the phone came back
expect_rc 2 "$QCBOX" $S diag mode sleep
grep -q "unknown mode 'sleep'" "$T/err" || fail "bad mode message: $(cat "$T/err")"
expect_rc 2 "$QCBOX" $S diag mode
expect_rc 2 "$QCBOX" $S diag info extra
# power-off: the link goes and the simulator (without --persist) ends
start_sim po --mode diag
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/po.sock" diag mode poweroff
wait_exit "$SIMPID"
grep -q '"poweroff"' "$T/po.ev" || fail "poweroff event: $(cat "$T/po.ev")"
ok "modes, reset from offline, poweroff"

# SPC: service-programming items refused until the SPC; three wrong codes
# lock the SPC out even for the right one, until the phone resets
start_sim s --mode diag --spc 314159 --persist
S="-d unix:$T/s.sock"
expect_rc 1 timeout 10 "$QCBOX" $S nv write 178 00353535
grep -q "SPC locked (0x42)" "$T/err" || fail "locked write: $(cat "$T/err")"
expect_rc 1 timeout 10 "$QCBOX" $S nv read sec_code
grep -q "SPC locked" "$T/err" || fail "locked read of NV 85: $(cat "$T/err")"
for i in 1 2 3; do
	expect_rc 1 timeout 10 "$QCBOX" $S diag spc 000000
	grep -q "rejected the SPC" "$T/err" || fail "wrong SPC $i: $(cat "$T/err")"
done
expect_rc 1 timeout 10 "$QCBOX" $S diag spc 314159
ev "$T/s.ev" | grep '"spc"' | tail -1 | grep -q '"tries_left": 0' || fail "lockout event: $(tail -1 "$T/s.ev")"
expect_rc 1 timeout 10 "$QCBOX" $S nv write 178 00353535
expect_rc 0 timeout 10 "$QCBOX" $S diag mode reset
expect_rc 0 timeout 10 "$QCBOX" $S --json diag spc 314159
[ "$(jget "$T/out" 'j["accepted"]')" = True ] || fail "spc json: $(cat "$T/out")"
expect_rc 0 timeout 10 "$QCBOX" $S nv write 178 00353535
expect_rc 0 timeout 10 "$QCBOX" $S --json nv read 85
jget "$T/out" 'bytes.fromhex(j["data"])[:6]' | grep -q 314159 || fail "NV 85 after unlock: $(cat "$T/out")"
# a reset locks it again
expect_rc 0 timeout 10 "$QCBOX" $S diag mode reset
expect_rc 1 timeout 10 "$QCBOX" $S nv write 178 00353535
expect_rc 2 "$QCBOX" $S diag spc 12345
expect_rc 2 "$QCBOX" $S diag spc 12345a
ok "SPC lock, three wrong tries, reset"

# security password: ESN/MEID writes need it
start_sim pw --mode diag --password 0102030405060708 --persist
S="-d unix:$T/pw.sock"
expect_rc 1 timeout 10 "$QCBOX" $S nv write esn "0d f0 ad 8b"
grep -q "password required (0x47)" "$T/err" || fail "ESN write without password: $(cat "$T/err")"
expect_rc 1 timeout 10 "$QCBOX" $S diag password FFFFFFFFFFFFFFFE
grep -q "rejected the security password" "$T/err" || fail "wrong password: $(cat "$T/err")"
expect_rc 0 timeout 10 "$QCBOX" $S diag password 01:02:03:04:05:06:07:08
expect_rc 0 timeout 10 "$QCBOX" $S nv write esn 0df0ad8b
# the ESN is write-once
expect_rc 1 timeout 10 "$QCBOX" $S --json nv write esn 01020304
[ "$(jget "$T/out" 'j["status"]')" = read_only ] || fail "second ESN write: $(cat "$T/out")"
expect_rc 2 "$QCBOX" $S diag password 0102
expect_rc 2 "$QCBOX" $S diag password zz
ok "security password"

# download switches: the phone acknowledges, drops the link and comes back
# as another port in the new mode (the simulator waits for a new client)
start_sim dl --mode diag
DLPID=$SIMPID
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/dl.sock" --json diag to-dload
[ "$(jget "$T/out" 'j["switched_to"]')" = dload ] || fail "to-dload: $(cat "$T/out")"
grep -q '"mode_switch".*"dload"' "$T/dl.ev" || fail "to-dload event: $(cat "$T/dl.ev")"
sleep 0.2
kill -0 $DLPID 2>/dev/null || fail "the simulator ended instead of re-enumerating: $(cat "$T/dl.log")"
timeout 10 "$QCBOX" -d "unix:$T/dl.sock" --timeout 500 --json diag send 00 >"$T/out" 2>"$T/err"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])).get('response',''); sys.exit(0 if len(r)==110 and r[:2]=='00' else 1)" "$T/out" 2>/dev/null &&
	fail "still a DIAG modem after to-dload"
start_sim_pty el --mode diag
ELPID=$SIMPID
expect_rc 0 timeout 10 "$QCBOX" -d "tty:$T/el.tty" diag to-edl
grep -q "EDL" "$T/out" || fail "to-edl output: $(cat "$T/out")"
grep -q '"mode_switch".*"sahara"' "$T/el.ev" || fail "to-edl event: $(cat "$T/el.ev")"
sleep 0.2
kill -0 $ELPID 2>/dev/null || fail "the pty simulator ended instead of re-enumerating"
ok "to-dload (unix) and to-edl (pty) re-enumerate"

# a misbehaving modem
start_sim f1 --mode diag --fault 'wrong-reply*' "${ID[@]}"
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/f1.sock" --timeout 300 diag info
grep -q "only with replies to other commands" "$T/err" || fail "wrong-reply: $(cat "$T/err")"
start_sim f2 --mode diag --fault 'stale-reply*' "${ID[@]}"
expect_rc 0 timeout 10 "$QCBOX" -d "unix:$T/f2.sock" --json diag info
check_identity stale-reply
start_sim f3 --mode diag --fault short-reply "${ID[@]}"
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/f3.sock" diag info
grep -q "version reply is 27 bytes" "$T/err" || fail "short reply: $(cat "$T/err")"
start_sim f4 --mode diag --fault flip-bit@20 "${ID[@]}"
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/f4.sock" --timeout 300 diag info
grep -q "bad CRC" "$T/err" || fail "corrupt frame: $(cat "$T/err")"
start_sim f5 --mode diag --fault tx:disconnect@30 "${ID[@]}"
expect_rc 1 timeout 10 "$QCBOX" -d "unix:$T/f5.sock" diag info
grep -qi "disconnected" "$T/err" || fail "truncated frame: $(cat "$T/err")"
start_sim_pty f6 --mode diag --fault 'stale-reply*' "${ID[@]}"
expect_rc 0 timeout 10 "$QCBOX" -d "tty:$T/f6.tty" --json diag info
check_identity "stale-reply over pty"
ok "wrong, stale, short, corrupt and truncated replies"

# no device
expect_rc 3 "$QCBOX" -d "unix:$T/none.sock" diag info
expect_rc 3 "$QCBOX" -d "unix:$T/none.sock" diag to-edl
ok "diag CLI"
