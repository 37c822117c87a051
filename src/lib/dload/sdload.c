/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming DLOAD host: the session, HELLO and the request/reply commands
 * (sdload_xfer.c has the pipelined writes and reads).  Programmers send LOG
 * packets at any time, and one just before each ERROR; they are logged and
 * skipped.  HELLO and the other commands that may be repeated without harm
 * are sent again when no answer, or only a damaged one, comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sdload_impl.h"

int qc_sdload_open(qc_transport *t, qc_sdload **out)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	qc_sdload *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || qc_hdlc_decoder_init(&s->dec, SDLOAD_MIN_FRAME) < 0) {
		free(s);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	s->dec_cap = SDLOAD_MIN_FRAME;
	s->t = t;
	s->ctx = ctx;
	s->sector_size = 512;
	s->window = 1;
	s->block = 512;
	*out = s;
	return 0;
}

void qc_sdload_close(qc_sdload *s)
{
	if (!s)
		return;
	qc_hdlc_decoder_free(&s->dec);
	free(s->tx);
	free(s->pkt);
	free(s);
}

qc_ctx *qc_sdload_ctx(const qc_sdload *s) { return s->ctx; }
unsigned qc_sdload_sector_size(const qc_sdload *s) { return s->sector_size; }
bool qc_sdload_sector_addressing(const qc_sdload *s) { return s->sector_addr; }
unsigned qc_sdload_window(const qc_sdload *s) { return s->window; }
size_t qc_sdload_block_size(const qc_sdload *s) { return s->block; }
void qc_sdload_get_stats(const qc_sdload *s, struct qc_sdload_stats *st) { *st = s->st; }

int qc_sdload_set_sector_size(qc_sdload *s, unsigned sector_size)
{
	if (sector_size < 1 || sector_size > 65536 || (sector_size & (sector_size - 1)))
		return qc_fail(s->ctx, QC_E_INVAL, "a sector size of %u bytes is not a power of two up to 65536",
			       sector_size);
	s->sector_size = sector_size;
	return 0;
}

void qc_sdload_limit(qc_sdload *s, unsigned window, size_t block)
{
	if (window && window < s->window)
		s->window = window;
	if (block && block < s->block)
		s->block = block;
}

/* CLOCK_MONOTONIC in milliseconds. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sdload_reserve(qc_sdload *s, uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *p;

	if (need <= *cap)
		return 0;
	p = realloc(*buf, need);
	if (!p)
		return qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
	*buf = p;
	*cap = need;
	return 0;
}

int sdload_send_frame(qc_sdload *s, const uint8_t *req, size_t len)
{
	ssize_t n;
	int rc = sdload_reserve(s, &s->tx, &s->tx_cap, qc_hdlc_encoded_max(len) + 1);

	if (rc < 0)
		return rc;
	n = qc_hdlc_encode(req, len, s->tx, s->tx_cap, false);
	if (n < 0)
		return qc_fail(s->ctx, (int)n, "Streaming DLOAD request of %zu bytes is too large to frame", len);
	return qc_transport_write(s->t, s->tx, (size_t)n, qc_get_timeout(s->ctx));
}

static void log_text(qc_sdload *s, const struct qc_sdload_reply *r)
{
	char text[256];
	size_t n = r->data_len < sizeof(text) - 1 ? r->data_len : sizeof(text) - 1;

	for (size_t i = 0; i < n; i++)
		text[i] = r->data[i] >= 0x20 && r->data[i] < 0x7f ? (char)r->data[i] : ' ';
	while (n && text[n - 1] == ' ')
		n--;
	text[n] = '\0';
	s->st.logs++;
	qc_log(s->ctx, QC_LOG_INFO, "programmer: %s", text);
}

/* The next reply other than a LOG: 1, QC_E_CRC for a damaged frame,
 * QC_E_TIMEOUT (no sentence set), or another error. */
/* A programmer that floods LOGs or frame flags still gets no more than the
 * timeout to produce the reply. */
