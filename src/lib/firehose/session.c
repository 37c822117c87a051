/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Firehose host session: commands out, documents in.  <log> documents
 * may come at any time — before the response, after it (MSM8916-era
 * programmers log after ACKing), several in one read — so every wait for a
 * response goes through the framer and treats logs as they come.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fh_impl.h"

int qc_fh_open(qc_transport *t, qc_fh **out)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	qc_fh *fh = calloc(1, sizeof(*fh));

	*out = NULL;
	if (!fh)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	fh->t = t;
	fh->ctx = ctx;
	if (qc_fh_framer_init(&fh->fr, QC_FH_DOC_MAX, FH_READ_ROOM) < 0) {
		free(fh);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	fh->info.sector_size = 4096;
	fh->info.max_payload = 1u << 20;
	*out = fh;
	return 0;
}

void qc_fh_close(qc_fh *fh)
{
	if (!fh)
		return;
	qc_fh_framer_free(&fh->fr);
	qc_fh_doc_free(&fh->doc);
	free(fh->chunk);
	free(fh->chunk2);
	free(fh);
}

qc_ctx *qc_fh_ctx(const qc_fh *fh)
{
	return fh->ctx;
}
const struct qc_fh_info *qc_fh_get_info(const qc_fh *fh)
{
	return &fh->info;
}

int fh_chunk(qc_fh *fh, size_t *size)
{
	size_t ss = fh->info.sector_size, n = fh->info.max_payload;

	if (n > FH_CHUNK_MAX)
		n = FH_CHUNK_MAX;
	/* Whole sectors per write: a payload size that is not a multiple of
	 * the sector (some programmers announce such values) is rounded down,
	 * never padded. */
	n -= n % ss;
	if (!n)
		return qc_fail(fh->ctx, QC_E_PROTOCOL,
			       "the programmer's payload size of %u bytes is smaller than one %zu-byte sector",
			       fh->info.max_payload, ss);
	if (fh->chunk_cap != n) {
		uint8_t *p = realloc(fh->chunk, n);

		if (!p)
			return qc_fail(fh->ctx, QC_E_NOMEM, "out of memory");
		fh->chunk = p;
		fh->chunk_cap = n;
		free(fh->chunk2);
		fh->chunk2 = NULL;
	}
	*size = n;
	return 0;
}

int fh_timeout(qc_fh *fh, uint64_t bytes)
{
	/* Storage work the target does before answering: allow 10 MB/s on top
	 * of the per-response timeout, which covers slow eMMC erases. */
	uint64_t ms = (uint64_t)qc_get_timeout(fh->ctx) + bytes / 10000;

	return ms > 3600000 ? 3600000 : (int)ms;
}

int fh_fail_during(qc_fh *fh, int err, const char *fmt, ...)
{
	char before[1024], what[512];
	va_list ap;

	snprintf(before, sizeof(before), "%s", qc_last_error(fh->ctx));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!before[0])
		snprintf(before, sizeof(before), "%s", qc_strerror(err));
	return qc_fail(fh->ctx, err, "%s %s", before, what);
}

int fh_send(qc_fh *fh, const char *xml, size_t len)
{
	int rc;

	qc_log(fh->ctx, QC_LOG_DEBUG, "firehose -> %.*s", (int)(len > 400 ? 400 : len), xml);
	rc = fh_raw_write(fh, xml, len);
	if (rc < 0)
		return fh_fail_during(fh, rc, "(sending <%s>)", fh->cmd);
	return 0;
}

int fh_raw_write(qc_fh *fh, const void *buf, size_t len)
{
	size_t mps = qc_transport_max_packet(fh->t);
	int rc = qc_transport_write(fh->t, buf, len, qc_get_timeout(fh->ctx));

	if (rc < 0)
		return rc;
	/* ZlpAwareHost: a transfer that fills its last USB packet exactly is
	 * ended with a zero-length packet, so the target sees where it stops. */
	if (mps && !fh->opt.no_zlp && len % mps == 0)
		rc = qc_transport_zlp(fh->t);
	return rc;
}

