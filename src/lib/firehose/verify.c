/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verification after <program>: the programmer's getsha256digest of the
 * range against the SHA-256 of what was sent (one command, no data back),
 * or, when the programmer does not offer digests, the range read back and
 * compared.  A mismatch is always pinned to its first sector by reading
 * back, so the error names where the storage went wrong.
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fh_impl.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The digest comes in a log line ("Digest <64 hex>", wording varies): take
 * the last run of exactly 64 hex digits. */
static void digest_hook(qc_fh *fh, const char *text, void *user)
{
	uint8_t *out = user; /* 32 bytes + found flag */
	size_t run = 0;

	(void)fh;
	for (const char *p = text;; p++) {
		if (*p && hexval((unsigned char)*p) >= 0) {
			run++;
			continue;
		}
		if (run == 64) {
			const char *h = p - 64;

			for (int i = 0; i < 32; i++)
				out[i] = (uint8_t)(hexval((unsigned char)h[2 * i]) << 4 |
						   hexval((unsigned char)h[2 * i + 1]));
			out[32] = 1;
		}
		run = 0;
		if (!*p)
			break;
	}
}

/* getsha256digest in two halves, so the host can hash its own copy while
 * the programmer reads and hashes the storage. */
static int digest_send(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, uint8_t found[33])
{
	int rc = fh_storage_ready(fh);

	if (rc < 0)
		return rc;
	if (qc_fh_supports(fh, "getsha256digest") == 0)
		return qc_fail(fh->ctx, QC_E_UNSUPPORTED, "the programmer does not offer getsha256digest");
	memset(found, 0, 33);
	fh_begin(fh, "getsha256digest", digest_hook, found);
	rc = fh_sector_cmd(fh, "getsha256digest", lun, start, sectors, NULL, false);
	if (rc < 0)
		fh->hook = NULL;
	return rc;
}

static int digest_wait(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, const uint8_t found[33],
		       uint8_t digest[32])
{
	char at[256], why[900];
	struct fh_resp r;
	int rc = fh_response(fh, &r, fh_timeout(fh, sectors * fh->info.sector_size));

	fh->hook = NULL;
	fh_where(at, sizeof(at), NULL, lun, start, sectors);
	if (rc < 0)
		return rc;
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer refused getsha256digest of %s%s", at,
			       fh_reason(fh, why, sizeof(why)));
	if (!found[32])
		return qc_fail(fh->ctx, QC_E_PROTOCOL, "the programmer ACKed getsha256digest of %s without a digest",
			       at);
	memcpy(digest, found, 32);
	return 0;
}

int qc_fh_sha256(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, uint8_t digest[32])
{
	uint8_t found[33];
	int rc = digest_send(fh, lun, start, sectors, found);

	return rc < 0 ? rc : digest_wait(fh, lun, start, sectors, found, digest);
}

static int verify_buffer(qc_fh *fh)
{
	size_t chunk;
	int rc = fh_chunk(fh, &chunk);

	if (rc < 0)
		return rc;
	if (!fh->chunk2 && !(fh->chunk2 = malloc(fh->chunk_cap)))
		return qc_fail(fh->ctx, QC_E_NOMEM, "out of memory");
	return 0;
}

/* SHA-256 of the bytes a program sends: the data, then zeros to the end of
 * the last sector. */
static int local_sha256(qc_fh *fh, const struct qc_fh_program *p, uint64_t total, uint8_t out[32])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int rc = 0;

	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return qc_fail(fh->ctx, QC_E_NOMEM, "cannot set up SHA-256");
	}
	for (uint64_t off = 0; off < total;) {
		size_t n = total - off < fh->chunk_cap ? (size_t)(total - off) : fh->chunk_cap;
		size_t data = off >= p->bytes ? 0 : p->bytes - off < n ? (size_t)(p->bytes - off) : n;

		if (data && (rc = p->read(p->user, off, fh->chunk2, data)) < 0)
			break;
		memset(fh->chunk2 + data, 0, n - data);
		EVP_DigestUpdate(md, fh->chunk2, n);
		off += n;
	}
	if (rc == 0)
		EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	return rc;
}

struct compare {
	qc_fh *fh;
	const struct qc_fh_program *p;
	bool mismatch;
	uint64_t at; /* first differing byte of the range */
	int err;     /* reading the source failed */
};

