/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox sahara info|load|ramdump|reset and qcbox mbn info. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "qcbox/mbn.h"
#include "qcbox/sahara.h"

#define SAHARA_USAGE                                                                                           \
	"sahara COMMAND\n"                                                                                     \
	"  info                     identity of the SoC (command mode): serial, HWID, PK hash\n"              \
	"  load [ID:]LOADER...      upload a programmer (file, or directory to choose from)\n"               \
	"  ramdump DIR [GLOB...]    save the memory-debug regions of a crashed device to DIR\n"              \
	"  reset                    reboot the device from Sahara\n"

static json_object *hex_or_null(bool have, const char *fmt, unsigned long long v)
{
	char buf[32];

	if (!have)
		return NULL;
	snprintf(buf, sizeof(buf), fmt, v);
	return json_object_new_string(buf);
}

static json_object *bytes_or_null(const uint8_t *b, size_t n)
{
	char *h;
	json_object *o;

	if (!n)
		return NULL;
	h = cli_hex(b, n);
	o = h ? json_object_new_string(h) : NULL;
	free(h);
	return o;
}

/* Opens the device and waits for its HELLO. */
static int sahara_session(struct cli *cli, qc_transport **t, struct qc_sahara_hello *hello)
{
	int rc = cli_open_device(cli, t);

	if (rc < 0)
		return rc;
	rc = qc_sahara_detect(*t, qc_get_timeout(cli->ctx), hello);
	if (rc == 0 && !hello->stray_len) {
		/* Silence: a boot ROM left mid-way by an earlier host may
		 * greet again when asked to restart its state machine. */
		struct qc_sahara_packet p = {.cmd = QC_SAHARA_RESET_STATE_MACHINE};
		uint8_t buf[QC_SAHARA_HEADER_LEN];
		size_t n = qc_sahara_encode(&p, buf, sizeof(buf));

		qc_log(cli->ctx, QC_LOG_INFO, "no HELLO; asking the device to restart its Sahara state machine");
		rc = qc_transport_write(*t, buf, n, qc_get_timeout(cli->ctx));
		if (rc == 0)
			rc = qc_sahara_detect(*t, qc_get_timeout(cli->ctx), hello);
	}
	if (rc == 1)
		return 0;
	if (rc == 0) {
		if (hello->stray_len)
			rc = qc_fail(cli->ctx, QC_E_PROTOCOL,
				     "%s does not speak Sahara (first byte 0x%02x): a programmer may already be running",
				     qc_transport_name(*t), hello->stray[0]);
		else
			rc = qc_fail(cli->ctx, QC_E_TIMEOUT,
				     "no Sahara HELLO from %s within %d ms: the device is not in EDL mode or already runs "
				     "a programmer",
				     qc_transport_name(*t), qc_get_timeout(cli->ctx));
	}
	qc_transport_close(*t);
	*t = NULL;
	return rc;
}

/* ----- info ----- */

static void info_json(struct cli *cli, const struct qc_sahara_info *in)
{
	json_object *o = json_object_new_object(), *refused = json_object_new_array();
	const char *soc = NULL;

	if (in->have_hwid)
		qc_sahara_soc_family(in->msm_id, &soc);
	json_object_object_add(o, "sahara_version", json_object_new_int((int)in->version));
	json_object_object_add(o, "serial", hex_or_null(in->have_serial, "%08llx", in->serial));
	json_object_object_add(o, "hwid", hex_or_null(in->have_hwid, "%016llx", in->hwid));
	json_object_object_add(o, "msm_id", hex_or_null(in->have_hwid, "%08llx", in->msm_id));
	json_object_object_add(o, "oem_id", hex_or_null(in->have_hwid, "%04llx", in->oem_id));
	json_object_object_add(o, "model_id", hex_or_null(in->have_hwid, "%04llx", in->model_id));
	json_object_object_add(o, "pkhash", bytes_or_null(in->pkhash, in->pkhash_len));
	json_object_object_add(o, "sbl_version", hex_or_null(in->have_sbl_version, "%08llx", in->sbl_version));
	json_object_object_add(o, "hwid_source", !in->have_hwid ? NULL
						 : json_object_new_string(in->hwid_from_chip_id_v3 ? "chip_id_v3" : "msm_hw_id"));
	json_object_object_add(o, "chip_id_v3", hex_or_null(in->have_chip_id_v3, "%08llx", in->chip_id_v3));
	json_object_object_add(o, "soc", soc ? json_object_new_string(soc) : NULL);
	json_object_object_add(o, "version_compatible", json_object_new_int((int)in->version_compatible));
	for (unsigned i = 0; i < in->nrefused; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "command", json_object_new_string(qc_sahara_exec_name(in->refused[i])));
		json_object_object_add(r, "status", json_object_new_string(qc_sahara_status_name(in->refused_status[i])));
		json_object_array_add(refused, r);
	}
	json_object_object_add(o, "refused", refused);
	cli_json_print(cli, o);
}

