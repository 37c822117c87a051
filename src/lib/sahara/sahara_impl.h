/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the Sahara host files (client, RAM dumps). */
#ifndef QC_SAHARA_IMPL_H
#define QC_SAHARA_IMPL_H

#include "qcbox/sahara.h"

/* Sends one packet. */
int qc_sahara_send(qc_transport *t, const struct qc_sahara_packet *p);

/* Reads one packet, framed by its header's length field.  A packet cut
 * short, an unknown id or a wrong length is QC_E_PROTOCOL with a sentence;
 * silence is QC_E_TIMEOUT. */
int qc_sahara_recv(qc_transport *t, int timeout_ms, struct qc_sahara_packet *p);

/* Returns a HELLO: a copy of GIVEN, or the next packet (which must be one). */
int qc_sahara_get_hello(qc_transport *t, const struct qc_sahara_hello *given, struct qc_sahara_hello *out);

/* HELLO_RESP asking for MODE, in the version the target speaks. */
int qc_sahara_send_hello_resp(qc_transport *t, const struct qc_sahara_hello *hello, uint32_t mode);

/* The sentence for an END_IMAGE_TX the target sent while doing WHAT. */
int qc_sahara_device_error(qc_ctx *ctx, const char *what, const struct qc_sahara_packet *p);

#endif
