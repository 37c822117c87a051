/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated boot loader in DMSS download mode: answers the DLOAD commands,
 * keeps what the host writes in a sparse memory map and, on GO, "runs" the
 * code it received: it reports the contiguous bytes from the jump address
 * and becomes the Streaming DLOAD programmer on the same link, as a phone
 * running an NPRG/ENPRG would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dload_link.h"
#include "qcbox/dload.h"
#include "sim.h"

/* RAM a host may fill; far above any programmer. */
#define DLSIM_MEM_MAX (64u << 20)
/* handle(): the phone reset or powered off. */
#define DLSIM_GONE 100

struct seg {
	uint32_t start;
	size_t len, cap;
	uint8_t *data;
};

struct dload_state {
	struct dlsim_link link;
	struct seg *segs; /* sorted, disjoint, never adjacent */
	size_t nsegs, segs_cap;
	uint64_t mem_bytes;
	char version[QC_DLOAD_VERSION_MAX + 1];
	struct qc_dload_params params;
	uint64_t ram_start, ram_end;
	uint8_t code[8];
	bool need_unlock, unlocked;
	uint64_t fault_after;
	uint64_t writes, gos;
};

static const struct qcsim_option dload_options[] = {
	{"dload-version", "TEXT", "DLOAD: software version reported by the boot loader (default PBL_DloadVER2.0)"},
	{"dload-protocol", "N", "DLOAD: protocol revision in the parameter reply; below 5 only 24-bit WRITE "
				"is understood (default 8)"},
	{"dload-max-write", "BYTES", "DLOAD: largest write the boot loader takes (default 1024)"},
	{"dload-ram", "START:SIZE", "DLOAD: the only memory writes may go to (default: all 4 GiB)"},
	{"dload-unlock", "HEX16", "DLOAD: security code UNLOCK must send before writes are taken"},
	{"fault-after", "N", "DLOAD/SDLOAD: protocol faults fire at the Nth packet of their kind (default 1); "
			     "dload faults: nak:write, nak:go; sdload: nak:write, nak:read, nak:open, nak:close, "
			     "hello:bad-magic, hello:huge-block, hello:truncated"},
	{NULL, NULL, NULL},
};

static int parse_ram(struct qcsim *sim, struct dload_state *s)
{
	const char *v = qcsim_opt(sim, "dload-ram");
	char *end;
	unsigned long long a, n;

	s->ram_start = 0;
	s->ram_end = 0x100000000ull;
	if (!v)
		return 0;
	a = strtoull(v, &end, 0);
	if (*end != ':' || end == v)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--dload-ram takes START:SIZE, not '%s'", v);
	n = strtoull(end + 1, &end, 0);
	if (*end || !n || a + n > 0x100000000ull)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--dload-ram %s does not fit the 32-bit address space", v);
	s->ram_start = a;
	s->ram_end = a + n;
	return 0;
}

static void dload_fini(struct qcsim *sim, void *state);

static int dload_setup(struct qcsim *sim, struct dload_state *s);

static int dload_init(struct qcsim *sim, void **state)
{
	struct dload_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return QC_E_NOMEM;
	rc = dload_setup(sim, s);
	if (rc < 0) {
		dload_fini(sim, s);
		return rc;
	}
	*state = s;
	return 0;
}

static int dload_setup(struct qcsim *sim, struct dload_state *s)
{
	const char *v = qcsim_opt(sim, "dload-version");
	uint64_t proto, maxw;
	int rc;

	if (dlsim_link_init(&s->link, 0x10000 + 64) < 0)
		return QC_E_NOMEM;
	/* Boot ROMs open each frame with a flag. */
	s->link.leading_flag = true;
	if (v && strlen(v) > QC_DLOAD_VERSION_MAX)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--dload-version is longer than %d characters",
			       QC_DLOAD_VERSION_MAX);
	snprintf(s->version, sizeof(s->version), "%s", v ? v : "PBL_DloadVER2.0");
	if ((rc = qcsim_opt_u64(sim, "dload-protocol", 8, &proto)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "dload-max-write", 1024, &maxw)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "fault-after", 1, &s->fault_after)) < 0 || (rc = parse_ram(sim, s)) < 0)
		return rc;
	if (proto > 0xff || maxw > 0xffff)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--dload-protocol takes 0-255 and --dload-max-write 0-65535");
	s->params = (struct qc_dload_params){
		.protocol_version = (uint8_t)proto,
		.min_protocol_version = 1,
		.max_write_size = (uint16_t)maxw,
		.model = 0x8c,
		.device_size = 0x06,
		.device_type = 0x01,
	};
	if (qcsim_opt(sim, "dload-unlock")) {
		ssize_t n = qcsim_opt_hex(sim, "dload-unlock", s->code, sizeof(s->code));

		if (n < 0)
			return (int)n;
		if (n != 8)
			return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--dload-unlock takes 16 hex digits");
		s->need_unlock = true;
	}
	return 0;
}

