/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the simulated modem's EFS2, shared by diag_efs*.c. */
#ifndef QCSIM_DIAG_EFS_IMPL_H
#define QCSIM_DIAG_EFS_IMPL_H

#include <dirent.h>
#include <sys/stat.h>

#include "diag_efs.h"
#include "efs/efs_wire.h"
#include "qcbox/diag.h"
#include "qcbox/efs.h"

#define SIM_FILES 32
#define SIM_DIRS 8
#define SIM_DEPTH 64
#define SIM_LINKS 8
#define SIM_PATH_MAX 1024
#define SIM_IO_MAX 16384
#define SIM_WINDOW 0x100000u
#define SIM_LIE (1u << 20)
#define ITEM_DIR "/nv/item_files/"

struct sim_file {
	bool used;
	int fd;
	char path[SIM_PATH_MAX]; /* canonical EFS path */
};

struct sim_dir {
	bool used;
	DIR *d;
	int32_t seq;
	char path[SIM_PATH_MAX];
	bool hostile, endless;
	size_t extra; /* fault entries sent so far */
};

struct qcsim_efs {
	struct qcsim *sim;
	int root;
	char *tmpdir;
	bool on13, on3e;
	uint32_t own[6], neg[6];
	struct sim_file files[SIM_FILES];
	struct sim_dir dirs[SIM_DIRS];
	uint8_t scratch[SIM_IO_MAX + SIM_PATH_MAX];
};

/* The result of resolving an EFS path: the directory holding the last
 * component and its name ("." for the directory itself). */
struct where {
	int dirfd;
	char name[256];
	char canon[SIM_PATH_MAX];
};

struct call {
	struct qcsim_efs *efs;
	const struct qc_efs_pkt *q; /* request */
	struct qc_efs_pkt r;        /* reply */
	uint8_t *data;              /* reply data room */
	size_t room;
	bool writes_allowed;
	int whole; /* whole-packet error reply code, 0 if none */
};

/* Host errno to EFS errno. */
int32_t qcsim_efs_errno_of(int e);
/* Resolves string I of P (FOLLOW: follow a symlink in last position too);
 * returns 0 with *W filled (release it with qcsim_efs_done) or an EFS errno. */
int32_t qcsim_efs_resolve(struct qcsim_efs *efs, const struct qc_efs_pkt *p, int i, bool follow, struct where *w);
void qcsim_efs_done(struct where *w);
/* st_mode as the modem reports it for the file at CANON. */
uint32_t qcsim_efs_mode(const struct stat *sb, const char *canon);

void qcsim_efs_set_num(struct call *c, size_t n, ...);
void qcsim_efs_errno_reply(struct call *c, int32_t err);

void qcsim_efs_opendir(struct call *c);
void qcsim_efs_readdir(struct call *c);
void qcsim_efs_closedir(struct call *c);

#endif
