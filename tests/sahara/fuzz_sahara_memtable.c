/* SPDX-License-Identifier: BSD-3-Clause */
/* Memory-debug region tables from a device: whatever the bytes, every
 * sanitized name is a plain, non-empty file name without "..", path
 * separators, control characters or a leading dot, and names are unique. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "qcbox/sahara.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s, bool in_table)
{
	if (!s[0] || s[0] == '.' || strstr(s, "..") || strchr(s, '/') || (in_table && !strcmp(s, "index.json")))
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '\\')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qc_sahara_region r[QC_SAHARA_MAX_TABLE_LEN / QC_SAHARA_REGION32_LEN + 1];
	char out[64];

	for (int is64 = 0; is64 < 2; is64++) {
		int n = qc_sahara_parse_memtable(NULL, data, size, is64, r, sizeof(r) / sizeof(r[0]));

		for (int i = 0; i < n; i++) {
			check_name(r[i].safe_name, true);
			for (int j = 0; j < i; j++)
				if (!strcmp(r[i].safe_name, r[j].safe_name))
					abort();
		}
	}
	qc_sahara_sanitize_name((const char *)data, size, "x", out, sizeof(out));
	check_name(out, false);
	return 0;
}