int sdload_recv_reply(qc_sdload *s, struct qc_sdload_reply *r)
{
	int64_t deadline = now_ms() + qc_get_timeout(s->ctx);

	for (;;) {
		const uint8_t *f;
		size_t n, used;
		int rc;

		if (s->rx_pos == s->rx_len) {
			int64_t left = deadline - now_ms();
			ssize_t got;

			if (left <= 0)
				return qc_fail(s->ctx, QC_E_TIMEOUT, "no reply from the programmer in time");
			got = qc_transport_read(s->t, s->rx, sizeof(s->rx), (int)left);

			if (got == QC_E_DISCONNECTED)
				return qc_fail(s->ctx, QC_E_DISCONNECTED, "the programmer disconnected");
			if (got < 0)
				return (int)got;
			s->rx_pos = 0;
			s->rx_len = (size_t)got;
		}
		rc = qc_hdlc_decode(&s->dec, s->rx + s->rx_pos, s->rx_len - s->rx_pos, &used, &f, &n);
		s->rx_pos += used;
		if (rc == QC_E_CRC || rc == QC_E_TOOBIG) {
			qc_log(s->ctx, QC_LOG_INFO, "dropped a damaged frame from the programmer (%s)", qc_strerror(rc));
			return QC_E_CRC;
		}
		if (rc != 1 || n == 0)
			continue;
		rc = qc_sdload_parse_reply(s->ctx, f, n, r);
		if (rc < 0)
			return rc;
		if (r->cmd == QC_SDLOAD_LOG) {
			log_text(s, r);
			continue;
		}
		return 1;
	}
}

int sdload_device_error(qc_sdload *s, int err, const char *what, const struct qc_sdload_reply *r)
{
	char name[64], text[160];
	size_t n = r->data_len < sizeof(text) - 1 ? r->data_len : sizeof(text) - 1;

	for (size_t i = 0; i < n; i++)
		text[i] = r->data[i] >= 0x20 && r->data[i] < 0x7f ? (char)r->data[i] : ' ';
	while (n && (text[n - 1] == ' ' || text[n - 1] == '\n'))
		n--;
	text[n] = '\0';
	return qc_fail(s->ctx, err, "the programmer refused %s: %s%s%s%s", what,
		       qc_sdload_error_name(r->error_code, name, sizeof(name)), n ? " (\"" : "", text, n ? "\")" : "");
}

int sdload_unexpected(qc_sdload *s, const char *what, const struct qc_sdload_reply *r)
{
	const char *name = qc_sdload_cmd_name(r->cmd);

	if (r->cmd == QC_SDLOAD_ERROR)
		return sdload_device_error(s, QC_E_DEVICE, what, r);
	return qc_fail(s->ctx, QC_E_PROTOCOL, "the programmer answered %s with %s (0x%02x)", what,
		       name ? name : "an unknown packet", r->cmd);
}

/* One request, one reply of kind EXPECT; TRIES > 1 for requests that may be
 * repeated when no (or only a damaged) answer comes. */
static int request(qc_sdload *s, const uint8_t *req, size_t len, uint8_t expect, const char *what, int tries,
		   struct qc_sdload_reply *r)
{
	for (int attempt = 0;; attempt++) {
		int rc = sdload_send_frame(s, req, len);

		if (rc < 0)
			return rc;
		for (;;) {
			rc = sdload_recv_reply(s, r);
			/* A late answer to an earlier repeated request. */
			if (rc == 1 && s->stale && r->cmd == s->stale && r->cmd != expect) {
				s->stale = 0;
				continue;
			}
			break;
		}
		if ((rc == QC_E_TIMEOUT || rc == QC_E_CRC) && attempt + 1 < tries) {
			qc_log(s->ctx, QC_LOG_WARN, "%s for Streaming DLOAD %s; sending it again",
			       rc == QC_E_CRC ? "damaged answer" : "no answer", what);
			s->stale = expect;
			continue;
		}
		if (rc == QC_E_TIMEOUT)
			return qc_fail(s->ctx, QC_E_TIMEOUT, "no answer to Streaming DLOAD %s from %s within %d ms%s", what,
				       qc_transport_name(s->t), qc_get_timeout(s->ctx),
				       tries > 1 ? ", each time it was sent" : "");
		if (rc == QC_E_CRC)
			return qc_fail(s->ctx, QC_E_CRC, "the answer to Streaming DLOAD %s failed its CRC", what);
		if (rc < 0)
			return rc;
		if (attempt == 0)
			s->stale = 0;
		return r->cmd == expect ? 0 : sdload_unexpected(s, what, r);
	}
}

