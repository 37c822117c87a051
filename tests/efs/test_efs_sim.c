/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated modem's EFS, request by request: it answers as fs_diag does
 * and never reaches outside its directory, whatever paths and symlinks it
 * is given. */
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

#include "diag_efs.h"
#include "harness.h"

struct fixture {
	char top[64], dir[96];
	struct qcsim *sim;
	struct qcsim_efs *efs;
	uint8_t rsp[70000];
	struct qc_efs_pkt r;
	ssize_t rlen;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->top, sizeof(f->top), "/tmp/qcbox-efs-sim.XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/efs", f->top);
	mkdir(f->dir, 0755);
	/* a file outside the EFS directory that nothing may reach */
	write_file(f->top, "secret", "top secret", 10);
	f->sim = qcsim_new();
	if (qcsim_set_option(f->sim, "mode", "diag") < 0 || qcsim_set_option(f->sim, "efs-dir", f->dir) < 0 ||
	    qcsim_efs_init(f->sim, &f->efs) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	qcsim_efs_free(f->efs);
	qcsim_free(f->sim);
	remove_tree(f->top);
	free(f);
	return 0;
}

/* Sends OP with fields of Q; decodes the reply into f->r; returns the
 * reply's first byte (0x4b, or an error reply code). */
static int req(struct fixture *f, uint16_t op, struct qc_efs_pkt q, bool writes)
{
	uint8_t buf[20000];
	ssize_t n;
	const char *why;

	q.subsys = 0x13;
	q.op = op;
	n = qc_efs_encode(&q, qc_efs_layout(op)->req, buf, sizeof(buf));
	assert_true(n > 0);
	f->rlen = qcsim_efs_handle(f->efs, buf, (size_t)n, f->rsp, sizeof(f->rsp), writes);
	assert_true(f->rlen > 0);
	if (f->rsp[0] == 0x4b)
		assert_int_equal(qc_efs_decode(f->rsp, (size_t)f->rlen, qc_efs_layout(op)->rsp, -1, false, &f->r, &why),
				 0);
	return f->rsp[0];
}

#define PATH1(p) ((struct qc_efs_pkt){.nstr = 1, .str = {p}, .slen = {sizeof(p) - 1}})

static int32_t stat_errno(struct fixture *f, const char *path)
{
	struct qc_efs_pkt q = {.nstr = 1, .str = {path}, .slen = {strlen(path)}};

	assert_int_equal(req(f, QC_EFS_OP_STAT, q, true), 0x4b);
	return (int32_t)f->r.num[0];
}

static int32_t open_errno(struct fixture *f, const char *path, uint32_t flags)
{
	struct qc_efs_pkt q = {.nnum = 2, .num = {flags, 0644}, .nstr = 1, .str = {path}, .slen = {strlen(path)}};

	assert_int_equal(req(f, QC_EFS_OP_OPEN, q, true), 0x4b);
	if (f->r.num[1] == 0) {
		struct qc_efs_pkt c = {.nnum = 1, .num = {f->r.num[0]}};

		req(f, QC_EFS_OP_CLOSE, c, true);
		return 0;
	}
	assert_int_equal((int32_t)f->r.num[0], -1);
	return (int32_t)f->r.num[1];
}

