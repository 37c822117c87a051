/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming DLOAD: the protocol of the NPRG/ENPRG/MPRG flash programmers
 * ("ehostdl").  HDLC-framed like DMSS DLOAD, but little-endian, opened by a
 * HELLO that negotiates the block size, the window (how many packets the
 * programmer can hold unanswered) and feature bits such as sector
 * addressing.  Stream writes and reads are pipelined up to the window.
 *
 * The codec is shared by the host (qc_sdload_*) and the simulated
 * programmer in qcbox-sim.
 */
#ifndef QCBOX_SDLOAD_H
#define QCBOX_SDLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

#define QC_SDLOAD_MAGIC_HOST "QCOM fast download protocol host"
#define QC_SDLOAD_MAGIC_TARGET "QCOM fast download protocol targ"
#define QC_SDLOAD_MAGIC_LEN 32

enum qc_sdload_cmd {
	QC_SDLOAD_HELLO = 0x01,
	QC_SDLOAD_HELLO_RESP = 0x02,
	QC_SDLOAD_READ = 0x03,            /* u32 address, u16 length */
	QC_SDLOAD_READ_DATA = 0x04,       /* u32 address, data */
	QC_SDLOAD_SIMPLE_WRITE = 0x05,    /* u32 address, data */
	QC_SDLOAD_WRITE_OK = 0x06,        /* u32 address */
	QC_SDLOAD_STREAM_WRITE = 0x07,    /* u32 address, data */
	QC_SDLOAD_BLOCK_WRITTEN = 0x08,   /* u32 address */
	QC_SDLOAD_NOP = 0x09,             /* opaque bytes, echoed */
	QC_SDLOAD_NOP_RESP = 0x0a,
	QC_SDLOAD_RESET = 0x0b,
	QC_SDLOAD_RESET_ACK = 0x0c,
	QC_SDLOAD_ERROR = 0x0d,           /* u32 code, text */
	QC_SDLOAD_LOG = 0x0e,             /* text */
	QC_SDLOAD_UNLOCK = 0x0f,          /* u64 code */
	QC_SDLOAD_UNLOCKED = 0x10,
	QC_SDLOAD_POWER_OFF = 0x11,
	QC_SDLOAD_POWERING_DOWN = 0x12,
	QC_SDLOAD_OPEN = 0x13,            /* u8 mode */
	QC_SDLOAD_OPENED = 0x14,
	QC_SDLOAD_CLOSE = 0x15,
	QC_SDLOAD_CLOSED = 0x16,
	QC_SDLOAD_SECURITY_MODE = 0x17,   /* u8 mode */
	QC_SDLOAD_SECURITY_MODE_RESP = 0x18,
	QC_SDLOAD_PARTITION_TABLE = 0x19, /* u8 override, table */
	QC_SDLOAD_PARTITION_TABLE_RESP = 0x1a, /* u8 status */
	QC_SDLOAD_OPEN_MULTI = 0x1b,      /* u8 image type, optional payload */
	QC_SDLOAD_OPEN_MULTI_RESP = 0x1c, /* u8 status */
	QC_SDLOAD_ERASE_FLASH = 0x1d,
	QC_SDLOAD_FLASH_ERASED = 0x1e,
	QC_SDLOAD_GET_ECC = 0x1f,
	QC_SDLOAD_ECC_STATE = 0x20,       /* u8 state */
	QC_SDLOAD_SET_ECC = 0x21,         /* u8 state */
	QC_SDLOAD_SET_ECC_RESP = 0x22,
};

enum qc_sdload_feature {
	QC_SDLOAD_FEAT_UNCOMPRESSED = 0x01,
	QC_SDLOAD_FEAT_NAND_BOOTABLE = 0x02,
	QC_SDLOAD_FEAT_NAND_BOOTLOADER = 0x04,
	QC_SDLOAD_FEAT_MULTI_IMAGE = 0x08,
	QC_SDLOAD_FEAT_SECTOR_ADDRESSES = 0x10,
};

