/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which USB devices are Qualcomm phones in a mode qcbox speaks, which of
 * their interfaces to use, and what their serial number is.  Everything
 * here works on values already read from descriptors, so it is shared by
 * discovery and open, and fuzzed.
 */
#include <ctype.h>
#include <string.h>

#include "core/bytes.h"
#include "qcbox/dload.h"
#include "qcbox/hdlc.h"
#include "qcbox/sahara.h"
#include "qcbox/sdload.h"
#include "usb_impl.h"

/* Vendor-specific interface protocols seen on Qualcomm functions: the
 * boot ROM's EDL interface uses 0xff or, on newer chips, 0x10/0x11/0x13;
 * DIAG functions of newer compositions announce 0x30. */
#define QC_PROTO_DIAG 0x30

static const struct {
	uint16_t vid, pid;
	enum qc_usb_mode mode;
} known_ids[] = {
	{0x05c6, 0x9008, QC_USB_MODE_SAHARA}, /* QDLoader 9008: boot ROM emergency download */
	{0x05c6, 0x900e, QC_USB_MODE_DIAG},	  /* DIAG-only composition; also a crashed phone (see below) */
	{0x05c6, 0x9025, QC_USB_MODE_DIAG},	  /* composite, DIAG is its first vendor interface */
	/* Vendors that rebrand the EDL personality */
	{0x0fce, 0x9dde, QC_USB_MODE_SAHARA}, /* Sony */
	{0x0fce, 0xade3, QC_USB_MODE_SAHARA},
	{0x0fce, 0xade5, QC_USB_MODE_SAHARA},
	{0x0fce, 0xaded, QC_USB_MODE_SAHARA},
	{0x1199, 0x9062, QC_USB_MODE_SAHARA}, /* Sierra Wireless boot mode */
	{0x1199, 0x9070, QC_USB_MODE_SAHARA},
	{0x1199, 0x9090, QC_USB_MODE_SAHARA},
	{0x0846, 0x68e0, QC_USB_MODE_SAHARA}, /* Netgear */
	{0x19d2, 0x0076, QC_USB_MODE_SAHARA}, /* ZTE */
};

bool qc_usb_id_known(uint16_t vid, uint16_t pid, enum qc_usb_mode *mode)
{
	for (size_t i = 0; i < sizeof(known_ids) / sizeof(known_ids[0]); i++) {
		if (known_ids[i].vid == vid && known_ids[i].pid == pid) {
			*mode = known_ids[i].mode;
			return true;
		}
	}
	return false;
}

static bool contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; hay && *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return true;
	return false;
}

int qc_usb_choose(uint16_t vid, uint16_t pid, const char *product, const struct qc_usb_iface *ifaces, size_t n,
		  enum qc_usb_mode *mode)
{
	enum qc_usb_mode id_mode;
	bool known = qc_usb_id_known(vid, pid, &id_mode);

	if (!n)
		return -1;
	/* A DIAG function that says so wins on any composite device. */
	for (size_t i = 0; i < n; i++) {
		if (ifaces[i].protocol == QC_PROTO_DIAG && (known || vid == 0x05c6)) {
			*mode = QC_USB_MODE_DIAG;
			return (int)i;
		}
	}
	if (known) {
		*mode = id_mode;
		/* 05c6:900e is also what a crashed phone enumerates as
		 * ("QHSUSB__DLOAD"), where the boot ROM offers Sahara memory
		 * debug rather than DIAG. */
		if (vid == 0x05c6 && pid == 0x900e && contains_nocase(product, "DLOAD"))
			*mode = QC_USB_MODE_SAHARA;
		return 0;
	}
	if (vid != 0x05c6)
		return -1;
	/* Unlisted Qualcomm PIDs: only interfaces that carry a known EDL
	 * protocol number; a phone in normal mode has many vendor interfaces
	 * (modem, rmnet, adb) that are none of our business. */
	for (size_t i = 0; i < n; i++) {
		uint8_t p = ifaces[i].protocol;

		if (ifaces[i].subclass == 0xff && (p == 0x10 || p == 0x11 || p == 0x13)) {
			*mode = QC_USB_MODE_SAHARA;
			return (int)i;
		}
	}
	return -1;
}