static void test_escapes_refused(void **state)
{
	struct fixture *f = *state;
	char link[256];

	/* ".." above the root */
	assert_int_equal(stat_errno(f, "/.."), QC_EFS_EACCES);
	assert_int_equal(stat_errno(f, "/../secret"), QC_EFS_EACCES);
	assert_int_equal(stat_errno(f, "a/../../secret"), QC_EFS_ENOENT); /* "a" does not exist */
	assert_int_equal(mkdir(strcat(strcpy(link, f->dir), "/a"), 0755), 0);
	assert_int_equal(stat_errno(f, "/a/../../secret"), QC_EFS_EACCES);
	assert_int_equal(stat_errno(f, "/a/.."), 0);
	assert_int_equal(open_errno(f, "/../secret", QC_EFS_O_RDONLY), QC_EFS_EACCES);
	assert_int_equal(open_errno(f, "/../escape", QC_EFS_O_WRONLY | QC_EFS_O_CREAT), QC_EFS_EACCES);

	/* a host symlink to an absolute host path is an EFS path: /etc inside */
	snprintf(link, sizeof(link), "%s/evil", f->dir);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(stat_errno(f, "/evil/passwd"), QC_EFS_ENOENT);
	/* relative links that climb out are refused when followed */
	snprintf(link, sizeof(link), "%s/up", f->dir);
	assert_int_equal(symlink("../../../..", link), 0);
	assert_int_equal(stat_errno(f, "/up/etc/passwd"), QC_EFS_EACCES);
	snprintf(link, sizeof(link), "%s/sec", f->dir);
	assert_int_equal(symlink("../secret", link), 0);
	assert_int_equal(open_errno(f, "/sec", QC_EFS_O_RDONLY), QC_EFS_EACCES);
	assert_int_equal(open_errno(f, "/sec", QC_EFS_O_WRONLY | QC_EFS_O_TRUNC), QC_EFS_EACCES);
	/* a client-made link to "/../../secret" is harmless for the same reason */
	struct qc_efs_pkt sl = {.nstr = 2, .str = {"/../../secret", "/mine"}, .slen = {13, 5}};

	assert_int_equal(req(f, QC_EFS_OP_SYMLINK, sl, true), 0x4b);
	assert_int_equal(f->r.num[0], 0);
	assert_int_equal(open_errno(f, "/mine", QC_EFS_O_RDONLY), QC_EFS_EACCES);
	/* LSTAT does not follow: the link itself */
	assert_int_equal(req(f, QC_EFS_OP_LSTAT, PATH1("/mine"), true), 0x4b);
	assert_int_equal(f->r.num[1] & QC_EFS_S_IFMT, QC_EFS_S_IFLNK);
	/* loops end */
	snprintf(link, sizeof(link), "%s/loop", f->dir);
	assert_int_equal(symlink("/loop", link), 0);
	assert_int_equal(stat_errno(f, "/loop"), QC_EFS_ELOOP);
	/* RENAME cannot move the link's target out either */
	struct qc_efs_pkt rn = {.nstr = 2, .str = {"/mine", "/../moved"}, .slen = {5, 9}};

	assert_int_equal(req(f, QC_EFS_OP_RENAME, rn, true), 0x4b);
	assert_int_equal(f->r.num[0], QC_EFS_EACCES);

	char secret[16] = "";
	FILE *s;

	snprintf(link, sizeof(link), "%s/secret", f->top);
	s = fopen(link, "r");
	assert_non_null(s);
	assert_non_null(fgets(secret, sizeof(secret), s));
	fclose(s);
	assert_string_equal(secret, "top secret");
	snprintf(link, sizeof(link), "%s/escape", f->top);
	assert_int_equal(access(link, F_OK), -1);
	snprintf(link, sizeof(link), "%s/moved", f->top);
	assert_int_equal(access(link, F_OK), -1);
}

/* Writes fail as on a locked phone (0x47 + request); reads still work. */
static void test_locked(void **state)
{
	struct fixture *f = *state;
	struct qc_efs_pkt mk = {.nnum = 1, .num = {0755}, .nstr = 1, .str = {"/d"}, .slen = {2}};
	struct qc_efs_pkt op = {.nnum = 2, .num = {QC_EFS_O_WRONLY | QC_EFS_O_CREAT, 0644}, .nstr = 1, .str = {"/f"},
				.slen = {2}};

	assert_int_equal(req(f, QC_EFS_OP_MKDIR, mk, false), 0x47);
	assert_int_equal(f->rlen, 1 + 4 + 2 + 3);
	assert_memory_equal(f->rsp + 1, "\x4b\x13\x09\x00", 4);
	assert_int_equal(req(f, QC_EFS_OP_OPEN, op, false), 0x47);
	assert_int_equal(req(f, QC_EFS_OP_UNLINK, PATH1("/x"), false), 0x47);
	assert_int_equal(req(f, QC_EFS_OP_STAT, PATH1("/"), false), 0x4b);
	assert_int_equal(req(f, QC_EFS_OP_MKDIR, mk, true), 0x4b);
	assert_int_equal(f->r.num[0], 0);
}