enum qc_sdload_error_code {
	QC_SDLOAD_ERR_INVALID_DEST = 0x02,
	QC_SDLOAD_ERR_INVALID_LEN = 0x03,
	QC_SDLOAD_ERR_EARLY_END = 0x04,
	QC_SDLOAD_ERR_INVALID_CMD = 0x05,
	QC_SDLOAD_ERR_FAILED = 0x07,
	QC_SDLOAD_ERR_WRONG_IID = 0x08,
	QC_SDLOAD_ERR_BAD_VPP = 0x09,
	QC_SDLOAD_ERR_VERIFY = 0x0a,
	QC_SDLOAD_ERR_BAD_SEC_CODE = 0x0c,
	QC_SDLOAD_ERR_NO_POWER_DOWN = 0x0d,
	QC_SDLOAD_ERR_NAND_UNSUPPORTED = 0x0e,
	QC_SDLOAD_ERR_OUT_OF_SEQUENCE = 0x0f,
	QC_SDLOAD_ERR_CLOSE_FAILED = 0x10,
	QC_SDLOAD_ERR_BAD_FEATURES = 0x11,
	QC_SDLOAD_ERR_NO_SPACE = 0x12,
	QC_SDLOAD_ERR_BAD_SEC_MODE = 0x13,
	QC_SDLOAD_ERR_MULTI_UNSUPPORTED = 0x14,
	QC_SDLOAD_ERR_POWER_OFF_UNSUPPORTED = 0x15,
};

/* OPEN_MULTI_RESP and PARTITION_TABLE_RESP statuses. */
enum {
	QC_SDLOAD_OPEN_MULTI_OK = 0,
	QC_SDLOAD_OPEN_MULTI_TOO_LONG = 1,
	QC_SDLOAD_OPEN_MULTI_NO_PAYLOAD = 2,
	QC_SDLOAD_OPEN_MULTI_NEED_PAYLOAD = 3,
	QC_SDLOAD_OPEN_MULTI_PROTECTED = 4,
	QC_SDLOAD_PTABLE_OK = 0,
	QC_SDLOAD_PTABLE_DIFFERS = 1,
	QC_SDLOAD_PTABLE_UNKNOWN = 2,
	QC_SDLOAD_PTABLE_ERASE_FAILED = 3,
};

/* Image types of OPEN_MULTI. */
enum qc_sdload_image_type {
	QC_SDLOAD_IMG_PBL = 0x01,
	QC_SDLOAD_IMG_QCSBL_HDR = 0x02,
	QC_SDLOAD_IMG_QCSBL = 0x03,
	QC_SDLOAD_IMG_OEMSBL = 0x04,
	QC_SDLOAD_IMG_AMSS = 0x05,
	QC_SDLOAD_IMG_APPS = 0x06,
	QC_SDLOAD_IMG_OBL = 0x07,
	QC_SDLOAD_IMG_FOTAUI = 0x08,
	QC_SDLOAD_IMG_CEFS = 0x09,
	QC_SDLOAD_IMG_APPSBL = 0x0a,
	QC_SDLOAD_IMG_APPS_CEFS = 0x0b,
	QC_SDLOAD_IMG_FLASH_BIN = 0x0c,
	QC_SDLOAD_IMG_DSP1 = 0x0d,
	QC_SDLOAD_IMG_CUSTOM = 0x0e,
	QC_SDLOAD_IMG_DBL = 0x0f,
	QC_SDLOAD_IMG_OSBL = 0x10,
	QC_SDLOAD_IMG_FSBL = 0x11,
	QC_SDLOAD_IMG_DSP2 = 0x12,
	QC_SDLOAD_IMG_RAW = 0x13,
	QC_SDLOAD_IMG_ROFS1 = 0x14,
	QC_SDLOAD_IMG_ROFS2 = 0x15,
	QC_SDLOAD_IMG_ROFS3 = 0x16,
	QC_SDLOAD_IMG_EMMC_USER = 0x21,
	QC_SDLOAD_IMG_EMMC_BOOT0 = 0x22,
	QC_SDLOAD_IMG_EMMC_BOOT1 = 0x23,
	QC_SDLOAD_IMG_EMMC_RPMB = 0x24,
	QC_SDLOAD_IMG_EMMC_GPP1 = 0x25,
	QC_SDLOAD_IMG_EMMC_GPP2 = 0x26,
	QC_SDLOAD_IMG_EMMC_GPP3 = 0x27,
	QC_SDLOAD_IMG_EMMC_GPP4 = 0x28,
};

/* "emmc_user", "amss", ...; NULL for unknown types. */
QC_API const char *qc_sdload_image_type_name(uint8_t type);
/* A name (case-insensitive) or a number (decimal or 0x..); -1 if neither. */
QC_API int qc_sdload_image_type_parse(const char *s);
/* eMMC physical partitions in LUN order: user, boot0, boot1, gpp1..gpp4
 * (RPMB has no LUN: it cannot be streamed to).  -1 if TYPE is not one. */
QC_API int qc_sdload_image_type_lun(uint8_t type);
QC_API int qc_sdload_lun_image_type(unsigned lun);

