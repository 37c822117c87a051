/* SPDX-License-Identifier: BSD-3-Clause */
/* The EFS2 client against the simulated modem (every call, the subsystem
 * fallback, window negotiation, trees) and against scripted replies (how it
 * takes error packets, wrong replies and lies). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static void test_calls(void **state)
{
	struct sim_run r;
	qc_efs *e;
	struct qc_efs_stat st;
	struct qc_efs_statfs fs;
	struct qc_efs_query q;
	char buf[256];
	size_t n;
	int fd;

	(void)state;
	sim_run_start(&r, NULL);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	assert_int_equal(qc_efs_subsys(e), 0x13);
	/* the simulator offers 1 MiB windows: the client's cap applies */
	assert_int_equal(qc_efs_read_chunk(e), QC_EFS_MAX_CHUNK);
	assert_int_equal(qc_efs_negotiated(e)->version, 1);

	assert_int_equal(qc_efs_mkdir(e, "/d", 0755), 0);
	assert_int_equal(qc_efs_mkdir(e, "/d", 0755), QC_E_EXISTS);
	assert_int_equal(qc_efs_last_errno(e), QC_EFS_EEXIST);
	assert_non_null(strstr(qc_last_error(r.ctx), "EFS error EEXIST (6) for /d"));

	fd = qc_efs_open(e, "/d/f", QC_EFS_O_WRONLY | QC_EFS_O_CREAT | QC_EFS_O_TRUNC, 0640);
	assert_true(fd >= 0);
	assert_int_equal(qc_efs_write(e, fd, 0, "hello world", 11), 11);
	assert_int_equal(qc_efs_write(e, fd, 20, "!", 1), 1);
	assert_int_equal(qc_efs_fstat(e, fd, &st), 0);
	assert_int_equal(st.size, 21);
	assert_int_equal(qc_efs_ftruncate(e, fd, 11), 0);
	assert_int_equal(qc_efs_close(e, fd), 0);
	assert_int_equal(qc_efs_close(e, fd), QC_E_DEVICE); /* EBADF */
	assert_int_equal(qc_efs_last_errno(e), QC_EFS_EBADF);

	fd = qc_efs_open(e, "/d/f", QC_EFS_O_RDONLY, 0);
	assert_true(fd >= 0);
	assert_int_equal(qc_efs_read(e, fd, 6, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(qc_efs_read(e, fd, 11, buf, sizeof(buf)), 0);
	assert_int_equal(qc_efs_close(e, fd), 0);

	assert_int_equal(qc_efs_stat(e, "/d/f", &st), 0);
	assert_int_equal(st.mode, 0100640);
	assert_int_equal(st.size, 11);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(qc_efs_truncate(e, "/d/f", 5), 0);
	assert_int_equal(qc_efs_stat(e, "/d/f", &st), 0);
	assert_int_equal(st.size, 5);
	assert_int_equal(qc_efs_chmod(e, "/d/f", 0600), 0);
	assert_int_equal(qc_efs_stat(e, "/d/f", &st), 0);
	assert_int_equal(st.mode, 0100600);

	assert_int_equal(qc_efs_symlink(e, "/d/f", "/d/l"), 0);
	assert_int_equal(qc_efs_readlink(e, "/d/l", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "/d/f");
	assert_int_equal(qc_efs_lstat(e, "/d/l", &st), 0);
	assert_int_equal(st.mode & QC_EFS_S_IFMT, QC_EFS_S_IFLNK);
	assert_int_equal(st.size, -1);
	assert_int_equal(qc_efs_stat(e, "/d/l", &st), 0); /* followed, as an EFS path */
	assert_int_equal(st.size, 5);
	assert_int_equal(qc_efs_readlink(e, "/d/f", buf, sizeof(buf)), QC_E_DEVICE);
	assert_int_equal(qc_efs_last_errno(e), QC_EFS_EINVAL);

	assert_int_equal(qc_efs_rename(e, "/d/f", "/d/g"), 0);
	assert_int_equal(qc_efs_stat(e, "/d/f", &st), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(r.ctx), "EFS error ENOENT (2) for /d/f"));
	assert_int_equal(qc_efs_rmdir(e, "/d"), QC_E_DEVICE);
	assert_int_equal(qc_efs_last_errno(e), QC_EFS_ENOTEMPTY);

	/* item files: PUT creates, GET returns the whole file */
	assert_int_equal(qc_efs_mkdir(e, "/nv", 0755), 0);
	assert_int_equal(qc_efs_mkdir(e, "/nv/item_files", 0755), 0);
	assert_int_equal(qc_efs_put_item(e, "/nv/item_files/it", "\x01\x02\x03", 3, QC_EFS_O_CREAT | QC_EFS_O_WRONLY),
			 0);
	assert_int_equal(qc_efs_get_item(e, "/nv/item_files/it", buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "\x01\x02\x03", 3);
	assert_int_equal(qc_efs_stat(e, "/nv/item_files/it", &st), 0);
	assert_int_equal(qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode), QC_EFS_TYPE_ITEM);
	assert_int_equal(qc_efs_get_item(e, "/nv/item_files/it", buf, 2, &n), QC_E_RANGE); /* too small */

	assert_int_equal(qc_efs_statfs(e, "/", &fs), 0);
	assert_string_equal(fs.fs_type, "EFS2");
	assert_true(fs.block_size > 0);
	assert_int_equal(qc_efs_query(e, &q), 0);
	assert_int_equal(q.max_path, 1024);

	assert_int_equal(qc_efs_unlink(e, "/d/l"), 0);
	assert_int_equal(qc_efs_unlink(e, "/d/g"), 0);
	assert_int_equal(qc_efs_rmdir(e, "/d"), 0);
	assert_int_equal(qc_efs_stat(e, "", &st), QC_E_INVAL);
	qc_efs_free(e);
	sim_run_stop(&r);
}

/* A modem that answers only on 0x3E: the client falls back; one that
 * answers only on 0x13 is found at once; forcing the wrong one fails. */
static void test_subsys_fallback(void **state)
{
	const char *const only3e[] = {"efs-subsys", "3e", NULL};
	const char *const only13[] = {"efs-subsys", "13", NULL};
	struct sim_run r;
	qc_efs *e;
	struct qc_efs_stat st;

	(void)state;
	sim_run_start(&r, only3e);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	assert_int_equal(qc_efs_subsys(e), 0x3e);
	assert_int_equal(qc_efs_stat(e, "/", &st), 0);
	assert_int_equal(qc_efs_type_of(QC_EFS_TYPE_OTHER, st.mode), QC_EFS_TYPE_DIR);
	qc_efs_free(e);
	sim_run_stop(&r);

	sim_run_start(&r, only13);
	assert_int_equal(qc_efs_new(r.d, QC_EFS_SUBSYS_FS_ALT, &e), QC_E_UNSUPPORTED);
	assert_non_null(strstr(qc_last_error(r.ctx), "bad command"));
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	assert_int_equal(qc_efs_subsys(e), 0x13);
	qc_efs_free(e);
	assert_int_equal(qc_efs_new(r.d, 0x42, &e), QC_E_INVAL);
	sim_run_stop(&r);
}

/* The smaller window wins, and data still arrives whole in those chunks. */
static void test_window(void **state)
{
	const char *const opts[] = {"efs-window", "1000", NULL};
	struct sim_run r;
	qc_efs *e;
	uint8_t data[5000], back[5000];
	struct qc_efs_xfer x;
	char path[256];
	int fd;

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	sim_run_start(&r, opts);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	assert_int_equal(qc_efs_negotiated(e)->host_byte_window, 1000);
	assert_int_equal(qc_efs_read_chunk(e), 1000);
	assert_int_equal(qc_efs_write_chunk(e), 1000);
	snprintf(path, sizeof(path), "%s/in", r.top);
	write_file(r.top, "in", data, sizeof(data));
	fd = open(path, O_RDONLY);
	assert_int_equal(qc_efs_put_file(e, fd, "/w", 0644, false, &x), 0);
	close(fd);
	assert_int_equal(x.bytes, sizeof(data));
	snprintf(path, sizeof(path), "%s/out", r.top);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(qc_efs_get_file(e, "/w", fd, true, &x), 0);
	assert_int_equal(x.bytes, sizeof(data));
	assert_false(x.short_read);
	assert_int_equal(pread(fd, back, sizeof(back), 0), (ssize_t)sizeof(back));
	assert_memory_equal(back, data, sizeof(data));
	close(fd);
	/* an item file larger than one reply falls back to OPEN/READ */
	snprintf(path, sizeof(path), "%s/nv/item_files", r.dir);
	assert_int_equal(system(strcat(strcpy((char *)back, "mkdir -p "), path)), 0);
	write_file(path, "big", data, 1500);
	write_file(path, "small", data, 10);
	snprintf(path, sizeof(path), "%s/out", r.top);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(qc_efs_get_file(e, "/nv/item_files/big", fd, false, &x), 0);
	assert_int_equal(x.bytes, 1500);
	assert_false(x.item);
	assert_int_equal(qc_efs_get_file(e, "/nv/item_files/small", fd, false, &x), 0);
	assert_int_equal(x.bytes, 10);
	assert_true(x.item);
	close(fd);
	/* a caller cap below the window */
	assert_int_equal(qc_efs_set_max_chunk(e, 300), 0);
	assert_int_equal(qc_efs_read_chunk(e), 300);
	assert_int_equal(qc_efs_set_max_chunk(e, QC_EFS_MAX_CHUNK + 1), QC_E_INVAL);
	qc_efs_free(e);
	sim_run_stop(&r);
}

struct collect {
	int entries, refused, warnings, failed;
	char last_refused[1024];
};

static void on_entry(void *user, const struct qc_efs_entry *ent)
{
	(void)ent;
	((struct collect *)user)->entries++;
}

static void on_report(void *user, enum qc_efs_report kind, const char *path, const char *msg)
{
	struct collect *c = user;

	(void)msg;
	if (kind == QC_EFS_REFUSED) {
		c->refused++;
		snprintf(c->last_refused, sizeof(c->last_refused), "%s", path);
	} else if (kind == QC_EFS_WARNING) {
		c->warnings++;
	} else {
		c->failed++;
	}
}

static int count_dir(const char *path)
{
	char cmd[600];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "find '%s' | wc -l", path);
	p = popen(cmd, "r");
	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* put -r then get -r; device symlinks are recreated only when they stay
 * inside the copy. */
static void test_tree_round_trip(void **state)
{
	struct sim_run r;
	qc_efs *e;
	struct collect c = {0};
	struct qc_efs_tree_ops ops = {.entry = on_entry, .report = on_report, .user = &c, .sha256 = true};
	struct qc_efs_tree_stats st;
	char src[256], dst[256], cmd[700], lpath[256];

	(void)state;
	sim_run_start(&r, NULL);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	snprintf(src, sizeof(src), "%s/src", r.top);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/a/b && head -c 30000 /dev/urandom > %s/a/b/f && : > %s/a/empty", src,
		 src, src);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qc_efs_put_tree(e, src, "/t", &ops, &st), 0);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.dirs, 2);
	assert_int_equal(st.bytes, 30000);
	/* links made on the device */
	assert_int_equal(qc_efs_symlink(e, "b/f", "/t/a/in"), 0);
	assert_int_equal(qc_efs_symlink(e, "../a/b", "/t/a/up_in"), 0);
	assert_int_equal(qc_efs_symlink(e, "../../../etc", "/t/a/up_out"), 0);
	assert_int_equal(qc_efs_symlink(e, "/etc/passwd", "/t/a/abs"), 0);
	assert_int_equal(qc_efs_symlink(e, "b/../../..", "/t/a/zigzag"), 0);
	snprintf(dst, sizeof(dst), "%s/dst", r.top);
	assert_int_equal(mkdir(dst, 0755), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qc_efs_get_tree(e, "/t", dst, &ops, &st), 0);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.symlinks, 2);
	assert_int_equal(c.refused, 3);
	assert_int_equal(c.failed, 0);
	snprintf(cmd, sizeof(cmd), "cmp -s %s/a/b/f %s/a/b/f && [ -f %s/a/empty ] && [ ! -s %s/a/empty ]", src, dst,
		 dst, dst);
	assert_int_equal(system(cmd), 0);
	snprintf(lpath, sizeof(lpath), "%s/a/in", dst);
	assert_int_equal(readlink(lpath, cmd, sizeof(cmd)), 3);
	snprintf(lpath, sizeof(lpath), "%s/a/up_out", dst);
	assert_int_equal(access(lpath, F_OK), -1);
	snprintf(lpath, sizeof(lpath), "%s/a/abs", dst);
	assert_int_equal(access(lpath, F_OK), -1);

	/* a second run over the same destination replaces, and never writes
	 * through a symlink planted where a file goes */
	snprintf(lpath, sizeof(lpath), "%s/a/b/f", dst);
	unlink(lpath);
	snprintf(cmd, sizeof(cmd), "%s/outside", r.top);
	write_file(r.top, "outside", "keep", 4);
	assert_int_equal(symlink(cmd, lpath), 0);
	/* nor through an old hard lpath */
	write_file(r.top, "outside2", "keep2", 5);
	snprintf(lpath, sizeof(lpath), "%s/a/empty", dst);
	unlink(lpath);
	snprintf(cmd, sizeof(cmd), "%s/outside2", r.top);
	assert_int_equal(link(cmd, lpath), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qc_efs_get_tree(e, "/t", dst, &ops, &st), 0);
	assert_int_equal(c.failed, 2);
	snprintf(cmd, sizeof(cmd), "[ \"$(cat %s/outside)\" = keep ] && [ \"$(cat %s/outside2)\" = keep2 ]", r.top,
		 r.top);
	assert_int_equal(system(cmd), 0);

	/* walk and remove */
	memset(&c, 0, sizeof(c));
	assert_int_equal(qc_efs_walk(e, "/t", true, &ops, &st), 0);
	assert_int_equal(c.entries, 9);
	assert_int_equal(st.symlinks, 5);
	memset(&c, 0, sizeof(c));
	assert_int_equal(qc_efs_remove_tree(e, "/t", &ops, &st), 0);
	assert_int_equal(c.failed, 0);
	assert_int_equal(count_dir(r.dir), 1);
	qc_efs_free(e);
	sim_run_stop(&r);
}

