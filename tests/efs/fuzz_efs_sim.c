/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated modem's EFS with requests from the fuzzer (u16 length, then
 * the request), against a fresh directory each run.  Beside that directory
 * lies a file nothing may touch; after the run only the two may exist.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag_efs.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char top[64], dir[96];
static struct qcsim *sim;
static uint8_t rsp[70000];

static void cleanup(void)
{
	remove_tree(top);
	qcsim_free(sim);
}

static void setup(void)
{
	if (sim)
		return;
	snprintf(top, sizeof(top), "/tmp/qcbox-fuzz-efs-sim.XXXXXX");
	if (!mkdtemp(top))
		abort();
	atexit(cleanup);
	snprintf(dir, sizeof(dir), "%s/efs", top);
	write_file(top, "secret", "secret", 6);
	sim = qcsim_new();
	if (!sim || qcsim_set_option(sim, "mode", "diag") < 0 || qcsim_set_option(sim, "efs-dir", dir) < 0)
		abort();
}

static void check_confined(void)
{
	DIR *d = opendir(top);
	struct dirent *e;
	char buf[16] = "";
	char path[128];
	FILE *f;

	if (!d)
		abort();
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "efs") &&
		    strcmp(e->d_name, "secret"))
			abort();
	closedir(d);
	snprintf(path, sizeof(path), "%s/secret", top);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f) || strcmp(buf, "secret"))
		abort();
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qcsim_efs *efs;
	char link[160];

	setup();
	mkdir(dir, 0755);
	/* links a careless device would follow out of its directory */
	snprintf(link, sizeof(link), "%s/out", dir);
	symlink("../secret", link);
	snprintf(link, sizeof(link), "%s/abs", dir);
	symlink(top, link);
	if (qcsim_efs_init(sim, &efs) < 0)
		abort();
	for (size_t pos = 0; pos + 2 <= size;) {
		size_t len = (size_t)(data[pos] | data[pos + 1] << 8);
		ssize_t n;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		n = qcsim_efs_handle(efs, data + pos, len, rsp, sizeof(rsp), data[0] & 1);
		if (n > (ssize_t)sizeof(rsp) || (n < 0 && n != QC_E_TOOBIG))
			abort();
		pos += len;
	}
	qcsim_efs_free(efs);
	check_confined();
	remove_tree(dir);
	return 0;
}
