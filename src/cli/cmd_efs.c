/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox efs ...: the EFS2 file system over DIAG (EFS Explorer territory). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "qcbox/diag.h"
#include "qcbox/efs.h"

#define EFS_USAGE                                                                                             \
	"efs COMMAND [--subsys auto|13|3e] [--chunk BYTES] [--max-entries N] [--max-depth N]\n"                \
	"  ls [-l] [-R] PATH        list a directory (a file lists as itself)\n"                             \
	"  stat PATH                type, mode, size and times of PATH\n"                                     \
	"  cat PATH                 write a file to stdout\n"                                                 \
	"  get REMOTE LOCAL [-r]    copy from the device (-r: a whole directory)\n"                           \
	"  put LOCAL REMOTE [-r] [--item]  copy to the device (--item: one PUT of an item file)\n"            \
	"  mkdir [-p] PATH          create a directory\n"                                                     \
	"  rm [-r] PATH             remove a file, symlink or (with -r) a directory tree\n"                   \
	"  mv OLD NEW               rename\n"                                                                 \
	"  df [PATH]                file system usage\n"                                                      \
	"  backup DIR               the whole file system into DIR/efs with DIR/manifest.json\n"

#define EFS_COMMON "[--subsys auto|13|3e] [--chunk BYTES] [--max-entries N] [--max-depth N]"

enum {
	OPT_SUBSYS = CLI_OPT_FIRST_COMMAND_OPT,
	OPT_CHUNK,
	OPT_MAX_ENTRIES,
	OPT_MAX_DEPTH,
	OPT_ITEM,
};

static const struct option efs_longopts[] = {
	{"subsys", required_argument, NULL, OPT_SUBSYS},	   {"chunk", required_argument, NULL, OPT_CHUNK},
	{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES}, {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
	{"item", no_argument, NULL, OPT_ITEM},			   {NULL, 0, NULL, 0},
};

struct efs_opts {
	uint8_t subsys;
	uint64_t chunk, max_entries, max_depth;
	bool l, R, r, p, item;
	const char *allowed; /* short options this command takes */
	bool item_ok;
};

static int efs_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct efs_opts *o = user;
	int rc;

	if (c < 256 && !strchr(o->allowed, c))
		return cli_error(cli, CLI_USAGE, "option -%c does not apply here", c);
	switch (c) {
	case 'l': o->l = true; return CLI_OK;
	case 'R': o->R = true; return CLI_OK;
	case 'r': o->r = true; return CLI_OK;
	case 'p': o->p = true; return CLI_OK;
	case OPT_ITEM:
		if (!o->item_ok)
			return cli_error(cli, CLI_USAGE, "--item applies to efs put only");
		o->item = true;
		return CLI_OK;
	case OPT_SUBSYS:
		if (!strcmp(arg, "auto"))
			o->subsys = 0;
		else if (!strcmp(arg, "13") || !strcmp(arg, "0x13"))
			o->subsys = QC_EFS_SUBSYS_FS;
		else if (!strcasecmp(arg, "3e") || !strcasecmp(arg, "0x3e"))
			o->subsys = QC_EFS_SUBSYS_FS_ALT;
		else
			return cli_error(cli, CLI_USAGE, "--subsys takes auto, 13 or 3e, not '%s'", arg);
		return CLI_OK;
	case OPT_CHUNK:
		rc = cli_parse_u64(cli, "--chunk", arg, &o->chunk);
		if (rc)
			return rc;
		if (o->chunk < 1 || o->chunk > QC_EFS_MAX_CHUNK)
			return cli_error(cli, CLI_USAGE, "--chunk takes 1 to %u bytes", QC_EFS_MAX_CHUNK);
		return CLI_OK;
	case OPT_MAX_ENTRIES:
		rc = cli_parse_u64(cli, "--max-entries", arg, &o->max_entries);
		if (!rc && (o->max_entries < 1 || o->max_entries > UINT32_MAX))
			return cli_error(cli, CLI_USAGE, "--max-entries takes 1 to 4294967295");
		return rc;
	case OPT_MAX_DEPTH:
		rc = cli_parse_u64(cli, "--max-depth", arg, &o->max_depth);
		if (!rc && (o->max_depth < 1 || o->max_depth > 4096))
			return cli_error(cli, CLI_USAGE, "--max-depth takes 1 to 4096");
		return rc;
	default: return CLI_USAGE;
	}
}

/* Parses the command's options; returns -1 after --help, else an exit code. */
static int parse(struct cli *cli, int argc, char **argv, const char *shorts, bool item_ok, const char *usage,
		 struct efs_opts *o, int *first, int min_args, int max_args)
{
	bool help;
	int rc;

