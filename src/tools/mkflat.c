/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qcbox-mkflat: writes a small QFIL flat build of the project's own into a
 * directory, laid out the way Qualcomm's ptool does it, for the demo and for
 * tests that must not depend on vendor files:
 *
 *   gpt_mainN.bin / gpt_backupN.bin   unpatched GPT images per LUN, made for a
 *                                     "minimal" disk that ends with the backup
 *   rawprogramN.xml / patchN.xml      programs, and the canonical patch set that
 *                                     fixes the GPT for the real disk size
 *   boot.img, xbl.img, cdtN.bin       raw images (boot.img ends mid-sector)
 *   system.simg                       Android sparse: RAW, FILL, DONT_CARE, CRC32
 *   prog_firehose_demo.elf            a stand-in programmer (minimal ELF64)
 *
 * plus one entry whose file is absent (vendor.img) and one with filename="".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qcbox/gpt.h"
#include "qcbox/sparse.h"

#define MAX_LUNS  8
#define MAX_PARTS 8

enum source { SRC_NONE, SRC_RAW, SRC_SPARSE, SRC_ABSENT };

struct part {
	const char *label;
	const char *type;
	uint64_t bytes;	  /* partition size; 0 = grows to the end of the disk */
	const char *file; /* "" = nothing to write */
	enum source src;
	/* filled in */
	uint64_t first, sectors;
};

struct lun {
	struct part parts[MAX_PARTS];
	size_t n;
};

struct opts {
	const char *dir;
	unsigned luns;
	unsigned ss;
	bool quiet;
};

static const char *const T_BOOT = "20117f86-e985-4357-b9ee-374bc1d8487d";
static const char *const T_SYSTEM = "97d7b011-54da-4835-b3c4-917ad6e73d74";
static const char *const T_VENDOR = "97d7b011-54da-4835-b3c4-917ad6e73d74";
static const char *const T_MISC = "82acc91f-357c-4a68-9c8f-689e1b1a23a1";
static const char *const T_USERDATA = "1b81e7e6-f50d-419b-a739-2aeef8da3335";
static const char *const T_XBL = "dea0ba2c-cbdd-4805-b4f9-f428251c3e98";
static const char *const T_CDT = "a19f205f-ccd8-4b6d-8f1e-2d9bc24cffb1";
static const char *const T_NONE = "00000000-0000-0000-0000-000000000000";

static int fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "qcbox-mkflat: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

static char *path_in(const struct opts *o, const char *name)
{
	static char buf[4][4096];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", o->dir, name);
	return buf[k];
}

static int write_file(const struct opts *o, const char *name, const void *data, size_t len)
{
	const char *p = path_in(o, name);
	FILE *f = fopen(p, "wb");

	if (!f)
		return fail("cannot create %s: %s", p, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return fail("cannot write %s%s", p, "");
	return 0;
}

/* Deterministic bytes that do not compress into FILL blocks. */
static void noise(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 24);
	}
}

static int raw_image(const struct opts *o, const char *name, size_t len, uint32_t seed)
{
	uint8_t *b = malloc(len);
	int rc;

	if (!b)
		return fail("out of memory%s%s", "", "");
	noise(b, len, seed);
	/* a readable start, so a read-back is easy to recognise */
	snprintf((char *)b, len < 64 ? len : 64, "qcbox demo image %s", name);
	rc = write_file(o, name, b, len);
	free(b);
	return rc;
}

/* 8 MiB once expanded: data, a fill pattern, holes, more data, a CRC32. */
static int sparse_image(const struct opts *o, qc_ctx *ctx, const char *name)
{
	const uint32_t bs = 4096, blocks = 2048;
	qc_sparse_writer *w;
	uint8_t *data = malloc(256 * bs);
	int rc;

	if (!data)
		return fail("out of memory%s%s", "", "");
	noise(data, 256 * bs, 77);
	snprintf((char *)data, 64, "qcbox demo image %s", name);
	rc = qc_sparse_writer_open(ctx, path_in(o, name), bs, blocks, true, &w);
	if (rc == 0 && (rc = qc_sparse_writer_raw(w, data, 256)) == 0 &&
	    (rc = qc_sparse_writer_fill(w, 0x5aa5c33cu, 128)) == 0 && (rc = qc_sparse_writer_skip(w, 1024)) == 0 &&
	    (rc = qc_sparse_writer_raw(w, data + 128 * bs, 64)) == 0 && (rc = qc_sparse_writer_fill(w, 0, 64)) == 0 &&
	    (rc = qc_sparse_writer_skip(w, blocks - 256 - 128 - 1024 - 64 - 64)) == 0)
		rc = qc_sparse_writer_close(w);
	else if (rc == 0)
		qc_sparse_writer_abort(w);
	free(data);
	if (rc < 0)
		return fail("%s%s", qc_last_error(ctx), "");
	return 0;
}

