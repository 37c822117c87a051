/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox flash (a QFIL flat build), gpt (the partition tables) and backup
 * (every partition plus a rawprogram XML that restores them). */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edl.h"
#include "qcbox/flatbuild.h"
#include "qcbox/gpt.h"
#include "qcbox/sparse.h"

/* Problems with the files the user gave are exit 2 whatever the library
 * calls them; the device's and the link's stay 1. */
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

/* ---- flash ---- */

#define FLASH_USAGE                                                                                                    \
	"flash [--storage T] [--loader L] [--dry-run] [--no-verify] [--strict] [--no-reset] FILE...\n"                 \
	"       flash [--storage T] [--loader L] [--no-verify] --partition NAME IMAGE\n"                               \
	"  FILEs: rawprogram*.xml and patch*.xml of a QFIL flat build (images relative to each\n"                      \
	"  XML) and optionally the programmer (ELF/MBN), uploaded through Sahara first."

enum { OPT_NO_RESET = EDL_OPT_ACK_EVERY + 1 };

struct flash_opts {
	struct edl_opts e;
	bool no_reset;
};

static int flash_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct flash_opts *o = user;

	if (c == OPT_NO_RESET) {
		o->no_reset = true;
		return CLI_OK;
	}
	return edl_opt(cli, &o->e, c, arg);
}

struct flash_report {
	struct cli *cli;
	json_object *done;
};

static const char *verified_how(int v)
{
	return v == 1 ? "sha256" : v == 2 ? "readback" : "no";
}

static void image_done(void *user, const struct qc_fb_program *p, const struct qc_fh_image_result *r)
{
	struct flash_report *rep = user;
	json_object *e = json_object_new_object();

	json_object_object_add(e, "lun", json_object_new_int((int)p->lun));
	json_object_object_add(e, "start_sector", json_object_new_int64((int64_t)p->start_sector));
	json_object_object_add(e, "sectors", json_object_new_int64((int64_t)p->data_sectors));
	json_object_object_add(e, "file", json_object_new_string(p->path));
	json_object_object_add(e, "label", json_object_new_string(p->label));
	json_object_object_add(e, "bytes", json_object_new_int64((int64_t)r->total_bytes));
	json_object_object_add(e, "programs", json_object_new_int64(r->programs));
	json_object_object_add(e, "verified", json_object_new_string(verified_how(r->verified)));
	json_object_array_add(rep->done, e);
}

/* rawprogram2.xml before rawprogram10.xml */
static int natural_order(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	while (*x && *y) {
		if (isdigit((unsigned char)*x) && isdigit((unsigned char)*y)) {
			char *ex, *ey;
			unsigned long long nx = strtoull(x, &ex, 10), ny = strtoull(y, &ey, 10);

			if (nx != ny)
				return nx < ny ? -1 : 1;
			x = ex;
			y = ey;
		} else if (*x != *y) {
			return (unsigned char)*x - (unsigned char)*y;
		} else {
			x++;
			y++;
		}
	}
	return (unsigned char)*x - (unsigned char)*y;
}

struct file_list {
	char **v;
	size_t n;
};

static int list_add(struct file_list *l, const char *path)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -1;
	l->v = v;
	if (!(v[l->n] = strdup(path)))
		return -1;
	l->n++;
	return 0;
}

static void list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The FILE arguments, a directory standing for its rawprogram*.xml and
 * patch*.xml. */
static int expand_files(struct cli *cli, char **argv, int argc, struct file_list *out)
{
	for (int i = 0; i < argc; i++) {
		struct stat st;

		if (stat(argv[i], &st) < 0 || !S_ISDIR(st.st_mode)) {
			if (list_add(out, argv[i]) < 0)
				return cli_error(cli, CLI_FAILED, "out of memory");
			continue;
		}
		static const char *const pats[] = {"rawprogram*.xml", "patch*.xml"};
		size_t before = out->n;

		for (size_t k = 0; k < 2; k++) {
			char pat[4200];
			glob_t g;

			snprintf(pat, sizeof(pat), "%s/%s", argv[i], pats[k]);
			if (glob(pat, 0, NULL, &g) == 0) {
				qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), natural_order);
				for (size_t j = 0; j < g.gl_pathc; j++)
					if (list_add(out, g.gl_pathv[j]) < 0) {
						globfree(&g);
						return cli_error(cli, CLI_FAILED, "out of memory");
					}
			}
			globfree(&g);
		}
		if (out->n == before)
			return cli_error(cli, CLI_USAGE, "%s holds no rawprogram*.xml or patch*.xml", argv[i]);
	}
	return CLI_OK;
}

