/* SPDX-License-Identifier: BSD-3-Clause */
/* Every EFS2 packet layout decoded from arbitrary bytes, as a reply (the
 * host's view) and as a request (the simulator's), plus the rules for
 * device names.  Decoded fields must stay inside the input, and a decoded
 * request must encode back to the bytes it came from. */
#include <stdlib.h>
#include <string.h>

#include "efs/efs_wire.h"
#include "qcbox/efs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const struct qc_efs_pkt *p, const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < p->nstr; i++)
		if ((const uint8_t *)p->str[i] < data || (const uint8_t *)p->str[i] + p->slen[i] > data + size)
			abort();
	if (p->dlen && (p->data < data || p->data + p->dlen > data + size))
		abort();
	if (p->nnum > QC_EFS_MAX_NUMS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t nlen = size < 600 ? size : 600;
	char out[2048];
	const char *why;

	for (uint16_t op = 0; op < 64; op++) {
		const struct qc_efs_layout *l = qc_efs_layout(op);
		struct qc_efs_pkt p;

		if (!l)
			continue;
		if (qc_efs_decode(data, size, l->rsp, l->rsp_errno, false, &p, &why) == 0)
			inside(&p, data, size);
		else if (!why)
			abort();
		if (qc_efs_decode(data, size, l->req, -1, true, &p, &why) == 0) {
			uint8_t *re = malloc(size + 8);
			ssize_t n;

			inside(&p, data, size);
			n = qc_efs_encode(&p, l->req, re, size + 8);
			/* a strict decode consumed a prefix that re-encodes exactly */
			if (n < 0 || (size_t)n > size || memcmp(re + 2, data + 2, (size_t)n - 2))
				abort();
			free(re);
		}
	}
	/* names: an accepted one is a plain component */
	if (!qc_efs_name_check((const char *)data, nlen)) {
		if (memchr(data, '/', nlen) || memchr(data, 0, nlen) || nlen == 0 || nlen > 255 ||
		    (nlen <= 2 && !memcmp(data, "..", nlen)))
			abort();
	}
	qc_efs_escape((const char *)data, nlen, out, sizeof(out));
	if (strlen(out) >= sizeof(out))
		abort();
	for (const char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
	qc_efs_escape((const char *)data, nlen, out, 7);
	if (strlen(out) > 6)
		abort();
	(void)qc_efs_type_of(size ? data[0] : 0, size > 1 ? data[1] << 12 : 0);
	return 0;
}