static void info_human(const struct qc_sahara_info *in)
{
	const char *soc = NULL;

	printf("Sahara version  %u (compatible with %u)\n", in->version, in->version_compatible);
	if (in->have_serial)
		printf("Serial          0x%08x\n", in->serial);
	if (in->have_hwid) {
		qc_sahara_soc_family(in->msm_id, &soc);
		printf("HWID            %016llx (MSM 0x%08x%s%s, OEM 0x%04x, model 0x%04x)%s\n",
		       (unsigned long long)in->hwid, in->msm_id, soc ? " " : "", soc ? soc : "", in->oem_id,
		       in->model_id, in->hwid_from_chip_id_v3 ? " from chip id v3" : "");
	} else {
		printf("HWID            not reported\n");
	}
	printf("PK hash         ");
	for (size_t i = 0; i < in->pkhash_len; i++)
		printf("%02x", in->pkhash[i]);
	printf("%s\n", in->pkhash_len ? "" : "not reported (Sahara v3 devices often refuse it)");
	if (in->have_sbl_version)
		printf("SBL version     0x%08x\n", in->sbl_version);
	for (unsigned i = 0; i < in->nrefused; i++)
		printf("refused         %s (%s)\n", qc_sahara_exec_name(in->refused[i]),
		       qc_sahara_status_name(in->refused_status[i]));
}

static int sahara_info(struct cli *cli, int argc, char **argv)
{
	const char *usage = "sahara info";
	struct qc_sahara_hello hello;
	struct qc_sahara_info in;
	qc_transport *t;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, usage);
	rc = sahara_session(cli, &t, &hello);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_sahara_info(t, &hello, &in, NULL);
	qc_transport_close(t);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		info_json(cli, &in);
	else
		info_human(&in);
	return CLI_OK;
}

/* ----- load ----- */

struct cand_list {
	struct cli *cli;
	json_object *arr;
	unsigned rejected;
	char (*lines)[1024];
	unsigned nlines;
};

static void on_candidate(void *user, const char *path, bool match, const char *reason)
{
	struct cand_list *c = user;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "file", json_object_new_string(path));
	json_object_object_add(o, "match", json_object_new_boolean(match));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(c->arr, o);
	if (!match) {
		char(*l)[1024] = realloc(c->lines, (c->nlines + 1) * sizeof(*l));

		c->rejected++;
		if (l) {
			c->lines = l;
			snprintf(l[c->nlines++], sizeof(*l), "%s: %s", path, reason);
		}
	} else if (c->cli->verbosity > 0) {
		fprintf(stderr, "%s: candidate %s: %s\n", c->cli->prog, path, reason);
	}
}

/* "21:file.elf" names the image id; a plain path serves any id. */
static int parse_image_arg(struct cli *cli, char *arg, struct qc_sahara_image *img)
{
	struct stat st;
	char *colon = strchr(arg, ':'), *end;
	unsigned long id;

	img->id = QC_SAHARA_ANY_IMAGE;
	img->path = arg;
	if (colon && colon != arg && stat(arg, &st) < 0) {
		errno = 0;
		id = strtoul(arg, &end, 0);
		if (end == colon && !errno && id < UINT32_MAX) {
			img->id = (uint32_t)id;
			img->path = colon + 1;
		}
	}
	if (stat(img->path, &st) < 0)
		return cli_error(cli, CLI_USAGE, "cannot open loader %s: %s", img->path, strerror(errno));
	return CLI_OK;
}

