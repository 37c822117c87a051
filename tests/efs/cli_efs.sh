#!/bin/bash
# qcbox efs against qcbox-sim over a unix socket and a pty: tree round trips
# (nested folders, empty files, a 16 MiB file, symlinks), every command,
# errors by EFS errno name, the 0x13/0x3E fallback, negotiated chunks, and a
# hostile modem (unsafe names, endless listings, lying sizes, links out).
. "$QCBOX_SRC/tests/lib.sh"
Q() { timeout 60 "$QCBOX" "$@"; }
# jhas FILE KEY PATH: the JSON array KEY of FILE has an object with this path
jhas() { python3 -c 'import json,sys; sys.exit(sys.argv[3] not in [r["path"] for r in json.load(open(sys.argv[1]))[sys.argv[2]]])' "$@"; }

mkdir -p "$T/tree/a/b/c" "$T/tree/emptydir"
: >"$T/tree/a/empty"
head -c 16777216 /dev/urandom >"$T/tree/a/b/big.bin"
echo x >"$T/tree/a/b/c/small"
printf 'caf\xc3\xa9' >"$T/tree/a/utf8-$(printf '\xc3\xa9')"
ln -s b/c/small "$T/tree/a/link"

# ----- round trip over a unix socket and a pty -----
for how in unix pty; do
	mkdir -p "$T/efs-$how/nv/item_files"
	echo hello >"$T/efs-$how/nv/item_files/x"
	if [ $how = unix ]; then
		start_sim u --mode diag --efs-dir "$T/efs-$how" --persist
		S=(-d "unix:$T/u.sock")
	else
		start_sim_pty p --mode diag --efs-dir "$T/efs-$how" --persist
		S=(-d "tty:$T/p.tty")
	fi
	expect_rc 0 Q "${S[@]}" --json efs put "$T/tree" /rt -r
	[ "$(jget "$T/out" '(j["files"], j["dirs"], j["symlinks"], j["bytes"], j["remote"])')" = \
		"(4, 4, 1, 16777223, '/rt')" ] || fail "$how: put -r summary: $(cat "$T/out")"
	expect_rc 0 Q "${S[@]}" efs get /rt "$T/back-$how" -r
	diff -r "$T/tree" "$T/back-$how" || fail "$how: tree round trip differs"
	[ "$(readlink "$T/back-$how/a/link")" = b/c/small ] || fail "$how: symlink not recreated"
	[ -d "$T/back-$how/emptydir" ] && [ ! -s "$T/back-$how/a/empty" ] || fail "$how: empty dir/file"
	# into an existing directory the copy keeps its name
	expect_rc 0 Q "${S[@]}" efs get /rt/a/b "$T/back-$how" -r
	cmp "$T/tree/a/b/big.bin" "$T/back-$how/b/big.bin" || fail "$how: get -r into existing dir"
	expect_rc 0 Q "${S[@]}" --json efs ls -R /
	jget "$T/out" '[e for e in j["entries"] if e["path"] == "/rt/a/b/big.bin"][0]["size"]' | grep -qx 16777216 ||
		fail "$how: ls -R does not list /rt/a/b/big.bin"
	expect_rc 0 Q "${S[@]}" efs ls -l -R /rt
	grep -q '^l.* /rt/a/link -> b/c/small$' "$T/out" || fail "$how: ls -l -R: $(cat "$T/out")"
	expect_rc 0 Q "${S[@]}" --json efs stat /rt/a/b/c/small
	[ "$(jget "$T/out" '(j["type"], j["size"])')" = "('file', 2)" ] || fail "$how: stat: $(cat "$T/out")"
	expect_rc 0 Q "${S[@]}" efs cat /nv/item_files/x
	[ "$(cat "$T/out")" = hello ] || fail "$how: cat: $(cat "$T/out")"
	expect_rc 0 Q "${S[@]}" efs mkdir -p /tmpdir/x/y
	expect_rc 0 Q "${S[@]}" efs mv /tmpdir/x /tmpdir/z
	expect_rc 0 Q "${S[@]}" efs rm -r /tmpdir
	expect_rc 1 Q "${S[@]}" efs stat /tmpdir
	grep -q 'EFS error ENOENT (2) for /tmpdir' "$T/err" || fail "$how: errno name: $(cat "$T/err")"
	ok "$how: 16 MiB tree round trip"
