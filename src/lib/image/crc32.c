/* SPDX-License-Identifier: BSD-3-Clause */
/* CRC-32/ISO-HDLC: table-driven update, and the GF(2) operator algebra that
 * appends zeros or joins two CRCs without touching the data again (used for
 * DONT_CARE and FILL runs of sparse images, which may be gigabytes). */
#include <string.h>

#include "qcbox/gpt.h"

#include "crc32_tables.h"
#include "image_impl.h"

static inline uint64_t load64le(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* Advances the raw register (no pre/post inversion). */
static uint32_t crc_reg(uint32_t r, const uint8_t *p, size_t len)
{
	while (len >= 16) {
		uint64_t v = load64le(p) ^ r, w = load64le(p + 8);

		r = qc_crc32_tab[15][v & 0xff] ^ qc_crc32_tab[14][(v >> 8) & 0xff] ^
		    qc_crc32_tab[13][(v >> 16) & 0xff] ^ qc_crc32_tab[12][(v >> 24) & 0xff] ^
		    qc_crc32_tab[11][(v >> 32) & 0xff] ^ qc_crc32_tab[10][(v >> 40) & 0xff] ^
		    qc_crc32_tab[9][(v >> 48) & 0xff] ^ qc_crc32_tab[8][v >> 56] ^ qc_crc32_tab[7][w & 0xff] ^
		    qc_crc32_tab[6][(w >> 8) & 0xff] ^ qc_crc32_tab[5][(w >> 16) & 0xff] ^
		    qc_crc32_tab[4][(w >> 24) & 0xff] ^ qc_crc32_tab[3][(w >> 32) & 0xff] ^
		    qc_crc32_tab[2][(w >> 40) & 0xff] ^ qc_crc32_tab[1][(w >> 48) & 0xff] ^ qc_crc32_tab[0][w >> 56];
		p += 16;
		len -= 16;
	}
	while (len--)
		r = (r >> 8) ^ qc_crc32_tab[0][(r ^ *p++) & 0xff];
	return r;
}

uint32_t qc_crc32_update(uint32_t crc, const void *buf, size_t len)
{
	return ~crc_reg(~crc, buf, len);
}

uint32_t qc_crc32(const void *buf, size_t len)
{
	return qc_crc32_update(0, buf, len);
}

/*
 * Feeding zero bytes to the register is linear over GF(2): the generated
 * qc_crc32_zero_ops[k] is the 32x32 bit matrix (column i = image of bit i)
 * for 2^k zero bytes, so any length costs one matrix per set bit.
 */
static uint32_t reg_zeros(uint32_t r, uint64_t len)
{
	for (int k = 0; len; k++, len >>= 1) {
		if (!(len & 1))
			continue;
		uint32_t v = r, out = 0;

		for (int i = 0; v; i++, v >>= 1)
			if (v & 1)
				out ^= qc_crc32_zero_ops[k][i];
		r = out;
	}
	return r;
}

uint32_t qc_crc32_zeros(uint32_t crc, uint64_t len)
{
	return ~reg_zeros(~crc, len);
}

/* crc(A||B) = Z^len(B)(crc(A)) xor crc(B): the inversions cancel out. */
uint32_t qc_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b)
{
	return reg_zeros(crc_a, len_b) ^ crc_b;
}

/* Doubling: the pattern's CRC is combined with itself, so a FILL run of any
 * length costs a few dozen cheap combines. */
uint32_t qc_crc32_repeat4(uint32_t crc, const uint8_t pattern[4], uint64_t count)
{
	uint32_t unit = qc_crc32(pattern, 4);
	uint64_t unit_len = 4;

	while (count) {
		if (count & 1)
			crc = qc_crc32_combine(crc, unit, unit_len);
		count >>= 1;
		if (count) {
			unit = qc_crc32_combine(unit, unit, unit_len);
			unit_len *= 2;
		}
	}
	return crc;
}