static void load_report(struct cli *cli, const struct qc_sahara_load_result *res, json_object *cands)
{
	double rate = res->seconds > 0 ? (double)res->bytes / res->seconds : 0;

	if (cli->json) {
		json_object *o = json_object_new_object(), *imgs = json_object_new_array();

		json_object_object_add(o, "loader", json_object_new_string(res->loader));
		for (unsigned i = 0; i < res->images; i++) {
			json_object *e = json_object_new_object();

			json_object_object_add(e, "image_id", json_object_new_int64(res->image_ids[i]));
			json_object_object_add(e, "bytes", json_object_new_int64((int64_t)res->image_bytes[i]));
			json_object_array_add(imgs, e);
		}
		json_object_object_add(o, "images", imgs);
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)res->bytes));
		json_object_object_add(o, "requests", json_object_new_int64((int64_t)res->requests));
		json_object_object_add(o, "seconds", json_object_new_double(res->seconds));
		json_object_object_add(o, "bytes_per_second", json_object_new_int64((int64_t)rate));
		json_object_object_add(o, "sahara_version", json_object_new_int((int)res->version));
		json_object_object_add(o, "read64", json_object_new_boolean(res->read64));
		json_object_object_add(o, "from_directory", json_object_new_boolean(cands != NULL));
		if (res->have_info) {
			json_object_object_add(o, "hwid", hex_or_null(res->info.have_hwid, "%016llx", res->info.hwid));
			json_object_object_add(o, "pkhash", bytes_or_null(res->info.pkhash, res->info.pkhash_len));
		}
		if (cands)
			json_object_object_add(o, "candidates", json_object_get(cands));
		cli_json_print(cli, o);
		return;
	}
	cli_info(cli, "%s: image%s", res->loader, res->images == 1 ? "" : "s");
	for (unsigned i = 0; i < res->images; i++)
		cli_info(cli, " %u", res->image_ids[i]);
	cli_info(cli, " accepted: %llu bytes in %llu requests, %.2f s (%.1f MB/s); the programmer is running\n",
		 (unsigned long long)res->bytes, (unsigned long long)res->requests, res->seconds, rate / 1e6);
}

static int load_from_dir(struct cli *cli, qc_transport *t, struct qc_sahara_hello *hello, const char *dir,
			 struct qc_sahara_load_result *res)
{
	struct cand_list c = {.cli = cli, .arr = json_object_new_array()};
	struct qc_sahara_image img = {.id = QC_SAHARA_ANY_IMAGE};
	struct qc_sahara_hello next;
	int rc = qc_sahara_info(t, hello, &res->info, &next);

	if (rc == QC_E_UNSUPPORTED) {
		json_object_put(c.arr);
		return cli_error(cli, CLI_USAGE,
				 "the device speaks Sahara v%u and cannot tell its HWID or PK hash; name the loader file "
				 "instead of %s",
				 res->info.version, dir);
	}
	if (rc < 0) {
		json_object_put(c.arr);
		return cli_fail(cli, rc);
	}
	res->have_info = true;
	rc = qc_sahara_find_loader(cli->ctx, dir, &res->info, res->loader, sizeof(res->loader), on_candidate, &c);
	if (rc == QC_E_NOTFOUND) {
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", qc_last_error(cli->ctx));
		for (unsigned i = 0; i < c.nlines; i++)
			fprintf(stderr, "%s: rejected %s\n", cli->prog, c.lines[i]);
		free(c.lines);
		if (cli->json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "error", json_object_new_string(msg));
			json_object_object_add(o, "candidates", c.arr);
			cli_json_print(cli, o);
			fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, msg);
			return CLI_USAGE;
		}
		json_object_put(c.arr);
		return cli_error(cli, CLI_USAGE, "%s", msg);
	}
	free(c.lines);
	if (rc < 0) {
		json_object_put(c.arr);
		return cli_fail(cli, rc);
	}
	cli_info(cli, "loader for this device (HWID %016llx): %s\n", (unsigned long long)res->info.hwid, res->loader);
	img.path = res->loader;
	{
		struct qc_sahara_info keep = res->info;
		char path[sizeof(res->loader)];

		snprintf(path, sizeof(path), "%s", res->loader);
		img.path = path;
		rc = qc_sahara_load_images(t, &next, &img, 1, res);
		res->info = keep;
		res->have_info = true;
		snprintf(res->loader, sizeof(res->loader), "%s", path);
	}
	if (rc < 0) {
		json_object_put(c.arr);
		return cli_fail(cli, rc);
	}
	load_report(cli, res, c.arr);
	json_object_put(c.arr);
	return CLI_OK;
}

