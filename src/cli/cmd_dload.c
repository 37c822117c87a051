/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox dload ... (DMSS download: boot loader) and qcbox sdload ...
 * (Streaming download: the flash programmer it starts). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "qcbox/dload.h"
#include "qcbox/sdload.h"

struct subcommand {
	const char *name;
	int (*fn)(struct cli *, int, char **);
};

static int dispatch(struct cli *cli, const char *group, const char *usage, const struct subcommand *sub, size_t n,
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

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static double now_s(void)
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
	"  nop | reset | poweroff        \n"

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
	OPT_IMAGE_TYPE,
	OPT_SECTOR_SIZE,
	OPT_BYTE_ADDR,
	OPT_WINDOW,
	OPT_BLOCK,
	OPT_PTABLE,
	OPT_OVERRIDE,
	OPT_YES,
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
	t0 = now_s();
	rc = qc_dload_load(s.d, argv[first], &lo.o, &img);
	dload_end(&s);
	cli_progress_end(cli);
	if (rc < 0)
		return cli_fail(cli, rc);
	print_image(cli, argv[first], &img, true, !lo.o.no_go, now_s() - t0);
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
	static const struct subcommand sub[] = {
		{"info", dload_info}, {"load", dload_load}, {"go", dload_go},          {"read", dload_read},
		{"nop", dload_nop},   {"reset", dload_reset}, {"poweroff", dload_poweroff},
	};

	return dispatch(cli, "dload", DLOAD_USAGE, sub, sizeof(sub) / sizeof(sub[0]), argc, argv);
}

/* ====================== sdload ====================== */

#define SDLOAD_USAGE                                                                                           \
	"sdload COMMAND\n"                                                                                     \
	"  info                              the programmer's HELLO answer\n"                                  \
	"  read LUN/START+COUNT FILE         read sectors to FILE\n"                                           \
	"  write [--image-type T] LUN/START FILE  open image T (default: the LUN's eMMC area) and\n"           \
	"                                    stream-write FILE from sector START\n"                            \
	"  reset                             restart the device\n"                                             \
	"  nop | ecc [on|off] | ptable FILE [--override] | erase --yes | poweroff\n"

struct sd_opts {
	int image_type;      /* -1: from the LUN */
	unsigned sector_size; /* 0: from HELLO, else 512 */
	bool byte_addressing;
	unsigned window;
	size_t block;
	const char *ptable;
	bool override;
	bool yes;
};

#define SD_LONGOPTS                                                                                            \
	{"image-type", required_argument, NULL, OPT_IMAGE_TYPE},                                               \
		{"sector-size", required_argument, NULL, OPT_SECTOR_SIZE},                                     \
		{"byte-addressing", no_argument, NULL, OPT_BYTE_ADDR},                                         \
		{"window", required_argument, NULL, OPT_WINDOW}, {"block", required_argument, NULL, OPT_BLOCK}, \
		{"partition-table", required_argument, NULL, OPT_PTABLE},                                      \
		{"override", no_argument, NULL, OPT_OVERRIDE}, {"yes", no_argument, NULL, OPT_YES}

#define SD_COMMON_USAGE "[--sector-size N] [--byte-addressing] [--window N] [--block N]"