/* The hostile faults: names, endless listings, lying sizes, endless files. */
static void test_hostile_device(void **state)
{
	const char *const opts[] = {"fault", "efs-hostile-names*", NULL};
	struct sim_run r;
	qc_efs *e;
	struct collect c = {0};
	struct qc_efs_tree_ops ops = {.report = on_report, .user = &c};
	struct qc_efs_tree_stats st;
	char dst[256], cmd[600];

	(void)state;
	sim_run_start(&r, opts);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/t/sub && echo data > %s/t/sub/real", r.dir, r.dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	/* deep below the top, so "../../x" from it would land in top */
	snprintf(dst, sizeof(dst), "%s/x/y/dst", r.top);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dst);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qc_efs_get_tree(e, "/t", dst, &ops, &st), 0);
	/* 8 hostile names in each of the two listings */
	assert_int_equal(c.refused, 16);
	assert_int_equal(st.files, 1);
	assert_int_equal(count_dir(dst), 3); /* dst, sub, real */
	/* nothing anywhere else: x, y, dst, sub, real */
	snprintf(cmd, sizeof(cmd), "%s/x", r.top);
	assert_int_equal(count_dir(cmd), 5);
	assert_int_equal(access("/abs", F_OK), -1);
	qc_efs_free(e);
	sim_run_stop(&r);
}

