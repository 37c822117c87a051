/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated boot ROM (PBL) speaking Sahara.  It says HELLO as soon as a
 * host connects and, in image-transfer mode, pulls the programmer the way a
 * PBL does: the ELF header, the program headers, the hash segment, then
 * every segment in chunks (a legacy MBN: its header, then image_size bytes),
 * checks each segment against the hash table, and refuses an image signed
 * by another root with --expect-signed-by.  The image is reassembled by
 * offset; after DONE the device becomes the programmer it received: an ELF
 * makes it Firehose, a legacy MBN (MPRG/NPRG) Streaming DLOAD.
 *
 * Command mode answers serial number, HWID, PK hash, SBL version and chip
 * id v3 (v3 targets refuse HWID and PK hash by default, like real ones);
 * memory debug lives in sahara_memdebug.c.
 */
#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "qcbox/mbn.h"
#include "core/bytes.h"
#include "sahara_dev.h"

/* The largest image the device reassembles. */
#define MAX_IMAGE (256ull << 20)
/* How long the device waits for the raw data of one READ_DATA. */
#define DATA_TIMEOUT_MS 10000

static const struct qcsim_option sahara_options[] = {
	{"sahara-version", "1|2|3", "Sahara: protocol version the boot ROM speaks (default 2)"},
	{"hwid", "HEX16", "Sahara: MSM_ID<<32 | OEM_ID<<16 | MODEL_ID (default 007050e100000000)"},
	{"msm-id", "HEX", "Sahara: override the MSM id part of --hwid"},
	{"oem-id", "HEX", "Sahara: override the OEM id part of --hwid"},
	{"model-id", "HEX", "Sahara: override the model id part of --hwid"},
	{"pkhash", "HEX", "Sahara: OEM PK hash, 32 (SHA-256) or 48 (SHA-384) bytes"},
	{"pkhash-repeat", NULL, "Sahara: answer OEM_PK_HASH_READ with the digest repeated to 96 bytes"},
	{"serial", "HEX", "Sahara: chip serial number (32 bits)"},
	{"sbl-version", "HEX", "Sahara: answer to GET_SOFTWARE_VERSION_SBL (default 0)"},
	{"chip-id", "HEX", "Sahara: chip id v3 reported by READ_CHIP_ID_V3 (default 0)"},
	{"refuse", "CMD[,CMD]", "Sahara: client commands to refuse (default on v3: 2,3 = HWID and PK hash)"},
	{"chunk-size", "BYTES", "Sahara: largest READ_DATA the boot ROM asks for (default 4096)"},
	{"read64", NULL, "Sahara: a 64-bit boot ROM (READ_DATA_64, MEMORY_DEBUG_64)"},
	{"images", "ID[,ID]", "Sahara: image ids to request in turn (default 13)"},
	{"expect-signed-by", "PKHASH", "Sahara: refuse images whose root certificate hash differs (IMAGE_AUTH_FAILURE)"},
	{"memory-debug", NULL, "Sahara: start in memory-debug mode, as after a crash"},
	{"ramdump-region", "NAME:ADDR:SIZE[:FILE]",
	 "Sahara: a memory-debug region (repeatable); without FILE its bytes are a pattern of the address"},
	{NULL, NULL, NULL},
};

/* ----- packets ----- */

int sahara_dev_send(struct qcsim *sim, const struct qc_sahara_packet *p)
{
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];
	size_t n = qc_sahara_encode(p, buf, sizeof(buf));

	if (!n)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "cannot encode Sahara packet 0x%x", p->cmd);
	qc_log(qcsim_ctx(sim), QC_LOG_DEBUG, "sahara device -> %s", qc_sahara_cmd_name(p->cmd));
	return qcsim_write(sim, buf, n);
}

int sahara_dev_end_image(struct qcsim *sim, uint32_t image_id, uint32_t status)
{
	struct qc_sahara_packet p = {.cmd = QC_SAHARA_END_IMAGE_TX};

	p.u.end_image.image_id = image_id;
	p.u.end_image.status = status;
	if (status)
		qcsim_log(sim, "END_IMAGE_TX status 0x%02x %s", status, qc_sahara_status_name(status));
	return sahara_dev_send(sim, &p);
}

