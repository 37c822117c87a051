/* SPDX-License-Identifier: BSD-3-Clause */
/* HDLC / CRC-16/X-25 against published vectors and a bit-serial reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qcbox/hdlc.h"

/* Bit-at-a-time definition of CRC-16/X-25, independent of the tables. */
static uint16_t crc_bitwise(const uint8_t *p, size_t n)
{
	uint16_t c = 0xffff;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (uint16_t)((c >> 1) ^ 0x8408) : (uint16_t)(c >> 1);
	}
	return (uint16_t)~c;
}

static void test_crc_vectors(void **state)
{
	uint8_t nv[133] = {0x26, 0xb2, 0x00};

	(void)state;
	assert_int_equal(qc_crc16_x25("123456789", 9), 0x906e);
	assert_int_equal(qc_crc16_x25("", 0), 0x0000);
	/* 133-byte short NV read of item 178 (libqcdm test vector). */
	assert_int_equal(qc_crc16_x25(nv, sizeof(nv)), 0x6d69);
	/* every length and alignment against the bitwise definition */
	uint8_t buf[300];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(buf); n += 7)
			assert_int_equal(qc_crc16_x25(buf + off, n), crc_bitwise(buf + off, n));
	/* incremental equals one-shot */
	uint16_t c = qc_crc16_x25_update(0xffff, buf, 100);

	c = qc_crc16_x25_update(c, buf + 100, 77);
	assert_int_equal(c ^ 0xffff, qc_crc16_x25(buf, 177));
}

struct wire_vector {
	const char *payload;
	size_t plen;
	const char *wire;
	size_t wlen;
};

#define V(p, w) {p, sizeof(p) - 1, w, sizeof(w) - 1}
/* Worked frames from the protocol notes (independently checked). */
static const struct wire_vector vectors[] = {
	V("\x00", "\x00\x78\xf0\x7e"),
	V("\x01", "\x01\xf1\xe1\x7e"),
	V("\x0c", "\x0c\x14\x3a\x7e"),
	V("\x1c", "\x1c\x95\x2a\x7e"),
	V("\x7c", "\x7c\x93\x49\x7e"),
	V("\x3a", "\x3a\xa1\x6e\x7e"),
	V("\x29\x01\x00", "\x29\x01\x00\x31\x40\x7e"),
	V("\x29\x02\x00", "\x29\x02\x00\x59\x6a\x7e"),
	V("\x4b\x13\x00\x00", "\x4b\x13\x00\x00\x8d\x40\x7e"),
	V("\x4b\x05\x08\x00", "\x4b\x05\x08\x00\x01\xdd\x7e"),
	V("\x4b\x65\x01\x00", "\x4b\x65\x01\x00\x54\x0f\x7e"),
	V("\x7d\x05\x00\x00\x00\x00\x00\x00", "\x7d\x5d\x05\x00\x00\x00\x00\x00\x00\x74\x41\x7e"),
	V("\x73\x00\x00\x00\x00\x00\x00\x00", "\x73\x00\x00\x00\x00\x00\x00\x00\xda\x81\x7e"),
	V("\x41"
	  "000000",
	  "\x41"
	  "000000\xdf\x8a\x7e"),
	V("\x26\xb2\x01", "\x26\xb2\x01\x79\x0b\x7e"),
};

static void test_encode_vectors(void **state)
{
	uint8_t out[64];

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ssize_t n = qc_hdlc_encode(vectors[i].payload, vectors[i].plen, out, sizeof(out), false);

		assert_int_equal(n, (ssize_t)vectors[i].wlen);
		assert_memory_equal(out, vectors[i].wire, vectors[i].wlen);
		n = qc_hdlc_encode(vectors[i].payload, vectors[i].plen, out, sizeof(out), true);
		assert_int_equal(n, (ssize_t)vectors[i].wlen + 1);
		assert_int_equal(out[0], 0x7e);
	}
	assert_int_equal(qc_hdlc_encode("x", 1, out, 4, false), QC_E_TOOBIG);
}

static void test_decode_vectors(void **state)
{
	struct qc_hdlc_decoder d;

	(void)state;
	assert_int_equal(qc_hdlc_decoder_init(&d, 256), 0);
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const uint8_t *f;
		size_t used, n;

		assert_int_equal(qc_hdlc_decode(&d, vectors[i].wire, vectors[i].wlen, &used, &f, &n), 1);
		assert_int_equal(used, vectors[i].wlen);
		assert_int_equal(n, vectors[i].plen);
		assert_memory_equal(f, vectors[i].payload, n);
	}
	qc_hdlc_decoder_free(&d);
}