/* `flash --dry-run` is `plan` with the same files. */
static int dry_run(struct cli *cli, bool strict, char **files, int nfiles)
{
	char **av = calloc((size_t)nfiles + 3, sizeof(*av));
	int ac = 0, rc;

	if (!av)
		return cli_error(cli, CLI_FAILED, "out of memory");
	av[ac++] = "plan";
	if (strict)
		av[ac++] = "--strict";
	for (int i = 0; i < nfiles; i++)
		av[ac++] = files[i];
	cli->cmd = "flash --dry-run";
	rc = cmd_plan(cli, ac, av);
	free(av);
	return rc;
}

/* flash --partition NAME IMAGE: the write command with a name. */
static int flash_partition(struct cli *cli, const struct flash_opts *o, const char *image)
{
	char *av[8];
	int ac = 0;

	av[ac++] = "write";
	if (o->e.no_verify)
		av[ac++] = "--no-verify";
	if (o->e.fh.memory) {
		av[ac++] = "--storage";
		av[ac++] = (char *)o->e.fh.memory;
	}
	if (o->e.loader) {
		av[ac++] = "--loader";
		av[ac++] = (char *)o->e.loader;
	}
	av[ac++] = (char *)o->e.partition;
	av[ac++] = (char *)image;
	return cmd_write(cli, ac, av);
}