static int sd_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct sd_opts *o = user;
	uint64_t v;
	int rc;

	switch (c) {
	case OPT_IMAGE_TYPE:
		o->image_type = qc_sdload_image_type_parse(arg);
		if (o->image_type < 0)
			return cli_error(cli, CLI_USAGE,
					 "--image-type: '%s' is not an image type (emmc_user, boot0, amss, 0x21, ...)", arg);
		return CLI_OK;
	case OPT_SECTOR_SIZE:
		if ((rc = cli_parse_u64(cli, "--sector-size", arg, &v)))
			return rc;
		if (v < 512 || v > 65536 || (v & (v - 1)))
			return cli_error(cli, CLI_USAGE, "--sector-size takes a power of two from 512 to 65536");
		o->sector_size = (unsigned)v;
		return CLI_OK;
	case OPT_BYTE_ADDR:
		o->byte_addressing = true;
		return CLI_OK;
	case OPT_WINDOW:
		if ((rc = cli_parse_u64(cli, "--window", arg, &v)))
			return rc;
		if (v < 1 || v > QC_SDLOAD_MAX_WINDOW)
			return cli_error(cli, CLI_USAGE, "--window takes 1 to %d packets", QC_SDLOAD_MAX_WINDOW);
		o->window = (unsigned)v;
		return CLI_OK;
	case OPT_BLOCK:
		if ((rc = cli_parse_u64(cli, "--block", arg, &v)))
			return rc;
		if (v < 512 || v > QC_SDLOAD_MAX_BLOCK)
			return cli_error(cli, CLI_USAGE, "--block takes 512 to %u bytes", QC_SDLOAD_MAX_BLOCK);
		o->block = (size_t)v;
		return CLI_OK;
	case OPT_PTABLE:
		o->ptable = arg;
		return CLI_OK;
	case OPT_OVERRIDE:
		o->override = true;
		return CLI_OK;
	case OPT_YES:
		o->yes = true;
		return CLI_OK;
	default:
		return CLI_USAGE;
	}
}

struct sd_session {
	qc_transport *t;
	qc_sdload *s;
	struct qc_sdload_hello hello;
};

static void sd_end(struct sd_session *ss)
{
	qc_sdload_close(ss->s);
	qc_transport_close(ss->t);
}

/* Opens the device and says HELLO, asking for sector addresses unless told
 * not to; the sector size comes from the option, else from a HELLO that
 * lists exactly one plausible size, else 512 (eMMC). */
static int sd_session(struct cli *cli, const struct sd_opts *o, struct sd_session *ss)
{
	uint8_t features = QC_SDLOAD_FEAT_UNCOMPRESSED | QC_SDLOAD_FEAT_MULTI_IMAGE;
	unsigned sector = o->sector_size;
	int rc = cli_open_device(cli, &ss->t);

	if (rc < 0)
		return rc;
	rc = qc_sdload_open(ss->t, &ss->s);
	if (rc < 0) {
		qc_transport_close(ss->t);
		return rc;
	}
	if (!o->byte_addressing)
		features |= QC_SDLOAD_FEAT_SECTOR_ADDRESSES;
	rc = qc_sdload_hello(ss->s, 3, 2, features, &ss->hello);
	if (rc < 0) {
		sd_end(ss);
		return rc;
	}
	if (!sector) {
		uint32_t z = ss->hello.num_sectors == 1 ? ss->hello.sector_sizes[0] : 0;

		sector = z >= 512 && z <= 65536 && !(z & (z - 1)) ? z : 512;
	}
	qc_sdload_set_sector_size(ss->s, sector);
	qc_sdload_limit(ss->s, o->window, o->block);
	return 0;
}

static const char *const feature_names[] = {"uncompressed", "nand_bootable", "nand_bootloader", "multi_image",
					     "sector_addresses"};

static json_object *feature_list(uint8_t f)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < 5; i++)
		if (f & (1u << i))
			json_object_array_add(a, json_object_new_string(feature_names[i]));
	return a;
}

