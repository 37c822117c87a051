/* SPDX-License-Identifier: BSD-3-Clause */
/* NV backup to a JSON file and restore from it.  The writer streams one
 * entry per line as the phone answers; the reader validates a whole file
 * before anything is written back. */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qcbox/nv.h"

#define BACKUP_FORMAT "qcbox-nv-backup"
#define BACKUP_MAX_FILE (64u << 20)

static qc_ctx *ctx_of(qc_diag *d) { return qc_transport_ctx(qc_diag_transport(d)); }

static const char *entry_status_name(const struct qc_nv_entry *e, char *buf, size_t cap)
{
	const char *name;

	if (e->status == QC_NV_DENIED)
		return "denied";
	name = qc_nv_status_name((unsigned)e->status);
	if (name)
		return name;
	snprintf(buf, cap, "status_%d", e->status);
	return buf;
}

static int write_entry(FILE *f, const struct qc_nv_entry *e, bool first)
{
	char sbuf[32];

	fprintf(f, "%s    {\"item\": %u", first ? "" : ",\n", e->item);
	if (e->index >= 0)
		fprintf(f, ", \"index\": %d", e->index);
	if (e->sim >= 0)
		fprintf(f, ", \"sim\": %d", e->sim);
	fprintf(f, ", \"status\": \"%s\"", entry_status_name(e, sbuf, sizeof(sbuf)));
	if (e->status == QC_NV_DENIED)
		fprintf(f, ", \"reply\": \"0x%02x\"", e->reply);
	if (e->status == QC_NV_DONE) {
		fputs(", \"data\": \"", f);
		for (size_t i = 0; i < e->len; i++)
			fprintf(f, "%02x", e->data[i]);
		fputc('"', f);
	}
	fputc('}', f);
	return ferror(f) ? QC_E_IO : 0;
}

/* Reads one entry; an error reply is part of the backup, anything else
 * (timeout, lost link, a reply for another item) ends it. */
static int backup_one(qc_diag *d, struct qc_nv_entry *e, struct qc_nv_stats *st)
{
	uint8_t prefix = (uint8_t)(e->index > 0 ? e->index : 0);
	uint16_t status;
	int rc = qc_nv_read(d, e->sim, e->item, &prefix, e->index > 0 ? 1 : 0, e->data, &status, &e->reply);

	st->items++;
	if (rc == QC_E_NAK) {
		qc_clear_error(ctx_of(d));
		e->status = QC_NV_DENIED;
		st->denied++;
		return 0;
	}
	if (rc < 0)
		return rc;
	e->status = status;
	e->len = QC_NV_DATA_LEN;
	if (status == QC_NV_DONE)
		st->ok++;
	else if (status == QC_NV_NOTACTIVE)
		st->inactive++;
	else
		st->failed++;
	return 0;
}

/* Extra entries of the range: other NAMs of indexed items, other
 * subscriptions of per-SIM items.  COUNT only counts them when OUT is NULL. */
static size_t extras(const struct qc_nv_backup_opts *o, struct qc_nv_entry *out, size_t cap)
{
	size_t n = 0;

	if (!o->extra)
		return 0;
	for (size_t i = 0; i < qc_nv_item_count(); i++) {
		const struct qc_nv_item_info *info = qc_nv_item_at(i);

		if (info->item < o->first || info->item > o->last)
			continue;
		for (int k = 1; k < info->nam; k++, n++)
			if (out && n < cap)
				out[n] = (struct qc_nv_entry){.item = info->item, .index = k, .sim = -1};
		for (int k = 1; k < info->sub; k++, n++)
			if (out && n < cap)
				out[n] = (struct qc_nv_entry){.item = info->item, .index = -1, .sim = k};
	}
	return n;
}

