/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * QFIL flat builds: rawprogram*.xml / patch*.xml as written by Qualcomm's
 * ptool, the start_sector / value expressions they contain, and the plan a
 * flasher follows: every <program> of every rawprogram file in the order
 * given, then every filename="DISK" <patch>, then setbootablestoragedrive.
 *
 * Nothing here talks to a device.  The Firehose host uses the plan (and
 * qc_fb_segments to turn one program into the <program> commands it
 * sends); the simulated programmer uses qc_expr_eval to apply patches the
 * way a target does.
 */
#ifndef QCBOX_FLATBUILD_H
#define QCBOX_FLATBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- expressions ---------------------------------------------------------
 * Grammar: integers (decimal, with or without ptool's trailing '.', or 0x
 * hex), NUM_DISK_SECTORS, CRC32(start_sector, length_in_bytes), + - * /,
 * unary minus, parentheses.  Arithmetic is exact on signed 64 bits: an
 * overflow, a division by zero or a negative result is an error, never a
 * wrapped value.  Expressions are at most QC_EXPR_MAX_LEN characters and
 * nest at most QC_EXPR_MAX_DEPTH deep.
 */
#define QC_EXPR_MAX_LEN	  1024
#define QC_EXPR_MAX_DEPTH 32

/* Computes the CRC-32 (qc_crc32) of LEN bytes from START_SECTOR of the disk
 * being evaluated.  Returns 0 or a negative QC_E_*. */
typedef int (*qc_expr_crc_fn)(void *user, uint64_t start_sector, uint64_t len, uint32_t *crc);

struct qc_expr_env {
	uint64_t num_disk_sectors; /* 0: unknown, NUM_DISK_SECTORS is then an error */
	qc_expr_crc_fn crc32;	   /* NULL: CRC32() is an error */
	void *user;
	const char *what; /* names the expression in messages ("patch1.xml line 7 value") */
};

enum qc_expr_needs {
	QC_EXPR_NEEDS_DISK = 1u << 0, /* mentions NUM_DISK_SECTORS */
	QC_EXPR_NEEDS_CRC = 1u << 1,  /* calls CRC32() */
};

/*
 * Evaluates EXPR.  Returns 0 with *OUT set, QC_E_FORMAT for a syntax error,
 * QC_E_RANGE for overflow, division by zero or a negative result,
 * QC_E_INVAL when it needs NUM_DISK_SECTORS or CRC32 that ENV lacks, or the
 * CRC callback's error.  Each with a sentence naming ENV->what.
 */
QC_API int qc_expr_eval(qc_ctx *ctx, const char *expr, const struct qc_expr_env *env, uint64_t *out);

/* Checks the syntax only.  Returns 0 with *NEEDS (enum qc_expr_needs bits)
 * set, or QC_E_FORMAT.  WHAT names it in the message. */
QC_API int qc_expr_check(qc_ctx *ctx, const char *expr, const char *what, unsigned *needs);

/* ---- flat build ---------------------------------------------------------- */

/* One <program>. */
struct qc_fb_program {
	const char *xml;	    /* the rawprogram file it came from */
	unsigned line;		    /* its line there */
	unsigned lun;		    /* physical_partition_number */
	unsigned sector_size;	    /* SECTOR_SIZE_IN_BYTES */
	const char *start_expr;	    /* start_sector as written */
	bool start_known;	    /* start_sector is a plain number, or was resolved */
	uint64_t start_sector;	    /* valid when start_known */
	unsigned start_needs;	    /* enum qc_expr_needs of start_expr */
	uint64_t partition_sectors; /* num_partition_sectors; 0 = grows to the end of the disk */
	uint64_t file_sector_offset;
	const char *filename;	   /* as written; "" = nothing to write */
	const char *path;	   /* filename resolved against the XML's directory, NULL for "" */
	const char *label;	   /* "" when absent */
	bool sparse_attr;	   /* sparse="true" */
	bool part_of_single_image; /* partofsingleimage="true": a slice of a larger file */
	bool readback_verify;
	/* Filled by qc_flatbuild_finish: */
	bool missing;		/* a filename is given but no such file */
	bool sparse;		/* written as a sparse image (attribute and magic agree) */
	bool sparse_mismatch;	/* attribute and file magic disagree (the magic wins for
				 * sparse="true" on a raw file; sparse="false" writes raw) */
	uint64_t file_bytes;	/* size of the file */
	uint64_t data_bytes;	/* bytes of output: expanded size for sparse, else the file
				 * from file_sector_offset (cut to the partition for slices) */
	uint64_t data_sectors;	/* data_bytes in sectors, rounded up */
	uint64_t sparse_chunks; /* RAW + FILL chunks = <program> commands, for sparse */
	bool too_big;		/* data_sectors > partition_sectors */
};