static void test_endless_and_lies(void **state)
{
	const char *const opts[] = {"fault", "efs-endless-dir", "fault", "efs-lying-size*", NULL};
	struct sim_run r;
	qc_efs *e;
	struct collect c = {0};
	struct qc_efs_tree_ops ops = {.report = on_report, .user = &c};
	struct qc_efs_tree_stats st;
	struct qc_efs_limits lim;
	struct qc_efs_dirent *v;
	struct qc_efs_xfer x;
	size_t n;
	char path[256];
	int fd;

	(void)state;
	sim_run_start(&r, opts);
	write_file(r.dir, "f", "0123456789", 10);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	qc_efs_get_limits(e, &lim);
	lim.max_dir_entries = 200;
	assert_int_equal(qc_efs_set_limits(e, &lim), 0);
	/* the first listing never ends: bounded */
	assert_int_equal(qc_efs_listdir(e, "/", &v, &n), QC_E_TOOBIG);
	assert_non_null(strstr(qc_last_error(r.ctx), "more than 200 entries"));
	/* the handle was closed: listings still work */
	assert_int_equal(qc_efs_listdir(e, "/", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].size, 10 + (1 << 20));
	free(v);
	/* a size that lies: what was read is kept, and flagged */
	snprintf(path, sizeof(path), "%s/out", r.top);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(qc_efs_get_file(e, "/f", fd, false, &x), 0);
	assert_true(x.short_read);
	assert_int_equal(x.bytes, 10);
	assert_int_equal(lseek(fd, 0, SEEK_END), 10);
	close(fd);
	assert_int_equal(qc_efs_get_tree(e, "/", r.top, &ops, &st), 0);
	assert_int_equal(c.warnings, 1);
	qc_efs_free(e);
	sim_run_stop(&r);
}