int qc_nv_backup(qc_diag *d, const char *path, const struct qc_nv_backup_opts *o, struct qc_nv_stats *st)
{
	qc_ctx *ctx = ctx_of(d);
	size_t nextra = extras(o, NULL, 0), total, done = 0;
	struct qc_nv_entry *more = NULL, e;
	char *tmp;
	FILE *f;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	if (o->first > o->last)
		return qc_fail(ctx, QC_E_INVAL, "NV item range %u-%u is empty", o->first, o->last);
	total = (size_t)(o->last - o->first) + 1 + nextra;
	if (nextra) {
		more = calloc(nextra, sizeof(*more));
		if (!more)
			return qc_fail(ctx, QC_E_NOMEM, "out of memory");
		extras(o, more, nextra);
	}
	tmp = malloc(strlen(path) + 5);
	if (!tmp) {
		free(more);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	sprintf(tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		rc = qc_fail(ctx, QC_E_IO, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		free(more);
		return rc;
	}
	fprintf(f, "{\n  \"format\": \"%s\",\n  \"version\": 1,\n  \"items\": [\n", BACKUP_FORMAT);
	for (size_t i = 0; i < total && rc == 0; i++) {
		if (qc_cancelled(ctx)) {
			rc = qc_fail(ctx, QC_E_CANCELLED, "NV backup cancelled after %zu of %zu items", done, total);
			break;
		}
		if (i <= (size_t)(o->last - o->first))
			e = (struct qc_nv_entry){.item = (uint16_t)(o->first + i), .index = -1, .sim = -1};
		else
			e = more[i - (size_t)(o->last - o->first) - 1];
		rc = backup_one(d, &e, st);
		if (rc == 0 && write_entry(f, &e, i == 0) < 0)
			rc = qc_fail(ctx, QC_E_IO, "cannot write %s: %s", tmp, strerror(errno));
		done++;
		if (done % 64 == 0 || done == total)
			qc_progress(ctx, "NV items", done, total);
	}
	free(more);
	fputs("\n  ]\n}\n", f);
	if (fclose(f) != 0 && rc == 0)
		rc = qc_fail(ctx, QC_E_IO, "cannot write %s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = qc_fail(ctx, QC_E_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
	if (rc < 0)
		remove(tmp);
	free(tmp);
	return rc;
}

/* ----- reading a backup ----- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

struct reader {
	qc_ctx *ctx;
	const char *name;
	size_t pos; /* entry number, from 1 */
};

static int entry_fail(struct reader *r, const char *fmt, ...) QC_PRINTF(2, 3);

static int entry_fail(struct reader *r, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return qc_fail(r->ctx, QC_E_FORMAT, "%s: entry #%zu: %s", r->name, r->pos, why);
}

/* An integer key in [MIN, MAX]; *OUT stays DEF when the key is absent
 * and not REQUIRED. */
static int get_int(struct reader *r, json_object *o, const char *key, bool required, int64_t min, int64_t max,
		   int *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		if (required)
			return entry_fail(r, "no \"%s\"", key);
		return 0;
	}
	if (!json_object_is_type(v, json_type_int))
		return entry_fail(r, "\"%s\" is not an integer", key);
	int64_t x = json_object_get_int64(v);

	if (x < min || x > max)
		return entry_fail(r, "\"%s\" is %lld; it must be %lld to %lld", key, (long long)x, (long long)min,
				  (long long)max);
	*out = (int)x;
	return 0;
}

static int parse_data(struct reader *r, json_object *v, struct qc_nv_entry *e)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string))
		return entry_fail(r, "\"data\" of NV item %u is not a string", e->item);
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n % 2)
		return entry_fail(r, "\"data\" of NV item %u has an odd number of hex digits", e->item);
	if (n == 0)
		return entry_fail(r, "\"data\" of NV item %u is empty", e->item);
	if (n / 2 > QC_NV_DATA_LEN)
		return entry_fail(r, "\"data\" of NV item %u is %zu bytes; an NV item holds at most %d", e->item, n / 2,
				  QC_NV_DATA_LEN);
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);

		if (hi < 0 || lo < 0)
			return entry_fail(r, "\"data\" of NV item %u is not hex at offset %zu", e->item, i);
		e->data[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	e->len = (uint8_t)(n / 2);
	return 0;
}

