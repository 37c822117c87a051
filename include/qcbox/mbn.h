/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Qualcomm boot images: legacy MBN files (a 40- or 80-byte header before the
 * code, signature and certificate chain) and ELF32/ELF64 images with a hash
 * segment (header versions 3, 5, 6, 7): a table of per-segment digests, the
 * signature and the certificate chain.  The root certificate's SHA-256 (or
 * SHA-384) is the "PK hash" a fused device compares against; the HWID comes
 * from the attestation certificate's OU fields or, from v6 on, from the
 * image's metadata.
 *
 * The building blocks (ELF header, program header and hash-segment parsers)
 * are shared with the simulated boot ROM, which reads an image the way a PBL
 * does.
 */
#ifndef QCBOX_MBN_H
#define QCBOX_MBN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

enum qc_mbn_format {
	QC_MBN_UNKNOWN = 0,
	QC_MBN_ELF32,
	QC_MBN_ELF64,
	QC_MBN_LEGACY40,
	QC_MBN_LEGACY80,
};

/* "elf32", "elf64", "mbn40", "mbn80" or "unknown". */
QC_API const char *qc_mbn_format_name(enum qc_mbn_format f);

/* Bounds for what the parser accepts; real images stay far below them. */
#define QC_MBN_MAX_PHDRS 512u
#define QC_MBN_MAX_HASHSEG (1u << 20)
#define QC_MBN_MAX_CHAIN (64u << 10)
#define QC_MBN_MAX_LEGACY_IMAGE (256u << 20)

/* ----- building blocks ----- */

#define QC_ELF32_EHDR_LEN 52u
#define QC_ELF64_EHDR_LEN 64u
#define QC_ELF32_PHDR_LEN 32u
#define QC_ELF64_PHDR_LEN 56u

struct qc_elf_header {
	bool is64;
	uint16_t machine;
	uint64_t entry;
	uint64_t phoff, shoff;
	uint16_t phentsize, phnum, shentsize, shnum;
	uint16_t ehsize;
};

/* Parses an ELF header from the first LEN bytes of a file (at least 52 for
 * ELF32 and 64 for ELF64).  QC_E_FORMAT with a sentence when it is not a
 * little-endian ELF32/ELF64 header or its program-header fields are
 * inconsistent; QC_E_RANGE when LEN is too short for its class. */
QC_API int qc_elf_parse_header(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_elf_header *eh);

struct qc_elf_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

/* Decodes program header I out of the table at BUF (phnum * phentsize). */
QC_API void qc_elf_parse_phdr(const struct qc_elf_header *eh, const uint8_t *table, unsigned i,
			      struct qc_elf_phdr *ph);

/* Qualcomm's segment type lives in p_flags bits 24..26. */
#define QC_MBN_SEG_TYPE(flags) (((flags) >> 24) & 7u)
#define QC_MBN_SEG_HASH 2u /* the hash segment */
#define QC_MBN_SEG_PHDR 7u /* the placeholder covering the ELF header and phdrs */

/* The hash segment of a program header table: its index, or -1. */
QC_API int qc_mbn_find_hash_segment(const struct qc_elf_phdr *ph, unsigned n);

/* Where the parts of a hash segment lie, relative to its start. */
struct qc_mbn_hashseg {
	uint32_t image_id, version;
	uint32_t header_len;
	unsigned digest_len; /* 32 (SHA-256) or 48 (SHA-384) */
	uint32_t hash_off, hash_len;
	uint32_t qti_md_off, qti_md_len, oem_md_off, oem_md_len;
	uint32_t qti_sig_off, qti_sig_len, qti_chain_off, qti_chain_len;
	uint32_t sig_off, sig_len, chain_off, chain_len;
	/* v7 common metadata */
	uint32_t sw_id, hash_algorithm;
};

/* Parses the header of a hash segment of LEN bytes (v3, v5, v6, v7) and
 * checks that every part it names lies inside the segment. */
QC_API int qc_mbn_parse_hashseg(qc_ctx *ctx, const uint8_t *seg, size_t len, struct qc_mbn_hashseg *hs);

struct qc_mbn_legacy {
	unsigned header_len; /* 40 or 80 */
	uint32_t image_id, version;
	uint32_t image_src, dest, image_size, code_size;
	uint32_t sig_ptr, sig_size, cert_ptr, cert_size;
};

/* Recognises a 40- or 80-byte MBN header at the start of BUF.  FILE_SIZE
 * (0: unknown) bounds image_size.  QC_E_FORMAT when neither fits. */
QC_API int qc_mbn_parse_legacy(qc_ctx *ctx, const uint8_t *buf, size_t len, uint64_t file_size,
			       struct qc_mbn_legacy *lh);

/* ----- certificate chains ----- */

#define QC_MBN_MAX_CERTS 8

struct qc_mbn_identity {
	unsigned ncerts;
	size_t cert_len[QC_MBN_MAX_CERTS];
	char subject_cn[QC_MBN_MAX_CERTS][128];
	/* OU fields of the attestation (first) certificate: "02 <hex> HW_ID" */
	bool have_hw_id, have_sw_id, have_oem_id, have_model_id, have_debug;
	uint64_t hw_id, sw_id, debug;
	uint16_t oem_id, model_id;
	bool ou_sha384, ou_sha256; /* the "07 .... SHA384|SHA256" field */
	uint8_t root_sha256[32];
	uint8_t root_sha384[48];
};

/* Splits a chain of concatenated DER certificates (padding after the last
 * one is ignored), parses each with OpenSSL and hashes the root (the last
 * one).  Returns the number of certificates (0: no chain). */
QC_API int qc_mbn_parse_chain(qc_ctx *ctx, const uint8_t *chain, size_t len, struct qc_mbn_identity *id);

/* ----- whole images ----- */

#define QC_MBN_VERIFY_HASHES 1u /* hash every segment against the table */

struct qc_mbn_info {
	enum qc_mbn_format format;
	uint64_t file_size;
	uint64_t end;          /* end of the last byte a boot ROM reads */
	uint16_t machine;      /* ELF e_machine */
	unsigned phnum;
	int hash_segment;      /* index, or -1 */
	uint32_t hash_segment_version; /* 0: none */
	uint32_t image_id;
	const char *hash_algorithm; /* "sha256", "sha384" or NULL */
	bool have_hwid;
	uint64_t hwid;
	const char *hwid_source; /* "certificate" or "metadata" */
	uint32_t msm_id;
	uint16_t oem_id, model_id;
	bool have_sw_id;
	uint32_t sw_id;
	unsigned nsoc;         /* v6+ metadata: SoC hardware versions */
	uint16_t soc_vers[12];
	bool is_signed;        /* a signature and a certificate chain are present */
	size_t pkhash_len;     /* 0 when unsigned */
	uint8_t pkhash[48];
	struct qc_mbn_identity id;
	int hashes_ok;         /* 1, 0, or -1 when not checked / no hash table */
	unsigned hashes_bad;   /* segments whose digest differs */
	int first_bad_segment; /* -1 if none */
};

/* Parses an image in memory. */
QC_API int qc_mbn_parse_buffer(qc_ctx *ctx, const uint8_t *buf, size_t len, unsigned flags, struct qc_mbn_info *info);

/* Parses a file; segments are hashed in constant memory.  Errors name PATH:
 * QC_E_NOTFOUND / QC_E_IO for the file, QC_E_FORMAT when it is neither an
 * ELF nor an MBN image or is damaged. */
QC_API int qc_mbn_parse_file(qc_ctx *ctx, const char *path, unsigned flags, struct qc_mbn_info *info);

#ifdef __cplusplus
}
#endif
#endif