int sahara_dev_hello(struct qcsim *sim, struct sahara_dev *d)
{
	struct qc_sahara_packet p = {.cmd = QC_SAHARA_HELLO};
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];

	p.u.hello.version = d->version;
	p.u.hello.version_compatible = 1;
	p.u.hello.max_cmd_len = 1024;
	p.u.hello.mode = d->hello_mode;
	qc_sahara_encode(&p, buf, sizeof(buf));
	/* Broken boot ROMs, for the host's bad-input tests. */
	if (qcsim_fault(sim, "sahara:oversized")) {
		qc_put_le32(buf + 4, 0x1000);
		return qcsim_write(sim, buf, sizeof(buf));
	}
	if (qcsim_fault(sim, "sahara:truncated"))
		return qcsim_write(sim, buf, 20);
	return qcsim_write(sim, buf, sizeof(buf));
}

int sahara_dev_recv(struct qcsim *sim, struct qc_sahara_packet *p, int timeout_ms)
{
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];
	uint32_t cmd, len;
	int rc = qcsim_read_exact(sim, buf, QC_SAHARA_HEADER_LEN, timeout_ms);

	if (rc == QC_E_DISCONNECTED)
		return SAHARA_GONE;
	if (rc < 0)
		return rc;
	rc = qc_sahara_check_header(qcsim_ctx(sim), buf, &cmd, &len);
	if (rc < 0) {
		qcsim_log(sim, "bad packet from the host: %s", qc_last_error(qcsim_ctx(sim)));
		/* Resynchronise on what the header claims when that is sane. */
		if (len > QC_SAHARA_HEADER_LEN && len <= QC_SAHARA_MAX_PACKET_LEN &&
		    qcsim_read_exact(sim, buf, len - QC_SAHARA_HEADER_LEN, 1000) == QC_E_DISCONNECTED)
			return SAHARA_GONE;
		rc = sahara_dev_end_image(sim, 0, rc == QC_E_TOOBIG || cmd <= QC_SAHARA_RESET_STATE_MACHINE
							  ? QC_SAHARA_STATUS_INVALID_PACKET_SIZE
							  : QC_SAHARA_STATUS_INVALID_CMD);
		return rc < 0 ? rc : SAHARA_CONTINUE;
	}
	rc = qcsim_read_exact(sim, buf + QC_SAHARA_HEADER_LEN, len - QC_SAHARA_HEADER_LEN, DATA_TIMEOUT_MS);
	if (rc == QC_E_DISCONNECTED)
		return SAHARA_GONE;
	if (rc < 0)
		return rc;
	rc = qc_sahara_decode(qcsim_ctx(sim), buf, len, p);
	if (rc < 0)
		return rc;
	qc_log(qcsim_ctx(sim), QC_LOG_DEBUG, "sahara device <- %s", qc_sahara_cmd_name(p->cmd));
	return 1;
}

/* ----- options ----- */

static int opt_hex_u64(struct qcsim *sim, const char *name, uint64_t def, uint64_t max, uint64_t *out)
{
	const char *v = qcsim_opt(sim, name);
	char *end;

	*out = def;
	if (!v)
		return 0;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	errno = 0;
	*out = strtoull(v, &end, 16);
	if (!*v || *end || errno || *out > max)
		return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--%s: '%s' is not a hex number up to 0x%llx", name,
			       qcsim_opt(sim, name), (unsigned long long)max);
	return 0;
}

