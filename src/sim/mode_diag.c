/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated modem: answers DIAG requests over HDLC.  Replies go out at once
 * and without a leading flag, as real modems do (QCSuper takes a lone 0x7E
 * for a dead modem).  Identity comes from the options, NV items live in
 * memory for the life of the simulator, and the SPC and security locks
 * behave like a phone's: service-programming items and EFS writes are
 * refused until the SPC is sent, three wrong codes lock the SPC command
 * until the phone resets.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bytes.h"
#include "diag_efs.h"
#include "diag_nv.h"
#include "qcbox/diag.h"
#include "qcbox/nv.h"
#include "sim.h"

#define SPC_TRIES 3
#define SUBSCRIPTIONS 2
/* A phone that switched modes answers nothing more and leaves the bus
 * within this time, whether or not the host closes the port first. */
#define LEAVE_BUS_MS 1000
/* handle() result: the phone powered off, the link is gone. */
#define POWERED_OFF 100

struct diag_state {
	struct qc_diag_version ver;
	struct qc_diag_ext_build_id ext;
	uint32_t esn;
	uint16_t diag_version;
	struct qcsim_nv nv;
	struct qcsim_efs *efs;
	char spc[7];
	bool spc_lock;     /* --spc given: the phone starts locked */
	bool spc_locked;
	unsigned spc_fails;
	uint8_t password[8];
	bool sec_lock;     /* --password given */
	bool sec_locked;
	unsigned mode;     /* enum qc_diag_mode, ONLINE after power-up */
	uint8_t rsp[QC_NV_SUB_PKT_LEN + 16384];
};

static const struct qcsim_option diag_options[] = {
	{"model", "TEXT", "DIAG: model (version reply, first 8 characters; extended build id in full)"},
	{"build-id", "TEXT", "DIAG: build id in the extended build id reply (0x7C)"},
	{"esn", "HEX", "DIAG: ESN (0x01 and NV 0); without it the modem reports no ESN (0xDEADD00D)"},
	{"imei", "DIGITS", "DIAG: 15-digit IMEI stored in NV 550"},
	{"imei2", "DIGITS", "DIAG: IMEI of the second subscription (NV 550 through subsystem 0x30)"},
	{"meid", "HEX14", "DIAG: MEID stored in NV 1943"},
	{"nv", "FILE", "DIAG: NV items, in the JSON format of 'qcbox nv backup'; absent items answer inactive"},
	{"spc", "CODE", "DIAG: six-digit SPC (NV 85, default 000000); when given the modem starts SPC-locked: "
			"service-programming NV items and EFS writes are refused until the SPC is sent, and three "
			"wrong codes lock it out until a reset"},
	{"password", "HEX16", "DIAG: security password (0x46); when given the modem starts security-locked"},
	{"diag-version", "N", "DIAG: version number answered to 0x1C (default 8)"},
	{"efs-dir", "DIR", "DIAG: host directory backing the EFS2 file system"},
	{"efs-subsys", "13|3e|both", "DIAG: EFS2 subsystems answered (default both; the other gets bad-command)"},
	{"efs-window", "BYTES", "DIAG: EFS2 byte windows offered in HELLO (default 1M); longer WRITEs get bad-length. "
				"EFS faults: efs-hostile-names, efs-endless-dir, efs-lying-size, efs-endless-file"},
	{NULL, NULL, NULL},
};

static int fail_opt(struct qcsim *sim, const char *opt, const char *why)
{
	return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--%s: %s", opt, why);
}