static void mem_clear(struct dload_state *s)
{
	for (size_t i = 0; i < s->nsegs; i++)
		free(s->segs[i].data);
	s->nsegs = 0;
	s->mem_bytes = 0;
}

static void dload_fini(struct qcsim *sim, void *state)
{
	struct dload_state *s = state;

	(void)sim;
	if (!s)
		return;
	mem_clear(s);
	free(s->segs);
	dlsim_link_free(&s->link);
	free(s);
}

static uint64_t seg_end(const struct seg *g) { return (uint64_t)g->start + g->len; }

/* Stores N bytes at ADDR, merging with every segment they touch. */
static int mem_write(struct dload_state *s, uint32_t addr, const uint8_t *d, size_t n)
{
	uint64_t start = addr, end = start + n, new_start, new_end;
	size_t i = 0, j;
	struct seg *g;

	while (i < s->nsegs && seg_end(&s->segs[i]) < start)
		i++;
	j = i;
	while (j < s->nsegs && s->segs[j].start <= end)
		j++;
	/* segments i..j-1 overlap or touch [start, end) */
	new_start = i < j && s->segs[i].start < start ? s->segs[i].start : start;
	new_end = i < j && seg_end(&s->segs[j - 1]) > end ? seg_end(&s->segs[j - 1]) : end;
	if (s->mem_bytes + n > DLSIM_MEM_MAX)
		return -1;
	if (j == i) {
		/* a new segment */
		if (s->nsegs == s->segs_cap) {
			size_t cap = s->segs_cap ? 2 * s->segs_cap : 8;
			struct seg *p = realloc(s->segs, cap * sizeof(*p));

			if (!p)
				return -1;
			s->segs = p;
			s->segs_cap = cap;
		}
		memmove(&s->segs[i + 1], &s->segs[i], (s->nsegs - i) * sizeof(*s->segs));
		s->nsegs++;
		g = &s->segs[i];
		g->start = addr;
		g->len = g->cap = n;
		g->data = malloc(n ? n : 1);
		if (!g->data)
			return -1;
		memcpy(g->data, d, n);
		s->mem_bytes += n;
		return 0;
	}
	g = &s->segs[i];
	if (j == i + 1 && new_start == g->start) {
		/* The usual case, a programmer written in order: grow in place. */
		size_t len = (size_t)(new_end - new_start);

		if (len > g->cap) {
			size_t cap = g->cap * 2 > len ? g->cap * 2 : len;
			uint8_t *p = realloc(g->data, cap);

			if (!p)
				return -1;
			g->data = p;
			g->cap = cap;
		}
		s->mem_bytes += len - g->len;
		g->len = len;
		memcpy(g->data + (start - g->start), d, n);
		return 0;
	}
	{
		size_t len = (size_t)(new_end - new_start);
		uint8_t *p = calloc(1, len);

		if (!p)
			return -1;
		for (size_t k = i; k < j; k++) {
			memcpy(p + (s->segs[k].start - new_start), s->segs[k].data, s->segs[k].len);
			s->mem_bytes -= s->segs[k].len;
			free(s->segs[k].data);
		}
		memcpy(p + (start - new_start), d, n);
		memmove(&s->segs[i + 1], &s->segs[j], (s->nsegs - j) * sizeof(*s->segs));
		s->nsegs -= j - i - 1;
		s->segs[i] = (struct seg){(uint32_t)new_start, len, len, p};
		s->mem_bytes += len;
	}
	return 0;
}

static struct seg *mem_find(struct dload_state *s, uint32_t addr)
{
	for (size_t i = 0; i < s->nsegs; i++)
		if (s->segs[i].start <= addr && addr < seg_end(&s->segs[i]))
			return &s->segs[i];
	return NULL;
}

