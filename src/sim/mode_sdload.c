/* SPDX-License-Identifier: BSD-3-Clause */
#include "sim.h"

static int sdload_run(struct qcsim *sim, void *state)
{
	(void)state;
	return qc_fail(qcsim_ctx(sim), QC_E_UNSUPPORTED, "the simulated sdload mode is not available yet");
}

const struct qcsim_mode qcsim_mode_sdload = {
	.name = "sdload",
	.run = sdload_run,
};
