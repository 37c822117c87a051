/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated Streaming DLOAD programmer (what an NPRG/ENPRG/MPRG becomes
 * once running) over the simulator's eMMC- or NAND-like storage.
 *
 * It behaves as the programmers do: nothing but HELLO before a HELLO; every
 * ERROR preceded by the same text as a LOG; a damaged frame answered by a
 * LOG and otherwise ignored; packets handled strictly in order.  Stream
 * writes are gathered up to the window it announced and answered
 * together, so a host really has that many packets in flight; a packet
 * beyond the window has no buffer and is dropped, as on the device.
 *
 * eMMC: OPEN_MULTI_IMAGE selects the physical partition (user, boot0,
 * boot1, gpp1-4 are LUNs 0-6 of --luns); NAND: a partition table must come
 * first and every NAND image type addresses LUN 0 as a whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dload_link.h"
#include "qcbox/dload.h"
#include "qcbox/sdload.h"
#include "sim.h"

#define SDSIM_GONE 100
/* The oldest host version a programmer accepts as "compatible". */
#define SDSIM_MIN_VERSION 2

struct queued {
	uint32_t addr;
	size_t len;
	bool too_long; /* longer than a receive buffer: data not kept */
	uint8_t *data;
};

struct extent {
	uint64_t start, end; /* bytes */
};

struct sdload_state {
	struct dlsim_link link;
	struct qcsim_storage *st;
	bool nand;
	/* what HELLO announces */
	uint8_t version;
	uint32_t block;
	uint16_t window;
	uint8_t supported;
	char flash_id[64];
	uint64_t fault_after;
	/* session */
	bool need_hello;
	uint8_t features;
	bool security;
	bool have_ptable;
	uint8_t ptable[QC_SDLOAD_PTABLE_MAX];
	size_t ptable_len;
	uint8_t open_mode;  /* OPEN, 0 = none */
	uint8_t open_type;  /* OPEN_MULTI_IMAGE, 0 = none */
	unsigned lun;
	uint8_t ecc;
	struct extent *ext;
	size_t next, ext_cap;
	struct queued *q;
	unsigned qn;
	uint64_t writes, reads, opens, closes;
	uint8_t *out;
	size_t out_cap;
	const uint8_t *reported; /* the hand-over last reported */
	size_t reported_len;
};

static const struct qcsim_option sdload_options[] = {
	{"sdload-flash-id", "TEXT", "SDLOAD: flash id in the HELLO reply (default from --storage)"},
	{"sdload-block", "BYTES", "SDLOAD: largest data packet the programmer takes and offers (default 1024)"},
	{"sdload-window", "N", "SDLOAD: packets the programmer holds unanswered, announced in HELLO (default 8)"},
	{"sdload-version", "N", "SDLOAD: protocol version in the HELLO reply (default 4)"},
	{"sdload-features", "BITS", "SDLOAD: feature bits the programmer supports, e.g. 0x09 for no sector addresses "
				    "(default 0x19 eMMC, 0x1f NAND)"},
	{NULL, NULL, NULL},
};

static void sdload_fini(struct qcsim *sim, void *state)
{
	struct sdload_state *s = state;

	(void)sim;
	if (!s)
		return;
	for (unsigned i = 0; s->q && i < s->window; i++)
		free(s->q[i].data);
	free(s->q);
	free(s->ext);
	free(s->out);
	dlsim_link_free(&s->link);
	free(s);
}

/* Says which programmer was started, each time the simulator becomes this
 * mode after a DLOAD GO or a Sahara upload. */
static void report_programmer(struct qcsim *sim, struct sdload_state *s)
{
	size_t n;
	const uint8_t *img = qcsim_handoff(sim, &n);
	struct qc_dload_mbn_header h;
	json_object *ev;
	char sha[65];

	if (!img || !n || (img == s->reported && n == s->reported_len))
		return;
	s->reported = img;
	s->reported_len = n;
	dlsim_sha256_hex(img, n, sha);
	ev = json_object_new_object();
	json_object_object_add(ev, "bytes", json_object_new_int64((int64_t)n));
	json_object_object_add(ev, "sha256", json_object_new_string(sha));
	if (qc_dload_mbn_header_parse(qcsim_ctx(sim), "programmer", img, n, n, &h) == 0) {
		const char *name = qc_dload_mbn_image_name(h.image_id);

		json_object_object_add(ev, "mbn_header", json_object_new_int(h.header_size));
		json_object_object_add(ev, "image_id", json_object_new_int64(h.image_id));
		if (name)
			json_object_object_add(ev, "image_name", json_object_new_string(name));
		json_object_object_add(ev, "image_dest", json_object_new_int64(h.image_dest));
	}
	qc_clear_error(qcsim_ctx(sim));
	qcsim_event(sim, "sdload_programmer", ev);
}

