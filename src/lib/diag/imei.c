/* SPDX-License-Identifier: BSD-3-Clause */
/* IMEI (NV 550) and MEID (NV 1943) as phones store them. */
#include <ctype.h>
#include <string.h>

#include "qcbox/nv.h"

/* NV 550 reuses the 3GPP mobile identity (TS 24.008 10.5.1.4): the low
 * nibble of the first BCD byte is the identity type (2, IMEI) with bit 3
 * set because 15 digits is odd, so a valid item reads 08 xA ... */
#define IMEI_TYPE_NIBBLE 0xa

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

int qc_imei_decode(const uint8_t *nv, size_t len, char out[16])
{
	unsigned digits[15];
	size_t nd = 0;

	out[0] = '\0';
	if (len < QC_IMEI_NV_LEN)
		return QC_E_FORMAT;
	if (all_bytes(nv, QC_IMEI_NV_LEN, 0x00) || all_bytes(nv, QC_IMEI_NV_LEN, 0xff))
		return 0;
	if (nv[0] != QC_IMEI_NV_LEN - 1 || (nv[1] & 15) != IMEI_TYPE_NIBBLE)
		return QC_E_FORMAT;
	/* The first digit shares the type byte (high nibble); then two
	 * digits a byte, the earlier one in the low nibble. */
	digits[nd++] = nv[1] >> 4;
	for (size_t i = 2; i < QC_IMEI_NV_LEN; i++) {
		digits[nd++] = nv[i] & 15;
		digits[nd++] = nv[i] >> 4;
	}
	for (size_t i = 0; i < 15; i++) {
		if (digits[i] > 9)
			return QC_E_FORMAT;
		out[i] = (char)('0' + digits[i]);
	}
	out[15] = '\0';
	return 15;
}

int qc_imei_encode(const char *digits, uint8_t out[QC_IMEI_NV_LEN])
{
	unsigned d[15];

	if (strlen(digits) != 15)
		return QC_E_INVAL;
	for (size_t i = 0; i < 15; i++) {
		if (!isdigit((unsigned char)digits[i]))
			return QC_E_INVAL;
		d[i] = (unsigned)(digits[i] - '0');
	}
	out[0] = QC_IMEI_NV_LEN - 1;
	out[1] = (uint8_t)(d[0] << 4 | IMEI_TYPE_NIBBLE);
	for (size_t i = 0; i < 7; i++)
		out[2 + i] = (uint8_t)(d[2 * i + 2] << 4 | d[2 * i + 1]);
	return 0;
}

bool qc_imei_luhn_ok(const char *digits)
{
	unsigned sum = 0;

	if (strlen(digits) < 15)
		return false;
	for (int i = 0; i < 15; i++) {
		unsigned v;

		if (!isdigit((unsigned char)digits[i]))
			return false;
		v = (unsigned)(digits[i] - '0');
		if (i % 2) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return sum % 10 == 0;
}

int qc_meid_decode(const uint8_t *nv, size_t len, char out[15])
{
	static const char hex[] = "0123456789ABCDEF";
	uint64_t v = 0;

	out[0] = '\0';
	if (len < 8)
		return QC_E_FORMAT;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | nv[i];
	if (v == 0 || v == UINT64_MAX)
		return 0;
	if (v >> 56)
		return QC_E_FORMAT;
	for (int i = 13; i >= 0; i--) {
		out[i] = hex[v & 15];
		v >>= 4;
	}
	out[14] = '\0';
	return 14;
}

int qc_meid_encode(const char *hex14, uint8_t out[8])
{
	uint64_t v = 0;

	if (strlen(hex14) != 14)
		return QC_E_INVAL;
	for (int i = 0; i < 14; i++) {
		int c = tolower((unsigned char)hex14[i]);

		if (!isxdigit(c))
			return QC_E_INVAL;
		v = v << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
	return 0;
}