int qc_sdload_hello(qc_sdload *s, uint8_t version, uint8_t compat, uint8_t features, struct qc_sdload_hello *out)
{
	uint8_t req[36];
	struct qc_sdload_reply r;
	struct qc_sdload_hello *h = &r.hello;
	size_t frame;
	int rc;

	qc_sdload_encode_hello(req, sizeof(req), version, compat, features);
	/* A programmer that has just been started may miss the first hello. */
	rc = request(s, req, sizeof(req), QC_SDLOAD_HELLO_RESP, "HELLO", SDLOAD_RETRIES, &r);
	if (rc < 0)
		return rc;
	if (memcmp(h->magic, QC_SDLOAD_MAGIC_TARGET, QC_SDLOAD_MAGIC_LEN)) {
		char shown[QC_SDLOAD_MAGIC_LEN + 1];

		for (int i = 0; i < QC_SDLOAD_MAGIC_LEN; i++)
			shown[i] = h->magic[i] >= 0x20 && h->magic[i] < 0x7f ? h->magic[i] : '?';
		shown[QC_SDLOAD_MAGIC_LEN] = '\0';
		return qc_fail(s->ctx, QC_E_PROTOCOL, "the HELLO reply's magic is \"%s\", not \"%s\"", shown,
			       QC_SDLOAD_MAGIC_TARGET);
	}
	if (h->max_block_size == 0 || h->max_block_size > QC_SDLOAD_MAX_BLOCK)
		return qc_fail(s->ctx, QC_E_PROTOCOL,
			       "the HELLO reply offers a block size of %u bytes; a programmer takes 1 to %u",
			       h->max_block_size, QC_SDLOAD_MAX_BLOCK);
	if (h->window_size == 0)
		return qc_fail(s->ctx, QC_E_PROTOCOL, "the HELLO reply gives a window of 0 packets: nothing could be sent");
	if (h->features & ~features)
		qc_log(s->ctx, QC_LOG_WARN, "the programmer granted feature bits 0x%02x that were not asked for",
		       h->features & ~features);
	s->hello = *h;
	s->have_hello = true;
	s->window = h->window_size < QC_SDLOAD_MAX_WINDOW ? h->window_size : QC_SDLOAD_MAX_WINDOW;
	s->block = h->max_block_size;
	s->sector_addr = (h->features & features & QC_SDLOAD_FEAT_SECTOR_ADDRESSES) != 0;
	frame = s->block + 64 > SDLOAD_MIN_FRAME ? s->block + 64 : SDLOAD_MIN_FRAME;
	if (frame > s->dec_cap) {
		qc_hdlc_decoder_free(&s->dec);
		if (qc_hdlc_decoder_init(&s->dec, frame) < 0)
			return qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
		s->dec_cap = frame;
	}
	if (out)
		*out = *h;
	return 0;
}

static int simple(qc_sdload *s, uint8_t cmd, uint8_t expect, int tries)
{
	struct qc_sdload_reply r;

	return request(s, &cmd, 1, expect, qc_sdload_cmd_name(cmd), tries, &r);
}

int qc_sdload_reset(qc_sdload *s) { return simple(s, QC_SDLOAD_RESET, QC_SDLOAD_RESET_ACK, 1); }
int qc_sdload_power_off(qc_sdload *s) { return simple(s, QC_SDLOAD_POWER_OFF, QC_SDLOAD_POWERING_DOWN, 1); }
int qc_sdload_erase_flash(qc_sdload *s) { return simple(s, QC_SDLOAD_ERASE_FLASH, QC_SDLOAD_FLASH_ERASED, 1); }
int qc_sdload_close_image(qc_sdload *s) { return simple(s, QC_SDLOAD_CLOSE, QC_SDLOAD_CLOSED, 1); }

static int with_u8(qc_sdload *s, uint8_t cmd, uint8_t arg, uint8_t expect, int tries, struct qc_sdload_reply *r)
{
	uint8_t req[2];
	char what[64];

	qc_sdload_encode_u8(req, sizeof(req), cmd, arg);
	snprintf(what, sizeof(what), "%s %u", qc_sdload_cmd_name(cmd), arg);
	return request(s, req, sizeof(req), expect, what, tries, r);
}

int qc_sdload_security_mode(qc_sdload *s, uint8_t mode)
{
	struct qc_sdload_reply r;

	return with_u8(s, QC_SDLOAD_SECURITY_MODE, mode, QC_SDLOAD_SECURITY_MODE_RESP, SDLOAD_RETRIES, &r);
}