/* A minimal ELF64 AArch64 executable: header, one PT_LOAD, a 4 KiB body. */
static int programmer(const struct opts *o, const char *name)
{
	uint8_t f[8192] = {0};
	const uint64_t entry = 0x14680000u;

	memcpy(f,
	       "\x7f"
	       "ELF",
	       4);
	f[4] = 2;     /* ELFCLASS64 */
	f[5] = 1;     /* little-endian */
	f[6] = 1;     /* EV_CURRENT */
	f[16] = 2;    /* ET_EXEC */
	f[18] = 0xb7; /* EM_AARCH64 */
	f[20] = 1;    /* e_version */
	for (int i = 0; i < 8; i++)
		f[24 + i] = (uint8_t)(entry >> (8 * i)); /* e_entry */
	f[32] = 64;					 /* e_phoff */
	f[52] = 64;					 /* e_ehsize */
	f[54] = 56;					 /* e_phentsize */
	f[56] = 1;					 /* e_phnum */
	f[58] = 64;					 /* e_shentsize (no sections) */
	uint8_t *ph = f + 64;

	ph[0] = 1;	  /* PT_LOAD */
	ph[4] = 5;	  /* R+X */
	ph[8 + 1] = 0x10; /* p_offset 0x1000 */
	for (int i = 0; i < 8; i++) {
		ph[16 + i] = (uint8_t)(entry >> (8 * i)); /* p_vaddr */
		ph[24 + i] = (uint8_t)(entry >> (8 * i)); /* p_paddr */
	}
	ph[32 + 1] = 0x10; /* p_filesz 0x1000 */
	ph[40 + 1] = 0x10; /* p_memsz */
	ph[48 + 1] = 0x10; /* p_align */
	noise(f + 4096, 4096, 5);
	snprintf((char *)f + 4096, 64, "qcbox demo programmer (not a real Firehose loader)");
	return write_file(o, name, f, sizeof(f));
}

static void layout(const struct opts *o, struct lun *l)
{
	memset(l, 0, sizeof(*l) * o->luns);
	/* LUN 0: the user area, as on eMMC or UFS LU 0 */
	struct part p0[] = {
	    {"boot_a", T_BOOT, 1 << 20, "boot.img", SRC_RAW},
	    {"system", T_SYSTEM, 12 << 20, "system.simg", SRC_SPARSE},
	    {"vendor", T_VENDOR, 1 << 20, "vendor.img", SRC_ABSENT},
	    {"misc", T_MISC, 256 << 10, "", SRC_NONE},
	    {"userdata", T_USERDATA, 0, "", SRC_NONE},
	};
	memcpy(l[0].parts, p0, sizeof(p0));
	l[0].n = 5;
	if (o->luns == 1) {
		/* one disk: the first-stage loader goes there too */
		struct part x = {"xbl", T_XBL, 512 << 10, "xbl.img", SRC_RAW};

		memmove(l[0].parts + 1, l[0].parts, sizeof(p0));
		l[0].parts[0] = x;
		l[0].n++;
		return;
	}
	/* LUN 1 boots (xbl_a, like QFIL's boot LU A); ptool closes boot LUNs
	 * with a size-0 placeholder of all-zero type */
	struct part p1[] = {
	    {"xbl_a", T_XBL, 512 << 10, "xbl.img", SRC_RAW},
	    {"last_parti", T_NONE, 0, "", SRC_NONE},
	};
	memcpy(l[1].parts, p1, sizeof(p1));
	l[1].n = 2;
	for (unsigned i = 2; i < o->luns; i++) {
		static char files[MAX_LUNS][16], labels[MAX_LUNS][16];

		snprintf(files[i], sizeof(files[i]), "cdt%u.bin", i);
		snprintf(labels[i], sizeof(labels[i]), "cdt%u", i);
		struct part pn[] = {
		    {labels[i], T_CDT, 128 << 10, files[i], SRC_RAW},
		    {"last_parti", T_NONE, 0, "", SRC_NONE},
		};
		memcpy(l[i].parts, pn, sizeof(pn));
		l[i].n = 2;
	}
}