static int sdload_setup(struct qcsim *sim, struct sdload_state *s)
{
	qc_ctx *ctx = qcsim_ctx(sim);
	const char *id = qcsim_opt(sim, "sdload-flash-id");
	uint64_t block, window, version, feat;
	int rc = qcsim_storage(sim, &s->st);

	if (rc < 0)
		return rc;
	s->nand = !strcmp(s->st->type, "nand");
	if ((rc = qcsim_opt_u64(sim, "sdload-block", 1024, &block)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "sdload-window", 8, &window)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "sdload-version", 4, &version)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "sdload-features", s->nand ? 0x1f : 0x19, &feat)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "fault-after", 1, &s->fault_after)) < 0)
		return rc;
	/* A window of 0 is allowed: it is how a host's handling of a broken
	 * programmer is tested. */
	if (block < 1 || block > 60 * 1024 || window > 1024 || version > 255 || feat > 255)
		return qc_fail(ctx, QC_E_INVAL, "--sdload-block takes 1 to 61440, --sdload-window 0 to 1024, "
				   "--sdload-version and --sdload-features 0 to 255");
	if (id && strlen(id) >= sizeof(s->flash_id))
		return qc_fail(ctx, QC_E_INVAL, "--sdload-flash-id is longer than %zu characters", sizeof(s->flash_id) - 1);
	snprintf(s->flash_id, sizeof(s->flash_id), "%s", id ? id : s->nand ? "QCBOXSIM NAND" : "QCBOXSIM eMMC");
	s->block = (uint32_t)block;
	s->window = (uint16_t)window;
	s->version = (uint8_t)version;
	s->supported = (uint8_t)feat;
	s->need_hello = true;
	s->out_cap = s->block + 64;
	s->out = malloc(s->out_cap);
	s->q = calloc(s->window ? s->window : 1, sizeof(*s->q));
	if (!s->out || !s->q || dlsim_link_init(&s->link, s->block + 64 > 0x10000 ? s->block + 64 : 0x10000) < 0)
		return QC_E_NOMEM;
	for (unsigned i = 0; i < s->window; i++)
		if (!(s->q[i].data = malloc(s->block)))
			return QC_E_NOMEM;
	return 0;
}

static int sdload_init(struct qcsim *sim, void **state)
{
	struct sdload_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return QC_E_NOMEM;
	rc = sdload_setup(sim, s);
	if (rc < 0) {
		sdload_fini(sim, s);
		return rc;
	}
	*state = s;
	return 0;
}

static int send_out(struct qcsim *sim, struct sdload_state *s, ssize_t n)
{
	if (n < 0)
		return qc_fail(qcsim_ctx(sim), (int)n, "reply does not fit the reply buffer");
	return dlsim_send(sim, &s->link, s->out, (size_t)n);
}

static int send_log(struct qcsim *sim, struct sdload_state *s, const char *text)
{
	return send_out(sim, s, qc_sdload_encode_log(s->out, s->out_cap, text));
}

/* Programmers put the text in the log first, then send the error. */
static int send_error(struct qcsim *sim, struct sdload_state *s, uint32_t code, const char *text)
{
	int rc = send_log(sim, s, text);

	qcsim_log(sim, "SDLOAD: error 0x%02x: %s", code, text);
	if (rc < 0)
		return rc;
	return send_out(sim, s, qc_sdload_encode_error(s->out, s->out_cap, code, text));
}

static int send_cmd(struct qcsim *sim, struct sdload_state *s, uint8_t cmd)
{
	return send_out(sim, s, qc_sdload_encode_cmd(s->out, s->out_cap, cmd));
}

static int send_status(struct qcsim *sim, struct sdload_state *s, uint8_t cmd, uint8_t status)
{
	return send_out(sim, s, qc_sdload_encode_status(s->out, s->out_cap, cmd, status));
}

