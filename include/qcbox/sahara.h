/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sahara: the boot ROM (PBL) protocol of Qualcomm SoCs in emergency download
 * mode.  The target speaks first (HELLO); the host answers with the mode it
 * wants: image transfer (the target pulls a programmer with READ_DATA),
 * command mode (serial number, HWID, PK hash...) or memory debug (RAM dumps
 * after a crash).  All fields are little-endian u32 (u64 in the *_64
 * packets); every packet starts with {u32 command, u32 length} where length
 * covers the whole packet.  Image and memory data travel raw, without a
 * header.
 *
 * The packet codec here is shared with the simulated boot ROM in qcbox-sim.
 * Sahara never sends a zero-length packet: some targets time out on one
 * (qdl #320), so nothing in this module calls qc_transport_zlp().
 */
#ifndef QCBOX_SAHARA_H
#define QCBOX_SAHARA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_SAHARA_HEADER_LEN 8u
/* HELLO and HELLO_RESP are the longest packets the protocol defines. */
#define QC_SAHARA_MAX_PACKET_LEN 0x30u
/* The image id under which boot ROMs request the programmer (EHOSTDL). */
#define QC_SAHARA_IMAGE_PROGRAMMER 13u
/* qc_sahara_image.id that serves whatever image id the device asks for. */
#define QC_SAHARA_ANY_IMAGE UINT32_MAX

enum qc_sahara_cmd {
	QC_SAHARA_HELLO = 0x01,
	QC_SAHARA_HELLO_RESP = 0x02,
	QC_SAHARA_READ_DATA = 0x03,
	QC_SAHARA_END_IMAGE_TX = 0x04,
	QC_SAHARA_DONE = 0x05,
	QC_SAHARA_DONE_RESP = 0x06,
	QC_SAHARA_RESET = 0x07,
	QC_SAHARA_RESET_RESP = 0x08,
	QC_SAHARA_MEMORY_DEBUG = 0x09,
	QC_SAHARA_MEMORY_READ = 0x0a,
	QC_SAHARA_CMD_READY = 0x0b,
	QC_SAHARA_CMD_SWITCH_MODE = 0x0c,
	QC_SAHARA_CMD_EXECUTE = 0x0d,
	QC_SAHARA_CMD_EXECUTE_RESP = 0x0e,
	QC_SAHARA_CMD_EXECUTE_DATA = 0x0f,
	QC_SAHARA_MEMORY_DEBUG_64 = 0x10,
	QC_SAHARA_MEMORY_READ_64 = 0x11,
	QC_SAHARA_READ_DATA_64 = 0x12,
	QC_SAHARA_RESET_STATE_MACHINE = 0x13,
	QC_SAHARA_WRITE_DATA = 0x14, /* v3 only; its layout is not public, so it is never decoded */
};

enum qc_sahara_mode {
	QC_SAHARA_MODE_IMAGE_TX_PENDING = 0,
	QC_SAHARA_MODE_IMAGE_TX_COMPLETE = 1,
	QC_SAHARA_MODE_MEMORY_DEBUG = 2,
	QC_SAHARA_MODE_COMMAND = 3,
};

/* Client commands of command mode (CMD_EXECUTE.client_command). */
enum qc_sahara_exec {
	QC_SAHARA_EXEC_NOP = 0x00,
	QC_SAHARA_EXEC_SERIAL_NUM_READ = 0x01,
	QC_SAHARA_EXEC_MSM_HW_ID_READ = 0x02,
	QC_SAHARA_EXEC_OEM_PK_HASH_READ = 0x03,
	QC_SAHARA_EXEC_SWITCH_TO_DMSS_DLOAD = 0x04,
	QC_SAHARA_EXEC_SWITCH_TO_STREAM_DLOAD = 0x05,
	QC_SAHARA_EXEC_READ_DEBUG_DATA = 0x06,
	QC_SAHARA_EXEC_GET_SBL_VERSION = 0x07,
	QC_SAHARA_EXEC_GET_COMMAND_ID_LIST = 0x08,
	QC_SAHARA_EXEC_GET_TRAINING_DATA = 0x09,
	QC_SAHARA_EXEC_READ_CHIP_ID_V3 = 0x0a,
};

/* Status codes of END_IMAGE_TX and HELLO_RESP (0x00..0x28). */
enum qc_sahara_status {
	QC_SAHARA_STATUS_SUCCESS = 0x00,
	QC_SAHARA_STATUS_INVALID_CMD = 0x01,
	QC_SAHARA_STATUS_PROTOCOL_MISMATCH = 0x02,
	QC_SAHARA_STATUS_INVALID_TARGET_PROTOCOL = 0x03,
	QC_SAHARA_STATUS_INVALID_HOST_PROTOCOL = 0x04,
	QC_SAHARA_STATUS_INVALID_PACKET_SIZE = 0x05,
	QC_SAHARA_STATUS_UNEXPECTED_IMAGE_ID = 0x06,
	QC_SAHARA_STATUS_INVALID_HEADER_SIZE = 0x07,
	QC_SAHARA_STATUS_INVALID_DATA_SIZE = 0x08,
	QC_SAHARA_STATUS_INVALID_IMAGE_TYPE = 0x09,
	QC_SAHARA_STATUS_INVALID_TX_LENGTH = 0x0a,
	QC_SAHARA_STATUS_INVALID_RX_LENGTH = 0x0b,
	QC_SAHARA_STATUS_GENERAL_TX_RX_ERROR = 0x0c,
	QC_SAHARA_STATUS_READ_DATA_ERROR = 0x0d,
	QC_SAHARA_STATUS_UNSUPPORTED_NUM_PHDRS = 0x0e,
	QC_SAHARA_STATUS_INVALID_PHDR_SIZE = 0x0f,
	QC_SAHARA_STATUS_MULTIPLE_SHARED_SEG = 0x10,
	QC_SAHARA_STATUS_UNINIT_PHDR_LOC = 0x11,
	QC_SAHARA_STATUS_INVALID_DEST_ADDR = 0x12,
	QC_SAHARA_STATUS_INVALID_IMG_HDR_DATA_SIZE = 0x13,
	QC_SAHARA_STATUS_INVALID_ELF_HDR = 0x14,
	QC_SAHARA_STATUS_UNKNOWN_HOST_ERROR = 0x15,
	QC_SAHARA_STATUS_TIMEOUT_RX = 0x16,
	QC_SAHARA_STATUS_TIMEOUT_TX = 0x17,
	QC_SAHARA_STATUS_INVALID_HOST_MODE = 0x18,
	QC_SAHARA_STATUS_INVALID_MEMORY_READ = 0x19,
	QC_SAHARA_STATUS_INVALID_DATA_SIZE_REQUEST = 0x1a,
	QC_SAHARA_STATUS_MEMORY_DEBUG_NOT_SUPPORTED = 0x1b,
	QC_SAHARA_STATUS_INVALID_MODE_SWITCH = 0x1c,
	QC_SAHARA_STATUS_CMD_EXEC_FAILURE = 0x1d,
	QC_SAHARA_STATUS_EXEC_CMD_INVALID_PARAM = 0x1e,
	QC_SAHARA_STATUS_EXEC_CMD_UNSUPPORTED = 0x1f,
	QC_SAHARA_STATUS_EXEC_DATA_INVALID_CLIENT_CMD = 0x20,
	QC_SAHARA_STATUS_HASH_TABLE_AUTH_FAILURE = 0x21,
	QC_SAHARA_STATUS_HASH_VERIFICATION_FAILURE = 0x22,
	QC_SAHARA_STATUS_HASH_TABLE_NOT_FOUND = 0x23,
	QC_SAHARA_STATUS_TARGET_INIT_FAILURE = 0x24,
	QC_SAHARA_STATUS_IMAGE_AUTH_FAILURE = 0x25,
	QC_SAHARA_STATUS_INVALID_IMG_HASH_TABLE_SIZE = 0x26,
	QC_SAHARA_STATUS_ENUMERATION_FAILURE = 0x27,
	QC_SAHARA_STATUS_HW_BULK_TRANSFER_ERROR = 0x28,
};

/* Symbolic name of a status code ("HASH_VERIFICATION_FAILURE"); "UNKNOWN"
 * outside 0x00..0x28. */
QC_API const char *qc_sahara_status_name(uint32_t status);
/* One sentence describing a status code. */
QC_API const char *qc_sahara_status_text(uint32_t status);
/* Name of a packet ("READ_DATA_64") or "UNKNOWN". */
QC_API const char *qc_sahara_cmd_name(uint32_t cmd);
/* Name of a mode ("memory debug") or "unknown". */
QC_API const char *qc_sahara_mode_name(uint32_t mode);
/* Name of a client command ("MSM_HW_ID_READ") or "UNKNOWN". */
QC_API const char *qc_sahara_exec_name(uint32_t client_cmd);

/* ----- packets (shared by the host and the simulated device) ----- */

/* The target's HELLO.  qc_sahara_detect() also reports here the bytes it
 * read that turned out not to be Sahara. */
struct qc_sahara_hello {
	uint32_t version;
	uint32_t version_compatible; /* oldest version the target still speaks */
	uint32_t max_cmd_len;        /* longest command packet the target takes */
	uint32_t mode;               /* enum qc_sahara_mode */
	uint32_t reserved[6];
	uint8_t stray[QC_SAHARA_HEADER_LEN];
	size_t stray_len;
};

struct qc_sahara_packet {
	uint32_t cmd;    /* enum qc_sahara_cmd */
	uint32_t length; /* whole packet, as on the wire */
	union {
		struct qc_sahara_hello hello; /* HELLO */
		struct {
			uint32_t version, version_compatible, status, mode, reserved[6];
		} hello_resp;
		struct {
			uint64_t image_id, offset, length;
		} read; /* READ_DATA (u32 fields) and READ_DATA_64 */
		struct {
			uint32_t image_id, status;
		} end_image;
		struct {
			uint32_t image_tx_status; /* 0: more images pending, 1: complete */
		} done_resp;
		struct {
			uint64_t address, length;
		} memory; /* MEMORY_DEBUG(_64): the region table; MEMORY_READ(_64) */
		struct {
			uint32_t mode;
		} switch_mode;
		struct {
			uint32_t client_cmd;
			uint32_t resp_length; /* CMD_EXECUTE_RESP only */
		} exec;
	} u;
};

/* The length a packet of command CMD must have: *MIN == *MAX for all but
 * CMD_READY (8 bytes, or 12 on some targets).  QC_E_UNSUPPORTED for ids this
 * module does not know (including WRITE_DATA, whose layout is not public). */
QC_API int qc_sahara_packet_length(uint32_t cmd, uint32_t *min, uint32_t *max);

/* Checks an 8-byte header: a known command and a length that fits it.
 * Failures are one sentence on CTX (may be NULL): QC_E_PROTOCOL for an
 * unknown id or a wrong length, QC_E_TOOBIG for a length beyond any packet. */
QC_API int qc_sahara_check_header(qc_ctx *ctx, const uint8_t *hdr, uint32_t *cmd, uint32_t *length);

/* Decodes one whole packet of LEN bytes (header included). */
QC_API int qc_sahara_decode(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sahara_packet *pkt);

/* Encodes PKT (its length field is computed) into BUF.  Returns the packet
 * length, or 0 if CMD is unknown or CAP too small.  Reserved words are
 * written as given (zero for a zero-initialised packet). */
QC_API size_t qc_sahara_encode(const struct qc_sahara_packet *pkt, uint8_t *buf, size_t cap);

/* ----- command-mode answers ----- */

/* An OEM_PK_HASH_READ answer is 32 (SHA-256) or 48 (SHA-384) bytes, but some
 * targets repeat the digest or pad it with zeros up to 96 bytes.  Returns
 * the length of the digest inside BUF. */
QC_API size_t qc_sahara_pkhash_trim(const uint8_t *buf, size_t len);

/* READ_CHIP_ID_V3 answer: chip id @0, MSM id @36, OEM id @40 (@44 when @40
 * is zero), model id @42.  Needs at least 44 bytes. */
struct qc_sahara_chip_id_v3 {
	uint32_t chip_id, msm_id;
	uint16_t oem_id, model_id;
};
QC_API int qc_sahara_parse_chip_id_v3(const uint8_t *buf, size_t len, struct qc_sahara_chip_id_v3 *out);

/* What command mode told us.  Fields the target refused stay unset. */
struct qc_sahara_info {
	uint32_t version, version_compatible, hello_mode;
	bool have_serial;
	uint32_t serial;
	bool have_hwid;
	uint64_t hwid; /* MSM_ID << 32 | OEM_ID << 16 | MODEL_ID */
	uint32_t msm_id;
	uint16_t oem_id, model_id;
	bool hwid_from_chip_id_v3;
	bool have_chip_id_v3;
	uint32_t chip_id_v3;
	size_t pkhash_len; /* 0: unknown */
	uint8_t pkhash[64];
	bool have_sbl_version;
	uint32_t sbl_version;
	/* Client commands the target refused, and the status it gave. */
	unsigned nrefused;
	uint32_t refused[8], refused_status[8];
};

/* ----- host side ----- */

/* Waits up to TIMEOUT_MS for a HELLO.  Returns 1 with HELLO filled in, 0 if
 * no HELLO came (nothing arrived, or the first bytes were not Sahara: a
 * Firehose programmer or an HDLC loader may already be running), or an error.
 * It reads one byte first and stops as soon as the bytes cannot be a HELLO,
 * so at most 8 bytes of another protocol are consumed; they are returned in
 * HELLO->stray / stray_len for the caller to hand to that protocol's parser.
 * A HELLO-shaped header with a wrong length is an error (QC_E_PROTOCOL). */
QC_API int qc_sahara_detect(qc_transport *t, int timeout_ms, struct qc_sahara_hello *hello);

/* Command mode: answers HELLO (waiting for one if HELLO is NULL) with mode
 * 3, asks for the serial number, HWID (or, on v3 targets that refuse it, the
 * chip id v3), PK hash and SBL version, then leaves with SWITCH_MODE(image
 * transfer).  The target then restarts with a fresh HELLO: if NEXT is not
 * NULL it is read into NEXT (so an upload can follow), otherwise left unread.
 * A Sahara v1 target has no command mode: QC_E_UNSUPPORTED. */
QC_API int qc_sahara_info(qc_transport *t, const struct qc_sahara_hello *hello, struct qc_sahara_info *info,
			  struct qc_sahara_hello *next);

/* One image to serve: from a file (PATH) or from memory (DATA, SIZE). */
struct qc_sahara_image {
	uint32_t id; /* image id, or QC_SAHARA_ANY_IMAGE */
	const char *path;
	const void *data;
	uint64_t size;
};

#define QC_SAHARA_MAX_IMAGES 16

struct qc_sahara_load_result {
	uint32_t version;     /* the target's HELLO version */
	bool read64;          /* it used READ_DATA_64 */
	unsigned images;      /* images the target accepted */
	uint32_t image_ids[QC_SAHARA_MAX_IMAGES];
	uint64_t image_bytes[QC_SAHARA_MAX_IMAGES];
	uint64_t bytes;       /* image bytes sent in all */
	uint64_t requests;    /* READ_DATA packets served */
	double seconds;       /* from the first request to DONE_RESP */
	char loader[4096];    /* the file served (chosen from a directory) */
	bool matched;         /* LOADER was a directory and a candidate matched */
	bool have_info;       /* command mode was used to identify the target */
	struct qc_sahara_info info;
};

/* Uploads a programmer: answers HELLO (waiting for one if HELLO is NULL)
 * with image-transfer mode and serves every READ_DATA / READ_DATA_64 from
 * LOADER until END_IMAGE_TX and DONE_RESP say all images are complete.  The
 * upload ends on those packets, never on a byte count.  LOADER is an ELF or
 * MBN file, or a directory searched with qc_sahara_find_loader() after
 * identifying the target in command mode.  On success the programmer runs on
 * the same transport.  RES may be NULL.
 *
 * A target that was left half-way by an earlier host may skip HELLO and
 * send READ_DATA straight away; that is served too.  If nothing arrives at
 * all, one RESET_STATE_MACHINE is sent to ask for a fresh HELLO. */
QC_API int qc_sahara_load(qc_transport *t, const struct qc_sahara_hello *hello, const char *loader,
			  struct qc_sahara_load_result *res);

/* The same with several images (newer SoCs ask for more than one in a
 * session) from files or memory.  A file must be an ELF or MBN image. */
QC_API int qc_sahara_load_images(qc_transport *t, const struct qc_sahara_hello *hello,
				 const struct qc_sahara_image *images, size_t n, struct qc_sahara_load_result *res);

/* Resets (reboots) the target from Sahara: in memory-debug mode after its
 * MEMORY_DEBUG packet, on v2+ targets from command mode, on v1 targets in
 * place of HELLO_RESP.  Returns once RESET_RESP arrived. */
QC_API int qc_sahara_reset(qc_transport *t, const struct qc_sahara_hello *hello);

/* ----- loader matching ----- */

/* Called for every candidate file qc_sahara_find_loader() looks at. */
typedef void (*qc_sahara_candidate_fn)(void *user, const char *path, bool match, const char *reason);

/* Looks through DIR (and its subdirectories) for the programmer that fits
 * the target described by DEV: each ELF/MBN is parsed for its HWID (the
 * certificate's HW_ID or the v6+ metadata; from SDM845 on that is a SoC
 * family, mapped through a chip-family table) and the SHA-256/384 of its
 * root certificate (= the PK hash); bkerler's naming
 * <hwid16>_<pkhash16>_*.bin is used when a file carries no identity.  The
 * best match is copied to PATH.  FN (may be NULL) hears about every
 * candidate; with FN NULL each rejected candidate is logged as a warning
 * (one line with the reason) when nothing matches.  QC_E_NOTFOUND when no
 * file fits. */
QC_API int qc_sahara_find_loader(qc_ctx *ctx, const char *dir, const struct qc_sahara_info *dev, char *path,
				 size_t cap, qc_sahara_candidate_fn fn, void *user);

/* The SoC family (the upper half of TCSR_SOC_HW_VERSION, e.g. 0x6000 for
 * SDM845) of an MSM id as reported by MSM_HW_ID_READ, or 0 if unknown; NAME
 * (may be NULL) gets the SoC name or NULL. */
QC_API uint16_t qc_sahara_soc_family(uint32_t msm_id, const char **name);

/* ----- memory debug (RAM dumps) ----- */

#define QC_SAHARA_REGION_NAME_LEN 20u
#define QC_SAHARA_REGION32_LEN 52u /* u32 type, base, length; char desc[20], filename[20] */
#define QC_SAHARA_REGION64_LEN 64u /* u64 type, base, length; char desc[20], filename[20] */
/* The largest region table the host accepts (2048 64-bit entries). */
#define QC_SAHARA_MAX_TABLE_LEN (2048u * QC_SAHARA_REGION64_LEN)

struct qc_sahara_region {
	uint64_t type, address, length;
	char desc[QC_SAHARA_REGION_NAME_LEN + 1];     /* as sent, NUL-terminated */
	char filename[QC_SAHARA_REGION_NAME_LEN + 1]; /* as sent, NUL-terminated */
	char safe_name[64];                           /* usable as a file name */
};

/* Parses a region table of LEN bytes (32- or 64-bit entries).  Returns the
 * number of entries (at most CAP are stored) or an error when LEN is not a
 * whole number of entries or is larger than QC_SAHARA_MAX_TABLE_LEN.  Names
 * are sanitized into safe_name (duplicates get a ".N" suffix). */
QC_API int qc_sahara_parse_memtable(qc_ctx *ctx, const uint8_t *buf, size_t len, bool is64,
				    struct qc_sahara_region *out, size_t cap);

/* Turns a device-supplied name (LEN bytes, stops at NUL) into a file name:
 * only letters, digits and "_-+." survive, no leading dot, no "..", never
 * empty (FALLBACK is used then), at most CAP-1 bytes. */
QC_API void qc_sahara_sanitize_name(const char *in, size_t len, const char *fallback, char *out, size_t cap);

struct qc_sahara_ramdump_opts {
	const char *const *globs; /* fnmatch patterns on region names; none = all */
	size_t nglobs;
	uint64_t max_region; /* larger regions are refused; 0 = 64 GiB */
	bool no_reset;       /* leave the target in memory-debug mode afterwards */
};

/* Called once per region of the table, after it was saved or refused. */
typedef void (*qc_sahara_region_fn)(void *user, const struct qc_sahara_region *r, const char *file, bool saved,
				    const char *reason);

struct qc_sahara_ramdump_result {
	size_t regions;  /* entries in the table */
	size_t selected; /* matched the globs */
	size_t saved;
	uint64_t bytes;
	bool read64;
};

/* Memory-debug mode: reads the region table, then each selected region in
 * chunks into DIR/<sanitized name> (DIR is created if missing; nothing is
 * written outside it), and DIR/index.json describing every region.  Sizes
 * are checked before anything is allocated or read.  Returns 0 when every
 * selected region was saved; QC_E_DEVICE (after saving the others) when the
 * target refused one or its size was absurd. */
QC_API int qc_sahara_ramdump(qc_transport *t, const struct qc_sahara_hello *hello, const char *dir,
			     const struct qc_sahara_ramdump_opts *opts, qc_sahara_region_fn fn, void *user,
			     struct qc_sahara_ramdump_result *res);

#ifdef __cplusplus
}
#endif
#endif
