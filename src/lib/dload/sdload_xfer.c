/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pipelined Streaming DLOAD transfers: up to the window of STREAM_WRITE or
 * READ packets in flight, kept in a ring in send order.  Each packet's
 * latest copy carries a sequence number; since the programmer answers in
 * order, an answer to one copy proves every unanswered copy sent before it
 * lost, and those go out again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdload_impl.h"

struct xfer {
	bool write;
	uint64_t start, bytes;
	uint64_t queued;    /* bytes handed to slots */
	uint64_t delivered; /* bytes answered, in order */
	qc_sdload_source_fn src;
	qc_sdload_sink_fn sink;
	void *user;
	const char *label;
	size_t chunk;
	unsigned window;
	struct slot *slots; /* ring in send order */
	unsigned head, count;
};

static const char *xfer_cmd(const struct xfer *x) { return x->write ? "STREAM_WRITE" : "READ"; }

static void describe(const qc_sdload *s, const struct xfer *x, const struct slot *sl, char *buf, size_t cap)
{
	uint64_t sector = x->start + sl->offset / s->sector_size;

	snprintf(buf, cap, "%s of %u bytes at sector %llu (byte %llu of %s)", xfer_cmd(x), sl->len,
		 (unsigned long long)sector, (unsigned long long)sl->offset, x->label);
}

static int send_slot(qc_sdload *s, const struct xfer *x, struct slot *sl)
{
	ssize_t n;

	if (x->write)
		n = qc_sdload_encode_write(s->pkt, s->pkt_cap, QC_SDLOAD_STREAM_WRITE, sl->addr, sl->buf, sl->len);
	else
		n = qc_sdload_encode_read(s->pkt, s->pkt_cap, sl->addr, (uint16_t)sl->len);
	if (n < 0)
		return qc_fail(s->ctx, QC_E_TOOBIG, "packet too large");
	sl->seq = ++s->seq;
	sl->tries++;
	return sdload_send_frame(s, s->pkt, (size_t)n);
}

static int resend(qc_sdload *s, const struct xfer *x, struct slot *sl, const char *why)
{
	char what[160];

	if (sl->tries > SDLOAD_RETRIES) {
		describe(s, x, sl, what, sizeof(what));
		return qc_fail(s->ctx, QC_E_TIMEOUT, "%s: %s, %u times", what, why, sl->tries);
	}
	s->st.resent++;
	qc_log(s->ctx, QC_LOG_INFO, "sending %s at 0x%08x again: %s", xfer_cmd(x), sl->addr, why);
	return send_slot(s, x, sl);
}

/* Queues and sends the next packet of the transfer. */
static int queue_next(qc_sdload *s, struct xfer *x)
{
	struct slot *sl = &x->slots[(x->head + x->count) % x->window];
	uint64_t left = x->bytes - x->queued;
	size_t len = left < x->chunk ? (size_t)left : x->chunk;

	sl->offset = x->queued;
	sl->len = (uint32_t)len;
	sl->tries = 0;
	sl->done = false;
	if (s->sector_addr)
		sl->addr = (uint32_t)(x->start + sl->offset / s->sector_size);
	else
		sl->addr = (uint32_t)(x->start * s->sector_size + sl->offset);
	if (x->write) {
		size_t got = 0;

		while (got < len) {
			ssize_t n = x->src(x->user, sl->buf + got, len - got);

			if (n < 0)
				return (int)n;
			if (n == 0)
				return qc_fail(s->ctx, QC_E_IO, "%s ended after %llu of %llu bytes", x->label,
					       (unsigned long long)(sl->offset + got), (unsigned long long)x->bytes);
			got += (size_t)n;
		}
	}
	x->queued += len;
	x->count++;
	if (x->count > s->st.max_outstanding)
		s->st.max_outstanding = x->count;
	s->st.packets++;
	return send_slot(s, x, sl);
}

