/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox nv ...: NV items by number or name, backup to JSON and restore. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "qcbox/diag.h"
#include "qcbox/nv.h"

#define NV_USAGE                                                                                               \
	"nv COMMAND\n"                                                                                         \
	"  read ITEM [--index I] [--sim N]         read an item (number or name, e.g. 550 or imei)\n"          \
	"  write ITEM HEX [--index I] [--sim N]    write up to 128 bytes to an item\n"                        \
	"  backup FILE [--items A-B] [--no-extra]  every item (default 0-7232 and known indexed ones) to JSON\n" \
	"  restore FILE                            write back the items a backup read successfully\n"         \
	"  names                                   the item names this build knows\n"

enum { OPT_INDEX = CLI_OPT_FIRST_COMMAND_OPT, OPT_SIM, OPT_ITEMS, OPT_NO_EXTRA };

struct nv_opts {
	int index; /* -1: none */
	int sim;   /* -1: classic commands */
	uint16_t first, last;
	bool extra;
};

static int nv_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct nv_opts *o = user;
	uint64_t v, w;
	char *dash;

	switch (c) {
	case OPT_INDEX:
		if (cli_parse_u64(cli, "--index", arg, &v))
			return CLI_USAGE;
		if (v > 255)
			return cli_error(cli, CLI_USAGE, "--index: %llu is over 255 (the index is one byte)",
					 (unsigned long long)v);
		o->index = (int)v;
		return CLI_OK;
	case OPT_SIM:
		if (cli_parse_u64(cli, "--sim", arg, &v))
			return CLI_USAGE;
		if (v > 0xffff)
			return cli_error(cli, CLI_USAGE, "--sim: %llu is out of range", (unsigned long long)v);
		o->sim = (int)v;
		return CLI_OK;
	case OPT_ITEMS: {
		char a[32];

		snprintf(a, sizeof(a), "%s", arg);
		dash = strchr(a, '-');
		if (dash)
			*dash = '\0';
		if (cli_parse_u64(cli, "--items", a, &v) || cli_parse_u64(cli, "--items", dash ? dash + 1 : a, &w))
			return CLI_USAGE;
		if (v > w || w > 0xffff)
			return cli_error(cli, CLI_USAGE, "--items %s: expected A-B with A <= B <= 65535", arg);
		o->first = (uint16_t)v;
		o->last = (uint16_t)w;
		return CLI_OK;
	}
	case OPT_NO_EXTRA:
		o->extra = false;
		return CLI_OK;
	default:
		return CLI_USAGE;
	}
}

static const struct option nv_longopts[] = {
	{"index", required_argument, NULL, OPT_INDEX}, {"sim", required_argument, NULL, OPT_SIM},
	{"items", required_argument, NULL, OPT_ITEMS}, {"no-extra", no_argument, NULL, OPT_NO_EXTRA},
	{NULL, 0, NULL, 0},
};

static int nv_args(struct cli *cli, int argc, char **argv, int nargs, const char *usage, struct nv_opts *o,
		   int *first, bool *help)
{
	int rc;

	*o = (struct nv_opts){.index = -1, .sim = -1, .first = 0, .last = QC_NV_BACKUP_LAST, .extra = true};
	rc = cli_parse_options(cli, argc, argv, "", nv_longopts, nv_opt, o, first, usage, help);
	if (rc || *help)
		return rc;
	if (argc - *first != nargs)
		return cli_usage(cli, usage);
	return CLI_OK;
}

static int item_arg(struct cli *cli, const char *s, uint16_t *item)
{
	int v = qc_nv_item_lookup(s);

	if (v < 0)
		return cli_error(cli, CLI_USAGE,
				 "unknown NV item '%s': give a number (0-65535) or a name ('qcbox nv names' lists them)",
				 s);
	*item = (uint16_t)v;
	return CLI_OK;
}

static void item_label(char *buf, size_t cap, uint16_t item)
{
	const struct qc_nv_item_info *info = qc_nv_item_info(item);

	if (info)
		snprintf(buf, cap, "NV item %u (%s)", item, info->name);
	else
		snprintf(buf, cap, "NV item %u", item);
}

static int nv_session(struct cli *cli, qc_transport **t, qc_diag **d)
{
	int rc = cli_open_device(cli, t);

	if (rc < 0)
		return rc;
	rc = qc_diag_open(*t, d);
	if (rc < 0)
		qc_transport_close(*t);
	return rc;
}

static void nv_end(qc_transport *t, qc_diag *d)
{
	qc_diag_close(d);
	qc_transport_close(t);
}

static void add_selector(json_object *o, const struct nv_opts *opts)
{
	if (opts->index >= 0)
		json_object_object_add(o, "index", json_object_new_int(opts->index));
	if (opts->sim >= 0)
		json_object_object_add(o, "sim", json_object_new_int(opts->sim));
}