/* "13,21" or "0x2,3" into OUT. */
static int opt_list(struct qcsim *sim, const char *name, uint32_t *out, size_t cap, size_t *n)
{
	const char *v = qcsim_opt(sim, name), *s = v;

	*n = 0;
	while (s && *s) {
		char *end;
		unsigned long x;

		errno = 0;
		x = strtoul(s, &end, 0);
		if (end == s || errno || x > UINT32_MAX || (*end && *end != ',') || *n == cap)
			return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--%s: '%s' is not a list of up to %zu numbers", name, v,
				       cap);
		out[(*n)++] = (uint32_t)x;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int sahara_init(struct qcsim *sim, void **state)
{
	struct sahara_dev *d = calloc(1, sizeof(*d));
	qc_ctx *ctx = qcsim_ctx(sim);
	uint64_t v = 0, msm = 0, oem = 0, model = 0;
	uint32_t refuse[32];
	size_t n;
	ssize_t k;
	int rc;

	if (!d)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	*state = d;
	rc = qcsim_opt_u64(sim, "sahara-version", 2, &v);
	if (rc == 0 && (v < 1 || v > 3))
		rc = qc_fail(ctx, QC_E_INVAL, "--sahara-version takes 1, 2 or 3");
	d->version = (uint32_t)v;
	if (rc == 0)
		rc = opt_hex_u64(sim, "hwid", 0x007050e100000000ull, UINT64_MAX, &d->hwid);
	if (rc == 0)
		rc = opt_hex_u64(sim, "msm-id", d->hwid >> 32, UINT32_MAX, &msm);
	if (rc == 0)
		rc = opt_hex_u64(sim, "oem-id", (d->hwid >> 16) & 0xffff, 0xffff, &oem);
	if (rc == 0)
		rc = opt_hex_u64(sim, "model-id", d->hwid & 0xffff, 0xffff, &model);
	d->hwid = msm << 32 | oem << 16 | model;
	if (rc == 0)
		rc = opt_hex_u64(sim, "serial", 0x12345678, UINT32_MAX, &v);
	d->serial = (uint32_t)v;
	if (rc == 0)
		rc = opt_hex_u64(sim, "sbl-version", 0, UINT32_MAX, &v);
	d->sbl_version = (uint32_t)v;
	if (rc == 0)
		rc = opt_hex_u64(sim, "chip-id", 0, UINT32_MAX, &v);
	d->chip_id = (uint32_t)v;
	if (rc < 0)
		return rc;
	k = qcsim_opt_hex(sim, "pkhash", d->pkhash, sizeof(d->pkhash));
	if (k < 0)
		return (int)k;
	if (k == 0) {
		for (size_t i = 0; i < 32; i++)
			d->pkhash[i] = (uint8_t)(0xa5 ^ (i * 29));
		k = 32;
	} else if (k != 32 && k != 48) {
		return qc_fail(ctx, QC_E_INVAL, "--pkhash must be 32 (SHA-256) or 48 (SHA-384) bytes, not %zd", k);
	}
	d->pkhash_len = (size_t)k;
	k = qcsim_opt_hex(sim, "expect-signed-by", d->expect, sizeof(d->expect));
	if (k < 0)
		return (int)k;
	if (k && k != 32 && k != 48)
		return qc_fail(ctx, QC_E_INVAL, "--expect-signed-by must be 32 or 48 bytes, not %zd", k);
	d->expect_len = (size_t)k;
	d->pkhash_repeat = qcsim_flag(sim, "pkhash-repeat");
	d->read64 = qcsim_flag(sim, "read64");
	if (d->read64 && d->version < 2)
		return qc_fail(ctx, QC_E_INVAL, "--read64 needs --sahara-version 2 or 3 (READ_DATA_64 came with 2.8)");
	rc = qcsim_opt_u64(sim, "chunk-size", 4096, &d->chunk);
	if (rc < 0)
		return rc;
	if (!d->chunk || d->chunk > (16u << 20))
		return qc_fail(ctx, QC_E_INVAL, "--chunk-size takes 1 byte to 16M");
	rc = opt_list(sim, "images", d->images, QC_SAHARA_MAX_IMAGES, &d->nimages);
	if (rc < 0)
		return rc;
	if (!d->nimages)
		d->images[d->nimages++] = QC_SAHARA_IMAGE_PROGRAMMER;
	if (qcsim_opt(sim, "refuse")) {
		rc = opt_list(sim, "refuse", refuse, 32, &n);
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (refuse[i] < 32)
				d->refuse |= 1u << refuse[i];
	} else if (d->version >= 3) {
		d->refuse = 1u << QC_SAHARA_EXEC_MSM_HW_ID_READ | 1u << QC_SAHARA_EXEC_OEM_PK_HASH_READ;
	}
	d->hello_mode = qcsim_flag(sim, "memory-debug") ? QC_SAHARA_MODE_MEMORY_DEBUG : QC_SAHARA_MODE_IMAGE_TX_PENDING;
	if (d->hello_mode == QC_SAHARA_MODE_MEMORY_DEBUG && d->version < 2)
		return qc_fail(ctx, QC_E_INVAL, "--memory-debug needs --sahara-version 2 or 3");
	return sahara_memdebug_init(sim, d);
}

static void sahara_fini(struct qcsim *sim, void *state)
{
	struct sahara_dev *d = state;

	(void)sim;
	if (!d)
		return;
	sahara_memdebug_fini(d);
	free(d->img);
	free(d);
}

/* ----- image transfer ----- */

/* Asks the host for [off, off+len) of image ID in chunks.  Returns 0, a
 * Sahara status (> 0) for the device to report, or a link error. */
static int fetch(struct qcsim *sim, struct sahara_dev *d, uint32_t id, uint64_t off, uint64_t len)
{
	if (off > MAX_IMAGE || len > MAX_IMAGE - off)
		return QC_SAHARA_STATUS_INVALID_DATA_SIZE;
	if (off + len > d->img_cap) {
		size_t cap = d->img_cap ? d->img_cap : 65536;
		uint8_t *p;

		while (cap < off + len)
			cap *= 2;
		p = realloc(d->img, cap);
		if (!p)
			return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory for a %zu-byte image", cap);
		memset(p + d->img_cap, 0, cap - d->img_cap);
		d->img = p;
		d->img_cap = cap;
	}
	if (qcsim_fault(sim, "sahara:unknown-cmd")) {
		/* A packet id no Sahara version defines, where READ_DATA was due. */
		uint8_t bad[8], byte;
		int rc;

		qc_put_le32(bad, 0x55);
		qc_put_le32(bad + 4, 8);
		rc = qcsim_write(sim, bad, sizeof(bad));
		if (rc == 0)
			rc = qcsim_read_exact(sim, &byte, 1, DATA_TIMEOUT_MS);
		return rc < 0 ? rc : QC_SAHARA_STATUS_INVALID_CMD;
	}
	while (len) {
		uint64_t k = len < d->chunk ? len : d->chunk;
		struct qc_sahara_packet p = {.cmd = d->read64 ? QC_SAHARA_READ_DATA_64 : QC_SAHARA_READ_DATA};
		int rc;

		p.u.read.image_id = id;
		p.u.read.offset = off;
		p.u.read.length = k;
		if (qcsim_fault(sim, "sahara:read-beyond"))
			p.u.read.offset = 0x7fff0000;
		if (qcsim_fault(sim, "sahara:huge-read"))
			p.u.read.length = 0x7ffffff0;
		rc = sahara_dev_send(sim, &p);
		if (rc < 0)
			return rc;
		if (p.u.read.offset != off || p.u.read.length != k) {
			/* A broken request: a host that checks it never
			 * answers; wait for it to give up. */
			rc = qcsim_read_exact(sim, d->img + off, (size_t)k, DATA_TIMEOUT_MS);
			return rc < 0 ? rc : QC_SAHARA_STATUS_INVALID_DATA_SIZE;
		}
		rc = qcsim_read_exact(sim, d->img + off, (size_t)k, DATA_TIMEOUT_MS);
		if (rc == QC_E_TIMEOUT)
			return QC_SAHARA_STATUS_TIMEOUT_RX;
		if (rc < 0)
			return rc;
		off += k;
		len -= k;
		if (off > d->img_len)
			d->img_len = (size_t)off;
	}
	return 0;
}

/* Checks what arrived the way a PBL would. */
static uint32_t verify(struct qcsim *sim, struct sahara_dev *d)
{
	struct qc_mbn_info mi;
	const uint8_t *root;

	if (qc_mbn_parse_buffer(NULL, d->img, d->img_len, QC_MBN_VERIFY_HASHES, &mi) < 0)
		return mi.format == QC_MBN_ELF32 || mi.format == QC_MBN_ELF64 ? QC_SAHARA_STATUS_INVALID_ELF_HDR
									      : QC_SAHARA_STATUS_INVALID_IMAGE_TYPE;
	if (mi.format == QC_MBN_ELF32 || mi.format == QC_MBN_ELF64) {
		if (mi.hash_segment < 0)
			return QC_SAHARA_STATUS_HASH_TABLE_NOT_FOUND;
		if (mi.hashes_ok == 0 && !mi.hashes_bad)
			return QC_SAHARA_STATUS_INVALID_IMG_HASH_TABLE_SIZE;
		if (mi.hashes_ok == 0) {
			qcsim_log(sim, "segment %d does not match its hash", mi.first_bad_segment);
			return QC_SAHARA_STATUS_HASH_VERIFICATION_FAILURE;
		}
	}
	if (d->expect_len) {
		root = d->expect_len == 48 ? mi.id.root_sha384 : mi.id.root_sha256;
		if (!mi.id.ncerts || memcmp(root, d->expect, d->expect_len)) {
			qcsim_log(sim, "the image is %s, not signed by the expected root",
				  mi.id.ncerts ? "signed by another root" : "unsigned");
			return QC_SAHARA_STATUS_IMAGE_AUTH_FAILURE;
		}
	}
	return 0;
}

/* Pulls one image as a PBL reads it.  Returns the status to report. */
static int receive_image(struct qcsim *sim, struct sahara_dev *d, uint32_t id)
{
	struct qc_elf_header eh;
	struct qc_elf_phdr ph;
	struct qc_mbn_legacy lh;
	uint64_t first = d->read64 ? QC_ELF64_EHDR_LEN : QC_ELF32_EHDR_LEN, tbl_end;
	int rc, hs;

	d->img_len = 0;
	if (d->img)
		memset(d->img, 0, d->img_cap);
	rc = fetch(sim, d, id, 0, first);
	if (rc)
		return rc;
	if (!memcmp(d->img, "\x7f" "ELF", 4)) {
		/* A 32-bit PBL reads 0x34 bytes first; an ELF64 needs 0x40. */
		if (d->img[4] == 2 && d->img_len < QC_ELF64_EHDR_LEN) {
			rc = fetch(sim, d, id, d->img_len, QC_ELF64_EHDR_LEN - d->img_len);
			if (rc)
				return rc;
		}
		if (qc_elf_parse_header(NULL, d->img, d->img_len, &eh) < 0)
			return QC_SAHARA_STATUS_INVALID_ELF_HDR;
		rc = fetch(sim, d, id, eh.phoff, (uint64_t)eh.phnum * eh.phentsize);
		if (rc)
			return rc;
		tbl_end = eh.phoff + (uint64_t)eh.phnum * eh.phentsize;
		hs = -1;
		for (unsigned i = 0; i < eh.phnum; i++) {
			qc_elf_parse_phdr(&eh, d->img + eh.phoff, i, &ph);
			if (ph.type == 0 && QC_MBN_SEG_TYPE(ph.flags) == QC_MBN_SEG_HASH) {
				hs = (int)i;
				break;
			}
		}
		if (hs < 0)
			return QC_SAHARA_STATUS_HASH_TABLE_NOT_FOUND;
		if (ph.filesz > QC_MBN_MAX_HASHSEG || !ph.filesz)
			return QC_SAHARA_STATUS_INVALID_IMG_HASH_TABLE_SIZE;
		rc = fetch(sim, d, id, ph.offset, ph.filesz);
		if (rc)
			return rc;
		/* Then the segments; the placeholder over the headers is
		 * already here when it covers no more than them. */
		for (unsigned i = 0; i < eh.phnum; i++) {
			qc_elf_parse_phdr(&eh, d->img + eh.phoff, i, &ph);
			if ((int)i == hs || !ph.filesz)
				continue;
			if (ph.type == 0 && QC_MBN_SEG_TYPE(ph.flags) == QC_MBN_SEG_PHDR && ph.offset == 0 &&
			    ph.filesz <= tbl_end && eh.phoff <= first)
				continue;
			if (ph.offset > MAX_IMAGE || ph.filesz > MAX_IMAGE - ph.offset)
				return QC_SAHARA_STATUS_INVALID_PHDR_SIZE;
			rc = fetch(sim, d, id, ph.offset, ph.filesz);
			if (rc)
				return rc;
		}
		/* Section headers are not loaded, but they end the file. */
		if (eh.shoff && eh.shnum && eh.shentsize && eh.shoff < MAX_IMAGE &&
		    (uint64_t)eh.shnum * eh.shentsize <= QC_MBN_MAX_HASHSEG) {
			rc = fetch(sim, d, id, eh.shoff, (uint64_t)eh.shnum * eh.shentsize);
			if (rc)
				return rc;
		}
		return (int)verify(sim, d);
	}
	/* A legacy MBN: the 80-byte header announces itself by its magic. */
	if (qc_get_le32(d->img) == 0x844bdcd1 && qc_get_le32(d->img + 4) == 0x73d71034 && d->img_len < 80) {
		rc = fetch(sim, d, id, d->img_len, 80 - d->img_len);
		if (rc)
			return rc;
	}
	if (qc_mbn_parse_legacy(NULL, d->img, d->img_len, 0, &lh) < 0)
		return QC_SAHARA_STATUS_INVALID_IMAGE_TYPE;
	if (lh.header_len + (uint64_t)lh.image_size > d->img_len) {
		rc = fetch(sim, d, id, d->img_len, lh.header_len + (uint64_t)lh.image_size - d->img_len);
		if (rc)
			return rc;
	}
	return (int)verify(sim, d);
}

static void image_event(struct qcsim *sim, struct sahara_dev *d, uint32_t id, uint32_t status)
{
	uint8_t md[32];
	char hex[65];
	json_object *o = json_object_new_object();

	EVP_Digest(d->img ? d->img : (const uint8_t *)"", d->img_len, md, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	json_object_object_add(o, "image_id", json_object_new_int64(id));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)d->img_len));
	json_object_object_add(o, "sha256", json_object_new_string(hex));
	json_object_object_add(o, "status", json_object_new_int64(status));
	json_object_object_add(o, "status_name", json_object_new_string(qc_sahara_status_name(status)));
	qcsim_event(sim, "sahara_image", o);
}