static inline bool qc_fb_program_writes(const struct qc_fb_program *p)
{
	return p->path && !p->missing;
}

/* One <patch>. */
struct qc_fb_patch {
	const char *xml;
	unsigned line;
	unsigned lun;
	unsigned sector_size;
	const char *start_expr; /* start_sector as written */
	uint64_t byte_offset;
	unsigned size_in_bytes; /* 1 .. 8 */
	const char *value;	/* expression, checked for syntax */
	unsigned value_needs;	/* enum qc_expr_needs of value */
	const char *filename;	/* "DISK" = applied on the device; else a host file */
	bool disk;
	const char *what; /* "" when absent */
};

/* One <erase> (ptool's "erase first" builds). */
struct qc_fb_erase {
	const char *xml;
	unsigned line;
	unsigned lun;
	unsigned sector_size;
	const char *start_expr; /* NULL: the whole LUN */
	uint64_t sectors;	/* 0 with start_expr NULL: the whole LUN */
	const char *label;
};

enum qc_fb_file_kind {
	QC_FB_UNKNOWN = 0,
	QC_FB_RAWPROGRAM, /* XML with a <data> root */
	QC_FB_PATCH,	  /* XML with a <patches> root */
	QC_FB_PROGRAMMER, /* an ELF or a legacy MBN: the Sahara image */
	QC_FB_SPARSE,	  /* an Android sparse image */
};

/* Limits against hostile files. */
#define QC_FB_MAX_XML_BYTES (16u << 20)
#define QC_FB_MAX_ENTRIES   65536u
#define QC_FB_MAX_ATTR_LEN  4096u
#define QC_FB_MAX_LUN	    127u

typedef struct qc_flatbuild qc_flatbuild;

struct qc_flatbuild_info {
	size_t nprograms;
	const struct qc_fb_program *programs;
	size_t npatches; /* all patches, DISK and host-file ones, in file order */
	const struct qc_fb_patch *patches;
	size_t ndisk_patches;
	size_t nerases;
	const struct qc_fb_erase *erases;
	size_t nmissing; /* distinct absent files, by name as written */
	const char *const *missing;
	int bootable_lun; /* LUN for setbootablestoragedrive; -1: none found */
	const char *bootable_label;
	bool bootable_ambiguous; /* boot labels on several LUNs; the first rule won */
	unsigned sector_size;	 /* common SECTOR_SIZE_IN_BYTES, 0 if they differ */
	size_t nxml;
	const char *const *xml; /* the XML files added, in order */
};

QC_API int qc_flatbuild_new(qc_ctx *ctx, qc_flatbuild **out);
QC_API void qc_flatbuild_free(qc_flatbuild *fb);

/* What a file given to `flash` is: looks at its first bytes only. */
QC_API int qc_fb_file_kind(qc_ctx *ctx, const char *path, enum qc_fb_file_kind *kind);

/*
 * Adds a rawprogram or patch XML (told apart by the root element).  Image
 * paths are resolved against the file's directory.  A hostile or malformed
 * file fails with QC_E_FORMAT (or QC_E_TOOBIG past the limits above) and a
 * sentence naming the file, line and attribute; the flat build is then
 * unchanged.  *KIND (may be NULL) receives what the file was.
 */
QC_API int qc_flatbuild_add_file(qc_flatbuild *fb, const char *path, enum qc_fb_file_kind *kind);
/* The same from memory; NAME is used in messages and BASEDIR to resolve
 * image paths (NULL: the current directory). */
