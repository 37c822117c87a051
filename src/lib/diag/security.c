/* SPDX-License-Identifier: BSD-3-Clause */
/* Service programming code (0x41) and security password (0x46). */
#include <ctype.h>
#include <string.h>

#include "qcbox/diag.h"

static qc_ctx *ctx_of(qc_diag *d) { return qc_transport_ctx(qc_diag_transport(d)); }

/* Both answer with the command and one status byte, 1 = accepted. */
static int unlock(qc_diag *d, const uint8_t *req, size_t len, const char *what)
{
	uint8_t rsp[64];
	size_t n;
	int rc = qc_diag_request(d, req, len, rsp, sizeof(rsp), &n);

	if (rc == QC_E_NAK)
		return qc_fail(ctx_of(d), QC_E_NAK, "the device refused the %s command: %s", what,
			       qc_diag_error_reply_name(rsp[0]));
	if (rc < 0)
		return rc;
	if (n < 2)
		return qc_fail(ctx_of(d), QC_E_PROTOCOL, "%s reply has no status byte", what);
	if (rsp[1] == 1)
		return 0;
	if (rsp[1] == 0)
		return qc_fail(ctx_of(d), QC_E_PERM, "the device rejected the %s", what);
	return qc_fail(ctx_of(d), QC_E_PROTOCOL, "%s reply has status %u; expected 0 or 1", what, rsp[1]);
}

int qc_diag_spc(qc_diag *d, const char *code)
{
	uint8_t req[7] = {QC_DIAG_SPC};

	if (!code || strlen(code) != 6)
		return qc_fail(ctx_of(d), QC_E_INVAL, "the SPC must be six digits");
	for (int i = 0; i < 6; i++) {
		if (!isdigit((unsigned char)code[i]))
			return qc_fail(ctx_of(d), QC_E_INVAL, "the SPC must be six digits, not '%s'", code);
		req[1 + i] = (uint8_t)code[i];
	}
	return unlock(d, req, sizeof(req), "SPC");
}

int qc_diag_password(qc_diag *d, const uint8_t password[8])
{
	uint8_t req[9] = {QC_DIAG_PASSWORD};

	memcpy(req + 1, password, 8);
	return unlock(d, req, sizeof(req), "security password");
}