static int sahara_load(struct cli *cli, int argc, char **argv)
{
	const char *usage = "sahara load [ID:]LOADER...   (a file, several ID:FILE images, or a directory)";
	struct qc_sahara_image imgs[QC_SAHARA_MAX_IMAGES];
	struct qc_sahara_load_result res;
	struct qc_sahara_hello hello;
	qc_transport *t;
	struct stat st;
	bool help, dir = false;
	int first, rc, n;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	n = argc - first;
	if (n < 1 || n > QC_SAHARA_MAX_IMAGES)
		return cli_usage(cli, usage);
	for (int i = 0; i < n; i++) {
		struct qc_mbn_info mi;

		rc = parse_image_arg(cli, argv[first + i], &imgs[i]);
		if (rc)
			return rc;
		if (stat(imgs[i].path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (n > 1)
				return cli_error(cli, CLI_USAGE, "a loader directory (%s) cannot be combined with other images",
						 imgs[i].path);
			dir = true;
			continue;
		}
		/* A file that is no boot image is refused before the device
		 * sees any of it. */
		rc = qc_mbn_parse_file(cli->ctx, imgs[i].path, 0, &mi);
		if (rc < 0)
			return cli_error(cli, CLI_USAGE, "%s; a Sahara programmer is an ELF or MBN image",
					 qc_last_error(cli->ctx));
	}
	rc = sahara_session(cli, &t, &hello);
	if (rc < 0)
		return cli_fail(cli, rc);
	memset(&res, 0, sizeof(res));
	if (dir) {
		rc = load_from_dir(cli, t, &hello, imgs[0].path, &res);
		qc_transport_close(t);
		return rc;
	}
	rc = qc_sahara_load_images(t, &hello, imgs, (size_t)n, &res);
	qc_transport_close(t);
	if (rc < 0)
		return cli_fail(cli, rc);
	load_report(cli, &res, NULL);
	return CLI_OK;
}

/* ----- ramdump ----- */

struct dump_opts {
	struct qc_sahara_ramdump_opts o;
};

enum { OPT_NO_RESET = CLI_OPT_FIRST_COMMAND_OPT, OPT_MAX_REGION };

static int dump_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct dump_opts *d = user;

	if (c == OPT_NO_RESET) {
		d->o.no_reset = true;
		return CLI_OK;
	}
	if (c == OPT_MAX_REGION) {
		char *end;
		unsigned long long v = strtoull(arg, &end, 0);

		switch (*end) {
		case 'k': case 'K': v <<= 10; end++; break;
		case 'm': case 'M': v <<= 20; end++; break;
		case 'g': case 'G': v <<= 30; end++; break;
		default: break;
		}
		if (*end || !v)
			return cli_error(cli, CLI_USAGE, "--max-region takes a size such as 512M, not '%s'", arg);
		d->o.max_region = v;
		return CLI_OK;
	}
	return CLI_USAGE;
}

struct dump_report {
	struct cli *cli;
	json_object *arr;
};

static void on_region(void *user, const struct qc_sahara_region *r, const char *file, bool saved, const char *reason)
{
	struct dump_report *d = user;
	json_object *o = json_object_new_object();
	char addr[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)r->address);
	json_object_object_add(o, "name", json_object_new_string(r->safe_name));
	json_object_object_add(o, "file", file ? json_object_new_string(file) : NULL);
	json_object_object_add(o, "address", json_object_new_string(addr));
	json_object_object_add(o, "length", json_object_new_uint64(r->length));
	json_object_object_add(o, "saved", json_object_new_boolean(saved));
	if (!saved)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(d->arr, o);
	if (saved)
		cli_out(d->cli, "saved    %-24s 0x%010llx %12llu bytes\n", r->safe_name, (unsigned long long)r->address,
			(unsigned long long)r->length);
	else
		cli_out(d->cli, "skipped  %-24s %s\n", r->safe_name, reason);
}

