/* SPDX-License-Identifier: BSD-3-Clause */
/* Offline image commands: qcbox plan (a dry run of flash) and qcbox sparse. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "qcbox/flatbuild.h"
#include "qcbox/sparse.h"

/* Errors in what the user handed us are exit 2 (bad input file), whatever
 * library code says; I/O and memory trouble stay 1. */
static int input_fail(struct cli *cli, int err)
{
	int code = cli_fail(cli, err);

	switch (err) {
	case QC_E_NOTFOUND:
	case QC_E_FORMAT:
	case QC_E_TOOBIG:
	case QC_E_RANGE:
	case QC_E_INVAL:
	case QC_E_CRC: return CLI_USAGE;
	default: return code;
	}
}

/* 4096, 64K, 64M, 2G, 1T (binary units). */
static int parse_size(struct cli *cli, const char *what, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || errno || s[0] == '-')
		return cli_error(cli, CLI_USAGE, "%s: '%s' is not a size", what, s);
	switch (*end) {
	case 'k':
	case 'K': shift = 10; break;
	case 'm':
	case 'M': shift = 20; break;
	case 'g':
	case 'G': shift = 30; break;
	case 't':
	case 'T': shift = 40; break;
	case 0: break;
	default: return cli_error(cli, CLI_USAGE, "%s: '%s' is not a size (use K, M, G or T)", what, s);
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return cli_error(cli, CLI_USAGE, "%s: '%s' is not a size", what, s);
	if (shift && v > (~0ull >> shift))
		return cli_error(cli, CLI_USAGE, "%s: '%s' is too large", what, s);
	*out = (uint64_t)v << shift;
	return CLI_OK;
}

/* ---- plan --------------------------------------------------------------- */

#define PLAN_USAGE                                                                                                     \
	"plan [--strict] [--lun-size SIZE] [--disk-sectors LUN=N]... FILE|DIR...\n"                                    \
	"  What 'flash' would do with a QFIL flat build, without a device: every <program>\n"                          \
	"  of the rawprogram XML files, then the filename=\"DISK\" patches, then the bootable\n"                       \
	"  LUN.  A DIR stands for its rawprogram*.xml and patch*.xml.  --lun-size or\n"                                \
	"  --disk-sectors resolve NUM_DISK_SECTORS expressions; --strict makes absent\n"                               \
	"  image files an error (exit 2)."

#define MAX_DISKS 128

struct plan_opts {
	bool strict;
	uint64_t lun_size; /* bytes, for every LUN without --disk-sectors */
	uint64_t disk_sectors[MAX_DISKS];
};

enum { OPT_STRICT = CLI_OPT_FIRST_COMMAND_OPT, OPT_LUN_SIZE, OPT_DISK_SECTORS };

static int plan_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct plan_opts *o = user;

	switch (c) {
	case OPT_STRICT: o->strict = true; return CLI_OK;
	case OPT_LUN_SIZE:
		if (parse_size(cli, "--lun-size", arg, &o->lun_size))
			return CLI_USAGE;
		if (!o->lun_size)
			return cli_error(cli, CLI_USAGE, "--lun-size must not be 0");
		return CLI_OK;
	case OPT_DISK_SECTORS: {
		char *eq = strchr(arg, '=');
		uint64_t lun, n;
		char lbuf[16];

		if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(lbuf))
			return cli_error(cli, CLI_USAGE, "--disk-sectors takes LUN=SECTORS, not '%s'", arg);
		memcpy(lbuf, arg, (size_t)(eq - arg));
		lbuf[eq - arg] = 0;
		if (cli_parse_u64(cli, "--disk-sectors LUN", lbuf, &lun) ||
		    cli_parse_u64(cli, "--disk-sectors SECTORS", eq + 1, &n))
			return CLI_USAGE;
		if (lun >= MAX_DISKS || !n)
			return cli_error(cli, CLI_USAGE, "--disk-sectors: LUN below %d and a non-zero size, not '%s'",
					 MAX_DISKS, arg);
		o->disk_sectors[lun] = n;
		return CLI_OK;
	}
	}
	return CLI_USAGE;
}