static int image_mode(struct qcsim *sim, struct sahara_dev *d)
{
	uint8_t *prog = NULL;
	size_t prog_len = 0;
	bool prog_is_13 = false;
	int rc = 0;

	for (size_t i = 0; i < d->nimages; i++) {
		uint32_t id = d->images[i];
		struct qc_sahara_packet p;
		int status = receive_image(sim, d, id);

		if (status < 0) {
			rc = status;
			break;
		}
		if (status == 0 && qcsim_fault(sim, "nak:image"))
			status = QC_SAHARA_STATUS_IMAGE_AUTH_FAILURE;
		image_event(sim, d, id, (uint32_t)status);
		rc = sahara_dev_end_image(sim, id, (uint32_t)status);
		if (rc < 0 || status) {
			rc = rc < 0 ? rc : SAHARA_CONTINUE;
			break;
		}
		/* The programmer (image 13, else the last one) is kept for the
		 * hand-over. */
		if (id == QC_SAHARA_IMAGE_PROGRAMMER || !prog_is_13) {
			free(prog);
			prog = malloc(d->img_len ? d->img_len : 1);
			if (!prog) {
				rc = qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
				break;
			}
			memcpy(prog, d->img, d->img_len);
			prog_len = d->img_len;
			prog_is_13 = id == QC_SAHARA_IMAGE_PROGRAMMER;
		}
		rc = sahara_dev_recv(sim, &p, -1);
		if (rc != 1)
			break;
		if (p.cmd == QC_SAHARA_RESET) {
			rc = SAHARA_REBOOT;
			break;
		}
		if (p.cmd != QC_SAHARA_DONE) {
			rc = sahara_dev_end_image(sim, id, QC_SAHARA_STATUS_INVALID_CMD);
			rc = rc < 0 ? rc : SAHARA_CONTINUE;
			break;
		}
		bool last = i + 1 == d->nimages;
		const char *mode = prog_len >= 4 && !memcmp(prog, "\x7f" "ELF", 4) ? "firehose" : "sdload";

		if (last) {
			/* Logged before DONE_RESP goes out, so a host that
			 * leaves at once still finds it in --events. */
			json_object *o = json_object_new_object();

			json_object_object_add(o, "mode", json_object_new_string(mode));
			json_object_object_add(o, "bytes", json_object_new_int64((int64_t)prog_len));
			qcsim_event(sim, "sahara_handover", o);
		}
		p = (struct qc_sahara_packet){.cmd = QC_SAHARA_DONE_RESP};
		p.u.done_resp.image_tx_status = last ? QC_SAHARA_MODE_IMAGE_TX_COMPLETE : QC_SAHARA_MODE_IMAGE_TX_PENDING;
		rc = sahara_dev_send(sim, &p);
		if (rc < 0)
			break;
		if (last) {
			/* Jump into the programmer: the same pipes now speak
			 * its protocol. */
			qcsim_log(sim, "the programmer (%zu bytes) starts: %s mode", prog_len, mode);
			rc = qcsim_switch(sim, mode, prog, prog_len, false);
			rc = rc < 0 ? rc : QCSIM_SWITCHED;
		}
	}
	free(prog);
	return rc;
}