/* Compares what came back with the source, chunk by chunk; it keeps
 * draining after a mismatch so the session stays in step. */
static int compare_sink(void *user, uint64_t off, const void *buf, size_t len)
{
	struct compare *c = user;
	const struct qc_fh_program *p = c->p;
	uint8_t *want = c->fh->chunk2;
	size_t data;

	if (c->mismatch || c->err)
		return 0;
	data = off >= p->bytes ? 0 : p->bytes - off < len ? (size_t)(p->bytes - off) : len;
	if (data) {
		int rc = p->read(p->user, off, want, data);

		if (rc < 0) {
			c->err = rc;
			return 0;
		}
	}
	memset(want + data, 0, len - data);
	if (!memcmp(want, buf, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (want[i] != ((const uint8_t *)buf)[i]) {
			c->mismatch = true;
			c->at = off + i;
			break;
		}
	return 0;
}

static int read_back(qc_fh *fh, const struct qc_fh_program *p, uint64_t sectors, bool digest_differed)
{
	struct compare c = {.fh = fh, .p = p};
	uint64_t ss = fh->info.sector_size;
	char label[128], at[256];
	int rc;

	if ((rc = verify_buffer(fh)) < 0)
		return rc;
	snprintf(label, sizeof(label), "%s (verify)", p->label ? p->label : "data");
	rc = qc_fh_read(fh, p->lun, p->start_sector, sectors, compare_sink, &c, label);
	if (rc < 0)
		return fh_fail_during(fh, rc, "(reading back to verify)");
	if (c.err)
		return c.err;
	fh_where(at, sizeof(at), p->label, p->lun, p->start_sector, sectors);
	if (c.mismatch)
		return qc_fail(fh->ctx, QC_E_VERIFY,
			       "verify failed: %s differs from the data written at sector %llu (byte %llu of the "
			       "image, sector %llu of the range)",
			       at, (unsigned long long)(p->start_sector + c.at / ss), (unsigned long long)c.at,
			       (unsigned long long)(c.at / ss));
	if (digest_differed)
		return qc_fail(fh->ctx, QC_E_VERIFY,
			       "verify failed: the programmer's SHA-256 of %s differs from the data sent, yet reading "
			       "it back matches; its digest cannot be trusted",
			       at);
	return 0;
}

/* SENT, when not NULL, is the SHA-256 of the bytes as they were sent;
 * otherwise the source is hashed again while the programmer hashes the
 * storage. */
int fh_verify(qc_fh *fh, const struct qc_fh_program *p, const uint8_t *sent, int *method)
{
	uint64_t ss = fh->info.sector_size, sectors = (p->bytes + ss - 1) / ss;
	uint8_t found[33], dev[32], mine[32];
	int rc;

	*method = 0;
	if (!sectors)
		return 0;
	if ((rc = verify_buffer(fh)) < 0)
		return rc;
	if (!fh->no_digest) {
		rc = digest_send(fh, p->lun, p->start_sector, sectors, found);
		if (rc == 0) {
			int lrc = 0;

			if (sent)
				memcpy(mine, sent, 32);
			else
				lrc = local_sha256(fh, p, sectors * ss, mine);

			rc = digest_wait(fh, p->lun, p->start_sector, sectors, found, dev);
			if (lrc < 0)
				return fh_fail_during(fh, lrc, "(hashing the data of %s to verify it)",
						      p->label ? p->label : "the image");
		}
		if (rc == 0 && !memcmp(dev, mine, 32)) {
			*method = 1;
			return 0;
		}
		if (rc == 0) {
			*method = 2;
			return read_back(fh, p, sectors, true);
		}
		if (rc != QC_E_NAK && rc != QC_E_UNSUPPORTED)
			return fh_fail_during(fh, rc, "(verifying %s)", p->label ? p->label : "the data");
		qc_log(fh->ctx, QC_LOG_INFO, "no digests from this programmer: verifying by reading back");
		fh->no_digest = true;
	}
	*method = 2;
	return read_back(fh, p, sectors, false);
}

int qc_fh_verify(qc_fh *fh, const struct qc_fh_program *p, int *method)
{
	return fh_verify(fh, p, NULL, method);
}