static int parse_entry(struct reader *r, json_object *o, struct qc_nv_entry *e)
{
	json_object *v;
	int item = 0, rc;

	memset(e, 0, sizeof(*e));
	e->index = e->sim = -1;
	if (!json_object_is_type(o, json_type_object))
		return entry_fail(r, "not an object");
	if ((rc = get_int(r, o, "item", true, 0, 0xffff, &item)) < 0 ||
	    (rc = get_int(r, o, "index", false, 0, 255, &e->index)) < 0 ||
	    (rc = get_int(r, o, "sim", false, 0, 0xffff, &e->sim)) < 0)
		return rc;
	e->item = (uint16_t)item;
	if (!json_object_object_get_ex(o, "status", &v))
		return entry_fail(r, "NV item %u has no \"status\"", e->item);
	if (!json_object_is_type(v, json_type_string))
		return entry_fail(r, "\"status\" of NV item %u is not a string", e->item);
	if (!strcmp(json_object_get_string(v), "denied")) {
		e->status = QC_NV_DENIED;
	} else {
		e->status = qc_nv_status_from_name(json_object_get_string(v));
		if (e->status < 0)
			return entry_fail(r, "unknown status \"%.40s\" for NV item %u", json_object_get_string(v),
					  e->item);
	}
	if (json_object_object_get_ex(o, "data", &v)) {
		rc = parse_data(r, v, e);
		if (rc < 0)
			return rc;
	} else if (e->status == QC_NV_DONE) {
		return entry_fail(r, "NV item %u has status ok but no \"data\"", e->item);
	}
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	const struct qc_nv_entry *x = *(const struct qc_nv_entry *const *)a, *y = *(const struct qc_nv_entry *const *)b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	if (x->sim != y->sim)
		return x->sim < y->sim ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Two entries for the same item, NAM and subscription make a restore
 * ambiguous: which one should win? */
static int check_duplicates(struct reader *r, struct qc_nv_entry *e, size_t n)
{
	const struct qc_nv_entry **v;
	int rc = 0;

	if (n < 2)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return qc_fail(r->ctx, QC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		v[i] = &e[i];
	qsort(v, n, sizeof(*v), cmp_key);
	for (size_t i = 1; i < n; i++) {
		if (v[i]->item == v[i - 1]->item && v[i]->index == v[i - 1]->index && v[i]->sim == v[i - 1]->sim) {
			rc = qc_fail(r->ctx, QC_E_FORMAT, "%s: entries #%zu and #%zu are both NV item %u%s", r->name,
				     (size_t)(v[i - 1] - e) + 1, (size_t)(v[i] - e) + 1, v[i]->item,
				     v[i]->index >= 0 ? " at the same index" : v[i]->sim >= 0 ? " of the same SIM" : "");
			break;
		}
	}
	free(v);
	return rc;
}

int qc_nv_backup_parse(qc_ctx *ctx, const char *name, const char *buf, size_t len, struct qc_nv_entry **out,
		       size_t *n)
{
	struct reader r = {.ctx = ctx, .name = name};
	json_tokener *tok;
	json_object *root, *items, *v;
	struct qc_nv_entry *e;
	size_t count;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (len > BACKUP_MAX_FILE || len > INT32_MAX)
		return qc_fail(ctx, QC_E_FORMAT, "%s: %zu bytes is too large for an NV backup", name, len);
	tok = json_tokener_new_ex(16);
	if (!tok)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		rc = qc_fail(ctx, QC_E_FORMAT, "%s is not valid JSON: %s near byte %zu", name,
			     err == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(err),
			     json_tokener_get_parse_end(tok));
		json_object_put(root);
		json_tokener_free(tok);
		return rc;
	}
	/* Only blanks may follow the document. */
	for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\n' && buf[i] != '\r' && buf[i] != '\t') {
			rc = qc_fail(ctx, QC_E_FORMAT, "%s: unexpected data after the JSON document at byte %zu", name, i);
			break;
		}
	json_tokener_free(tok);
	if (rc < 0)
		goto out;
	if (!json_object_is_type(root, json_type_object)) {
		rc = qc_fail(ctx, QC_E_FORMAT, "%s: an NV backup is a JSON object with an \"items\" array", name);
		goto out;
	}
	if (json_object_object_get_ex(root, "format", &v) &&
	    (!json_object_is_type(v, json_type_string) || strcmp(json_object_get_string(v), BACKUP_FORMAT))) {
		rc = qc_fail(ctx, QC_E_FORMAT, "%s: \"format\" is not \"%s\"", name, BACKUP_FORMAT);
		goto out;
	}
	if (json_object_object_get_ex(root, "version", &v) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1)) {
		rc = qc_fail(ctx, QC_E_FORMAT, "%s: unsupported backup version (this build reads version 1)", name);
		goto out;
	}
	if (!json_object_object_get_ex(root, "items", &items) || !json_object_is_type(items, json_type_array)) {
		rc = qc_fail(ctx, QC_E_FORMAT, "%s: no \"items\" array", name);
		goto out;
	}
	count = json_object_array_length(items);
	e = calloc(count ? count : 1, sizeof(*e));
	if (!e) {
		rc = qc_fail(ctx, QC_E_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < count; i++) {
		r.pos = i + 1;
		rc = parse_entry(&r, json_object_array_get_idx(items, i), &e[i]);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = check_duplicates(&r, e, count);
	if (rc < 0) {
		free(e);
		goto out;
	}
	*out = e;
	*n = count;
out:
	json_object_put(root);
	return rc;
}

int qc_nv_backup_load(qc_ctx *ctx, const char *path, struct qc_nv_entry **out, size_t *n)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	if (!f)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open NV backup %s: %s", path,
			       strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return qc_fail(ctx, QC_E_FORMAT, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > BACKUP_MAX_FILE) {
		fclose(f);
		return qc_fail(ctx, QC_E_FORMAT, "%s: %lld bytes is too large for an NV backup", path,
			       (long long)st.st_size);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	len = fread(buf, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = qc_fail(ctx, QC_E_IO, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	rc = qc_nv_backup_parse(ctx, path, buf, len, out, n);
	free(buf);
	return rc;
}

int qc_nv_restore(qc_diag *d, const struct qc_nv_entry *e, size_t n, qc_nv_restore_fn fn, void *user,
		  struct qc_nv_stats *st)
{
	qc_ctx *ctx = ctx_of(d);
	size_t towrite = 0, done = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < n; i++)
		towrite += e[i].status == QC_NV_DONE;
	for (size_t i = 0; i < n; i++) {
		uint16_t status = 0;
		uint8_t reply = 0;
		int rc;

		/* Only what was read back intact goes to the phone: an
		 * inactive or refused item has no data worth writing. */
		if (e[i].status != QC_NV_DONE) {
			st->skipped++;
			continue;
		}
		if (qc_cancelled(ctx))
			return qc_fail(ctx, QC_E_CANCELLED, "NV restore cancelled after %zu of %zu items", done, towrite);
		rc = qc_nv_write(d, e[i].sim, e[i].item, e[i].data, e[i].len, &status, &reply);
		st->items++;
		if (rc == QC_E_NAK) {
			st->denied++;
			qc_clear_error(ctx);
		} else if (rc < 0) {
			return rc;
		} else if (status == QC_NV_DONE) {
			st->ok++;
		} else {
			st->failed++;
		}
		if (fn)
			fn(user, &e[i], rc, status, reply);
		done++;
		if (done % 64 == 0 || done == towrite)
			qc_progress(ctx, "NV items", done, towrite);
	}
	if (st->denied || st->failed)
		return qc_fail(ctx, QC_E_DEVICE, "%llu of %zu NV items were not written",
			       (unsigned long long)(st->denied + st->failed), towrite);
	return 0;
}