/* Handles one answer for the transfer; 0 to go on. */
static int answer(qc_sdload *s, struct xfer *x, const struct qc_sdload_reply *r)
{
	uint8_t want = x->write ? QC_SDLOAD_BLOCK_WRITTEN : QC_SDLOAD_READ_DATA;
	struct slot *hit = NULL;
	char what[160];

	if (r->cmd == QC_SDLOAD_ERROR) {
		/* In-order processing: the error is about the oldest packet
		 * the programmer had not answered. */
		struct slot *oldest = NULL;

		for (unsigned i = 0; i < x->count; i++) {
			struct slot *sl = &x->slots[(x->head + i) % x->window];

			if (!sl->done && (!oldest || sl->seq < oldest->seq))
				oldest = sl;
		}
		describe(s, x, oldest ? oldest : &x->slots[x->head], what, sizeof(what));
		return sdload_device_error(s, QC_E_DEVICE, what, r);
	}
	if (r->cmd != want) {
		describe(s, x, &x->slots[x->head], what, sizeof(what));
		return sdload_unexpected(s, what, r);
	}
	for (unsigned i = 0; i < x->count; i++) {
		struct slot *sl = &x->slots[(x->head + i) % x->window];

		if (!sl->done && sl->addr == r->addr) {
			hit = sl;
			break;
		}
	}
	if (!hit) {
		qc_log(s->ctx, QC_LOG_DEBUG, "ignored a repeated answer for address 0x%08x", r->addr);
		return 0;
	}
	if (!x->write) {
		if (r->data_len != hit->len) {
			describe(s, x, hit, what, sizeof(what));
			return qc_fail(s->ctx, QC_E_PROTOCOL, "the programmer answered %s with %zu bytes", what,
				       r->data_len);
		}
		memcpy(hit->buf, r->data, hit->len);
	}
	hit->done = true;
	/* Anything sent before this packet and still unanswered is lost. */
	for (unsigned i = 0; i < x->count; i++) {
		struct slot *sl = &x->slots[(x->head + i) % x->window];
		int rc;

		if (!sl->done && sl->seq < hit->seq && (rc = resend(s, x, sl, "its answer was lost")) < 0)
			return rc;
	}
	while (x->count && x->slots[x->head].done) {
		struct slot *sl = &x->slots[x->head];

		if (!x->write) {
			int rc = x->sink(x->user, sl->buf, sl->len);

			if (rc < 0)
				return rc;
		}
		x->delivered += sl->len;
		x->head = (x->head + 1) % x->window;
		x->count--;
	}
	qc_progress(s->ctx, x->label, x->delivered, x->bytes);
	return 0;
}

/* After a refusal the programmer still answers the packets that were in
 * flight behind the refused one; those answers are read and dropped here
 * so that they are not taken for the answer to the next command. */
static void drain(qc_sdload *s, struct xfer *x, int err, bool one_answered)
{
	char saved[1024];
	unsigned pending = 0;
	int timeout = qc_get_timeout(s->ctx);

	for (unsigned i = 0; i < x->count; i++)
		pending += !x->slots[(x->head + i) % x->window].done;
	if (one_answered && pending)
		pending--; /* the refused one */
	if (!pending)
		return;
	snprintf(saved, sizeof(saved), "%s", qc_last_error(s->ctx));
	qc_set_timeout(s->ctx, timeout < 1000 ? timeout : 1000);
	while (pending) {
		struct qc_sdload_reply r;
		int rc = sdload_recv_reply(s, &r);

		if (rc < 0 && rc != QC_E_CRC)
			break;
		pending--;
	}
	qc_set_timeout(s->ctx, timeout);
	qc_fail(s->ctx, err, "%s", saved);
}

