/* SPDX-License-Identifier: BSD-3-Clause */
/* The smallest libqcbox program: open a device, ask DIAG for its version
 * information, print the model string.
 *   cc diag_version.c $(pkg-config --cflags --libs libqcbox)
 *   ./a.out tty:/dev/ttyUSB0 */
#include <stdio.h>

#include <qcbox/diag.h>

int main(int argc, char **argv)
{
	qc_ctx *ctx = qc_ctx_new();
	qc_transport *t;
	qc_diag *d;
	uint8_t req = QC_DIAG_VERNO, resp[256];
	size_t len;
	int rc;

	if (argc != 2 || !ctx) {
		fprintf(stderr, "usage: %s DEVICE-SPEC\n", argv[0]);
		return 2;
	}
	rc = qc_transport_open(ctx, argv[1], &t);
	if (rc == 0) {
		rc = qc_diag_open(t, &d);
		if (rc == 0) {
			rc = qc_diag_request(d, &req, 1, resp, sizeof(resp), &len);
			if (rc == 0 && len >= 47)
				printf("model: %.8s\n", (const char *)resp + 39);
			qc_diag_close(d);
		}
		qc_transport_close(t);
	}
	if (rc < 0)
		fprintf(stderr, "error: %s (%s)\n", qc_last_error(ctx), qc_strerror(rc));
	qc_ctx_free(ctx);
	return rc < 0;
}
