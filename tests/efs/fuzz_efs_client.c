/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EFS2 client against a device whose every reply comes from the fuzzer:
 * the input is a list of replies (u16 length, then the payload), queued on
 * an in-memory link before the client asks.  The client says HELLO, runs
 * single calls, copies a whole file and then a whole tree into a scratch
 * directory.  Whatever the replies, nothing may crash and nothing may
 * appear outside the copy's destination.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT (32 * 1024)

static char top[64];

static void cleanup(void) { remove_tree(top); }

static void scratch(void)
{

	if (top[0])
		return;
	snprintf(top, sizeof(top), "/tmp/qcbox-fuzz-efs.XXXXXX");
	if (!mkdtemp(top))
		abort();
	atexit(cleanup);
	write_file(top, "out", "", 0);
}

/* Only "dest" and "out" may exist in the scratch directory. */
static void check_confined(void)
{
	DIR *d = opendir(top);
	struct dirent *e;

	if (!d)
		abort();
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "dest") &&
		    strcmp(e->d_name, "out"))
			abort();
	closedir(d);
}

static void on_report(void *user, enum qc_efs_report kind, const char *path, const char *msg)
{
	(void)user;
	(void)kind;
	if (!path || !msg)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qc_efs_tree_ops ops = {.report = on_report, .sha256 = true, .read_links = true};
	struct qc_efs_tree_stats st;
	struct qc_efs_limits lim = {.max_dir_entries = 32, .max_depth = 4, .max_total_entries = 128};
	struct qc_efs_stat sb;
	struct qc_efs_statfs fs;
	struct qc_efs_dirent *v;
	struct qc_efs_xfer x;
	struct script s;
	qc_efs *e;
	char buf[1100], dest[128], outp[128];
	size_t n;
	int fd;

	scratch();
	script_start(&s);
	qc_set_timeout(s.ctx, 1);
	if (size > FUZZ_MAX_INPUT)
		size = FUZZ_MAX_INPUT;
	for (size_t pos = 0; pos + 2 <= size;) {
		size_t len = (size_t)(data[pos] | data[pos + 1] << 8);

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		if (len)
			script_reply(&s, data + pos, len);
		pos += len;
	}
	if (qc_efs_new(s.d, 0, &e) == 0) {
		qc_efs_set_limits(e, &lim);
		qc_efs_stat(e, "/a", &sb);
		qc_efs_lstat(e, "/a", &sb);
		if (qc_efs_readlink(e, "/l", buf, sizeof(buf)) >= 0 && strlen(buf) >= sizeof(buf))
			abort();
		qc_efs_statfs(e, "/", &fs);
		if (qc_efs_get_item(e, "/i", buf, sizeof(buf), &n) == 0 && n > sizeof(buf))
			abort();
		if (qc_efs_listdir(e, "/", &v, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				if (v[i].name_len >= sizeof(v[i].name) || v[i].name[v[i].name_len])
					abort();
			free(v);
		}
		snprintf(outp, sizeof(outp), "%s/out", top);
		fd = open(outp, O_RDWR | O_TRUNC);
		if (fd >= 0) {
			if (qc_efs_get_file(e, "/f", fd, true, &x) == 0 && (uint64_t)lseek(fd, 0, SEEK_END) != x.bytes)
				abort();
			close(fd);
		}
		snprintf(dest, sizeof(dest), "%s/dest", top);
		mkdir(dest, 0755);
		qc_efs_get_tree(e, "/", dest, &ops, &st);
		qc_efs_walk(e, "/", true, &ops, &st);
		check_confined();
		remove_tree(dest);
		qc_efs_free(e);
	}
	script_stop(&s);
	return 0;
}
