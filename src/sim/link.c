/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated device's end of the link: USB-like pacing (--rate,
 * --latency) and injected faults (--fault). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_impl.h"

static const struct {
	const char *name;
	enum qcsim_fault_kind kind;
	bool tx; /* default direction */
} byte_faults[] = {
	{"drop-byte", FAULT_DROP_BYTE, true},
	{"flip-bit", FAULT_FLIP_BIT, true},
	{"stall", FAULT_STALL, false},
	{"disconnect", FAULT_DISCONNECT, false},
};

int qcsim_parse_fault(struct qcsim *sim, const char *spec)
{
	const char *s = spec, *at = strchr(spec, '@');
	int dir = -1; /* -1 default, 0 rx, 1 tx */

	if (!strncmp(s, "rx:", 3) || !strncmp(s, "tx:", 3)) {
		dir = s[0] == 't';
		s += 3;
	}
	for (size_t i = 0; at && i < sizeof(byte_faults) / sizeof(byte_faults[0]); i++) {
		size_t n = strlen(byte_faults[i].name);
		char *end;

		if ((size_t)(at - s) != n || strncmp(s, byte_faults[i].name, n))
			continue;
		if (sim->nfaults == QCSIM_MAX_FAULTS)
			return qc_fail(sim->ctx, QC_E_INVAL, "too many --fault options");
		errno = 0;
		unsigned long long off = strtoull(at + 1, &end, 0);

		if (*end || errno || at[1] == '\0')
			return qc_fail(sim->ctx, QC_E_INVAL, "--fault %s: bad byte offset", spec);
		sim->faults[sim->nfaults++] = (struct qcsim_byte_fault){
			.kind = byte_faults[i].kind,
			.tx = dir < 0 ? byte_faults[i].tx : dir == 1,
			.offset = off,
		};
		return 0;
	}
	if (at || dir >= 0)
		return qc_fail(sim->ctx, QC_E_INVAL,
			       "--fault %s: byte faults are drop-byte@N, flip-bit@N, stall@N, disconnect@N", spec);
	if (sim->nnamed == QCSIM_MAX_FAULTS)
		return qc_fail(sim->ctx, QC_E_INVAL, "too many --fault options");
	sim->named_faults[sim->nnamed] = strdup(spec);
	if (!sim->named_faults[sim->nnamed])
		return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
	sim->nnamed++;
	return 0;
}

/* Protocol faults fire once; "NAME*" in the spec keeps it armed. */
bool qcsim_fault(struct qcsim *sim, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sim->nnamed; i++) {
		char *f = sim->named_faults[i];

		if (!f || strncmp(f, name, n) || (f[n] && strcmp(f + n, "*")))
			continue;
		if (!f[n]) {
			free(f);
			sim->named_faults[i] = NULL;
		}
		return true;
	}
	return false;
}