	memset(o, 0, sizeof(*o));
	o->allowed = shorts;
	o->item_ok = item_ok;
	rc = cli_parse_options(cli, argc, argv, shorts, efs_longopts, efs_opt, o, first, usage, &help);
	if (rc)
		return rc;
	if (help)
		return -1;
	if (argc - *first < min_args || argc - *first > max_args)
		return cli_usage(cli, usage);
	return CLI_OK;
}

struct session {
	qc_transport *t;
	qc_diag *d;
	qc_efs *e;
};

static void session_close(struct session *s)
{
	qc_efs_free(s->e);
	qc_diag_close(s->d);
	qc_transport_close(s->t);
}

static int session_open(struct cli *cli, const struct efs_opts *o, struct session *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = cli_open_device(cli, &s->t);
	if (rc == 0)
		rc = qc_diag_open(s->t, &s->d);
	if (rc == 0)
		rc = qc_efs_new(s->d, o->subsys, &s->e);
	if (rc == 0 && o->chunk)
		rc = qc_efs_set_max_chunk(s->e, (size_t)o->chunk);
	if (rc == 0 && (o->max_entries || o->max_depth)) {
		struct qc_efs_limits lim;

		qc_efs_get_limits(s->e, &lim);
		if (o->max_entries) {
			lim.max_dir_entries = (uint32_t)o->max_entries;
			if (lim.max_total_entries < o->max_entries)
				lim.max_total_entries = o->max_entries;
		}
		if (o->max_depth)
			lim.max_depth = (uint32_t)o->max_depth;
		rc = qc_efs_set_limits(s->e, &lim);
	}
	if (rc < 0) {
		session_close(s);
		return cli_fail(cli, rc);
	}
	qc_log(cli->ctx, QC_LOG_INFO, "EFS2 on DIAG subsystem 0x%02x, chunks: read %zu, write %zu bytes",
	       qc_efs_subsys(s->e), qc_efs_read_chunk(s->e), qc_efs_write_chunk(s->e));
	return 0;
}

/* EFS paths are absolute; "nv/x" means "/nv/x". */
static const char *absolute(const char *p, char *buf, size_t cap)
{
	if (p[0] == '/')
		return p;
	snprintf(buf, cap, "/%s", p);
	return buf;
}

static const char *base_name(const char *p)
{
	const char *end = p + strlen(p), *s;

	while (end > p + 1 && end[-1] == '/')
		end--;
	for (s = end; s > p && s[-1] != '/'; s--)
		;
	return s;
}

/* BASE's last component, without trailing slashes, into OUT. */
static void last_component(const char *p, char *out, size_t cap)
{
	const char *s = base_name(p);
	size_t n = strlen(s);

	while (n > 0 && s[n - 1] == '/')
		n--;
	snprintf(out, cap, "%.*s", (int)n, s);
}

static bool join(char *out, size_t cap, const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	int n = snprintf(out, cap, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", name);

	return n > 0 && (size_t)n < cap;
}

static void mode_string(uint32_t mode, int type, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";

	switch (type) {
	case QC_EFS_TYPE_DIR: out[0] = 'd'; break;
	case QC_EFS_TYPE_SYMLINK: out[0] = 'l'; break;
	case QC_EFS_TYPE_ITEM: out[0] = 'i'; break;
	case QC_EFS_TYPE_FILE:
	case QC_EFS_TYPE_IMMOVABLE: out[0] = '-'; break;
	default: out[0] = '?'; break;
	}
	for (int i = 0; i < 9; i++)
		out[i + 1] = mode & (0400u >> i) ? rwx[i] : '-';
	out[10] = '\0';
}

static void time_string(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, cap, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, cap, "%lld", (long long)t);
}

static json_object *mode_octal(uint32_t mode)
{
	char s[16];

	snprintf(s, sizeof(s), "0%o", mode);
	return json_object_new_string(s);
}

/* ----- what walks report ----- */

struct sink {
	struct cli *cli;
	json_object *entries, *refused, *warnings, *failed;
	bool long_format, show_entries;
};

static void sink_init(struct sink *k, struct cli *cli)
{
	memset(k, 0, sizeof(*k));
	k->cli = cli;
	k->entries = json_object_new_array();
	k->refused = json_object_new_array();
	k->warnings = json_object_new_array();
	k->failed = json_object_new_array();
}