QC_API int qc_flatbuild_add_memory(qc_flatbuild *fb, const char *buf, size_t len, const char *name, const char *basedir,
				   enum qc_fb_file_kind *kind);

/*
 * After the last add: looks at every referenced file (present? sparse?
 * size), lists the absent ones, measures what each program writes, picks
 * the bootable LUN the way QFIL and qdl do (the LUN of the program labelled
 * "xbl", else "xbl_a", else "sbl1"), and checks each image against its
 * partition.  Returns 0, or QC_E_TOOBIG naming the first image bigger than
 * its partition (all such programs get too_big), or QC_E_FORMAT for a
 * damaged sparse image.  Absent files are not an error here.
 */
QC_API int qc_flatbuild_finish(qc_flatbuild *fb);

/* The parsed build; valid until the next add/finish/resolve or free. */
QC_API const struct qc_flatbuild_info *qc_flatbuild_get(const qc_flatbuild *fb);

/*
 * Gives the size of one LUN: every program on it whose start_sector uses
 * NUM_DISK_SECTORS is evaluated, and every program on it is checked to lie
 * inside the disk (grow partitions, num_partition_sectors 0, must fit
 * between their start and the end).  Returns 0 or QC_E_RANGE / QC_E_FORMAT
 * naming the partition.
 */
QC_API int qc_flatbuild_resolve(qc_flatbuild *fb, unsigned lun, uint64_t disk_sectors);

/* ---- applying a patch, as a Firehose target does --------------------- */

/* Byte access to one disk (LUN).  Both return 0 or a negative QC_E_*. */
struct qc_fb_disk {
	unsigned sector_size;
	uint64_t sectors; /* the disk size: NUM_DISK_SECTORS */
	int (*read)(void *user, uint64_t offset, void *buf, size_t len);
	int (*write)(void *user, uint64_t offset, const void *buf, size_t len);
	void *user;
};

/*
 * Evaluates START_EXPR and VALUE against DISK (NUM_DISK_SECTORS, CRC32()
 * over the disk as it is now) and writes the value's SIZE (1..8) low bytes,
 * little-endian, at START_EXPR sectors + BYTE_OFFSET.  A patch that would
 * write outside the disk, or a CRC32() over bytes beyond it, is refused
 * with QC_E_RANGE and nothing is written.  WHAT names the patch in
 * messages.  Used by the simulated programmer and for host-file patches.
 */
QC_API int qc_fb_patch_apply(qc_ctx *ctx, const struct qc_fb_disk *disk, const char *start_expr, uint64_t byte_offset,
			     unsigned size, const char *value, const char *what);

/* ---- from one program to <program> commands ----------------------------
 * A raw image is one segment; a sparse image one segment per RAW or FILL
 * chunk (DONT_CARE is skipped), each starting at start_sector + its offset.
 * Segment data is read with qc_fb_segment_read, which pads the last sector
 * with zeros.
 */
struct qc_fb_segment {
	uint64_t start_sector;
	uint64_t sectors;
	uint64_t bytes;	     /* sectors * sector_size */
	uint64_t data_bytes; /* bytes that come from the image; the rest are zero padding */
	bool fill;	     /* a FILL chunk: every 4 bytes are fill_bytes */
	uint8_t fill_bytes[4];
	/* where the data comes from (for RAW: the image file) */
	uint64_t file_offset;
};

typedef struct qc_fb_segments qc_fb_segments;

/* START_SECTOR is the program's resolved start (p->start_sector when known). */
QC_API int qc_fb_segments_open(qc_ctx *ctx, const struct qc_fb_program *p, uint64_t start_sector, qc_fb_segments **out);
/* 1 with *SEG filled, 0 at the end, or a negative QC_E_* (damaged sparse data, CRC). */
QC_API int qc_fb_segments_next(qc_fb_segments *it, struct qc_fb_segment *seg);
/* LEN bytes of SEG from OFFSET (within seg->bytes). */
QC_API int qc_fb_segment_read(qc_fb_segments *it, const struct qc_fb_segment *seg, uint64_t offset, void *buf,
			      size_t len);
QC_API void qc_fb_segments_close(qc_fb_segments *it);

#ifdef __cplusplus
}
#endif
#endif