static const char *status_label(uint16_t status, char *buf, size_t cap)
{
	const char *name = qc_nv_status_name(status);

	if (name)
		return name;
	snprintf(buf, cap, "status_%u", status);
	return buf;
}

/* Prints the result of a read or write whose exchange failed: an error
 * reply is still an answer about the item, shown as status "denied". */
static int exchange_failed(struct cli *cli, uint16_t item, const struct nv_opts *o, int rc, uint8_t reply)
{
	if (rc == QC_E_NAK && cli->json) {
		json_object *j = json_object_new_object();
		char code[8];

		snprintf(code, sizeof(code), "0x%02x", reply);
		json_object_object_add(j, "item", json_object_new_int(item));
		add_selector(j, o);
		json_object_object_add(j, "status", json_object_new_string("denied"));
		json_object_object_add(j, "reply", json_object_new_string(code));
		json_object_object_add(j, "error", json_object_new_string(qc_last_error(cli->ctx)));
		cli_json_print(cli, j);
		fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, qc_last_error(cli->ctx));
		return CLI_FAILED;
	}
	return cli_fail(cli, rc);
}

static void hexdump(const uint8_t *p, size_t n)
{
	size_t end = n;

	/* Items are fixed 128-byte buffers; a long zero tail says nothing. */
	while (end > 0 && p[end - 1] == 0)
		end--;
	end = (end + 15) / 16 * 16;
	if (end == 0)
		end = 16;
	for (size_t i = 0; i < end && i < n; i++)
		printf("%s%02x%s", i % 16 == 0 ? "  " : "", p[i], (i + 1) % 16 == 0 ? "\n" : " ");
	if (end < n)
		printf("  (%zu zero bytes follow)\n", n - end);
}