/* ----- command mode ----- */

static size_t exec_answer(struct sahara_dev *d, uint32_t cmd, uint8_t *out)
{
	switch (cmd) {
	case QC_SAHARA_EXEC_SERIAL_NUM_READ:
		qc_put_le32(out, d->serial);
		return 4;
	case QC_SAHARA_EXEC_MSM_HW_ID_READ:
		qc_put_le64(out, d->hwid);
		return 8;
	case QC_SAHARA_EXEC_OEM_PK_HASH_READ:
		if (!d->pkhash_repeat) {
			memcpy(out, d->pkhash, d->pkhash_len);
			return d->pkhash_len;
		}
		for (size_t i = 0; i < 96; i++)
			out[i] = d->pkhash[i % d->pkhash_len];
		return 96;
	case QC_SAHARA_EXEC_READ_DEBUG_DATA: {
		static const char log[] = "qcbox-sim PBL: boot from USB, Sahara ready\n";

		memcpy(out, log, sizeof(log) - 1);
		return sizeof(log) - 1;
	}
	case QC_SAHARA_EXEC_GET_SBL_VERSION:
		qc_put_le32(out, d->sbl_version);
		return 4;
	case QC_SAHARA_EXEC_GET_COMMAND_ID_LIST: {
		size_t n = 0;

		for (uint32_t c = 0; c <= QC_SAHARA_EXEC_READ_CHIP_ID_V3; c++)
			if (c != QC_SAHARA_EXEC_GET_TRAINING_DATA && c != QC_SAHARA_EXEC_SWITCH_TO_DMSS_DLOAD &&
			    c != QC_SAHARA_EXEC_SWITCH_TO_STREAM_DLOAD && !(d->refuse & 1u << c))
				qc_put_le32(out + 4 * n++, c);
		return 4 * n;
	}
	case QC_SAHARA_EXEC_READ_CHIP_ID_V3:
		memset(out, 0, 48);
		qc_put_le32(out, d->chip_id);
		qc_put_le32(out + 36, (uint32_t)(d->hwid >> 32));
		qc_put_le16(out + 40, (uint16_t)(d->hwid >> 16));
		qc_put_le16(out + 42, (uint16_t)d->hwid);
		return 48;
	case QC_SAHARA_EXEC_NOP:
		return 0;
	default:
		return SIZE_MAX;
	}
}