static void sink_free(struct sink *k)
{
	json_object_put(k->entries);
	json_object_put(k->refused);
	json_object_put(k->warnings);
	json_object_put(k->failed);
}

/* Moves the report arrays into O. */
static void sink_add(struct sink *k, json_object *o)
{
	json_object_object_add(o, "refused", k->refused);
	json_object_object_add(o, "warnings", k->warnings);
	json_object_object_add(o, "failed", k->failed);
	k->refused = k->warnings = k->failed = NULL;
}

/* Every refusal, warning and failure goes to stderr, also under --json. */
static void on_report(void *user, enum qc_efs_report kind, const char *path, const char *msg)
{
	struct sink *k = user;
	json_object *o = json_object_new_object();

	cli_progress_end(k->cli);
	fprintf(stderr, "%s: %s: %s %s: %s\n", k->cli->prog, k->cli->cmd,
		kind == QC_EFS_REFUSED ? "refused" : kind == QC_EFS_WARNING ? "warning:" : "failed:", path, msg);
	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "reason", json_object_new_string(msg));
	json_object_array_add(kind == QC_EFS_REFUSED ? k->refused : kind == QC_EFS_WARNING ? k->warnings : k->failed, o);
}

static json_object *entry_json(const struct qc_efs_entry *ent)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(ent->path));
	json_object_object_add(o, "name", json_object_new_string(ent->name ? ent->name : base_name(ent->path)));
	if (ent->unsafe)
		json_object_object_add(o, "unsafe_name", json_object_new_string(ent->unsafe));
	json_object_object_add(o, "type", json_object_new_string(qc_efs_type_name(ent->type)));
	json_object_object_add(o, "mode", json_object_new_int64(ent->mode));
	json_object_object_add(o, "mode_octal", mode_octal(ent->mode));
	if (ent->type != QC_EFS_TYPE_DIR)
		json_object_object_add(o, "size", json_object_new_int64(ent->size));
	json_object_object_add(o, "mtime", json_object_new_int64(ent->mtime));
	if (ent->target)
		json_object_object_add(o, "target", json_object_new_string(ent->target));
	return o;
}

static void on_ls_entry(void *user, const struct qc_efs_entry *ent)
{
	struct sink *k = user;

	if (k->cli->json) {
		json_object_array_add(k->entries, entry_json(ent));
		return;
	}
	if (k->long_format) {
		char m[11], t[32];

		mode_string(ent->mode, ent->type, m);
		time_string(ent->mtime, t, sizeof(t));
		printf("%s %10lld %s %s%s%s", m, ent->type == QC_EFS_TYPE_DIR ? 0LL : (long long)ent->size, t,
		       ent->path, ent->target ? " -> " : "", ent->target ? ent->target : "");
	} else {
		printf("%s%s", ent->path, ent->type == QC_EFS_TYPE_DIR ? "/" : "");
	}
	if (ent->unsafe)
		printf("   (unsafe name: %s)", ent->unsafe);
	putchar('\n');
}

/* ----- commands ----- */

static int efs_ls(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs ls [-l] [-R] PATH " EFS_COMMON;
	struct qc_efs_tree_ops ops = {.entry = on_ls_entry, .report = on_report};
	struct qc_efs_tree_stats st;
	struct efs_opts o;
	struct session s;
	struct sink k;
	char buf[4096];
	const char *path;
	int first, rc = parse(cli, argc, argv, "lR", false, usage, &o, &first, 0, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = first < argc ? absolute(argv[first], buf, sizeof(buf)) : "/";
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	sink_init(&k, cli);
	k.long_format = o.l;
	ops.user = &k;
	ops.read_links = o.l || cli->json;
	rc = qc_efs_walk(s.e, path, o.R, &ops, &st);
	session_close(&s);
	if (rc < 0) {
		sink_free(&k);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "path", json_object_new_string(path));
		json_object_object_add(j, "recursive", json_object_new_boolean(o.R));
		json_object_object_add(j, "entries", k.entries);
		k.entries = NULL;
		sink_add(&k, j);
		cli_json_print(cli, j);
	}
	sink_free(&k);
	return st.refused || st.failed ? CLI_FAILED : CLI_OK;
}

