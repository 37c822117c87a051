/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ptool's start_sector / patch value expressions.  ptool writes decimal
 * numbers with a trailing '.' because Trace32 reads bare digits as hex, but
 * real files also carry bare decimals ("NUM_DISK_SECTORS-1"), and Firehose
 * targets read both as decimal, so both are decimal here; only "0x" is hex.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "qcbox/flatbuild.h"

struct ev {
	qc_ctx *ctx;
	const char *s;
	size_t pos;
	const struct qc_expr_env *env;
	bool dry; /* syntax only: no arithmetic, no callbacks */
	unsigned needs;
	int depth;
	const char *what;
};

static const char *what_of(const struct ev *e)
{
	return e->what && *e->what ? e->what : "expression";
}

static int syntax(struct ev *e, const char *why)
{
	return qc_fail(e->ctx, QC_E_FORMAT, "%s '%s': %s at character %zu", what_of(e), e->s, why, e->pos + 1);
}

static int range(struct ev *e, const char *why)
{
	return qc_fail(e->ctx, QC_E_RANGE, "%s '%s': %s", what_of(e), e->s, why);
}

static void skip_ws(struct ev *e)
{
	while (e->s[e->pos] == ' ' || e->s[e->pos] == '\t' || e->s[e->pos] == '\n' || e->s[e->pos] == '\r')
		e->pos++;
}

static int parse_sum(struct ev *e, int64_t *v);

static int parse_number(struct ev *e, int64_t *v)
{
	const char *p = e->s + e->pos;
	uint64_t n = 0;
	bool any = false;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		e->pos += 2;
		while (isxdigit((unsigned char)e->s[e->pos])) {
			int c = e->s[e->pos++], d = isdigit(c) ? c - '0' : (tolower(c) - 'a' + 10);

			if (n > (uint64_t)INT64_MAX >> 4)
				return range(e, "a number is too large");
			n = n << 4 | (uint64_t)d;
			any = true;
		}
		if (!any)
			return syntax(e, "'0x' without hex digits");
	} else {
		while (isdigit((unsigned char)e->s[e->pos])) {
			uint64_t d = (uint64_t)(e->s[e->pos++] - '0');

			if (n > ((uint64_t)INT64_MAX - d) / 10)
				return range(e, "a number is too large");
			n = n * 10 + d;
		}
		/* ptool's decimal marker; "12.0" is accepted too, fractions are not */
		if (e->s[e->pos] == '.') {
			e->pos++;
			while (e->s[e->pos] == '0')
				e->pos++;
			if (isdigit((unsigned char)e->s[e->pos]))
				return syntax(e, "a fraction");
		}
	}
	if (isalnum((unsigned char)e->s[e->pos]) || e->s[e->pos] == '_')
		return syntax(e, "a malformed number");
	*v = (int64_t)n;
	return 0;
}

static int parse_crc(struct ev *e, int64_t *v)
{
	int64_t start, len;
	int rc;

	e->needs |= QC_EXPR_NEEDS_CRC;
	skip_ws(e);
	if (e->s[e->pos] != '(')
		return syntax(e, "'(' expected after CRC32");
	e->pos++;
	rc = parse_sum(e, &start);
	if (rc < 0)
		return rc;
	skip_ws(e);
	if (e->s[e->pos] != ',')
		return syntax(e, "',' expected between the CRC32 arguments");
	e->pos++;
	rc = parse_sum(e, &len);
	if (rc < 0)
		return rc;
	skip_ws(e);
	if (e->s[e->pos] != ')')
		return syntax(e, "')' expected after the CRC32 arguments");
	e->pos++;
	*v = 0;
	if (e->dry)
		return 0;
	if (start < 0 || len < 0)
		return range(e, "CRC32 of a negative sector or length");
	if (!e->env || !e->env->crc32)
		return qc_fail(e->ctx, QC_E_INVAL, "%s '%s': CRC32() needs the disk, which is not available here",
			       what_of(e), e->s);
	uint32_t crc = 0;

	rc = e->env->crc32(e->env->user, (uint64_t)start, (uint64_t)len, &crc);
	if (rc < 0)
		return rc;
	*v = crc;
	return 0;
}

