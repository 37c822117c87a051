/* SPDX-License-Identifier: BSD-3-Clause */
/* Small helpers for the image unit tests: files, temporary directories and
 * the shared fixtures (tests that need them skip when they are absent). */
#ifndef QC_TEST_IMAGE_UTIL_H
#define QC_TEST_IMAGE_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define UNUSED_FN __attribute__((unused))

/* Whole file into a malloc'd buffer (NULL if absent). */
static UNUSED_FN uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

static UNUSED_FN void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* $QCBOX_SHARED/fixtures/SUB, or skip the test. */
static UNUSED_FN const char *fixture_dir(const char *sub, char *buf, size_t len)
{
	const char *shared = getenv("QCBOX_SHARED");
	struct stat st;

	if (!shared)
		shared = "../shared";
	snprintf(buf, len, "%s/fixtures/%s", shared, sub);
	if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fixtures %s absent: skipped\n", buf);
		skip();
	}
	return buf;
}

static UNUSED_FN char *tmpdir_new(void)
{
	char *t = strdup("/tmp/qcbox-image-test.XXXXXX");

	assert_non_null(t);
	assert_non_null(mkdtemp(t));
	return t;
}

static UNUSED_FN void tmpdir_free(char *t)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t);
	assert_int_equal(system(cmd), 0);
	free(t);
}

/* Value of attribute NAME="..." in the element text starting at P (up to
 * its '>'), copied into OUT; false when absent.  Deliberately naive: it is
 * an independent reading of ptool output, not a second XML parser. */
static UNUSED_FN bool attr_of(const char *p, const char *name, char *out, size_t len)
{
	const char *end = strchr(p, '>');
	char key[64];

	snprintf(key, sizeof(key), " %s=\"", name);
	const char *a = strstr(p, key);

	if (!a || (end && a > end))
		return false;
	a += strlen(key);
	const char *q = strchr(a, '"');

	if (!q || (size_t)(q - a) >= len)
		return false;
	memcpy(out, a, (size_t)(q - a));
	out[q - a] = 0;
	return true;
}

/* Next "<TAG " element at or after P, or NULL. */
static UNUSED_FN const char *next_elem(const char *p, const char *tag)
{
	char key[32];

	snprintf(key, sizeof(key), "<%s ", tag);
	return strstr(p, key);
}

#endif
