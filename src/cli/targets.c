/* SPDX-License-Identifier: BSD-3-Clause */
/* TARGET: a GPT partition name, LUN/NAME, LUN/START+COUNT, LUN/START or a
 * bare LUN number, turned into a sector range on the device. */
#include <stdio.h>
#include <string.h>

#include "targets.h"

int target_resolve(struct cli *cli, qc_fh *fh, const char *arg, enum target_use use, struct span *sp)
{
	struct qc_fh_target tg;
	uint64_t lun_sectors;
	int rc;

	(void)use;
	memset(sp, 0, sizeof(*sp));
	rc = qc_fh_target_parse(cli->ctx, arg, &tg);
	if (rc < 0)
		return cli_fail(cli, rc);
	snprintf(sp->label, sizeof(sp->label), "%s", arg);
	if (tg.name[0])
		return cli_error(cli, CLI_USAGE, "partition names need the GPT support, which this build lacks; "
				 "give LUN/START+COUNT");
	sp->lun = (unsigned)tg.lun;
	sp->start = tg.start;
	if (tg.has_count) {
		sp->count = tg.count;
		return CLI_OK;
	}
	/* To the end of the LUN: its size comes from getstorageinfo. */
	rc = qc_fh_lun_sectors(fh, sp->lun, &lun_sectors);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (sp->start >= lun_sectors)
		return cli_error(cli, CLI_USAGE, "target %s: sector %llu is beyond the end of LUN %u (%llu sectors)", arg,
				 (unsigned long long)sp->start, sp->lun, (unsigned long long)lun_sectors);
	sp->count = lun_sectors - sp->start;
	sp->whole_lun = sp->start == 0 && !strchr(arg, '/');
	return CLI_OK;
}