static FILE *open_xml(const struct opts *o, const char *name, const char *root)
{
	const char *p = path_in(o, name);
	FILE *f = fopen(p, "w");

	if (!f) {
		fail("cannot create %s: %s", p, strerror(errno));
		return NULL;
	}
	fprintf(f, "<?xml version=\"1.0\" ?>\n<%s>\n", root);
	fprintf(f, "  <!--NOTE: This is an ** Autogenerated file ** (qcbox-mkflat demo build)-->\n");
	return f;
}

static void program_line(FILE *f, unsigned ss, unsigned lun, const char *start, uint64_t start_bytes,
			 const char *start_bytes_expr, uint64_t sectors, const char *file, bool sparse, bool single,
			 const char *label)
{
	char hex[64];

	if (start_bytes_expr)
		snprintf(hex, sizeof(hex), "%s", start_bytes_expr);
	else
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)start_bytes);
	fprintf(f,
		"  <program start_sector=\"%s\" size_in_KB=\"%.1f\" physical_partition_number=\"%u\" "
		"partofsingleimage=\"%s\" file_sector_offset=\"0\" num_partition_sectors=\"%llu\" "
		"readbackverify=\"false\" filename=\"%s\" sparse=\"%s\" start_byte_hex=\"%s\" "
		"SECTOR_SIZE_IN_BYTES=\"%u\" label=\"%s\"/>\n",
		start, (double)sectors * ss / 1024.0, lun, single ? "true" : "false", (unsigned long long)sectors, file,
		sparse ? "true" : "false", hex, ss, label);
}

static void patch_line(FILE *f, unsigned ss, unsigned lun, const char *start, uint64_t off, unsigned size,
		       const char *value, const char *file, const char *what)
{
	fprintf(
	    f,
	    "  <patch start_sector=\"%s\" byte_offset=\"%llu\" physical_partition_number=\"%u\" size_in_bytes=\"%u\" "
	    "value=\"%s\" filename=\"%s\" SECTOR_SIZE_IN_BYTES=\"%u\" what=\"%s\"/>\n",
	    start, (unsigned long long)off, lun, size, value, file, ss, what);
}

/* A patch applied to the host file and to the disk, as ptool emits them. */
static void patch_pair(FILE *f, unsigned ss, unsigned lun, const char *file_start, const char *disk_start, uint64_t off,
		       unsigned size, const char *file_value, const char *disk_value, const char *file,
		       const char *what)
{
	patch_line(f, ss, lun, file_start, off, size, file_value, file, what);
	patch_line(f, ss, lun, disk_start, off, size, disk_value, "DISK", what);
}