/* Erased RAM reads 0xFF; nothing new is allocated for it. */
static void mem_erase(struct dload_state *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->nsegs; i++) {
		struct seg *g = &s->segs[i];
		uint64_t a = start > g->start ? start : g->start, b = end < seg_end(g) ? end : seg_end(g);

		if (a < b)
			memset(g->data + (a - g->start), 0xff, (size_t)(b - a));
	}
}

static void mem_read(struct dload_state *s, uint32_t addr, uint8_t *out, size_t n)
{
	memset(out, 0, n);
	for (size_t i = 0; i < s->nsegs; i++) {
		struct seg *g = &s->segs[i];
		uint64_t a = addr > g->start ? addr : g->start, b = (uint64_t)addr + n < seg_end(g) ? addr + n : seg_end(g);

		if (a < b)
			memcpy(out + (a - addr), g->data + (a - g->start), (size_t)(b - a));
	}
}

static int reply(struct qcsim *sim, struct dload_state *s, const uint8_t *p, ssize_t n)
{
	if (n < 0)
		return (int)n;
	return dlsim_send(sim, &s->link, p, (size_t)n);
}

static int ack(struct qcsim *sim, struct dload_state *s)
{
	uint8_t a = QC_DLOAD_ACK;

	return dlsim_send(sim, &s->link, &a, 1);
}

static int nak(struct qcsim *sim, struct dload_state *s, uint16_t reason)
{
	uint8_t p[3];
	char name[48];

	qcsim_log(sim, "DLOAD: NAK %s", qc_dload_nak_name(reason, name, sizeof(name)));
	return reply(sim, s, p, qc_dload_encode_nak(p, sizeof(p), reason));
}

static bool in_ram(const struct dload_state *s, uint64_t addr, uint64_t len)
{
	return addr >= s->ram_start && addr + len <= s->ram_end;
}

/* A protocol fault of kind NAME that fires at the Nth packet. */
static bool fault_due(struct qcsim *sim, const char *name, uint64_t count, uint64_t after)
{
	return count >= after && qcsim_fault(sim, name);
}

static int do_write(struct qcsim *sim, struct dload_state *s, const struct qc_dload_request *r)
{
	if (r->cmd == QC_DLOAD_WRITE_32BIT && s->params.protocol_version < 5)
		return nak(sim, s, QC_DLOAD_NAK_INVALID_CMD);
	if (s->need_unlock && !s->unlocked)
		return nak(sim, s, QC_DLOAD_NAK_NO_SEC_CODE);
	if (r->len == 0)
		return nak(sim, s, QC_DLOAD_NAK_INVALID_LEN);
	if (r->len > s->params.max_write_size)
		return nak(sim, s, QC_DLOAD_NAK_TOO_LARGE);
	if (!in_ram(s, r->addr, r->len))
		return nak(sim, s, QC_DLOAD_NAK_INVALID_DEST);
	s->writes++;
	if (fault_due(sim, "nak:write", s->writes, s->fault_after))
		return nak(sim, s, QC_DLOAD_NAK_FAILED);
	if (mem_write(s, r->addr, r->data, r->len) < 0)
		return nak(sim, s, QC_DLOAD_NAK_FAILED);
	return ack(sim, s);
}

/* Runs the received code: the event reports the bytes from the jump
 * address up to the first hole, which is what a programmer loaded there
 * consists of; those bytes become the programmer the device turns into. */
static int do_go(struct qcsim *sim, struct dload_state *s, uint32_t addr)
{
	struct seg *g = mem_find(s, addr);
	char sha[65];
	json_object *ev;
	size_t off, n;
	int rc;

	s->gos++;
	if (!g || fault_due(sim, "nak:go", s->gos, s->fault_after))
		return nak(sim, s, g ? QC_DLOAD_NAK_FAILED : QC_DLOAD_NAK_INVALID_DEST);
	off = addr - g->start;
	n = g->len - off;
	dlsim_sha256_hex(g->data + off, n, sha);
	ev = json_object_new_object();
	json_object_object_add(ev, "address", json_object_new_int64(addr));
	json_object_object_add(ev, "bytes", json_object_new_int64((int64_t)n));
	json_object_object_add(ev, "sha256", json_object_new_string(sha));
	qcsim_event(sim, "dload_go", ev);
	rc = qcsim_switch(sim, "sdload", g->data + off, n, false);
	if (rc < 0)
		return rc;
	rc = ack(sim, s);
	if (rc < 0)
		return rc;
	/* The boot loader is gone; RAM now belongs to the programmer. */
	mem_clear(s);
	s->unlocked = false;
	return QCSIM_SWITCHED;
}

