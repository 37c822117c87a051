/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firehose: the XML protocol a Qualcomm flash programmer speaks once Sahara
 * has started it.  The host sends one <?xml ?><data><TAG .../></data>
 * document per command; the programmer answers with any number of <log>
 * documents and one <response value="ACK|NAK">.  program and read switch
 * the link to raw sector data (rawmode="true") until a second response.
 *
 * Two layers live here:
 *  - the wire codec (document framing, parsing and building), shared by the
 *    host and by the simulated programmer in qcbox-sim;
 *  - the host session (qc_fh): configure negotiation and every command.
 */
#ifndef QCBOX_FIREHOSE_H
#define QCBOX_FIREHOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ===================== wire codec (host and device) ===================== */

/* The longest document either side accepts.  Targets announce
 * MaxXMLSizeInBytes (usually 4096); pretty-printed or chatty documents stay
 * far below this bound, and anything longer is refused, not buffered. */
#define QC_FH_DOC_MAX	(64 * 1024)
#define QC_FH_MAX_ELEMS 64
#define QC_FH_MAX_ATTRS 32

/* One child element of <data>.  Strings point into the owning document and
 * stay valid until it is parsed into again or freed. */
struct qc_fh_elem {
	const char *tag;
	unsigned nattr;
	const char *name[QC_FH_MAX_ATTRS];
	const char *value[QC_FH_MAX_ATTRS];
};

struct qc_fh_doc {
	unsigned nelem;
	struct qc_fh_elem elem[QC_FH_MAX_ELEMS];
	char *pool; /* decoded strings */
	size_t pool_cap;
};

/* Parses one framed document (TEXT, LEN) into DOC: the root must be <data>;
 * its element children become DOC's elements, in order.  Documents with a
 * DTD are refused (Firehose never uses one, and entity expansion is an
 * attack on the host).  QC_E_PROTOCOL with a sentence quoting the start of
 * the document on malformed XML. */
QC_API int qc_fh_doc_parse(qc_ctx *ctx, const char *text, size_t len, struct qc_fh_doc *doc);
QC_API void qc_fh_doc_free(struct qc_fh_doc *doc);

/* The value of attribute NAME (matched case-insensitively, as targets do:
 * both ZlpAwareHost and ZLPAwareHost occur), or NULL. */
QC_API const char *qc_fh_attr(const struct qc_fh_elem *e, const char *name);
/* Reads an unsigned attribute: decimal, 0x hex, or decimal with a trailing
 * '.' (ptool's Trace32 habit).  1 if present and valid, 0 if absent,
 * QC_E_FORMAT if present but not a number. */
QC_API int qc_fh_attr_u64(const struct qc_fh_elem *e, const char *name, uint64_t *out);
/* Parses such a number from a string; 0 or QC_E_FORMAT. */
QC_API int qc_fh_parse_u64(const char *s, uint64_t *out);

/* Splits a byte stream into documents.  Several documents may arrive in one
 * read and one document may be split over many; bytes after a document
 * (raw sector data following a rawmode response) stay queued for
 * qc_fh_framer_take().  Memory is bounded by MAX_DOC + READ_ROOM. */
struct qc_fh_framer {
	uint8_t *buf;
	size_t cap;
	size_t head, tail; /* queued bytes are buf[head..tail) */
	size_t scanned;	   /* bytes after head already searched for the end tag */
	size_t max_doc;
};

QC_API int qc_fh_framer_init(struct qc_fh_framer *f, size_t max_doc, size_t read_room);
QC_API void qc_fh_framer_free(struct qc_fh_framer *f);
QC_API void qc_fh_framer_reset(struct qc_fh_framer *f);
/* Where the next read should go, and how much fits (always > 0). */
QC_API uint8_t *qc_fh_framer_space(struct qc_fh_framer *f, size_t *room);
/* N bytes were read into the space. */
QC_API void qc_fh_framer_fill(struct qc_fh_framer *f, size_t n);
/* 1: a whole document is at *DOC (valid until the next space/fill call) and
 * has been consumed; 0: more bytes are needed; QC_E_TOOBIG: no end tag
 * within max_doc bytes; QC_E_PROTOCOL: the stream does not start with '<'
 * (the offending bytes stay queued, see qc_fh_framer_peek). */
