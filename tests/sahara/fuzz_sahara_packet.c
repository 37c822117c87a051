/* SPDX-License-Identifier: BSD-3-Clause */
/* Sahara packet parser: the input is a stream of packets as a device might
 * send them.  Every packet that decodes must encode back to the same bytes
 * (the reserved words included); the answer parsers take any tail. */
#include <stdlib.h>
#include <string.h>

#include "qcbox/sahara.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qc_sahara_chip_id_v3 c;
	size_t off = 0;

	if (qc_sahara_pkhash_trim(data, size) > size)
		abort();
	qc_sahara_parse_chip_id_v3(data, size, &c);
	while (size - off >= QC_SAHARA_HEADER_LEN) {
		struct qc_sahara_packet p;
		uint8_t enc[QC_SAHARA_MAX_PACKET_LEN];
		uint32_t cmd, len;

		if (qc_sahara_check_header(NULL, data + off, &cmd, &len) < 0) {
			off++;
			continue;
		}
		if (len > size - off)
			break;
		if (qc_sahara_decode(NULL, data + off, len, &p) != 0)
			abort(); /* a header that checks out decodes */
		/* CMD_READY may carry a word the codec does not keep. */
		if (cmd != QC_SAHARA_CMD_READY &&
		    (qc_sahara_encode(&p, enc, sizeof(enc)) != len || memcmp(enc, data + off, len)))
			abort();
		(void)qc_sahara_cmd_name(p.cmd);
		(void)qc_sahara_status_text(p.u.end_image.status);
		off += len;
	}
	return 0;
}
