/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DMSS download protocol (the "DLOAD" of boot ROMs and old secondary boot
 * loaders): HDLC-framed commands with big-endian fields, each answered by
 * ACK, NAK (with a reason) or a command-specific response.  Used to place a
 * flash programmer (NPRG/ENPRG/MPRG) in RAM and jump to it.
 *
 * The packet codec here is shared by the host (qc_dload_*) and by the
 * simulated boot loader in qcbox-sim.  Also: the small legacy MBN header
 * reader (40- and 80-byte headers of streaming programmers) and the loader
 * that uploads Intel HEX, MBN or raw images.
 */
#ifndef QCBOX_DLOAD_H
#define QCBOX_DLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

enum qc_dload_cmd {
	QC_DLOAD_WRITE = 0x01,        /* 24-bit address, u16 length, data */
	QC_DLOAD_ACK = 0x02,
	QC_DLOAD_NAK = 0x03,          /* u16 reason */
	QC_DLOAD_ERASE = 0x04,        /* 24-bit address, 24-bit length */
	QC_DLOAD_GO = 0x05,           /* u32 address (segment:offset) */
	QC_DLOAD_NOP = 0x06,
	QC_DLOAD_PARAM_REQ = 0x07,
	QC_DLOAD_PARAM_RESP = 0x08,
	QC_DLOAD_MEMORY_DUMP = 0x09,
	QC_DLOAD_RESET = 0x0a,
	QC_DLOAD_UNLOCK = 0x0b,       /* 8-byte security code */
	QC_DLOAD_VERSION_REQ = 0x0c,
	QC_DLOAD_VERSION_RESP = 0x0d, /* u8 length, text */
	QC_DLOAD_POWER_DOWN = 0x0e,
	QC_DLOAD_WRITE_32BIT = 0x0f,  /* u32 address, u16 length, data */
	QC_DLOAD_MEM_DEBUG_QUERY = 0x10,
	QC_DLOAD_MEM_DEBUG_INFO = 0x11,
	QC_DLOAD_MEM_READ_REQ = 0x12, /* u32 address, u16 length */
	QC_DLOAD_MEM_READ_RESP = 0x13,/* u32 address, u16 length, data */
	QC_DLOAD_UNFRAMED_READ_REQ = 0x14,
	QC_DLOAD_UNFRAMED_READ_RESP = 0x15,
	QC_DLOAD_SERIAL_NUM_READ = 0x16,
	QC_DLOAD_HW_ID_READ = 0x17,
	QC_DLOAD_PK_HASH_READ = 0x18,
	QC_DLOAD_QPST_COOKIE_READ_REQ = 0x19,
	QC_DLOAD_QPST_COOKIE_READ_RESP = 0x1a,
	QC_DLOAD_SWITCH_TO_DLOAD = 0x3a,
};

enum qc_dload_nak_reason {
	QC_DLOAD_NAK_INVALID_FCS = 0x01,
	QC_DLOAD_NAK_INVALID_DEST = 0x02,
	QC_DLOAD_NAK_INVALID_LEN = 0x03,
	QC_DLOAD_NAK_EARLY_END = 0x04,
	QC_DLOAD_NAK_TOO_LARGE = 0x05,
	QC_DLOAD_NAK_INVALID_CMD = 0x06,
	QC_DLOAD_NAK_FAILED = 0x07,
	QC_DLOAD_NAK_WRONG_IID = 0x08,
	QC_DLOAD_NAK_BAD_VPP = 0x09,
	QC_DLOAD_NAK_VERIFY_FAILED = 0x0a,
	QC_DLOAD_NAK_NO_SEC_CODE = 0x0b,
	QC_DLOAD_NAK_BAD_SEC_CODE = 0x0c,
	QC_DLOAD_NAK_NO_POWER_DOWN = 0x0d,
	QC_DLOAD_NAK_NOT_PERMITTED = 0x0e,
	QC_DLOAD_NAK_INVALID_READ_ADDR = 0x0f,
};

/* "write-verify failed (0x0a)"; unknown reasons get "reason 0x1234". The
 * string lives in BUF for unknown ones, so pass a small buffer. */