QC_API int qc_fh_framer_next(struct qc_fh_framer *f, const char **doc, size_t *len);
/* Queued bytes not yet consumed. */
QC_API size_t qc_fh_framer_pending(const struct qc_fh_framer *f);
QC_API const uint8_t *qc_fh_framer_peek(const struct qc_fh_framer *f, size_t *len);
/* Moves up to MAX queued bytes to DST (raw data); returns the count. */
QC_API size_t qc_fh_framer_take(struct qc_fh_framer *f, void *dst, size_t max);

/* Builds one document: qc_fh_xml_begin, then for each element
 * qc_fh_xml_elem and its attributes, then qc_fh_xml_finish.  Values are
 * escaped.  An overflow of CAP is reported by finish (QC_E_TOOBIG). */
struct qc_fh_xml {
	char *buf;
	size_t cap, len;
	bool open, overflow;
};

QC_API void qc_fh_xml_begin(struct qc_fh_xml *x, char *buf, size_t cap);
QC_API void qc_fh_xml_elem(struct qc_fh_xml *x, const char *tag);
QC_API void qc_fh_xml_attr(struct qc_fh_xml *x, const char *name, const char *value);
QC_API void qc_fh_xml_attrf(struct qc_fh_xml *x, const char *name, const char *fmt, ...) QC_PRINTF(3, 4);
QC_API int qc_fh_xml_finish(struct qc_fh_xml *x);

/* ============================ host session ============================== */

typedef struct qc_fh qc_fh;

struct qc_fh_options {
	const char *memory;	/* MemoryName: "ufs" (default), "emmc", "nand", "spinor", "nvme" */
	uint32_t max_payload;	/* MaxPayloadSizeToTargetInBytes to ask for; 0 = 1 MiB */
	unsigned sector_size;	/* 0: the storage's usual size, confirmed on the device */
	unsigned ack_raw_every; /* AckRawDataEveryNumPackets (0 = never, fastest) */
	bool skip_storage_init; /* SkipStorageInit="1": touch no storage (no sector-size probe) */
	bool verbose;		/* Verbose="1": the programmer logs more */
	bool no_zlp;		/* ZlpAwareHost="0" */
};

/* What configure settled on. */
struct qc_fh_info {
	char memory_name[32];
	char target_name[64];
	unsigned version;
	uint32_t max_payload;		/* bytes per raw write the target accepted */
	uint32_t max_payload_supported; /* MaxPayloadSizeToTargetInBytesSupported, 0 if not told */
	uint32_t max_payload_from;	/* MaxPayloadSizeFromTargetInBytes, 0 if not told */
	uint32_t max_xml;		/* MaxXMLSizeInBytes, 0 if not told */
	unsigned sector_size;
	bool sector_size_probed; /* confirmed by a one-sector read */
	unsigned configure_attempts;
};

/* A session on T (not owned).  No bytes move until qc_fh_configure. */
QC_API int qc_fh_open(qc_transport *t, qc_fh **out);
QC_API void qc_fh_close(qc_fh *fh);
QC_API qc_ctx *qc_fh_ctx(const qc_fh *fh);

/* configure with payload negotiation: on NAK retry with the size the target
 * names, on ACK adopt MaxPayloadSizeToTargetInBytesSupported when it is
 * larger (configuring again); a size is never invented.  Then the sector
 * size is confirmed with a one-sector read unless told or SkipStorageInit. */
QC_API int qc_fh_configure(qc_fh *fh, const struct qc_fh_options *opt);
QC_API const struct qc_fh_info *qc_fh_get_info(const qc_fh *fh);

/* Random access to the bytes a <program> sends: fill BUF with LEN bytes
 * starting at OFFSET (OFFSET + LEN <= the source's bytes).  0 or an error
 * (recorded with qc_fail). */
typedef int (*qc_fh_read_fn)(void *user, uint64_t offset, void *buf, size_t len);
/* Receives read data in order: LEN bytes at OFFSET of the range. */
typedef int (*qc_fh_write_fn)(void *user, uint64_t offset, const void *buf, size_t len);

