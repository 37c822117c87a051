#!/bin/bash
# The shipped udev rules: the ready-made file is the template for plugdev,
# every USB ID the library knows has its rule, every line parses, and the
# build configured the installed copy.
. "$QCBOX_SRC/tests/lib.sh"
R=$QCBOX_SRC/data/51-qcbox.rules
sed 's/@GROUP@/plugdev/g' "$QCBOX_SRC/data/51-qcbox.rules.in" | cmp -s - "$R" ||
	fail "data/51-qcbox.rules is not data/51-qcbox.rules.in for plugdev; regenerate it"
# the IDs of src/lib/usb/usb_ids.c, each with a rule
ids=$(sed -n 's/^[[:space:]]*{0x\([0-9a-f]\{4\}\), 0x\([0-9a-f]\{4\}\), QC_USB_MODE_[A-Z]*},.*/\1:\2/p' \
	"$QCBOX_SRC/src/lib/usb/usb_ids.c")
[ "$(echo "$ids" | wc -w)" -ge 10 ] || fail "could not read the ID table of usb_ids.c"
for id in $ids; do
	v=${id%:*} p=${id#*:}
	grep -q "ATTR{idVendor}==\"$v\", ATTR{idProduct}==\"$p\"" "$R" || [ "$v" = 05c6 ] ||
		fail "no udev rule for $id"
done
grep -q 'ATTR{idVendor}=="05c6", MODE="0660", GROUP="plugdev"' "$R" || fail "no rule for Qualcomm devices"
grep -q 'ATTR{idProduct}=="9008", ENV{ID_MM_DEVICE_IGNORE}="1"' "$R" || fail "EDL devices not kept from ModemManager"
# every rule line: KEY{attr}OP"value" pairs separated by ", "
bad=$(grep -v '^#' "$R" | grep -v '^$' |
	grep -Ev '^([A-Z]+(\{[A-Za-z_]+\})?(==|!=|=|\+=)"[^"]*"(, |$))+$' || true)
[ -z "$bad" ] || fail "malformed udev rule line(s): $bad"
[ "$(grep -c 'GOTO="qcbox_end"' "$R")" = 3 ] && grep -q '^LABEL="qcbox_end"$' "$R" || fail "GOTO/LABEL mismatch"
# the copy the build installs
[ -f "$QCBOX_BUILD/data/51-qcbox.rules" ] || fail "the build did not configure data/51-qcbox.rules"
grep -q '^ATTR{idVendor}=="05c6", MODE="0660", GROUP="[a-z_][a-z0-9_-]*", TAG+="uaccess"$' "$QCBOX_BUILD/data/51-qcbox.rules" ||
	fail "configured rules have no group"
ok "udev rules"
