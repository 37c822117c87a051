/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_impl.h"

/* Options every mode shares; modes declare their own in struct qcsim_mode. */
static const struct qcsim_option core_options[] = {
	{"mode", "MODE", "sahara, firehose, diag, dload or sdload (default sahara)"},
	{"listen", "SPEC", "unix:PATH, tcp:PORT or pty[:LINK]"},
	{"events", "FILE", "append one JSON object per line for each thing the device did"},
	{"persist", NULL, "keep serving after the client disconnects"},
	{"fault", "SPEC", "inject a fault (repeatable): [rx:|tx:]drop-byte@N, flip-bit@N, stall@N, disconnect@N, "
			  "or a protocol fault such as nak:program, garbage-xml"},
	{"rate", "BYTES_PER_S", "limit the link to this many bytes per second (both directions)"},
	{"latency", "US", "delay every answer by this many microseconds"},
	{"storage", "TYPE", "ufs, emmc, nand, spinor or nvme (default ufs)"},
	{"luns", "N", "number of LUNs (default 6 for UFS, else 1)"},
	{"lun-size", "SIZE", "size of each LUN, e.g. 64M (default 256M)"},
	{"sector-size", "BYTES", "override the storage's sector size"},
	{"disk-dir", "DIR", "directory of lunN.img files (created sparse, kept)"},
	{"verbose", NULL, "log every packet to stderr"},
	{NULL, NULL, NULL},
};

const struct qcsim_option *qcsim_core_options(void) { return core_options; }

/* 1: takes an argument, 0: a flag, -1: unknown. */
int qcsim_option_kind(const char *name)
{
	for (const struct qcsim_option *o = core_options; o->name; o++)
		if (!strcmp(o->name, name))
			return o->arg != NULL;
	for (size_t i = 0; qcsim_modes[i]; i++)
		for (const struct qcsim_option *o = qcsim_modes[i]->options; o && o->name; o++)
			if (!strcmp(o->name, name))
				return o->arg != NULL;
	return -1;
}

static void sim_log_cb(void *user, int level, const char *msg)
{
	(void)user;
	(void)level;
	fprintf(stderr, "qcbox-sim: %s\n", msg);
}

struct qcsim *qcsim_new(void)
{
	struct qcsim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	sim->ctx = qc_ctx_new();
	if (!sim->ctx || qc_hdlc_decoder_init(&sim->dec, 64 * 1024) < 0) {
		qc_ctx_free(sim->ctx);
		free(sim);
		return NULL;
	}
	qc_set_log(sim->ctx, sim_log_cb, sim);
	qc_set_log_level(sim->ctx, QC_LOG_WARN);
	sim->mode = qcsim_find_mode("sahara");
	return sim;
}

void qcsim_free(struct qcsim *sim)
{
	if (!sim)
		return;
	for (size_t i = 0; qcsim_modes[i]; i++)
		if (sim->inited[i] && qcsim_modes[i]->fini)
			qcsim_modes[i]->fini(sim, sim->state[i]);
	qcsim_storage_free(sim);
	if (sim->events)
		fclose(sim->events);
	for (size_t i = 0; i < sim->nopts; i++) {
		free(sim->opts[i].name);
		free(sim->opts[i].value);
	}
	for (size_t i = 0; i < sim->nnamed; i++)
		free(sim->named_faults[i]);
	free(sim->opts);
	free(sim->handoff);
	free(sim->tx);
	qc_hdlc_decoder_free(&sim->dec);
	qc_ctx_free(sim->ctx);
	free(sim);
}

qc_ctx *qcsim_ctx(struct qcsim *sim) { return sim->ctx; }
const char *qcsim_mode_name(const struct qcsim *sim) { return sim->mode->name; }