struct qc_fh_program {
	unsigned lun; /* physical_partition_number */
	uint64_t start_sector;
	uint64_t bytes; /* data length; the rest of the last sector goes out as zeros */
	qc_fh_read_fn read;
	void *user;
	const char *label; /* partition or file, for progress and messages */
	bool verify;	   /* digest (or read back) the range afterwards */
	/* Progress of a larger whole (one image in several programs): when
	 * progress_total is set, progress reports progress_base + done of it. */
	uint64_t progress_base, progress_total;
};

/* How far a program got, also on failure (the partial state). */
struct qc_fh_progress {
	uint64_t bytes_sent; /* raw bytes that left the host */
	uint64_t sectors;    /* sectors of the command */
	bool acked;	     /* the target confirmed the whole range */
	int verified;	     /* 0 not verified, 1 by digest, 2 by read-back */
};

/* <program>: streams the data, zero-padding only the last sector. */
QC_API int qc_fh_program(qc_fh *fh, const struct qc_fh_program *p, struct qc_fh_progress *out);
/* <read>: SECTORS sectors from START on LUN, passed to SINK in order. */
QC_API int qc_fh_read(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, qc_fh_write_fn sink, void *user,
		      const char *label);
/* <erase> of a range; SECTORS == 0 erases the whole LUN. */
QC_API int qc_fh_erase(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, const char *label);
/* <getsha256digest> of a range.  QC_E_UNSUPPORTED if the programmer does not
 * offer it (then verification reads back). */
QC_API int qc_fh_sha256(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, uint8_t digest[32]);
/* Compares the range P was written to with P's data: the programmer's
 * digest against a local SHA-256 (computed while the programmer computes
 * its own), else reading back.  QC_E_VERIFY names the first differing
 * sector.  *METHOD: 1 digest, 2 read-back. */
QC_API int qc_fh_verify(qc_fh *fh, const struct qc_fh_program *p, int *method);

/* <patch>: START_SECTOR and VALUE are passed verbatim, the target evaluates
 * NUM_DISK_SECTORS and CRC32(...) expressions against the disk as it is. */
struct qc_fh_patch {
	unsigned lun;
	const char *start_sector;
	uint64_t byte_offset;
	unsigned size_in_bytes;
	const char *value;
	const char *what; /* description, may be NULL */
};
QC_API int qc_fh_patch(qc_fh *fh, const struct qc_fh_patch *p);
QC_API int qc_fh_set_bootable(qc_fh *fh, unsigned lun);
/* <power value=HOW>: "reset", "off", "reset_to_edl".  DELAY_S 0 = omitted. */
QC_API int qc_fh_power(qc_fh *fh, const char *how, unsigned delay_s);
/* <nop/>; the "Supported Functions" the programmer lists, if any, are kept
 * (qc_fh_supports). */
QC_API int qc_fh_nop(qc_fh *fh);
/* 1 if the programmer listed TAG among its functions, 0 if it listed others
 * but not TAG, -1 if it never said. */
QC_API int qc_fh_supports(const qc_fh *fh, const char *tag);

struct qc_fh_storage_info {
	uint64_t total_blocks; /* sectors of the LUN, 0 if not told */
	unsigned block_size;   /* bytes per sector */
	unsigned page_size;
	unsigned num_physical; /* LUNs / physical partitions, 0 if not told */
	unsigned manufacturer_id;
	uint64_t serial_num;
	char fw_version[32];
	char mem_type[16];
	char prod_name[64];
	bool json;	 /* the answer was the JSON form */
	char text[4096]; /* every log line of the answer, '\n'-separated */
};
/* <getstorageinfo>: both the JSON answer of newer programmers and the
 * "key: value" log lines of older ones. */
QC_API int qc_fh_storage_info(qc_fh *fh, unsigned lun, struct qc_fh_storage_info *out);
/* NUM_DISK_SECTORS of LUN (getstorageinfo, cached). */
QC_API int qc_fh_lun_sectors(qc_fh *fh, unsigned lun, uint64_t *out);

