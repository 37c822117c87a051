/* SPDX-License-Identifier: BSD-3-Clause */
/* Directory listings of the simulated modem's EFS, and the hostile ones the
 * efs-hostile-names and efs-endless-dir faults produce. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "diag_efs_impl.h"

void qcsim_efs_opendir(struct call *c)
{
	struct where w;
	int32_t err = qcsim_efs_resolve(c->efs, c->q, 0, true, &w);
	int slot = -1, fd;

	for (int i = 0; i < SIM_DIRS; i++)
		if (!c->efs->dirs[i].used) {
			slot = i;
			break;
		}
	if (!err && slot < 0)
		err = QC_EFS_DIAG_TOO_MANY_OPEN_DIRS;
	if (!err) {
		fd = openat(w.dirfd, w.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

		if (!d) {
			err = qcsim_efs_errno_of(errno);
			if (fd >= 0)
				close(fd);
		} else {
			struct sim_dir *sd = &c->efs->dirs[slot];

			memset(sd, 0, sizeof(*sd));
			sd->used = true;
			sd->d = d;
			snprintf(sd->path, sizeof(sd->path), "%s", w.canon);
			sd->hostile = qcsim_fault(c->efs->sim, "efs-hostile-names");
			sd->endless = qcsim_fault(c->efs->sim, "efs-endless-dir");
		}
	}
	qcsim_efs_done(&w);
	/* handles start at 1: some clients take 0 for "no directory" */
	qcsim_efs_set_num(c, 2, err ? 0u : (uint32_t)slot + 1, (uint32_t)err);
}

static const struct {
	const char *name;
	size_t len;
	int32_t type;
} hostile_names[] = {
	{"../../etc/passwd", 16, QC_EFS_TYPE_FILE}, {"a/../../b", 9, QC_EFS_TYPE_FILE},
	{"..", 2, QC_EFS_TYPE_DIR},                 {".", 1, QC_EFS_TYPE_DIR},
	{"/abs", 4, QC_EFS_TYPE_FILE},              {"esc\x1b[31mred", 11, QC_EFS_TYPE_FILE},
	{"nul\0hidden", 10, QC_EFS_TYPE_FILE},      {"tab\tname", 8, QC_EFS_TYPE_DIR},
};

void qcsim_efs_readdir(struct call *c)
{
	uint32_t dirp = c->q->num[0];
	int32_t seq = (int32_t)c->q->num[1];
	struct sim_dir *sd = dirp >= 1 && dirp <= SIM_DIRS && c->efs->dirs[dirp - 1].used ? &c->efs->dirs[dirp - 1]
											 : NULL;
	struct dirent *de;
	struct stat sb;
	char canon[SIM_PATH_MAX + 256];
	char *name = (char *)c->data;

	c->r.nstr = 1;
	c->r.str[0] = name;
	c->r.slen[0] = 0;
	if (!sd || seq != sd->seq + 1) {
		qcsim_efs_set_num(c, 9, dirp, (uint32_t)seq,
			(uint32_t)(sd ? QC_EFS_DIAG_INVALID_SEQ_NO : QC_EFS_DIAG_DIR_NOT_OPEN), 0u, 0u, 0u, 0u, 0u,
			0u);
		return;
	}
	sd->seq = seq;
	while ((de = readdir(sd->d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(sd->d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		uint32_t type = S_ISDIR(sb.st_mode)	? QC_EFS_TYPE_DIR
				: S_ISLNK(sb.st_mode) ? QC_EFS_TYPE_SYMLINK
				: S_ISREG(sb.st_mode) ? QC_EFS_TYPE_FILE
						      : QC_EFS_TYPE_OTHER;
		uint32_t size = (uint32_t)(sb.st_size > INT32_MAX ? INT32_MAX : sb.st_size);

		snprintf(canon, sizeof(canon), "%s/%s", strcmp(sd->path, "/") ? sd->path : "", de->d_name);
		if (S_ISREG(sb.st_mode) && qcsim_fault(c->efs->sim, "efs-lying-size"))
			size += SIM_LIE;
		c->r.slen[0] = strlen(de->d_name) < c->room ? strlen(de->d_name) : 0;
		memcpy(name, de->d_name, c->r.slen[0]);
		qcsim_efs_set_num(c, 9, dirp, (uint32_t)seq, 0u, type, qcsim_efs_mode(&sb, canon), size, (uint32_t)sb.st_atime,
			(uint32_t)sb.st_mtime, (uint32_t)sb.st_ctime);
		return;
	}
	if (sd->hostile && sd->extra < sizeof(hostile_names) / sizeof(hostile_names[0])) {
		size_t k = sd->extra++;

		memcpy(name, hostile_names[k].name, hostile_names[k].len);
		c->r.slen[0] = hostile_names[k].len;
		qcsim_efs_set_num(c, 9, dirp, (uint32_t)seq, 0u, (uint32_t)hostile_names[k].type,
			hostile_names[k].type == QC_EFS_TYPE_DIR ? 040755u : 0100644u, 4u, 0u, 0u, 0u);
		return;
	}
	if (sd->endless) {
		c->r.slen[0] = (size_t)snprintf(name, 32, "endless-%08zu", sd->extra++);
		qcsim_efs_set_num(c, 9, dirp, (uint32_t)seq, 0u, (uint32_t)QC_EFS_TYPE_FILE, 0100644u, 0u, 0u, 0u, 0u);
		return;
	}
	/* the empty name ends the listing */
	qcsim_efs_set_num(c, 9, dirp, (uint32_t)seq, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
}

void qcsim_efs_closedir(struct call *c)
{
	uint32_t dirp = c->q->num[0];

	if (dirp < 1 || dirp > SIM_DIRS || !c->efs->dirs[dirp - 1].used) {
		qcsim_efs_errno_reply(c, QC_EFS_DIAG_DIR_NOT_OPEN);
		return;
	}
	closedir(c->efs->dirs[dirp - 1].d);
	c->efs->dirs[dirp - 1].used = false;
	qcsim_efs_errno_reply(c, 0);
}