int qcsim_set_option(struct qcsim *sim, const char *name, const char *value)
{
	int kind = qcsim_option_kind(name);
	struct qcsim_optval *o;

	if (kind < 0)
		return qc_fail(sim->ctx, QC_E_INVAL, "unknown option --%s", name);
	if (kind == 1 && !value)
		return qc_fail(sim->ctx, QC_E_INVAL, "option --%s needs a value", name);
	if (!strcmp(name, "mode"))
		return qcsim_set_mode(sim, value);
	if (!strcmp(name, "fault"))
		return qcsim_parse_fault(sim, value);
	if (!strcmp(name, "verbose"))
		qc_set_log_level(sim->ctx, QC_LOG_DEBUG);
	if (!strcmp(name, "events")) {
		if (sim->events)
			fclose(sim->events);
		sim->events = fopen(value, "a");
		if (!sim->events)
			return qc_fail(sim->ctx, QC_E_IO, "cannot open events file %s", value);
	}
	o = realloc(sim->opts, (sim->nopts + 1) * sizeof(*o));
	if (!o)
		return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
	sim->opts = o;
	o = &sim->opts[sim->nopts];
	o->name = strdup(name);
	o->value = value ? strdup(value) : NULL;
	if (!o->name || (value && !o->value))
		return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
	sim->nopts++;
	if (!strcmp(name, "rate") || !strcmp(name, "latency")) {
		uint64_t v;
		int rc = qcsim_opt_u64(sim, name, 0, &v);

		if (rc < 0)
			return rc;
		if (name[0] == 'r')
			sim->rate = v;
		else
			sim->latency_us = v;
	}
	return 0;
}

int qcsim_set_mode(struct qcsim *sim, const char *mode)
{
	const struct qcsim_mode *m = qcsim_find_mode(mode);

	if (!m)
		return qc_fail(sim->ctx, QC_E_INVAL, "unknown mode '%s' (sahara, firehose, diag, dload, sdload)", mode);
	sim->mode = m;
	return 0;
}

/* The last value wins for single options. */
const char *qcsim_opt(const struct qcsim *sim, const char *name)
{
	for (size_t i = sim->nopts; i-- > 0;)
		if (!strcmp(sim->opts[i].name, name))
			return sim->opts[i].value ? sim->opts[i].value : "";
	return NULL;
}

const char *qcsim_opt_n(const struct qcsim *sim, const char *name, size_t n)
{
	for (size_t i = 0; i < sim->nopts; i++)
		if (!strcmp(sim->opts[i].name, name) && n-- == 0)
			return sim->opts[i].value;
	return NULL;
}

bool qcsim_flag(const struct qcsim *sim, const char *name) { return qcsim_opt(sim, name) != NULL; }

