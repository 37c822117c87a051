/* SPDX-License-Identifier: BSD-3-Clause */
/* Runs a libFuzzer target over files and directories of seeds without
 * libFuzzer, so every seed is a regression test in the normal build (and
 * under the sanitizers).  Missing seed directories are skipped. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Large seeds (firmware images) are cut: the targets care about headers,
 * and a bounded input keeps the suite fast. */
#define SEED_MAX_BYTES (4u << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	buf = malloc(SEED_MAX_BYTES);
	if (!buf) {
		fclose(f);
		return 1;
	}
	n = fread(buf, 1, SEED_MAX_BYTES, f);
	fclose(f);
	/* An exact-size copy lets ASan see reads past the end. */
	uint8_t *exact = malloc(n ? n : 1);

	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	DIR *d = opendir(path);
	struct dirent *e;
	int rc = 0;

	if (!d)
		return 1;
	while ((e = readdir(d))) {
		char sub[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rc |= run_path(sub, count);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int rc = 0;

	for (int i = 1; i < argc; i++)
		rc |= run_path(argv[i], &count);
	/* The empty input and a few tiny ones are always worth a run. */
	static const uint8_t tiny[] = {0x7e, 0x7d, 0x00, 0xff, 0x01};

	for (size_t i = 0; i <= sizeof(tiny); i++)
		LLVMFuzzerTestOneInput(tiny, i);
	printf("%u seed files\n", count);
	return rc;
}