static void test_bad_requests(void **state)
{
	struct fixture *f = *state;
	uint8_t rsp[256];
	static const uint8_t short_hdr[] = {0x4b, 0x13, 0x0f};
	static const uint8_t unknown_op[] = {0x4b, 0x13, 0x63, 0x00};
	static const uint8_t no_nul[] = {0x4b, 0x13, 0x0f, 0x00, '/', 'x'};
	static const uint8_t alt[] = {0x4b, 0x3e, 0x01, 0x00};
	static const uint8_t other[] = {0x4b, 0x30, 0x01, 0x00};

	assert_int_equal(qcsim_efs_handle(f->efs, short_hdr, sizeof(short_hdr), rsp, sizeof(rsp), true), 4);
	assert_int_equal(rsp[0], 0x13);
	assert_int_equal(qcsim_efs_handle(f->efs, unknown_op, sizeof(unknown_op), rsp, sizeof(rsp), true), 5);
	assert_int_equal(rsp[0], 0x13);
	assert_int_equal(qcsim_efs_handle(f->efs, no_nul, sizeof(no_nul), rsp, sizeof(rsp), true), 7);
	assert_int_equal(rsp[0], 0x15);
	assert_int_equal(qcsim_efs_handle(f->efs, alt, sizeof(alt), rsp, sizeof(rsp), true), 4 + 24);
	assert_int_equal(rsp[0], 0x4b);
	assert_int_equal(rsp[1], 0x3e);
	assert_int_equal(qcsim_efs_handle(f->efs, other, sizeof(other), rsp, sizeof(rsp), true), 5);
	assert_int_equal(rsp[0], 0x13);
	/* a reply buffer too small for anything */
	assert_true(qcsim_efs_handle(f->efs, alt, sizeof(alt), rsp, 8, true) < 0);
}