static int write_lun(const struct opts *o, qc_ctx *ctx, unsigned n, struct lun *l)
{
	const unsigned ss = o->ss;
	const uint32_t entries = ss == 512 ? 128 : 32;
	const uint64_t psec = qc_gpt_primary_sectors(ss, entries), bsec = qc_gpt_backup_sectors(ss, entries);
	struct qc_gpt_new_partition np[MAX_PARTS];
	char name[64], guid[QC_GPT_GUID_STR], s1[64], s2[64], v1[64], v2[64], main_name[32], backup_name[32];
	uint64_t lba = psec;
	size_t grow = l->n - 1;
	uint8_t *pimg, *bimg;
	size_t plen, blen;
	int rc;

	for (size_t i = 0; i < l->n; i++) {
		struct part *p = &l->parts[i];

		p->first = lba;
		p->sectors = (p->bytes + ss - 1) / ss;
		np[i].name = p->label;
		np[i].type_guid = p->type;
		np[i].unique_guid = NULL;
		np[i].first_lba = lba;
		/* the grow partition is a placeholder (last = first - 1) until patched */
		np[i].last_lba = lba + p->sectors - 1;
		np[i].attributes = 0;
		lba += p->sectors;
	}
	/* the minimal disk ptool assumes: partitions, then the backup area */
	snprintf(guid, sizeof(guid), "9a3f0c2e-5b1d-4c8e-a7f6-0000000000%02x", n);
	struct qc_gpt_layout lay = {ss, lba + bsec, guid, entries};

	rc = qc_gpt_build(ctx, &lay, np, l->n, &pimg, &plen, &bimg, &blen);
	if (rc < 0) {
		snprintf(name, sizeof(name), "%u", n);
		return fail("LUN %s: %s", name, qc_last_error(ctx));
	}
	snprintf(main_name, sizeof(main_name), "gpt_main%u.bin", n);
	snprintf(backup_name, sizeof(backup_name), "gpt_backup%u.bin", n);
	rc = write_file(o, main_name, pimg, plen) || write_file(o, backup_name, bimg, blen);
	free(pimg);
	free(bimg);
	if (rc)
		return 1;

	snprintf(name, sizeof(name), "rawprogram%u.xml", n);
	FILE *f = open_xml(o, name, "data");

	if (!f)
		return 1;
	fprintf(f, "  <!--NOTE: Sector size is %ubytes-->\n", ss);
	for (size_t i = 0; i < l->n; i++) {
		const struct part *p = &l->parts[i];

		snprintf(s1, sizeof(s1), "%llu", (unsigned long long)p->first);
		program_line(f, ss, n, s1, p->first * ss, NULL, p->sectors, p->file, p->src == SRC_SPARSE, false,
			     p->label);
	}
	program_line(f, ss, n, "0", 0, NULL, psec, main_name, false, true, "PrimaryGPT");
	snprintf(s1, sizeof(s1), "NUM_DISK_SECTORS-%llu.", (unsigned long long)bsec);
	snprintf(s2, sizeof(s2), "(%u*NUM_DISK_SECTORS)-%llu.", ss, (unsigned long long)(bsec * ss));
	program_line(f, ss, n, s1, 0, s2, bsec, backup_name, false, true, "BackupGPT");
	fprintf(f, "</data>\n");
	if (fclose(f) != 0)
		return fail("cannot write %s%s", name, "");

	/* ptool's patch set: grow the last partition, fix both headers for
	 * the real size, recompute the array CRCs, then each header's CRC
	 * (zeroed first, since the CRC covers its own field) */
	snprintf(name, sizeof(name), "patch%u.xml", n);
	f = open_xml(o, name, "patches");
	if (!f)
		return 1;
	fprintf(f, "  <!--NOTE: Patching is in little endian format-->\n");
	uint64_t ent = (uint64_t)grow * QC_GPT_ENTRY_SIZE, esec = ent / ss, eoff = ent % ss + 40;
	uint64_t asec = bsec - 1, abytes = (uint64_t)entries * QC_GPT_ENTRY_SIZE;
	char last_usable[64], last_lba[64], what[128];

	snprintf(last_usable, sizeof(last_usable), "NUM_DISK_SECTORS-%llu.", (unsigned long long)(bsec + 1));
	snprintf(last_lba, sizeof(last_lba), "NUM_DISK_SECTORS-1.");
	snprintf(what, sizeof(what), "Update last partition %zu '%s' with actual size", grow, l->parts[grow].label);
	snprintf(s1, sizeof(s1), "%llu", (unsigned long long)(2 + esec));
	patch_pair(f, ss, n, s1, s1, eoff, 8, last_usable, last_usable, main_name, what);
	snprintf(s1, sizeof(s1), "%llu", (unsigned long long)esec);
	snprintf(s2, sizeof(s2), "NUM_DISK_SECTORS-%llu.", (unsigned long long)(bsec - esec));
	patch_pair(f, ss, n, s1, s2, eoff, 8, last_usable, last_usable, backup_name, what);
	patch_pair(f, ss, n, "1", "1", 48, 8, last_usable, last_usable, main_name,
		   "Update Primary Header with LastUseableLBA.");
	snprintf(s1, sizeof(s1), "%llu", (unsigned long long)asec);
	patch_pair(f, ss, n, s1, last_lba, 48, 8, last_usable, last_usable, backup_name,
		   "Update Backup Header with LastUseableLBA.");
	patch_pair(f, ss, n, "1", "1", 32, 8, last_lba, last_lba, main_name,
		   "Update Primary Header with BackupGPT Header Location.");
	patch_pair(f, ss, n, s1, last_lba, 24, 8, last_lba, last_lba, backup_name,
		   "Update Backup Header with CurrentLBA.");
	snprintf(v1, sizeof(v1), "NUM_DISK_SECTORS-%llu.", (unsigned long long)bsec);
	patch_pair(f, ss, n, s1, last_lba, 72, 8, v1, v1, backup_name,
		   "Update Backup Header with Partition Array Location.");
	snprintf(v1, sizeof(v1), "CRC32(2,%llu)", (unsigned long long)abytes);
	patch_pair(f, ss, n, "1", "1", 88, 4, v1, v1, main_name, "Update Primary Header with CRC of Partition Array.");
	snprintf(v1, sizeof(v1), "CRC32(0,%llu)", (unsigned long long)abytes);
	snprintf(v2, sizeof(v2), "CRC32(NUM_DISK_SECTORS-%llu.,%llu)", (unsigned long long)bsec,
		 (unsigned long long)abytes);
	patch_pair(f, ss, n, s1, last_lba, 88, 4, v1, v2, backup_name,
		   "Update Backup Header with CRC of Partition Array.");
	patch_line(f, ss, n, "1", 16, 4, "0", main_name, "Zero Out Header CRC in Primary Header.");
	patch_line(f, ss, n, "1", 16, 4, "CRC32(1,92)", main_name, "Update Primary Header with CRC of Primary Header.");
	patch_line(f, ss, n, "1", 16, 4, "0", "DISK", "Zero Out Header CRC in Primary Header.");
	patch_line(f, ss, n, "1", 16, 4, "CRC32(1,92)", "DISK", "Update Primary Header with CRC of Primary Header.");
	snprintf(v1, sizeof(v1), "CRC32(%llu,92)", (unsigned long long)asec);
	patch_line(f, ss, n, s1, 16, 4, "0", backup_name, "Zero Out Header CRC in Backup Header.");
	patch_line(f, ss, n, s1, 16, 4, v1, backup_name, "Update Backup Header with CRC of Backup Header.");
	patch_line(f, ss, n, last_lba, 16, 4, "0", "DISK", "Zero Out Header CRC in Backup Header.");
	patch_line(f, ss, n, last_lba, 16, 4, "CRC32(NUM_DISK_SECTORS-1.,92)", "DISK",
		   "Update Backup Header with CRC of Backup Header.");
	fprintf(f, "</patches>\n");
	if (fclose(f) != 0)
		return fail("cannot write %s%s", name, "");
	return 0;
}