/* "out of sequence (0x0f)"; unknown codes into BUF. */
QC_API const char *qc_sdload_error_name(uint32_t code, char *buf, size_t cap);
/* "STREAM_WRITE"; NULL when unknown. */
QC_API const char *qc_sdload_cmd_name(uint8_t cmd);
QC_API const char *qc_sdload_open_multi_status_name(uint8_t status);
QC_API const char *qc_sdload_ptable_status_name(uint8_t status);

/* Longest flash id and the sector sizes kept from a HELLO reply. */
#define QC_SDLOAD_FLASH_ID_MAX 255
#define QC_SDLOAD_SECTORS_KEPT 64
/* Bounds the host accepts from a programmer; anything outside is a broken
 * or hostile device, not a configuration. */
#define QC_SDLOAD_MAX_BLOCK (1u << 20)
#define QC_SDLOAD_MAX_WINDOW 256
/* Largest partition table a programmer takes. */
#define QC_SDLOAD_PTABLE_MAX 512

struct qc_sdload_hello {
	char magic[QC_SDLOAD_MAGIC_LEN + 1];
	uint8_t version;
	uint8_t compat_version;
	uint32_t max_block_size; /* preferred data bytes per packet */
	uint32_t base_address;   /* flash base */
	char flash_id[QC_SDLOAD_FLASH_ID_MAX + 1];
	uint16_t window_size;    /* packets the programmer holds unanswered */
	uint16_t num_sectors;
	uint32_t sector_sizes[QC_SDLOAD_SECTORS_KEPT]; /* the first ones */
	uint8_t features;        /* granted feature bits */
};

/* ----- requests ----- */
QC_API ssize_t qc_sdload_encode_hello(uint8_t *out, size_t cap, uint8_t version, uint8_t compat, uint8_t features);
/* Argument-less requests (RESET, CLOSE, POWER_OFF, ERASE_FLASH, GET_ECC). */
QC_API ssize_t qc_sdload_encode_cmd(uint8_t *out, size_t cap, uint8_t cmd);
/* One-byte argument (OPEN, SECURITY_MODE, SET_ECC). */
QC_API ssize_t qc_sdload_encode_u8(uint8_t *out, size_t cap, uint8_t cmd, uint8_t arg);
QC_API ssize_t qc_sdload_encode_read(uint8_t *out, size_t cap, uint32_t addr, uint16_t len);
/* STREAM_WRITE or SIMPLE_WRITE. */
QC_API ssize_t qc_sdload_encode_write(uint8_t *out, size_t cap, uint8_t cmd, uint32_t addr, const void *data,
				      size_t len);
QC_API ssize_t qc_sdload_encode_nop(uint8_t *out, size_t cap, uint32_t id);
QC_API ssize_t qc_sdload_encode_unlock(uint8_t *out, size_t cap, uint64_t code);
QC_API ssize_t qc_sdload_encode_open_multi(uint8_t *out, size_t cap, uint8_t type, const void *payload, size_t len);
QC_API ssize_t qc_sdload_encode_ptable(uint8_t *out, size_t cap, bool override, const void *table, size_t len);

struct qc_sdload_request {
	uint8_t cmd;
	uint32_t addr;         /* READ, writes */
	uint16_t len;          /* READ length */
	uint8_t arg;           /* OPEN mode, SECURITY_MODE, SET_ECC, OPEN_MULTI type, PARTITION_TABLE override */
	uint64_t code;         /* UNLOCK */
	uint8_t version, compat, features; /* HELLO */
	bool magic_ok;         /* HELLO */
	const uint8_t *data;   /* write data, NOP bytes, OPEN_MULTI payload, partition table */
	size_t data_len;
};
/* Parses a request as a programmer would; on a malformed one returns
 * QC_E_PROTOCOL with *ERR the error code a programmer answers with. */
QC_API int qc_sdload_parse_request(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sdload_request *req,
				   uint32_t *err);

/* ----- replies ----- */
QC_API ssize_t qc_sdload_encode_hello_resp(uint8_t *out, size_t cap, const struct qc_sdload_hello *h);
QC_API ssize_t qc_sdload_encode_error(uint8_t *out, size_t cap, uint32_t code, const char *text);
QC_API ssize_t qc_sdload_encode_log(uint8_t *out, size_t cap, const char *text);
/* WRITE_OK / BLOCK_WRITTEN. */
QC_API ssize_t qc_sdload_encode_addr_reply(uint8_t *out, size_t cap, uint8_t cmd, uint32_t addr);
QC_API ssize_t qc_sdload_encode_read_data(uint8_t *out, size_t cap, uint32_t addr, const void *data, size_t len);
/* Replies carrying one status byte (ECC state, open multi, partition table). */
QC_API ssize_t qc_sdload_encode_status(uint8_t *out, size_t cap, uint8_t cmd, uint8_t status);

