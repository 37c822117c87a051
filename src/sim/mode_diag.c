/* SPDX-License-Identifier: BSD-3-Clause */
/* Simulated modem: answers DIAG requests over HDLC.  Replies go out at
 * once and without a leading flag, as real modems do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag_efs.h"
#include "qcbox/diag.h"
#include "sim.h"

struct diag_state {
	char model[9];
	struct qcsim_efs *efs;
	uint8_t efs_rsp[64 * 1024];
};

static const struct qcsim_option diag_options[] = {
	{"model", "TEXT", "DIAG: model string (version reply, extended build id)"},
	{"efs-dir", "DIR", "DIAG: host directory backing the EFS2 file system"},
	{"efs-subsys", "13|3e|both", "DIAG: EFS2 subsystems answered (default both; the other gets bad-command)"},
	{"efs-window", "BYTES", "DIAG: EFS2 byte windows offered in HELLO (default 1M); longer WRITEs get bad-length. "
				"EFS faults: efs-hostile-names, efs-endless-dir, efs-lying-size, efs-endless-file"},
	{NULL, NULL, NULL},
};

static int diag_init(struct qcsim *sim, void **state)
{
	struct diag_state *s = calloc(1, sizeof(*s));
	const char *model = qcsim_opt(sim, "model");
	int rc;

	if (!s)
		return QC_E_NOMEM;
	snprintf(s->model, sizeof(s->model), "%s", model ? model : "QCBOXSIM");
	rc = qcsim_efs_init(sim, &s->efs);
	if (rc < 0) {
		free(s);
		return rc;
	}
	*state = s;
	return 0;
}

static void put_field(uint8_t *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(dst, ' ', n);
	memcpy(dst, s, l < n ? l : n);
}

/* 0x00: comp_date[11] comp_time[8] rel_date[11] rel_time[8] model[8], then
 * scm, cai_rev, mob_model, firm_rev u16, slot_cycle, hw_maj, hw_min. */
static int reply_version(struct qcsim *sim, struct diag_state *s)
{
	uint8_t r[55] = {QC_DIAG_VERNO};

	put_field(r + 1, 11, "Nov 25 2026");
	put_field(r + 12, 8, "12:00:00");
	put_field(r + 20, 11, "Nov 25 2026");
	put_field(r + 31, 8, "12:00:00");
	put_field(r + 39, 8, s->model);
	r[47] = 1;  /* scm */
	r[48] = 6;  /* mob_cai_rev */
	r[49] = 0xff; /* mob_model */
	r[50] = 1;  /* mob_firm_rev */
	r[52] = 2;  /* slot_cycle_index */
	return qcsim_hdlc_send(sim, r, sizeof(r));
}

/* Unknown commands come back as 0x13 followed by the request. */
static int reply_bad_command(struct qcsim *sim, const uint8_t *req, size_t len)
{
	uint8_t r[1 + 4096];

	if (len > sizeof(r) - 1)
		len = sizeof(r) - 1;
	r[0] = QC_DIAG_BAD_CMD;
	memcpy(r + 1, req, len);
	return qcsim_hdlc_send(sim, r, len + 1);
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
		switch (f[0]) {
		case QC_DIAG_VERNO:
			rc = reply_version(sim, s);
			break;
		case QC_DIAG_SUBSYS:
			if (n >= 2 && (f[1] == 0x13 || f[1] == 0x3e)) {
				ssize_t r = qcsim_efs_handle(s->efs, f, n, s->efs_rsp, sizeof(s->efs_rsp), true);

				rc = r < 0 ? (int)r : qcsim_hdlc_send(sim, s->efs_rsp, (size_t)r);
				break;
			}
			rc = reply_bad_command(sim, f, n);
			break;
		default:
			rc = reply_bad_command(sim, f, n);
			break;
		}
		if (rc == QC_E_DISCONNECTED)
			return QCSIM_DISCONNECTED;
		if (rc < 0)
			return rc;
	}
}

static void diag_fini(struct qcsim *sim, void *state)
{
	struct diag_state *s = state;

	(void)sim;
	qcsim_efs_free(s->efs);
	free(state);
}

const struct qcsim_mode qcsim_mode_diag = {
	.name = "diag",
	.options = diag_options,
	.init = diag_init,
	.run = diag_run,
	.fini = diag_fini,
};