void qcsim_link_reset(struct qcsim *sim, qc_transport *t)
{
	sim->t = t;
	sim->rx_bytes = sim->tx_bytes = 0;
	sim->rx_pos = sim->rx_len = 0;
	sim->stalled = false;
	qc_hdlc_decoder_reset(&sim->dec);
	clock_gettime(CLOCK_MONOTONIC, &sim->link_start);
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Keeps the total traffic of this link at or under --rate, like a USB 2.0
 * bus that carries both directions. */
static void pace(struct qcsim *sim)
{
	struct timespec now;
	uint64_t due_us, elapsed_us;

	if (!sim->rate)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	elapsed_us = (uint64_t)(now.tv_sec - sim->link_start.tv_sec) * 1000000u +
		     (uint64_t)((now.tv_nsec - sim->link_start.tv_nsec) / 1000);
	due_us = (sim->rx_bytes + sim->tx_bytes) * 1000000u / sim->rate;
	if (due_us > elapsed_us)
		sleep_us(due_us - elapsed_us);
}

/* A stalled device neither answers nor takes data until the host leaves. */
static int stall_until_gone(struct qcsim *sim)
{
	uint8_t sink[4096];

	qcsim_log(sim, "fault: stalling");
	sim->stalled = true;
	for (;;) {
		ssize_t n = qc_transport_read(sim->t, sink, sizeof(sink), 1000);

		if (n == QC_E_DISCONNECTED || (n < 0 && n != QC_E_TIMEOUT))
			return QC_E_DISCONNECTED;
	}
}

/* The first armed fault of this direction inside [start, start+len). */
static struct qcsim_byte_fault *fault_in(struct qcsim *sim, bool tx, uint64_t start, size_t len)
{
	struct qcsim_byte_fault *best = NULL;

	for (size_t i = 0; i < sim->nfaults; i++) {
		struct qcsim_byte_fault *f = &sim->faults[i];

		if (f->fired || f->tx != tx || f->offset < start || f->offset >= start + len)
			continue;
		if (!best || f->offset < best->offset)
			best = f;
	}
	return best;
}

ssize_t qcsim_read(struct qcsim *sim, void *buf, size_t len, int timeout_ms)
{
	struct qcsim_byte_fault *f;
	ssize_t n;

	if (sim->stalled)
		return stall_until_gone(sim);
	n = qc_transport_read(sim->t, buf, len, timeout_ms);
	if (n <= 0)
		return n;
	f = fault_in(sim, false, sim->rx_bytes, (size_t)n);
	if (f) {
		size_t at = (size_t)(f->offset - sim->rx_bytes);

		f->fired = true;
		switch (f->kind) {
		case FAULT_DISCONNECT:
			qcsim_log(sim, "fault: disconnecting after %llu received bytes", (unsigned long long)f->offset);
			return QC_E_DISCONNECTED;
		case FAULT_STALL:
			return stall_until_gone(sim);
		case FAULT_FLIP_BIT:
			((uint8_t *)buf)[at] ^= 0x01;
			break;
		case FAULT_DROP_BYTE:
			memmove((uint8_t *)buf + at, (uint8_t *)buf + at + 1, (size_t)n - at - 1);
			sim->rx_bytes++;
			n--;
			break;
		}
	}
	sim->rx_bytes += (uint64_t)n;
	pace(sim);
	return n;
}

int qcsim_read_exact(struct qcsim *sim, void *buf, size_t len, int timeout_ms)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = qcsim_read(sim, p, len, timeout_ms);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return QC_E_DISCONNECTED;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int qcsim_write(struct qcsim *sim, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int timeout = 30000;

	if (sim->stalled)
		return stall_until_gone(sim);
	if (sim->latency_us)
		sleep_us(sim->latency_us);
	while (len) {
		struct qcsim_byte_fault *f = fault_in(sim, true, sim->tx_bytes, len);
		size_t run = f ? (size_t)(f->offset - sim->tx_bytes) : len;
		int rc;

		if (run) {
			rc = qc_transport_write(sim->t, p, run, timeout);
			if (rc < 0)
				return rc;
			sim->tx_bytes += run;
			p += run;
			len -= run;
			pace(sim);
		}
		if (!f)
			break;
		f->fired = true;
		switch (f->kind) {
		case FAULT_DISCONNECT:
			qcsim_log(sim, "fault: disconnecting after %llu sent bytes", (unsigned long long)f->offset);
			return QC_E_DISCONNECTED;
		case FAULT_STALL:
			return stall_until_gone(sim);
		case FAULT_DROP_BYTE:
			sim->tx_bytes++;
			p++;
			len--;
			break;
		case FAULT_FLIP_BIT: {
			uint8_t b = *p ^ 0x01;

			rc = qc_transport_write(sim->t, &b, 1, timeout);
			if (rc < 0)
				return rc;
			sim->tx_bytes++;
			p++;
			len--;
			break;
		}
		}
	}
	return 0;
}

struct qc_hdlc_decoder *qcsim_hdlc_decoder(struct qcsim *sim) { return &sim->dec; }

int qcsim_hdlc_recv(struct qcsim *sim, const uint8_t **frame, size_t *len, int timeout_ms)
{
	for (;;) {
		if (sim->rx_pos == sim->rx_len) {
			ssize_t n = qcsim_read(sim, sim->rx, sizeof(sim->rx), timeout_ms);

			if (n == QC_E_DISCONNECTED)
				return QCSIM_DISCONNECTED;
			if (n < 0)
				return (int)n;
			sim->rx_pos = 0;
			sim->rx_len = (size_t)n;
		}
		size_t used;
		int rc = qc_hdlc_decode(&sim->dec, sim->rx + sim->rx_pos, sim->rx_len - sim->rx_pos, &used, frame, len);

		sim->rx_pos += used;
		if (rc == 1)
			return 1;
		if (rc < 0)
			qc_log(sim->ctx, QC_LOG_WARN, "dropped a bad frame from the host (%s)", qc_strerror(rc));
	}
}

int qcsim_hdlc_send(struct qcsim *sim, const void *payload, size_t len)
{
	size_t need = qc_hdlc_encoded_max(len) + 8;
	ssize_t n;

	if (need > sim->tx_cap) {
		uint8_t *p = realloc(sim->tx, need);

		if (!p)
			return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
		sim->tx = p;
		sim->tx_cap = need;
	}
	/* No leading flag: some DIAG clients take a lone 0x7E for a dead modem. */
	if (sim->dec.framing == QC_FRAMING_NHDLC)
		n = qc_nhdlc_encode(payload, len, sim->tx, sim->tx_cap);
	else
		n = qc_hdlc_encode(payload, len, sim->tx, sim->tx_cap, false);
	if (n < 0)
		return qc_fail(sim->ctx, (int)n, "reply of %zu bytes too large to frame", len);
	return qcsim_write(sim, sim->tx, (size_t)n);
}
