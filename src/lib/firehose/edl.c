/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From an open link to a configured Firehose session.  A device in EDL
 * first talks Sahara: the boot ROM sends HELLO as soon as the link is up.
 * A device whose programmer already runs (an earlier qcbox left it so) says
 * nothing until asked, so silence after a short wait means "programmer
 * running" and Sahara is skipped, as qdl does.
 */
#include <string.h>

#include "fh_impl.h"
#include "qcbox/sahara.h"

/* How long to listen for a boot ROM's HELLO.  With a programmer to upload
 * the HELLO is expected and worth waiting for.  Without one it would only
 * tell the user what is missing, and a HELLO that comes later is still
 * recognised in place of the configure answer, so every command to a
 * running programmer pays only a glance. */
#define EDL_DETECT_WITH_LOADER_MS 1000
#define EDL_DETECT_MS		  50

static int detect_timeout(qc_fh *fh, const char *loader)
{
	int t = loader ? EDL_DETECT_WITH_LOADER_MS : EDL_DETECT_MS;
	int limit = qc_get_timeout(fh->ctx);

	return t < limit ? t : limit;
}

int qc_edl_connect(qc_transport *t, const char *loader, const struct qc_fh_options *opt, qc_fh **out)
{
	struct qc_sahara_hello hello;
	qc_fh *fh;
	int rc;

	*out = NULL;
	rc = qc_fh_open(t, &fh);
	if (rc < 0)
		return rc;
	rc = qc_sahara_detect(t, detect_timeout(fh, loader), &hello);
	if (rc == 1) {
		if (!loader) {
			rc = qc_fail(fh->ctx, QC_E_INVAL,
				     "the device is in Sahara mode (boot ROM, protocol version %u) and needs a "
				     "programmer first: give it with --loader",
				     hello.version);
			goto fail;
		}
		rc = qc_sahara_load(t, &hello, loader, NULL);
		if (rc < 0)
			goto fail;
		qc_log(fh->ctx, QC_LOG_INFO, "programmer %s uploaded through Sahara", loader);
	} else if (rc == 0) {
		/* What detection read of another protocol belongs to us. */
		if (hello.stray_len) {
			size_t room;
			uint8_t *space = qc_fh_framer_space(&fh->fr, &room);

			memcpy(space, hello.stray, hello.stray_len);
			qc_fh_framer_fill(&fh->fr, hello.stray_len);
		}
		if (loader)
			qc_log(fh->ctx, QC_LOG_INFO, "a programmer is already running: %s not uploaded", loader);
	} else {
		goto fail;
	}
	rc = qc_fh_configure(fh, opt);
	if (rc < 0)
		goto fail;
	*out = fh;
	return 0;
fail:
	qc_fh_close(fh);
	return rc;
}

int qc_edl_reset(qc_transport *t, const struct qc_fh_options *opt, const char *how)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct qc_sahara_hello hello;
	qc_fh *fh;
	int rc;

	/* Either mode is expected here: listen a little longer. */
	rc = qc_sahara_detect(t, 6 * EDL_DETECT_MS, &hello);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		/* The boot ROM can only restart; anything else needs a programmer. */
		if (strcmp(how, "reset"))
			return qc_fail(ctx, QC_E_UNSUPPORTED,
				       "the device is in Sahara mode, where only a plain reset is possible, not '%s'",
				       how);
		return qc_sahara_reset(t, &hello);
	}
	rc = qc_fh_open(t, &fh);
	if (rc < 0)
		return rc;
	if (hello.stray_len) {
		size_t room;
		uint8_t *space = qc_fh_framer_space(&fh->fr, &room);

		memcpy(space, hello.stray, hello.stray_len);
		qc_fh_framer_fill(&fh->fr, hello.stray_len);
	}
	rc = qc_fh_configure(fh, opt);
	if (rc == 0)
		rc = qc_fh_power(fh, how, 0);
	qc_fh_close(fh);
	return rc;
}
