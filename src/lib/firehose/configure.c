/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * <configure>: storage selection and the payload-size negotiation, then the
 * sector size.  Peers got this wrong in instructive ways: one ignores the
 * negotiated values when the ACK carries rawmode="false", and substitutes a
 * misspelt 1038576 when the ACK names no size, then pads every chunk — so
 * here a size comes from the target or from our own request, nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fh_impl.h"

#define FH_DEFAULT_PAYLOAD (1u << 20)
#define FH_CONFIGURE_TRIES 4

static const struct {
	const char *name;
	unsigned sector;
} memories[] = {
    {"ufs", 4096}, {"emmc", 512}, {"nand", 4096}, {"spinor", 512}, {"nvme", 512},
};

static int send_configure(qc_fh *fh, uint32_t payload)
{
	char buf[1024];
	struct qc_fh_xml x;
	int n;

	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "configure");
	qc_fh_xml_attr(&x, "MemoryName", fh->opt.memory);
	qc_fh_xml_attr(&x, "Verbose", fh->opt.verbose ? "1" : "0");
	qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytes", "%u", payload);
	qc_fh_xml_attr(&x, "ZlpAwareHost", fh->opt.no_zlp ? "0" : "1");
	qc_fh_xml_attr(&x, "SkipStorageInit", fh->opt.skip_storage_init ? "1" : "0");
	qc_fh_xml_attrf(&x, "AckRawDataEveryNumPackets", "%u", fh->opt.ack_raw_every);
	n = qc_fh_xml_finish(&x);
	if (n < 0)
		return qc_fail(fh->ctx, n, "<configure> does not fit its buffer");
	return fh_send(fh, buf, (size_t)n);
}

/* A size attribute of the response: 0 when absent, an error when present
 * but not a usable number. */
static int size_attr(qc_fh *fh, const struct qc_fh_elem *e, const char *name, uint32_t *out)
{
	uint64_t v;
	int rc = qc_fh_attr_u64(e, name, &v);

	*out = 0;
	if (rc == 0)
		return 0;
	if (rc < 0 || v > UINT32_MAX)
		return qc_fail(fh->ctx, QC_E_PROTOCOL, "the configure response's %s='%s' is not a usable size", name,
			       qc_fh_attr(e, name));
	*out = (uint32_t)v;
	return 0;
}

static void copy_attr(const struct qc_fh_elem *e, const char *name, char *dst, size_t cap)
{
	const char *v = qc_fh_attr(e, name);

	if (v)
		snprintf(dst, cap, "%s", v);
}

/* Sector size: what the storage usually has, confirmed by reading one
 * sector.  A NAK may name the right size in its log ("...must be equal to
 * disk sector size 512", "...different from device sector size (4096)"). */
static void size_hint(qc_fh *fh, const char *text, void *user)
{
	unsigned *hint = user;
	const char *p = strcasestr(text, "sector size");

	(void)fh;
	if (!p)
		return;
	for (p += 11; *p; p++) {
		if (*p >= '1' && *p <= '9') {
			unsigned long v = strtoul(p, NULL, 10);

			if (v >= 512 && v <= 65536 && !(v & (v - 1)))
				*hint = (unsigned)v;
			return;
		}
	}
}

static int discard(void *user, uint64_t off, const void *buf, size_t len)
{
	(void)user;
	(void)off;
	(void)buf;
	(void)len;
	return 0;
}

static int probe_read(qc_fh *fh, unsigned size, unsigned *hint)
{
	fh->info.sector_size = size;
	/* qc_fh_read installs its own hook; catch the hint through the kept
	 * logs instead. */
	int rc = qc_fh_read(fh, 0, 0, 1, discard, NULL, NULL);

	for (unsigned i = 0; i < fh->nlogs && i < FH_LOG_KEEP; i++)
		size_hint(fh, fh->logs[i], hint);
	return rc;
}

static int probe_sector_size(qc_fh *fh, unsigned guess)
{
	unsigned tried[3], ntried = 0, hint = 0, next = guess;
	int rc = QC_E_NAK;

	while (ntried < 3) {
		tried[ntried++] = next;
		hint = 0;
		rc = probe_read(fh, next, &hint);
		if (rc == 0) {
			fh->info.sector_size_probed = true;
			return 0;
		}
		if (rc != QC_E_NAK)
			return rc;
		/* Next candidate: the NAK's hint, else the other common size. */
		next = hint ? hint : (next == 4096 ? 512 : 4096);
		for (unsigned i = 0; i < ntried; i++)
			if (tried[i] == next)
				next = 0;
		if (!next)
			break;
	}
	fh->info.sector_size = guess;
	return qc_fail(fh->ctx, QC_E_NAK,
		       "could not find the sector size of the %s storage: one-sector reads of %u and %u bytes were "
		       "refused (say --sector-size)",
		       fh->opt.memory, tried[0], ntried > 1 ? tried[1] : tried[0]);
}

