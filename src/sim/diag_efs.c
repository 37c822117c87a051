/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "diag_efs.h"

struct qcsim_efs {
	struct qcsim *sim;
};

int qcsim_efs_init(struct qcsim *sim, struct qcsim_efs **out)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return QC_E_NOMEM;
	(*out)->sim = sim;
	return 0;
}

void qcsim_efs_free(struct qcsim_efs *efs) { free(efs); }

/* Until the file system is implemented every EFS request is an unknown
 * command to this modem. */
ssize_t qcsim_efs_handle(struct qcsim_efs *efs, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap,
			 bool writes_allowed)
{
	(void)efs;
	(void)writes_allowed;
	if (len + 1 > cap)
		len = cap - 1;
	rsp[0] = 0x13;
	memcpy(rsp + 1, req, len);
	return (ssize_t)len + 1;
}
