/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDLC framing.  Throughput matters (DIAG log streams run at tens of MB/s and
 * captures are parsed offline at GB/s), so both directions work on runs:
 * find the next 0x7D/0x7E with a vector scan, move the run in one memcpy
 * (or not at all: a whole unescaped frame inside the input is checked in
 * place), and fold the CRC eight bytes at a time.
 */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "qcbox/hdlc.h"

/* Index of the first 0x7D or 0x7E in P[0..N), or N. */
static inline size_t scan_special(const uint8_t *p, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i flag = _mm_set1_epi8(QC_HDLC_FLAG), esc = _mm_set1_epi8(QC_HDLC_ESC);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, flag), _mm_cmpeq_epi8(v, esc)));

		if (m)
			return i + (size_t)__builtin_ctz((unsigned)m);
	}
#endif
	for (; i < n; i++)
		if (p[i] == QC_HDLC_FLAG || p[i] == QC_HDLC_ESC)
			return i;
	return n;
}

static uint8_t *put_escaped(uint8_t *o, const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = scan_special(p, n);

		memcpy(o, p, k);
		o += k;
		p += k;
		n -= k;
		if (n) {
			*o++ = QC_HDLC_ESC;
			*o++ = *p++ ^ QC_HDLC_ESC_MASK;
			n--;
		}
	}
	return o;
}

ssize_t qc_hdlc_encode(const void *payload, size_t len, void *out, size_t cap, bool leading_flag)
{
	uint8_t *o = out;
	uint16_t crc;
	uint8_t c[2];

	if (cap < qc_hdlc_encoded_max(len))
		return QC_E_TOOBIG;
	if (leading_flag)
		*o++ = QC_HDLC_FLAG;
	crc = qc_crc16_x25(payload, len);
	c[0] = (uint8_t)crc;
	c[1] = (uint8_t)(crc >> 8);
	o = put_escaped(o, payload, len);
	o = put_escaped(o, c, 2);
	*o++ = QC_HDLC_FLAG;
	return o - (uint8_t *)out;
}

ssize_t qc_nhdlc_encode(const void *payload, size_t len, void *out, size_t cap)
{
	uint8_t *o = out;

	if (len > 0xffff || cap < len + 5)
		return QC_E_TOOBIG;
	o[0] = QC_HDLC_FLAG;
	o[1] = 1;
	o[2] = (uint8_t)len;
	o[3] = (uint8_t)(len >> 8);
	memcpy(o + 4, payload, len);
	o[4 + len] = QC_HDLC_FLAG;
	return (ssize_t)len + 5;
}

int qc_hdlc_decoder_init(struct qc_hdlc_decoder *d, size_t max_frame)
{
	memset(d, 0, sizeof(*d));
	if (max_frame < 16)
		max_frame = 16;
	d->buf = malloc(max_frame);
	if (!d->buf)
		return QC_E_NOMEM;
	d->cap = max_frame;
	return 0;
}

void qc_hdlc_decoder_free(struct qc_hdlc_decoder *d)
{
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
}

void qc_hdlc_decoder_reset(struct qc_hdlc_decoder *d)
{
	d->len = 0;
	d->esc = false;
	d->overflow = false;
	d->nhdlc_need = 0;
	d->nhdlc_hdr_len = 0;
}

void qc_hdlc_decoder_set_framing(struct qc_hdlc_decoder *d, enum qc_framing framing)
{
	qc_hdlc_decoder_reset(d);
	d->framing = framing;
}

static int check_frame(const uint8_t *f, size_t n, const uint8_t **frame, size_t *frame_len)
{
	uint16_t want = (uint16_t)(f[n - 2] | f[n - 1] << 8);

	*frame = f;
	*frame_len = n - 2;
	return qc_crc16_x25(f, n - 2) == want ? 1 : QC_E_CRC;
}

static int decode_nhdlc(struct qc_hdlc_decoder *d, const uint8_t *in, size_t len, size_t *used,
			const uint8_t **frame, size_t *frame_len);

