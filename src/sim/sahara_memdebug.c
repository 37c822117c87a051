/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated boot ROM's memory-debug mode: a region table built from
 * --ramdump-region NAME:ADDR:SIZE[:FILE] options, served by MEMORY_READ and
 * MEMORY_READ_64.  Regions are backed by a file (zeros past its end) or by
 * a pattern computed from the address, so a region may claim any size,
 * absurd ones included, without memory behind it.  Names go into the table
 * exactly as given: hostile names are the point of some tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "sahara_dev.h"

/* Where the table itself lives in the simulated address space. */
#define TABLE_ADDR 0x146bf000ull
/* The largest single MEMORY_READ the device serves. */
#define MAX_READ (1u << 20)

/* Byte at ADDR of a region without a file (tests recompute it). */
static uint8_t pattern(uint64_t addr) { return (uint8_t)((addr * 0x9e3779b97f4a7c15ull) >> 56); }

static int parse_region(struct qcsim *sim, const char *spec, struct sahara_region *r)
{
	const char *c1 = strchr(spec, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *c3;
	char num[64];
	char *end;

	if (!c1 || !c2)
		goto bad;
	c3 = strchr(c2 + 1, ':');
	memset(r->name, 0, sizeof(r->name));
	memcpy(r->name, spec, (size_t)(c1 - spec) < QC_SAHARA_REGION_NAME_LEN ? (size_t)(c1 - spec)
									      : QC_SAHARA_REGION_NAME_LEN);
	if ((size_t)(c2 - c1 - 1) >= sizeof(num))
		goto bad;
	memcpy(num, c1 + 1, (size_t)(c2 - c1 - 1));
	num[c2 - c1 - 1] = '\0';
	errno = 0;
	r->addr = strtoull(num, &end, 0);
	if (!num[0] || *end || errno)
		goto bad;
	size_t sl = c3 ? (size_t)(c3 - c2 - 1) : strlen(c2 + 1);

	if (sl >= sizeof(num))
		goto bad;
	memcpy(num, c2 + 1, sl);
	num[sl] = '\0';
	r->size = strtoull(num, &end, 0);
	if (!num[0] || *end || errno)
		goto bad;
	r->fd = -1;
	r->file = NULL;
	if (c3 && c3[1]) {
		r->file = strdup(c3 + 1);
		if (!r->file)
			return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
		r->fd = open(r->file, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--ramdump-region %s: cannot open %s: %s", spec, r->file,
				       strerror(errno));
	}
	return 0;
bad:
	return qc_fail(qcsim_ctx(sim), QC_E_INVAL, "--ramdump-region '%s' is not NAME:ADDR:SIZE[:FILE]", spec);
}

int sahara_memdebug_init(struct qcsim *sim, struct sahara_dev *d)
{
	size_t n = 0, esz = d->read64 ? QC_SAHARA_REGION64_LEN : QC_SAHARA_REGION32_LEN;

	while (qcsim_opt_n(sim, "ramdump-region", n))
		n++;
	d->table_addr = TABLE_ADDR;
	if (!n)
		return 0;
	d->regions = calloc(n, sizeof(*d->regions));
	d->table = calloc(n, esz);
	if (!d->regions || !d->table)
		return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		d->regions[i].fd = -1;
	for (size_t i = 0; i < n; i++) {
		struct sahara_region *r = &d->regions[i];
		uint8_t *e = d->table + i * esz, *names;
		int rc = parse_region(sim, qcsim_opt_n(sim, "ramdump-region", i), r);

		d->nregions = i + 1;
		if (rc < 0)
			return rc;
		if (!d->read64 && (r->addr > UINT32_MAX || r->size > UINT32_MAX))
			return qc_fail(qcsim_ctx(sim), QC_E_INVAL,
				       "--ramdump-region %s: a 32-bit table cannot hold it; add --read64", r->name);
		if (d->read64) {
			qc_put_le64(e, 1);
			qc_put_le64(e + 8, r->addr);
			qc_put_le64(e + 16, r->size);
			names = e + 24;
		} else {
			qc_put_le32(e, 1);
			qc_put_le32(e + 4, (uint32_t)r->addr);
			qc_put_le32(e + 8, (uint32_t)r->size);
			names = e + 12;
		}
		/* desc and filename both carry the name, as many PBLs do. */
		memcpy(names, r->name, QC_SAHARA_REGION_NAME_LEN);
		memcpy(names + QC_SAHARA_REGION_NAME_LEN, r->name, QC_SAHARA_REGION_NAME_LEN);
	}
	d->table_len = n * esz;
	return 0;
}

void sahara_memdebug_fini(struct sahara_dev *d)
{
	for (size_t i = 0; i < d->nregions; i++) {
		if (d->regions[i].fd >= 0)
			close(d->regions[i].fd);
		free(d->regions[i].file);
	}
	free(d->regions);
	free(d->table);
}

static const struct sahara_region *find(const struct sahara_dev *d, uint64_t addr, uint64_t len)
{
	for (size_t i = 0; i < d->nregions; i++) {
		const struct sahara_region *r = &d->regions[i];

		if (addr >= r->addr && addr - r->addr <= r->size && len <= r->size - (addr - r->addr))
			return r;
	}
	return NULL;
}

/* Sends LEN bytes of region R from ADDR on, in bounded pieces. */
static int serve(struct qcsim *sim, const struct sahara_region *r, uint64_t addr, uint64_t len)
{
	uint8_t buf[65536];

	while (len) {
		size_t k = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		int rc;

		if (r->fd >= 0) {
			ssize_t n = pread(r->fd, buf, k, (off_t)(addr - r->addr));

			if (n < 0)
				return qc_fail(qcsim_ctx(sim), QC_E_IO, "%s: %s", r->file, strerror(errno));
			memset(buf + n, 0, k - (size_t)n);
		} else {
			for (size_t i = 0; i < k; i++)
				buf[i] = pattern(addr + i);
		}
		rc = qcsim_write(sim, buf, k);
		if (rc < 0)
			return rc;
		addr += k;
		len -= k;
	}
	return 0;
}

int sahara_memdebug_run(struct qcsim *sim, struct sahara_dev *d)
{
	struct qc_sahara_packet p = {.cmd = d->read64 ? QC_SAHARA_MEMORY_DEBUG_64 : QC_SAHARA_MEMORY_DEBUG};
	int rc;

	if (!d->nregions) {
		rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_MEMORY_DEBUG_NOT_SUPPORTED);
		return rc < 0 ? rc : SAHARA_CONTINUE;
	}
	p.u.memory.address = d->table_addr;
	p.u.memory.length = d->table_len;
	if (qcsim_fault(sim, "sahara:bad-table"))
		p.u.memory.length = d->table_len + 3;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "regions", json_object_new_int64((int64_t)d->nregions));
	json_object_object_add(o, "read64", json_object_new_boolean(d->read64));
	qcsim_event(sim, "sahara_memory_debug", o);
	rc = sahara_dev_send(sim, &p);
	while (rc >= 0) {
		const struct sahara_region *r;
		uint64_t addr, len;

		rc = sahara_dev_recv(sim, &p, -1);
		if (rc == SAHARA_CONTINUE) {
			rc = 0;
			continue;
		}
		if (rc != 1)
			return rc;
		switch (p.cmd) {
		case QC_SAHARA_MEMORY_READ:
		case QC_SAHARA_MEMORY_READ_64:
			addr = p.u.memory.address;
			len = p.u.memory.length;
			if (!len || len > MAX_READ) {
				rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_DATA_SIZE_REQUEST);
				break;
			}
			if (addr >= d->table_addr && addr - d->table_addr <= d->table_len &&
			    len <= d->table_len - (addr - d->table_addr)) {
				rc = qcsim_write(sim, d->table + (addr - d->table_addr), (size_t)len);
				break;
			}
			r = find(d, addr, len);
			if (!r || qcsim_fault(sim, "sahara:refuse-memory")) {
				rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_MEMORY_READ);
				break;
			}
			rc = serve(sim, r, addr, len);
			break;
		case QC_SAHARA_RESET:
			return SAHARA_REBOOT;
		case QC_SAHARA_RESET_STATE_MACHINE:
			rc = sahara_dev_hello(sim, d);
			return rc < 0 ? rc : SAHARA_CONTINUE;
		default:
			rc = sahara_dev_end_image(sim, 0, QC_SAHARA_STATUS_INVALID_CMD);
		}
	}
	return rc;
}