static int efs_stat(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs stat PATH " EFS_COMMON;
	struct qc_efs_stat st, lst;
	struct efs_opts o;
	struct session s;
	char buf[4096], target[1024] = "", pr[4096];
	const char *path;
	bool is_link = false;
	int first, type, rc = parse(cli, argc, argv, "", false, usage, &o, &first, 1, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = absolute(argv[first], buf, sizeof(buf));
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	/* LSTAT says whether PATH itself is a link; STAT describes what it
	 * points at, and a dangling link keeps its LSTAT answer. */
	rc = qc_efs_lstat(s.e, path, &lst);
	if (rc == 0 && (lst.mode & QC_EFS_S_IFMT) == QC_EFS_S_IFLNK) {
		is_link = true;
		if (qc_efs_readlink(s.e, path, target, sizeof(target)) < 0)
			target[0] = '\0';
	}
	if (rc == 0 || rc == QC_E_UNSUPPORTED) {
		rc = qc_efs_stat(s.e, path, &st);
		if (rc < 0 && is_link) {
			st = lst;
			rc = 0;
		}
	}
	session_close(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	type = qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode);
	qc_efs_escape(target, strlen(target), pr, sizeof(pr));
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "path", json_object_new_string(path));
		json_object_object_add(j, "type", json_object_new_string(qc_efs_type_name(type)));
		json_object_object_add(j, "mode", json_object_new_int64(st.mode));
		json_object_object_add(j, "mode_octal", mode_octal(st.mode));
		if (st.size >= 0)
			json_object_object_add(j, "size", json_object_new_int64(st.size));
		json_object_object_add(j, "nlink", json_object_new_int64(st.nlink));
		json_object_object_add(j, "atime", json_object_new_int64(st.atime));
		json_object_object_add(j, "mtime", json_object_new_int64(st.mtime));
		json_object_object_add(j, "ctime", json_object_new_int64(st.ctime));
		json_object_object_add(j, "symlink", json_object_new_boolean(is_link));
		if (is_link)
			json_object_object_add(j, "target", json_object_new_string(pr));
		cli_json_print(cli, j);
	} else {
		char m[11], a[32], mt[32], c[32];

		mode_string(st.mode, type, m);
		time_string(st.atime, a, sizeof(a));
		time_string(st.mtime, mt, sizeof(mt));
		time_string(st.ctime, c, sizeof(c));
		printf("  File: %s%s%s\n  Type: %s\n  Mode: 0%o (%s)\n", path, is_link ? " -> " : "", is_link ? pr : "",
		       qc_efs_type_name(type), st.mode, m);
		if (st.size >= 0)
			printf("  Size: %lld\n", (long long)st.size);
		printf(" Links: %u\nAccess: %s\nModify: %s\nChange: %s\n", st.nlink, a, mt, c);
	}
	return CLI_OK;
}

