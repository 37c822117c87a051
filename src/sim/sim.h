/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * qcbox-sim engine: the device side of every protocol.  One qcsim is one
 * simulated phone.  It serves one host connection at a time in its current
 * mode; a mode may hand over to another (Sahara -> Firehose after a loader
 * upload, DIAG -> DLOAD on a download command), on the same link or after a
 * simulated re-enumeration.  No globals: tests run several in one process.
 */
#ifndef QCSIM_H
#define QCSIM_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "qcbox/core.h"
#include "qcbox/hdlc.h"
#include "qcbox/transport.h"

struct qcsim;

/* What a mode's run() returns besides a negative error. */
enum qcsim_run_result {
	QCSIM_DISCONNECTED = 0, /* the host went away */
	QCSIM_SWITCHED = 1,     /* qcsim_switch() was called */
};

struct qcsim_option {
	const char *name; /* long option name without "--" */
	const char *arg;  /* argument placeholder ("HEX16"), NULL for a flag */
	const char *help;
};

struct qcsim_mode {
	const char *name;
	/* Options this mode understands (NULL-terminated, may be NULL). */
	const struct qcsim_option *options;
	/* Called once, the first time the mode is entered; *state lives until
	 * the simulator ends, so NV items, EFS or disks survive reconnects. */
	int (*init)(struct qcsim *sim, void **state);
	/* Serves the current connection until the host leaves or the mode
	 * switches.  Called again for each new connection. */
	int (*run)(struct qcsim *sim, void *state);
	void (*fini)(struct qcsim *sim, void *state);
};

/* Every mode, NULL-terminated (modes.c). */
extern const struct qcsim_mode *const qcsim_modes[];
const struct qcsim_mode *qcsim_find_mode(const char *name);

/* ----- lifecycle ----- */
struct qcsim *qcsim_new(void);
void qcsim_free(struct qcsim *sim);
/* Sets option NAME (as on the command line; repeatable ones accumulate).
 * Unknown names are refused. */
int qcsim_set_option(struct qcsim *sim, const char *name, const char *value);
int qcsim_set_mode(struct qcsim *sim, const char *mode);
const char *qcsim_mode_name(const struct qcsim *sim);
/* Serves one connection on T (not owned) until the host leaves.  Returns 0
 * when it left, 1 when the device re-enumerated (mode switch that drops the
 * link), or an error. */
int qcsim_serve(struct qcsim *sim, qc_transport *t);
/* Listens on SPEC and serves clients until one leaves (or forever with
 * --persist).  Prints the pty path to stderr for pty listeners. */
int qcsim_listen_and_serve(struct qcsim *sim, const char *spec);

/* ----- options ----- */
const char *qcsim_opt(const struct qcsim *sim, const char *name);
/* The Ith value of a repeatable option, or NULL. */
const char *qcsim_opt_n(const struct qcsim *sim, const char *name, size_t i);
bool qcsim_flag(const struct qcsim *sim, const char *name);
/* Parses an unsigned option with an optional K/M/G suffix (binary) or 0x
 * prefix; DEF when unset.  A malformed value is an error naming the option. */
int qcsim_opt_u64(struct qcsim *sim, const char *name, uint64_t def, uint64_t *out);
/* Decodes a hex option into OUT; returns the byte count or an error. */
ssize_t qcsim_opt_hex(struct qcsim *sim, const char *name, uint8_t *out, size_t cap);

/* ----- link I/O (rate limit, latency and faults applied) ----- */
ssize_t qcsim_read(struct qcsim *sim, void *buf, size_t len, int timeout_ms);
int qcsim_read_exact(struct qcsim *sim, void *buf, size_t len, int timeout_ms);
int qcsim_write(struct qcsim *sim, const void *buf, size_t len);
/* The --fault entries that are not byte-level: "nak:program", "garbage-xml".
 * True (and consumed, unless REPEAT is in the spec) if NAME was given. */
bool qcsim_fault(struct qcsim *sim, const char *name);

/* HDLC-framed request/response helpers for DIAG, DLOAD and Streaming DLOAD.
 * recv returns 1 with a frame, or QCSIM_DISCONNECTED (0), or an error; frames
 * with a bad CRC are dropped as a real device would (logged). */
int qcsim_hdlc_recv(struct qcsim *sim, const uint8_t **frame, size_t *len, int timeout_ms);
int qcsim_hdlc_send(struct qcsim *sim, const void *payload, size_t len);
/* The decoder used by recv (to switch to non-HDLC framing). */
struct qc_hdlc_decoder *qcsim_hdlc_decoder(struct qcsim *sim);

/* ----- mode hand-over ----- */
/* Enter MODE next.  DATA (copied) is handed to it (e.g. the programmer
 * image).  With REENUMERATE the link drops first, like a phone that resets
 * into another USB personality. */
int qcsim_switch(struct qcsim *sim, const char *mode, const void *data, size_t len, bool reenumerate);
const uint8_t *qcsim_handoff(const struct qcsim *sim, size_t *len);

/* ----- events and logs ----- */
/* Writes {"event":NAME, ...fields of OBJ} as one line to --events and
 * flushes; takes ownership of OBJ (may be NULL). */
void qcsim_event(struct qcsim *sim, const char *name, json_object *obj);
void qcsim_log(struct qcsim *sim, const char *fmt, ...) QC_PRINTF(2, 3);
qc_ctx *qcsim_ctx(struct qcsim *sim);

/* ----- storage shared by Firehose and Streaming DLOAD ----- */
struct qcsim_storage {
	char type[16];          /* ufs, emmc, nand, spinor, nvme */
	unsigned sector_size;   /* 4096 UFS/NAND, 512 eMMC/SPI-NOR */
	unsigned luns;
	uint64_t lun_bytes;     /* size of each LUN */
	int fd[8];              /* lunN.img in --disk-dir */
	int dfd[8];             /* the same opened O_DIRECT (-1 if the file system refuses) */
	char dir[4096];
};
/* Opens (creating sparse) --disk-dir/lunN.img on first use. */
int qcsim_storage(struct qcsim *sim, struct qcsim_storage **out);

#endif