static bool fault_due(struct qcsim *sim, const char *name, uint64_t count, uint64_t after)
{
	return count >= after && qcsim_fault(sim, name);
}

static unsigned unit(const struct sdload_state *s)
{
	return (s->features & QC_SDLOAD_FEAT_SECTOR_ADDRESSES) ? s->st->sector_size : 1;
}

/* Byte offset in the current area of ADDR, or -1 if [addr, +len) is outside. */
static int64_t locate(const struct sdload_state *s, uint32_t addr, size_t len)
{
	uint64_t off = (uint64_t)addr * unit(s);

	if (off + len > s->st->lun_bytes)
		return -1;
	return (int64_t)off;
}

static const char *area_name(const struct sdload_state *s)
{
	const char *n = s->open_type ? qc_sdload_image_type_name(s->open_type) : NULL;

	return n ? n : s->nand ? "nand" : "emmc_user";
}

static int add_extent(struct sdload_state *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->next; i++) {
		struct extent *e = &s->ext[i];

		if (start <= e->end && end >= e->start) {
			e->start = start < e->start ? start : e->start;
			e->end = end > e->end ? end : e->end;
			return 0;
		}
	}
	if (s->next == s->ext_cap) {
		size_t cap = s->ext_cap ? 2 * s->ext_cap : 8;
		struct extent *p = realloc(s->ext, cap * sizeof(*p));

		if (!p)
			return QC_E_NOMEM;
		s->ext = p;
		s->ext_cap = cap;
	}
	s->ext[s->next++] = (struct extent){start, end};
	return 0;
}

/* What was written since the image was opened, as the Firehose mode
 * reports it: one event per contiguous range. */
static void report_program(struct qcsim *sim, struct sdload_state *s)
{
	unsigned ss = s->st->sector_size;

	for (size_t i = 0; i < s->next; i++) {
		json_object *ev = json_object_new_object();

		json_object_object_add(ev, "lun", json_object_new_int((int)s->lun));
		json_object_object_add(ev, "start", json_object_new_int64((int64_t)(s->ext[i].start / ss)));
		json_object_object_add(ev, "sectors",
				       json_object_new_int64((int64_t)((s->ext[i].end - s->ext[i].start + ss - 1) / ss)));
		json_object_object_add(ev, "sector_size", json_object_new_int((int)ss));
		json_object_object_add(ev, "image_type", json_object_new_string(area_name(s)));
		qcsim_event(sim, "program", ev);
	}
	s->next = 0;
}

static int do_hello(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	struct qc_sdload_hello h = {0};
	ssize_t n;

	if (!r->magic_ok)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Invalid magic number");
	if (r->compat < SDSIM_MIN_VERSION)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Invalid protocol version");
	s->need_hello = false;
	s->features = r->features & s->supported;
	memcpy(h.magic, QC_SDLOAD_MAGIC_TARGET, QC_SDLOAD_MAGIC_LEN);
	if (qcsim_fault(sim, "hello:bad-magic"))
		memcpy(h.magic, QC_SDLOAD_MAGIC_HOST, QC_SDLOAD_MAGIC_LEN);
	h.version = s->version;
	h.compat_version = SDSIM_MIN_VERSION;
	h.max_block_size = qcsim_fault(sim, "hello:huge-block") ? 0x40000000u : s->block;
	snprintf(h.flash_id, sizeof(h.flash_id), "%s", s->flash_id);
	h.window_size = s->window;
	h.num_sectors = 1;
	h.sector_sizes[0] = s->st->sector_size;
	h.features = s->features;
	n = qc_sdload_encode_hello_resp(s->out, s->out_cap, &h);
	if (n > 0 && qcsim_fault(sim, "hello:truncated"))
		n = 44 + (ssize_t)strlen(h.flash_id) + 4; /* says one sector size, carries none */
	qcsim_event(sim, "sdload_hello", NULL);
	return send_out(sim, s, n);
}

