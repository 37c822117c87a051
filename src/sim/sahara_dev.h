/* SPDX-License-Identifier: BSD-3-Clause */
/* The simulated boot ROM's state and the pieces of it that live in their
 * own files (memory debug). */
#ifndef QCSIM_SAHARA_DEV_H
#define QCSIM_SAHARA_DEV_H

#include "qcbox/sahara.h"
#include "sim.h"

/* What a sub-state returns besides QCSIM_SWITCHED/QCSIM_DISCONNECTED or an
 * error: go back to waiting for the host's next packet. */
#define SAHARA_CONTINUE 2
/* The host sent RESET: the device reboots, the link drops. */
#define SAHARA_REBOOT 3
/* The host went away. */
#define SAHARA_GONE 4

struct sahara_region {
	char name[QC_SAHARA_REGION_NAME_LEN + 1];
	uint64_t addr, size;
	char *file; /* NULL: a pattern derived from the address */
	int fd;
};

struct sahara_dev {
	uint32_t version;
	uint32_t hello_mode;
	uint64_t hwid;
	uint32_t serial, sbl_version, chip_id;
	uint8_t pkhash[48];
	size_t pkhash_len;
	uint8_t expect[48];
	size_t expect_len;
	uint64_t chunk;
	bool read64, pkhash_repeat;
	uint32_t refuse; /* bit n: client command n is refused */
	uint32_t images[QC_SAHARA_MAX_IMAGES];
	size_t nimages;
	struct sahara_region *regions;
	size_t nregions;
	uint64_t table_addr;
	uint8_t *table;
	size_t table_len;
	/* the image being received, reassembled by offset */
	uint8_t *img;
	size_t img_len, img_cap;
};

/* Packet I/O of the device side. */
int sahara_dev_send(struct qcsim *sim, const struct qc_sahara_packet *p);
int sahara_dev_end_image(struct qcsim *sim, uint32_t image_id, uint32_t status);
int sahara_dev_hello(struct qcsim *sim, struct sahara_dev *d);
/* 1 with a packet, SAHARA_CONTINUE after a malformed one (answered),
 * SAHARA_GONE, or an error. */
int sahara_dev_recv(struct qcsim *sim, struct qc_sahara_packet *p, int timeout_ms);

/* Memory debug (sahara_memdebug.c). */
int sahara_memdebug_init(struct qcsim *sim, struct sahara_dev *d);
void sahara_memdebug_fini(struct sahara_dev *d);
int sahara_memdebug_run(struct qcsim *sim, struct sahara_dev *d);

#endif
