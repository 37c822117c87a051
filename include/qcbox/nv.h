/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NV items over DIAG: the read/write packets (0x26/0x27 and the per-SIM
 * subsystem 0x30 form), NV status codes, IMEI/MEID encodings, the item name
 * table (built from data/nv-items.tsv) and JSON backup/restore.
 */
#ifndef QCBOX_NV_H
#define QCBOX_NV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_NV_DATA_LEN 128
/* 0x26/0x27: cmd, item u16, data[128], status u16 */
#define QC_NV_PKT_LEN 133
/* 4B 30 cmd u16, item u16, index u16, data[128], status u16 */
#define QC_NV_SUB_PKT_LEN 138
#define QC_NV_SUB_READ 1
#define QC_NV_SUB_WRITE 2
/* The highest item a default backup reads. */
#define QC_NV_BACKUP_LAST 7232

/* nv_stat_enum_type, as the phone reports it in every NV reply. */
enum qc_nv_status {
	QC_NV_DONE = 0,
	QC_NV_BUSY = 1,
	QC_NV_BADCMD = 2,
	QC_NV_FULL = 3,
	QC_NV_FAIL = 4,
	QC_NV_NOTACTIVE = 5, /* never written: by far the most common answer */
	QC_NV_BADPARM = 6,
	QC_NV_READONLY = 7,
	QC_NV_BADTG = 8,     /* not valid for this target */
	QC_NV_NOMEM = 9,
	QC_NV_NOTALLOC = 10,
};

/* JSON name of a status: "ok", "busy", "bad_command", "full", "fail",
 * "inactive", "bad_param", "read_only", "bad_target", "no_memory",
 * "not_allocated"; NULL for a code outside the table. */
QC_API const char *qc_nv_status_name(unsigned status);
/* A short description for messages ("never written"). */
QC_API const char *qc_nv_status_text(unsigned status);
/* The code for a name (also "status_N"), or -1. */
QC_API int qc_nv_status_from_name(const char *name);

/* One NV packet, decoded.  SIM is -1 for the classic 0x26/0x27 form,
 * otherwise the subscription index of the subsystem-0x30 form. */
struct qc_nv_packet {
	bool write;
	int sim;
	uint16_t item;
	uint8_t data[QC_NV_DATA_LEN];
	uint16_t status;
};

/* Encodes P as a request (or, in the simulator, a reply) of full length.
 * Returns the packet length or QC_E_TOOBIG. */
QC_API ssize_t qc_nv_encode(const struct qc_nv_packet *p, uint8_t *out, size_t cap);
/* Decodes an NV packet.  STRICT (the host checking a reply) wants the full
 * length; otherwise (a device reading a request) data and status may be
 * cut short, as some tools send them, and are taken as zeros.  Returns 0,
 * QC_E_PROTOCOL (not an NV packet) or QC_E_FORMAT (bad length). */
QC_API int qc_nv_decode(qc_ctx *ctx, const uint8_t *pkt, size_t len, bool strict, struct qc_nv_packet *out);

/* Reads ITEM: the request's data starts with PREFIX (the NAM index of an
 * indexed item, PLEN 0 or 1 usually), SIM is -1 or the subscription.
 * Returns 0 with the phone's NV status in *STATUS and the data in DATA,
 * QC_E_NAK when the phone answered with an error reply (its code then in
 * *REPLY if REPLY is set: 0x42 SPC locked, 0x14 never readable, ...), or
 * another error for a reply that does not match the request. */
QC_API int qc_nv_read(qc_diag *d, int sim, uint16_t item, const uint8_t *prefix, size_t plen,
		      uint8_t data[QC_NV_DATA_LEN], uint16_t *status, uint8_t *reply);
/* Writes LEN (1..128) bytes of DATA, zero-padded; as qc_nv_read. */
QC_API int qc_nv_write(qc_diag *d, int sim, uint16_t item, const uint8_t *data, size_t len, uint16_t *status,
		       uint8_t *reply);

/* ----- IMEI (NV 550) and MEID (NV 1943) ----- */
#define QC_NV_ITEM_ESN 0
#define QC_NV_ITEM_SEC_CODE 85
#define QC_NV_ITEM_IMEI 550
#define QC_NV_ITEM_MEID 1943
#define QC_IMEI_NV_LEN 9

/* NV 550 holds 0x08 (length), then 3GPP mobile-identity BCD: the low
 * nibble of the first byte is the identity type with the odd-length flag
 * (0xA: IMEI, 15 digits), its high nibble the first digit, then two digits
 * a byte, low nibble first.  Decode returns 15 with OUT NUL-terminated, 0
 * for an unset item (all 0x00 or 0xFF), or QC_E_FORMAT. */
QC_API int qc_imei_decode(const uint8_t *nv, size_t len, char out[16]);
/* DIGITS: exactly 15 decimal digits.  OUT gets 9 bytes. */
QC_API int qc_imei_encode(const char *digits, uint8_t out[QC_IMEI_NV_LEN]);
/* True when the 15th digit is the IMEI's Luhn check digit. */
QC_API bool qc_imei_luhn_ok(const char *digits);
/* NV 1943: a 56-bit MEID as a little-endian 64-bit word.  Decode gives 14
 * upper-case hex digits and returns 14, 0 when unset, QC_E_FORMAT when the
 * top byte is not zero. */