static int usage(FILE *out)
{
	fprintf(out, "usage: qcbox-mkflat [--luns N] [--sector-size 512|4096] [-q] DIR\n"
		     "  Writes a small QFIL flat build (GPT images, rawprogram/patch XML, raw and\n"
		     "  sparse images, a stand-in programmer ELF) into DIR, created if needed.\n"
		     "  Defaults: 3 LUNs of 4096-byte sectors (UFS-like).\n");
	return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"luns", required_argument, NULL, 'l'},
						 {"sector-size", required_argument, NULL, 's'},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct opts o = {.luns = 3, .ss = 4096};
	struct lun luns[MAX_LUNS];
	int c, rc = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "l:s:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.luns = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.luns < 1 || o.luns > MAX_LUNS)
				return fail("--luns takes 1 to 8, not '%s'%s", optarg, "") + 1;
			break;
		case 's':
			o.ss = (unsigned)strtoul(optarg, &end, 10);
			if (*end || (o.ss != 512 && o.ss != 4096))
				return fail("--sector-size takes 512 or 4096, not '%s'%s", optarg, "") + 1;
			break;
		case 'q': o.quiet = true; break;
		case 'h': return usage(stdout);
		default: return usage(stderr);
		}
	}
	if (optind != argc - 1)
		return usage(stderr);
	o.dir = argv[optind];
	if (mkdir(o.dir, 0755) < 0 && errno != EEXIST)
		return fail("cannot create %s: %s", o.dir, strerror(errno));

	qc_ctx *ctx = qc_ctx_new();

	if (!ctx)
		return fail("out of memory%s%s", "", "");
	layout(&o, luns);
	for (unsigned n = 0; n < o.luns && !rc; n++)
		rc = write_lun(&o, ctx, n, &luns[n]);
	if (!rc)
		rc = raw_image(&o, "boot.img", (1 << 20) - 1000, 11) || raw_image(&o, "xbl.img", 300000, 12) ||
		     sparse_image(&o, ctx, "system.simg") || programmer(&o, "prog_firehose_demo.elf");
	for (unsigned n = 2; n < o.luns && !rc; n++) {
		char name[32];

		snprintf(name, sizeof(name), "cdt%u.bin", n);
		rc = raw_image(&o, name, 100000 + n, 20 + n);
	}
	qc_ctx_free(ctx);
	if (rc)
		return 1;
	if (!o.quiet)
		printf("qcbox-mkflat: %u LUN%s of %u-byte sectors in %s (vendor.img is left out on purpose)\n", o.luns,
		       o.luns > 1 ? "s" : "", o.ss, o.dir);
	return 0;
}