done
kill "$SIMPID"

start_sim s --mode diag --efs-dir "$T/efs-unix" --persist
S=(-d "unix:$T/s.sock")

# ----- listing and status -----
expect_rc 0 Q "${S[@]}" efs ls -l -R /
grep -q '^-rw-r--r--   16777216 .* /rt/a/b/big.bin$' "$T/out" || fail "ls -l: $(grep big "$T/out")"
grep -q '^l.* /rt/a/link -> b/c/small$' "$T/out" || fail "ls -l symlink: $(grep link "$T/out")"
grep -q '^i.* /nv/item_files/x$' "$T/out" || fail "ls -l item file: $(grep item "$T/out")"
grep -q '^d.* /rt/emptydir$' "$T/out" || fail "ls -l dir: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" efs ls /rt
[ "$(cat "$T/out")" = "$(printf '/rt/a/\n/rt/emptydir/')" ] || fail "ls: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" --json efs ls /rt/a/b/big.bin
[ "$(jget "$T/out" '[(e["type"], e["size"]) for e in j["entries"]]')" = "[('file', 16777216)]" ] ||
	fail "ls of a file: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" --json efs stat /rt/a/b/big.bin
[ "$(jget "$T/out" '(j["type"], j["size"], j["mode_octal"], j["nlink"], j["symlink"])')" = \
	"('file', 16777216, '0100644', 1, False)" ] || fail "stat: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" --json efs stat /rt/a/link
[ "$(jget "$T/out" '(j["symlink"], j["target"], j["size"])')" = "(True, 'b/c/small', 2)" ] ||
	fail "stat of a symlink: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" efs stat /nv/item_files/x
grep -q 'Type: item' "$T/out" || fail "stat human: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" --json efs df
jget "$T/out" 'j["fs_type"] == "EFS2" and j["block_size"] > 0' | grep -q True || fail "df: $(cat "$T/out")"

# ----- cat, item files through GET/PUT -----
expect_rc 0 Q "${S[@]}" efs cat /rt/a/b/c/small
[ "$(cat "$T/out")" = x ] || fail "cat: $(cat "$T/out")"
expect_rc 0 Q "${S[@]}" --trace "$T/trace" efs cat /nv/item_files/x
[ "$(cat "$T/out")" = hello ] || fail "cat item: $(cat "$T/out")"
grep -q -- '-> .* 4b132700' "$T/trace" || fail "item file not read with GET (39)"
printf '\x01\x02\x03' >"$T/item"
expect_rc 0 Q "${S[@]}" --trace "$T/trace2" --json efs put "$T/item" /nv/item_files/new --item
grep -q -- '-> .* 4b132600' "$T/trace2" || fail "--item did not use PUT (38)"
expect_rc 0 Q "${S[@]}" --json efs cat /nv/item_files/new
[ "$(jget "$T/out" '(j["data"], j["item"])')" = "('010203', True)" ] || fail "cat --json: $(cat "$T/out")"

