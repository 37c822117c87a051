/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox dload ...: DMSS download, the boot loader's side of the legacy
 * download (cmd_sdload.c has the programmer's). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cmd_dload.h"
#include "qcbox/dload.h"

int dl_dispatch(struct cli *cli, const char *group, const char *usage, const struct dl_subcommand *sub, size_t n,
		int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, usage);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];
			int rc;

			snprintf(cmd, sizeof(cmd), "%s %s", group, sub[i].name);
			cli->cmd = cmd;
			rc = sub[i].fn(cli, argc - 1, argv + 1);
			cli->cmd = group;
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown %s command '%s'\nusage: %s %s", group, argv[1], cli->prog, usage);
}

static int parse_u32(struct cli *cli, const char *what, const char *s, uint32_t *out)
{
	uint64_t v;
	int rc = cli_parse_u64(cli, what, s, &v);

	if (rc)
		return rc;
	if (v > UINT32_MAX)
		return cli_error(cli, CLI_USAGE, "%s: 0x%llx does not fit 32 bits", what, (unsigned long long)v);
	*out = (uint32_t)v;
	return CLI_OK;
}

const char *dl_base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

double dl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ====================== dload ====================== */

#define DLOAD_USAGE                                                                                            \
	"dload COMMAND\n"                                                                                      \
	"  info                          boot loader version and parameters\n"                                 \
	"  load PROGRAMMER [--address A] upload a programmer (.hex, .mbn or .bin) and jump to it\n"            \
	"  go ADDRESS                    jump to code already loaded\n"                                        \
	"  read ADDRESS LENGTH FILE      read memory (debug boot loaders)\n"                                   \
	"  nop | reset | poweroff\n"

struct dload_session {
	qc_transport *t;
	qc_dload *d;
};

static int dload_session(struct cli *cli, struct dload_session *s)
{
	int rc = cli_open_device(cli, &s->t);

	if (rc < 0)
		return rc;
	rc = qc_dload_open(s->t, &s->d);
	if (rc < 0)
		qc_transport_close(s->t);
	return rc;
}

static void dload_end(struct dload_session *s)
{
	qc_dload_close(s->d);
	qc_transport_close(s->t);
}

static int dload_info(struct cli *cli, int argc, char **argv)
{
	const char *usage = "dload info";
	struct dload_session s;
	struct qc_dload_params p;
	char version[QC_DLOAD_VERSION_MAX + 1];
	bool help, have_version;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, usage);
	rc = dload_session(cli, &s);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_dload_get_params(s.d, &p);
	if (rc < 0) {
		dload_end(&s);
		return cli_fail(cli, rc);
	}
	/* VERSION_REQ came with protocol revision 3; a refusal is an answer. */
	rc = qc_dload_get_version(s.d, version, sizeof(version));
	have_version = rc == 0;
	if (rc < 0 && rc != QC_E_NAK) {
		dload_end(&s);
		return cli_fail(cli, rc);
	}
	dload_end(&s);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "version", have_version ? json_object_new_string(version) : NULL);
		json_object_object_add(o, "protocol_version", json_object_new_int(p.protocol_version));
		json_object_object_add(o, "min_protocol_version", json_object_new_int(p.min_protocol_version));
		json_object_object_add(o, "max_write_size", json_object_new_int(p.max_write_size));
		json_object_object_add(o, "model", json_object_new_int(p.model));
		json_object_object_add(o, "device_size", json_object_new_int(p.device_size));
		json_object_object_add(o, "device_type", json_object_new_int(p.device_type));
		cli_json_print(cli, o);
		return CLI_OK;
	}
	printf("software version:  %s\n", have_version ? version : "(not reported)");
	printf("protocol version:  %u (oldest supported %u)\n", p.protocol_version, p.min_protocol_version);
	printf("max write size:    %u bytes\n", p.max_write_size);
	printf("model:             0x%02x\n", p.model);
	printf("device size:       0x%02x\n", p.device_size);
	printf("device type:       0x%02x\n", p.device_type);
	return CLI_OK;
}

enum {
	OPT_ADDRESS = CLI_OPT_FIRST_COMMAND_OPT,
	OPT_FORMAT,
	OPT_NO_GO,
	OPT_DRY_RUN,
	OPT_MAX_WRITE,
};

struct load_opts {
	struct qc_dload_load_opts o;
	bool dry_run;
};