static void command_event(struct qcsim *sim, uint32_t cmd, bool refused)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "client_command", json_object_new_int64(cmd));
	json_object_object_add(o, "name", json_object_new_string(qc_sahara_exec_name(cmd)));
	json_object_object_add(o, "refused", json_object_new_boolean(refused));
	qcsim_event(sim, "sahara_command", o);
}

static int command_mode(struct qcsim *sim, struct sahara_dev *d)
{
	struct qc_sahara_packet p = {.cmd = QC_SAHARA_CMD_READY};
	uint8_t out[128];
	int rc = sahara_dev_send(sim, &p);

	while (rc >= 0) {
		rc = sahara_dev_recv(sim, &p, -1);
		if (rc == SAHARA_CONTINUE)
			continue;
		if (rc != 1)
			return rc;
		switch (p.cmd) {
		case QC_SAHARA_CMD_EXECUTE: {
			uint32_t cmd = p.u.exec.client_cmd;
			size_t n = cmd < 32 && (d->refuse & 1u << cmd) ? SIZE_MAX : exec_answer(d, cmd, out);

			command_event(sim, cmd, n == SIZE_MAX);
			if (n == SIZE_MAX) {
				rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_EXEC_CMD_UNSUPPORTED);
				break;
			}
			p = (struct qc_sahara_packet){.cmd = QC_SAHARA_CMD_EXECUTE_RESP};
			p.u.exec.client_cmd = cmd;
			p.u.exec.resp_length = (uint32_t)n;
			rc = sahara_dev_send(sim, &p);
			if (rc < 0 || !n)
				break;
			rc = sahara_dev_recv(sim, &p, DATA_TIMEOUT_MS);
			if (rc != 1)
				return rc == SAHARA_CONTINUE ? SAHARA_CONTINUE : rc;
			if (p.cmd != QC_SAHARA_CMD_EXECUTE_DATA || p.u.exec.client_cmd != cmd) {
				rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_EXEC_DATA_INVALID_CLIENT_CMD);
				break;
			}
			rc = qcsim_write(sim, out, n);
			break;
		}
		case QC_SAHARA_CMD_SWITCH_MODE:
			switch (p.u.switch_mode.mode) {
			case QC_SAHARA_MODE_IMAGE_TX_PENDING:
				/* The boot ROM restarts and greets again. */
				rc = sahara_dev_hello(sim, d);
				return rc < 0 ? rc : SAHARA_CONTINUE;
			case QC_SAHARA_MODE_MEMORY_DEBUG:
				return sahara_memdebug_run(sim, d);
			case QC_SAHARA_MODE_COMMAND:
				p = (struct qc_sahara_packet){.cmd = QC_SAHARA_CMD_READY};
				rc = sahara_dev_send(sim, &p);
				break;
			default:
				rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_MODE_SWITCH);
			}
			break;
		case QC_SAHARA_RESET:
			return SAHARA_REBOOT;
		case QC_SAHARA_RESET_STATE_MACHINE:
			rc = sahara_dev_hello(sim, d);
			return rc < 0 ? rc : SAHARA_CONTINUE;
		default:
			rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_CMD);
		}
	}
	return rc;
}