# ----- mkdir, mv, rm -----
expect_rc 0 Q "${S[@]}" efs mkdir /m
expect_rc 1 Q "${S[@]}" efs mkdir /m
grep -q 'EFS error EEXIST (6) for /m' "$T/err" || fail "mkdir twice: $(cat "$T/err")"
expect_rc 0 Q "${S[@]}" efs mkdir -p /m/n/o
expect_rc 0 Q "${S[@]}" efs put "$T/tree/a/b/c/small" /m
expect_rc 0 Q "${S[@]}" efs cat /m/small
expect_rc 0 Q "${S[@]}" efs mv /m /m2
expect_rc 1 Q "${S[@]}" efs stat /m
grep -q 'EFS error ENOENT (2) for /m' "$T/err" || fail "stat after mv: $(cat "$T/err")"
expect_rc 0 Q "${S[@]}" efs mv /m2/small /m2/n
expect_rc 0 Q "${S[@]}" efs cat /m2/n/small
expect_rc 2 Q "${S[@]}" efs rm /m2
grep -q 'is a directory; use -r' "$T/err" || fail "rm of a dir: $(cat "$T/err")"
expect_rc 1 Q "${S[@]}" efs mkdir /m2/n/o/p/q
grep -q 'ENOENT (2) for /m2/n/o/p/q' "$T/err" || fail "mkdir without parent: $(cat "$T/err")"
expect_rc 0 Q "${S[@]}" --json efs rm -r /m2
[ "$(jget "$T/out" '(j["files"], j["dirs"])')" = "(1, 3)" ] || fail "rm -r: $(cat "$T/out")"
expect_rc 1 Q "${S[@]}" efs ls /m2
[ -z "$(ls "$T/efs-unix" | grep m2)" ] || fail "rm -r left something"
expect_rc 2 Q "${S[@]}" efs rm -r /
expect_rc 1 Q "${S[@]}" efs rm /nope
grep -q 'EFS error ENOENT (2) for /nope' "$T/err" || fail "rm missing: $(cat "$T/err")"

# ----- backup with a manifest -----
expect_rc 0 Q "${S[@]}" --json efs backup "$T/bk"
jget "$T/out" 'j["files"] >= 6 and j["refused"] == []' | grep -q True || fail "backup: $(cat "$T/out")"
python3 - "$T/bk/manifest.json" "$T/bk" <<'PY' || fail "backup manifest"
import hashlib, json, os, sys
m = json.load(open(sys.argv[1]))
assert m["format"] == "qcbox-efs-backup" and m["complete"], m.get("error")
byp = {e["path"]: e for e in m["entries"]}
big = byp["/rt/a/b/big.bin"]
assert big["size"] == 16777216 and big["type"] == "file" and big["mode_octal"] == "0100644", big
for e in m["entries"]:
    if e["type"] in ("file", "item"):
        data = open(os.path.join(sys.argv[2], e["local"]), "rb").read()
        assert hashlib.sha256(data).hexdigest() == e["sha256"], e["path"]
        assert len(data) == e["size"], e["path"]
assert byp["/nv/item_files/x"]["type"] == "item"
assert byp["/rt/a/link"]["target"] == "b/c/small" and byp["/rt/a/link"]["created"]
assert byp["/rt/emptydir"]["type"] == "dir"
PY
cmp "$T/tree/a/b/big.bin" "$T/bk/efs/rt/a/b/big.bin" || fail "backup copy differs"
ok "ls, stat, cat, item files, mkdir, mv, rm, backup"

# ----- symlinks in the modem's directory that point out of it -----
ln -s /etc "$T/efs-unix/evil"
ln -s ../../../../../../../etc "$T/efs-unix/up"
expect_rc 1 Q "${S[@]}" efs cat /evil/passwd
grep -q 'EFS error ENOENT (2) for /evil/passwd' "$T/err" || fail "link to /etc: $(cat "$T/err")"
expect_rc 1 Q "${S[@]}" efs cat /up/passwd
grep -q 'EFS error EACCES (13) for /up/passwd' "$T/err" || fail "link climbing out: $(cat "$T/err")"
mkdir -p "$T/g/h"
expect_rc 1 Q "${S[@]}" --json efs get / "$T/g/h/dst" -r
jget "$T/out" 'sorted(r["path"] for r in j["refused"])' | grep -q "\['/evil', '/up'\]" ||
	fail "links out not refused: $(cat "$T/out")"
