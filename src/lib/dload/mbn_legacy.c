/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Legacy (pre-ELF) MBN headers, the only header the boot loader's download
 * path needs: ten little-endian words (40 bytes) on old images, twenty (80
 * bytes, opened by a codeword and a magic) on SBL-era images and the
 * ehostdl/MPRG streaming programmers.  The image proper is the image_size
 * bytes after the header and runs at image_dest.
 */
#include <string.h>

#include "core/bytes.h"
#include "qcbox/dload.h"

static const struct {
	uint32_t id;
	const char *name;
} image_names[] = {
	{0x00, "NONE"},    {0x01, "OEM_SBL"}, {0x02, "AMSS"},    {0x03, "QCSBL"},   {0x04, "HASH"},
	{0x05, "APPSBL"},  {0x06, "APPS"},    {0x07, "HOSTDL"},  {0x08, "DSP1"},    {0x09, "FSBL"},
	{0x0a, "DBL"},     {0x0b, "OSBL"},    {0x0c, "DSP2"},    {0x0d, "EHOSTDL"}, {0x0e, "NANDPRG"},
	{0x0f, "NORPRG"},  {0x10, "RAMFS1"},  {0x11, "RAMFS2"},  {0x12, "ADSP_Q5"}, {0x13, "APPS_KERNEL"},
	{0x14, "BACKUP_RAMFS"}, {0x15, "SBL1"}, {0x16, "SBL2"}, {0x17, "RPM"},     {0x18, "SBL3"},
	{0x19, "TZ"},      {0x1a, "SSD_KEYS"}, {0x1b, "GEN"},   {0x1c, "DSP3"},
	{0x1d, "ACDB"},    {0x1e, "WDT"},     {0x1f, "MBA"},
};

const char *qc_dload_mbn_image_name(uint32_t image_id)
{
	for (size_t i = 0; i < sizeof(image_names) / sizeof(image_names[0]); i++)
		if (image_names[i].id == image_id)
			return image_names[i].name;
	return NULL;
}

/* Checks shared by both layouts: the image must fit the file and the
 * address space, and its parts must fit the image. */
static int check_sizes(qc_ctx *ctx, const char *name, const struct qc_dload_mbn_header *h, uint64_t file_size)
{
	uint64_t parts = (uint64_t)h->code_size + h->signature_size + h->cert_chain_size;

	if (h->image_size == 0)
		return qc_fail(ctx, QC_E_FORMAT, "%s: the %u-byte MBN header gives an image_size of 0", name,
			       h->header_size);
	if ((uint64_t)h->header_size + h->image_size > file_size)
		return qc_fail(ctx, QC_E_FORMAT,
			       "%s: the MBN header's image_size of %u bytes exceeds the %llu bytes after its %u-byte "
			       "header",
			       name, h->image_size,
			       (unsigned long long)(file_size > h->header_size ? file_size - h->header_size : 0),
			       h->header_size);
	if (parts > h->image_size)
		return qc_fail(ctx, QC_E_FORMAT,
			       "%s: the MBN header's code_size %u + signature_size %u + cert_chain_size %u exceed its "
			       "image_size %u",
			       name, h->code_size, h->signature_size, h->cert_chain_size, h->image_size);
	if ((uint64_t)h->image_dest + h->image_size > 0x100000000ull)
		return qc_fail(ctx, QC_E_FORMAT,
			       "%s: the MBN image of %u bytes at image_dest 0x%08x runs past the 32-bit address space",
			       name, h->image_size, h->image_dest);
	return 0;
}

int qc_dload_mbn_header_parse(qc_ctx *ctx, const char *name, const void *buf, size_t len, uint64_t file_size,
			      struct qc_dload_mbn_header *h)
{
	const uint8_t *p = buf;
	uint32_t w[20];
	size_t nw = len / 4 < 20 ? len / 4 : 20;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < nw; i++)
		w[i] = qc_get_le32(p + 4 * i);
	if (nw >= 2 && w[0] == QC_MBN_CODEWORD && w[1] == QC_MBN_MAGIC) {
		if (nw < 20 || file_size < 80)
			return qc_fail(ctx, QC_E_FORMAT, "%s: the 80-byte MBN header is cut short (%llu bytes)", name,
				       (unsigned long long)(file_size < len ? file_size : len));
		h->header_size = 80;
		h->codeword = w[0];
		h->magic = w[1];
		h->image_id = w[2];
		/* w[3], w[4] reserved */
		h->image_src = w[5];
		h->image_dest = w[6];
		h->image_size = w[7];
		h->code_size = w[8];
		h->signature_ptr = w[9];
		h->signature_size = w[10];
		h->cert_chain_ptr = w[11];
		h->cert_chain_size = w[12];
		h->oem_root_cert_sel = w[13];
		h->oem_num_root_certs = w[14];
		return check_sizes(ctx, name, h, file_size);
	}
	/* The 40-byte header has no magic: accept it only when every field is
	 * consistent, so that arbitrary binaries are not taken for one. */
	if (nw < 10 || file_size < 40 || w[1] < 1 || w[1] > 3 || w[0] > 0xff || w[4] == 0 || w[5] > w[4] ||
	    (uint64_t)w[5] + w[7] + w[9] > w[4] || (uint64_t)w[3] + w[4] > 0x100000000ull)
		return QC_E_NOTFOUND;
	h->header_size = 40;
	h->image_id = w[0];
	h->header_version = w[1];
	h->image_src = w[2];
	h->image_dest = w[3];
	h->image_size = w[4];
	h->code_size = w[5];
	h->signature_ptr = w[6];
	h->signature_size = w[7];
	h->cert_chain_ptr = w[8];
	h->cert_chain_size = w[9];
	return check_sizes(ctx, name, h, file_size);
}