int cmd_flash(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    EDL_LONGOPTS,
	    {"no-verify", no_argument, NULL, EDL_OPT_NO_VERIFY},
	    {"dry-run", no_argument, NULL, EDL_OPT_DRY_RUN},
	    {"strict", no_argument, NULL, EDL_OPT_STRICT},
	    {"partition", required_argument, NULL, EDL_OPT_PARTITION},
	    {"no-reset", no_argument, NULL, OPT_NO_RESET},
	    {NULL, 0, NULL, 0},
	};
	struct flash_opts o = {0};
	struct qc_fh_flash_result res;
	struct flash_report rep = {cli, NULL};
	struct file_list files = {0};
	const char *programmer = NULL;
	qc_flatbuild *fb = NULL;
	qc_transport *t = NULL;
	qc_fh *fh = NULL;
	bool help;
	int first, rc;

	edl_opts_init(&o.e);
	rc = cli_parse_options(cli, argc, argv, "", longopts, flash_opt, &o, &first, FLASH_USAGE, &help);
	if (rc || help)
		return rc;
	if (first >= argc)
		return cli_usage(cli, FLASH_USAGE);
	if (o.e.dry_run)
		return dry_run(cli, o.e.strict, argv + first, argc - first);
	if (o.e.partition) {
		if (argc - first != 1)
			return cli_error(cli, CLI_USAGE, "--partition takes exactly one image");
		return flash_partition(cli, &o, argv[first]);
	}
	if ((rc = expand_files(cli, argv + first, argc - first, &files)) != CLI_OK)
		goto out;
	if ((rc = qc_flatbuild_new(cli->ctx, &fb)) < 0) {
		rc = cli_fail(cli, rc);
		goto out;
	}
	/* rawprogram files first, then patch files, whatever the order given */
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < files.n; i++) {
			enum qc_fb_file_kind kind;
			const char *path = files.v[i];

			rc = qc_fb_file_kind(cli->ctx, path, &kind);
			if (rc < 0) {
				rc = input_fail(cli, rc);
				goto out;
			}
			if (pass == 0 && kind == QC_FB_PROGRAMMER) {
				if (programmer || (o.e.loader && strcmp(o.e.loader, path))) {
					rc = cli_error(cli, CLI_USAGE, "two programmers given: %s and %s",
						       programmer ? programmer : o.e.loader, path);
					goto out;
				}
				programmer = path;
				continue;
			}
			if (pass == 0 && kind != QC_FB_RAWPROGRAM && kind != QC_FB_PATCH) {
				rc = cli_error(cli, CLI_USAGE,
					       "%s is not a rawprogram or patch XML, nor a programmer (a single image "
					       "goes with --partition NAME)",
					       path);
				goto out;
			}
			if (pass == 0 ? kind != QC_FB_RAWPROGRAM : kind != QC_FB_PATCH)
				continue;
			rc = qc_flatbuild_add_file(fb, path, NULL);
			if (rc < 0) {
				rc = input_fail(cli, rc);
				goto out;
			}
		}
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
	/* Absent images are named and skipped, as QFIL and qdl do. */
	for (size_t i = 0; i < in->nprograms; i++) {
		const struct qc_fb_program *p = &in->programs[i];

		if (p->missing)
			cli_warn(cli, "%s line %u: %s for '%s' (LUN %u) is absent%s", p->xml, p->line, p->filename,
				 p->label, p->lun, o.e.strict ? "" : "; skipped");
	}
	if (in->nmissing && o.e.strict) {
		rc = cli_error(cli, CLI_USAGE, "%zu image file%s absent (--strict); nothing was written", in->nmissing,
			       in->nmissing > 1 ? "s are" : " is");
		goto out;
	}
	if (programmer)
		o.e.loader = programmer;
	if ((rc = edl_connect(cli, &o.e, &t, &fh)))
		goto out;
	rep.done = json_object_new_array();
	struct qc_fh_flash_options fo = {.verify = !o.e.no_verify, .image_done = image_done, .user = &rep};

	rc = qc_fh_flash(fh, fb, &fo, &res);
	if (rc < 0) {
		int code = input_fail(cli, rc);

		/* A layout the device cannot take is bad input; anything
		 * after the first write is a failed operation. */
		rc = res.images_done || res.failed ? (code == CLI_NODEV ? CLI_NODEV : CLI_FAILED) : code;
		if (res.images_done && !cli->json) {
			fprintf(stderr, "%s: written before the failure:", cli->prog);
			for (size_t i = 0; i < json_object_array_length(rep.done); i++)
				fprintf(stderr, " %s",
					json_object_get_string(
					    json_object_object_get(json_object_array_get_idx(rep.done, i), "label")));
			fprintf(stderr, "\n");
		}
		goto out;
	}
	if (!o.no_reset) {
		rc = qc_fh_power(fh, "reset", 0);
		if (rc < 0)
			cli_warn(cli, "the device did not take the reset: %s", qc_last_error(cli->ctx));
	}
	if (cli->json) {
		json_object *j = json_object_new_object(), *miss = json_object_new_array();

		for (size_t i = 0; i < in->nmissing; i++)
			json_object_array_add(miss, json_object_new_string(in->missing[i]));
		json_object_object_add(j, "programs", json_object_get(rep.done));
		json_object_object_add(j, "images", json_object_new_int64((int64_t)res.images_done));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)res.bytes_done));
		json_object_object_add(j, "patches", json_object_new_int64((int64_t)res.patches_done));
		json_object_object_add(j, "missing_files", miss);
		json_object_object_add(j, "bootable_lun",
				       res.bootable_lun >= 0 ? json_object_new_int(res.bootable_lun) : NULL);
		json_object_object_add(j, "verified", json_object_new_boolean(!o.e.no_verify));
		cli_json_print(cli, j);
	} else {
		cli_info(cli, "flashed %zu images (%.1f MiB)%s, %zu patches", res.images_done,
			 (double)res.bytes_done / 1048576.0, o.e.no_verify ? "" : ", each verified", res.patches_done);
		if (res.bootable_lun >= 0)
			cli_info(cli, ", boot LUN %d", res.bootable_lun);
		if (in->nmissing)
			cli_info(cli, "; %zu absent file%s skipped", in->nmissing, in->nmissing > 1 ? "s" : "");
		cli_info(cli, "\n");
	}
	rc = CLI_OK;
out:
	json_object_put(rep.done);
	if (fh || t)
		edl_close(t, fh);
	qc_flatbuild_free(fb);
	list_free(&files);
	return rc;
}

/* ---- gpt ---- */

static json_object *header_json(const struct qc_gpt_header *h)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "present", json_object_new_boolean(h->present));
	json_object_object_add(o, "header_crc_ok", json_object_new_boolean(h->present && h->header_crc_ok));
	json_object_object_add(o, "entries_crc_ok", json_object_new_boolean(h->present && h->entries_crc_ok));
	json_object_object_add(o, "lba_ok", json_object_new_boolean(h->present && h->lba_ok));
	if (h->present) {
		json_object_object_add(o, "my_lba", json_object_new_int64((int64_t)h->my_lba));
		json_object_object_add(o, "alternate_lba", json_object_new_int64((int64_t)h->alternate_lba));
		json_object_object_add(o, "first_usable_lba", json_object_new_int64((int64_t)h->first_usable_lba));
		json_object_object_add(o, "last_usable_lba", json_object_new_int64((int64_t)h->last_usable_lba));
		json_object_object_add(o, "disk_guid", json_object_new_string(h->disk_guid));
		json_object_object_add(o, "entries", json_object_new_int64(h->num_entries));
	}
	return o;
}