static int parse_atom(struct ev *e, int64_t *v)
{
	int rc;

	skip_ws(e);
	char c = e->s[e->pos];

	if (++e->depth > QC_EXPR_MAX_DEPTH)
		return syntax(e, "nested too deeply");
	if (c == '-' || c == '+') {
		e->pos++;
		rc = parse_atom(e, v);
		if (rc < 0)
			return rc;
		if (c == '-' && !e->dry) {
			if (*v == INT64_MIN)
				return range(e, "arithmetic overflow");
			*v = -*v;
		}
	} else if (c == '(') {
		e->pos++;
		rc = parse_sum(e, v);
		if (rc < 0)
			return rc;
		skip_ws(e);
		if (e->s[e->pos] != ')')
			return syntax(e, "')' expected");
		e->pos++;
	} else if (isdigit((unsigned char)c)) {
		rc = parse_number(e, v);
		if (rc < 0)
			return rc;
	} else if (isalpha((unsigned char)c) || c == '_') {
		size_t start = e->pos, n;

		while (isalnum((unsigned char)e->s[e->pos]) || e->s[e->pos] == '_')
			e->pos++;
		n = e->pos - start;
		if (n == 16 && !strncasecmp(e->s + start, "NUM_DISK_SECTORS", n)) {
			e->needs |= QC_EXPR_NEEDS_DISK;
			*v = 0;
			if (!e->dry) {
				if (!e->env || !e->env->num_disk_sectors)
					return qc_fail(e->ctx, QC_E_INVAL,
						       "%s '%s' needs NUM_DISK_SECTORS, and the disk size is not known",
						       what_of(e), e->s);
				if (e->env->num_disk_sectors > (uint64_t)INT64_MAX)
					return range(e, "NUM_DISK_SECTORS is too large");
				*v = (int64_t)e->env->num_disk_sectors;
			}
		} else if (n == 5 && !strncasecmp(e->s + start, "CRC32", n)) {
			rc = parse_crc(e, v);
			if (rc < 0)
				return rc;
		} else {
			e->pos = start;
			return syntax(e, "unknown name");
		}
	} else {
		return syntax(e, c ? "unexpected character" : "value expected");
	}
	e->depth--;
	return 0;
}

static int parse_product(struct ev *e, int64_t *v)
{
	int rc = parse_atom(e, v);

	while (rc == 0) {
		skip_ws(e);
		char op = e->s[e->pos];
		int64_t r;

		if (op != '*' && op != '/')
			break;
		e->pos++;
		rc = parse_atom(e, &r);
		if (rc < 0 || e->dry)
			continue;
		if (op == '*') {
			if (__builtin_mul_overflow(*v, r, v))
				return range(e, "arithmetic overflow");
		} else {
			if (r == 0)
				return range(e, "division by zero");
			if (*v == INT64_MIN && r == -1)
				return range(e, "arithmetic overflow");
			/* floor division, as the expressions' Python tools do */
			int64_t q = *v / r;

			if ((*v % r) && ((*v < 0) != (r < 0)))
				q--;
			*v = q;
		}
	}
	return rc;
}

static int parse_sum(struct ev *e, int64_t *v)
{
	int rc;

	if (++e->depth > QC_EXPR_MAX_DEPTH)
		return syntax(e, "nested too deeply");
	rc = parse_product(e, v);
	while (rc == 0) {
		skip_ws(e);
		char op = e->s[e->pos];
		int64_t r;

		if (op != '+' && op != '-')
			break;
		e->pos++;
		rc = parse_product(e, &r);
		if (rc < 0 || e->dry)
			continue;
		if (op == '+' ? __builtin_add_overflow(*v, r, v) : __builtin_sub_overflow(*v, r, v))
			return range(e, "arithmetic overflow");
	}
	e->depth--;
	return rc;
}

static int run(struct ev *e, int64_t *v)
{
	int rc;

	if (!e->s)
		return qc_fail(e->ctx, QC_E_INVAL, "%s: no expression", what_of(e));
	if (strnlen(e->s, QC_EXPR_MAX_LEN + 1) > QC_EXPR_MAX_LEN)
		return qc_fail(e->ctx, QC_E_FORMAT, "%s: expression longer than %d characters", what_of(e),
			       QC_EXPR_MAX_LEN);
	rc = parse_sum(e, v);
	if (rc < 0)
		return rc;
	skip_ws(e);
	if (e->s[e->pos])
		return syntax(e, "unexpected text");
	return 0;
}

int qc_expr_eval(qc_ctx *ctx, const char *expr, const struct qc_expr_env *env, uint64_t *out)
{
	struct ev e = {.ctx = ctx, .s = expr, .env = env, .what = env ? env->what : NULL};
	int64_t v = 0;
	int rc = run(&e, &v);

	if (rc < 0)
		return rc;
	if (v < 0)
		return range(&e, "the result is negative");
	if (out)
		*out = (uint64_t)v;
	return 0;
}

int qc_expr_check(qc_ctx *ctx, const char *expr, const char *what, unsigned *needs)
{
	struct ev e = {.ctx = ctx, .s = expr, .dry = true, .what = what};
	int64_t v;
	int rc = run(&e, &v);

	if (rc < 0)
		return rc;
	if (needs)
		*needs = e.needs;
	return 0;
}