static int parse_identity(struct qcsim *sim, struct diag_state *s)
{
	const char *v;
	uint8_t buf[QC_NV_DATA_LEN];
	uint64_t u;
	int rc;

	v = qcsim_opt(sim, "model");
	snprintf(s->ver.model, sizeof(s->ver.model), "%s", v ? v : "QCBOXSIM");
	snprintf(s->ext.model, sizeof(s->ext.model), "%s", v ? v : "QCBOXSIM");
	v = qcsim_opt(sim, "build-id");
	snprintf(s->ext.build_id, sizeof(s->ext.build_id), "%s", v ? v : "QCBOXSIM.MPSS.1.0-00001");
	snprintf(s->ver.comp_date, sizeof(s->ver.comp_date), "Nov 25 2026");
	snprintf(s->ver.comp_time, sizeof(s->ver.comp_time), "12:00:00");
	snprintf(s->ver.rel_date, sizeof(s->ver.rel_date), "Nov 20 2026");
	snprintf(s->ver.rel_time, sizeof(s->ver.rel_time), "08:00:00");
	s->ver.scm = 0x2a;
	s->ver.mob_cai_rev = 9;
	s->ver.mob_model = 0xff;
	s->ver.mob_firm_rev = 100;
	s->ver.slot_cycle_index = 0x30;
	s->ext.hw_version_format = 1;
	s->ext.msm_hw_version = 0x00000cf2;
	s->ext.mobile_model_id = 0x14e;

	s->esn = QC_DIAG_NO_ESN;
	v = qcsim_opt(sim, "esn");
	if (v) {
		char *end;
		const char *h = (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) ? v + 2 : v;

		u = strtoull(h, &end, 16);
		if (!*h || *end || strlen(h) > 8 || !isxdigit((unsigned char)*h))
			return fail_opt(sim, "esn", "expected up to 8 hex digits");
		s->esn = (uint32_t)u;
		for (int i = 0; i < 4; i++)
			buf[i] = (uint8_t)(s->esn >> (8 * i));
		if ((rc = qcsim_nv_set(&s->nv, QC_NV_ITEM_ESN, -1, 0, buf, 4, QC_NV_DONE)) < 0)
			return rc;
	}
	for (unsigned sub = 0; sub < 2; sub++) {
		const char *name = sub ? "imei2" : "imei";

		v = qcsim_opt(sim, name);
		if (!v)
			continue;
		if (qc_imei_encode(v, buf) < 0)
			return fail_opt(sim, name, "expected 15 decimal digits");
		if ((rc = qcsim_nv_set(&s->nv, QC_NV_ITEM_IMEI, -1, sub, buf, QC_IMEI_NV_LEN, QC_NV_DONE)) < 0)
			return rc;
	}
	v = qcsim_opt(sim, "meid");
	if (v) {
		if (qc_meid_encode(v, buf) < 0)
			return fail_opt(sim, "meid", "expected 14 hex digits");
		if ((rc = qcsim_nv_set(&s->nv, QC_NV_ITEM_MEID, -1, 0, buf, 8, QC_NV_DONE)) < 0)
			return rc;
	}
	if ((rc = qcsim_opt_u64(sim, "diag-version", 8, &u)) < 0)
		return rc;
	if (u > 0xffff)
		return fail_opt(sim, "diag-version", "must be 0 to 65535");
	s->diag_version = (uint16_t)u;
	return 0;
}

static int parse_locks(struct qcsim *sim, struct diag_state *s)
{
	const char *v = qcsim_opt(sim, "spc");
	ssize_t n;

	snprintf(s->spc, sizeof(s->spc), "000000");
	if (v) {
		if (strlen(v) != 6 || strspn(v, "0123456789") != 6)
			return fail_opt(sim, "spc", "expected six digits");
		snprintf(s->spc, sizeof(s->spc), "%s", v);
		s->spc_lock = true;
	}
	n = qcsim_opt_hex(sim, "password", s->password, sizeof(s->password));
	if (n < 0)
		return (int)n;
	if (qcsim_opt(sim, "password")) {
		if (n != 8)
			return fail_opt(sim, "password", "expected 16 hex digits");
		s->sec_lock = true;
	}
	/* NV 85 holds the SPC as six ASCII digits. */
	return qcsim_nv_set(&s->nv, QC_NV_ITEM_SEC_CODE, -1, 0, (const uint8_t *)s->spc, 6, QC_NV_DONE);
}

/* What the phone is after power-up or a reset. */
static void power_up(struct diag_state *s)
{
	s->mode = QC_DIAG_MODE_ONLINE;
	s->spc_locked = s->spc_lock;
	s->spc_fails = 0;
	s->sec_locked = s->sec_lock;
}