static int sd_info(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {SD_LONGOPTS, {NULL, 0, NULL, 0}};
	const char *usage = "sdload info " SD_COMMON_USAGE;
	struct sd_opts o = {.image_type = -1};
	struct sd_session ss;
	struct qc_sdload_hello *h = &ss.hello;
	unsigned kept;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, sd_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, usage);
	rc = sd_session(cli, &o, &ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	kept = h->num_sectors < QC_SDLOAD_SECTORS_KEPT ? h->num_sectors : QC_SDLOAD_SECTORS_KEPT;
	if (cli->json) {
		json_object *j = json_object_new_object(), *secs = json_object_new_array();

		for (unsigned i = 0; i < kept; i++)
			json_object_array_add(secs, json_object_new_int64(h->sector_sizes[i]));
		json_object_object_add(j, "magic", json_object_new_string(h->magic));
		json_object_object_add(j, "version", json_object_new_int(h->version));
		json_object_object_add(j, "compatible_version", json_object_new_int(h->compat_version));
		json_object_object_add(j, "max_block_size", json_object_new_int64(h->max_block_size));
		json_object_object_add(j, "base_address", json_object_new_int64(h->base_address));
		json_object_object_add(j, "flash_id", json_object_new_string(h->flash_id));
		json_object_object_add(j, "window_size", json_object_new_int(h->window_size));
		json_object_object_add(j, "num_sectors", json_object_new_int(h->num_sectors));
		json_object_object_add(j, "sector_sizes", secs);
		json_object_object_add(j, "features", json_object_new_int(h->features));
		json_object_object_add(j, "feature_names", feature_list(h->features));
		json_object_object_add(j, "sector_addressing", json_object_new_boolean(qc_sdload_sector_addressing(ss.s)));
		json_object_object_add(j, "sector_size", json_object_new_int((int)qc_sdload_sector_size(ss.s)));
		cli_json_print(cli, j);
	} else {
		printf("magic:            %s\n", h->magic);
		printf("version:          %u (compatible %u)\n", h->version, h->compat_version);
		printf("flash id:         %s\n", h->flash_id);
		printf("max block size:   %u bytes\n", h->max_block_size);
		printf("window:           %u packets\n", h->window_size);
		printf("base address:     0x%08x\n", h->base_address);
		printf("sector sizes:     %u listed", h->num_sectors);
		for (unsigned i = 0; i < kept && i < 8; i++)
			printf("%s%u", i ? ", " : ": ", h->sector_sizes[i]);
		printf("%s\n", kept > 8 ? ", ..." : "");
		printf("features:         0x%02x", h->features);
		for (int i = 0; i < 5; i++)
			if (h->features & (1u << i))
				printf(" %s", feature_names[i]);
		printf("\naddressing:       %s\n", qc_sdload_sector_addressing(ss.s) ? "sectors" : "bytes");
	}
	sd_end(&ss);
	return CLI_OK;
}

/* LUN/START or LUN/START+COUNT. */
static int parse_target(struct cli *cli, const char *arg, bool want_count, unsigned *lun, uint64_t *start,
			uint64_t *count)
{
	const char *s = arg;
	char *end;
	unsigned long long l, a, n = 0;

	errno = 0;
	l = strtoull(s, &end, 10);
	if (end == s || *end != '/' || l > 6)
		goto bad;
	s = end + 1;
	a = strtoull(s, &end, 0);
	if (end == s || errno)
		goto bad;
	if (want_count) {
		if (*end != '+')
			goto bad;
		s = end + 1;
		n = strtoull(s, &end, 0);
		if (end == s || errno || n == 0)
			goto bad;
	}
	if (*end)
		goto bad;
	*lun = (unsigned)l;
	*start = a;
	if (count)
		*count = n;
	return CLI_OK;
bad:
	return cli_error(cli, CLI_USAGE, "target '%s': expected LUN/START%s with LUN 0-6 (user, boot0, boot1, gpp1-4)",
			 arg, want_count ? "+COUNT" : "");
}

/* The image type for LUN, checked against --image-type. */
static int resolve_type(struct cli *cli, const struct sd_opts *o, unsigned lun, uint8_t *type)
{
	int lt = qc_sdload_lun_image_type(lun);

	if (o->image_type < 0) {
		*type = (uint8_t)lt;
		return CLI_OK;
	}
	if (lun != 0 && o->image_type != lt)
		return cli_error(cli, CLI_USAGE, "LUN %u is %s, but --image-type says %s", lun,
				 qc_sdload_image_type_name((uint8_t)lt),
				 qc_sdload_image_type_name((uint8_t)o->image_type)
					 ? qc_sdload_image_type_name((uint8_t)o->image_type)
					 : "another area");
	*type = (uint8_t)o->image_type;
	return CLI_OK;
}

/* Keeps the first failure's sentence while cleaning up after it. */
static int fail_after_close(struct cli *cli, struct sd_session *ss, int rc)
{
	char saved[1024];

	snprintf(saved, sizeof(saved), "%s", qc_last_error(cli->ctx));
	if (rc != QC_E_DISCONNECTED && rc != QC_E_TIMEOUT)
		qc_sdload_close_image(ss->s);
	sd_end(ss);
	qc_fail(cli->ctx, rc, "%s", saved);
	return cli_fail(cli, rc);
}

