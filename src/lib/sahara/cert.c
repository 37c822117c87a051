/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Certificate chains of signed boot images: DER certificates back to back
 * (attestation leaf, attestation CA, root), then padding.  Before hash
 * segment v6 the image's identity sits in OU fields of the leaf, each
 * "NN <hex> NAME" (01 SW_ID, 02 HW_ID, 03 DEBUG, 04 OEM_ID, 05 SW_SIZE,
 * 06 MODEL_ID, 07 hash algorithm).  The hash of the DER root certificate is
 * what a fused SoC keeps as its OEM PK hash.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "qcbox/mbn.h"

/* Length of the DER element at P (a SEQUENCE), header included, or 0. */
static size_t der_len(const uint8_t *p, size_t avail)
{
	size_t hl, l;

	if (avail < 2 || p[0] != 0x30)
		return 0;
	if (p[1] < 0x80) {
		hl = 2;
		l = p[1];
	} else if (p[1] == 0x81 && avail >= 3) {
		hl = 3;
		l = p[2];
	} else if (p[1] == 0x82 && avail >= 4) {
		hl = 4;
		l = qc_get_be16(p + 2);
	} else if (p[1] == 0x83 && avail >= 5) {
		hl = 5;
		l = (size_t)p[2] << 16 | (size_t)qc_get_be16(p + 3);
	} else {
		return 0;
	}
	return hl + l <= avail ? hl + l : 0;
}

/* Parses "NN HEX NAME" (NAME may be followed by junk some signers add). */
static void take_ou(struct qc_mbn_identity *id, const char *s, size_t n)
{
	char buf[96], *hex, *name, *end;
	unsigned long long v;

	if (n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!isdigit((unsigned char)buf[0]) || !isdigit((unsigned char)buf[1]) || buf[2] != ' ')
		return;
	hex = buf + 3;
	name = strchr(hex, ' ');
	if (!name)
		return;
	*name++ = '\0';
	v = strtoull(hex, &end, 16);
	if (*end || !*hex)
		return;
	if (!strncmp(name, "HW_ID", 5)) {
		id->have_hw_id = true;
		id->hw_id = v;
	} else if (!strncmp(name, "SW_ID", 5)) {
		id->have_sw_id = true;
		id->sw_id = v;
	} else if (!strncmp(name, "OEM_ID", 6)) {
		id->have_oem_id = true;
		id->oem_id = (uint16_t)v;
	} else if (!strncmp(name, "MODEL_ID", 8)) {
		id->have_model_id = true;
		id->model_id = (uint16_t)v;
	} else if (!strncmp(name, "DEBUG", 5)) {
		id->have_debug = true;
		id->debug = v;
	} else if (!strncmp(name, "SHA384", 6)) {
		id->ou_sha384 = true;
	} else if (!strncmp(name, "SHA256", 6)) {
		id->ou_sha256 = true;
	}
}

static void take_subject(struct qc_mbn_identity *id, X509 *x, unsigned idx)
{
	X509_NAME *name = X509_get_subject_name(x);
	int cn = X509_NAME_get_text_by_NID(name, NID_commonName, id->subject_cn[idx], sizeof(id->subject_cn[idx]));

	if (cn < 0)
		id->subject_cn[idx][0] = '\0';
	if (idx != 0)
		return;
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
		const ASN1_STRING *v;

		if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != NID_organizationalUnitName)
			continue;
		v = X509_NAME_ENTRY_get_data(e);
		take_ou(id, (const char *)ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
	}
}

int qc_mbn_parse_chain(qc_ctx *ctx, const uint8_t *chain, size_t len, struct qc_mbn_identity *id)
{
	const uint8_t *root = NULL;
	size_t root_len = 0, off = 0;

	memset(id, 0, sizeof(*id));
	while (off < len && id->ncerts < QC_MBN_MAX_CERTS) {
		size_t n = der_len(chain + off, len - off);
		const uint8_t *p = chain + off;
		X509 *x;

		if (!n)
			break; /* padding (0xFF or zeros) or the end of the chain */
		x = d2i_X509(NULL, &p, (long)n);
		if (!x) {
			qc_log(ctx, QC_LOG_DEBUG, "certificate %u of the chain does not parse; the chain ends there",
			       id->ncerts);
			break;
		}
		take_subject(id, x, id->ncerts);
		X509_free(x);
		id->cert_len[id->ncerts++] = n;
		root = chain + off;
		root_len = n;
		off += n;
	}
	if (!id->ncerts)
		return 0;
	EVP_Digest(root, root_len, id->root_sha256, NULL, EVP_sha256(), NULL);
	EVP_Digest(root, root_len, id->root_sha384, NULL, EVP_sha384(), NULL);
	return (int)id->ncerts;
}