QC_API const char *qc_dload_nak_name(uint16_t reason, char *buf, size_t cap);
/* "WRITE_32BIT", or NULL for an unknown code. */
QC_API const char *qc_dload_cmd_name(uint8_t cmd);

/* Longest software version string a boot loader reports. */
#define QC_DLOAD_VERSION_MAX 255
/* Largest write packet payload the codec handles (the length field is u16). */
#define QC_DLOAD_MAX_DATA 0xffff

struct qc_dload_params {
	uint8_t protocol_version;
	uint8_t min_protocol_version;
	uint16_t max_write_size; /* data bytes in one WRITE packet */
	uint8_t model;
	uint8_t device_size;
	uint8_t device_type;
};

/* ----- codec: requests (host side encodes, device side parses) ----- */
/* Each encoder returns the payload length or QC_E_TOOBIG if CAP is short. */
QC_API ssize_t qc_dload_encode_cmd(uint8_t *out, size_t cap, uint8_t cmd);
/* WIDE selects WRITE_32BIT (0x0F); otherwise WRITE (0x01), whose address
 * must fit 24 bits (QC_E_RANGE). */
QC_API ssize_t qc_dload_encode_write(uint8_t *out, size_t cap, bool wide, uint32_t addr, const void *data, size_t len);
QC_API ssize_t qc_dload_encode_go(uint8_t *out, size_t cap, uint32_t addr);
QC_API ssize_t qc_dload_encode_erase(uint8_t *out, size_t cap, uint32_t addr, uint32_t len);
QC_API ssize_t qc_dload_encode_unlock(uint8_t *out, size_t cap, const uint8_t code[8]);
QC_API ssize_t qc_dload_encode_mem_read(uint8_t *out, size_t cap, uint32_t addr, uint16_t len);

struct qc_dload_request {
	uint8_t cmd;
	uint32_t addr;       /* WRITE, WRITE_32BIT, ERASE, GO, MEM_READ_REQ */
	uint32_t len;        /* WRITE data length, ERASE length, MEM_READ length */
	const uint8_t *data; /* WRITE data, UNLOCK code (8 bytes); points into the packet */
};
/* Parses a request as a boot loader would.  On a malformed packet returns
 * QC_E_PROTOCOL with *NAK set to the reason a boot loader answers with. */
QC_API int qc_dload_parse_request(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_dload_request *req,
				  uint16_t *nak);

/* ----- codec: responses (device side encodes, host side parses) ----- */
QC_API ssize_t qc_dload_encode_nak(uint8_t *out, size_t cap, uint16_t reason);
QC_API ssize_t qc_dload_encode_params(uint8_t *out, size_t cap, const struct qc_dload_params *p);
QC_API ssize_t qc_dload_encode_version(uint8_t *out, size_t cap, const char *version);
QC_API ssize_t qc_dload_encode_mem_data(uint8_t *out, size_t cap, uint32_t addr, const void *data, uint16_t len);

struct qc_dload_reply {
	uint8_t cmd;
	uint16_t nak_reason;              /* NAK */
	struct qc_dload_params params;    /* PARAM_RESP */
	char version[QC_DLOAD_VERSION_MAX + 1]; /* VERSION_RESP, NUL-terminated */
	uint32_t addr;                    /* MEM_READ_RESP */
	uint16_t len;
	const uint8_t *data;              /* points into the packet */
};
/* Parses any reply.  Unknown codes are returned as they are (cmd set) with
 * no further fields; a known reply too short for its fields, or a length
 * field that runs past the packet, is QC_E_PROTOCOL naming the packet. */
QC_API int qc_dload_parse_reply(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_dload_reply *r);

/* ----- host session ----- */
typedef struct qc_dload qc_dload;

/* Wraps an open transport (not owned). */
QC_API int qc_dload_open(qc_transport *t, qc_dload **out);
QC_API void qc_dload_close(qc_dload *d);
QC_API qc_ctx *qc_dload_ctx(const qc_dload *d);