static int nv_read(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nv read ITEM [--index I] [--sim N]";
	uint8_t data[QC_NV_DATA_LEN], prefix, reply;
	struct nv_opts o;
	char label[96], sbuf[32], text[32];
	uint16_t item = 0, status;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = nv_args(cli, argc, argv, 1, usage, &o, &first, &help);
	if (rc || help)
		return rc;
	if ((rc = item_arg(cli, argv[first], &item)))
		return rc;
	rc = nv_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	prefix = (uint8_t)(o.index > 0 ? o.index : 0);
	rc = qc_nv_read(d, o.sim, item, &prefix, o.index >= 0 ? 1 : 0, data, &status, &reply);
	nv_end(t, d);
	if (rc < 0)
		return exchange_failed(cli, item, &o, rc, reply);
	item_label(label, sizeof(label), item);
	if (cli->json) {
		json_object *j = json_object_new_object();
		char *hex = status == QC_NV_DONE ? cli_hex(data, sizeof(data)) : NULL;

		json_object_object_add(j, "item", json_object_new_int(item));
		add_selector(j, &o);
		json_object_object_add(j, "status", json_object_new_string(status_label(status, sbuf, sizeof(sbuf))));
		json_object_object_add(j, "data", hex ? json_object_new_string(hex) : NULL);
		if (status == QC_NV_DONE && item == QC_NV_ITEM_IMEI && qc_imei_decode(data, sizeof(data), text) > 0)
			json_object_object_add(j, "imei", json_object_new_string(text));
		if (status == QC_NV_DONE && item == QC_NV_ITEM_MEID && qc_meid_decode(data, sizeof(data), text) > 0)
			json_object_object_add(j, "meid", json_object_new_string(text));
		free(hex);
		cli_json_print(cli, j);
	} else if (status == QC_NV_DONE) {
		printf("%s: ok\n", label);
		hexdump(data, sizeof(data));
		if (item == QC_NV_ITEM_IMEI && qc_imei_decode(data, sizeof(data), text) > 0)
			printf("  IMEI %s\n", text);
		if (item == QC_NV_ITEM_MEID && qc_meid_decode(data, sizeof(data), text) > 0)
			printf("  MEID %s\n", text);
	}
	if (status != QC_NV_DONE) {
		fprintf(stderr, "%s: %s: %s: %s (%s)\n", cli->prog, cli->cmd, label,
			status_label(status, sbuf, sizeof(sbuf)), qc_nv_status_text(status));
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int nv_write(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nv write ITEM HEX [--index I] [--sim N]";
	uint8_t *hex, buf[QC_NV_DATA_LEN], reply;
	struct nv_opts o;
	char label[96], sbuf[32];
	uint16_t item = 0, status;
	size_t len, n = 0;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = nv_args(cli, argc, argv, 2, usage, &o, &first, &help);
	if (rc || help)
		return rc;
	if ((rc = item_arg(cli, argv[first], &item)))
		return rc;
	if ((rc = cli_parse_hex(cli, "data", argv[first + 1], &hex, &len)))
		return rc;
	/* An indexed item's first byte is its index. */
	if (o.index >= 0)
		buf[n++] = (uint8_t)o.index;
	if (len == 0 || len + n > sizeof(buf)) {
		free(hex);
		return cli_error(cli, CLI_USAGE, "data is %zu bytes; an NV item holds 1 to %zu%s", len, sizeof(buf) - n,
				 n ? " after the index byte" : "");
	}
	memcpy(buf + n, hex, len);
	free(hex);
	rc = nv_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_nv_write(d, o.sim, item, buf, len + n, &status, &reply);
	nv_end(t, d);
	if (rc < 0)
		return exchange_failed(cli, item, &o, rc, reply);
	item_label(label, sizeof(label), item);
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "item", json_object_new_int(item));
		add_selector(j, &o);
		json_object_object_add(j, "status", json_object_new_string(status_label(status, sbuf, sizeof(sbuf))));
		cli_json_print(cli, j);
	} else if (status == QC_NV_DONE) {
		printf("%s written (%zu bytes)\n", label, len + n);
	}
	if (status != QC_NV_DONE) {
		fprintf(stderr, "%s: %s: %s was not written: %s (%s)\n", cli->prog, cli->cmd, label,
			status_label(status, sbuf, sizeof(sbuf)), qc_nv_status_text(status));
		return CLI_FAILED;
	}
	return CLI_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress in items, not bytes: one line on a terminal, redrawn at most
 * ten times a second; silent otherwise (the summary follows anyway). */
struct item_progress {
	struct cli *cli;
	double start, last;
};

static void item_progress(void *user, const char *label, uint64_t done, uint64_t total)
{
	struct item_progress *p = user;
	double now = now_s(), el = now - p->start;

	if (p->cli->json || p->cli->verbosity < 0 || !isatty(STDERR_FILENO))
		return;
	if (done < total && now - p->last < 0.1)
		return;
	p->last = now;
	fprintf(stderr, "\r%s %llu/%llu (%3d%%) %6.0f items/s\033[K%s", label, (unsigned long long)done,
		(unsigned long long)total, total ? (int)(100.0 * (double)done / (double)total) : 0,
		el > 0 ? (double)done / el : 0.0, done >= total ? "\n" : "");
}

static int nv_backup(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nv backup FILE [--items A-B] [--no-extra]";
	struct qc_nv_backup_opts bo;
	struct item_progress prog;
	struct qc_nv_stats st;
	struct nv_opts o;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = nv_args(cli, argc, argv, 1, usage, &o, &first, &help);
	if (rc || help)
		return rc;
	bo = (struct qc_nv_backup_opts){.first = o.first, .last = o.last, .extra = o.extra};
	rc = nv_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	prog = (struct item_progress){.cli = cli, .start = now_s()};
	qc_set_progress(cli->ctx, item_progress, &prog);
	rc = qc_nv_backup(d, argv[first], &bo, &st);
	double secs = now_s() - prog.start;

	nv_end(t, d);
	if (rc < 0)
		return cli_fail(cli, rc);
	double rate = secs > 0 ? (double)st.items / secs : 0;

	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "file", json_object_new_string(argv[first]));
		json_object_object_add(j, "items", json_object_new_int64((int64_t)st.items));
		json_object_object_add(j, "ok", json_object_new_int64((int64_t)st.ok));
		json_object_object_add(j, "inactive", json_object_new_int64((int64_t)st.inactive));
		json_object_object_add(j, "denied", json_object_new_int64((int64_t)st.denied));
		json_object_object_add(j, "other", json_object_new_int64((int64_t)st.failed));
		json_object_object_add(j, "seconds", json_object_new_double(secs));
		json_object_object_add(j, "items_per_s", json_object_new_double(rate));
		cli_json_print(cli, j);
	} else {
		printf("%s: %llu items (%llu ok, %llu inactive, %llu refused, %llu other) in %.1f s, %.0f items/s\n",
		       argv[first], (unsigned long long)st.items, (unsigned long long)st.ok,
		       (unsigned long long)st.inactive, (unsigned long long)st.denied, (unsigned long long)st.failed,
		       secs, rate);
	}
	return CLI_OK;
}

struct restore_report {
	struct cli *cli;
	json_object *items; /* --json */
};

