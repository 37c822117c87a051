/* SPDX-License-Identifier: BSD-3-Clause */
/* efs backup: the whole file system below DIR/efs/ and a manifest of what
 * was saved, what was refused and what failed, in DIR/manifest.json. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "efs/efs_impl.h"

struct backup {
	json_object *entries, *refused, *warnings, *failed;
	const struct qc_efs_tree_ops *user;
};

static json_object *str_or_null(const char *s) { return s ? json_object_new_string(s) : NULL; }

static void on_entry(void *u, const struct qc_efs_entry *ent)
{
	struct backup *b = u;
	json_object *o = json_object_new_object();
	char oct[16];

	json_object_object_add(o, "path", json_object_new_string(ent->path));
	json_object_object_add(o, "type", json_object_new_string(qc_efs_type_name(ent->type)));
	json_object_object_add(o, "mode", json_object_new_int64(ent->mode));
	snprintf(oct, sizeof(oct), "0%o", ent->mode);
	json_object_object_add(o, "mode_octal", json_object_new_string(oct));
	json_object_object_add(o, "mtime", json_object_new_int64(ent->mtime));
	if (ent->local) {
		char local[8192];

		snprintf(local, sizeof(local), "efs/%s", ent->local);
		json_object_object_add(o, "local", ent->created ? json_object_new_string(local) : NULL);
	}
	if (ent->type != QC_EFS_TYPE_DIR && ent->type != QC_EFS_TYPE_SYMLINK)
		json_object_object_add(o, "size", json_object_new_int64(ent->size));
	if (ent->has_sha256) {
		char hex[65];

		for (int i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", ent->sha256[i]);
		json_object_object_add(o, "sha256", json_object_new_string(hex));
	}
	if (ent->type == QC_EFS_TYPE_SYMLINK) {
		json_object_object_add(o, "target", str_or_null(ent->target));
		json_object_object_add(o, "created", json_object_new_boolean(ent->created));
	}
	json_object_array_add(b->entries, o);
	if (b->user && b->user->entry)
		b->user->entry(b->user->user, ent);
}

static void on_report(void *u, enum qc_efs_report kind, const char *path, const char *msg)
{
	struct backup *b = u;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "reason", json_object_new_string(msg));
	json_object_array_add(kind == QC_EFS_REFUSED ? b->refused : kind == QC_EFS_WARNING ? b->warnings : b->failed,
			      o);
	if (b->user && b->user->report)
		b->user->report(b->user->user, kind, path, msg);
}

static int make_dir(qc_efs *e, const char *path)
{
	struct stat sb;

	if (mkdir(path, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	return qc_fail(e->ctx, QC_E_IO, "cannot create backup directory %s: %s", path, strerror(errno));
}

static json_object *counts(const struct qc_efs_tree_stats *st)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "files", json_object_new_int64((int64_t)st->files));
	json_object_object_add(o, "dirs", json_object_new_int64((int64_t)st->dirs));
	json_object_object_add(o, "symlinks", json_object_new_int64((int64_t)st->symlinks));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)st->bytes));
	json_object_object_add(o, "refused", json_object_new_int64((int64_t)st->refused));
	json_object_object_add(o, "warnings", json_object_new_int64((int64_t)st->warnings));
	json_object_object_add(o, "failed", json_object_new_int64((int64_t)st->failed));
	return o;
}

int qc_efs_backup(qc_efs *e, const char *dir, const struct qc_efs_tree_ops *ops, struct qc_efs_tree_stats *stats)
{
	struct backup b = {.user = ops};
	struct qc_efs_tree_ops wrap = {.entry = on_entry, .report = on_report, .user = &b, .sha256 = true};
	char tree[4096], man[4096], tmp[4100], subsys[8], err[1024] = "";
	json_object *m;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((size_t)snprintf(tree, sizeof(tree), "%s/efs", dir) >= sizeof(tree) ||
	    (size_t)snprintf(man, sizeof(man), "%s/manifest.json", dir) >= sizeof(man))
		return qc_fail(e->ctx, QC_E_INVAL, "backup directory name %s is too long", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", man);
	if ((rc = make_dir(e, dir)) < 0 || (rc = make_dir(e, tree)) < 0)
		return rc;
	b.entries = json_object_new_array();
	b.refused = json_object_new_array();
	b.warnings = json_object_new_array();
	b.failed = json_object_new_array();
	rc = qc_efs_get_tree(e, "/", tree, &wrap, stats);
	if (rc < 0)
		snprintf(err, sizeof(err), "%s", qc_last_error(e->ctx));
	/* The manifest is written even after a failure: it says how far the
	 * backup got. */
	m = json_object_new_object();
	snprintf(subsys, sizeof(subsys), "0x%02x", e->subsys);
	json_object_object_add(m, "format", json_object_new_string("qcbox-efs-backup"));
	json_object_object_add(m, "version", json_object_new_int(1));
	json_object_object_add(m, "root", json_object_new_string("/"));
	json_object_object_add(m, "tree", json_object_new_string("efs"));
	json_object_object_add(m, "subsystem", json_object_new_string(subsys));
	json_object_object_add(m, "read_chunk", json_object_new_int64((int64_t)e->rchunk));
	json_object_object_add(m, "complete", json_object_new_boolean(rc == 0));
	if (rc < 0)
		json_object_object_add(m, "error", json_object_new_string(err));
	json_object_object_add(m, "counts", counts(stats));
	json_object_object_add(m, "entries", b.entries);
	json_object_object_add(m, "refused", b.refused);
	json_object_object_add(m, "warnings", b.warnings);
	json_object_object_add(m, "failed", b.failed);
	if (json_object_to_file_ext(tmp, m, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) < 0 ||
	    rename(tmp, man) < 0) {
		int saved = errno;

		unlink(tmp);
		json_object_put(m);
		if (rc < 0)
			return qc_fail(e->ctx, rc, "%s (and the manifest %s could not be written)", err, man);
		return qc_fail(e->ctx, QC_E_IO, "cannot write the backup manifest %s: %s", man, strerror(saved));
	}
	json_object_put(m);
	if (rc < 0)
		qc_fail(e->ctx, rc, "%s", err);
	return rc;
}