static int transfer(qc_sdload *s, struct xfer *x)
{
	size_t unit = s->sector_addr ? s->sector_size : 1;
	unsigned damaged = 0;
	uint64_t last;
	int rc = 0;

	if (!s->have_hello)
		return qc_fail(s->ctx, QC_E_INVAL, "Streaming DLOAD transfer before HELLO");
	x->chunk = s->block;
	if (!x->write && x->chunk > 0xffff)
		x->chunk = 0xffff; /* READ's length field is 16 bits */
	x->chunk -= x->chunk % s->sector_size;
	if (x->chunk == 0)
		return qc_fail(s->ctx, QC_E_UNSUPPORTED,
			       "the programmer's block size of %zu bytes is smaller than a %u-byte sector", s->block,
			       s->sector_size);
	if (x->bytes == 0)
		return 0;
	last = s->sector_addr ? x->start + (x->bytes - 1) / unit : x->start * s->sector_size + x->bytes - 1;
	if (x->start > UINT32_MAX || last > UINT32_MAX)
		return qc_fail(s->ctx, QC_E_RANGE, "%s of %llu bytes at sector %llu reaches past the 32-bit %s addresses",
			       x->label, (unsigned long long)x->bytes, (unsigned long long)x->start,
			       s->sector_addr ? "sector" : "byte");
	x->window = s->window;
	if ((uint64_t)x->window * x->chunk > SDLOAD_MAX_INFLIGHT)
		x->window = (unsigned)(SDLOAD_MAX_INFLIGHT / x->chunk) ? (unsigned)(SDLOAD_MAX_INFLIGHT / x->chunk) : 1;
	x->slots = calloc(x->window, sizeof(*x->slots));
	if (!x->slots || sdload_reserve(s, &s->pkt, &s->pkt_cap, x->chunk + 8) < 0) {
		free(x->slots);
		return qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
	}
	for (unsigned i = 0; i < x->window && rc == 0; i++)
		if (!(x->slots[i].buf = malloc(x->chunk)))
			rc = qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
	qc_log(s->ctx, QC_LOG_INFO, "%s %llu bytes at sector %llu: %zu-byte packets, window %u, %s addresses",
	       x->write ? "writing" : "reading", (unsigned long long)x->bytes, (unsigned long long)x->start, x->chunk,
	       x->window, s->sector_addr ? "sector" : "byte");
	while (rc == 0 && x->delivered < x->bytes) {
		struct qc_sdload_reply r;

		while (rc == 0 && x->count < x->window && x->queued < x->bytes)
			rc = queue_next(s, x);
		if (rc == 0 && qc_cancelled(s->ctx))
			rc = qc_fail(s->ctx, QC_E_CANCELLED, "cancelled after %llu of %llu bytes",
				     (unsigned long long)x->delivered, (unsigned long long)x->bytes);
		if (rc < 0) {
			/* the packets already sent are still answered */
			if (rc != QC_E_DISCONNECTED && rc != QC_E_TIMEOUT)
				drain(s, x, rc, false);
			break;
		}
		rc = sdload_recv_reply(s, &r);
		if (rc == QC_E_CRC) {
			/* the answers that follow, or the timeout, show what was lost */
			rc = ++damaged > 4 * x->window + 16
				     ? qc_fail(s->ctx, QC_E_CRC, "%u answers in a row from the programmer failed their CRC",
					       damaged)
				     : 0;
			continue;
		}
		damaged = 0;
		if (rc == QC_E_TIMEOUT) {
			char why[64];

			snprintf(why, sizeof(why), "no answer within %d ms", qc_get_timeout(s->ctx));
			rc = 0;
			for (unsigned i = 0; i < x->count && rc == 0; i++) {
				struct slot *sl = &x->slots[(x->head + i) % x->window];

				if (!sl->done)
					rc = resend(s, x, sl, why);
			}
			continue;
		}
		if (rc < 0)
			break;
		rc = answer(s, x, &r);
		if (rc == QC_E_DEVICE)
			drain(s, x, rc, true);
		else if (rc == QC_E_IO || rc == QC_E_CANCELLED)
			drain(s, x, rc, false);
	}
	for (unsigned i = 0; i < x->window; i++)
		free(x->slots[i].buf);
	free(x->slots);
	return rc;
}

int qc_sdload_write_stream(qc_sdload *s, uint64_t start, uint64_t bytes, qc_sdload_source_fn fn, void *user,
			   const char *label)
{
	struct xfer x = {.write = true, .start = start, .bytes = bytes, .src = fn, .user = user,
			 .label = label ? label : "data"};

	return transfer(s, &x);
}

int qc_sdload_read_stream(qc_sdload *s, uint64_t start, uint64_t bytes, qc_sdload_sink_fn fn, void *user,
			  const char *label)
{
	struct xfer x = {.write = false, .start = start, .bytes = bytes, .sink = fn, .user = user,
			 .label = label ? label : "data"};

	return transfer(s, &x);
}
