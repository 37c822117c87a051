/* SPDX-License-Identifier: BSD-3-Clause */
#include "sim.h"

static int sahara_run(struct qcsim *sim, void *state)
{
	(void)state;
	return qc_fail(qcsim_ctx(sim), QC_E_UNSUPPORTED, "the simulated sahara mode is not available yet");
}

const struct qcsim_mode qcsim_mode_sahara = {
	.name = "sahara",
	.run = sahara_run,
};
