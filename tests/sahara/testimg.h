/* SPDX-License-Identifier: BSD-3-Clause */
/* Builds boot images for the Sahara/MBN tests: ELF32/ELF64 with a hash
 * segment of any version, optionally signed with a freshly generated
 * two-certificate chain whose leaf carries Qualcomm-style OU fields. */
#ifndef TESTIMG_H
#define TESTIMG_H

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

struct chain {
	uint8_t der[8192];
	size_t len;
	uint8_t root_sha256[32], root_sha384[48];
};

static inline EVP_PKEY *tk_key(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);

	EVP_PKEY_keygen_init(c);
	EVP_PKEY_CTX_set_ec_paramgen_curve_nid(c, NID_X9_62_prime256v1);
	EVP_PKEY_keygen(c, &k);
	EVP_PKEY_CTX_free(c);
	return k;
}

static inline X509 *tk_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn, const char *const *ous, const char *issuer_cn)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new(), *in = X509_NAME_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	for (; ous && *ous; ous++)
		X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)*ous, -1, -1, 0);
	X509_NAME_add_entry_by_txt(in, "CN", MBSTRING_ASC, (const unsigned char *)issuer_cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, in);
	X509_sign(x, signer, EVP_sha256());
	X509_NAME_free(n);
	X509_NAME_free(in);
	return x;
}

/* Leaf (with OUS) + root, then 0xFF padding to a multiple of 16. */
static inline void tk_chain(struct chain *c, const char *const *ous)
{
	EVP_PKEY *rk = tk_key(), *lk = tk_key();
	X509 *root = tk_cert(rk, rk, "Test Root", NULL, "Test Root");
	X509 *leaf = tk_cert(lk, rk, "Test Attestation", ous, "Test Root");
	unsigned char *p = c->der;
	int l1 = i2d_X509(leaf, &p), l2;
	unsigned char *rs = p;

	l2 = i2d_X509(root, &p);
	c->len = (size_t)(l1 + l2);
	EVP_Digest(rs, (size_t)l2, c->root_sha256, NULL, EVP_sha256(), NULL);
	EVP_Digest(rs, (size_t)l2, c->root_sha384, NULL, EVP_sha384(), NULL);
	while (c->len % 16)
		c->der[c->len++] = 0xff;
	X509_free(root);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(lk);
}

struct img_spec {
	bool is64;
	unsigned version;      /* 3, 5, 6, 7 */
	size_t seg_len;        /* bytes of the one LOAD segment */
	const struct chain *chain;
	const uint8_t *metadata; /* v6/v7 OEM metadata (120 bytes) or NULL */
	size_t md_len;
	uint8_t fill;
};

/* Returns a malloc'd image and its length. */
static inline uint8_t *tk_elf(const struct img_spec *s, size_t *out_len)
{
	unsigned ehsize = s->is64 ? 64 : 52, phsize = s->is64 ? 56 : 32, nph = 3;
	unsigned dlen = s->version >= 6 ? 48 : 32;
	unsigned hdr = s->version == 3 || s->version == 5 ? 40 : s->version == 6 ? 48 : 64;
	size_t sig = s->chain ? 64 : 0, chain = s->chain ? s->chain->len : 0;
	size_t hs_len = hdr + s->md_len + nph * dlen + sig + chain;
	size_t seg_off = 0x1000 + ((hs_len + 0xfff) & ~(size_t)0xfff), len = seg_off + s->seg_len;
	uint8_t *b = calloc(1, len), *h = b + 0x1000;
	uint64_t ph[3][3] = {{0x07000000, 0, ehsize + nph * phsize}, {0x02200000, 0x1000, hs_len}, {0x5, seg_off, s->seg_len}};

	memcpy(b, "\x7f" "ELF", 4);
	b[4] = s->is64 ? 2 : 1;
	b[5] = 1;
	b[6] = 1;
	qc_put_le16(b + 16, 2);
	qc_put_le16(b + 18, s->is64 ? 0xb7 : 0x28);
	if (s->is64) {
		qc_put_le64(b + 32, ehsize);
		qc_put_le16(b + 52, (uint16_t)ehsize);
		qc_put_le16(b + 54, (uint16_t)phsize);
		qc_put_le16(b + 56, (uint16_t)nph);
	} else {
		qc_put_le32(b + 28, ehsize);
		qc_put_le16(b + 40, (uint16_t)ehsize);
		qc_put_le16(b + 42, (uint16_t)phsize);
		qc_put_le16(b + 44, (uint16_t)nph);
	}
	for (unsigned i = 0; i < nph; i++) {
		uint8_t *p = b + ehsize + i * phsize;

		if (s->is64) {
			qc_put_le32(p, i == 2);
			qc_put_le32(p + 4, (uint32_t)ph[i][0]);
			qc_put_le64(p + 8, ph[i][1]);
			qc_put_le64(p + 32, ph[i][2]);
			qc_put_le64(p + 40, ph[i][2]);
		} else {
			qc_put_le32(p, i == 2);
			qc_put_le32(p + 4, (uint32_t)ph[i][1]);
			qc_put_le32(p + 16, (uint32_t)ph[i][2]);
			qc_put_le32(p + 20, (uint32_t)ph[i][2]);
			qc_put_le32(p + 24, (uint32_t)ph[i][0]);
		}
	}
	for (size_t i = 0; i < s->seg_len; i++)
		b[seg_off + i] = (uint8_t)(s->fill + i * 7);
	/* the hash segment */
	uint32_t hashes = nph * dlen;

	qc_put_le32(h + 4, s->version);
	if (s->version == 3) {
		qc_put_le32(h + 20, hashes);
		qc_put_le32(h + 28, (uint32_t)sig);
		qc_put_le32(h + 36, (uint32_t)chain);
	} else if (s->version == 5 || s->version == 6) {
		qc_put_le32(h + 20, hashes);
		qc_put_le32(h + 28, (uint32_t)sig);
		qc_put_le32(h + 36, (uint32_t)chain);
		if (s->version == 6)
			qc_put_le32(h + 44, (uint32_t)s->md_len);
	} else {
		qc_put_le32(h + 8, 24);
		qc_put_le32(h + 16, (uint32_t)s->md_len);
		qc_put_le32(h + 20, hashes);
		qc_put_le32(h + 32, (uint32_t)sig);
		qc_put_le32(h + 36, (uint32_t)chain);
		qc_put_le32(h + 48, 3);
		qc_put_le32(h + 56, 3);
	}
	uint8_t *p = h + hdr;

	if (s->md_len)
		memcpy(p, s->metadata, s->md_len);
	p += s->md_len;
	for (unsigned i = 0; i < nph; i++) {
		if (i != 1 && ph[i][2])
			EVP_Digest(b + ph[i][1], ph[i][2], p + i * dlen, NULL, dlen == 48 ? EVP_sha384() : EVP_sha256(),
				   NULL);
	}
	p += hashes;
	memset(p, 0x5a, sig);
	p += sig;
	if (chain)
		memcpy(p, s->chain->der, chain);
	*out_len = len;
	return b;
}

#endif
