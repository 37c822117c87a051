/* SPDX-License-Identifier: BSD-3-Clause */
/* An in-memory connected pair for unit tests: a socketpair underneath, so
 * both ends can live in one thread with bounded kernel buffering or in two
 * threads, and closing one end shows up as a disconnect on the other. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport_impl.h"

int qc_transport_mem_pair(qc_ctx *ctx, qc_transport **a, qc_transport **b)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return qc_fail(ctx, QC_E_IO, "socketpair: %s", strerror(errno));
	qc_socket_tune(sv[0]);
	qc_socket_tune(sv[1]);
	*a = qc_fd_transport_new(ctx, QC_TRANSPORT_MEM, sv[0], "mem:a");
	*b = qc_fd_transport_new(ctx, QC_TRANSPORT_MEM, sv[1], "mem:b");
	if (!*a || !*b) {
		qc_transport_close(*a);
		qc_transport_close(*b);
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	}
	return 0;
}