QC_API int qc_meid_decode(const uint8_t *nv, size_t len, char out[15]);
QC_API int qc_meid_encode(const char *hex14, uint8_t out[8]);

/* ----- item names (data/nv-items.tsv, compiled in) ----- */
enum qc_nv_item_flags {
	QC_NV_FLAG_SPC = 1,    /* writing needs the SPC */
	QC_NV_FLAG_SPCR = 2,   /* reading needs the SPC */
	QC_NV_FLAG_SEC = 4,    /* writing needs the security password */
	QC_NV_FLAG_SECRET = 8, /* never readable over DIAG */
};

struct qc_nv_item_info {
	uint16_t item;
	const char *name;    /* "ue_imei" */
	const char *aliases; /* comma-separated, "" if none ("imei") */
	uint8_t nam;         /* indexed by NAM: how many (0 = not indexed) */
	uint8_t sub;         /* per subscription: how many (0 = not) */
	unsigned flags;      /* QC_NV_FLAG_* */
};

/* The entry for ITEM, or NULL when the table has no name for it. */
QC_API const struct qc_nv_item_info *qc_nv_item_info(uint16_t item);
/* Item number for a number ("550", "0x226") or a name/alias ("imei",
 * case-insensitive, "NV_UE_IMEI_I" accepted too); QC_E_NOTFOUND if none. */
QC_API int qc_nv_item_lookup(const char *name);
QC_API size_t qc_nv_item_count(void);
QC_API const struct qc_nv_item_info *qc_nv_item_at(size_t i);

/* ----- backup and restore (JSON) ----- */

/* An entry of a backup file.  STATUS is an NV status, or QC_NV_DENIED when
 * the phone answered with an error reply (REPLY holds its code). */
#define QC_NV_DENIED 0x10000
struct qc_nv_entry {
	uint16_t item;
	int index;   /* NAM index of an indexed item, -1 when none */
	int sim;     /* subscription (subsystem 0x30), -1 when classic */
	int status;
	uint8_t reply;
	uint8_t len; /* bytes of DATA present (QC_NV_DATA_LEN for a read) */
	uint8_t data[QC_NV_DATA_LEN];
};

struct qc_nv_backup_opts {
	uint16_t first, last; /* item range, inclusive */
	bool extra;           /* also the other NAMs and subscriptions of known items */
};

struct qc_nv_stats {
	uint64_t items;    /* entries read or written */
	uint64_t ok;
	uint64_t inactive; /* backup: never written */
	uint64_t denied;   /* error replies (SPC locked, never readable) */
	uint64_t failed;   /* restore: any other status */
	uint64_t skipped;  /* restore: entries whose backup status was not ok */
};

/* Reads every entry of the range into a JSON file at PATH (written to
 * PATH.tmp first, renamed when complete), in constant memory:
 *   {"format":"qcbox-nv-backup","version":1,"items":[
 *     {"item":550,"status":"ok","data":"08 3a ...hex"},
 *     {"item":178,"index":1,"status":"inactive"},
 *     {"item":550,"sim":1,"status":"ok","data":"..."},
 *     {"item":85,"status":"denied","reply":"0x42"}, ...]}
 * Progress goes through qc_progress ("NV items", entries done, total). */
QC_API int qc_nv_backup(qc_diag *d, const char *path, const struct qc_nv_backup_opts *opts, struct qc_nv_stats *st);

/* Parses a backup document (NAME is used in error sentences).  Rejects,
 * with a sentence naming the entry and field, anything malformed: not
 * JSON, missing or mistyped keys, item/index/sim out of range, data that is
 * not hex or longer than 128 bytes, an "ok" entry without data, an indexed
 * entry whose first data byte is not its index, duplicate entries.  *OUT is
 * malloc'd (free()).  The simulator's --nv file uses the same format. */
QC_API int qc_nv_backup_parse(qc_ctx *ctx, const char *name, const char *buf, size_t len, struct qc_nv_entry **out,
			      size_t *n);
/* Reads and parses PATH (at most 64 MiB). */
QC_API int qc_nv_backup_load(qc_ctx *ctx, const char *path, struct qc_nv_entry **out, size_t *n);

/* Called after each entry of a restore: RC is 0 when the phone answered
 * (STATUS its NV status), QC_E_NAK for an error reply (REPLY its code). */
typedef void (*qc_nv_restore_fn)(void *user, const struct qc_nv_entry *e, int rc, uint16_t status, uint8_t reply);

/* Writes back the entries whose status is ok, in order; others are skipped
 * and counted.  A refused item does not stop the restore; a lost link or a
 * reply that does not match does.  Returns 0 when every write was done,
 * QC_E_DEVICE when some item was refused. */
QC_API int qc_nv_restore(qc_diag *d, const struct qc_nv_entry *e, size_t n, qc_nv_restore_fn fn, void *user,
			 struct qc_nv_stats *st);

#ifdef __cplusplus
}
#endif
#endif
