/* SPDX-License-Identifier: BSD-3-Clause */
#include "../transport/transport_impl.h"

int qc_usb_open(qc_ctx *ctx, const struct qc_device_spec *spec, qc_transport **out)
{
	(void)spec;
	*out = NULL;
	return qc_fail(ctx, QC_E_UNSUPPORTED, "USB devices are not supported by this build yet; use -d tty:, unix: or tcp:");
}