/* Encodes many frames back to back and decodes them fed in every split. */
static void test_split_and_multi(void **state)
{
	struct qc_hdlc_decoder d;
	uint8_t stream[8192], payloads[20][40];
	size_t plens[20], total = 0;

	(void)state;
	stream[total++] = 0x7e; /* leading flags are tolerated */
	stream[total++] = 0x7e;
	for (int i = 0; i < 20; i++) {
		plens[i] = 1 + (size_t)(i * 7) % 39;
		for (size_t k = 0; k < plens[i]; k++)
			payloads[i][k] = (uint8_t)(i % 3 == 0 ? 0x7d + (k & 1) : k * 13 + (size_t)i);
		ssize_t n = qc_hdlc_encode(payloads[i], plens[i], stream + total, sizeof(stream) - total, i % 2);

		assert_true(n > 0);
		total += (size_t)n;
	}
	assert_int_equal(qc_hdlc_decoder_init(&d, 128), 0);
	for (size_t chunk = 1; chunk <= 17; chunk++) {
		int got = 0;

		qc_hdlc_decoder_reset(&d);
		for (size_t off = 0; off < total;) {
			size_t len = total - off < chunk ? total - off : chunk;
			size_t pos = 0;

			while (pos < len) {
				const uint8_t *f;
				size_t used, n;
				int rc = qc_hdlc_decode(&d, stream + off + pos, len - pos, &used, &f, &n);

				pos += used;
				if (rc == 1) {
					assert_true(got < 20);
					assert_int_equal(n, plens[got]);
					assert_memory_equal(f, payloads[got], n);
					got++;
				} else {
					assert_int_equal(rc, 0);
				}
			}
			off += len;
		}
		assert_int_equal(got, 20);
	}
	qc_hdlc_decoder_free(&d);
}

static void test_bad_crc_and_short(void **state)
{
	struct qc_hdlc_decoder d;
	const uint8_t *f;
	size_t used, n;
	uint8_t bad[] = {0x00, 0x78, 0xf1, 0x7e};
	uint8_t shortf[] = {0x01, 0x02, 0x7e, 0x00, 0x78, 0xf0, 0x7e};

	(void)state;
	assert_int_equal(qc_hdlc_decoder_init(&d, 64), 0);
	assert_int_equal(qc_hdlc_decode(&d, bad, sizeof(bad), &used, &f, &n), QC_E_CRC);
	assert_int_equal(used, sizeof(bad));
	/* a 2-byte frame is dropped silently; the next frame still decodes */
	assert_int_equal(qc_hdlc_decode(&d, shortf, sizeof(shortf), &used, &f, &n), 1);
	assert_int_equal(used, sizeof(shortf));
	assert_int_equal(n, 1);
	qc_hdlc_decoder_free(&d);
}

/* A frame longer than the bound is reported at once (not after 10 MB) and
 * the decoder recovers at the next flag. */
static void test_overlong(void **state)
{
	struct qc_hdlc_decoder d;
	const uint8_t *f;
	size_t used, n, pos = 0;
	size_t big = 10u << 20;
	uint8_t *buf = malloc(big + 8);
	int toobig = 0;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0x55, big);
	memcpy(buf + big, "\x7e\x00\x78\xf0\x7e", 5);
	assert_int_equal(qc_hdlc_decoder_init(&d, 4096), 0);
	/* split read: the error shows up within the first chunks */
	assert_int_equal(qc_hdlc_decode(&d, buf, 2000, &used, &f, &n), 0);
	assert_int_equal(qc_hdlc_decode(&d, buf + 2000, 4000, &used, &f, &n), QC_E_TOOBIG);
	pos = 2000 + used;
	for (;;) {
		int rc = qc_hdlc_decode(&d, buf + pos, big + 5 - pos, &used, &f, &n);

		pos += used;
		if (rc == QC_E_TOOBIG)
			toobig++;
		if (rc == 1)
			break;
		assert_true(pos < big + 5);
	}
	assert_int_equal(toobig, 0);
	assert_int_equal(n, 1);
	assert_int_equal(f[0], 0);
	/* an unescaped frame longer than the bound inside one read */
	qc_hdlc_decoder_reset(&d);
	buf[5000] = 0x7e;
	assert_int_equal(qc_hdlc_decode(&d, buf, 5001, &used, &f, &n), QC_E_TOOBIG);
	qc_hdlc_decoder_free(&d);
	free(buf);
}

static void test_nhdlc(void **state)
{
	struct qc_hdlc_decoder d;
	uint8_t wire[64];
	const uint8_t *f;
	size_t used, n;
	ssize_t w = qc_nhdlc_encode("\x4b\x12\x18\x02\x7e", 5, wire, sizeof(wire));

	(void)state;
	assert_int_equal(w, 10);
	assert_memory_equal(wire, "\x7e\x01\x05\x00\x4b\x12\x18\x02\x7e\x7e", 10);
	assert_int_equal(qc_hdlc_decoder_init(&d, 64), 0);
	qc_hdlc_decoder_set_framing(&d, QC_FRAMING_NHDLC);
	/* byte by byte */
	int got = 0;

	for (ssize_t i = 0; i < w; i++) {
		int rc = qc_hdlc_decode(&d, wire + i, 1, &used, &f, &n);

		if (rc == 1) {
			got++;
			assert_int_equal(n, 5);
			assert_memory_equal(f, "\x4b\x12\x18\x02\x7e", 5);
		} else {
			assert_int_equal(rc, 0);
		}
	}
	assert_int_equal(got, 1);
	/* whole */
	assert_int_equal(qc_hdlc_decode(&d, wire, (size_t)w, &used, &f, &n), 1);
	/* bad trailer, bad version */
	wire[9] = 0x00;
	assert_int_equal(qc_hdlc_decode(&d, wire, (size_t)w, &used, &f, &n), QC_E_PROTOCOL);
	assert_int_equal(qc_hdlc_decode(&d, "\x7e\x02", 2, &used, &f, &n), QC_E_PROTOCOL);
	qc_hdlc_decoder_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vectors),     cmocka_unit_test(test_encode_vectors),
		cmocka_unit_test(test_decode_vectors),  cmocka_unit_test(test_split_and_multi),
		cmocka_unit_test(test_bad_crc_and_short), cmocka_unit_test(test_overlong),
		cmocka_unit_test(test_nhdlc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
