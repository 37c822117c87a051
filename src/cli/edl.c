/* SPDX-License-Identifier: BSD-3-Clause */
/* The EDL commands' shared options and connection. */
#include <stdio.h>
#include <string.h>

#include "edl.h"

void edl_opts_init(struct edl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lun = -1;
}

static int parse_size(struct cli *cli, const char *what, const char *arg, uint64_t max, uint64_t *out)
{
	int rc = cli_parse_u64(cli, what, arg, out);

	if (rc)
		return rc;
	if (*out > max)
		return cli_error(cli, CLI_USAGE, "%s: %s is too large (at most %llu)", what, arg,
				 (unsigned long long)max);
	return CLI_OK;
}

int edl_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct edl_opts *o = user;
	uint64_t v;
	int rc;

	switch (c) {
	case EDL_OPT_STORAGE:
		if (strcmp(arg, "ufs") && strcmp(arg, "emmc") && strcmp(arg, "nand") && strcmp(arg, "spinor") &&
		    strcmp(arg, "nvme"))
			return cli_error(cli, CLI_USAGE, "--storage takes ufs, emmc, nand, spinor or nvme, not '%s'",
					 arg);
		o->fh.memory = arg;
		return CLI_OK;
	case EDL_OPT_LOADER: o->loader = arg; return CLI_OK;
	case EDL_OPT_SECTOR_SIZE:
		if ((rc = parse_size(cli, "--sector-size", arg, 65536, &v)))
			return rc;
		if (v < 512 || (v & (v - 1)))
			return cli_error(cli, CLI_USAGE, "--sector-size must be a power of two from 512 to 65536");
		o->fh.sector_size = (unsigned)v;
		return CLI_OK;
	case EDL_OPT_MAX_PAYLOAD:
		if ((rc = parse_size(cli, "--max-payload", arg, 1u << 30, &v)))
			return rc;
		if (!v)
			return cli_error(cli, CLI_USAGE, "--max-payload must not be 0");
		o->fh.max_payload = (uint32_t)v;
		return CLI_OK;
	case EDL_OPT_ACK_EVERY:
		if ((rc = parse_size(cli, "--ack-every", arg, 1000000, &v)))
			return rc;
		o->fh.ack_raw_every = (unsigned)v;
		return CLI_OK;
	case EDL_OPT_SKIP_STORAGE_INIT: o->fh.skip_storage_init = true; return CLI_OK;
	case EDL_OPT_NO_VERIFY: o->no_verify = true; return CLI_OK;
	case EDL_OPT_DRY_RUN: o->dry_run = true; return CLI_OK;
	case EDL_OPT_STRICT: o->strict = true; return CLI_OK;
	case EDL_OPT_BENCHMARK: o->benchmark = true; return CLI_OK;
	case EDL_OPT_LUN:
		if ((rc = parse_size(cli, "--lun", arg, 127, &v)))
			return rc;
		o->lun = (int)v;
		return CLI_OK;
	case EDL_OPT_TO:
		if (strcmp(arg, "system") && strcmp(arg, "edl") && strcmp(arg, "off"))
			return cli_error(cli, CLI_USAGE, "--to takes system, edl or off, not '%s'", arg);
		o->to = arg;
		return CLI_OK;
	case EDL_OPT_PARTITION: o->partition = arg; return CLI_OK;
	default: return CLI_USAGE;
	}
}

int edl_connect(struct cli *cli, const struct edl_opts *o, qc_transport **t, qc_fh **fh)
{
	int rc = cli_open_device(cli, t);

	*fh = NULL;
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_edl_connect(*t, o->loader, &o->fh, fh);
	if (rc < 0) {
		int code = cli_fail(cli, rc);

		qc_transport_close(*t);
		*t = NULL;
		/* A device that answers wrongly is still a device: exit 1, and
		 * 3 only when there is none. */
		return code == CLI_USAGE && rc != QC_E_INVAL ? CLI_FAILED : code;
	}
	return CLI_OK;
}

void edl_close(qc_transport *t, qc_fh *fh)
{
	qc_fh_close(fh);
	qc_transport_close(t);
}