static int load_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct load_opts *lo = user;
	uint64_t v;
	int rc;

	switch (c) {
	case OPT_ADDRESS:
		rc = parse_u32(cli, "--address", arg, &lo->o.address);
		lo->o.has_address = rc == CLI_OK;
		return rc;
	case OPT_FORMAT:
		if (!strcmp(arg, "hex"))
			lo->o.format = QC_DLOAD_FMT_HEX;
		else if (!strcmp(arg, "mbn"))
			lo->o.format = QC_DLOAD_FMT_MBN;
		else if (!strcmp(arg, "bin"))
			lo->o.format = QC_DLOAD_FMT_BIN;
		else
			return cli_error(cli, CLI_USAGE, "--format takes hex, mbn or bin");
		return CLI_OK;
	case OPT_NO_GO:
		lo->o.no_go = true;
		return CLI_OK;
	case OPT_DRY_RUN:
		lo->dry_run = true;
		return CLI_OK;
	case OPT_MAX_WRITE:
		rc = cli_parse_u64(cli, "--max-write", arg, &v);
		if (rc)
			return rc;
		if (v < 1 || v > QC_DLOAD_MAX_DATA)
			return cli_error(cli, CLI_USAGE, "--max-write takes 1 to %d bytes", QC_DLOAD_MAX_DATA);
		lo->o.max_write = (size_t)v;
		return CLI_OK;
	default:
		return CLI_USAGE;
	}
}

static void print_image(struct cli *cli, const char *path, const struct qc_dload_image *img, bool loaded,
			bool jumped, double secs)
{
	const char *fmt = qc_dload_format_name(img->format, img->mbn_header_size);

	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(path));
		json_object_object_add(o, "format", json_object_new_string(fmt));
		if (img->format == QC_DLOAD_FMT_MBN)
			json_object_object_add(o, "image_id", json_object_new_int64(img->mbn_image_id));
		json_object_object_add(o, "load_address", json_object_new_int64(img->low));
		json_object_object_add(o, "end_address", json_object_new_int64((int64_t)img->end));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)img->bytes));
		json_object_object_add(o, "ranges", json_object_new_int((int)img->ranges));
		json_object_object_add(o, "jump_address", json_object_new_int64(img->entry));
		if (loaded) {
			json_object_object_add(o, "packets", json_object_new_int((int)img->packets));
			json_object_object_add(o, "write_command",
					       json_object_new_string(img->wide ? "WRITE_32BIT" : "WRITE"));
			json_object_object_add(o, "jumped", json_object_new_boolean(jumped));
			json_object_object_add(o, "seconds", json_object_new_double(secs));
		}
		cli_json_print(cli, o);
		return;
	}
	printf("%s: %s, %llu bytes at 0x%08x-0x%08llx%s\n", path, fmt, (unsigned long long)img->bytes, img->low,
	       (unsigned long long)(img->end - 1), img->ranges > 1 ? " (with holes)" : "");
	if (loaded)
		printf("written in %u packets (%s) in %.2f s; %s 0x%08x\n", img->packets,
		       img->wide ? "WRITE_32BIT" : "WRITE", secs, jumped ? "jumped to" : "entry point", img->entry);
	else
		printf("entry point 0x%08x\n", img->entry);
}

static int dload_load(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"address", required_argument, NULL, OPT_ADDRESS}, {"format", required_argument, NULL, OPT_FORMAT},
		{"no-go", no_argument, NULL, OPT_NO_GO},           {"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"max-write", required_argument, NULL, OPT_MAX_WRITE}, {NULL, 0, NULL, 0},
	};
	const char *usage = "dload load [--address A] [--format hex|mbn|bin] [--no-go] [--max-write N] [--dry-run] "
			    "PROGRAMMER";
	struct load_opts lo = {0};
	struct qc_dload_image img;
	struct dload_session s;
	bool help;
	int first, rc;
	double t0;

	rc = cli_parse_options(cli, argc, argv, "", longopts, load_opt, &lo, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 1)
		return cli_usage(cli, usage);
	if (lo.dry_run) {
		rc = qc_dload_image_probe(cli->ctx, argv[first], &lo.o, &img);
		if (rc < 0)
			return cli_error(cli, cli_exit_for(rc) == CLI_FAILED ? CLI_USAGE : cli_exit_for(rc), "%s",
					 qc_last_error(cli->ctx));
		print_image(cli, argv[first], &img, false, false, 0);
		return CLI_OK;
	}
	/* Check the file before touching the device. */
	rc = qc_dload_image_probe(cli->ctx, argv[first], &lo.o, &img);
	if (rc < 0)
		return cli_error(cli, cli_exit_for(rc) == CLI_FAILED ? CLI_USAGE : cli_exit_for(rc), "%s",
				 qc_last_error(cli->ctx));
	rc = dload_session(cli, &s);
	if (rc < 0)
		return cli_fail(cli, rc);
	t0 = dl_now();
	rc = qc_dload_load(s.d, argv[first], &lo.o, &img);
	dload_end(&s);
	cli_progress_end(cli);
	if (rc < 0)
		return cli_fail(cli, rc);
	print_image(cli, argv[first], &img, true, !lo.o.no_go, dl_now() - t0);
	return CLI_OK;
}