/* Both copies must be right for the CRC flags to be true. */
static bool both(const struct qc_gpt *g, bool primary, bool backup)
{
	return primary && (!g->backup_checked || backup);
}

static json_object *lun_json(unsigned lun, const struct qc_gpt *g)
{
	json_object *o = json_object_new_object(), *parts = json_object_new_array();
	char dmg[256];

	json_object_object_add(o, "lun", json_object_new_int((int)lun));
	json_object_object_add(o, "sector_size", json_object_new_int((int)g->sector_size));
	json_object_object_add(o, "disk_sectors", json_object_new_int64((int64_t)g->disk_sectors));
	json_object_object_add(o, "has_gpt", json_object_new_boolean(g->has_gpt));
	for (size_t i = 0; i < g->count; i++) {
		const struct qc_gpt_partition *p = &g->parts[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(p->name));
		json_object_object_add(e, "start", json_object_new_int64((int64_t)p->first_lba));
		json_object_object_add(e, "sectors", json_object_new_int64((int64_t)p->sectors));
		json_object_object_add(e, "type_guid", json_object_new_string(p->type_guid));
		json_object_object_add(e, "unique_guid", json_object_new_string(p->unique_guid));
		json_object_object_add(e, "attributes", json_object_new_int64((int64_t)p->attributes));
		json_object_array_add(parts, e);
	}
	json_object_object_add(o, "partitions", parts);
	json_object_object_add(
	    o, "header_crc_ok",
	    json_object_new_boolean(g->has_gpt && both(g, g->primary.present && g->primary.header_crc_ok,
						       g->backup.present && g->backup.header_crc_ok)));
	json_object_object_add(
	    o, "entries_crc_ok",
	    json_object_new_boolean(g->has_gpt && both(g, g->primary.present && g->primary.entries_crc_ok,
						       g->backup.present && g->backup.entries_crc_ok)));
	json_object_object_add(o, "primary", header_json(&g->primary));
	json_object_object_add(o, "backup", header_json(&g->backup));
	json_object_object_add(o, "damage",
			       json_object_new_string(g->damage ? qc_gpt_damage_str(g->damage, dmg, sizeof(dmg)) : ""));
	return o;
}

static void lun_human(struct cli *cli, unsigned lun, const struct qc_gpt *g)
{
	char dmg[256];

	if (!g->has_gpt) {
		cli_out(cli, "LUN %u: no GPT (%llu sectors of %u bytes)\n\n", lun, (unsigned long long)g->disk_sectors,
			g->sector_size);
		return;
	}
	cli_out(cli, "LUN %u: %zu partitions, %llu sectors of %u bytes, %s\n", lun, g->count,
		(unsigned long long)g->disk_sectors, g->sector_size,
		g->damage ? qc_gpt_damage_str(g->damage, dmg, sizeof(dmg)) : "primary and backup valid");
	cli_out(cli, "  %-3s %-24s %12s %12s %12s  %s\n", "#", "NAME", "START", "SECTORS", "SIZE", "TYPE");
	for (size_t i = 0; i < g->count; i++) {
		const struct qc_gpt_partition *p = &g->parts[i];
		double kib = (double)p->sectors * g->sector_size / 1024.0;
		char size[32];

		if (kib >= 1024 * 1024)
			snprintf(size, sizeof(size), "%.1f GiB", kib / 1048576.0);
		else if (kib >= 1024)
			snprintf(size, sizeof(size), "%.1f MiB", kib / 1024.0);
		else
			snprintf(size, sizeof(size), "%.0f KiB", kib);
		cli_out(cli, "  %-3u %-24s %12llu %12llu %12s  %s\n", p->index, p->name,
			(unsigned long long)p->first_lba, (unsigned long long)p->sectors, size, p->type_guid);
	}
	cli_out(cli, "\n");
}

