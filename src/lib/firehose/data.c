/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands that move sector data: <program> (host to storage) and
 * <read> (storage to host).  Both stream through one bounded buffer, so
 * memory does not grow with the image, and both leave a precise account of
 * how far they got when the link or the target fails half-way.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "fh_impl.h"

/* A sector-addressed command: <TAG SECTOR_SIZE_IN_BYTES num_partition_sectors
 * physical_partition_number start_sector [label]/>. */
int fh_sector_cmd(qc_fh *fh, const char *tag, unsigned lun, uint64_t start, uint64_t sectors, const char *label,
		  bool whole_lun)
{
	char buf[1024];
	struct qc_fh_xml x;
	int n;

	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, tag);
	qc_fh_xml_attrf(&x, "SECTOR_SIZE_IN_BYTES", "%u", fh->info.sector_size);
	if (!whole_lun)
		qc_fh_xml_attrf(&x, "num_partition_sectors", "%llu", (unsigned long long)sectors);
	qc_fh_xml_attrf(&x, "physical_partition_number", "%u", lun);
	if (!whole_lun)
		qc_fh_xml_attrf(&x, "start_sector", "%llu", (unsigned long long)start);
	if (label && label[0])
		qc_fh_xml_attr(&x, "label", label);
	n = qc_fh_xml_finish(&x);
	if (n < 0)
		return qc_fail(fh->ctx, n, "<%s> for %s does not fit its buffer", tag, label ? label : "");
	return fh_send(fh, buf, (size_t)n);
}

/* "boot_a (LUN 4, sectors 6..1029)" */
const char *fh_where(char *buf, size_t cap, const char *label, unsigned lun, uint64_t start, uint64_t sectors)
{
	if (sectors)
		snprintf(buf, cap, "%s%sLUN %u, sectors %llu..%llu%s", label && label[0] ? label : "",
			 label && label[0] ? " (" : "", lun, (unsigned long long)start,
			 (unsigned long long)(start + sectors - 1), label && label[0] ? ")" : "");
	else
		snprintf(buf, cap, "%s%sLUN %u%s", label && label[0] ? label : "", label && label[0] ? " (" : "", lun,
			 label && label[0] ? ")" : "");
	return buf;
}

static int ack_every(qc_fh *fh, const char *at, uint64_t sent, uint64_t total)
{
	struct fh_resp r;
	char why[900];
	int rc = fh_response(fh, &r, qc_get_timeout(fh->ctx));

	if (rc < 0)
		return fh_fail_during(fh, rc, "(%llu of %llu bytes of %s sent)", (unsigned long long)sent,
				      (unsigned long long)total, at);
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK,
			       "the programmer stopped taking data for %s after %llu of %llu bytes%s", at,
			       (unsigned long long)sent, (unsigned long long)total, fh_reason(fh, why, sizeof(why)));
	return 0;
}