void fh_begin(qc_fh *fh, const char *tag, fh_log_hook hook, void *user)
{
	snprintf(fh->cmd, sizeof(fh->cmd), "%s", tag);
	fh->hook = hook;
	fh->hook_user = user;
	fh->nlogs = 0;
}

const char *fh_reason(qc_fh *fh, char *buf, size_t cap)
{
	size_t n = 0;
	unsigned first = fh->nlogs > FH_LOG_KEEP ? fh->nlogs - FH_LOG_KEEP : 0;

	buf[0] = '\0';
	for (unsigned i = first; i < fh->nlogs && n + 4 < cap; i++) {
		int w = snprintf(buf + n, cap - n, "%s%s", i == first ? " (device: " : "; ", fh->logs[i % FH_LOG_KEEP]);

		if (w < 0)
			break;
		n += (size_t)w < cap - n ? (size_t)w : cap - n - 1;
	}
	if (n && n + 2 < cap)
		snprintf(buf + n, cap - n, ")");
	return buf;
}

/* "Supported Functions (24): program read nop ..." on one line, or a header
 * line followed by one function per log until "End of supported functions". */
static void note_functions(qc_fh *fh, const char *text)
{
	static const char head[] = "Supported Functions";
	size_t used = strlen(fh->functions);

	if (!strncasecmp(text, head, sizeof(head) - 1)) {
		const char *colon = strchr(text, ':');

		fh->functions[0] = '\0';
		fh->functions_known = true;
		if (colon)
			snprintf(fh->functions, sizeof(fh->functions), " %s ", colon + 1);
		return;
	}
	if (!fh->functions_known || !strncasecmp(text, "End of supported functions", 26))
		return;
	/* One bare word right after the header: another function name. */
	for (const char *p = text; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return;
	if (*text && used + strlen(text) + 2 < sizeof(fh->functions))
		snprintf(fh->functions + used, sizeof(fh->functions) - used, "%s%s ", used ? "" : " ", text);
}

static void handle_log(qc_fh *fh, const char *text)
{
	snprintf(fh->logs[fh->nlogs % FH_LOG_KEEP], sizeof(fh->logs[0]), "%s", text);
	fh->nlogs++;
	qc_log(fh->ctx, QC_LOG_INFO, "programmer: %s", text);
	note_functions(fh, text);
	if (fh->hook)
		fh->hook(fh, text, fh->hook_user);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Bytes that are not a document: say what they look like. */
static int not_xml(qc_fh *fh)
{
	size_t n;
	const uint8_t *p = qc_fh_framer_peek(&fh->fr, &n);
	char hex[3 * 16 + 1] = "";

	/* A Sahara HELLO (command 1, length 0x30) means the boot ROM is
	 * talking, not a programmer. */
	if (n >= 8 && p[0] == 1 && !p[1] && !p[2] && !p[3] && p[4] == 0x30 && !p[5] && !p[6] && !p[7])
		return qc_fail(fh->ctx, QC_E_PROTOCOL,
			       "the device is in Sahara mode (it sent a Sahara HELLO), not running a Firehose "
			       "programmer; give the programmer to upload (--loader)");
	for (size_t i = 0; i < n && i < 16; i++)
		snprintf(hex + 3 * i, sizeof(hex) - 3 * i, "%02x ", p[i]);
	hex[strlen(hex) ? strlen(hex) - 1 : 0] = '\0';
	return qc_fail(fh->ctx, QC_E_PROTOCOL,
		       "the programmer sent %zu bytes that are not XML while <%s> awaited "
		       "its response (%s)",
		       n, fh->cmd, hex);
}

int fh_response(qc_fh *fh, struct fh_resp *r, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		const char *text;
		size_t len;
		int rc = qc_fh_framer_next(&fh->fr, &text, &len);

		if (rc == QC_E_PROTOCOL) {
			size_t room, queued;
			uint8_t *space;
			ssize_t n;

			/* A few more bytes tell a Sahara HELLO from noise. */
			qc_fh_framer_peek(&fh->fr, &queued);
			if (queued < 8) {
				space = qc_fh_framer_space(&fh->fr, &room);
				n = qc_transport_read(fh->t, space, room, 100);
				if (n > 0)
					qc_fh_framer_fill(&fh->fr, (size_t)n);
			}
			return not_xml(fh);
		}
		if (rc == QC_E_TOOBIG) {
			size_t n;
			const uint8_t *p = qc_fh_framer_peek(&fh->fr, &n);

			return qc_fail(fh->ctx, QC_E_PROTOCOL,
				       "the programmer sent an XML document longer than %d bytes without its closing "
				       "</data> (it begins '%.40s')",
				       QC_FH_DOC_MAX, (const char *)p);
		}
		if (rc == 0) {
			int64_t left = deadline - now_ms();
			size_t room;
			uint8_t *space;
			ssize_t n;

			if (left <= 0)
				return qc_fail(fh->ctx, QC_E_TIMEOUT, "%s: no response to <%s> within %d ms",
					       qc_transport_name(fh->t), fh->cmd, timeout_ms);
			space = qc_fh_framer_space(&fh->fr, &room);
			n = qc_transport_read(fh->t, space, room, (int)left);
			if (n == QC_E_TIMEOUT)
				return qc_fail(fh->ctx, QC_E_TIMEOUT, "%s: no response to <%s> within %d ms",
					       qc_transport_name(fh->t), fh->cmd, timeout_ms);
			if (n < 0)
				return fh_fail_during(fh, (int)n, "(waiting for the response to <%s>)", fh->cmd);
			qc_fh_framer_fill(&fh->fr, (size_t)n);
			continue;
		}
		qc_log(fh->ctx, QC_LOG_DEBUG, "firehose <- %.*s", (int)(len > 400 ? 400 : len), text);
		rc = qc_fh_doc_parse(fh->ctx, text, len, &fh->doc);
		if (rc < 0)
			return fh_fail_during(fh, rc, "(from the programmer, awaiting the response to <%s>)", fh->cmd);
		const struct qc_fh_elem *resp = NULL;

		for (unsigned i = 0; i < fh->doc.nelem; i++) {
			const struct qc_fh_elem *e = &fh->doc.elem[i];

			if (!strcasecmp(e->tag, "log")) {
				const char *v = qc_fh_attr(e, "value");

				handle_log(fh, v ? v : "");
			} else if (!strcasecmp(e->tag, "response") && !resp) {
				resp = e;
			} else {
				qc_log(fh->ctx, QC_LOG_DEBUG, "programmer sent <%s>, ignored", e->tag);
			}
		}
		if (!resp)
			continue;
		const char *v = qc_fh_attr(resp, "value"), *raw = qc_fh_attr(resp, "rawmode");

		if (!v || (strcasecmp(v, "ACK") && strcasecmp(v, "NAK")))
			return qc_fail(
			    fh->ctx, QC_E_PROTOCOL,
			    "the programmer answered <%s> with a response whose value is '%s', not ACK or NAK", fh->cmd,
			    v ? v : "(missing)");
		r->ack = !strcasecmp(v, "ACK");
		r->rawmode = raw && !strcasecmp(raw, "true");
		r->e = resp;
		return 0;
	}
}

int fh_raw_read(qc_fh *fh, void *buf, size_t len, int timeout_ms)
{
	size_t got = qc_fh_framer_take(&fh->fr, buf, len);

	if (got < len)
		return qc_transport_read_exact(fh->t, (uint8_t *)buf + got, len - got, timeout_ms);
	return 0;
}