/* Copies S (LEN bytes) into OUT as printable ASCII, trimmed. */
static void copy_clean(const char *s, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	for (size_t i = 0; i < len && o + 1 < cap; i++)
		out[o++] = isprint((unsigned char)s[i]) ? s[i] : '?';
	if (cap)
		out[o] = '\0';
}

void qc_usb_serial_from(const char *product, const char *iserial, char *out, size_t cap)
{
	const char *sn = NULL;

	if (!cap)
		return;
	out[0] = '\0';
	/* EDL product strings read like "QUSB__BULK_CID:0402_SN:8C2A5B39":
	 * fields separated by '_', the serial in the one named SN. */
	for (const char *p = product; p && *p; p++) {
		if ((p == product || p[-1] == '_') && !strncmp(p, "SN:", 3)) {
			sn = p + 3;
			break;
		}
	}
	if (sn) {
		size_t len = strcspn(sn, "_ ");

		if (len) {
			copy_clean(sn, len, out, cap);
			return;
		}
	}
	if (iserial)
		copy_clean(iserial, strlen(iserial), out, cap);
}

/* Whether BUF starts with a whole Sahara packet of command CMD. */
static bool sahara_packet(const uint8_t *buf, size_t len, uint32_t cmd)
{
	uint32_t min, max, plen;

	if (len < QC_SAHARA_HEADER_LEN || qc_get_le32(buf) != cmd || qc_sahara_packet_length(cmd, &min, &max) < 0)
		return false;
	plen = qc_get_le32(buf + 4);
	return plen >= min && plen <= max && plen <= len;
}

enum qc_usb_mode qc_usb_classify_reply(const uint8_t *buf, size_t len, bool after_nop)
{
	size_t i = 0;

	if (!len)
		return QC_USB_MODE_UNKNOWN;
	/* A HELLO comes unprompted; END_IMAGE_TX is how a boot ROM that
	 * already sent its HELLO rejects anything else. */
	if (sahara_packet(buf, len, QC_SAHARA_HELLO) || sahara_packet(buf, len, QC_SAHARA_END_IMAGE_TX))
		return QC_USB_MODE_SAHARA;
	/* Firehose speaks XML documents, possibly after whitespace. */
	while (i < len && isspace(buf[i]))
		i++;
	if (len - i >= 5 && !memcmp(buf + i, "<?xml", 5))
		return QC_USB_MODE_FIREHOSE;
	if (len - i >= 5 && (!memcmp(buf + i, "<data", 5) || !memcmp(buf + i, "<log ", 5)))
		return QC_USB_MODE_FIREHOSE;
	/* HDLC answers to the NOP: the DMSS downloader ACKs; a streaming
	 * downloader has no request 0x06 and says ERROR or logs.  Frames may
	 * start with a flag. */
	if (after_nop) {
		i = 0;
		while (i < len && buf[i] == QC_HDLC_FLAG)
			i++;
		if (i < len && buf[i] == QC_DLOAD_ACK)
			return QC_USB_MODE_DLOAD;
		if (i < len && (buf[i] == QC_SDLOAD_ERROR || buf[i] == QC_SDLOAD_LOG))
			return QC_USB_MODE_SDLOAD;
	}
	return QC_USB_MODE_UNKNOWN;
}

const char *qc_usb_mode_name(enum qc_usb_mode mode)
{
	switch (mode) {
	case QC_USB_MODE_SAHARA: return "sahara";
	case QC_USB_MODE_FIREHOSE: return "firehose";
	case QC_USB_MODE_DIAG: return "diag";
	case QC_USB_MODE_DLOAD: return "dload";
	case QC_USB_MODE_SDLOAD: return "sdload";
	default: return "unknown";
	}
}