/* Natural order, so that rawprogram2.xml comes before rawprogram10.xml. */
static int natural_cmp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	while (*x && *y) {
		if (*x >= '0' && *x <= '9' && *y >= '0' && *y <= '9') {
			char *ex, *ey;
			unsigned long long nx = strtoull(x, &ex, 10), ny = strtoull(y, &ey, 10);

			if (nx != ny)
				return nx < ny ? -1 : 1;
			x = ex;
			y = ey;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x - (unsigned char)*y;
		x++;
		y++;
	}
	return (unsigned char)*x - (unsigned char)*y;
}

static bool has_prefix_suffix(const char *name, const char *pre, const char *suf)
{
	size_t n = strlen(name), p = strlen(pre), s = strlen(suf);

	return n >= p + s && !strncmp(name, pre, p) && !strcmp(name + n - s, suf);
}

/* Collects DIR's rawprogram*.xml then patch*.xml into *LIST (paths, malloc'd). */
static int scan_dir(struct cli *cli, const char *dir, char ***list, size_t *n)
{
	const char *const prefixes[] = {"rawprogram", "patch"};
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0;
	int rc = CLI_OK;

	if (!d)
		return cli_error(cli, CLI_USAGE, "cannot read directory %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (!has_prefix_suffix(e->d_name, "rawprogram", ".xml") &&
		    !has_prefix_suffix(e->d_name, "patch", ".xml"))
			continue;
		char **nn = realloc(names, (count + 1) * sizeof(*nn));

		if (!nn || !(nn[count] = strdup(e->d_name))) {
			names = nn ? nn : names;
			rc = cli_error(cli, CLI_FAILED, "out of memory");
			break;
		}
		names = nn;
		count++;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), natural_cmp);
	for (size_t k = 0; rc == CLI_OK && k < 2; k++)
		for (size_t i = 0; i < count; i++) {
			if (!has_prefix_suffix(names[i], prefixes[k], ".xml"))
				continue;
			char **nl = realloc(*list, (*n + 1) * sizeof(**list));
			size_t len = strlen(dir) + strlen(names[i]) + 2;

			if (!nl) {
				rc = cli_error(cli, CLI_FAILED, "out of memory");
				break;
			}
			*list = nl;
			nl[*n] = malloc(len);
			if (!nl[*n]) {
				rc = cli_error(cli, CLI_FAILED, "out of memory");
				break;
			}
			snprintf(nl[*n], len, "%s/%s", dir, names[i]);
			(*n)++;
		}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	if (rc == CLI_OK && !count)
		return cli_error(cli, CLI_USAGE, "%s holds no rawprogram*.xml or patch*.xml", dir);
	return rc;
}

static json_object *json_u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

