/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "sim_impl.h"

extern const struct qcsim_mode qcsim_mode_sahara;
extern const struct qcsim_mode qcsim_mode_firehose;
extern const struct qcsim_mode qcsim_mode_diag;
extern const struct qcsim_mode qcsim_mode_dload;
extern const struct qcsim_mode qcsim_mode_sdload;

const struct qcsim_mode *const qcsim_modes[] = {
	&qcsim_mode_sahara, &qcsim_mode_firehose, &qcsim_mode_diag, &qcsim_mode_dload, &qcsim_mode_sdload, NULL,
};

const struct qcsim_mode *qcsim_find_mode(const char *name)
{
	for (size_t i = 0; qcsim_modes[i]; i++)
		if (!strcmp(qcsim_modes[i]->name, name))
			return qcsim_modes[i];
	return NULL;
}

int qcsim_mode_index(const struct qcsim_mode *m)
{
	for (int i = 0; qcsim_modes[i]; i++)
		if (qcsim_modes[i] == m)
			return i;
	return -1;
}
