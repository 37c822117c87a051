/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "diag_nv.h"

int qcsim_nv_index(uint16_t item, const uint8_t *data)
{
	const struct qc_nv_item_info *info = qc_nv_item_info(item);

	return info && info->nam ? data[0] : -1;
}

static int cmp(const struct qcsim_nv_item *a, uint16_t item, int index, unsigned sim)
{
	if (a->item != item)
		return a->item < item ? -1 : 1;
	if (a->index != index)
		return a->index < index ? -1 : 1;
	if (a->sim != sim)
		return a->sim < sim ? -1 : 1;
	return 0;
}

/* Index of the first entry not below the key. */
static size_t lower_bound(const struct qcsim_nv *nv, uint16_t item, int index, unsigned sim)
{
	size_t lo = 0, hi = nv->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp(&nv->v[mid], item, index, sim) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct qcsim_nv_item *qcsim_nv_find(struct qcsim_nv *nv, uint16_t item, int index, unsigned sim)
{
	size_t i = lower_bound(nv, item, index, sim);

	return i < nv->n && cmp(&nv->v[i], item, index, sim) == 0 ? &nv->v[i] : NULL;
}

int qcsim_nv_set(struct qcsim_nv *nv, uint16_t item, int index, unsigned sim, const uint8_t *data, size_t len,
		 uint16_t status)
{
	size_t i = lower_bound(nv, item, index, sim);
	struct qcsim_nv_item *e;

	if (i == nv->n || cmp(&nv->v[i], item, index, sim) != 0) {
		if (nv->n == nv->cap) {
			size_t cap = nv->cap ? 2 * nv->cap : 64;
			struct qcsim_nv_item *v = realloc(nv->v, cap * sizeof(*v));

			if (!v)
				return QC_E_NOMEM;
			nv->v = v;
			nv->cap = cap;
		}
		memmove(&nv->v[i + 1], &nv->v[i], (nv->n - i) * sizeof(*nv->v));
		nv->n++;
		nv->v[i] = (struct qcsim_nv_item){.item = item, .index = (int16_t)index, .sim = (uint16_t)sim};
	}
	e = &nv->v[i];
	memset(e->data, 0, sizeof(e->data));
	if (len > sizeof(e->data))
		len = sizeof(e->data);
	if (len)
		memcpy(e->data, data, len);
	e->status = status;
	return 0;
}

int qcsim_nv_load(struct qcsim_nv *nv, qc_ctx *ctx, const char *path)
{
	struct qc_nv_entry *e;
	size_t n;
	int rc = qc_nv_backup_load(ctx, path, &e, &n);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		/* An error reply in a backup has no NV status to replay. */
		if (e[i].status == QC_NV_DENIED)
			continue;
		const struct qc_nv_item_info *info = qc_nv_item_info(e[i].item);
		int index = -1;

		if (info && info->nam)
			index = e[i].index >= 0 ? e[i].index : e[i].len ? e[i].data[0] : 0;
		rc = qcsim_nv_set(nv, e[i].item, index, e[i].sim < 0 ? 0 : (unsigned)e[i].sim, e[i].data, e[i].len,
				  (uint16_t)e[i].status);
	}
	free(e);
	return rc < 0 ? qc_fail(ctx, rc, "out of memory loading %s", path) : 0;
}

void qcsim_nv_free(struct qcsim_nv *nv)
{
	free(nv->v);
	nv->v = NULL;
	nv->n = nv->cap = 0;
}
