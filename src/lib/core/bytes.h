/* SPDX-License-Identifier: BSD-3-Clause */
/* Fixed-endian field access for every wire format and file format: fields
 * are read and written byte by byte, so neither alignment nor the host's
 * byte order ever matters.  DMSS DLOAD is big-endian; Sahara, Firehose
 * payloads, DIAG, EFS2, Streaming DLOAD, ELF/MBN, GPT and sparse images are
 * little-endian. */
#ifndef QC_BYTES_H
#define QC_BYTES_H

#include <stdint.h>

static inline uint16_t qc_get_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t qc_get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t qc_get_le64(const uint8_t *p)
{
	return (uint64_t)qc_get_le32(p) | (uint64_t)qc_get_le32(p + 4) << 32;
}

static inline uint16_t qc_get_be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static inline uint32_t qc_get_be24(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }

static inline uint32_t qc_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void qc_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void qc_put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void qc_put_le64(uint8_t *p, uint64_t v)
{
	qc_put_le32(p, (uint32_t)v);
	qc_put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline void qc_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void qc_put_be24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline void qc_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