static json_object *plan_json(const struct qc_flatbuild_info *in, const char *programmer)
{
	json_object *o = json_object_new_object(), *progs = json_object_new_array(), *miss = json_object_new_array(),
		    *missd = json_object_new_array(), *xml = json_object_new_array();
	size_t empty = 0;

	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];

		if (!p->path) {
			empty++;
			continue;
		}
		if (p->missing) {
			json_object *m = json_object_new_object();

			json_object_object_add(m, "file", json_object_new_string(p->filename));
			json_object_object_add(m, "path", json_object_new_string(p->path));
			json_object_object_add(m, "label", json_object_new_string(p->label));
			json_object_object_add(m, "lun", json_object_new_int((int)p->lun));
			json_object_object_add(m, "xml", json_object_new_string(p->xml));
			json_object_array_add(missd, m);
			continue;
		}
		json_object *e = json_object_new_object();

		json_object_object_add(e, "lun", json_object_new_int((int)p->lun));
		json_object_object_add(e, "start_sector",
				       p->start_known ? json_u64(p->start_sector)
						      : json_object_new_string(p->start_expr));
		json_object_object_add(e, "sectors", json_u64(p->data_sectors));
		json_object_object_add(e, "file", json_object_new_string(p->path));
		json_object_object_add(e, "label", json_object_new_string(p->label));
		json_object_object_add(e, "partition_sectors", json_u64(p->partition_sectors));
		json_object_object_add(e, "sector_size", json_object_new_int((int)p->sector_size));
		json_object_object_add(e, "bytes", json_u64(p->data_bytes));
		if (p->file_sector_offset)
			json_object_object_add(e, "file_sector_offset", json_u64(p->file_sector_offset));
		json_object_object_add(e, "sparse", json_object_new_boolean(p->sparse));
		if (p->sparse)
			json_object_object_add(e, "sparse_programs", json_u64(p->sparse_chunks));
		if (p->sparse_mismatch)
			json_object_object_add(e, "sparse_attribute_wrong", json_object_new_boolean(1));
		if (!p->start_known)
			json_object_object_add(e, "start_expr", json_object_new_string(p->start_expr));
		json_object_object_add(e, "xml", json_object_new_string(p->xml));
		json_object_object_add(e, "line", json_object_new_int((int)p->line));
		json_object_array_add(progs, e);
	}
	for (size_t i = 0; i < in->nmissing; i++)
		json_object_array_add(miss, json_object_new_string(in->missing[i]));
	for (size_t i = 0; i < in->nxml; i++)
		json_object_array_add(xml, json_object_new_string(in->xml[i]));
	json_object_object_add(o, "programs", progs);
	json_object_object_add(o, "patches", json_u64(in->ndisk_patches));
	json_object_object_add(o, "missing_files", miss);
	json_object_object_add(o, "missing", missd);
	json_object_object_add(o, "file_patches", json_u64(in->npatches - in->ndisk_patches));
	json_object_object_add(o, "erases", json_u64(in->nerases));
	json_object_object_add(o, "empty_entries", json_u64(empty));
	json_object_object_add(o, "bootable_lun", in->bootable_lun >= 0 ? json_object_new_int(in->bootable_lun) : NULL);
	if (in->bootable_lun >= 0)
		json_object_object_add(o, "bootable_label", json_object_new_string(in->bootable_label));
	json_object_object_add(o, "sector_size", in->sector_size ? json_object_new_int((int)in->sector_size) : NULL);
	json_object_object_add(o, "programmer", programmer ? json_object_new_string(programmer) : NULL);
	json_object_object_add(o, "xml_files", xml);
	return o;
}

static void plan_human(const struct qc_flatbuild_info *in, const char *programmer)
{
	size_t writes = 0, empty = 0;
	uint64_t bytes = 0;

	if (programmer)
		printf("programmer: %s (uploaded through Sahara first)\n", programmer);
	printf("%-4s %-22s %10s %10s  %-20s %s\n", "LUN", "START", "SECTORS", "PARTITION", "LABEL", "FILE");
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];
		char start[32];

		if (!p->path) {
			empty++;
			continue;
		}
		if (p->missing)
			continue;
		if (p->start_known)
			snprintf(start, sizeof(start), "%llu", (unsigned long long)p->start_sector);
		else
			snprintf(start, sizeof(start), "%.21s", p->start_expr);
		printf("%-4u %-22s %10llu %10llu  %-20s %s%s\n", p->lun, start, (unsigned long long)p->data_sectors,
		       (unsigned long long)p->partition_sectors, p->label, p->filename, p->sparse ? " (sparse)" : "");
		writes++;
		bytes += p->data_bytes;
	}
	printf("\n%zu programs, %.1f MiB", writes, (double)bytes / (1 << 20));
	if (empty)
		printf("; %zu entries with no file (nothing to write)", empty);
	printf("\n%zu patches to the device", in->ndisk_patches);
	if (in->npatches > in->ndisk_patches)
		printf(" (%zu more for host files, not applied)", in->npatches - in->ndisk_patches);
	printf("\n");
	if (in->nerases)
		printf("%zu erases first\n", in->nerases);
	if (in->bootable_lun >= 0)
		printf("bootable LUN: %d (holds '%s')%s\n", in->bootable_lun, in->bootable_label,
		       in->bootable_ambiguous ? ", but boot loaders sit on several LUNs" : "");
	else
		printf("bootable LUN: none (no xbl, xbl_a or sbl1 program)\n");
	if (in->nmissing) {
		printf("absent files (skipped):");
		for (size_t i = 0; i < in->nmissing; i++)
			printf(" %s", in->missing[i]);
		printf("\n");
	}
}