QC_API int qc_dload_nop(qc_dload *d);
QC_API int qc_dload_get_version(qc_dload *d, char *out, size_t cap);
QC_API int qc_dload_get_params(qc_dload *d, struct qc_dload_params *p);
/* One write packet: WRITE_32BIT, or WRITE when WIDE is false. */
QC_API int qc_dload_write(qc_dload *d, bool wide, uint32_t addr, const void *data, size_t len);
QC_API int qc_dload_erase(qc_dload *d, uint32_t addr, uint32_t len);
QC_API int qc_dload_go(qc_dload *d, uint32_t addr);
QC_API int qc_dload_reset(qc_dload *d);
QC_API int qc_dload_power_down(qc_dload *d);
QC_API int qc_dload_unlock(qc_dload *d, const uint8_t code[8]);
/* Memory read (debug boot loaders): LEN bytes at ADDR into BUF, in packets
 * of at most MAX_CHUNK bytes (0 = 1024). */
QC_API int qc_dload_mem_read(qc_dload *d, uint32_t addr, void *buf, size_t len, size_t max_chunk);

/* ----- legacy MBN headers (non-ELF programmers) ----- */
#define QC_MBN_CODEWORD 0x844bdcd1u
#define QC_MBN_MAGIC 0x73d71034u

struct qc_dload_mbn_header {
	unsigned header_size; /* 40 or 80 */
	uint32_t codeword, magic;              /* 80-byte header only */
	uint32_t image_id;
	uint32_t header_version;               /* 40-byte header only */
	uint32_t image_src;
	uint32_t image_dest;                   /* load (and jump) address */
	uint32_t image_size;                   /* bytes after the header */
	uint32_t code_size;
	uint32_t signature_ptr, signature_size;
	uint32_t cert_chain_ptr, cert_chain_size;
	uint32_t oem_root_cert_sel, oem_num_root_certs; /* 80-byte header only */
};

/* Reads a legacy header from BUF (at least the first 80 bytes of the file,
 * or the whole file if shorter).  FILE_SIZE is the size of the whole file;
 * the image must fit in it.  Returns QC_E_FORMAT with a sentence naming
 * NAME and the field at fault, or QC_E_NOTFOUND (no sentence) if the bytes
 * do not look like a legacy header at all. */
QC_API int qc_dload_mbn_header_parse(qc_ctx *ctx, const char *name, const void *buf, size_t len, uint64_t file_size,
				     struct qc_dload_mbn_header *h);
/* "EHOSTDL", "NANDPRG", ...; NULL when unknown. */
QC_API const char *qc_dload_mbn_image_name(uint32_t image_id);

/* ----- programmer images ----- */
enum qc_dload_format {
	QC_DLOAD_FMT_AUTO = 0, /* by extension, then by content */
	QC_DLOAD_FMT_HEX,
	QC_DLOAD_FMT_MBN,
	QC_DLOAD_FMT_BIN,
};

struct qc_dload_image {
	enum qc_dload_format format;
	unsigned mbn_header_size; /* 40 or 80 for MBN */
	uint32_t mbn_image_id;
	uint32_t low;             /* lowest address written */
	uint64_t end;             /* one past the highest address written */
	uint64_t bytes;           /* bytes written */
	unsigned ranges;          /* disjoint address ranges */
	uint32_t entry;           /* where GO jumps */
	unsigned packets;         /* write packets sent (after a load) */
	bool wide;                /* WRITE_32BIT used */
};

struct qc_dload_load_opts {
	enum qc_dload_format format;
	bool has_address;  /* ADDRESS given: load address of a raw image, jump */
	uint32_t address;  /* address for HEX and MBN */
	bool no_go;        /* upload only */
	size_t max_write;  /* 0: the device's parameter reply decides */
};

QC_API const char *qc_dload_format_name(enum qc_dload_format f, unsigned mbn_header_size);

/* Validates PATH completely without a device (HEX checksums and overlaps,
 * MBN sizes) and says what a load would do. */
QC_API int qc_dload_image_probe(qc_ctx *ctx, const char *path, const struct qc_dload_load_opts *o,
				struct qc_dload_image *img);

/* Uploads PATH (after validating it completely) in packets of the device's
 * maximum write size, then sends GO to the entry address: the --address
 * given, the HEX start record, the MBN destination, else the lowest
 * address.  Progress is reported under the file's name. */
QC_API int qc_dload_load(qc_dload *d, const char *path, const struct qc_dload_load_opts *o,
			 struct qc_dload_image *img);

#ifdef __cplusplus
}
#endif
#endif