static int dload_go(struct cli *cli, int argc, char **argv)
{
	const char *usage = "dload go ADDRESS";
	struct dload_session s;
	uint32_t addr = 0;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 1)
		return cli_usage(cli, usage);
	if ((rc = parse_u32(cli, "ADDRESS", argv[first], &addr)))
		return rc;
	rc = dload_session(cli, &s);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_dload_go(s.d, addr);
	dload_end(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	cli_info(cli, "jumped to 0x%08x\n", addr);
	return CLI_OK;
}

static int dload_read(struct cli *cli, int argc, char **argv)
{
	const char *usage = "dload read ADDRESS LENGTH FILE";
	struct dload_session s;
	struct qc_dload_params p;
	uint32_t addr = 0, len = 0;
	uint8_t *buf;
	FILE *f;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 3)
		return cli_usage(cli, usage);
	if ((rc = parse_u32(cli, "ADDRESS", argv[first], &addr)) || (rc = parse_u32(cli, "LENGTH", argv[first + 1], &len)))
		return rc;
	if (len == 0 || len > (64u << 20))
		return cli_error(cli, CLI_USAGE, "LENGTH must be 1 byte to 64 MiB");
	buf = malloc(len);
	if (!buf)
		return cli_error(cli, CLI_FAILED, "out of memory");
	rc = dload_session(cli, &s);
	if (rc < 0) {
		free(buf);
		return cli_fail(cli, rc);
	}
	rc = qc_dload_get_params(s.d, &p);
	if (rc == 0)
		rc = qc_dload_mem_read(s.d, addr, buf, len, p.max_write_size ? p.max_write_size : 1024);
	dload_end(&s);
	if (rc < 0) {
		free(buf);
		return cli_fail(cli, rc);
	}
	f = fopen(argv[first + 2], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		int e = errno;

		free(buf);
		return cli_error(cli, CLI_FAILED, "cannot write %s: %s", argv[first + 2], strerror(e));
	}
	free(buf);
	cli_info(cli, "%u bytes from 0x%08x written to %s\n", len, addr, argv[first + 2]);
	return CLI_OK;
}

static int dload_simple(struct cli *cli, int argc, char **argv, int (*fn)(qc_dload *), const char *done)
{
	char usage[64];
	struct dload_session s;
	bool help;
	int first, rc;

	snprintf(usage, sizeof(usage), "%s", cli->cmd);
	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, usage);
	rc = dload_session(cli, &s);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = fn(s.d);
	dload_end(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	cli_info(cli, "%s\n", done);
	return CLI_OK;
}

static int dload_nop(struct cli *cli, int argc, char **argv)
{
	return dload_simple(cli, argc, argv, qc_dload_nop, "the boot loader answered");
}

static int dload_reset(struct cli *cli, int argc, char **argv)
{
	return dload_simple(cli, argc, argv, qc_dload_reset, "the device is resetting");
}

static int dload_poweroff(struct cli *cli, int argc, char **argv)
{
	return dload_simple(cli, argc, argv, qc_dload_power_down, "the device is powering down");
}

int cmd_dload(struct cli *cli, int argc, char **argv)
{
	static const struct dl_subcommand sub[] = {
		{"info", dload_info}, {"load", dload_load}, {"go", dload_go},          {"read", dload_read},
		{"nop", dload_nop},   {"reset", dload_reset}, {"poweroff", dload_poweroff},
	};

	return dl_dispatch(cli, "dload", DLOAD_USAGE, sub, sizeof(sub) / sizeof(sub[0]), argc, argv);
}