static int diag_init(struct qcsim *sim, void **state)
{
	struct diag_state *s = calloc(1, sizeof(*s));
	const char *nvfile = qcsim_opt(sim, "nv");
	int rc;

	if (!s)
		return QC_E_NOMEM;
	/* The NV file first: identity options override what it says. */
	rc = nvfile ? qcsim_nv_load(&s->nv, qcsim_ctx(sim), nvfile) : 0;
	if (rc == 0)
		rc = parse_identity(sim, s);
	if (rc == 0)
		rc = parse_locks(sim, s);
	if (rc == 0)
		rc = qcsim_efs_init(sim, &s->efs);
	if (rc < 0) {
		if (rc == QC_E_NOMEM)
			qc_fail(qcsim_ctx(sim), rc, "out of memory");
		qcsim_nv_free(&s->nv);
		free(s);
		return rc;
	}
	power_up(s);
	*state = s;
	return 0;
}

static void diag_fini(struct qcsim *sim, void *state)
{
	struct diag_state *s = state;

	(void)sim;
	if (!s)
		return;
	qcsim_efs_free(s->efs);
	qcsim_nv_free(&s->nv);
	free(s);
}

/* ----- sending, with the protocol faults of --fault ----- */

static int send_version(struct qcsim *sim, struct diag_state *s)
{
	uint8_t r[QC_DIAG_VERNO_LEN];

	qc_diag_version_encode(&s->ver, r, sizeof(r));
	return qcsim_hdlc_send(sim, r, sizeof(r));
}

static int send_esn(struct qcsim *sim, struct diag_state *s)
{
	uint8_t r[5] = {QC_DIAG_ESN};

	for (int i = 0; i < 4; i++)
		r[1 + i] = (uint8_t)(s->esn >> (8 * i));
	return qcsim_hdlc_send(sim, r, sizeof(r));
}

/*
 * Faults a confused or buggy modem shows:
 *   wrong-reply   the next request gets the version reply instead of its own
 *   stale-reply   an ESN reply (left over from "earlier") precedes the next one
 *   short-reply   the next reply is cut to half its length
 *   wrong-item    the next NV reply names another item (see nv_request)
 */
static int reply(struct qcsim *sim, struct diag_state *s, const uint8_t *r, size_t len)
{
	int rc;

	if (qcsim_fault(sim, "wrong-reply"))
		return r[0] == QC_DIAG_VERNO ? send_esn(sim, s) : send_version(sim, s);
	if (qcsim_fault(sim, "stale-reply")) {
		rc = r[0] == QC_DIAG_ESN ? send_version(sim, s) : send_esn(sim, s);
		if (rc < 0)
			return rc;
	}
	if (qcsim_fault(sim, "short-reply") && len > 1)
		len /= 2;
	return qcsim_hdlc_send(sim, r, len);
}

/* Error replies carry the code and then the whole request. */
static int reply_error(struct qcsim *sim, struct diag_state *s, uint8_t code, const uint8_t *req, size_t len)
{
	if (len > sizeof(s->rsp) - 1)
		len = sizeof(s->rsp) - 1;
	s->rsp[0] = code;
	memcpy(s->rsp + 1, req, len);
	return reply(sim, s, s->rsp, len + 1);
}

/* ----- NV ----- */

static void nv_event(struct qcsim *sim, const struct qc_nv_packet *p, int index, uint16_t status)
{
	json_object *o = json_object_new_object();
	const char *name = qc_nv_status_name(status);

	json_object_object_add(o, "item", json_object_new_int(p->item));
	if (index >= 0)
		json_object_object_add(o, "index", json_object_new_int(index));
	if (p->sim >= 0)
		json_object_object_add(o, "sim", json_object_new_int(p->sim));
	json_object_object_add(o, "status", json_object_new_string(name ? name : "unknown"));
	qcsim_event(sim, "nv_write", o);
}

/* Writes to the ESN or MEID are refused once they hold a value, as phones
 * do to stop cloning. */