int cmd_plan(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"strict", no_argument, NULL, OPT_STRICT},
						 {"lun-size", required_argument, NULL, OPT_LUN_SIZE},
						 {"disk-sectors", required_argument, NULL, OPT_DISK_SECTORS},
						 {NULL, 0, NULL, 0}};
	struct plan_opts po;
	qc_flatbuild *fb = NULL;
	char **files = NULL, *programmer = NULL;
	size_t nfiles = 0;
	bool help;
	int first, rc;

	memset(&po, 0, sizeof(po));
	rc = cli_parse_options(cli, argc, argv, "", longopts, plan_opt, &po, &first, PLAN_USAGE, &help);
	if (rc || help)
		return rc;
	if (first >= argc)
		return cli_usage(cli, PLAN_USAGE);
	for (int i = first; i < argc && rc == CLI_OK; i++) {
		struct stat st;

		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = scan_dir(cli, argv[i], &files, &nfiles);
			continue;
		}
		char **nl = realloc(files, (nfiles + 1) * sizeof(*nl));

		if (!nl || !(nl[nfiles] = strdup(argv[i]))) {
			files = nl ? nl : files;
			rc = cli_error(cli, CLI_FAILED, "out of memory");
			break;
		}
		files = nl;
		nfiles++;
	}
	if (rc != CLI_OK)
		goto out;
	rc = qc_flatbuild_new(cli->ctx, &fb);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
		goto out;
	}
	/* like flash: rawprogram files first, patch files after, whatever the
	 * order on the command line; a programmer is noted */
	for (int pass = 0; pass < 2 && rc == CLI_OK; pass++)
		for (size_t i = 0; i < nfiles; i++) {
			enum qc_fb_file_kind kind;
			int r = qc_fb_file_kind(cli->ctx, files[i], &kind);

			if (r < 0) {
				rc = input_fail(cli, r);
				break;
			}
			if (pass == 0 && kind == QC_FB_PROGRAMMER) {
				if (programmer) {
					rc = cli_error(cli, CLI_USAGE, "two programmers given: %s and %s", programmer,
						       files[i]);
					break;
				}
				programmer = files[i];
			} else if (pass == 0 && (kind == QC_FB_SPARSE || kind == QC_FB_UNKNOWN)) {
				rc = cli_error(cli, CLI_USAGE,
					       "%s is not a rawprogram or patch XML (nor a programmer ELF/MBN)",
					       files[i]);
				break;
			}
			if ((pass == 0 && kind != QC_FB_RAWPROGRAM) || (pass == 1 && kind != QC_FB_PATCH))
				continue;
			r = qc_flatbuild_add_file(fb, files[i], NULL);
			if (r < 0) {
				rc = input_fail(cli, r);
				break;
			}
		}
	if (rc != CLI_OK)
		goto out;
	rc = qc_flatbuild_finish(fb);
	if (rc < 0) {
		rc = input_fail(cli, rc);
		goto out;
	}
	const struct qc_flatbuild_info *in = qc_flatbuild_get(fb);

	if (!in->nprograms && !in->npatches) {
		rc = cli_error(cli, CLI_USAGE, "no <program> or <patch> in the files given");
		goto out;
	}
	/* NUM_DISK_SECTORS, when the size of a LUN was given */
	for (unsigned lun = 0; lun < MAX_DISKS; lun++) {
		uint64_t n = po.disk_sectors[lun];
		bool used = false;

		for (size_t i = 0; i < in->nprograms; i++)
			used |= in->programs[i].lun == lun;
		if (!used)
			continue;
		if (!n && po.lun_size) {
			unsigned ss = 0;

			for (size_t i = 0; i < in->nprograms && !ss; i++)
				if (in->programs[i].lun == lun)
					ss = in->programs[i].sector_size;
			if (po.lun_size % ss) {
				rc = cli_error(cli, CLI_USAGE,
					       "--lun-size is not a multiple of LUN %u's %u-byte sectors", lun, ss);
				goto out;
			}
			n = po.lun_size / ss;
		}
		if (!n)
			continue;
		int r = qc_flatbuild_resolve(fb, lun, n);

		if (r < 0) {
			rc = input_fail(cli, r);
			goto out;
		}
	}
	in = qc_flatbuild_get(fb);
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];

		if (qc_fb_program_writes(p) && p->sparse_mismatch)
			cli_warn(cli, "%s line %u: %s is %sa sparse image but sparse=\"%s\"; written as it is", p->xml,
				 p->line, p->filename, p->sparse_attr ? "not " : "", p->sparse_attr ? "true" : "false");
	}
	if (in->bootable_ambiguous)
		cli_warn(cli, "boot loaders are on several LUNs; LUN %d (holding '%s') is the one made bootable",
			 in->bootable_lun, in->bootable_label);
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];

		if (p->missing)
			fprintf(stderr, "%s: %s: %s (%s, LUN %u) is absent; %s\n", cli->prog, cli->cmd, p->path,
				p->label, p->lun, po.strict ? "refused by --strict" : "it would be skipped");
	}
	if (cli->json)
		cli_json_print(cli, plan_json(in, programmer));
	else
		plan_human(in, programmer);
	rc = po.strict && in->nmissing ? CLI_USAGE : CLI_OK;