/* ----- the boot ROM ----- */

/* Returns SAHARA_CONTINUE, QCSIM_SWITCHED, SAHARA_REBOOT, SAHARA_GONE or
 * an error; sends that succeed count as SAHARA_CONTINUE. */
static int on_hello_resp(struct qcsim *sim, struct sahara_dev *d, const struct qc_sahara_packet *p)
{
	if (p->u.hello_resp.version < 1)
		return sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_HOST_PROTOCOL);
	if (p->u.hello_resp.status) {
		qcsim_log(sim, "the host reported status 0x%x in HELLO_RESP; greeting again", p->u.hello_resp.status);
		return sahara_dev_hello(sim, d);
	}
	switch (p->u.hello_resp.mode) {
	case QC_SAHARA_MODE_IMAGE_TX_PENDING:
		return image_mode(sim, d);
	case QC_SAHARA_MODE_MEMORY_DEBUG:
		if (d->version < 2)
			return sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_MEMORY_DEBUG_NOT_SUPPORTED);
		return sahara_memdebug_run(sim, d);
	case QC_SAHARA_MODE_COMMAND:
		/* Command mode came with protocol 2.1. */
		if (d->version < 2)
			return sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_HOST_MODE);
		return command_mode(sim, d);
	default:
		return sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_HOST_MODE);
	}
}

