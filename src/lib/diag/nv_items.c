/* SPDX-License-Identifier: BSD-3-Clause */
/* NV item names, compiled in from data/nv-items.tsv (see gen_nv_items.c). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "qcbox/nv.h"

#include "nv_items_table.h"

#define NITEMS (sizeof(nv_item_table) / sizeof(nv_item_table[0]))

const struct qc_nv_item_info *qc_nv_item_info(uint16_t item)
{
	size_t lo = 0, hi = NITEMS;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (nv_item_table[mid].item == item)
			return &nv_item_table[mid];
		if (nv_item_table[mid].item < item)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t qc_nv_item_count(void) { return NITEMS; }
const struct qc_nv_item_info *qc_nv_item_at(size_t i) { return i < NITEMS ? &nv_item_table[i] : NULL; }

/* NAME matches one of the comma-separated names in LIST. */
static bool in_list(const char *list, const char *name, size_t len)
{
	while (*list) {
		size_t n = strcspn(list, ",");

		if (n == len && !strncasecmp(list, name, len))
			return true;
		list += n;
		if (*list == ',')
			list++;
	}
	return false;
}

int qc_nv_item_lookup(const char *name)
{
	size_t len;

	if (!name || !*name)
		return QC_E_NOTFOUND;
	if (isdigit((unsigned char)name[0])) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(name, &end, 0);
		return errno || *end || v > 0xffff ? QC_E_NOTFOUND : (int)v;
	}
	/* Qualcomm's own spelling, NV_UE_IMEI_I, is accepted too. */
	len = strlen(name);
	if (len > 5 && !strncasecmp(name, "nv_", 3) && !strcasecmp(name + len - 2, "_i")) {
		name += 3;
		len -= 5;
	}
	for (size_t i = 0; i < NITEMS; i++) {
		const char *n = nv_item_table[i].name;

		if ((strlen(n) == len && !strncasecmp(n, name, len)) || in_list(nv_item_table[i].aliases, name, len))
			return nv_item_table[i].item;
	}
	return QC_E_NOTFOUND;
}
