/* SPDX-License-Identifier: BSD-3-Clause */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static void die(const char *what)
{
	fprintf(stderr, "test harness: %s\n", what);
	abort();
}

static void *serve(void *arg)
{
	struct sim_run *r = arg;

	r->sim_rc = qcsim_listen_and_serve(r->sim, qcsim_opt(r->sim, "listen"));
	return NULL;
}

void sim_run_start(struct sim_run *r, const char *const *opts)
{
	char spec[160];

	memset(r, 0, sizeof(*r));
	snprintf(r->top, sizeof(r->top), "/tmp/qcbox-efs-test.XXXXXX");
	if (!mkdtemp(r->top))
		die("mkdtemp");
	snprintf(r->dir, sizeof(r->dir), "%s/efs", r->top);
	snprintf(r->sock, sizeof(r->sock), "%s/s.sock", r->top);
	if (mkdir(r->dir, 0755) < 0)
		die("mkdir");
	r->sim = qcsim_new();
	snprintf(spec, sizeof(spec), "unix:%s", r->sock);
	if (!r->sim || qcsim_set_option(r->sim, "mode", "diag") < 0 || qcsim_set_option(r->sim, "listen", spec) < 0 ||
	    qcsim_set_option(r->sim, "efs-dir", r->dir) < 0)
		die("simulator options");
	for (size_t i = 0; opts && opts[i]; i += 2)
		if (qcsim_set_option(r->sim, opts[i], opts[i + 1]) < 0)
			die(qc_last_error(qcsim_ctx(r->sim)));
	if (pthread_create(&r->thread, NULL, serve, r))
		die("pthread_create");
	r->ctx = qc_ctx_new();
	qc_set_log_level(r->ctx, QC_LOG_ERROR);
	qc_set_timeout(r->ctx, 5000);
	/* the socket file appears at bind(), a moment before listen() */
	for (int i = 0; qc_transport_open(r->ctx, spec, &r->t) < 0; i++) {
		if (i == 400)
			die("connect to the simulator");
		usleep(5000);
	}
	if (qc_diag_open(r->t, &r->d) < 0)
		die("DIAG session");
}

void sim_run_stop(struct sim_run *r)
{
	qc_diag_close(r->d);
	qc_transport_close(r->t);
	pthread_join(r->thread, NULL);
	qcsim_free(r->sim);
	qc_ctx_free(r->ctx);
	remove_tree(r->top);
}

void script_start(struct script *s)
{
	memset(s, 0, sizeof(*s));
	s->ctx = qc_ctx_new();
	qc_set_log_level(s->ctx, QC_LOG_ERROR);
	qc_set_timeout(s->ctx, 200);
	if (qc_transport_mem_pair(s->ctx, &s->host, &s->dev) < 0 || qc_diag_open(s->host, &s->d) < 0)
		die("mem pair");
}

void script_reply(struct script *s, const void *payload, size_t len)
{
	uint8_t *buf = malloc(2 * len + 8);
	ssize_t n = qc_hdlc_encode(payload, len, buf, 2 * len + 8, false);

	if (n < 0 || qc_transport_write(s->dev, buf, (size_t)n, 1000) < 0)
		die("queue reply");
	free(buf);
}

void script_pkt(struct script *s, uint8_t subsys, uint16_t op, struct qc_efs_pkt *p)
{
	uint8_t buf[70000];
	ssize_t n;

	p->subsys = subsys;
	p->op = op;
	n = qc_efs_encode(p, qc_efs_layout(op)->rsp, buf, sizeof(buf));
	if (n < 0)
		die("encode reply");
	script_reply(s, buf, (size_t)n);
}

void script_hello(struct script *s, uint8_t subsys, uint32_t win)
{
	struct qc_efs_pkt p = {.nnum = 10, .num = {win, win, win, win, win, win, 1, 1, 1, 0}};

	script_pkt(s, subsys, QC_EFS_OP_HELLO, &p);
}

void script_stop(struct script *s)
{
	qc_diag_close(s->d);
	qc_transport_close(s->host);
	qc_transport_close(s->dev);
	qc_ctx_free(s->ctx);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void remove_tree(const char *path) { nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
		die(path);
	close(fd);
}
