/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared inside the image module (not exported). */
#ifndef QC_IMAGE_IMPL_H
#define QC_IMAGE_IMPL_H

#include <stdint.h>

/* CRC of COUNT repetitions of the 4-byte PATTERN appended to CRC. */
uint32_t qc_crc32_repeat4(uint32_t crc, const uint8_t pattern[4], uint64_t count);

#endif