static int efs_cat(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs cat PATH " EFS_COMMON;
	struct qc_efs_xfer x;
	struct efs_opts o;
	struct session s;
	char buf[4096];
	const char *path;
	FILE *tmp = NULL;
	int first, fd = STDOUT_FILENO, rc = parse(cli, argc, argv, "", false, usage, &o, &first, 1, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = absolute(argv[first], buf, sizeof(buf));
	if (cli->json) {
		/* JSON carries the bytes as hex, so they pass through a file. */
		tmp = tmpfile();
		if (!tmp)
			return cli_error(cli, CLI_FAILED, "cannot create a temporary file: %s", strerror(errno));
		fd = fileno(tmp);
	}
	if ((rc = session_open(cli, &o, &s))) {
		if (tmp)
			fclose(tmp);
		return rc;
	}
	fflush(stdout);
	rc = qc_efs_get_file(s.e, path, fd, false, &x);
	session_close(&s);
	if (rc < 0) {
		if (tmp)
			fclose(tmp);
		return cli_fail(cli, rc);
	}
	if (tmp) {
		uint8_t chunk[4096];
		size_t n;

		rewind(tmp);
		printf("{\n  \"path\": ");
		json_object *p = json_object_new_string(path);

		printf("%s,\n  \"bytes\": %llu,\n  \"item\": %s,\n  \"data\": \"",
		       json_object_to_json_string_ext(p, JSON_C_TO_STRING_NOSLASHESCAPE), (unsigned long long)x.bytes,
		       x.item ? "true" : "false");
		json_object_put(p);
		while ((n = fread(chunk, 1, sizeof(chunk), tmp)) > 0)
			for (size_t i = 0; i < n; i++)
				printf("%02x", chunk[i]);
		printf("\"\n}\n");
		fclose(tmp);
	}
	return CLI_OK;
}

static void summary_json(json_object *j, const struct qc_efs_tree_stats *st, qc_efs *e)
{
	char sub[8];

	snprintf(sub, sizeof(sub), "0x%02x", qc_efs_subsys(e));
	json_object_object_add(j, "files", json_object_new_int64((int64_t)st->files));
	json_object_object_add(j, "dirs", json_object_new_int64((int64_t)st->dirs));
	json_object_object_add(j, "symlinks", json_object_new_int64((int64_t)st->symlinks));
	json_object_object_add(j, "bytes", json_object_new_int64((int64_t)st->bytes));
	json_object_object_add(j, "subsystem", json_object_new_string(sub));
	json_object_object_add(j, "read_chunk", json_object_new_int64((int64_t)qc_efs_read_chunk(e)));
	json_object_object_add(j, "write_chunk", json_object_new_int64((int64_t)qc_efs_write_chunk(e)));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void summary_human(struct cli *cli, const char *verb, const struct qc_efs_tree_stats *st, double secs,
			  size_t chunk)
{
	cli_out(cli, "%s %llu files, %llu directories, %llu symlinks, %llu bytes in %.2f s (%.1f MB/s, chunk %zu)",
		verb, (unsigned long long)st->files, (unsigned long long)st->dirs, (unsigned long long)st->symlinks,
		(unsigned long long)st->bytes, secs, secs > 0 ? (double)st->bytes / secs / 1e6 : 0.0, chunk);
	if (st->refused || st->warnings || st->failed)
		cli_out(cli, "; %llu refused, %llu warnings, %llu failed", (unsigned long long)st->refused,
			(unsigned long long)st->warnings, (unsigned long long)st->failed);
	cli_out(cli, "\n");
}

/* Where a recursive get goes: LOCAL itself when it does not exist yet,
 * else LOCAL/<last component of REMOTE>, as cp -r does. */
static int get_destination(struct cli *cli, const char *remote, const char *local, char *out, size_t cap)
{
	struct stat sb;
	char name[1024];

	if (stat(local, &sb) < 0) {
		if (errno != ENOENT)
			return cli_error(cli, CLI_USAGE, "cannot use %s: %s", local, strerror(errno));
		if (mkdir(local, 0755) < 0)
			return cli_error(cli, CLI_USAGE, "cannot create %s: %s", local, strerror(errno));
		snprintf(out, cap, "%s", local);
		return CLI_OK;
	}
	if (!S_ISDIR(sb.st_mode))
		return cli_error(cli, CLI_USAGE, "%s exists and is not a directory", local);
	last_component(remote, name, sizeof(name));
	if (!strcmp(remote, "/") || !name[0]) {
		snprintf(out, cap, "%s", local);
		return CLI_OK;
	}
	if (qc_efs_name_check(name, strlen(name)))
		return cli_error(cli, CLI_USAGE, "cannot name a local copy after '%s': %s", name,
				 qc_efs_name_check(name, strlen(name)));
	if (!join(out, cap, local, name))
		return cli_error(cli, CLI_USAGE, "local path too long");
	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return cli_error(cli, CLI_FAILED, "cannot create %s: %s", out, strerror(errno));
	return CLI_OK;
}

static int get_one_file(struct cli *cli, qc_efs *e, const char *remote, const char *local, struct qc_efs_xfer *x)
{
	char path[4096], name[1024];
	struct stat sb;
	bool existed;
	int fd, rc;

	snprintf(path, sizeof(path), "%s", local);
	if (stat(local, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		last_component(remote, name, sizeof(name));
		if (!join(path, sizeof(path), local, name))
			return qc_fail(cli->ctx, QC_E_INVAL, "local path too long");
	}
	existed = access(path, F_OK) == 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return qc_fail(cli->ctx, QC_E_IO, "cannot create %s: %s", path, strerror(errno));
	rc = qc_efs_get_file(e, remote, fd, false, x);
	if (close(fd) < 0 && rc == 0)
		rc = qc_fail(cli->ctx, QC_E_IO, "writing %s failed: %s", path, strerror(errno));
	/* Do not leave a half file where there was none. */
	if (rc < 0 && !existed)
		unlink(path);
	return rc;
}

static int efs_get(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs get REMOTE LOCAL [-r] " EFS_COMMON;
	struct qc_efs_tree_ops ops = {.report = on_report};
	struct qc_efs_tree_stats st = {0};
	struct qc_efs_stat rst;
	struct efs_opts o;
	struct session s;
	struct sink k;
	char buf[4096], dest[4096];
	const char *remote, *local;
	bool tree;
	double t0;
	int first, rc = parse(cli, argc, argv, "r", false, usage, &o, &first, 2, 2);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	remote = absolute(argv[first], buf, sizeof(buf));
	local = argv[first + 1];
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	rc = qc_efs_stat(s.e, remote, &rst);
	if (rc < 0) {
		session_close(&s);
		return cli_fail(cli, rc);
	}
	tree = qc_efs_type_of(QC_EFS_TYPE_OTHER, rst.mode) == QC_EFS_TYPE_DIR;
	if (tree && !o.r) {
		session_close(&s);
		return cli_error(cli, CLI_USAGE, "%s is a directory; use -r", remote);
	}
	sink_init(&k, cli);
	ops.user = &k;
	t0 = now_s();
	if (tree) {
		rc = get_destination(cli, remote, local, dest, sizeof(dest));
		if (rc) {
			session_close(&s);
			sink_free(&k);
			return rc;
		}
		rc = qc_efs_get_tree(s.e, remote, dest, &ops, &st);
	} else {
		struct qc_efs_xfer x;

		snprintf(dest, sizeof(dest), "%s", local);
		rc = get_one_file(cli, s.e, remote, local, &x);
		if (rc == 0) {
			st.files = 1;
			st.bytes = x.bytes;
			if (x.short_read) {
				char msg[256];

				snprintf(msg, sizeof(msg), "the device stated %lld bytes but the file ended after %llu",
					 (long long)x.stated_size, (unsigned long long)x.bytes);
				on_report(&k, QC_EFS_WARNING, remote, msg);
				st.warnings = 1;
			}
		}
	}
	if (rc < 0) {
		session_close(&s);
		sink_free(&k);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "remote", json_object_new_string(remote));
		json_object_object_add(j, "local", json_object_new_string(dest));
		json_object_object_add(j, "recursive", json_object_new_boolean(tree));
		summary_json(j, &st, s.e);
		sink_add(&k, j);
		cli_json_print(cli, j);
	} else {
		summary_human(cli, "copied", &st, now_s() - t0, qc_efs_read_chunk(s.e));
	}
	session_close(&s);
	sink_free(&k);
	return st.refused || st.failed ? CLI_FAILED : CLI_OK;
}

static int efs_put(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs put LOCAL REMOTE [-r] [--item] " EFS_COMMON;
	struct qc_efs_tree_ops ops = {.report = on_report};
	struct qc_efs_tree_stats st = {0};
	struct qc_efs_stat rst;
	struct efs_opts o;
	struct session s;
	struct sink k;
	struct stat sb;
	char buf[4096], dest[4096], name[1024];
	const char *remote, *local;
	double t0;
	int first, rc = parse(cli, argc, argv, "r", true, usage, &o, &first, 2, 2);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	local = argv[first];
	remote = absolute(argv[first + 1], buf, sizeof(buf));
	if (stat(local, &sb) < 0)
		return cli_error(cli, CLI_USAGE, "cannot read %s: %s", local, strerror(errno));
	if (S_ISDIR(sb.st_mode) && !o.r)
		return cli_error(cli, CLI_USAGE, "%s is a directory; use -r", local);
	if (S_ISDIR(sb.st_mode) && o.item)
		return cli_error(cli, CLI_USAGE, "--item copies one file, and %s is a directory", local);
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
		return cli_error(cli, CLI_USAGE, "%s is not a regular file or directory", local);
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	/* Into an existing directory the copy keeps its name, as cp does. */
	snprintf(dest, sizeof(dest), "%s", remote);
	rc = qc_efs_stat(s.e, remote, &rst);
	if (rc == 0 && qc_efs_type_of(QC_EFS_TYPE_OTHER, rst.mode) == QC_EFS_TYPE_DIR) {
		last_component(local, name, sizeof(name));
		if (strcmp(name, ".") && strcmp(name, "..") && name[0] && !join(dest, sizeof(dest), remote, name)) {
			session_close(&s);
			return cli_error(cli, CLI_USAGE, "EFS path too long");
		}
	} else if (rc < 0 && rc != QC_E_NOTFOUND) {
		session_close(&s);
		return cli_fail(cli, rc);
	} else if (rc == 0 && S_ISDIR(sb.st_mode)) {
		session_close(&s);
		return cli_error(cli, CLI_FAILED, "EFS %s exists and is not a directory", remote);
	}
	sink_init(&k, cli);
	ops.user = &k;
	t0 = now_s();
	if (S_ISDIR(sb.st_mode)) {
		rc = qc_efs_put_tree(s.e, local, dest, &ops, &st);
	} else {
		struct qc_efs_xfer x;
		int fd = open(local, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			rc = qc_fail(cli->ctx, QC_E_INVAL, "cannot open %s: %s", local, strerror(errno));
		} else {
			rc = qc_efs_put_file(s.e, fd, dest, (uint32_t)sb.st_mode & 0777, o.item, &x);
			close(fd);
		}
		if (rc == 0) {
			st.files = 1;
			st.bytes = x.bytes;
		}
	}
	if (rc < 0) {
		session_close(&s);
		sink_free(&k);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "local", json_object_new_string(local));
		json_object_object_add(j, "remote", json_object_new_string(dest));
		json_object_object_add(j, "recursive", json_object_new_boolean(S_ISDIR(sb.st_mode)));
		json_object_object_add(j, "item", json_object_new_boolean(o.item));
		summary_json(j, &st, s.e);
		sink_add(&k, j);
		cli_json_print(cli, j);
	} else {
		summary_human(cli, "copied", &st, now_s() - t0, qc_efs_write_chunk(s.e));
	}
	session_close(&s);
	sink_free(&k);
	return st.refused || st.failed ? CLI_FAILED : CLI_OK;
}

static void ok_json(struct cli *cli, const char *key, const char *path)
{
	json_object *j = json_object_new_object();

	json_object_object_add(j, key, json_object_new_string(path));
	json_object_object_add(j, "ok", json_object_new_boolean(true));
	cli_json_print(cli, j);
}

static int efs_mkdir(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs mkdir [-p] PATH " EFS_COMMON;
	struct efs_opts o;
	struct session s;
	char buf[4096];
	const char *path;
	int first, rc = parse(cli, argc, argv, "p", false, usage, &o, &first, 1, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = absolute(argv[first], buf, sizeof(buf));
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	if (o.p) {
		/* every ancestor, each allowed to exist already */
		char part[4096];

		for (size_t i = 1; path[i - 1] && rc >= 0; i++) {
			if (path[i] != '/' && path[i] != '\0')
				continue;
			snprintf(part, sizeof(part), "%.*s", (int)i, path);
			rc = qc_efs_mkdir(s.e, part, 0755);
			if (rc == QC_E_EXISTS)
				rc = 0;
		}
		if (rc == 0) {
			struct qc_efs_stat st;

			rc = qc_efs_stat(s.e, path, &st);
			if (rc == 0 && qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode) != QC_EFS_TYPE_DIR)
				rc = qc_fail(cli->ctx, QC_E_EXISTS, "EFS %s exists and is not a directory", path);
		}
	} else {
		rc = qc_efs_mkdir(s.e, path, 0755);
	}
	session_close(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		ok_json(cli, "path", path);
	return CLI_OK;
}

static int efs_rm(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs rm [-r] PATH " EFS_COMMON;
	struct qc_efs_tree_ops ops = {.report = on_report};
	struct qc_efs_tree_stats st = {0};
	struct qc_efs_stat lst;
	struct efs_opts o;
	struct session s;
	struct sink k;
	char buf[4096];
	const char *path;
	int first, rc = parse(cli, argc, argv, "r", false, usage, &o, &first, 1, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = absolute(argv[first], buf, sizeof(buf));
	if (strspn(path, "/") == strlen(path))
		return cli_error(cli, CLI_USAGE, "refusing to remove the EFS root");
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	rc = qc_efs_lstat(s.e, path, &lst);
	if (rc == 0 && (lst.mode & QC_EFS_S_IFMT) == QC_EFS_S_IFDIR && !o.r) {
		session_close(&s);
		return cli_error(cli, CLI_USAGE, "%s is a directory; use -r", path);
	}
	sink_init(&k, cli);
	ops.user = &k;
	if (rc == 0)
		rc = qc_efs_remove_tree(s.e, path, &ops, &st);
	session_close(&s);
	if (rc < 0) {
		sink_free(&k);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "path", json_object_new_string(path));
		json_object_object_add(j, "files", json_object_new_int64((int64_t)st.files));
		json_object_object_add(j, "dirs", json_object_new_int64((int64_t)st.dirs));
		json_object_object_add(j, "symlinks", json_object_new_int64((int64_t)st.symlinks));
		sink_add(&k, j);
		cli_json_print(cli, j);
	}
	sink_free(&k);
	return st.refused || st.failed ? CLI_FAILED : CLI_OK;
}

static int efs_mv(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs mv OLD NEW " EFS_COMMON;
	struct qc_efs_stat st;
	struct efs_opts o;
	struct session s;
	char b1[4096], b2[4096], dest[4096], name[1024];
	const char *from, *to;
	int first, rc = parse(cli, argc, argv, "", false, usage, &o, &first, 2, 2);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	from = absolute(argv[first], b1, sizeof(b1));
	to = absolute(argv[first + 1], b2, sizeof(b2));
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	snprintf(dest, sizeof(dest), "%s", to);
	/* Into an existing directory, as mv does. */
	if (qc_efs_stat(s.e, to, &st) == 0 && qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode) == QC_EFS_TYPE_DIR) {
		last_component(from, name, sizeof(name));
		if (!join(dest, sizeof(dest), to, name)) {
			session_close(&s);
			return cli_error(cli, CLI_USAGE, "EFS path too long");
		}
	}
	rc = qc_efs_rename(s.e, from, dest);
	session_close(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "from", json_object_new_string(from));
		json_object_object_add(j, "to", json_object_new_string(dest));
		json_object_object_add(j, "ok", json_object_new_boolean(true));
		cli_json_print(cli, j);
	}
	return CLI_OK;
}