int qcsim_opt_u64(struct qcsim *sim, const char *name, uint64_t def, uint64_t *out)
{
	const char *v = qcsim_opt(sim, name);
	char *end;
	unsigned long long x;

	*out = def;
	if (!v)
		return 0;
	if (!isdigit((unsigned char)*v))
		return qc_fail(sim->ctx, QC_E_INVAL, "--%s: '%s' is not a number", name, v);
	x = strtoull(v, &end, 0);
	switch (toupper((unsigned char)*end)) {
	case 'K': x <<= 10; end++; break;
	case 'M': x <<= 20; end++; break;
	case 'G': x <<= 30; end++; break;
	case 'T': x <<= 40; end++; break;
	default: break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return qc_fail(sim->ctx, QC_E_INVAL, "--%s: '%s' is not a number", name, v);
	*out = x;
	return 0;
}

ssize_t qcsim_opt_hex(struct qcsim *sim, const char *name, uint8_t *out, size_t cap)
{
	const char *v = qcsim_opt(sim, name);
	size_t n = 0;

	if (!v)
		return 0;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	if (strlen(v) % 2 || strlen(v) / 2 > cap)
		return qc_fail(sim->ctx, QC_E_INVAL, "--%s: expected at most %zu hex bytes", name, cap);
	for (; v[0]; v += 2) {
		if (!isxdigit((unsigned char)v[0]) || !isxdigit((unsigned char)v[1]))
			return qc_fail(sim->ctx, QC_E_INVAL, "--%s: '%c%c' is not hex", name, v[0], v[1]);
		char b[3] = {v[0], v[1], 0};

		out[n++] = (uint8_t)strtoul(b, NULL, 16);
	}
	return (ssize_t)n;
}

void qcsim_log(struct qcsim *sim, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	qc_vlog(sim->ctx, QC_LOG_INFO, fmt, ap);
	va_end(ap);
}

int qcsim_switch(struct qcsim *sim, const char *mode, const void *data, size_t len, bool reenumerate)
{
	const struct qcsim_mode *m = qcsim_find_mode(mode);

	if (!m)
		return qc_fail(sim->ctx, QC_E_INVAL, "no simulated mode '%s'", mode);
	free(sim->handoff);
	sim->handoff = NULL;
	sim->handoff_len = 0;
	if (len) {
		sim->handoff = malloc(len);
		if (!sim->handoff)
			return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
		memcpy(sim->handoff, data, len);
		sim->handoff_len = len;
	}
	sim->next_mode = m;
	sim->next_reenumerate = reenumerate;
	return 0;
}

const uint8_t *qcsim_handoff(const struct qcsim *sim, size_t *len)
{
	*len = sim->handoff_len;
	return sim->handoff;
}

static int enter_mode(struct qcsim *sim, void **state)
{
	int i = qcsim_mode_index(sim->mode);

	if (!sim->inited[i]) {
		if (sim->mode->init) {
			int rc = sim->mode->init(sim, &sim->state[i]);

			if (rc < 0)
				return rc;
		}
		sim->inited[i] = true;
	}
	*state = sim->state[i];
	return 0;
}

int qcsim_serve(struct qcsim *sim, qc_transport *t)
{
	qcsim_link_reset(sim, t);
	for (;;) {
		void *state;
		int rc = enter_mode(sim, &state);

		if (rc < 0)
			return rc;
		sim->next_mode = NULL;
		qc_log(sim->ctx, QC_LOG_INFO, "serving %s in %s mode", qc_transport_name(t), sim->mode->name);
		rc = sim->mode->run(sim, state);
		if (rc < 0)
			return rc;
		if (rc == QCSIM_SWITCHED && sim->next_mode) {
			qc_log(sim->ctx, QC_LOG_INFO, "switching from %s to %s mode", sim->mode->name,
			       sim->next_mode->name);
			sim->mode = sim->next_mode;
			if (sim->next_reenumerate)
				return 1;
			continue;
		}
		return 0;
	}
}

int qcsim_listen_and_serve(struct qcsim *sim, const char *spec)
{
	qc_listener *l;
	int rc = qc_listener_open(sim->ctx, spec, &l);

	if (rc < 0)
		return rc;
	if (!strncmp(spec, "pty", 3))
		fprintf(stderr, "qcbox-sim: %s mode on %s\n", sim->mode->name, qc_listener_path(l));
	for (;;) {
		qc_transport *t;

		rc = qc_listener_accept(l, &t, -1);
		if (rc < 0)
			break;
		rc = qcsim_serve(sim, t);
		qc_transport_close(t);
		sim->t = NULL;
		if (rc < 0) {
			fprintf(stderr, "qcbox-sim: %s\n", qc_last_error(sim->ctx));
			if (!qcsim_flag(sim, "persist"))
				break;
			continue;
		}
		/* A re-enumeration is the device going away and coming back:
		 * the simulator waits for the host to reconnect.  A pty is made
		 * anew, as a USB serial port disappears and reappears, so a host
		 * still holding the old one sees it hang up. */
		if (rc == 1) {
			if (!strncmp(spec, "pty", 3)) {
				qc_listener_close(l);
				rc = qc_listener_open(sim->ctx, spec, &l);
				if (rc < 0)
					return rc;
				fprintf(stderr, "qcbox-sim: %s mode on %s\n", sim->mode->name, qc_listener_path(l));
			}
			continue;
		}
		if (!qcsim_flag(sim, "persist"))
			break;
	}
	qc_listener_close(l);
	return rc < 0 ? rc : 0;
}
