/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What read/write/erase/sha256 address: "boot_a" (a GPT partition on any
 * LUN), "4/boot_a" (on LUN 4), "0/2048+100" (100 sectors from sector 2048
 * of LUN 0), "0/2048" (from sector 2048 to the end), "0" (all of LUN 0) —
 * the vocabulary qdl users know.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "qcbox/firehose.h"

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int number(qc_ctx *ctx, const char *target, const char *s, size_t n, const char *what, uint64_t *out)
{
	char tmp[32];
	char *end;

	if (!n || n >= sizeof(tmp))
		return qc_fail(ctx, QC_E_INVAL, "target '%s': the %s is not a number", target, what);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	unsigned long long v = strtoull(tmp, &end, 0);

	if (errno || *end || !isdigit((unsigned char)tmp[0]))
		return qc_fail(ctx, QC_E_INVAL, "target '%s': the %s '%s' is not a number", target, what, tmp);
	*out = v;
	return 0;
}

int qc_fh_target_parse(qc_ctx *ctx, const char *s, struct qc_fh_target *out)
{
	const char *slash = strchr(s, '/'), *rest, *plus;
	uint64_t lun;
	int rc;

	memset(out, 0, sizeof(*out));
	out->lun = -1;
	if (!*s)
		return qc_fail(ctx, QC_E_INVAL, "empty target: give a partition name, LUN/NAME or LUN/START+COUNT");
	if (!slash) {
		if (all_digits(s, strlen(s))) {
			/* A bare LUN number: the whole LUN. */
			if ((rc = number(ctx, s, s, strlen(s), "LUN", &lun)) < 0)
				return rc;
			if (lun > 127)
				return qc_fail(ctx, QC_E_INVAL, "target '%s': LUN %llu is out of range", s,
					       (unsigned long long)lun);
			out->lun = (int)lun;
			return 0;
		}
		if (strlen(s) >= sizeof(out->name))
			return qc_fail(ctx, QC_E_INVAL, "target '%s': partition name too long", s);
		strcpy(out->name, s);
		return 0;
	}
	if ((rc = number(ctx, s, s, (size_t)(slash - s), "LUN", &lun)) < 0)
		return rc;
	if (lun > 127)
		return qc_fail(ctx, QC_E_INVAL, "target '%s': LUN %llu is out of range", s, (unsigned long long)lun);
	out->lun = (int)lun;
	rest = slash + 1;
	plus = strchr(rest, '+');
	if (!*rest)
		return qc_fail(ctx, QC_E_INVAL, "target '%s': nothing after the '/'", s);
	if (!plus && !all_digits(rest, strlen(rest)) && strncmp(rest, "0x", 2)) {
		if (strlen(rest) >= sizeof(out->name))
			return qc_fail(ctx, QC_E_INVAL, "target '%s': partition name too long", s);
		strcpy(out->name, rest);
		return 0;
	}
	if ((rc = number(ctx, s, rest, plus ? (size_t)(plus - rest) : strlen(rest), "start sector", &out->start)) < 0)
		return rc;
	if (plus) {
		if ((rc = number(ctx, s, plus + 1, strlen(plus + 1), "sector count", &out->count)) < 0)
			return rc;
		if (!out->count)
			return qc_fail(ctx, QC_E_INVAL, "target '%s': a count of 0 sectors addresses nothing", s);
		if (out->start + out->count < out->start)
			return qc_fail(ctx, QC_E_INVAL, "target '%s': the range overflows", s);
		out->has_count = true;
	}
	return 0;
}