int qc_fh_configure(qc_fh *fh, const struct qc_fh_options *opt)
{
	struct qc_fh_options o = opt ? *opt : (struct qc_fh_options){0};
	unsigned guess = 0;
	uint32_t ask;
	bool grew = false;
	char why[900];

	if (!o.memory)
		o.memory = "ufs";
	for (size_t i = 0; i < sizeof(memories) / sizeof(memories[0]); i++)
		if (!strcasecmp(o.memory, memories[i].name)) {
			o.memory = memories[i].name;
			guess = memories[i].sector;
		}
	if (!guess)
		return qc_fail(fh->ctx, QC_E_INVAL, "unknown storage '%s' (ufs, emmc, nand, spinor or nvme)", o.memory);
	if (o.sector_size && (o.sector_size < 512 || o.sector_size > 65536 || (o.sector_size & (o.sector_size - 1))))
		return qc_fail(fh->ctx, QC_E_INVAL, "sector size %u is not a power of two from 512 to 65536",
			       o.sector_size);
	fh->opt = o;
	ask = o.max_payload ? o.max_payload : FH_DEFAULT_PAYLOAD;
	fh->info = (struct qc_fh_info){.sector_size = o.sector_size ? o.sector_size : guess};

	for (unsigned attempt = 1;; attempt++) {
		struct fh_resp r;
		uint32_t size, supported, from, xml;
		int rc;

		if (attempt > FH_CONFIGURE_TRIES)
			return qc_fail(fh->ctx, QC_E_PROTOCOL,
				       "configure did not settle after %d attempts (last payload size asked: %u)",
				       FH_CONFIGURE_TRIES, ask);
		fh->info.configure_attempts = attempt;
		fh_begin(fh, "configure", NULL, NULL);
		rc = send_configure(fh, ask);
		if (rc == 0)
			rc = fh_response(fh, &r, qc_get_timeout(fh->ctx));
		if (rc < 0)
			return rc;
		if ((rc = size_attr(fh, r.e, "MaxPayloadSizeToTargetInBytes", &size)) < 0 ||
		    (rc = size_attr(fh, r.e, "MaxPayloadSizeToTargetInBytesSupported", &supported)) < 0 ||
		    (rc = size_attr(fh, r.e, "MaxPayloadSizeFromTargetInBytes", &from)) < 0 ||
		    (rc = size_attr(fh, r.e, "MaxXMLSizeInBytes", &xml)) < 0)
			return rc;
		if (!r.ack) {
			/* The target names the size it takes; anything else
			 * (no size, the same size again) is a real refusal. */
			if (!size || size == ask)
				return qc_fail(fh->ctx, QC_E_NAK,
					       "the programmer refused configure with MemoryName=%s "
					       "and a %u-byte payload%s",
					       o.memory, ask, fh_reason(fh, why, sizeof(why)));
			qc_log(fh->ctx, QC_LOG_INFO, "programmer takes payloads of %u bytes, not %u: configuring again",
			       size, ask);
			ask = size;
			continue;
		}
		/* ACK: the size it confirms (else ours); a larger supported
		 * size is worth one more configure. */
		if (!size || size > ask)
			size = ask;
		if (supported && supported < size)
			size = supported;
		if (supported > size && !grew && !o.max_payload) {
			grew = true;
			ask = supported;
			continue;
		}
		fh->info.max_payload = size;
		fh->info.max_payload_supported = supported;
		fh->info.max_payload_from = from;
		fh->info.max_xml = xml;
		copy_attr(r.e, "MemoryName", fh->info.memory_name, sizeof(fh->info.memory_name));
		copy_attr(r.e, "TargetName", fh->info.target_name, sizeof(fh->info.target_name));
		uint64_t v;

		if (qc_fh_attr_u64(r.e, "Version", &v) == 1 && v < 1000000)
			fh->info.version = (unsigned)v;
		break;
	}
	if (!fh->info.memory_name[0])
		snprintf(fh->info.memory_name, sizeof(fh->info.memory_name), "%s", o.memory);
	fh->configured = true;
	fh->sector_guess = guess;
	return 0;
}

/* The sector size is confirmed before the first storage command rather than
 * in configure, so nop, peek, poke and power never touch storage. */
int fh_storage_ready(qc_fh *fh)
{
	int rc;

	if (!fh->configured)
		return qc_fail(fh->ctx, QC_E_INVAL, "the Firehose session is not configured");
	if (fh->opt.sector_size || fh->opt.skip_storage_init || fh->info.sector_size_probed || fh->probing)
		return 0;
	fh->probing = true;
	rc = probe_sector_size(fh, fh->sector_guess);
	fh->probing = false;
	return rc;
}