static bool write_once_set(struct diag_state *s, uint16_t item, unsigned sub)
{
	struct qcsim_nv_item *e;

	if (item != QC_NV_ITEM_ESN && item != QC_NV_ITEM_MEID)
		return false;
	e = qcsim_nv_find(&s->nv, item, -1, sub);
	if (!e || e->status != QC_NV_DONE)
		return false;
	for (size_t i = 0; i < 8; i++)
		if (e->data[i])
			return true;
	return false;
}

/* A write to NV 85 changes the SPC itself. */
static uint16_t write_sec_code(struct diag_state *s, const uint8_t *data)
{
	for (int i = 0; i < 6; i++)
		if (!isdigit(data[i]))
			return QC_NV_BADPARM;
	memcpy(s->spc, data, 6);
	s->spc[6] = '\0';
	return QC_NV_DONE;
}

static int nv_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	struct qc_nv_packet p;
	const struct qc_nv_item_info *info;
	unsigned flags, sub;
	int index, rc;

	if (qc_nv_decode(qcsim_ctx(sim), req, len, false, &p) < 0)
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	info = qc_nv_item_info(p.item);
	flags = info ? info->flags : 0;
	sub = p.sim < 0 ? 0 : (unsigned)p.sim;
	if (sub >= SUBSCRIPTIONS)
		return reply_error(sim, s, QC_DIAG_BAD_PARM, req, len);
	index = qcsim_nv_index(p.item, p.data);
	if (!p.write) {
		if (flags & QC_NV_FLAG_SECRET)
			return reply_error(sim, s, QC_DIAG_BAD_PARM, req, len);
		if ((flags & QC_NV_FLAG_SPCR) && s->spc_locked)
			return reply_error(sim, s, QC_DIAG_BAD_SPC_MODE, req, len);
		struct qcsim_nv_item *e = qcsim_nv_find(&s->nv, p.item, index, sub);

		if (index >= 0 && index >= info->nam)
			p.status = QC_NV_BADPARM;
		else if (!e)
			p.status = QC_NV_NOTACTIVE;
		else if ((p.status = e->status) == QC_NV_DONE)
			memcpy(p.data, e->data, sizeof(p.data));
	} else {
		if ((flags & QC_NV_FLAG_SPC) && s->spc_locked)
			return reply_error(sim, s, QC_DIAG_BAD_SPC_MODE, req, len);
		if ((flags & QC_NV_FLAG_SEC) && s->sec_locked)
			return reply_error(sim, s, QC_DIAG_BAD_SEC_MODE, req, len);
		struct qcsim_nv_item *e = qcsim_nv_find(&s->nv, p.item, index, sub);

		if (index >= 0 && index >= info->nam)
			p.status = QC_NV_BADPARM;
		else if (e && e->status != QC_NV_DONE && e->status != QC_NV_NOTACTIVE)
			p.status = e->status; /* read-only, bad target... as configured */
		else if (write_once_set(s, p.item, sub))
			p.status = QC_NV_READONLY;
		else if (p.item == QC_NV_ITEM_SEC_CODE && sub == 0)
			p.status = write_sec_code(s, p.data);
		else
			p.status = QC_NV_DONE;
		if (p.status == QC_NV_DONE) {
			rc = qcsim_nv_set(&s->nv, p.item, index, sub, p.data, sizeof(p.data), QC_NV_DONE);
			if (rc < 0)
				return qc_fail(qcsim_ctx(sim), rc, "out of memory for NV item %u", p.item);
		}
		nv_event(sim, &p, index, p.status);
	}
	if (qcsim_fault(sim, "wrong-item"))
		p.item++;
	ssize_t n = qc_nv_encode(&p, s->rsp, sizeof(s->rsp));

	return n < 0 ? (int)n : reply(sim, s, s->rsp, (size_t)n);
}

/* ----- SPC, password, modes, switches ----- */