static int do_read(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	int64_t off;

	s->reads++;
	if (r->len == 0 || r->len > s->block)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_LEN, "Packet too large");
	if ((off = locate(s, r->addr, r->len)) < 0)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_DEST, "Read unsuccessful: beyond the end of the flash");
	if (fault_due(sim, "nak:read", s->reads, s->fault_after))
		return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Read unsuccessful");
	/* READ_DATA header first, then the data read straight behind it. */
	qc_sdload_encode_read_data(s->out, s->out_cap, r->addr, NULL, 0);
	if (pread(s->st->fd[s->lun], s->out + 5, r->len, off) != (ssize_t)r->len)
		return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Read unsuccessful");
	return send_out(sim, s, 5 + (ssize_t)r->len);
}

static int do_write(struct qcsim *sim, struct sdload_state *s, const struct queued *w)
{
	int64_t off;

	if (s->need_hello)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Invalid Command");
	if (!s->open_type && !s->open_mode)
		return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "Stream write before open");
	if (w->len == 0 || w->too_long)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_LEN, "Packet too large");
	if ((off = locate(s, w->addr, w->len)) < 0)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_DEST, "Write unsuccessful: beyond the end of the flash");
	s->writes++;
	if (fault_due(sim, "nak:write", s->writes, s->fault_after))
		return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Write unsuccessful");
	if (pwrite(s->st->fd[s->lun], w->data, w->len, off) != (ssize_t)w->len)
		return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Write unsuccessful");
	if (add_extent(s, (uint64_t)off, (uint64_t)off + w->len) < 0)
		return QC_E_NOMEM;
	return send_out(sim, s, qc_sdload_encode_addr_reply(s->out, s->out_cap, QC_SDLOAD_BLOCK_WRITTEN, w->addr));
}

/* Handles the writes gathered in the window, in order. */
static int flush_queue(struct qcsim *sim, struct sdload_state *s)
{
	int rc = 0;

	for (unsigned i = 0; i < s->qn && rc >= 0; i++)
		rc = do_write(sim, s, &s->q[i]);
	s->qn = 0;
	return rc;
}

static int enqueue(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	struct queued *w;

	if (s->qn >= s->window) {
		qcsim_log(sim, "SDLOAD: STREAM_WRITE beyond the window of %u dropped", s->window);
		return send_log(sim, s, "ERR: no receive buffer, packet dropped");
	}
	w = &s->q[s->qn++];
	w->addr = r->addr;
	w->len = r->data_len;
	w->too_long = r->data_len > s->block;
	if (!w->too_long)
		memcpy(w->data, r->data, r->data_len);
	return 0;
}

static int do_open_multi(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	const char *name = qc_sdload_image_type_name(r->arg);
	char text[96];
	int lun = 0;

	if (!s->security)
		return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "No security mode received before open multi");
	if (s->nand && !s->have_ptable)
		return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "No partition table received before open multi");
	s->opens++;
	if (fault_due(sim, "nak:open", s->opens, s->fault_after))
		return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Open multi failed, unknown error");
	if (s->nand) {
		if (r->arg < QC_SDLOAD_IMG_PBL || r->arg > QC_SDLOAD_IMG_ROFS3) {
			snprintf(text, sizeof(text), "Open multi failed: image type 0x%02x is not a NAND image", r->arg);
			return send_error(sim, s, QC_SDLOAD_ERR_FAILED, text);
		}
		if (r->data_len > QC_SDLOAD_PTABLE_MAX)
			return send_status(sim, s, QC_SDLOAD_OPEN_MULTI_RESP, QC_SDLOAD_OPEN_MULTI_TOO_LONG);
	} else {
		if (r->arg == QC_SDLOAD_IMG_EMMC_RPMB)
			return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Open multi failed: RPMB cannot be streamed to");
		lun = qc_sdload_image_type_lun(r->arg);
		if (lun < 0 || (unsigned)lun >= s->st->luns) {
			snprintf(text, sizeof(text), "Open multi failed: no %s partition (type 0x%02x) on this eMMC",
				 name ? name : "such", r->arg);
			return send_error(sim, s, QC_SDLOAD_ERR_FAILED, text);
		}
		if (r->data_len)
			return send_status(sim, s, QC_SDLOAD_OPEN_MULTI_RESP, QC_SDLOAD_OPEN_MULTI_NO_PAYLOAD);
	}
	if (s->open_type || s->open_mode)
		report_program(sim, s);
	s->open_type = r->arg;
	s->open_mode = 0;
	s->lun = (unsigned)lun;
	{
		json_object *ev = json_object_new_object();

		json_object_object_add(ev, "image_type", json_object_new_int(r->arg));
		json_object_object_add(ev, "name", json_object_new_string(name ? name : "unknown"));
		json_object_object_add(ev, "lun", json_object_new_int(lun));
		qcsim_event(sim, "sdload_open", ev);
	}
	return send_status(sim, s, QC_SDLOAD_OPEN_MULTI_RESP, QC_SDLOAD_OPEN_MULTI_OK);
}