out:
	qc_flatbuild_free(fb);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return rc;
}

/* ---- sparse ------------------------------------------------------------- */

#define SPARSE_USAGE                                                                                                   \
	"sparse COMMAND\n"                                                                                             \
	"  info [--chunks] FILE          header, chunk counts and sizes, CRC check\n"                                  \
	"  unsparse IN OUT               expand to a raw image (holes for DONT_CARE)\n"                                \
	"  make [--block-size N] [--dont-care-zeros] [--crc] RAW OUT\n"                                                \
	"                                make a sparse image from a raw one\n"

static const char *chunk_type_name(enum qc_sparse_type t)
{
	switch (t) {
	case QC_SPARSE_RAW: return "raw";
	case QC_SPARSE_FILL: return "fill";
	case QC_SPARSE_DONT_CARE: return "dont_care";
	case QC_SPARSE_CRC32: return "crc32";
	}
	return "?";
}

enum { OPT_CHUNKS = CLI_OPT_FIRST_COMMAND_OPT, OPT_BLOCK_SIZE, OPT_DC_ZEROS, OPT_CRC };

struct sparse_opts {
	bool chunks;
	uint64_t block_size;
	unsigned flags;
};

static int sparse_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct sparse_opts *o = user;

	switch (c) {
	case OPT_CHUNKS: o->chunks = true; return CLI_OK;
	case OPT_BLOCK_SIZE:
		if (parse_size(cli, "--block-size", arg, &o->block_size))
			return CLI_USAGE;
		if (!o->block_size || o->block_size % 4 || o->block_size > (1u << 20))
			return cli_error(cli, CLI_USAGE, "--block-size must be a multiple of 4 up to 1M, not '%s'",
					 arg);
		return CLI_OK;
	case OPT_DC_ZEROS: o->flags |= QC_SPARSE_ZERO_AS_DONT_CARE; return CLI_OK;
	case OPT_CRC: o->flags |= QC_SPARSE_WITH_CRC; return CLI_OK;
	}
	return CLI_USAGE;
}