grep -q 'refused /evil: symlink to ./etc.: its target is an absolute path' "$T/err" || fail "refusal not on stderr"
[ ! -e "$T/g/h/dst/evil" ] && [ ! -e "$T/g/h/dst/up" ] || fail "unsafe links created"
diff -r "$T/tree" "$T/g/h/dst/rt" || fail "get -r / differs"
rm "$T/efs-unix/evil" "$T/efs-unix/up"
kill "$SIMPID"

# ----- a hostile modem -----
start_sim h --mode diag --efs-dir "$T/efs-unix" --persist --fault 'efs-hostile-names*'
H=(-d "unix:$T/h.sock")
mkdir -p "$T/x/y"
expect_rc 1 Q "${H[@]}" --json efs get /rt "$T/x/y/dst" -r
# 8 hostile names in each of the 5 listings
[ "$(jget "$T/out" 'len(j["refused"])')" = 40 ] || fail "hostile names: $(jget "$T/out" 'j["refused"]')"
for n in '/rt/../../etc/passwd' '/rt/a/b/a/../../b' '/rt/a/nul\x00hidden' '/rt/a/esc\x1b[31mred' '/rt/emptydir/..'; do
	jhas "$T/out" refused "$n" || fail "refusal of $n not in JSON"
	grep -qF "refused $n:" "$T/err" || fail "refusal of $n not on stderr"
done
diff -r "$T/tree" "$T/x/y/dst" || fail "hostile: the real tree differs"
[ "$(find "$T/x" | wc -l)" = "$(($(find "$T/x/y/dst" | wc -l) + 2))" ] || fail "hostile: something written outside"
[ ! -e /abs ] || fail "hostile: /abs"
expect_rc 1 Q "${H[@]}" --json efs ls -R /rt/a/b
jhas "$T/out" entries '/rt/a/b/tab\x09name' || fail "ls: escaped name missing: $(cat "$T/out")"
jhas "$T/out" refused '/rt/a/b/..' || fail "ls -R entered '..'"
jget "$T/out" '[e.get("unsafe_name") for e in j["entries"] if e["name"] == "a/../../b"][0]' | grep -q "contains '/'" ||
	fail "ls: unsafe name not flagged: $(cat "$T/out")"
expect_rc 0 Q "${H[@]}" efs put "$T/tree/a/b/c" /scratch -r
expect_rc 1 Q "${H[@]}" efs rm -r /scratch
grep -qF "refused /scratch/..: the name is '..'; not removed" "$T/err" || fail "rm -r: $(cat "$T/err")"
[ ! -e "$T/efs-unix/scratch" ] || fail "rm -r left the real entries"
[ -f "$T/efs-unix/rt/a/b/big.bin" ] || fail "rm -r of a hostile listing removed something else"
kill "$SIMPID"

start_sim e --mode diag --efs-dir "$T/efs-unix" --persist --fault 'efs-endless-dir*'
expect_rc 1 Q -d "unix:$T/e.sock" efs ls /rt --max-entries 300
grep -q 'lists more than 300 entries; stopped' "$T/err" || fail "endless dir: $(cat "$T/err")"
expect_rc 1 Q -d "unix:$T/e.sock" --json efs get /rt/a/b/c "$T/endless" -r --max-entries 50
grep -q 'more than 50 entries' "$T/err" || fail "endless dir get: $(cat "$T/err")"
# the default bound holds too
expect_rc 1 Q -d "unix:$T/e.sock" efs ls /nv
grep -q 'more than 16384 entries' "$T/err" || fail "endless dir, default bound: $(cat "$T/err")"
kill "$SIMPID"

start_sim l --mode diag --efs-dir "$T/efs-unix" --persist --fault 'efs-lying-size*'
expect_rc 0 Q -d "unix:$T/l.sock" efs get /rt/a/b/c/small "$T/lied"
grep -q 'stated 1048578 bytes but the file ended after 2' "$T/err" || fail "lying size: $(cat "$T/err")"
cmp "$T/lied" "$T/tree/a/b/c/small" || fail "lying size: content"
expect_rc 0 Q -d "unix:$T/l.sock" --json efs get /rt/a/b/c "$T/lied-r" -r
[ "$(jget "$T/out" 'len(j["warnings"])')" = 1 ] || fail "lying size in a tree: $(cat "$T/out")"
kill "$SIMPID"