/* NAND partition tables open with one of two magic pairs. */
static bool ptable_magic_ok(const uint8_t *p, size_t n)
{
	static const uint8_t m1[8] = {0xaa, 0x73, 0xee, 0x55, 0xdb, 0xbd, 0x5e, 0xe3};
	static const uint8_t m2[8] = {0x9a, 0x1b, 0x7d, 0xaa, 0xbc, 0x48, 0x7d, 0x1f};

	return n >= 8 && (!memcmp(p, m1, 8) || !memcmp(p, m2, 8));
}

static int do_ptable(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	if (!s->security)
		return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE,
				  "No security mode received before partition table");
	if (r->data_len > QC_SDLOAD_PTABLE_MAX)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_LEN, "Partition table too long");
	if (s->nand && !ptable_magic_ok(r->data, r->data_len))
		return send_status(sim, s, QC_SDLOAD_PARTITION_TABLE_RESP, QC_SDLOAD_PTABLE_UNKNOWN);
	if (s->have_ptable && !r->arg &&
	    (s->ptable_len != r->data_len || memcmp(s->ptable, r->data, r->data_len)))
		return send_status(sim, s, QC_SDLOAD_PARTITION_TABLE_RESP, QC_SDLOAD_PTABLE_DIFFERS);
	memcpy(s->ptable, r->data, r->data_len);
	s->ptable_len = r->data_len;
	s->have_ptable = true;
	return send_status(sim, s, QC_SDLOAD_PARTITION_TABLE_RESP, QC_SDLOAD_PTABLE_OK);
}

static int erase_all(struct qcsim *sim, struct sdload_state *s)
{
	for (unsigned i = 0; i < s->st->luns; i++)
		if (ftruncate(s->st->fd[i], 0) < 0 || ftruncate(s->st->fd[i], (off_t)s->st->lun_bytes) < 0)
			return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Erase failed");
	qcsim_event(sim, "sdload_erase", NULL);
	return send_cmd(sim, s, QC_SDLOAD_FLASH_ERASED);
}