static int sahara_run(struct qcsim *sim, void *state)
{
	struct sahara_dev *d = state;
	struct qc_sahara_packet p;
	int rc = 0;

	/* A boot ROM greets as soon as the link is up; "sahara:no-hello"
	 * plays one that lost its HELLO and waits to be poked. */
	if (!qcsim_fault(sim, "sahara:no-hello"))
		rc = sahara_dev_hello(sim, d);
	while (rc >= 0) {
		rc = sahara_dev_recv(sim, &p, -1);
		if (rc == SAHARA_CONTINUE) {
			rc = 0;
			continue;
		}
		if (rc != 1)
			break;
		switch (p.cmd) {
		case QC_SAHARA_HELLO_RESP:
			rc = on_hello_resp(sim, d, &p);
			break;
		case QC_SAHARA_RESET:
			rc = SAHARA_REBOOT;
			break;
		case QC_SAHARA_RESET_STATE_MACHINE:
			rc = sahara_dev_hello(sim, d);
			break;
		default:
			rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_CMD);
		}
		/* Anything else (a packet sent, SAHARA_CONTINUE) waits for
		 * the host's next move. */
		if (rc == QCSIM_SWITCHED || rc == SAHARA_GONE || rc == SAHARA_REBOOT)
			break;
		if (rc > 0)
			rc = 0;
	}
	if (rc == SAHARA_REBOOT) {
		/* RESET_RESP, then the device reboots: it answers nothing more
		 * and leaves the bus.  Dropping the link only once the host has
		 * let go (or after two seconds) keeps RESET_RESP from being lost
		 * on a pty, which discards unread bytes when its master closes. */
		uint8_t sink[64];

		p = (struct qc_sahara_packet){.cmd = QC_SAHARA_RESET_RESP};
		qcsim_event(sim, "sahara_reset", NULL);
		rc = sahara_dev_send(sim, &p);
		while (rc >= 0)
			rc = (int)qcsim_read(sim, sink, sizeof(sink), 2000);
		return rc < 0 && rc != QC_E_DISCONNECTED && rc != QC_E_TIMEOUT ? rc : QCSIM_DISCONNECTED;
	}
	if (rc == SAHARA_GONE || rc == QC_E_DISCONNECTED)
		return QCSIM_DISCONNECTED;
	return rc;
}

const struct qcsim_mode qcsim_mode_sahara = {
	.name = "sahara",
	.options = sahara_options,
	.init = sahara_init,
	.run = sahara_run,
	.fini = sahara_fini,
};
