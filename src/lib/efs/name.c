/* SPDX-License-Identifier: BSD-3-Clause */
/* Names that come from the device: which are safe as a local path
 * component, and how to show any of them without handing a terminal or a
 * JSON reader raw control bytes. */
#include <string.h>

#include "qcbox/efs.h"

const char *qc_efs_name_check(const char *name, size_t len)
{
	if (len == 0)
		return "the name is empty";
	if (memchr(name, '\0', len))
		return "the name contains a NUL byte";
	if (memchr(name, '/', len))
		return "the name contains '/'";
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7f)
			return "the name contains a control character";
	}
	if (len == 1 && name[0] == '.')
		return "the name is '.'";
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return "the name is '..'";
	if (len > 255)
		return "the name is longer than 255 bytes";
	return NULL;
}

/* Length of the well-formed UTF-8 sequence at P (at most LEFT bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (left < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

void qc_efs_escape(const char *name, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)name;
	size_t o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < len;) {
		char tmp[4];
		size_t n = 0, u;

		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') {
			tmp[n++] = (char)p[i];
			u = 1;
		} else if (p[i] == '\\') {
			tmp[n++] = '\\';
			tmp[n++] = '\\';
			u = 1;
		} else if ((u = utf8_seq(p + i, len - i)) != 0) {
			memcpy(tmp, p + i, u);
			n = u;
		} else {
			tmp[n++] = '\\';
			tmp[n++] = 'x';
			tmp[n++] = hex[p[i] >> 4];
			tmp[n++] = hex[p[i] & 15];
			u = 1;
		}
		if (o + n + 1 > cap) {
			/* Mark the cut so a shortened name is not taken for whole. */
			if (cap >= 4) {
				while (o + 4 > cap)
					o--;
				while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
					o--;
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(out + o, tmp, n);
		o += n;
		i += u;
	}
	out[o] = '\0';
}