static int handle(struct qcsim *sim, struct sdload_state *s, const struct qc_sdload_request *r)
{
	if (s->need_hello && r->cmd != QC_SDLOAD_HELLO)
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Invalid Command");
	switch (r->cmd) {
	case QC_SDLOAD_HELLO:
		return do_hello(sim, s, r);
	case QC_SDLOAD_READ:
		return do_read(sim, s, r);
	case QC_SDLOAD_SIMPLE_WRITE:
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Simple write not allowed");
	case QC_SDLOAD_NOP:
		s->out[0] = QC_SDLOAD_NOP_RESP;
		if (r->data_len > s->out_cap - 1)
			return send_error(sim, s, QC_SDLOAD_ERR_INVALID_LEN, "Packet too large");
		memcpy(s->out + 1, r->data, r->data_len);
		return send_out(sim, s, 1 + (ssize_t)r->data_len);
	case QC_SDLOAD_RESET: {
		int rc;

		if (s->open_type || s->open_mode)
			return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "Cannot reset before close");
		rc = send_cmd(sim, s, QC_SDLOAD_RESET_ACK);
		qcsim_event(sim, "sdload_reset", NULL);
		s->need_hello = true;
		s->security = false;
		return rc < 0 ? rc : SDSIM_GONE;
	}
	case QC_SDLOAD_UNLOCK:
		return send_cmd(sim, s, QC_SDLOAD_UNLOCKED);
	case QC_SDLOAD_POWER_OFF:
		return send_error(sim, s, QC_SDLOAD_ERR_POWER_OFF_UNSUPPORTED, "Power off not supported");
	case QC_SDLOAD_OPEN:
		if (r->arg < 1 || r->arg > 4)
			return send_error(sim, s, QC_SDLOAD_ERR_FAILED, "Open failed");
		if (s->open_type || (s->open_mode && s->open_mode != r->arg))
			return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "Already opened in different mode");
		if (s->open_mode) {
			int rc = send_log(sim, s, "Already opened, ignoring open in same mode");

			return rc < 0 ? rc : send_cmd(sim, s, QC_SDLOAD_OPENED);
		}
		s->open_mode = r->arg;
		s->lun = 0;
		return send_cmd(sim, s, QC_SDLOAD_OPENED);
	case QC_SDLOAD_CLOSE:
		if (!s->open_type && !s->open_mode)
			return send_error(sim, s, QC_SDLOAD_ERR_OUT_OF_SEQUENCE, "Cannot close when not previously opened");
		s->closes++;
		if (fault_due(sim, "nak:close", s->closes, s->fault_after))
			return send_error(sim, s, QC_SDLOAD_ERR_CLOSE_FAILED, "Close failed");
		fsync(s->st->fd[s->lun]);
		report_program(sim, s);
		s->open_type = s->open_mode = 0;
		s->lun = 0;
		return send_cmd(sim, s, QC_SDLOAD_CLOSED);
	case QC_SDLOAD_SECURITY_MODE:
		if (r->arg > 1)
			return send_error(sim, s, QC_SDLOAD_ERR_BAD_SEC_MODE, "Set security mode failed.");
		s->security = true;
		return send_cmd(sim, s, QC_SDLOAD_SECURITY_MODE_RESP);
	case QC_SDLOAD_PARTITION_TABLE:
		return do_ptable(sim, s, r);
	case QC_SDLOAD_OPEN_MULTI:
		return do_open_multi(sim, s, r);
	case QC_SDLOAD_ERASE_FLASH:
		return erase_all(sim, s);
	case QC_SDLOAD_GET_ECC:
		return send_status(sim, s, QC_SDLOAD_ECC_STATE, s->ecc);
	case QC_SDLOAD_SET_ECC:
		if (r->arg > 1)
			return send_error(sim, s, QC_SDLOAD_ERR_INVALID_LEN, "Invalid ECC state");
		s->ecc = r->arg;
		return send_cmd(sim, s, QC_SDLOAD_SET_ECC_RESP);
	default:
		return send_error(sim, s, QC_SDLOAD_ERR_INVALID_CMD, "Invalid Command");
	}
}

static int sdload_run(struct qcsim *sim, void *state)
{
	struct sdload_state *s = state;

	dlsim_link_reset(&s->link);
	s->qn = 0;
	report_programmer(sim, s);
	for (;;) {
		struct qc_sdload_request r;
		const uint8_t *f;
		size_t n;
		uint32_t err;
		/* With writes waiting, only look at what has already arrived. */
		int rc = dlsim_recv(sim, &s->link, &f, &n, s->qn ? 0 : -1);

		if (rc == QC_E_TIMEOUT && s->qn) {
			rc = flush_queue(sim, s);
		} else if (rc == QC_E_DISCONNECTED) {
			return QCSIM_DISCONNECTED;
		} else if (rc < 0) {
			return rc;
		} else if (rc == DLSIM_DAMAGED) {
			rc = flush_queue(sim, s);
			if (rc >= 0)
				rc = send_log(sim, s, "ERR: CRC invalid");
		} else if (qc_sdload_parse_request(qcsim_ctx(sim), f, n, &r, &err) < 0) {
			char text[160];

			snprintf(text, sizeof(text), "%s", qc_last_error(qcsim_ctx(sim)));
			rc = flush_queue(sim, s);
			if (rc >= 0)
				rc = send_error(sim, s, err, text);
		} else if (r.cmd == QC_SDLOAD_STREAM_WRITE && !s->need_hello) {
			rc = enqueue(sim, s, &r);
		} else {
			rc = flush_queue(sim, s);
			if (rc >= 0)
				rc = handle(sim, s, &r);
		}
		if (rc == QC_E_DISCONNECTED || rc == SDSIM_GONE)
			return QCSIM_DISCONNECTED;
		if (rc < 0)
			return rc;
	}
}

const struct qcsim_mode qcsim_mode_sdload = {
	.name = "sdload",
	.options = sdload_options,
	.init = sdload_init,
	.run = sdload_run,
	.fini = sdload_fini,
};