static int sahara_ramdump(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"no-reset", no_argument, NULL, OPT_NO_RESET},
						 {"max-region", required_argument, NULL, OPT_MAX_REGION},
						 {NULL, 0, NULL, 0}};
	const char *usage = "sahara ramdump [--no-reset] [--max-region SIZE] DIR [GLOB...]";
	struct dump_opts d = {{0}};
	struct dump_report rep = {.cli = cli};
	struct qc_sahara_ramdump_result res;
	struct qc_sahara_hello hello;
	qc_transport *t;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, dump_opt, &d, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first < 1)
		return cli_usage(cli, usage);
	d.o.globs = (const char *const *)(argv + first + 1);
	d.o.nglobs = (size_t)(argc - first - 1);
	rc = sahara_session(cli, &t, &hello);
	if (rc < 0)
		return cli_fail(cli, rc);
	rep.arr = json_object_new_array();
	rc = qc_sahara_ramdump(t, &hello, argv[first], &d.o, on_region, &rep, &res);
	qc_transport_close(t);
	if (rc < 0 && rc != QC_E_DEVICE) {
		json_object_put(rep.arr);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "dir", json_object_new_string(argv[first]));
		json_object_object_add(o, "regions", rep.arr);
		json_object_object_add(o, "table_entries", json_object_new_int64((int64_t)res.regions));
		json_object_object_add(o, "selected", json_object_new_int64((int64_t)res.selected));
		json_object_object_add(o, "saved", json_object_new_int64((int64_t)res.saved));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)res.bytes));
		json_object_object_add(o, "read64", json_object_new_boolean(res.read64));
		cli_json_print(cli, o);
	} else {
		json_object_put(rep.arr);
		cli_info(cli, "%zu of %zu regions saved to %s (%llu bytes)\n", res.saved, res.selected, argv[first],
			 (unsigned long long)res.bytes);
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, qc_last_error(cli->ctx));
		return CLI_FAILED;
	}
	return CLI_OK;
}

/* ----- reset ----- */

static int sahara_reset(struct cli *cli, int argc, char **argv)
{
	const char *usage = "sahara reset";
	struct qc_sahara_hello hello;
	qc_transport *t;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, usage);
	rc = sahara_session(cli, &t, &hello);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_sahara_reset(t, &hello);
	qc_transport_close(t);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "reset", json_object_new_boolean(true));
		cli_json_print(cli, o);
	} else {
		cli_info(cli, "the device acknowledged the reset\n");
	}
	return CLI_OK;
}

int cmd_sahara(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} sub[] = {
		{"info", sahara_info},
		{"load", sahara_load},
		{"ramdump", sahara_ramdump},
		{"reset", sahara_reset},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, SAHARA_USAGE);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];
			int rc;

			snprintf(cmd, sizeof(cmd), "sahara %s", sub[i].name);
			cli->cmd = cmd;
			rc = sub[i].fn(cli, argc - 1, argv + 1);
			cli->cmd = "sahara";
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown sahara command '%s'\nusage: %s %s", argv[1], cli->prog, SAHARA_USAGE);
}

/* ----- mbn info ----- */

static void mbn_json(struct cli *cli, const char *path, const struct qc_mbn_info *mi)
{
	json_object *o = json_object_new_object(), *soc = json_object_new_array(), *certs = json_object_new_array();
	char buf[16];

	json_object_object_add(o, "file", json_object_new_string(path));
	json_object_object_add(o, "format", json_object_new_string(qc_mbn_format_name(mi->format)));
	json_object_object_add(o, "hash_segment_version",
			       mi->hash_segment_version ? json_object_new_int((int)mi->hash_segment_version) : NULL);
	json_object_object_add(o, "hwid", hex_or_null(mi->have_hwid, "%016llx", mi->hwid));
	json_object_object_add(o, "msm_id", hex_or_null(mi->have_hwid, "%08llx", mi->msm_id));
	json_object_object_add(o, "oem_id", hex_or_null(mi->have_hwid, "%04llx", mi->oem_id));
	json_object_object_add(o, "model_id", hex_or_null(mi->have_hwid, "%04llx", mi->model_id));
	json_object_object_add(o, "pkhash", bytes_or_null(mi->pkhash, mi->pkhash_len));
	json_object_object_add(o, "signed", json_object_new_boolean(mi->is_signed));
	json_object_object_add(o, "hashes_ok", mi->hashes_ok < 0 ? NULL : json_object_new_boolean(mi->hashes_ok));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)mi->file_size));
	/* where the last byte a boot ROM reads ends (segments, headers) */
	json_object_object_add(o, "image_end", json_object_new_int64((int64_t)mi->end));
	json_object_object_add(o, "image_id", json_object_new_int64(mi->image_id));
	json_object_object_add(o, "sw_id", hex_or_null(mi->have_sw_id, "%08llx", mi->sw_id));
	json_object_object_add(o, "hwid_source", mi->hwid_source ? json_object_new_string(mi->hwid_source) : NULL);
	json_object_object_add(o, "hash_algorithm",
			       mi->hash_algorithm ? json_object_new_string(mi->hash_algorithm) : NULL);
	json_object_object_add(o, "program_headers", json_object_new_int((int)mi->phnum));
	if (mi->hashes_ok == 0) {
		json_object_object_add(o, "bad_segments", json_object_new_int((int)mi->hashes_bad));
		json_object_object_add(o, "first_bad_segment", json_object_new_int(mi->first_bad_segment));
	}
	for (unsigned i = 0; i < mi->nsoc; i++) {
		snprintf(buf, sizeof(buf), "%04x", mi->soc_vers[i]);
		json_object_array_add(soc, json_object_new_string(buf));
	}
	json_object_object_add(o, "soc_vers", soc);
	for (unsigned i = 0; i < mi->id.ncerts; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "subject_cn", json_object_new_string(mi->id.subject_cn[i]));
		json_object_object_add(c, "bytes", json_object_new_int64((int64_t)mi->id.cert_len[i]));
		json_object_array_add(certs, c);
	}
	json_object_object_add(o, "certificates", certs);
	if (mi->id.ncerts) {
		json_object_object_add(o, "root_sha256", bytes_or_null(mi->id.root_sha256, 32));
		json_object_object_add(o, "root_sha384", bytes_or_null(mi->id.root_sha384, 48));
	}
	cli_json_print(cli, o);
}