static int send_ptable(struct cli *cli, struct sd_session *ss, const char *path, bool override)
{
	uint8_t tbl[QC_SDLOAD_PTABLE_MAX + 1];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return qc_fail(cli->ctx, QC_E_NOTFOUND, "cannot open %s: %s", path, strerror(errno));
	n = fread(tbl, 1, sizeof(tbl), f);
	fclose(f);
	if (n == 0 || n > QC_SDLOAD_PTABLE_MAX)
		return qc_fail(cli->ctx, QC_E_FORMAT, "%s: a partition table is 1 to %d bytes", path,
			       QC_SDLOAD_PTABLE_MAX);
	return qc_sdload_partition_table(ss->s, tbl, n, override, NULL);
}

struct file_src {
	FILE *f;
	uint64_t left_file; /* bytes still in the file */
};

static ssize_t file_source(void *user, void *buf, size_t len)
{
	struct file_src *fs = user;
	size_t n = 0;

	if (fs->left_file) {
		size_t want = len < fs->left_file ? len : (size_t)fs->left_file;

		n = fread(buf, 1, want, fs->f);
		if (n == 0)
			return QC_E_IO;
		fs->left_file -= n;
		return (ssize_t)n;
	}
	/* zeros up to the end of the last sector */
	memset(buf, 0, len);
	return (ssize_t)len;
}

static void print_transfer(struct cli *cli, const char *what, const char *target, uint8_t type, uint64_t bytes,
			   struct sd_session *ss, double secs)
{
	struct qc_sdload_stats st;
	unsigned ssz = qc_sdload_sector_size(ss->s);
	const char *tn = qc_sdload_image_type_name(type);

	qc_sdload_get_stats(ss->s, &st);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "target", json_object_new_string(target));
		json_object_object_add(o, "image_type", tn ? json_object_new_string(tn) : json_object_new_int(type));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)bytes));
		json_object_object_add(o, "sectors", json_object_new_int64((int64_t)(bytes / ssz)));
		json_object_object_add(o, "sector_size", json_object_new_int((int)ssz));
		json_object_object_add(o, "sector_addressing", json_object_new_boolean(qc_sdload_sector_addressing(ss->s)));
		json_object_object_add(o, "window", json_object_new_int((int)qc_sdload_window(ss->s)));
		json_object_object_add(o, "block_size", json_object_new_int64((int64_t)qc_sdload_block_size(ss->s)));
		json_object_object_add(o, "packets", json_object_new_int64((int64_t)st.packets));
		json_object_object_add(o, "max_outstanding", json_object_new_int((int)st.max_outstanding));
		json_object_object_add(o, "resent", json_object_new_int64((int64_t)st.resent));
		json_object_object_add(o, "seconds", json_object_new_double(secs));
		cli_json_print(cli, o);
		return;
	}
	cli_info(cli, "%s %llu bytes (%s %s) in %.2f s, %.1f MB/s: %llu packets, window %u (up to %u in flight)%s\n",
		 what, (unsigned long long)bytes, tn ? tn : "image", target, secs,
		 secs > 0 ? (double)bytes / secs / 1e6 : 0.0, (unsigned long long)st.packets, qc_sdload_window(ss->s),
		 st.max_outstanding, st.resent ? ", some packets sent again" : "");
}

