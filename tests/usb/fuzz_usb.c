/* SPDX-License-Identifier: BSD-3-Clause */
/* What a device tells us before any protocol runs: its product and serial
 * strings, its interface list, and the first bytes it sends to a probe.
 * The same input is read all three ways. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/usb/usb_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_serial(const char *product, const char *iserial, size_t cap)
{
	char out[130];

	memset(out, 'X', sizeof(out));
	qc_usb_serial_from(product, iserial, out, cap);
	size_t len = strnlen(out, cap);

	if (len >= cap)
		abort(); /* not terminated inside CAP */
	for (size_t i = 0; i < len; i++)
		if (!isprint((unsigned char)out[i]))
			abort();
	if (cap < sizeof(out) && out[cap] != 'X')
		abort(); /* wrote past CAP */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* product string up to the first NUL, iSerialNumber after it */
	char *text = malloc(size + 2);
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	check_serial(text, nul ? text + plen + 1 : NULL, 128);
	check_serial(text, NULL, 5);
	check_serial(NULL, text, 1);
	free(text);

	/* the first bytes of an answer */
	for (int after_nop = 0; after_nop < 2; after_nop++) {
		enum qc_usb_mode m = qc_usb_classify_reply(data, size, after_nop);

		if (m < QC_USB_MODE_UNKNOWN || m > QC_USB_MODE_SDLOAD || !qc_usb_mode_name(m))
			abort();
	}

	/* VID, PID, then (subclass, protocol) pairs of vendor interfaces */
	if (size >= 4) {
		struct qc_usb_iface f[32];
		size_t n = (size - 4) / 2;
		enum qc_usb_mode m = QC_USB_MODE_UNKNOWN;

		if (n > 32)
			n = 32;
		for (size_t i = 0; i < n; i++) {
			memset(&f[i], 0, sizeof(f[i]));
			f[i].number = (int)i;
			f[i].subclass = data[4 + 2 * i];
			f[i].protocol = data[5 + 2 * i];
		}
		int pick = qc_usb_choose((uint16_t)(data[0] | data[1] << 8), (uint16_t)(data[2] | data[3] << 8),
					 "QHSUSB__DLOAD", f, n, &m);

		if (pick >= (int)n || pick < -1 || (pick >= 0 && m == QC_USB_MODE_UNKNOWN))
			abort();
	}
	return 0;
}