static int efs_df(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs df [PATH] " EFS_COMMON;
	struct qc_efs_statfs f;
	struct efs_opts o;
	struct session s;
	char buf[4096];
	const char *path;
	int first, rc = parse(cli, argc, argv, "", false, usage, &o, &first, 0, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	path = first < argc ? absolute(argv[first], buf, sizeof(buf)) : "/";
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	rc = qc_efs_statfs(s.e, path, &f);
	session_close(&s);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "path", json_object_new_string(path));
		json_object_object_add(j, "fs_type", json_object_new_string(f.fs_type));
		json_object_object_add(j, "fs_id", json_object_new_int64(f.fs_id));
		json_object_object_add(j, "block_size", json_object_new_int64(f.block_size));
		json_object_object_add(j, "total_blocks", json_object_new_int64(f.total_blocks));
		json_object_object_add(j, "avail_blocks", json_object_new_int64(f.avail_blocks));
		json_object_object_add(j, "free_blocks", json_object_new_int64(f.free_blocks));
		json_object_object_add(j, "max_file_size", json_object_new_int64(f.max_file_size));
		json_object_object_add(j, "nfiles", json_object_new_int64(f.nfiles));
		json_object_object_add(j, "max_nfiles", json_object_new_int64(f.max_nfiles));
		cli_json_print(cli, j);
	} else {
		printf("%s: %s, %u blocks of %u bytes, %u available, %u free; %u of %u files\n", path, f.fs_type,
		       f.total_blocks, f.block_size, f.avail_blocks, f.free_blocks, f.nfiles, f.max_nfiles);
	}
	return CLI_OK;
}

