/* SPDX-License-Identifier: BSD-3-Clause */
/* Test plumbing for the EFS tests: a simulated modem served from a thread
 * over a unix socket, and a scripted device whose replies are queued in
 * advance on an in-memory link. */
#ifndef EFS_TEST_HARNESS_H
#define EFS_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "efs/efs_wire.h"
#include "qcbox/diag.h"
#include "qcbox/efs.h"
#include "sim.h"

struct sim_run {
	struct qcsim *sim;
	pthread_t thread;
	int sim_rc;
	char top[64];   /* temporary directory holding the rest */
	char dir[128];  /* top/efs: the EFS directory */
	char sock[128];
	qc_ctx *ctx;
	qc_transport *t;
	qc_diag *d;
};

/* Starts qcbox-sim --mode diag --efs-dir DIR plus OPTS (name, value pairs,
 * NULL-terminated; value NULL for flags) and connects to it. */
void sim_run_start(struct sim_run *r, const char *const *opts);
/* Disconnects, waits for the simulator to end, removes the directory. */
void sim_run_stop(struct sim_run *r);

struct script {
	qc_ctx *ctx;
	qc_transport *host, *dev;
	qc_diag *d;
};

void script_start(struct script *s);
/* Queues one reply (framed here) for the next request. */
void script_reply(struct script *s, const void *payload, size_t len);
/* Builds a reply for OP with LAYOUT numbers/strings of P and queues it. */
void script_pkt(struct script *s, uint8_t subsys, uint16_t op, struct qc_efs_pkt *p);
/* The standard HELLO answer with byte windows WIN. */
void script_hello(struct script *s, uint8_t subsys, uint32_t win);
void script_stop(struct script *s);

/* rm -rf */
void remove_tree(const char *path);
/* Writes LEN bytes of DATA to DIR/NAME (creating it). */
void write_file(const char *dir, const char *name, const void *data, size_t len);

#endif
