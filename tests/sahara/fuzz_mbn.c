/* SPDX-License-Identifier: BSD-3-Clause */
/* ELF/MBN images and their parts: the whole-image parser (with digest
 * verification), and the hash-segment, legacy-header and certificate-chain
 * parsers on their own over the same bytes. */
#include <stdlib.h>

#include "qcbox/mbn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qc_mbn_info mi;
	struct qc_mbn_hashseg hs;
	struct qc_mbn_legacy lh;
	struct qc_mbn_identity id;
	struct qc_elf_header eh;

	if (qc_mbn_parse_buffer(NULL, data, size, QC_MBN_VERIFY_HASHES, &mi) == 0) {
		if (mi.end > size || mi.pkhash_len > sizeof(mi.pkhash) || mi.nsoc > 12)
			abort();
	}
	if (qc_mbn_parse_hashseg(NULL, data, size, &hs) == 0) {
		if ((uint64_t)hs.chain_off + hs.chain_len > size || (uint64_t)hs.hash_off + hs.hash_len > size)
			abort();
		qc_mbn_parse_chain(NULL, data + hs.chain_off, hs.chain_len, &id);
	}
	qc_mbn_parse_legacy(NULL, data, size, size, &lh);
	if (qc_mbn_parse_chain(NULL, data, size, &id) > QC_MBN_MAX_CERTS)
		abort();
	if (qc_elf_parse_header(NULL, data, size, &eh) == 0 && eh.phnum > QC_MBN_MAX_PHDRS)
		abort();
	return 0;
}