static void restore_item(void *user, const struct qc_nv_entry *e, int rc, uint16_t status, uint8_t reply)
{
	struct restore_report *r = user;
	char label[96], sbuf[32], where[32] = "";
	const char *result = rc == QC_E_NAK ? "denied" : status_label(status, sbuf, sizeof(sbuf));

	if (e->index >= 0)
		snprintf(where, sizeof(where), " index %d", e->index);
	else if (e->sim >= 0)
		snprintf(where, sizeof(where), " SIM %d", e->sim);
	if (r->items) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "item", json_object_new_int(e->item));
		if (e->index >= 0)
			json_object_object_add(j, "index", json_object_new_int(e->index));
		if (e->sim >= 0)
			json_object_object_add(j, "sim", json_object_new_int(e->sim));
		json_object_object_add(j, "status", json_object_new_string(result));
		if (rc == QC_E_NAK) {
			char code[8];

			snprintf(code, sizeof(code), "0x%02x", reply);
			json_object_object_add(j, "reply", json_object_new_string(code));
		}
		json_object_array_add(r->items, j);
		return;
	}
	item_label(label, sizeof(label), e->item);
	if (rc == QC_E_NAK)
		printf("%s%s: refused: %s\n", label, where, qc_diag_error_reply_name(reply));
	else if (status == QC_NV_DONE)
		printf("%s%s: written\n", label, where);
	else
		printf("%s%s: not written: %s (%s)\n", label, where, result, qc_nv_status_text(status));
}

static int nv_restore(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nv restore FILE";
	struct restore_report rep = {.cli = cli};
	struct item_progress prog;
	struct qc_nv_entry *e;
	struct qc_nv_stats st;
	struct nv_opts o;
	qc_transport *t;
	qc_diag *d;
	size_t n;
	bool help;
	int first, rc;

	rc = nv_args(cli, argc, argv, 1, usage, &o, &first, &help);
	if (rc || help)
		return rc;
	/* The whole file is checked before the phone is touched. */
	rc = qc_nv_backup_load(cli->ctx, argv[first], &e, &n);
	if (rc < 0) {
		cli_fail(cli, rc);
		return CLI_USAGE;
	}
	rc = nv_session(cli, &t, &d);
	if (rc < 0) {
		free(e);
		return cli_fail(cli, rc);
	}
	if (cli->json)
		rep.items = json_object_new_array();
	prog = (struct item_progress){.cli = cli, .start = now_s()};
	qc_set_progress(cli->ctx, item_progress, &prog);
	rc = qc_nv_restore(d, e, n, restore_item, &rep, &st);
	nv_end(t, d);
	free(e);
	if (rc < 0 && rc != QC_E_DEVICE) {
		json_object_put(rep.items);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "file", json_object_new_string(argv[first]));
		json_object_object_add(j, "written", json_object_new_int64((int64_t)st.ok));
		json_object_object_add(j, "failed", json_object_new_int64((int64_t)(st.failed + st.denied)));
		json_object_object_add(j, "skipped", json_object_new_int64((int64_t)st.skipped));
		json_object_object_add(j, "items", rep.items);
		cli_json_print(cli, j);
	} else {
		printf("%s: %llu written, %llu not written, %llu skipped (not readable when backed up)\n", argv[first],
		       (unsigned long long)st.ok, (unsigned long long)(st.failed + st.denied),
		       (unsigned long long)st.skipped);
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, qc_last_error(cli->ctx));
		return CLI_FAILED;
	}
	return CLI_OK;
}

static int nv_names(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nv names";
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc != first)
		return cli_usage(cli, usage);
	json_object *arr = cli->json ? json_object_new_array() : NULL;

	for (size_t i = 0; i < qc_nv_item_count(); i++) {
		const struct qc_nv_item_info *in = qc_nv_item_at(i);

		if (arr) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "item", json_object_new_int(in->item));
			json_object_object_add(j, "name", json_object_new_string(in->name));
			if (in->aliases[0])
				json_object_object_add(j, "aliases", json_object_new_string(in->aliases));
			if (in->nam)
				json_object_object_add(j, "nams", json_object_new_int(in->nam));
			if (in->sub)
				json_object_object_add(j, "subscriptions", json_object_new_int(in->sub));
			json_object_array_add(arr, j);
		} else {
			printf("%5u  %-28s%s%s%s%s\n", in->item, in->name, in->aliases[0] ? " alias " : "", in->aliases,
			       in->flags & QC_NV_FLAG_SPC ? "  (SPC)" : "",
			       in->flags & QC_NV_FLAG_SECRET ? "  (never readable)" : "");
		}
	}
	if (arr) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "items", arr);
		cli_json_print(cli, j);
	}
	return CLI_OK;
}

int cmd_nv(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} sub[] = {
		{"read", nv_read}, {"write", nv_write}, {"backup", nv_backup}, {"restore", nv_restore}, {"names", nv_names},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, NV_USAGE);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "nv %s", sub[i].name);
			cli->cmd = cmd;
			int rc = sub[i].fn(cli, argc - 1, argv + 1);

			cli->cmd = "nv";
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown nv command '%s'\nusage: %s %s", argv[1], cli->prog, NV_USAGE);
}