static int sd_write(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {SD_LONGOPTS, {NULL, 0, NULL, 0}};
	const char *usage = "sdload write [--image-type T] [--partition-table FILE [--override]] " SD_COMMON_USAGE
			    " LUN/START FILE";
	struct sd_opts o = {.image_type = -1};
	struct sd_session ss;
	struct file_src fs;
	struct stat st;
	unsigned lun, ssz;
	uint64_t start, bytes;
	uint8_t type;
	bool help;
	int first, rc;
	double t0;

	rc = cli_parse_options(cli, argc, argv, "", longopts, sd_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 2)
		return cli_usage(cli, usage);
	if ((rc = parse_target(cli, argv[first], false, &lun, &start, NULL)) || (rc = resolve_type(cli, &o, lun, &type)))
		return rc;
	fs.f = fopen(argv[first + 1], "rb");
	if (!fs.f)
		return cli_error(cli, errno == ENOENT ? CLI_USAGE : CLI_FAILED, "cannot open %s: %s", argv[first + 1],
				 strerror(errno));
	if (fstat(fileno(fs.f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		fclose(fs.f);
		return cli_error(cli, CLI_USAGE, "%s is not a non-empty regular file", argv[first + 1]);
	}
	fs.left_file = (uint64_t)st.st_size;
	rc = sd_session(cli, &o, &ss);
	if (rc < 0) {
		fclose(fs.f);
		return cli_fail(cli, rc);
	}
	ssz = qc_sdload_sector_size(ss.s);
	bytes = ((uint64_t)st.st_size + ssz - 1) / ssz * ssz;
	if (bytes != (uint64_t)st.st_size)
		cli_info(cli, "%s is %llu bytes, not a whole number of %u-byte sectors: the last sector is padded with "
			 "zeros\n", argv[first + 1], (unsigned long long)st.st_size, ssz);
	rc = qc_sdload_security_mode(ss.s, 0);
	if (rc == 0 && o.ptable)
		rc = send_ptable(cli, &ss, o.ptable, o.override);
	if (rc == 0)
		rc = qc_sdload_open_multi(ss.s, type, NULL, 0);
	if (rc < 0) {
		fclose(fs.f);
		sd_end(&ss);
		return cli_fail(cli, rc);
	}
	t0 = now_s();
	rc = qc_sdload_write_stream(ss.s, start, bytes, file_source, &fs, base_name(argv[first + 1]));
	fclose(fs.f);
	if (rc < 0)
		return fail_after_close(cli, &ss, rc);
	rc = qc_sdload_close_image(ss.s);
	if (rc < 0) {
		sd_end(&ss);
		return cli_fail(cli, rc);
	}
	cli_progress_end(cli);
	print_transfer(cli, "wrote", argv[first], type, bytes, &ss, now_s() - t0);
	sd_end(&ss);
	return CLI_OK;
}

struct file_sink {
	FILE *f;
};

static int file_sink(void *user, const void *buf, size_t len)
{
	struct file_sink *fk = user;

	return fwrite(buf, 1, len, fk->f) == len ? 0 : QC_E_IO;
}

static int sd_read(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {SD_LONGOPTS, {NULL, 0, NULL, 0}};
	const char *usage = "sdload read [--image-type T] " SD_COMMON_USAGE " LUN/START+COUNT FILE";
	struct sd_opts o = {.image_type = -1};
	struct sd_session ss;
	struct file_sink fk;
	unsigned lun;
	uint64_t start, count, bytes;
	uint8_t type;
	bool help, opened = false;
	int first, rc;
	double t0;

	rc = cli_parse_options(cli, argc, argv, "", longopts, sd_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 2)
		return cli_usage(cli, usage);
	if ((rc = parse_target(cli, argv[first], true, &lun, &start, &count)) ||
	    (rc = resolve_type(cli, &o, lun, &type)))
		return rc;
	rc = sd_session(cli, &o, &ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	bytes = count * qc_sdload_sector_size(ss.s);
	/* The user area is read without opening anything; other areas are
	 * selected the way a write selects them. */
	if (type != QC_SDLOAD_IMG_EMMC_USER) {
		rc = qc_sdload_security_mode(ss.s, 0);
		if (rc == 0)
			rc = qc_sdload_open_multi(ss.s, type, NULL, 0);
		if (rc < 0) {
			sd_end(&ss);
			return cli_fail(cli, rc);
		}
		opened = true;
	}
	fk.f = fopen(argv[first + 1], "wb");
	if (!fk.f) {
		qc_fail(cli->ctx, QC_E_IO, "cannot create %s: %s", argv[first + 1], strerror(errno));
		return opened ? fail_after_close(cli, &ss, QC_E_IO) : (sd_end(&ss), cli_fail(cli, QC_E_IO));
	}
	t0 = now_s();
	rc = qc_sdload_read_stream(ss.s, start, bytes, file_sink, &fk, base_name(argv[first + 1]));
	if (fclose(fk.f) != 0 && rc == 0)
		rc = qc_fail(cli->ctx, QC_E_IO, "cannot write %s: %s", argv[first + 1], strerror(errno));
	if (rc < 0) {
		if (opened)
			return fail_after_close(cli, &ss, rc);
		sd_end(&ss);
		return cli_fail(cli, rc);
	}
	if (opened && (rc = qc_sdload_close_image(ss.s)) < 0) {
		sd_end(&ss);
		return cli_fail(cli, rc);
	}
	cli_progress_end(cli);
	print_transfer(cli, "read", argv[first], type, bytes, &ss, now_s() - t0);
	sd_end(&ss);
	return CLI_OK;
}

static int sd_simple(struct cli *cli, int argc, char **argv, int what)
{
	static const struct option longopts[] = {SD_LONGOPTS, {NULL, 0, NULL, 0}};
	char usage[128];
	struct sd_opts o = {.image_type = -1};
	struct sd_session ss;
	uint8_t ecc = 0;
	bool help;
	int first, rc, want_args = what == 'e' ? -1 : what == 'p' ? 1 : 0;

	snprintf(usage, sizeof(usage), "%s%s", cli->cmd,
		 what == 'e' ? " [on|off]" : what == 'p' ? " [--override] FILE" : what == 'E' ? " --yes" : "");
	rc = cli_parse_options(cli, argc, argv, "", longopts, sd_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (want_args >= 0 ? argc - first != want_args : argc - first > 1)
		return cli_usage(cli, usage);
	if (what == 'e' && argc - first == 1) {
		if (strcmp(argv[first], "on") && strcmp(argv[first], "off"))
			return cli_usage(cli, usage);
		ecc = !strcmp(argv[first], "on");
	}
	if (what == 'E' && !o.yes)
		return cli_error(cli, CLI_USAGE, "this erases the whole flash; add --yes if that is what you want");
	rc = sd_session(cli, &o, &ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	switch (what) {
	case 'r':
		rc = qc_sdload_reset(ss.s);
		/* An image left open by an interrupted write blocks a reset. */
		if (rc == QC_E_DEVICE && strstr(qc_last_error(cli->ctx), "out of sequence") &&
		    qc_sdload_close_image(ss.s) == 0)
			rc = qc_sdload_reset(ss.s);
		break;
	case 'n':
		rc = qc_sdload_nop(ss.s, 0x51434258);
		break;
	case 'o':
		rc = qc_sdload_power_off(ss.s);
		break;
	case 'E':
		rc = qc_sdload_erase_flash(ss.s);
		break;
	case 'p':
		rc = qc_sdload_security_mode(ss.s, 0);
		if (rc == 0)
			rc = send_ptable(cli, &ss, argv[first], o.override);
		break;
	case 'e':
		if (argc - first == 1)
			rc = qc_sdload_set_ecc(ss.s, ecc);
		if (rc == 0)
			rc = qc_sdload_get_ecc(ss.s, &ecc);
		break;
	}
	sd_end(&ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (what == 'e') {
		if (cli->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "ecc", json_object_new_boolean(ecc));
			cli_json_print(cli, j);
		} else {
			printf("ecc: %s\n", ecc ? "on" : "off");
		}
	} else {
		static const struct {
			int what;
			const char *text;
		} done[] = {{'r', "the device is resetting"}, {'n', "the programmer answered"},
			    {'o', "the device is powering off"}, {'E', "the flash is erased"},
			    {'p', "the partition table was accepted"}};

		for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++)
			if (done[i].what == what)
				cli_info(cli, "%s\n", done[i].text);
	}
	return CLI_OK;
}

static int sd_reset(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'r'); }
static int sd_nop(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'n'); }
static int sd_poweroff(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'o'); }
static int sd_erase(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'E'); }
static int sd_ptable(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'p'); }
static int sd_ecc(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, 'e'); }

int cmd_sdload(struct cli *cli, int argc, char **argv)
{
	static const struct subcommand sub[] = {
		{"info", sd_info},   {"read", sd_read}, {"write", sd_write},       {"reset", sd_reset},
		{"nop", sd_nop},     {"ecc", sd_ecc},   {"ptable", sd_ptable},     {"erase", sd_erase},
		{"poweroff", sd_poweroff},
	};

	return dispatch(cli, "sdload", SDLOAD_USAGE, sub, sizeof(sub) / sizeof(sub[0]), argc, argv);
}