static void test_directories(void **state)
{
	struct fixture *f = *state;
	struct qc_efs_pkt rd = {.nnum = 2};
	uint32_t dirp;
	int names = 0;

	write_file(f->dir, "a", "1", 1);
	write_file(f->dir, "b", "22", 2);
	assert_int_equal(req(f, QC_EFS_OP_OPENDIR, PATH1("/"), true), 0x4b);
	assert_int_equal(f->r.num[1], 0);
	dirp = f->r.num[0];
	assert_true(dirp >= 1);
	for (int32_t seq = 1;; seq++) {
		rd.num[0] = dirp;
		rd.num[1] = (uint32_t)seq;
		assert_int_equal(req(f, QC_EFS_OP_READDIR, rd, true), 0x4b);
		assert_int_equal(f->r.num[2], 0);
		if (f->r.slen[0] == 0)
			break;
		assert_int_equal(f->r.num[3], QC_EFS_TYPE_FILE);
		assert_int_equal(f->r.num[5], f->r.str[0][0] == 'a' ? 1 : 2);
		names++;
	}
	assert_int_equal(names, 2);
	/* entries come in order only */
	rd.num[1] = 1;
	assert_int_equal(req(f, QC_EFS_OP_READDIR, rd, true), 0x4b);
	assert_int_equal(f->r.num[2], QC_EFS_DIAG_INVALID_SEQ_NO);
	/* HELLO closes it */
	struct qc_efs_pkt h = {.nnum = 10, .num = {4096, 4096, 4096, 4096, 4096, 4096, 1, 1, 1, 0xffffffff}};

	assert_int_equal(req(f, QC_EFS_OP_HELLO, h, true), 0x4b);
	assert_int_equal(f->r.num[1], 4096);
	assert_int_equal(f->r.num[9], 0);
	rd.num[1] = 3;
	assert_int_equal(req(f, QC_EFS_OP_READDIR, rd, true), 0x4b);
	assert_int_equal(f->r.num[2], QC_EFS_DIAG_DIR_NOT_OPEN);
	/* a bounded number of open directories */
	for (int i = 0; i < 8; i++) {
		assert_int_equal(req(f, QC_EFS_OP_OPENDIR, PATH1("/"), true), 0x4b);
		assert_int_equal(f->r.num[1], 0);
	}
	assert_int_equal(req(f, QC_EFS_OP_OPENDIR, PATH1("/"), true), 0x4b);
	assert_int_equal(f->r.num[1], QC_EFS_DIAG_TOO_MANY_OPEN_DIRS);
	/* a file is not a directory */
	req(f, QC_EFS_OP_HELLO, h, true);
	assert_int_equal(req(f, QC_EFS_OP_OPENDIR, PATH1("/a"), true), 0x4b);
	assert_int_equal(f->r.num[1], QC_EFS_ENOTDIR);
	/* WRITE beyond the negotiated 4096-byte window: bad length */
	struct qc_efs_pkt op = {.nnum = 2, .num = {QC_EFS_O_WRONLY, 0}, .nstr = 1, .str = {"/a"}, .slen = {2}};
	static uint8_t big[5000];

	req(f, QC_EFS_OP_OPEN, op, true);
	struct qc_efs_pkt wr = {.nnum = 2, .num = {f->r.num[0], 0}, .data = big, .dlen = sizeof(big)};

	assert_int_equal(req(f, QC_EFS_OP_WRITE, wr, true), 0x15);
	wr.dlen = 4096;
	assert_int_equal(req(f, QC_EFS_OP_WRITE, wr, true), 0x4b);
	assert_int_equal(f->r.num[2], 4096);
	/* READ is clamped to the window */
	struct qc_efs_pkt rq = {.nnum = 3, .num = {wr.num[0], 8000, 0}};

	assert_int_equal(req(f, QC_EFS_OP_READ, rq, true), 0x4b);
	assert_int_equal(f->r.num[3], QC_EFS_EBADF); /* opened write-only */
}

static int count_private_dirs(void)
{
	FILE *p = popen("ls -d \"$TMPDIR\"/qcbox-sim-efs.* 2>/dev/null | wc -l", "r");
	int n = -1;

	if (p && fscanf(p, "%d", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

/* Without --efs-dir: a private directory, made on first use, gone at the end. */
static void test_private_dir(void **state)
{
	struct qcsim *sim = qcsim_new();
	struct qcsim_efs *efs;
	uint8_t rsp[256];
	static const uint8_t mk[] = {0x4b, 0x13, 0x09, 0x00, 0xed, 0x01, '/', 'd', 0};
	char tmp[] = "/tmp/qcbox-efs-tmpdir.XXXXXX";
	int before;

	(void)state;
	/* a TMPDIR of its own, so other simulators cannot disturb the count */
	assert_non_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1);
	before = count_private_dirs();
	assert_int_equal(before, 0);
	assert_int_equal(qcsim_set_option(sim, "mode", "diag"), 0);
	assert_int_equal(qcsim_efs_init(sim, &efs), 0);
	assert_int_equal(count_private_dirs(), before);
	assert_int_equal(qcsim_efs_handle(efs, mk, sizeof(mk), rsp, sizeof(rsp), true), 8);
	assert_memory_equal(rsp, "\x4b\x13\x09\x00\x00\x00\x00\x00", 8);
	assert_int_equal(count_private_dirs(), before + 1);
	qcsim_efs_free(efs);
	qcsim_free(sim);
	assert_int_equal(count_private_dirs(), before);
	unsetenv("TMPDIR");
	assert_int_equal(rmdir(tmp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escapes_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directories, setup, teardown),
		cmocka_unit_test(test_private_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