start_sim f --mode diag --efs-dir "$T/efs-unix" --persist --fault 'efs-endless-file*'
expect_rc 0 Q -d "unix:$T/f.sock" efs get /rt/a/b/c/small "$T/endless-file"
cmp "$T/endless-file" "$T/tree/a/b/c/small" || fail "endless file not cut at its size"
kill "$SIMPID"
ok "hostile modem: names refused and reported, listings and files bounded"

# ----- subsystem fallback and chunks -----
start_sim a --mode diag --efs-dir "$T/efs-unix" --persist --efs-subsys 3e
expect_rc 0 Q -d "unix:$T/a.sock" --json efs get /rt/a/b/c/small "$T/alt"
[ "$(jget "$T/out" 'j["subsystem"]')" = 0x3e ] || fail "fallback to 0x3E: $(cat "$T/out")"
expect_rc 0 Q -d "unix:$T/a.sock" -v efs ls /
grep -q 'subsystem 0x3e' "$T/err" || fail "-v does not name the subsystem: $(cat "$T/err")"
kill "$SIMPID"
start_sim o --mode diag --efs-dir "$T/efs-unix" --persist --efs-subsys 13
expect_rc 0 Q -d "unix:$T/o.sock" --json efs ls /
expect_rc 1 Q -d "unix:$T/o.sock" efs ls / --subsys 3e
grep -q 'bad command' "$T/err" || fail "forced 0x3E: $(cat "$T/err")"
kill "$SIMPID"
start_sim w --mode diag --efs-dir "$T/efs-w" --persist --efs-window 1000
head -c 1000000 "$T/tree/a/b/big.bin" >"$T/mb"
expect_rc 0 Q -d "unix:$T/w.sock" --json efs put "$T/mb" /mb
[ "$(jget "$T/out" '(j["read_chunk"], j["write_chunk"], j["bytes"])')" = "(1000, 1000, 1000000)" ] ||
	fail "window 1000: $(cat "$T/out")"
expect_rc 0 Q -d "unix:$T/w.sock" efs get /mb "$T/mb-back" --chunk 700
cmp "$T/mb-back" "$T/mb" || fail "chunked round trip differs"
kill "$SIMPID"
ok "0x13/0x3E fallback, negotiated chunks"

# ----- bad usage -----
start_sim b --mode diag --efs-dir "$T/efs-unix" --persist
B=(-d "unix:$T/b.sock")
expect_rc 2 Q "${B[@]}" efs
expect_rc 2 Q "${B[@]}" efs bogus
expect_rc 2 Q "${B[@]}" efs get /rt
expect_rc 2 Q "${B[@]}" efs get /rt "$T/nr"
grep -q 'is a directory; use -r' "$T/err" || fail "get dir without -r: $(cat "$T/err")"
expect_rc 2 Q "${B[@]}" efs put "$T/nonexistent" /x
grep -q nonexistent "$T/err" || fail "missing local file not named"
expect_rc 2 Q "${B[@]}" efs put "$T/tree" /x
expect_rc 2 Q "${B[@]}" efs put "$T/tree" /x -r --item
expect_rc 2 Q "${B[@]}" efs ls -x /
expect_rc 2 Q "${B[@]}" efs ls / --chunk 0
expect_rc 2 Q "${B[@]}" efs ls / --subsys 99
expect_rc 2 Q "${B[@]}" efs cat -r /x
expect_rc 0 Q "${B[@]}" efs --help
grep -q 'backup DIR' "$T/out" || fail "efs --help"
touch "$T/plainfile"
expect_rc 2 Q "${B[@]}" efs get /rt "$T/plainfile" -r
expect_rc 3 Q -d "unix:$T/none.sock" efs ls /
ok "efs CLI"