static int spc_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	uint8_t r[2] = {QC_DIAG_SPC, 0};
	json_object *o = json_object_new_object();

	if (len != 7) {
		json_object_put(o);
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	}
	/* After three wrong codes the phone stops checking until it is
	 * reset or power-cycled, so codes cannot be guessed over DIAG. */
	if (s->spc_fails >= SPC_TRIES) {
		json_object_object_add(o, "locked_out", json_object_new_boolean(1));
	} else if (!memcmp(req + 1, s->spc, 6)) {
		r[1] = 1;
		s->spc_locked = false;
		s->spc_fails = 0;
	} else {
		s->spc_fails++;
	}
	json_object_object_add(o, "accepted", json_object_new_boolean(r[1]));
	json_object_object_add(o, "tries_left",
			       json_object_new_int(s->spc_fails >= SPC_TRIES ? 0 : (int)(SPC_TRIES - s->spc_fails)));
	qcsim_event(sim, "spc", o);
	return reply(sim, s, r, sizeof(r));
}

static int password_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	uint8_t r[2] = {QC_DIAG_PASSWORD, 0};

	if (len != 9)
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	/* Without a configured password the phone has none to check. */
	if (!s->sec_lock || !memcmp(req + 1, s->password, 8)) {
		r[1] = 1;
		s->sec_locked = false;
	}
	json_object *o = json_object_new_object();

	json_object_object_add(o, "accepted", json_object_new_boolean(r[1]));
	qcsim_event(sim, "password", o);
	return reply(sim, s, r, sizeof(r));
}

/* The phone has acknowledged a switch and now drops off the bus: it reads
 * and ignores whatever the host still sends until the host closes the port
 * or LEAVE_BUS_MS pass. */
static void leave_bus(struct qcsim *sim)
{
	struct timespec t0, now;
	uint8_t sink[512];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		long el;

		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (long)((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		if (el >= LEAVE_BUS_MS || qcsim_read(sim, sink, sizeof(sink), (int)(LEAVE_BUS_MS - el)) < 0)
			break;
	}
	qc_clear_error(qcsim_ctx(sim));
}

static int switch_mode(struct qcsim *sim, const char *to)
{
	json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "to", json_object_new_string(to));
	qcsim_event(sim, "mode_switch", o);
	leave_bus(sim);
	rc = qcsim_switch(sim, to, NULL, 0, true);
	return rc < 0 ? rc : QCSIM_SWITCHED;
}

static int control_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	unsigned mode;
	const char *name;
	int rc;

	if (len != 3)
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	mode = qc_get_le16(req + 1);
	name = qc_diag_mode_name(mode);
	if (!name)
		return reply_error(sim, s, QC_DIAG_BAD_PARM, req, len);
	/* A reset is only taken from offline; the host goes offline first. */
	if (mode == QC_DIAG_MODE_RESET && s->mode != QC_DIAG_MODE_OFFLINE_D && s->mode != QC_DIAG_MODE_OFFLINE_A)
		return reply_error(sim, s, QC_DIAG_BAD_MODE, req, len);
	rc = reply(sim, s, req, len);
	if (rc < 0)
		return rc;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mode", json_object_new_string(name));
	qcsim_event(sim, "phone_mode", o);
	if (mode == QC_DIAG_MODE_RESET) {
		/* The phone reboots and comes back as a new DIAG port, with
		 * its locks set again and NV as it was. */
		power_up(s);
		leave_bus(sim);
		rc = qcsim_switch(sim, "diag", NULL, 0, true);
		return rc < 0 ? rc : QCSIM_SWITCHED;
	}
	if (mode == QC_DIAG_MODE_POWER_OFF) {
		power_up(s);
		leave_bus(sim);
		return POWERED_OFF;
	}
	s->mode = mode;
	return 0;
}

static int subsys_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	if (len < 4)
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	switch (req[1]) {
	case QC_DIAG_SUBSYS_NV:
		return nv_request(sim, s, req, len);
	case QC_DIAG_SUBSYS_FS:
	case QC_DIAG_SUBSYS_FS_ALT: {
		ssize_t n = qcsim_efs_handle(s->efs, req, len, s->rsp, sizeof(s->rsp), !s->spc_locked && !s->sec_locked);

		if (n < 0)
			return (int)n;
		return reply(sim, s, s->rsp, (size_t)n);
	}
	case QC_DIAG_SUBSYS_SYSOPS:
		if (qc_get_le16(req + 2) == 1 && len == 4) {
			int rc = reply(sim, s, req, len);

			return rc < 0 ? rc : switch_mode(sim, "sahara");
		}
		break;
	}
	return reply_error(sim, s, QC_DIAG_BAD_CMD, req, len);
}