int cmd_gpt(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    EDL_LONGOPTS, {"lun", required_argument, NULL, EDL_OPT_LUN}, {NULL, 0, NULL, 0}};
	const char *usage = "gpt [--storage T] [--loader L] [--lun N]";
	struct edl_opts o;
	qc_transport *t;
	qc_fh *fh;
	unsigned luns, from, to;
	json_object *arr = NULL;
	bool help;
	int first, rc;

	edl_opts_init(&o);
	rc = cli_parse_options(cli, argc, argv, "", longopts, edl_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc != first)
		return cli_usage(cli, usage);
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	if (o.lun >= 0) {
		from = (unsigned)o.lun;
		to = from + 1;
	} else {
		rc = qc_fh_lun_count(fh, &luns);
		if (rc < 0) {
			rc = cli_fail(cli, rc);
			edl_close(t, fh);
			return rc;
		}
		from = 0;
		to = luns;
	}
	if (cli->json)
		arr = json_object_new_array();
	for (unsigned lun = from; lun < to; lun++) {
		struct qc_gpt g;

		rc = qc_fh_read_gpt(fh, lun, &g);
		if (rc < 0) {
			rc = cli_fail(cli, rc);
			json_object_put(arr);
			edl_close(t, fh);
			return rc;
		}
		if (arr)
			json_object_array_add(arr, lun_json(lun, &g));
		else
			lun_human(cli, lun, &g);
		qc_gpt_free(&g);
	}
	if (arr) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "luns", arr);
		cli_json_print(cli, j);
	}
	edl_close(t, fh);
	return CLI_OK;
}

/* ---- backup ---- */

/* A partition name from the device as a file name: nothing that climbs out
 * of DIR or hides, whatever the GPT says. */
static void safe_name(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = in; *p && n + 1 < cap; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			  c == '-' || (c == '.' && n > 0);

		out[n++] = ok ? c : '_';
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, cap, "unnamed");
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, f);
		}
	}
}

struct out_file {
	int fd;
	const char *path;
	qc_ctx *ctx;
};

