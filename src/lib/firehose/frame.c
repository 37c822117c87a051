/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firehose document framing.  Nothing on the wire says how long a document
 * is: a stream transport (serial, socket, a COM-port driver) delivers
 * several documents in one read, or one document in pieces, and raw sector
 * data may follow a rawmode response in the same read.  So documents are
 * cut at their closing </data> tag and whatever follows stays queued.
 */
#include <stdlib.h>
#include <string.h>

#include "qcbox/firehose.h"

static const char end_tag[] = "</data>";
#define END_TAG_LEN (sizeof(end_tag) - 1)

int qc_fh_framer_init(struct qc_fh_framer *f, size_t max_doc, size_t read_room)
{
	memset(f, 0, sizeof(*f));
	if (max_doc < 64 || !read_room)
		return QC_E_INVAL;
	f->cap = max_doc + read_room;
	f->buf = malloc(f->cap);
	if (!f->buf)
		return QC_E_NOMEM;
	f->max_doc = max_doc;
	return 0;
}

void qc_fh_framer_free(struct qc_fh_framer *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

void qc_fh_framer_reset(struct qc_fh_framer *f)
{
	f->head = f->tail = f->scanned = 0;
}

uint8_t *qc_fh_framer_space(struct qc_fh_framer *f, size_t *room)
{
	if (f->head == f->tail) {
		f->head = f->tail = 0;
	} else if (f->tail == f->cap || f->head > f->cap / 2) {
		memmove(f->buf, f->buf + f->head, f->tail - f->head);
		f->tail -= f->head;
		f->head = 0;
	}
	/* A queued document is never longer than max_doc (next() refuses it
	 * first), so after compaction there is always room. */
	*room = f->cap - f->tail;
	return f->buf + f->tail;
}

void qc_fh_framer_fill(struct qc_fh_framer *f, size_t n)
{
	if (n > f->cap - f->tail)
		n = f->cap - f->tail;
	f->tail += n;
}

size_t qc_fh_framer_pending(const struct qc_fh_framer *f)
{
	return f->tail - f->head;
}

const uint8_t *qc_fh_framer_peek(const struct qc_fh_framer *f, size_t *len)
{
	*len = f->tail - f->head;
	return f->buf + f->head;
}

size_t qc_fh_framer_take(struct qc_fh_framer *f, void *dst, size_t max)
{
	size_t n = f->tail - f->head;

	if (n > max)
		n = max;
	memcpy(dst, f->buf + f->head, n);
	f->head += n;
	f->scanned = 0;
	return n;
}

/* Whitespace and NULs between documents: pretty-printing targets end
 * documents with newlines, and some USB stacks surface a ZLP as nothing. */
static bool filler(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0;
}

int qc_fh_framer_next(struct qc_fh_framer *f, const char **doc, size_t *len)
{
	size_t avail, from;
	const uint8_t *end;

	while (f->head < f->tail && filler(f->buf[f->head])) {
		f->head++;
		f->scanned = 0;
	}
	avail = f->tail - f->head;
	if (!avail)
		return 0;
	if (f->buf[f->head] != '<')
		return QC_E_PROTOCOL;
	from = f->scanned > END_TAG_LEN ? f->scanned - END_TAG_LEN : 0;
	end = memmem(f->buf + f->head + from, avail - from, end_tag, END_TAG_LEN);
	if (!end || (size_t)(end - (f->buf + f->head)) + END_TAG_LEN > f->max_doc) {
		f->scanned = avail;
		return avail >= f->max_doc ? QC_E_TOOBIG : 0;
	}
	*doc = (const char *)f->buf + f->head;
	*len = (size_t)(end - (f->buf + f->head)) + END_TAG_LEN;
	f->head += *len;
	f->scanned = 0;
	return 1;
}