struct qc_sdload_reply {
	uint8_t cmd;
	uint32_t addr;          /* READ_DATA, WRITE_OK, BLOCK_WRITTEN */
	uint32_t error_code;    /* ERROR */
	uint8_t status;         /* OPEN_MULTI_RESP, PARTITION_TABLE_RESP, ECC_STATE */
	const uint8_t *data;    /* READ_DATA bytes, NOP echo, ERROR/LOG text (not NUL-terminated) */
	size_t data_len;
	struct qc_sdload_hello hello; /* HELLO_RESP */
};
/* Parses any reply, the HELLO reply field by field with every length
 * checked against the packet.  Unknown codes come back with only cmd set. */
QC_API int qc_sdload_parse_reply(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sdload_reply *r);

/* ----- host session ----- */
typedef struct qc_sdload qc_sdload;

QC_API int qc_sdload_open(qc_transport *t, qc_sdload **out);
QC_API void qc_sdload_close(qc_sdload *s);
QC_API qc_ctx *qc_sdload_ctx(const qc_sdload *s);

/* Sends HELLO (retried while the programmer starts up) and checks the
 * reply: target magic, a block size and window within bounds.  FEATURES
 * are requested; the granted ones decide sector addressing. */
QC_API int qc_sdload_hello(qc_sdload *s, uint8_t version, uint8_t compat, uint8_t features,
			   struct qc_sdload_hello *out);
/* Unit of the addresses given to the stream functions (default 512).  With
 * sector addressing granted it is also the programmer's address unit. */
QC_API int qc_sdload_set_sector_size(qc_sdload *s, unsigned sector_size);
QC_API unsigned qc_sdload_sector_size(const qc_sdload *s);
QC_API bool qc_sdload_sector_addressing(const qc_sdload *s);
QC_API unsigned qc_sdload_window(const qc_sdload *s);
QC_API size_t qc_sdload_block_size(const qc_sdload *s);
/* Lowers the window or block size below what the programmer offered. */
QC_API void qc_sdload_limit(qc_sdload *s, unsigned window, size_t block);

QC_API int qc_sdload_security_mode(qc_sdload *s, uint8_t mode);
/* *STATUS gets the programmer's answer; a status other than accepted is
 * also returned as QC_E_DEVICE with a sentence. */
QC_API int qc_sdload_partition_table(qc_sdload *s, const void *table, size_t len, bool override, uint8_t *status);
QC_API int qc_sdload_open_multi(qc_sdload *s, uint8_t type, const void *payload, size_t len);
QC_API int qc_sdload_open_mode(qc_sdload *s, uint8_t mode);
QC_API int qc_sdload_close_image(qc_sdload *s);
QC_API int qc_sdload_nop(qc_sdload *s, uint32_t id);
QC_API int qc_sdload_reset(qc_sdload *s);
QC_API int qc_sdload_power_off(qc_sdload *s);
QC_API int qc_sdload_erase_flash(qc_sdload *s);
QC_API int qc_sdload_unlock(qc_sdload *s, uint64_t code);
QC_API int qc_sdload_get_ecc(qc_sdload *s, uint8_t *state);
QC_API int qc_sdload_set_ecc(qc_sdload *s, uint8_t state);

/* Data source for writes: fill BUF with up to LEN bytes, return the count
 * (0 only at the end) or a negative error. */
typedef ssize_t (*qc_sdload_source_fn)(void *user, void *buf, size_t len);
/* Data sink for reads: called in address order. */
typedef int (*qc_sdload_sink_fn)(void *user, const void *buf, size_t len);

/* Stream-writes BYTES bytes from FN starting at sector START, keeping up to
 * the window of packets unanswered.  Lost or damaged packets and answers
 * are sent again (a write of the same bytes to the same place is
 * harmless); an ERROR from the programmer ends it with a sentence naming
 * the sector.  Progress is reported under LABEL. */
QC_API int qc_sdload_write_stream(qc_sdload *s, uint64_t start, uint64_t bytes, qc_sdload_source_fn fn, void *user,
				  const char *label);
/* Reads BYTES bytes from sector START, pipelined the same way. */
QC_API int qc_sdload_read_stream(qc_sdload *s, uint64_t start, uint64_t bytes, qc_sdload_sink_fn fn, void *user,
				 const char *label);

struct qc_sdload_stats {
	uint64_t packets;         /* data packets sent */
	uint64_t resent;          /* sent again after a loss */
	unsigned max_outstanding; /* most packets unanswered at once */
	uint64_t logs;            /* LOG messages from the programmer */
};
QC_API void qc_sdload_get_stats(const qc_sdload *s, struct qc_sdload_stats *st);

#ifdef __cplusplus
}
#endif
#endif