int qc_sdload_open_mode(qc_sdload *s, uint8_t mode)
{
	struct qc_sdload_reply r;

	return with_u8(s, QC_SDLOAD_OPEN, mode, QC_SDLOAD_OPENED, 1, &r);
}

int qc_sdload_set_ecc(qc_sdload *s, uint8_t state)
{
	struct qc_sdload_reply r;

	return with_u8(s, QC_SDLOAD_SET_ECC, state, QC_SDLOAD_SET_ECC_RESP, SDLOAD_RETRIES, &r);
}

int qc_sdload_get_ecc(qc_sdload *s, uint8_t *state)
{
	uint8_t req = QC_SDLOAD_GET_ECC;
	struct qc_sdload_reply r;
	int rc = request(s, &req, 1, QC_SDLOAD_ECC_STATE, "GET_ECC_STATE", SDLOAD_RETRIES, &r);

	if (rc == 0)
		*state = r.status;
	return rc;
}

int qc_sdload_nop(qc_sdload *s, uint32_t id)
{
	uint8_t req[5];
	struct qc_sdload_reply r;
	int rc;

	qc_sdload_encode_nop(req, sizeof(req), id);
	rc = request(s, req, sizeof(req), QC_SDLOAD_NOP_RESP, "NOP", SDLOAD_RETRIES, &r);
	if (rc < 0)
		return rc;
	if (r.data_len != 4 || memcmp(r.data, req + 1, 4))
		return qc_fail(s->ctx, QC_E_PROTOCOL, "the programmer's NOP reply does not echo the request");
	return 0;
}

int qc_sdload_unlock(qc_sdload *s, uint64_t code)
{
	uint8_t req[9];
	struct qc_sdload_reply r;

	qc_sdload_encode_unlock(req, sizeof(req), code);
	return request(s, req, sizeof(req), QC_SDLOAD_UNLOCKED, "UNLOCK", 1, &r);
}

int qc_sdload_open_multi(qc_sdload *s, uint8_t type, const void *payload, size_t len)
{
	struct qc_sdload_reply r;
	const char *name = qc_sdload_image_type_name(type);
	char what[96];
	ssize_t n;
	int rc = sdload_reserve(s, &s->pkt, &s->pkt_cap, len + 2);

	if (rc < 0)
		return rc;
	n = qc_sdload_encode_open_multi(s->pkt, s->pkt_cap, type, payload, len);
	if (n < 0)
		return qc_fail(s->ctx, QC_E_TOOBIG, "an OPEN_MULTI_IMAGE payload of %zu bytes is too large", len);
	snprintf(what, sizeof(what), "OPEN_MULTI_IMAGE of type 0x%02x (%s)", type, name ? name : "unknown");
	rc = request(s, s->pkt, (size_t)n, QC_SDLOAD_OPEN_MULTI_RESP, what, 1, &r);
	if (rc < 0)
		return rc;
	if (r.status != QC_SDLOAD_OPEN_MULTI_OK)
		return qc_fail(s->ctx, QC_E_DEVICE, "the programmer refused %s: %s (status %u)", what,
			       qc_sdload_open_multi_status_name(r.status), r.status);
	return 0;
}

int qc_sdload_partition_table(qc_sdload *s, const void *table, size_t len, bool override, uint8_t *status)
{
	struct qc_sdload_reply r;
	ssize_t n;
	int rc = sdload_reserve(s, &s->pkt, &s->pkt_cap, len + 2);

	if (rc < 0)
		return rc;
	n = qc_sdload_encode_ptable(s->pkt, s->pkt_cap, override, table, len);
	if (n < 0)
		return qc_fail(s->ctx, QC_E_TOOBIG, "a partition table of %zu bytes is larger than the %d a programmer takes",
			       len, QC_SDLOAD_PTABLE_MAX);
	rc = request(s, s->pkt, (size_t)n, QC_SDLOAD_PARTITION_TABLE_RESP, "PARTITION_TABLE", 1, &r);
	if (rc < 0)
		return rc;
	if (status)
		*status = r.status;
	if (r.status != QC_SDLOAD_PTABLE_OK)
		return qc_fail(s->ctx, QC_E_DEVICE, "the programmer did not take the partition table: %s (status %u)",
			       qc_sdload_ptable_status_name(r.status), r.status);
	return 0;
}