static int sparse_info(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"chunks", no_argument, NULL, OPT_CHUNKS}, {NULL, 0, NULL, 0}};
	const char *usage = "sparse info [--chunks] FILE";
	struct sparse_opts so = {0};
	struct qc_sparse_range r;
	qc_sparse *s;
	json_object *list = NULL;
	bool help, crc_checked = false;
	uint32_t crc = 0;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, sparse_opt, &so, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 1)
		return cli_usage(cli, usage);
	rc = qc_sparse_open(cli->ctx, argv[first], &s);
	if (rc < 0)
		return input_fail(cli, rc);
	const struct qc_sparse_header *h = qc_sparse_get_header(s);
	const struct qc_sparse_stats *st = qc_sparse_get_stats(s);

	/* CRCs are only checked when the image carries some: that reads
	 * every RAW byte, which an image without them does not need */
	if (st->crc_chunks || h->image_checksum) {
		rc = qc_sparse_verify(s, &crc);
		if (rc < 0) {
			qc_sparse_close(s);
			return input_fail(cli, rc);
		}
		crc_checked = true;
	}
	if (so.chunks) {
		list = json_object_new_array();
		if (!cli->json)
			printf("%6s  %-9s %12s %10s  %s\n", "CHUNK", "TYPE", "OUT BLOCK", "BLOCKS", "DATA");
		while ((rc = qc_sparse_next(s, &r)) > 0) {
			json_object *c = json_object_new_object();

			json_object_object_add(c, "type", json_object_new_string(chunk_type_name(r.type)));
			json_object_object_add(c, "out_block", json_u64(r.out_block));
			json_object_object_add(c, "blocks", json_u64(r.blocks));
			if (r.type == QC_SPARSE_RAW)
				json_object_object_add(c, "file_offset", json_u64(r.data_offset));
			if (r.type == QC_SPARSE_FILL)
				json_object_object_add(c, "fill", json_u64(r.fill));
			if (r.type == QC_SPARSE_CRC32)
				json_object_object_add(c, "crc32", json_u64(r.crc));
			json_object_array_add(list, c);
			if (!cli->json)
				printf("%6u  %-9s %12llu %10u  %s%llx\n", r.chunk, chunk_type_name(r.type),
				       (unsigned long long)r.out_block, r.blocks,
				       r.type == QC_SPARSE_RAW	   ? "at 0x"
				       : r.type == QC_SPARSE_FILL  ? "0x"
				       : r.type == QC_SPARSE_CRC32 ? "0x"
								   : "",
				       (unsigned long long)(r.type == QC_SPARSE_RAW	? r.data_offset
							    : r.type == QC_SPARSE_FILL	? r.fill
							    : r.type == QC_SPARSE_CRC32 ? r.crc
											: 0));
		}
		if (rc < 0) {
			json_object_put(list);
			qc_sparse_close(s);
			return input_fail(cli, rc);
		}
	}
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "file", json_object_new_string(argv[first]));
		json_object_object_add(o, "version", json_object_new_string(h->minor ? "1.x" : "1.0"));
		json_object_object_add(o, "block_size", json_u64(h->block_size));
		json_object_object_add(o, "total_blocks", json_u64(h->total_blocks));
		json_object_object_add(o, "chunks", json_u64(h->total_chunks));
		json_object_object_add(o, "raw", json_u64(st->raw_chunks));
		json_object_object_add(o, "fill", json_u64(st->fill_chunks));
		json_object_object_add(o, "dont_care", json_u64(st->dont_care_chunks));
		json_object_object_add(o, "crc32", json_u64(st->crc_chunks));
		json_object_object_add(o, "raw_bytes", json_u64(st->raw_bytes));
		json_object_object_add(o, "fill_bytes", json_u64(st->fill_bytes));
		json_object_object_add(o, "dont_care_bytes", json_u64(st->dont_care_bytes));
		json_object_object_add(o, "expanded_bytes", json_u64(st->expanded_bytes));
		json_object_object_add(o, "file_bytes", json_u64(st->file_bytes));
		if (st->trailing_bytes)
			json_object_object_add(o, "trailing_bytes", json_u64(st->trailing_bytes));
		json_object_object_add(o, "crc_ok", crc_checked ? json_object_new_boolean(1) : NULL);
		if (crc_checked)
			json_object_object_add(o, "image_crc32", json_u64(crc));
		if (list)
			json_object_object_add(o, "chunk_list", list);
		cli_json_print(cli, o);
	} else {
		json_object_put(list);
		printf("%s: Android sparse image %u.%u\n", argv[first], h->major, h->minor);
		printf("  block size   %u bytes\n", h->block_size);
		printf("  expands to   %u blocks, %llu bytes\n", h->total_blocks,
		       (unsigned long long)st->expanded_bytes);
		printf("  chunks       %u: %u raw (%llu bytes), %u fill (%llu bytes), %u don't care (%llu bytes), %u "
		       "CRC32\n",
		       h->total_chunks, st->raw_chunks, (unsigned long long)st->raw_bytes, st->fill_chunks,
		       (unsigned long long)st->fill_bytes, st->dont_care_chunks,
		       (unsigned long long)st->dont_care_bytes, st->crc_chunks);
		if (crc_checked)
			printf("  CRC          ok (0x%08x)\n", crc);
		if (st->trailing_bytes)
			printf("  %llu bytes after the last chunk (ignored)\n", (unsigned long long)st->trailing_bytes);
	}
	qc_sparse_close(s);
	return CLI_OK;
}