static void test_endless_file(void **state)
{
	const char *const opts[] = {"fault", "efs-endless-file*", NULL};
	struct sim_run r;
	qc_efs *e;
	struct qc_efs_xfer x;
	char path[256], back[32];
	int fd;

	(void)state;
	sim_run_start(&r, opts);
	write_file(r.dir, "f", "0123456789", 10);
	assert_int_equal(qc_efs_new(r.d, 0, &e), 0);
	snprintf(path, sizeof(path), "%s/out", r.top);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(qc_efs_get_file(e, "/f", fd, false, &x), 0);
	assert_false(x.short_read);
	assert_int_equal(x.bytes, 10);
	assert_int_equal(pread(fd, back, sizeof(back), 0), 10);
	assert_memory_equal(back, "0123456789", 10);
	close(fd);
	qc_efs_free(e);
	sim_run_stop(&r);
}

/* ----- scripted replies ----- */

static void test_scripted_errors(void **state)
{
	struct script s;
	qc_efs *e;
	struct qc_efs_stat st;
	char buf[64];
	uint8_t raw[64];

	(void)state;
	script_start(&s);
	/* 0x13 refuses with bad command, 0x3E answers */
	raw[0] = 0x13;
	memcpy(raw + 1, "\x4b\x13\x00\x00", 4);
	script_reply(&s, raw, 5);
	script_hello(&s, 0x3e, 512);
	assert_int_equal(qc_efs_new(s.d, 0, &e), 0);
	assert_int_equal(qc_efs_subsys(e), 0x3e);
	assert_int_equal(qc_efs_read_chunk(e), 512);

	/* fs_diag's ERROR packet carries the errno */
	struct qc_efs_pkt err = {.nnum = 1, .num = {QC_EFS_ENOENT}, .data = (const uint8_t *)"copy", .dlen = 4};

	script_pkt(&s, 0x3e, QC_EFS_OP_ERROR, &err);
	assert_int_equal(qc_efs_stat(e, "/x", &st), QC_E_NOTFOUND);
	assert_non_null(strstr(qc_last_error(s.ctx), "EFS error ENOENT (2) for /x"));

	/* a locked phone: 0x47 plus the request */
	raw[0] = 0x47;
	memcpy(raw + 1, "\x4b\x3e\x08\x00/x", 7);
	script_reply(&s, raw, 8);
	assert_int_equal(qc_efs_unlink(e, "/x"), QC_E_PERM);
	assert_non_null(strstr(qc_last_error(s.ctx), "password required"));

	/* a reply to another command */
	struct qc_efs_pkt other = {.nnum = 1, .num = {0}};

	script_pkt(&s, 0x3e, QC_EFS_OP_RMDIR, &other);
	assert_int_equal(qc_efs_unlink(e, "/x"), QC_E_PROTOCOL);
	assert_non_null(strstr(qc_last_error(s.ctx), "another command"));

	/* the right op on the wrong subsystem */
	script_pkt(&s, 0x13, QC_EFS_OP_UNLINK, &other);
	assert_int_equal(qc_efs_unlink(e, "/x"), QC_E_PROTOCOL);

	/* READ that returns more than asked, or more than it carries */
	struct qc_efs_pkt rd = {.nnum = 4, .num = {3, 0, 600, 0}, .data = (const uint8_t *)"abc", .dlen = 3};

	script_pkt(&s, 0x3e, QC_EFS_OP_READ, &rd);
	assert_int_equal(qc_efs_read(e, 3, 0, buf, sizeof(buf)), QC_E_PROTOCOL);
	rd.num[2] = 5;
	script_pkt(&s, 0x3e, QC_EFS_OP_READ, &rd);
	assert_int_equal(qc_efs_read(e, 3, 0, buf, sizeof(buf)), QC_E_PROTOCOL);
	rd.num[0] = 4;
	rd.num[2] = 3;
	script_pkt(&s, 0x3e, QC_EFS_OP_READ, &rd);
	assert_int_equal(qc_efs_read(e, 3, 0, buf, sizeof(buf)), QC_E_PROTOCOL); /* other handle */
	rd.num[0] = 3;
	script_pkt(&s, 0x3e, QC_EFS_OP_READ, &rd);
	assert_int_equal(qc_efs_read(e, 3, 0, buf, sizeof(buf)), 3);

	/* WRITE that claims no progress */
	struct qc_efs_pkt wr = {.nnum = 4, .num = {3, 0, 0, 0}};

	script_pkt(&s, 0x3e, QC_EFS_OP_WRITE, &wr);
	assert_int_equal(qc_efs_write(e, 3, 0, "abc", 3), QC_E_PROTOCOL);

	/* READDIR for another entry */
	struct qc_efs_pkt rdd = {.nnum = 9, .num = {1, 5}, .nstr = 1, .str = {"x"}, .slen = {1}};
	struct qc_efs_dirent de;

	script_pkt(&s, 0x3e, QC_EFS_OP_READDIR, &rdd);
	assert_int_equal(qc_efs_readdir(e, 1, 1, &de), QC_E_PROTOCOL);

	/* a device-layer errno is named with its hex value */
	struct qc_efs_pkt od = {.nnum = 2, .num = {0, QC_EFS_DIAG_TOO_MANY_OPEN_DIRS}};
	uint32_t dirp;

	script_pkt(&s, 0x3e, QC_EFS_OP_OPENDIR, &od);
	assert_int_equal(qc_efs_opendir(e, "/", &dirp), QC_E_DEVICE);
	assert_non_null(strstr(qc_last_error(s.ctx), "TOO_MANY_OPEN_DIRS (0x40000007)"));

	/* an unknown errno is still reported, by number */
	struct qc_efs_pkt unk = {.nnum = 1, .num = {4242}};

	script_pkt(&s, 0x3e, QC_EFS_OP_MKDIR, &unk);
	assert_int_equal(qc_efs_mkdir(e, "/q", 0755), QC_E_DEVICE);
	assert_non_null(strstr(qc_last_error(s.ctx), "EFS error 4242 for /q"));

	/* a device that says nothing */
	assert_int_equal(qc_efs_rmdir(e, "/q"), QC_E_TIMEOUT);
	qc_efs_free(e);
	script_stop(&s);
}