int qc_hdlc_decode(struct qc_hdlc_decoder *d, const void *in_, size_t len, size_t *used, const uint8_t **frame,
		   size_t *frame_len)
{
	const uint8_t *in = in_, *p = in, *end = in + len;

	if (d->framing == QC_FRAMING_NHDLC)
		return decode_nhdlc(d, in, len, used, frame, frame_len);

	while (p < end) {
		size_t k;

		if (d->len == 0 && !d->esc && !d->overflow) {
			while (p < end && *p == QC_HDLC_FLAG)
				p++;
			if (p == end)
				break;
			k = scan_special(p, (size_t)(end - p));
			if (k < (size_t)(end - p) && p[k] == QC_HDLC_FLAG) {
				/* A whole unescaped frame inside the input: no copy. */
				const uint8_t *f = p;

				p += k + 1;
				if (k < 3)
					continue;
				*used = (size_t)(p - in);
				if (k > d->cap)
					return QC_E_TOOBIG;
				return check_frame(f, k, frame, frame_len);
			}
		} else {
			k = scan_special(p, (size_t)(end - p));
		}
		if (k) {
			if (d->overflow) {
				p += k;
				continue;
			}
			if (d->len + k > d->cap) {
				d->overflow = true;
				d->len = 0;
				d->esc = false;
				p += k;
				*used = (size_t)(p - in);
				return QC_E_TOOBIG;
			}
			memcpy(d->buf + d->len, p, k);
			if (d->esc) {
				d->buf[d->len] ^= QC_HDLC_ESC_MASK;
				d->esc = false;
			}
			d->len += k;
			p += k;
			continue;
		}
		if (*p == QC_HDLC_ESC) {
			/* A repeated 7D never occurs in a valid stream; like other
			 * decoders, the last escape wins. */
			p++;
			d->esc = true;
			continue;
		}
		/* Flag: end of frame.  7D 7E (an HDLC abort) just ends the frame;
		 * its CRC decides, as in every other DIAG decoder. */
		p++;
		size_t n = d->len;
		bool overflowed = d->overflow;

		d->len = 0;
		d->esc = false;
		d->overflow = false;
		if (n < 3 || overflowed)
			continue;
		*used = (size_t)(p - in);
		return check_frame(d->buf, n, frame, frame_len);
	}
	*used = len;
	return 0;
}

/* 7E 01 len16le payload 7E.  nhdlc_need counts payload + trailer bytes
 * still to come once the header is complete. */
static int decode_nhdlc(struct qc_hdlc_decoder *d, const uint8_t *in, size_t len, size_t *used,
			const uint8_t **frame, size_t *frame_len)
{
	const uint8_t *p = in, *end = in + len;

	while (p < end) {
		if (d->nhdlc_need == 0) {
			uint8_t c = *p++;

			if (d->nhdlc_hdr_len == 0 && c != QC_HDLC_FLAG) {
				*used = (size_t)(p - in);
				return QC_E_PROTOCOL;
			}
			if (d->nhdlc_hdr_len == 1 && c == QC_HDLC_FLAG)
				continue; /* repeated flag */
			if (d->nhdlc_hdr_len == 1 && c != 1) {
				d->nhdlc_hdr_len = 0;
				*used = (size_t)(p - in);
				return QC_E_PROTOCOL;
			}
			d->nhdlc_hdr[d->nhdlc_hdr_len++] = c;
			if (d->nhdlc_hdr_len == 4) {
				size_t n = (size_t)d->nhdlc_hdr[2] | (size_t)d->nhdlc_hdr[3] << 8;

				d->nhdlc_hdr_len = 0;
				d->nhdlc_need = n + 1;
				d->len = 0;
				d->overflow = n + 1 > d->cap;
				if (d->overflow) {
					*used = (size_t)(p - in);
					return QC_E_TOOBIG;
				}
			}
			continue;
		}
		size_t avail = (size_t)(end - p);
		size_t k = avail < d->nhdlc_need ? avail : d->nhdlc_need;

		if (!d->overflow) {
			if (d->len == 0 && k == d->nhdlc_need) {
				/* whole frame in the input: check in place */
				d->nhdlc_need = 0;
				*used = (size_t)(p + k - in);
				if (p[k - 1] != QC_HDLC_FLAG)
					return QC_E_PROTOCOL;
				*frame = p;
				*frame_len = k - 1;
				return 1;
			}
			memcpy(d->buf + d->len, p, k);
			d->len += k;
		}
		p += k;
		d->nhdlc_need -= k;
		if (d->nhdlc_need == 0) {
			*used = (size_t)(p - in);
			if (d->overflow) {
				d->overflow = false;
				continue;
			}
			if (d->buf[d->len - 1] != QC_HDLC_FLAG)
				return QC_E_PROTOCOL;
			*frame = d->buf;
			*frame_len = d->len - 1;
			d->len = 0;
			return 1;
		}
	}
	*used = len;
	return 0;
}
