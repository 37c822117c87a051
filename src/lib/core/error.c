/* SPDX-License-Identifier: BSD-3-Clause */
#include "qcbox/core.h"

struct qc_error_desc {
	const char *name;
	const char *text;
};

/* Indexed by -err; kept in the order of enum qc_error. */
static const struct qc_error_desc qc_errors[] = {
	{"QC_OK", "success"},
	{"QC_E_INVAL", "invalid argument"},
	{"QC_E_NOMEM", "out of memory"},
	{"QC_E_IO", "input/output error"},
	{"QC_E_TIMEOUT", "timed out waiting for the device"},
	{"QC_E_PROTOCOL", "protocol error"},
	{"QC_E_CRC", "checksum mismatch"},
	{"QC_E_TOOBIG", "length exceeds the allowed maximum"},
	{"QC_E_NODEV", "no such device"},
	{"QC_E_DISCONNECTED", "device disconnected"},
	{"QC_E_NAK", "the device refused the request"},
	{"QC_E_UNSUPPORTED", "not supported"},
	{"QC_E_FORMAT", "malformed input"},
	{"QC_E_NOTFOUND", "not found"},
	{"QC_E_VERIFY", "verification failed: data differs"},
	{"QC_E_RANGE", "out of range"},
	{"QC_E_AMBIGUOUS", "ambiguous: several candidates match"},
	{"QC_E_DEVICE", "the device reported an error"},
	{"QC_E_EXISTS", "already exists"},
	{"QC_E_PERM", "not permitted"},
	{"QC_E_UNSAFE", "refused as unsafe"},
	{"QC_E_CANCELLED", "cancelled"},
	{"QC_E_BUSY", "busy"},
};

_Static_assert(sizeof(qc_errors) / sizeof(qc_errors[0]) == 1 - QC_E_LAST,
	       "error table out of step with enum qc_error");

static const struct qc_error_desc *lookup(int err)
{
	if (err > 0 || err < QC_E_LAST)
		return NULL;
	return &qc_errors[-err];
}

const char *qc_strerror(int err)
{
	const struct qc_error_desc *d = lookup(err);

	return d ? d->text : "unknown error";
}

const char *qc_error_name(int err)
{
	const struct qc_error_desc *d = lookup(err);

	return d ? d->name : "QC_E_UNKNOWN";
}
