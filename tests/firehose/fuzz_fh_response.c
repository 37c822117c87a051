/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a programmer sends, from an untrusted device: the bytes go through
 * the framer in arbitrary splits and the parser, then — as the whole answer
 * stream of a device — through a host session running configure, nop,
 * getstorageinfo, peek, read, getsha256digest and a GPT read.  Nothing may
 * crash, hang or read out of bounds, whatever the bytes.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qcbox/firehose.h"
#include "qcbox/gpt.h"
#include "transport/transport_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
    "value",	  "rawmode",   "MaxPayloadSizeToTargetInBytes", "MaxPayloadSizeToTargetInBytesSupported",
    "MemoryName", "TargetName"};

static void framing(qc_ctx *ctx, const uint8_t *data, size_t size)
{
	struct qc_fh_framer f;
	struct qc_fh_doc d = {0};
	size_t split = size ? data[0] % 97 + 1 : 1;

	if (qc_fh_framer_init(&f, 4096, 512) < 0)
		abort();
	for (size_t off = 0; off < size;) {
		size_t room, n;
		uint8_t *space = qc_fh_framer_space(&f, &room);
		const char *doc;
		size_t len;
		int rc;

		n = size - off < split ? size - off : split;
		if (n > room)
			n = room;
		memcpy(space, data + off, n);
		qc_fh_framer_fill(&f, n);
		off += n;
		while ((rc = qc_fh_framer_next(&f, &doc, &len)) == 1) {
			if (len > 4096)
				abort();
			if (qc_fh_doc_parse(ctx, doc, len, &d) < 0)
				continue;
			for (unsigned i = 0; i < d.nelem; i++)
				for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
					uint64_t v;

					qc_fh_attr_u64(&d.elem[i], names[k], &v);
				}
		}
		if (rc < 0) {
			/* what a host does: give up on this stream */
			qc_fh_framer_reset(&f);
		}
	}
	qc_fh_doc_free(&d);
	qc_fh_framer_free(&f);
}

static int sink(void *user, uint64_t off, const void *buf, size_t len)
{
	uint8_t *dst = user;

	if (off + len > 2 * 4096)
		abort();
	memcpy(dst + off, buf, len);
	return 0;
}

static void session(qc_ctx *ctx, const uint8_t *data, size_t size)
{
	struct qc_fh_storage_info si;
	struct qc_gpt g;
	uint8_t buf[2 * 4096], md[32];
	qc_transport *t;
	qc_fh *fh;
	unsigned luns;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	qc_socket_tune(sv[0]);
	qc_socket_tune(sv[1]);
	/* the device says all of it at once, then nothing more */
	for (size_t off = 0; off < size;) {
		ssize_t n = write(sv[1], data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	shutdown(sv[1], SHUT_WR);
	t = qc_fd_transport_new(ctx, QC_TRANSPORT_MEM, sv[0], "fuzz");
	if (!t || qc_fh_open(t, &fh) < 0)
		abort();
	struct qc_fh_options o = {.memory = size && data[size - 1] & 1 ? "emmc" : "ufs"};

	qc_fh_configure(fh, &o);
	qc_fh_nop(fh);
	qc_fh_storage_info(fh, 0, &si);
	qc_fh_peek(fh, 0x14680000, buf, 64);
	qc_fh_read(fh, 0, 0, 1, sink, buf, NULL);
	qc_fh_sha256(fh, 0, 0, 1, md);
	qc_fh_lun_count(fh, &luns);
	if (qc_fh_read_gpt(fh, 0, &g) == 0)
		qc_gpt_free(&g);
	qc_fh_close(fh);
	qc_transport_close(t);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();

	signal(SIGPIPE, SIG_IGN);
	qc_set_timeout(ctx, 50);
	framing(ctx, data, size);
	/* the socket holds a few MiB; answers beyond that are not a case */
	if (size <= (256u << 10))
		session(ctx, data, size);
	qc_ctx_free(ctx);
	return 0;
}