/* <peek>/<poke>: device memory (engineering programmers only). */
QC_API int qc_fh_peek(qc_fh *fh, uint64_t address, void *buf, size_t len);
QC_API int qc_fh_poke(qc_fh *fh, uint64_t address, const void *buf, size_t len);
/* <benchmark>: the target's own figures, as its log lines. */
QC_API int qc_fh_benchmark(qc_fh *fh, unsigned trials, char *text, size_t cap);

/* ===================== partition tables, images, builds ================== */

struct qc_gpt;
struct qc_flatbuild;
struct qc_fb_program;
struct qc_fb_patch;

/* The GPT of LUN (both copies read through <read>, sized by getstorageinfo
 * when the programmer offers it).  Free OUT with qc_gpt_free. */
QC_API int qc_fh_read_gpt(qc_fh *fh, unsigned lun, struct qc_gpt *out);
/* How many LUNs the storage has (getstorageinfo; UFS LUNs probed when the
 * programmer does not say). */
QC_API int qc_fh_lun_count(qc_fh *fh, unsigned *out);

struct qc_fh_image_result {
	uint64_t total_bytes; /* what the image sends: sparse RAW and FILL data, sector-padded */
	uint64_t bytes_done;  /* confirmed by the programmer (and verified, if asked) */
	uint64_t bytes_sent;
	unsigned programs; /* <program> commands */
	int verified;	   /* as qc_fh_progress.verified */
};

/* Writes one image (raw, or sparse: its RAW and FILL chunks, adjacent ones
 * together, DONT_CARE never sent) at START on P's LUN. */
QC_API int qc_fh_write_image(qc_fh *fh, const struct qc_fb_program *p, uint64_t start, bool verify,
			     struct qc_fh_image_result *res);

struct qc_fh_flash_options {
	bool verify;
	/* Called after each image is written (and verified). */
	void (*image_done)(void *user, const struct qc_fb_program *p, const struct qc_fh_image_result *r);
	void *user;
};

/* What a flash did, also when it stopped. */
struct qc_fh_flash_result {
	size_t images, images_done; /* programs with a file to write */
	uint64_t bytes_done;
	size_t patches, patches_done;	    /* filename="DISK" patches */
	int bootable_lun;		    /* set with setbootablestoragedrive, or -1 */
	const struct qc_fb_program *failed; /* where it stopped (into FB's info) */
	const struct qc_fb_patch *failed_patch;
};

/* Flashes a finished flat build: checks everything it can first (LUN sizes
 * via getstorageinfo resolve NUM_DISK_SECTORS, images fit, sector sizes),
 * then programs in file order, DISK patches in file order, and the
 * bootable LUN.  Absent images are skipped (the caller decides about
 * --strict). */
QC_API int qc_fh_flash(qc_fh *fh, struct qc_flatbuild *fb, const struct qc_fh_flash_options *o,
		       struct qc_fh_flash_result *res);

/* ===================== targets: what read/write address ================== */

/* "boot_a", "4/boot_a", "0/2048+100" (sectors), "0/2048" (to the end). */
struct qc_fh_target {
	int lun;	/* -1: any LUN (a bare partition name) */
	char name[128]; /* partition name, or "" for a sector range */
	uint64_t start;
	uint64_t count; /* sectors; 0 with has_count false = to the end of the LUN */
	bool has_count;
};
QC_API int qc_fh_target_parse(qc_ctx *ctx, const char *s, struct qc_fh_target *out);

/* =========================== connecting ================================= */

/* Brings a device on T to a configured Firehose session.  If LOADER is
 * given and the device is in Sahara mode, the programmer is uploaded first;
 * a programmer that is already running is detected and used as it is (no
 * Sahara), like qdl.  Without LOADER a device in Sahara mode is an error
 * that says a programmer is needed. */
QC_API int qc_edl_connect(qc_transport *t, const char *loader, const struct qc_fh_options *opt, qc_fh **out);
/* Resets a device in EDL: through Sahara when the boot ROM is talking (a
 * plain reset only), else with <power value=HOW> ("reset", "off",
 * "reset_to_edl") to the running programmer. */
QC_API int qc_edl_reset(qc_transport *t, const struct qc_fh_options *opt, const char *how);

#ifdef __cplusplus
}
#endif
#endif