/* Requests that are just a command byte. */
static int simple_request(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	ssize_t n;

	if (len != 1)
		return reply_error(sim, s, QC_DIAG_BAD_LEN, req, len);
	switch (req[0]) {
	case QC_DIAG_VERNO:
		n = qc_diag_version_encode(&s->ver, s->rsp, sizeof(s->rsp));
		break;
	case QC_DIAG_ESN:
		s->rsp[0] = QC_DIAG_ESN;
		for (int i = 0; i < 4; i++)
			s->rsp[1 + i] = (uint8_t)(s->esn >> (8 * i));
		n = 5;
		break;
	case QC_DIAG_DIAG_VER:
		/* Two bytes: QCSuper unpacks a u16 and fails on one byte. */
		s->rsp[0] = QC_DIAG_DIAG_VER;
		s->rsp[1] = (uint8_t)s->diag_version;
		s->rsp[2] = (uint8_t)(s->diag_version >> 8);
		n = 3;
		break;
	case QC_DIAG_EXT_BUILD_ID:
		n = qc_diag_ext_build_id_encode(&s->ext, s->rsp, sizeof(s->rsp));
		break;
	default: {
		int rc = reply(sim, s, req, len); /* 0x3A: DLOAD, acknowledged by an echo */

		return rc < 0 ? rc : switch_mode(sim, "dload");
	}
	}
	return n < 0 ? (int)n : reply(sim, s, s->rsp, (size_t)n);
}

static int handle(struct qcsim *sim, struct diag_state *s, const uint8_t *req, size_t len)
{
	switch (req[0]) {
	case QC_DIAG_VERNO:
	case QC_DIAG_ESN:
	case QC_DIAG_DIAG_VER:
	case QC_DIAG_EXT_BUILD_ID:
	case QC_DIAG_DLOAD:
		return simple_request(sim, s, req, len);
	case QC_DIAG_NV_READ:
	case QC_DIAG_NV_WRITE:
		return nv_request(sim, s, req, len);
	case QC_DIAG_CONTROL:
		return control_request(sim, s, req, len);
	case QC_DIAG_SPC:
		return spc_request(sim, s, req, len);
	case QC_DIAG_PASSWORD:
		return password_request(sim, s, req, len);
	case QC_DIAG_SUBSYS:
		return subsys_request(sim, s, req, len);
	default:
		/* Unknown commands come back as 0x13 followed by the request. */
		return reply_error(sim, s, QC_DIAG_BAD_CMD, req, len);
	}
}

static int diag_run(struct qcsim *sim, void *state)
{
	struct diag_state *s = state;

	for (;;) {
		const uint8_t *f;
		size_t n;
		int rc = qcsim_hdlc_recv(sim, &f, &n, -1);

		if (rc <= 0)
			return rc == QC_E_DISCONNECTED ? QCSIM_DISCONNECTED : rc;
		if (n == 0)
			continue;
		/* The decoder's buffer is reused by the next receive, and a
		 * reply may read more (leave_bus): work on a copy. */
		uint8_t req[sizeof(s->rsp)];

		if (n > sizeof(req)) {
			rc = reply_error(sim, s, QC_DIAG_BAD_LEN, f, sizeof(req) - 1);
		} else {
			memcpy(req, f, n);
			rc = handle(sim, s, req, n);
		}
		if (rc == QC_E_DISCONNECTED || rc == POWERED_OFF)
			return QCSIM_DISCONNECTED;
		if (rc != 0)
			return rc;
	}
}

const struct qcsim_mode qcsim_mode_diag = {
	.name = "diag",
	.options = diag_options,
	.init = diag_init,
	.run = diag_run,
	.fini = diag_fini,
};