static int sparse_unsparse(struct cli *cli, int argc, char **argv)
{
	const char *usage = "sparse unsparse IN OUT";
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 2)
		return cli_usage(cli, usage);
	rc = qc_sparse_unsparse(cli->ctx, argv[first], argv[first + 1]);
	cli_progress_end(cli);
	if (rc < 0)
		return rc == QC_E_IO ? cli_fail(cli, rc) : input_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();
		struct stat st;

		json_object_object_add(o, "in", json_object_new_string(argv[first]));
		json_object_object_add(o, "out", json_object_new_string(argv[first + 1]));
		if (stat(argv[first + 1], &st) == 0 && S_ISREG(st.st_mode))
			json_object_object_add(o, "bytes", json_u64((uint64_t)st.st_size));
		cli_json_print(cli, o);
	}
	return CLI_OK;
}

static int sparse_make(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
						 {"dont-care-zeros", no_argument, NULL, OPT_DC_ZEROS},
						 {"crc", no_argument, NULL, OPT_CRC},
						 {NULL, 0, NULL, 0}};
	const char *usage = "sparse make [--block-size N] [--dont-care-zeros] [--crc] RAW OUT";
	struct sparse_opts so = {.block_size = 4096};
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, sparse_opt, &so, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 2)
		return cli_usage(cli, usage);
	rc = qc_sparse_from_raw(cli->ctx, argv[first], argv[first + 1], (uint32_t)so.block_size, so.flags);
	if (rc < 0)
		return rc == QC_E_IO ? cli_fail(cli, rc) : input_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "in", json_object_new_string(argv[first]));
		json_object_object_add(o, "out", json_object_new_string(argv[first + 1]));
		cli_json_print(cli, o);
	}
	return CLI_OK;
}

int cmd_sparse(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} sub[] = {
	    {"info", sparse_info},
	    {"unsparse", sparse_unsparse},
	    {"make", sparse_make},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, SPARSE_USAGE);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "sparse %s", sub[i].name);
			cli->cmd = cmd;
			int rc = sub[i].fn(cli, argc - 1, argv + 1);

			cli->cmd = "sparse";
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown sparse command '%s'\nusage: %s %s", argv[1], cli->prog, SPARSE_USAGE);
}