static int out_write(void *user, uint64_t off, const void *buf, size_t len)
{
	struct out_file *f = user;
	const uint8_t *p = buf;

	(void)off;
	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qc_fail(f->ctx, QC_E_IO, "cannot write %s: %s", f->path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads a range into DIR/NAME; returns 0 or a library error. */
static int save_range(struct cli *cli, qc_fh *fh, const char *dir, const char *name, unsigned lun, uint64_t start,
		      uint64_t sectors, const char *label)
{
	char path[4096];
	struct out_file f = {.ctx = cli->ctx};
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f.path = path;
	f.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (f.fd < 0)
		return qc_fail(cli->ctx, QC_E_IO, "cannot create %s: %s", path, strerror(errno));
	rc = qc_fh_read(fh, lun, start, sectors, out_write, &f, label);
	if (close(f.fd) < 0 && rc == 0)
		rc = qc_fail(cli->ctx, QC_E_IO, "cannot write %s: %s", path, strerror(errno));
	return rc;
}

static int backup_lun(struct cli *cli, qc_fh *fh, const char *dir, unsigned lun, const struct qc_gpt *g,
		      json_object *list, uint64_t *bytes)
{
	const struct qc_gpt_header *h = g->primary_valid ? &g->primary : &g->backup;
	unsigned ss = g->sector_size;
	uint64_t head = h->first_usable_lba, tail = g->disk_sectors - 1 - h->last_usable_lba;
	char xmlpath[4096], file[256], safe[200];
	FILE *x;
	int rc;

	snprintf(xmlpath, sizeof(xmlpath), "%s/rawprogram%u.xml", dir, lun);
	x = fopen(xmlpath, "w");
	if (!x)
		return qc_fail(cli->ctx, QC_E_IO, "cannot create %s: %s", xmlpath, strerror(errno));
	fprintf(x, "<?xml version=\"1.0\" ?>\n<data>\n  <!-- made by qcbox backup: restore with qcbox flash -->\n");
	/* The tables as they are, so a restore needs no patches. */
	snprintf(file, sizeof(file), "gpt_main%u.bin", lun);
	rc = save_range(cli, fh, dir, file, lun, 0, head, "PrimaryGPT");
	if (rc == 0) {
		fprintf(x,
			"  <program SECTOR_SIZE_IN_BYTES=\"%u\" file_sector_offset=\"0\" filename=\"%s\" "
			"label=\"PrimaryGPT\" num_partition_sectors=\"%llu\" physical_partition_number=\"%u\" "
			"start_sector=\"0\" sparse=\"false\" />\n",
			ss, file, (unsigned long long)head, lun);
		snprintf(file, sizeof(file), "gpt_backup%u.bin", lun);
		rc = save_range(cli, fh, dir, file, lun, g->disk_sectors - tail, tail, "BackupGPT");
	}
	if (rc == 0)
		fprintf(x,
			"  <program SECTOR_SIZE_IN_BYTES=\"%u\" file_sector_offset=\"0\" filename=\"%s\" "
			"label=\"BackupGPT\" num_partition_sectors=\"%llu\" physical_partition_number=\"%u\" "
			"start_sector=\"NUM_DISK_SECTORS-%llu.\" sparse=\"false\" />\n",
			ss, file, (unsigned long long)tail, lun, (unsigned long long)tail);
	*bytes += (head + tail) * ss;
	for (size_t i = 0; rc == 0 && i < g->count; i++) {
		const struct qc_gpt_partition *p = &g->parts[i];
		json_object *e;

		if (!p->sectors)
			continue;
		safe_name(p->name, safe, sizeof(safe));
		/* entry index keeps two partitions of one name apart */
		snprintf(file, sizeof(file), "lun%u_%02u_%s.bin", lun, p->index, safe);
		rc = save_range(cli, fh, dir, file, lun, p->first_lba, p->sectors, p->name);
		if (rc < 0)
			break;
		fprintf(x, "  <program SECTOR_SIZE_IN_BYTES=\"%u\" file_sector_offset=\"0\" filename=\"%s\" label=\"",
			ss, file);
		xml_escaped(x, p->name);
		fprintf(x,
			"\" num_partition_sectors=\"%llu\" physical_partition_number=\"%u\" start_sector=\"%llu\" "
			"sparse=\"false\" />\n",
			(unsigned long long)p->sectors, lun, (unsigned long long)p->first_lba);
		*bytes += p->sectors * ss;
		e = json_object_new_object();
		json_object_object_add(e, "lun", json_object_new_int((int)lun));
		json_object_object_add(e, "name", json_object_new_string(p->name));
		json_object_object_add(e, "file", json_object_new_string(file));
		json_object_object_add(e, "start", json_object_new_int64((int64_t)p->first_lba));
		json_object_object_add(e, "sectors", json_object_new_int64((int64_t)p->sectors));
		json_object_array_add(list, e);
	}
	fprintf(x, "</data>\n");
	if (fclose(x) != 0 && rc == 0)
		rc = qc_fail(cli->ctx, QC_E_IO, "cannot write %s", xmlpath);
	return rc;
}

int cmd_backup(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    EDL_LONGOPTS, {"lun", required_argument, NULL, EDL_OPT_LUN}, {NULL, 0, NULL, 0}};
	const char *usage = "backup [--storage T] [--loader L] [--lun N] DIR";
	struct edl_opts o;
	qc_transport *t;
	qc_fh *fh;
	unsigned luns, from, to, saved = 0;
	uint64_t bytes = 0;
	json_object *list;
	struct stat st;
	bool help;
	int first, rc;

	edl_opts_init(&o);
	rc = cli_parse_options(cli, argc, argv, "", longopts, edl_opt, &o, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 1)
		return cli_usage(cli, usage);
	const char *dir = argv[first];

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return cli_error(cli, CLI_USAGE, "cannot create %s: %s", dir, strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return cli_error(cli, CLI_USAGE, "%s is not a directory", dir);
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	if (o.lun >= 0) {
		from = (unsigned)o.lun;
		to = from + 1;
	} else {
		rc = qc_fh_lun_count(fh, &luns);
		if (rc < 0) {
			rc = cli_fail(cli, rc);
			edl_close(t, fh);
			return rc;
		}
		from = 0;
		to = luns;
	}
	list = json_object_new_array();
	for (unsigned lun = from; lun < to; lun++) {
		struct qc_gpt g;

		rc = qc_fh_read_gpt(fh, lun, &g);
		if (rc == 0 && !g.count) {
			cli_warn(cli, "LUN %u has %s GPT: not backed up", lun, g.has_gpt ? "no valid" : "no");
		} else if (rc == 0) {
			rc = backup_lun(cli, fh, dir, lun, &g, list, &bytes);
			saved++;
		}
		qc_gpt_free(&g);
		if (rc < 0) {
			rc = cli_fail(cli, rc);
			json_object_put(list);
			edl_close(t, fh);
			return rc;
		}
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "dir", json_object_new_string(dir));
		json_object_object_add(j, "luns", json_object_new_int((int)saved));
		json_object_object_add(j, "partitions", json_object_get(list));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)bytes));
		cli_json_print(cli, j);
	} else {
		cli_info(
		    cli,
		    "saved %zu partitions of %u LUNs (%.1f MiB) to %s; restore with: qcbox flash %s\n",
		    json_object_array_length(list), saved, (double)bytes / 1048576.0, dir, dir);
	}
	json_object_put(list);
	edl_close(t, fh);
	return CLI_OK;
}