static int efs_backup(struct cli *cli, int argc, char **argv)
{
	const char *usage = "efs backup DIR " EFS_COMMON;
	struct qc_efs_tree_ops ops = {.report = on_report};
	struct qc_efs_tree_stats st;
	struct efs_opts o;
	struct session s;
	struct sink k;
	char man[4096];
	double t0;
	int first, rc = parse(cli, argc, argv, "", false, usage, &o, &first, 1, 1);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	if ((rc = session_open(cli, &o, &s)))
		return rc;
	sink_init(&k, cli);
	ops.user = &k;
	t0 = now_s();
	rc = qc_efs_backup(s.e, argv[first], &ops, &st);
	if (rc < 0) {
		session_close(&s);
		sink_free(&k);
		return cli_fail(cli, rc);
	}
	snprintf(man, sizeof(man), "%s/manifest.json", argv[first]);
	if (cli->json) {
		json_object *j = json_object_new_object();

		json_object_object_add(j, "dir", json_object_new_string(argv[first]));
		json_object_object_add(j, "manifest", json_object_new_string(man));
		summary_json(j, &st, s.e);
		sink_add(&k, j);
		cli_json_print(cli, j);
	} else {
		summary_human(cli, "saved", &st, now_s() - t0, qc_efs_read_chunk(s.e));
		cli_out(cli, "manifest: %s\n", man);
	}
	session_close(&s);
	sink_free(&k);
	return st.refused || st.failed ? CLI_FAILED : CLI_OK;
}

int cmd_efs(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} sub[] = {
		{"ls", efs_ls},	      {"stat", efs_stat}, {"cat", efs_cat}, {"get", efs_get},
		{"put", efs_put},     {"mkdir", efs_mkdir}, {"rm", efs_rm},   {"mv", efs_mv},
		{"df", efs_df},	      {"backup", efs_backup},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, EFS_USAGE);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "efs %s", sub[i].name);
			cli->cmd = cmd;
			int rc = sub[i].fn(cli, argc - 1, argv + 1);

			cli->cmd = "efs";
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown efs command '%s'\nusage: %s %s", argv[1], cli->prog, EFS_USAGE);
}
