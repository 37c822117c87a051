/* SPDX-License-Identifier: BSD-3-Clause */
#include <openssl/evp.h>
#include <stdlib.h>

#include "dload_link.h"

int dlsim_link_init(struct dlsim_link *l, size_t max_frame)
{
	l->pos = l->len = 0;
	l->tx = NULL;
	l->tx_cap = 0;
	l->leading_flag = false;
	return qc_hdlc_decoder_init(&l->dec, max_frame);
}

void dlsim_link_free(struct dlsim_link *l)
{
	qc_hdlc_decoder_free(&l->dec);
	free(l->tx);
	l->tx = NULL;
}

void dlsim_link_reset(struct dlsim_link *l)
{
	l->pos = l->len = 0;
	qc_hdlc_decoder_reset(&l->dec);
}

int dlsim_recv(struct qcsim *sim, struct dlsim_link *l, const uint8_t **frame, size_t *len, int timeout_ms)
{
	for (;;) {
		size_t used;
		int rc;

		if (l->pos == l->len) {
			ssize_t n = qcsim_read(sim, l->rx, sizeof(l->rx), timeout_ms);

			if (n == 0)
				return QC_E_DISCONNECTED;
			if (n < 0)
				return (int)n;
			l->pos = 0;
			l->len = (size_t)n;
		}
		rc = qc_hdlc_decode(&l->dec, l->rx + l->pos, l->len - l->pos, &used, frame, len);
		l->pos += used;
		if (rc == 1 && *len)
			return DLSIM_FRAME;
		if (rc == QC_E_CRC || rc == QC_E_TOOBIG) {
			qc_log(qcsim_ctx(sim), QC_LOG_INFO, "received a damaged frame (%s)", qc_strerror(rc));
			return DLSIM_DAMAGED;
		}
	}
}

int dlsim_send(struct qcsim *sim, struct dlsim_link *l, const uint8_t *payload, size_t len)
{
	size_t need = qc_hdlc_encoded_max(len) + 1;
	ssize_t n;

	if (need > l->tx_cap) {
		uint8_t *p = realloc(l->tx, need);

		if (!p)
			return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
		l->tx = p;
		l->tx_cap = need;
	}
	n = qc_hdlc_encode(payload, len, l->tx, l->tx_cap, l->leading_flag);
	if (n < 0)
		return qc_fail(qcsim_ctx(sim), (int)n, "reply of %zu bytes too large to frame", len);
	return qcsim_write(sim, l->tx, (size_t)n);
}

void dlsim_sha256_hex(const void *buf, size_t len, char out[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}
