/* SPDX-License-Identifier: BSD-3-Clause */
/* A hostile modem: the input, cut at each 0x7E into reply payloads that are
 * framed with a good CRC, is everything the "device" says, and the host
 * runs every DIAG/NV operation against it.  Replies for other commands,
 * truncated replies, lying lengths and error replies must all end in a
 * clean error, never a crash or a hang. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qcbox/diag.h"
#include "qcbox/nv.h"
#include "transport/transport_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounded so that the framed replies fit the socket buffer. */
#define MAX_INPUT 8192

/* One write of the whole stream: thousands of tiny writes would each cost
 * a socket buffer entry and could block. */
static void device_says(int fd, const uint8_t *data, size_t size)
{
	static uint8_t stream[4 * MAX_INPUT + 16];
	size_t start = 0, len = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != 0x7e)
			continue;
		ssize_t n = qc_hdlc_encode(data + start, i - start, stream + len, sizeof(stream) - len, false);

		if (n < 0)
			abort();
		len += (size_t)n;
		start = i + 1;
	}
	if (write(fd, stream, len) != (ssize_t)len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	qc_ctx *ctx = qc_ctx_new();
	struct qc_diag_info info;
	uint8_t buf[QC_NV_DATA_LEN] = {1, 2, 3}, reply, pw[8] = {0};
	uint16_t status;
	qc_transport *t;
	qc_diag *d;
	int sv[2];

	if (!ctx || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	if (size > MAX_INPUT)
		size = MAX_INPUT;
	device_says(sv[1], data, size);
	/* The host reads end-of-file after the last reply; its requests still
	 * land in the device's receive buffer. */
	shutdown(sv[1], SHUT_WR);
	qc_set_timeout(ctx, 200);
	t = qc_fd_transport_new(ctx, QC_TRANSPORT_MEM, sv[0], "fuzz");
	if (!t || qc_diag_open(t, &d) < 0)
		abort();
	qc_diag_get_info(d, &info);
	qc_nv_read(d, -1, QC_NV_ITEM_IMEI, NULL, 0, buf, &status, &reply);
	qc_nv_read(d, 1, QC_NV_ITEM_IMEI, buf, 1, buf, &status, &reply);
	qc_nv_write(d, -1, 441, buf, 5, &status, &reply);
	qc_nv_write(d, 1, 550, buf, QC_NV_DATA_LEN, &status, &reply);
	qc_diag_set_mode(d, QC_DIAG_MODE_RESET);
	qc_diag_spc(d, "000000");
	qc_diag_password(d, pw);
	qc_diag_to_dload(d);
	qc_diag_to_edl(d);
	qc_diag_close(d);
	qc_transport_close(t);
	close(sv[1]);
	qc_ctx_free(ctx);
	return 0;
}