static int do_mem_read(struct qcsim *sim, struct dload_state *s, const struct qc_dload_request *r)
{
	uint8_t *data, *out;
	int rc;

	if (r->len == 0 || r->len > s->params.max_write_size)
		return nak(sim, s, QC_DLOAD_NAK_INVALID_LEN);
	if (!in_ram(s, r->addr, r->len))
		return nak(sim, s, QC_DLOAD_NAK_INVALID_READ_ADDR);
	data = malloc(r->len);
	out = malloc(7 + r->len);
	if (!data || !out) {
		free(data);
		free(out);
		return QC_E_NOMEM;
	}
	mem_read(s, r->addr, data, r->len);
	rc = reply(sim, s, out, qc_dload_encode_mem_data(out, 7 + r->len, r->addr, data, (uint16_t)r->len));
	free(data);
	free(out);
	return rc;
}

static int handle(struct qcsim *sim, struct dload_state *s, const uint8_t *f, size_t n)
{
	struct qc_dload_request r;
	uint16_t why;
	uint8_t out[QC_DLOAD_VERSION_MAX + 2];

	if (qc_dload_parse_request(qcsim_ctx(sim), f, n, &r, &why) < 0) {
		qcsim_log(sim, "DLOAD: %s", qc_last_error(qcsim_ctx(sim)));
		return nak(sim, s, why);
	}
	switch (r.cmd) {
	case QC_DLOAD_NOP:
		return ack(sim, s);
	case QC_DLOAD_PARAM_REQ:
		return reply(sim, s, out, qc_dload_encode_params(out, sizeof(out), &s->params));
	case QC_DLOAD_VERSION_REQ:
		return reply(sim, s, out, qc_dload_encode_version(out, sizeof(out), s->version));
	case QC_DLOAD_WRITE:
	case QC_DLOAD_WRITE_32BIT:
		return do_write(sim, s, &r);
	case QC_DLOAD_ERASE:
		if (!in_ram(s, r.addr, r.len))
			return nak(sim, s, QC_DLOAD_NAK_INVALID_DEST);
		mem_erase(s, r.addr, (uint64_t)r.addr + r.len);
		return ack(sim, s);
	case QC_DLOAD_GO:
		return do_go(sim, s, r.addr);
	case QC_DLOAD_UNLOCK:
		if (s->need_unlock && memcmp(r.data, s->code, 8))
			return nak(sim, s, QC_DLOAD_NAK_BAD_SEC_CODE);
		s->unlocked = true;
		return ack(sim, s);
	case QC_DLOAD_MEM_READ_REQ:
		return do_mem_read(sim, s, &r);
	case QC_DLOAD_RESET:
	case QC_DLOAD_POWER_DOWN: {
		int rc = ack(sim, s);

		qcsim_event(sim, r.cmd == QC_DLOAD_RESET ? "dload_reset" : "dload_power_down", NULL);
		mem_clear(s);
		s->unlocked = false;
		/* The phone restarts (or stops): its end of the link goes away. */
		return rc < 0 ? rc : DLSIM_GONE;
	}
	case QC_DLOAD_SWITCH_TO_DLOAD:
		/* Already here: the command is echoed. */
		return dlsim_send(sim, &s->link, f, 1);
	default:
		return nak(sim, s, QC_DLOAD_NAK_INVALID_CMD);
	}
}

static int dload_run(struct qcsim *sim, void *state)
{
	struct dload_state *s = state;

	dlsim_link_reset(&s->link);
	for (;;) {
		const uint8_t *f;
		size_t n;
		int rc = dlsim_recv(sim, &s->link, &f, &n, -1);

		if (rc == QC_E_DISCONNECTED)
			return QCSIM_DISCONNECTED;
		if (rc < 0)
			return rc;
		if (rc == DLSIM_DAMAGED)
			rc = nak(sim, s, QC_DLOAD_NAK_INVALID_FCS);
		else
			rc = handle(sim, s, f, n);
		if (rc == QC_E_DISCONNECTED || rc == DLSIM_GONE)
			return QCSIM_DISCONNECTED;
		if (rc < 0 || rc == QCSIM_SWITCHED)
			return rc;
	}
}

const struct qcsim_mode qcsim_mode_dload = {
	.name = "dload",
	.options = dload_options,
	.init = dload_init,
	.run = dload_run,
	.fini = dload_fini,
};
