/* SPDX-License-Identifier: BSD-3-Clause */
/* Phone mode changes (CONTROL, 0x29) and the switches into download
 * modes: DMSS download (0x3A) and the Sahara boot ROM (4B 65 01 00). */
#include <string.h>

#include "qcbox/diag.h"

static const char *const mode_names[] = {
	[QC_DIAG_MODE_OFFLINE_A] = "offline-analog",
	[QC_DIAG_MODE_OFFLINE_D] = "offline",
	[QC_DIAG_MODE_RESET] = "reset",
	[QC_DIAG_MODE_FTM] = "ftm",
	[QC_DIAG_MODE_ONLINE] = "online",
	[QC_DIAG_MODE_LPM] = "lpm",
	[QC_DIAG_MODE_POWER_OFF] = "poweroff",
};

#define NMODES (sizeof(mode_names) / sizeof(mode_names[0]))

const char *qc_diag_mode_name(unsigned mode) { return mode < NMODES ? mode_names[mode] : NULL; }

int qc_diag_mode_from_name(const char *name)
{
	for (unsigned i = 0; i < NMODES; i++)
		if (!strcmp(mode_names[i], name))
			return (int)i;
	if (!strcmp(name, "offline-digital"))
		return QC_DIAG_MODE_OFFLINE_D;
	if (!strcmp(name, "power-off") || !strcmp(name, "off"))
		return QC_DIAG_MODE_POWER_OFF;
	return -1;
}

static qc_ctx *ctx_of(qc_diag *d) { return qc_transport_ctx(qc_diag_transport(d)); }

/* The phone echoes the three request bytes. */
int qc_diag_control(qc_diag *d, enum qc_diag_mode mode)
{
	uint8_t req[3] = {QC_DIAG_CONTROL, (uint8_t)mode, (uint8_t)((unsigned)mode >> 8)}, rsp[64];
	size_t n;
	int rc;

	if ((unsigned)mode >= NMODES)
		return qc_fail(ctx_of(d), QC_E_INVAL, "unknown phone mode %u", (unsigned)mode);
	rc = qc_diag_request(d, req, sizeof(req), rsp, sizeof(rsp), &n);
	if (rc == QC_E_NAK)
		return qc_fail(ctx_of(d), QC_E_NAK, "the device refused to go %s: %s", mode_names[mode],
			       qc_diag_error_reply_name(rsp[0]));
	if (rc < 0)
		return rc;
	if (n < 3 || rsp[1] != req[1] || rsp[2] != req[2])
		return qc_fail(ctx_of(d), QC_E_PROTOCOL, "mode-change reply does not echo mode %u (%zu bytes)",
			       (unsigned)mode, n);
	return 0;
}

int qc_diag_set_mode(qc_diag *d, enum qc_diag_mode mode)
{
	/* Phones reset or power down only from offline; doing it from
	 * online is refused with 0x18 (libqcdm and qfenix also go offline
	 * first). */
	if (mode == QC_DIAG_MODE_RESET || mode == QC_DIAG_MODE_POWER_OFF) {
		int rc = qc_diag_control(d, QC_DIAG_MODE_OFFLINE_D);

		if (rc < 0)
			return rc;
	}
	return qc_diag_control(d, mode);
}

int qc_diag_to_dload(qc_diag *d)
{
	uint8_t req = QC_DIAG_DLOAD, rsp[64];
	size_t n;
	int rc = qc_diag_request(d, &req, 1, rsp, sizeof(rsp), &n);

	if (rc == QC_E_NAK)
		return qc_fail(ctx_of(d), QC_E_NAK, "the device refused to enter download mode: %s",
			       qc_diag_error_reply_name(rsp[0]));
	return rc;
}

int qc_diag_to_edl(qc_diag *d)
{
	uint8_t rsp[64];
	size_t n;
	int rc = qc_diag_subsys_request(d, QC_DIAG_SUBSYS_SYSOPS, 1, NULL, 0, rsp, sizeof(rsp), &n);

	if (rc == QC_E_NAK)
		return qc_fail(ctx_of(d), QC_E_NAK, "the device refused to enter EDL (Sahara) mode: %s",
			       qc_diag_error_reply_name(rsp[0]));
	return rc;
}