static void mbn_human(const char *path, const struct qc_mbn_info *mi)
{
	printf("file            %s (%llu bytes)\n", path, (unsigned long long)mi->file_size);
	printf("format          %s", qc_mbn_format_name(mi->format));
	if (mi->hash_segment_version)
		printf(", hash segment v%u (%s), %u program headers", mi->hash_segment_version, mi->hash_algorithm,
		       mi->phnum);
	printf(", image id %u\n", mi->image_id);
	if (mi->have_hwid)
		printf("HWID            %016llx (from the %s: MSM 0x%08x, OEM 0x%04x, model 0x%04x)\n",
		       (unsigned long long)mi->hwid, mi->hwid_source, mi->msm_id, mi->oem_id, mi->model_id);
	else
		printf("HWID            none\n");
	if (mi->nsoc) {
		printf("SoC families   ");
		for (unsigned i = 0; i < mi->nsoc; i++)
			printf(" 0x%04x", mi->soc_vers[i]);
		printf("\n");
	}
	printf("signed          %s", mi->is_signed ? "yes" : "no");
	for (unsigned i = 0; i < mi->id.ncerts; i++)
		printf("%s%s", i ? " <- " : ", chain: ", mi->id.subject_cn[i][0] ? mi->id.subject_cn[i] : "?");
	printf("\nPK hash         ");
	for (size_t i = 0; i < mi->pkhash_len; i++)
		printf("%02x", mi->pkhash[i]);
	printf("%s\n", mi->pkhash_len ? "" : "none");
	if (mi->hashes_ok < 0)
		printf("hashes          not applicable (no hash table)\n");
	else if (mi->hashes_ok)
		printf("hashes          ok (%u segments)\n", mi->phnum);
	else
		printf("hashes          MISMATCH in %u segment(s), first %d\n", mi->hashes_bad, mi->first_bad_segment);
}

int cmd_mbn(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mbn info FILE";
	struct qc_mbn_info mi;
	bool help;
	int first, rc;

	if (argc < 2 || strcmp(argv[1], "info")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			printf("usage: %s %s\n", cli->prog, usage);
			return CLI_OK;
		}
		return cli_usage(cli, usage);
	}
	cli->cmd = "mbn info";
	rc = cli_parse_options(cli, argc - 1, argv + 1, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - 1 - first != 1)
		return cli_usage(cli, usage);
	const char *path = argv[1 + first];

	rc = qc_mbn_parse_file(cli->ctx, path, QC_MBN_VERIFY_HASHES, &mi);
	if (rc < 0)
		return cli_error(cli, rc == QC_E_IO ? CLI_FAILED : CLI_USAGE, "%s", qc_last_error(cli->ctx));
	if (cli->json)
		mbn_json(cli, path, &mi);
	else
		mbn_human(path, &mi);
	if (mi.hashes_ok == 0)
		cli_warn(cli, "%s: %u segment(s) do not match the hash table", path, mi.hashes_bad);
	return CLI_OK;
}
