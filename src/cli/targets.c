/* SPDX-License-Identifier: BSD-3-Clause */
/* TARGET: a GPT partition name, LUN/NAME, LUN/START+COUNT, LUN/START or a
 * bare LUN number, turned into a sector range on the device. */
#include <stdio.h>
#include <string.h>

#include "qcbox/gpt.h"
#include "targets.h"

struct match {
	unsigned lun;
	uint64_t start, sectors;
};

/* Looks NAME up on one LUN: 1 found, 0 not there (or no valid GPT). */
static int find_on_lun(struct cli *cli, qc_fh *fh, unsigned lun, const char *name, struct match *m, bool must)
{
	struct qc_gpt gpt;
	const struct qc_gpt_partition *p;
	int rc = qc_fh_read_gpt(fh, lun, &gpt);

	if (rc < 0)
		return must ? rc : 0;
	if (!gpt.count) {
		bool has = gpt.has_gpt;

		qc_gpt_free(&gpt);
		if (must)
			return qc_fail(cli->ctx, QC_E_NOTFOUND, "LUN %u has %s GPT, so no partition '%s'", lun,
				       has ? "no valid" : "no", name);
		return 0;
	}
	p = qc_gpt_find(&gpt, name);
	if (p) {
		*m = (struct match){lun, p->first_lba, p->sectors};
		qc_gpt_free(&gpt);
		return 1;
	}
	if (must) {
		char list[512] = "";
		size_t n = 0;

		for (size_t i = 0; i < gpt.count && n + 40 < sizeof(list); i++)
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", gpt.parts[i].name);
		rc = qc_fail(cli->ctx, QC_E_NOTFOUND, "LUN %u has no partition '%s' (it has %s%s)", lun, name, list,
			     n + 40 >= sizeof(list) ? ", ..." : "");
		qc_gpt_free(&gpt);
		return rc;
	}
	qc_gpt_free(&gpt);
	return 0;
}

static int by_name(struct cli *cli, qc_fh *fh, const struct qc_fh_target *tg, enum target_use use, struct span *sp)
{
	struct match found[32], m;
	unsigned luns, n = 0;
	int rc;

	snprintf(sp->name, sizeof(sp->name), "%s", tg->name);
	if (tg->lun >= 0) {
		rc = find_on_lun(cli, fh, (unsigned)tg->lun, tg->name, &m, true);
		if (rc < 0)
			return cli_fail(cli, rc);
		found[n++] = m;
	} else {
		rc = qc_fh_lun_count(fh, &luns);
		if (rc < 0)
			return cli_fail(cli, rc);
		for (unsigned lun = 0; lun < luns && n < 32; lun++) {
			rc = find_on_lun(cli, fh, lun, tg->name, &m, false);
			if (rc < 0)
				return cli_fail(cli, rc);
			if (rc == 1)
				found[n++] = m;
		}
		if (!n)
			return cli_error(cli, CLI_FAILED, "no partition '%s' in the GPT of any of the %u LUNs",
					 tg->name, luns);
	}
	if (n > 1) {
		char list[128] = "";
		size_t len = 0;

		for (unsigned i = 0; i < n && len + 8 < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%u",
						i ? (i + 1 == n ? " and " : ", ") : "", found[i].lun);
		/* Reading the wrong copy is harmless; writing it is not. */
		if (use != TARGET_READ)
			return cli_error(cli, CLI_USAGE, "partition '%s' is on LUNs %s; say which, e.g. %u/%s",
					 tg->name, list, found[0].lun, tg->name);
		cli_warn(cli, "partition '%s' is on LUNs %s; using LUN %u (say %u/%s for another)", tg->name, list,
			 found[0].lun, found[1].lun, tg->name);
	}
	if (!found[0].sectors)
		return cli_error(cli, CLI_FAILED, "partition '%s' on LUN %u is empty (0 sectors)", tg->name,
				 found[0].lun);
	sp->lun = found[0].lun;
	sp->start = found[0].start;
	sp->count = found[0].sectors;
	snprintf(sp->label, sizeof(sp->label), "%s", tg->name);
	return CLI_OK;
}

int target_resolve(struct cli *cli, qc_fh *fh, const char *arg, enum target_use use, struct span *sp)
{
	struct qc_fh_target tg;
	uint64_t lun_sectors;
	int rc;

	memset(sp, 0, sizeof(*sp));
	rc = qc_fh_target_parse(cli->ctx, arg, &tg);
	if (rc < 0)
		return cli_fail(cli, rc);
	snprintf(sp->label, sizeof(sp->label), "%s", arg);
	if (tg.name[0])
		return by_name(cli, fh, &tg, use, sp);
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
		return cli_error(cli, CLI_USAGE, "target %s: sector %llu is beyond the end of LUN %u (%llu sectors)",
				 arg, (unsigned long long)sp->start, sp->lun, (unsigned long long)lun_sectors);
	sp->count = lun_sectors - sp->start;
	sp->whole_lun = sp->start == 0 && !strchr(arg, '/');
	return CLI_OK;
}