int qc_fh_program(qc_fh *fh, const struct qc_fh_program *p, struct qc_fh_progress *out)
{
	struct qc_fh_progress dummy;
	uint64_t ss = fh->info.sector_size, sectors, total, sent = 0;
	size_t chunk;
	unsigned packets = 0;
	EVP_MD_CTX *md = NULL;
	uint8_t sent_sha[32];
	char at[256], why[900];
	struct fh_resp r;
	int rc;

	if (!out)
		out = &dummy;
	*out = (struct qc_fh_progress){0};
	if (!p->bytes)
		return 0;
	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	ss = fh->info.sector_size;
	sectors = (p->bytes + ss - 1) / ss;
	total = sectors * ss;
	out->sectors = sectors;
	fh_where(at, sizeof(at), p->label, p->lun, p->start_sector, sectors);
	if ((rc = fh_chunk(fh, &chunk)) < 0)
		return rc;
	fh_begin(fh, "program", NULL, NULL);
	rc = fh_sector_cmd(fh, "program", p->lun, p->start_sector, sectors, p->label, false);
	if (rc == 0)
		rc = fh_response(fh, &r, qc_get_timeout(fh->ctx));
	if (rc < 0)
		return rc;
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer refused to program %s; nothing was written%s", at,
			       fh_reason(fh, why, sizeof(why)));
	if (!r.rawmode)
		return qc_fail(fh->ctx, QC_E_PROTOCOL, "the programmer ACKed <program> for %s without rawmode=\"true\"",
			       at);
	/* Hashing what goes out, as it goes, costs nothing on a real link
	 * (the host waits for USB anyway) and spares a second pass over the
	 * image, which for a large one means reading it from disk again. */
	if (p->verify) {
		md = EVP_MD_CTX_new();
		if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
			EVP_MD_CTX_free(md);
			md = NULL;
		}
	}
	/* With AckRawDataEveryNumPackets each packet is exactly one payload. */
	if (fh->opt.ack_raw_every && chunk > fh->info.max_payload)
		chunk = fh->info.max_payload - fh->info.max_payload % ss;
	const char *plabel = p->label ? p->label : "program";
	uint64_t ptotal = p->progress_total ? p->progress_total : p->bytes;

	qc_progress(fh->ctx, plabel, p->progress_base, ptotal);
	while (sent < total) {
		size_t n = total - sent < chunk ? (size_t)(total - sent) : chunk;
		size_t data = sent >= p->bytes ? 0 : p->bytes - sent < n ? (size_t)(p->bytes - sent) : n;

		if (data && (rc = p->read(p->user, sent, fh->chunk, data)) < 0) {
			rc = fh_fail_during(fh, rc, "(reading the data for %s; %llu of %llu bytes were sent)", at,
					    (unsigned long long)sent, (unsigned long long)total);
			goto out;
		}
		/* Only the tail of the last sector is padding. */
		memset(fh->chunk + data, 0, n - data);
		if (md)
			EVP_DigestUpdate(md, fh->chunk, n);
		rc = fh_raw_write(fh, fh->chunk, n);
		if (rc < 0) {
			rc = fh_fail_during(fh, rc, "while programming %s, after %llu of %llu bytes were sent", at,
					    (unsigned long long)sent, (unsigned long long)total);
			goto out;
		}
		sent += n;
		out->bytes_sent = sent;
		qc_progress(fh->ctx, plabel, p->progress_base + (sent < p->bytes ? sent : p->bytes), ptotal);
		/* The target counts whole payloads: a short last packet
		 * completes no group. */
		if (fh->opt.ack_raw_every && n == chunk && ++packets % fh->opt.ack_raw_every == 0 &&
		    (rc = ack_every(fh, at, sent, total)) < 0)
			goto out;
	}
	rc = fh_response(fh, &r, fh_timeout(fh, total));
	if (rc < 0) {
		rc = fh_fail_during(fh, rc, "(all %llu bytes of %s were sent, the programmer did not confirm them)",
				    (unsigned long long)total, at);
		goto out;
	}
	if (!r.ack) {
		rc = qc_fail(fh->ctx, QC_E_NAK,
			     "the programmer reported a failure writing %s after receiving all %llu bytes%s", at,
			     (unsigned long long)total, fh_reason(fh, why, sizeof(why)));
		goto out;
	}
	out->acked = true;
	if (p->verify) {
		if (md)
			EVP_DigestFinal_ex(md, sent_sha, NULL);
		rc = fh_verify(fh, p, md ? sent_sha : NULL, &out->verified);
	}
out:
	EVP_MD_CTX_free(md);
	return rc;
}

int qc_fh_read(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, qc_fh_write_fn sink, void *user,
	       const char *label)
{
	uint64_t total = sectors * fh->info.sector_size, got = 0;
	size_t chunk;
	char at[256], why[900];
	struct fh_resp r;
	int rc;

	if (!sectors)
		return 0;
	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	total = sectors * fh->info.sector_size;
	if (sectors > UINT64_MAX / fh->info.sector_size)
		return qc_fail(fh->ctx, QC_E_RANGE, "%llu sectors are more than any storage holds",
			       (unsigned long long)sectors);
	fh_where(at, sizeof(at), label, lun, start, sectors);
	if ((rc = fh_chunk(fh, &chunk)) < 0)
		return rc;
	fh_begin(fh, "read", NULL, NULL);
	rc = fh_sector_cmd(fh, "read", lun, start, sectors, NULL, false);
	if (rc == 0)
		rc = fh_response(fh, &r, qc_get_timeout(fh->ctx));
	if (rc < 0)
		return rc;
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer refused to read %s%s", at,
			       fh_reason(fh, why, sizeof(why)));
	if (!r.rawmode)
		return qc_fail(fh->ctx, QC_E_PROTOCOL, "the programmer ACKed <read> for %s without rawmode=\"true\"",
			       at);
	if (label)
		qc_progress(fh->ctx, label, 0, total);
	while (got < total) {
		size_t n = total - got < chunk ? (size_t)(total - got) : chunk;

		rc = fh_raw_read(fh, fh->chunk, n, fh_timeout(fh, n));
		if (rc < 0)
			return fh_fail_during(fh, rc, "while reading %s, after %llu of %llu bytes arrived", at,
					      (unsigned long long)got, (unsigned long long)total);
		rc = sink(user, got, fh->chunk, n);
		if (rc < 0)
			return rc;
		got += n;
		if (label)
			qc_progress(fh->ctx, label, got, total);
	}
	rc = fh_response(fh, &r, qc_get_timeout(fh->ctx));
	if (rc < 0)
		return fh_fail_during(fh, rc, "(after all data of %s arrived)", at);
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer reported a failure after sending %s%s", at,
			       fh_reason(fh, why, sizeof(why)));
	return 0;
}
