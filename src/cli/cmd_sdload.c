/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox sdload ...: Streaming DLOAD, talking to the flash programmer that
 * 'dload load' or 'sahara load' started. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd_dload.h"
#include "qcbox/sdload.h"

enum {
	OPT_IMAGE_TYPE = CLI_OPT_FIRST_COMMAND_OPT,
	OPT_SECTOR_SIZE,
	OPT_BYTE_ADDR,
	OPT_WINDOW,
	OPT_BLOCK,
	OPT_PTABLE,
	OPT_OVERRIDE,
	OPT_YES,
};

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
	t0 = dl_now();
	rc = qc_sdload_write_stream(ss.s, start, bytes, file_source, &fs, dl_base_name(argv[first + 1]));
	fclose(fs.f);
	if (rc < 0)
		return fail_after_close(cli, &ss, rc);
	rc = qc_sdload_close_image(ss.s);
	if (rc < 0) {
		sd_end(&ss);
		return cli_fail(cli, rc);
	}
	cli_progress_end(cli);
	print_transfer(cli, "wrote", argv[first], type, bytes, &ss, dl_now() - t0);
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
	t0 = dl_now();
	rc = qc_sdload_read_stream(ss.s, start, bytes, file_sink, &fk, dl_base_name(argv[first + 1]));
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
	print_transfer(cli, "read", argv[first], type, bytes, &ss, dl_now() - t0);
	sd_end(&ss);
	return CLI_OK;
}

enum sd_action { SD_RESET, SD_NOP, SD_POWEROFF, SD_ERASE, SD_PTABLE, SD_ECC };

static int sd_simple(struct cli *cli, int argc, char **argv, enum sd_action what)
{
	static const struct option longopts[] = {SD_LONGOPTS, {NULL, 0, NULL, 0}};
	char usage[128];
	struct sd_opts o = {.image_type = -1};
	struct sd_session ss;
	uint8_t ecc = 0;
	bool help;
	int first, rc = 0, want_args = what == SD_ECC ? -1 : what == SD_PTABLE ? 1 : 0;

	snprintf(usage, sizeof(usage), "%s%s", cli->cmd,
		 what == SD_ECC ? " [on|off]" : what == SD_PTABLE ? " [--override] FILE" : what == SD_ERASE ? " --yes" : "");
	rc = cli_parse_options(cli, argc, argv, "", longopts, sd_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (want_args >= 0 ? argc - first != want_args : argc - first > 1)
		return cli_usage(cli, usage);
	if (what == SD_ECC && argc - first == 1) {
		if (strcmp(argv[first], "on") && strcmp(argv[first], "off"))
			return cli_usage(cli, usage);
		ecc = !strcmp(argv[first], "on");
	}
	if (what == SD_ERASE && !o.yes)
		return cli_error(cli, CLI_USAGE, "this erases the whole flash; add --yes if that is what you want");
	rc = sd_session(cli, &o, &ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	switch (what) {
	case SD_RESET:
		rc = qc_sdload_reset(ss.s);
		/* An image left open by an interrupted write blocks a reset. */
		if (rc == QC_E_DEVICE && strstr(qc_last_error(cli->ctx), "out of sequence") &&
		    qc_sdload_close_image(ss.s) == 0)
			rc = qc_sdload_reset(ss.s);
		break;
	case SD_NOP:
		rc = qc_sdload_nop(ss.s, 0x51434258);
		break;
	case SD_POWEROFF:
		rc = qc_sdload_power_off(ss.s);
		break;
	case SD_ERASE:
		rc = qc_sdload_erase_flash(ss.s);
		break;
	case SD_PTABLE:
		rc = qc_sdload_security_mode(ss.s, 0);
		if (rc == 0)
			rc = send_ptable(cli, &ss, argv[first], o.override);
		break;
	case SD_ECC:
		if (argc - first == 1)
			rc = qc_sdload_set_ecc(ss.s, ecc);
		if (rc == 0)
			rc = qc_sdload_get_ecc(ss.s, &ecc);
		break;
	}
	sd_end(&ss);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (what == SD_ECC) {
		if (cli->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "ecc", json_object_new_boolean(ecc));
			cli_json_print(cli, j);
		} else {
			printf("ecc: %s\n", ecc ? "on" : "off");
		}
	} else {
		static const struct {
			enum sd_action what;
			const char *text;
		} done[] = {{SD_RESET, "the device is resetting"}, {SD_NOP, "the programmer answered"},
			    {SD_POWEROFF, "the device is powering off"}, {SD_ERASE, "the flash is erased"},
			    {SD_PTABLE, "the partition table was accepted"}};

		for (size_t i = 0; i < sizeof(done) / sizeof(done[0]); i++)
			if (done[i].what == what)
				cli_info(cli, "%s\n", done[i].text);
	}
	return CLI_OK;
}

static int sd_reset(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_RESET); }
static int sd_nop(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_NOP); }
static int sd_poweroff(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_POWEROFF); }
static int sd_erase(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_ERASE); }
static int sd_ptable(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_PTABLE); }
static int sd_ecc(struct cli *cli, int argc, char **argv) { return sd_simple(cli, argc, argv, SD_ECC); }

int cmd_sdload(struct cli *cli, int argc, char **argv)
{
	static const struct dl_subcommand sub[] = {
		{"info", sd_info},   {"read", sd_read}, {"write", sd_write},       {"reset", sd_reset},
		{"nop", sd_nop},     {"ecc", sd_ecc},   {"ptable", sd_ptable},     {"erase", sd_erase},
		{"poweroff", sd_poweroff},
	};

	return dl_dispatch(cli, "sdload", SDLOAD_USAGE, sub, sizeof(sub) / sizeof(sub[0]), argc, argv);
}