/* GET 39 unknown to an older modem: the client retries with GET 27. */
static void test_scripted_get_fallback(void **state)
{
	struct script s;
	qc_efs *e;
	uint8_t raw[64];
	char buf[64];
	size_t n;

	(void)state;
	script_start(&s);
	script_hello(&s, 0x13, 0x100000);
	assert_int_equal(qc_efs_new(s.d, 0, &e), 0);
	raw[0] = 0x13;
	memcpy(raw + 1, "\x4b\x13\x27\x00", 4);
	script_reply(&s, raw, 5);
	struct qc_efs_pkt old = {.nnum = 2, .num = {4, 0}, .data = (const uint8_t *)"\x0a\x0b\x0c\x0d", .dlen = 4};

	script_pkt(&s, 0x13, QC_EFS_OP_GET_OLD, &old);
	assert_int_equal(qc_efs_get_item(e, "/nv/item_files/x", buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "\x0a\x0b\x0c\x0d", 4);
	/* a GET whose sequence number is not ours */
	struct qc_efs_pkt g = {.nnum = 3, .num = {1, 0, 999}, .data = (const uint8_t *)"z", .dlen = 1};

	script_pkt(&s, 0x13, QC_EFS_OP_GET, &g);
	assert_int_equal(qc_efs_get_item(e, "/nv/item_files/x", buf, sizeof(buf), &n), QC_E_PROTOCOL);
	qc_efs_free(e);
	script_stop(&s);
}

/* A modem whose buffer is smaller than its window: bad length on WRITE
 * makes the client halve its chunk. */
static void test_scripted_write_shrinks(void **state)
{
	struct script s;
	qc_efs *e;
	uint8_t raw[16];
	static uint8_t data[4096];

	(void)state;
	script_start(&s);
	script_hello(&s, 0x13, 4096);
	assert_int_equal(qc_efs_new(s.d, 0, &e), 0);
	assert_int_equal(qc_efs_write_chunk(e), 4096);
	raw[0] = 0x15;
	memcpy(raw + 1, "\x4b\x13\x05\x00", 4);
	script_reply(&s, raw, 5);
	struct qc_efs_pkt wr = {.nnum = 4, .num = {2, 0, 2048, 0}};

	script_pkt(&s, 0x13, QC_EFS_OP_WRITE, &wr);
	assert_int_equal(qc_efs_write(e, 2, 0, data, sizeof(data)), 2048);
	assert_int_equal(qc_efs_write_chunk(e), 2048);
	qc_efs_free(e);
	script_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_subsys_fallback),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_tree_round_trip),
		cmocka_unit_test(test_hostile_device),
		cmocka_unit_test(test_endless_and_lies),
		cmocka_unit_test(test_endless_file),
		cmocka_unit_test(test_scripted_errors),
		cmocka_unit_test(test_scripted_get_fallback),
		cmocka_unit_test(test_scripted_write_shrinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
