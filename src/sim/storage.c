/* SPDX-License-Identifier: BSD-3-Clause */
/* LUN image files backing the simulated UFS/eMMC/NAND storage. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim_impl.h"

#define QCSIM_MAX_LUNS 8

static unsigned default_sector(const char *type)
{
	if (!strcmp(type, "ufs") || !strcmp(type, "nand"))
		return 4096;
	return 512;
}

static int remove_tree(const char *dir, unsigned luns)
{
	char path[4200];

	for (unsigned i = 0; i < luns; i++) {
		snprintf(path, sizeof(path), "%s/lun%u.img", dir, i);
		unlink(path);
	}
	return rmdir(dir);
}

int qcsim_storage(struct qcsim *sim, struct qcsim_storage **out)
{
	struct qcsim_storage *s;
	const char *type = qcsim_opt(sim, "storage");
	const char *dir = qcsim_opt(sim, "disk-dir");
	uint64_t luns, size, sector;
	int rc;

	if (sim->storage) {
		*out = sim->storage;
		return 0;
	}
	if (!type)
		type = "ufs";
	if (strcmp(type, "ufs") && strcmp(type, "emmc") && strcmp(type, "nand") && strcmp(type, "spinor") &&
	    strcmp(type, "nvme"))
		return qc_fail(sim->ctx, QC_E_INVAL, "--storage %s: expected ufs, emmc, nand, spinor or nvme", type);
	if ((rc = qcsim_opt_u64(sim, "luns", strcmp(type, "ufs") ? 1 : 6, &luns)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "lun-size", 256u << 20, &size)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "sector-size", default_sector(type), &sector)) < 0)
		return rc;
	if (luns < 1 || luns > QCSIM_MAX_LUNS)
		return qc_fail(sim->ctx, QC_E_INVAL, "--luns must be 1 to %d", QCSIM_MAX_LUNS);
	if (sector < 512 || sector > 65536 || (sector & (sector - 1)))
		return qc_fail(sim->ctx, QC_E_INVAL, "--sector-size must be a power of two from 512 to 65536");
	if (size < sector || size % sector)
		return qc_fail(sim->ctx, QC_E_INVAL, "--lun-size must be a multiple of the %llu-byte sector",
			       (unsigned long long)sector);
	s = calloc(1, sizeof(*s));
	if (!s)
		return qc_fail(sim->ctx, QC_E_NOMEM, "out of memory");
	snprintf(s->type, sizeof(s->type), "%s", type);
	s->sector_size = (unsigned)sector;
	s->luns = (unsigned)luns;
	s->lun_bytes = size;
	for (unsigned i = 0; i < QCSIM_MAX_LUNS; i++)
		s->fd[i] = s->dfd[i] = -1;
	if (dir) {
		snprintf(s->dir, sizeof(s->dir), "%s", dir);
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			free(s);
			return qc_fail(sim->ctx, QC_E_IO, "cannot create --disk-dir %s: %s", dir, strerror(errno));
		}
	} else {
		snprintf(sim->tmp_disk_dir, sizeof(sim->tmp_disk_dir), "/tmp/qcbox-sim.XXXXXX");
		if (!mkdtemp(sim->tmp_disk_dir)) {
			free(s);
			return qc_fail(sim->ctx, QC_E_IO, "cannot create a temporary disk directory");
		}
		snprintf(s->dir, sizeof(s->dir), "%s", sim->tmp_disk_dir);
	}
	sim->storage = s;
	for (unsigned i = 0; i < s->luns; i++) {
		char path[4200];
		struct stat st;

		snprintf(path, sizeof(path), "%s/lun%u.img", s->dir, i);
		s->fd[i] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (s->fd[i] < 0 || fstat(s->fd[i], &st) < 0)
			return qc_fail(sim->ctx, QC_E_IO, "cannot open %s: %s", path, strerror(errno));
		/* Sparse: only what is written takes disk space. */
		if ((uint64_t)st.st_size < size && ftruncate(s->fd[i], (off_t)size) < 0)
			return qc_fail(sim->ctx, QC_E_IO, "cannot size %s: %s", path, strerror(errno));
		s->dfd[i] = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	}
	*out = s;
	return 0;
}

void qcsim_storage_free(struct qcsim *sim)
{
	struct qcsim_storage *s = sim->storage;

	if (!s)
		return;
	for (unsigned i = 0; i < QCSIM_MAX_LUNS; i++)
	{
		if (s->fd[i] >= 0)
			close(s->fd[i]);
		if (s->dfd[i] >= 0)
			close(s->dfd[i]);
	}
	if (sim->tmp_disk_dir[0])
		remove_tree(sim->tmp_disk_dir, s->luns);
	free(s);
	sim->storage = NULL;
}
