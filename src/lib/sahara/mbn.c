/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ELF/MBN boot images.  A signed ELF carries two extra program headers: a
 * PT_NULL placeholder whose file range is the ELF header plus the program
 * headers, and the hash segment.  Digest i of the hash table covers the
 * file bytes of program header i; the hash segment's own entry and those of
 * segments without file bytes are all zero.  Legacy MBNs put a 40- or
 * 80-byte header before code, signature and certificate chain, addressed by
 * load addresses relative to image_dest_ptr.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "qcbox/mbn.h"

const char *qc_mbn_format_name(enum qc_mbn_format f)
{
	switch (f) {
	case QC_MBN_ELF32: return "elf32";
	case QC_MBN_ELF64: return "elf64";
	case QC_MBN_LEGACY40: return "mbn40";
	case QC_MBN_LEGACY80: return "mbn80";
	default: return "unknown";
	}
}

int qc_elf_parse_header(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_elf_header *eh)
{
	memset(eh, 0, sizeof(*eh));
	if (len < 16 || memcmp(buf, "\x7f" "ELF", 4))
		return qc_fail(ctx, QC_E_FORMAT, "not an ELF file (no \\x7fELF magic)");
	if (buf[4] != 1 && buf[4] != 2)
		return qc_fail(ctx, QC_E_FORMAT, "ELF class %u is neither 32- nor 64-bit", buf[4]);
	if (buf[5] != 1)
		return qc_fail(ctx, QC_E_FORMAT, "big-endian ELF images are not boot images");
	eh->is64 = buf[4] == 2;
	if (len < (eh->is64 ? QC_ELF64_EHDR_LEN : QC_ELF32_EHDR_LEN))
		return qc_fail(ctx, QC_E_RANGE, "the ELF header is cut short at %zu bytes", len);
	eh->machine = qc_get_le16(buf + 18);
	if (eh->is64) {
		eh->entry = qc_get_le64(buf + 24);
		eh->phoff = qc_get_le64(buf + 32);
		eh->shoff = qc_get_le64(buf + 40);
		eh->ehsize = qc_get_le16(buf + 52);
		eh->phentsize = qc_get_le16(buf + 54);
		eh->phnum = qc_get_le16(buf + 56);
		eh->shentsize = qc_get_le16(buf + 58);
		eh->shnum = qc_get_le16(buf + 60);
	} else {
		eh->entry = qc_get_le32(buf + 24);
		eh->phoff = qc_get_le32(buf + 28);
		eh->shoff = qc_get_le32(buf + 32);
		eh->ehsize = qc_get_le16(buf + 40);
		eh->phentsize = qc_get_le16(buf + 42);
		eh->phnum = qc_get_le16(buf + 44);
		eh->shentsize = qc_get_le16(buf + 46);
		eh->shnum = qc_get_le16(buf + 48);
	}
	if (eh->phnum == 0)
		return qc_fail(ctx, QC_E_FORMAT, "the ELF image has no program headers");
	if (eh->phnum > QC_MBN_MAX_PHDRS)
		return qc_fail(ctx, QC_E_FORMAT, "the ELF image claims %u program headers (at most %u are accepted)",
			       eh->phnum, QC_MBN_MAX_PHDRS);
	if (eh->phentsize != (eh->is64 ? QC_ELF64_PHDR_LEN : QC_ELF32_PHDR_LEN))
		return qc_fail(ctx, QC_E_FORMAT, "the ELF program headers are %u bytes each; ELF%d uses %u",
			       eh->phentsize, eh->is64 ? 64 : 32, eh->is64 ? QC_ELF64_PHDR_LEN : QC_ELF32_PHDR_LEN);
	if (eh->phoff > UINT64_MAX / 2)
		return qc_fail(ctx, QC_E_FORMAT, "the ELF program header offset 0x%llx is absurd",
			       (unsigned long long)eh->phoff);
	return 0;
}

void qc_elf_parse_phdr(const struct qc_elf_header *eh, const uint8_t *table, unsigned i, struct qc_elf_phdr *ph)
{
	const uint8_t *p = table + (size_t)i * eh->phentsize;

	if (eh->is64) {
		ph->type = qc_get_le32(p);
		ph->flags = qc_get_le32(p + 4);
		ph->offset = qc_get_le64(p + 8);
		ph->vaddr = qc_get_le64(p + 16);
		ph->paddr = qc_get_le64(p + 24);
		ph->filesz = qc_get_le64(p + 32);
		ph->memsz = qc_get_le64(p + 40);
		ph->align = qc_get_le64(p + 48);
	} else {
		ph->type = qc_get_le32(p);
		ph->offset = qc_get_le32(p + 4);
		ph->vaddr = qc_get_le32(p + 8);
		ph->paddr = qc_get_le32(p + 12);
		ph->filesz = qc_get_le32(p + 16);
		ph->memsz = qc_get_le32(p + 20);
		ph->flags = qc_get_le32(p + 24);
		ph->align = qc_get_le32(p + 28);
	}
}

int qc_mbn_find_hash_segment(const struct qc_elf_phdr *ph, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (ph[i].type == 0 && QC_MBN_SEG_TYPE(ph[i].flags) == QC_MBN_SEG_HASH)
			return (int)i;
	return -1;
}

/* Lays out consecutive parts; false if they overflow SEG_LEN. */
static bool place(uint64_t *cursor, uint32_t len, uint32_t *off, size_t seg_len)
{
	*off = (uint32_t)*cursor;
	*cursor += len;
	return *cursor <= seg_len;
}

int qc_mbn_parse_hashseg(qc_ctx *ctx, const uint8_t *seg, size_t len, struct qc_mbn_hashseg *hs)
{
	uint64_t cur;
	bool ok = true;

	memset(hs, 0, sizeof(*hs));
	if (len < 40)
		return qc_fail(ctx, QC_E_FORMAT, "the hash segment is %zu bytes, shorter than its 40-byte header", len);
	hs->image_id = qc_get_le32(seg);
	hs->version = qc_get_le32(seg + 4);
	switch (hs->version) {
	case 3:
		/* flash_addr, dest_addr, total, hash_size, sig_addr, sig_size,
		 * chain_addr, chain_size: the parts follow each other. */
		hs->header_len = 40;
		hs->digest_len = 32;
		hs->hash_len = qc_get_le32(seg + 20);
		hs->sig_len = qc_get_le32(seg + 28);
		hs->chain_len = qc_get_le32(seg + 36);
		cur = hs->header_len;
		ok = place(&cur, hs->hash_len, &hs->hash_off, len) && place(&cur, hs->sig_len, &hs->sig_off, len) &&
		     place(&cur, hs->chain_len, &hs->chain_off, len);
		break;
	case 5:
	case 6:
		hs->header_len = hs->version == 5 ? 40 : 48;
		if (len < hs->header_len)
			return qc_fail(ctx, QC_E_FORMAT, "the v%u hash segment is shorter than its header", hs->version);
		hs->digest_len = hs->version == 5 ? 32 : 48;
		hs->qti_sig_len = qc_get_le32(seg + 8);
		hs->qti_chain_len = qc_get_le32(seg + 12);
		hs->hash_len = qc_get_le32(seg + 20);
		hs->sig_len = qc_get_le32(seg + 28);
		hs->chain_len = qc_get_le32(seg + 36);
		if (hs->version == 6) {
			hs->qti_md_len = qc_get_le32(seg + 40);
			hs->oem_md_len = qc_get_le32(seg + 44);
		}
		cur = hs->header_len;
		ok = place(&cur, hs->qti_md_len, &hs->qti_md_off, len) &&
		     place(&cur, hs->oem_md_len, &hs->oem_md_off, len) &&
		     place(&cur, hs->hash_len, &hs->hash_off, len) &&
		     place(&cur, hs->qti_sig_len, &hs->qti_sig_off, len) &&
		     place(&cur, hs->qti_chain_len, &hs->qti_chain_off, len) &&
		     place(&cur, hs->sig_len, &hs->sig_off, len) && place(&cur, hs->chain_len, &hs->chain_off, len);
		break;
	case 7: {
		/* Ten size words, then a "common metadata" block counted by
		 * word 2; the OEM metadata comes before the QTI one here. */
		uint32_t common = qc_get_le32(seg + 8);

		if (common < 24 || common > 256 || len < 40u + common)
			return qc_fail(ctx, QC_E_FORMAT, "the v7 hash segment's common metadata size %u is invalid",
				       common);
		hs->header_len = 40 + common;
		hs->qti_md_len = qc_get_le32(seg + 12);
		hs->oem_md_len = qc_get_le32(seg + 16);
		hs->hash_len = qc_get_le32(seg + 20);
		hs->qti_sig_len = qc_get_le32(seg + 24);
		hs->qti_chain_len = qc_get_le32(seg + 28);
		hs->sig_len = qc_get_le32(seg + 32);
		hs->chain_len = qc_get_le32(seg + 36);
		hs->sw_id = qc_get_le32(seg + 48);
		hs->hash_algorithm = qc_get_le32(seg + 56);
		hs->digest_len = hs->hash_algorithm == 2 ? 32 : 48;
		cur = hs->header_len;
		ok = place(&cur, hs->oem_md_len, &hs->oem_md_off, len) &&
		     place(&cur, hs->qti_md_len, &hs->qti_md_off, len) &&
		     place(&cur, hs->hash_len, &hs->hash_off, len) &&
		     place(&cur, hs->qti_sig_len, &hs->qti_sig_off, len) &&
		     place(&cur, hs->qti_chain_len, &hs->qti_chain_off, len) &&
		     place(&cur, hs->sig_len, &hs->sig_off, len) && place(&cur, hs->chain_len, &hs->chain_off, len);
		break;
	}
	default:
		return qc_fail(ctx, QC_E_FORMAT, "hash segment version %u is not one of 3, 5, 6, 7", hs->version);
	}
	if (!ok)
		return qc_fail(ctx, QC_E_FORMAT,
			       "the v%u hash segment's parts (hashes %u, signatures %u+%u, chains %u+%u bytes) do not "
			       "fit in its %zu bytes",
			       hs->version, hs->hash_len, hs->qti_sig_len, hs->sig_len, hs->qti_chain_len, hs->chain_len,
			       len);
	if (hs->hash_len % hs->digest_len)
		return qc_fail(ctx, QC_E_FORMAT, "the hash table (%u bytes) is not a whole number of %u-byte digests",
			       hs->hash_len, hs->digest_len);
	return 0;
}

int qc_mbn_parse_legacy(qc_ctx *ctx, const uint8_t *buf, size_t len, uint64_t file_size, struct qc_mbn_legacy *lh)
{
	const uint8_t *w;

	memset(lh, 0, sizeof(*lh));
	if (len >= 80 && qc_get_le32(buf) == 0x844bdcd1 && qc_get_le32(buf + 4) == 0x73d71034) {
		/* codeword, magic, image_id, 2 reserved, then the same ten
		 * words as the short header from image_src on. */
		lh->header_len = 80;
		lh->image_id = qc_get_le32(buf + 8);
		w = buf + 20;
	} else if (len >= 40 && qc_get_le32(buf + 4) == 3) {
		lh->header_len = 40;
		lh->image_id = qc_get_le32(buf);
		lh->version = 3;
		w = buf + 8;
	} else {
		return qc_fail(ctx, QC_E_FORMAT, "neither an ELF image nor an MBN with a 40- or 80-byte header");
	}
	lh->image_src = qc_get_le32(w);
	lh->dest = qc_get_le32(w + 4);
	lh->image_size = qc_get_le32(w + 8);
	lh->code_size = qc_get_le32(w + 12);
	lh->sig_ptr = qc_get_le32(w + 16);
	lh->sig_size = qc_get_le32(w + 20);
	lh->cert_ptr = qc_get_le32(w + 24);
	lh->cert_size = qc_get_le32(w + 28);
	/* The 40-byte header has no magic: insist on self-consistent sizes. */
	if ((uint64_t)lh->code_size + lh->sig_size + lh->cert_size != lh->image_size || !lh->image_size)
		return qc_fail(ctx, QC_E_FORMAT,
			       "the %u-byte MBN header's sizes disagree (code %u + signature %u + chain %u != image %u)",
			       lh->header_len, lh->code_size, lh->sig_size, lh->cert_size, lh->image_size);
	if (lh->image_size > QC_MBN_MAX_LEGACY_IMAGE)
		return qc_fail(ctx, QC_E_FORMAT, "the MBN header claims an image of %u bytes", lh->image_size);
	if (file_size && lh->header_len + (uint64_t)lh->image_size > file_size)
		return qc_fail(ctx, QC_E_FORMAT, "the MBN header claims %u image bytes but the file has only %llu after it",
			       lh->image_size, (unsigned long long)(file_size - lh->header_len));
	if ((lh->sig_size && lh->sig_ptr != lh->dest + lh->code_size) ||
	    (lh->cert_size && lh->cert_ptr != lh->dest + lh->code_size + lh->sig_size))
		return qc_fail(ctx, QC_E_FORMAT, "the MBN header's signature or certificate pointers lie outside the image");
	return 0;
}

/* ----- reading from memory or a file ----- */

struct src {
	qc_ctx *ctx;
	const char *name;
	const uint8_t *mem;
	int fd;
	uint64_t size;
};

/* Puts the file's name in front of the sentence a building block left. */
static int name_fail(struct src *s, int rc)
{
	char msg[900];

	if (!s->ctx)
		return rc;
	snprintf(msg, sizeof(msg), "%s", qc_last_error(s->ctx));
	return qc_fail(s->ctx, rc, "%s: %s", s->name, msg);
}

static int src_read(struct src *s, uint64_t off, void *buf, size_t len, const char *what)
{
	if (off > s->size || len > s->size - off)
		return qc_fail(s->ctx, QC_E_FORMAT, "%s: the %s (bytes 0x%llx+0x%zx) runs past the end of the file (%llu bytes)",
			       s->name, what, (unsigned long long)off, len, (unsigned long long)s->size);
	if (s->mem) {
		memcpy(buf, s->mem + off, len);
		return 0;
	}
	for (size_t done = 0; done < len;) {
		ssize_t n = pread(s->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return qc_fail(s->ctx, QC_E_IO, "%s: read failed at offset %llu: %s", s->name,
				       (unsigned long long)(off + done), n < 0 ? strerror(errno) : "file shrank");
		done += (size_t)n;
	}
	return 0;
}

/* Digest of file bytes [off, off+len) in constant memory. */
static int src_digest(struct src *s, uint64_t off, uint64_t len, unsigned dlen, uint8_t *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t buf[65536];
	int rc = 0;

	if (!md || !EVP_DigestInit_ex(md, dlen == 48 ? EVP_sha384() : EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(md);
		return qc_fail(s->ctx, QC_E_NOMEM, "cannot set up a digest");
	}
	if (s->mem) {
		EVP_DigestUpdate(md, s->mem + off, (size_t)len);
	} else {
		while (len && rc == 0) {
			size_t n = len < sizeof(buf) ? (size_t)len : sizeof(buf);

			rc = src_read(s, off, buf, n, "segment");
			EVP_DigestUpdate(md, buf, n);
			off += n;
			len -= n;
		}
	}
	EVP_DigestFinal_ex(md, out, NULL);
	EVP_MD_CTX_free(md);
	return rc;
}

/* ----- identity ----- */

/* v6+ metadata: major, minor, sw_id, hw_id, oem_id, model_id, app_id, flags,
 * then twelve SoC hardware versions. */
static void take_metadata(struct qc_mbn_info *info, const uint8_t *md, size_t len)
{
	if (len < 24)
		return;
	info->have_sw_id = true;
	info->sw_id = qc_get_le32(md + 8);
	info->have_hwid = true;
	info->hwid = (uint64_t)qc_get_le32(md + 12) << 32 | (uint64_t)(qc_get_le32(md + 16) & 0xffff) << 16 |
		     (qc_get_le32(md + 20) & 0xffff);
	info->hwid_source = "metadata";
	for (unsigned i = 0; i < 12 && 32 + 4 * (i + 1) <= len; i++) {
		uint32_t v = qc_get_le32(md + 32 + 4 * i);

		if (v && info->nsoc < 12)
			info->soc_vers[info->nsoc++] = (uint16_t)v;
	}
}

static void take_chain(struct qc_mbn_info *info, const uint8_t *chain, size_t len, bool sha384_default, bool signed_)
{
	struct qc_mbn_identity *id = &info->id;
	bool sha384;

	if (qc_mbn_parse_chain(NULL, chain, len, id) <= 0)
		return;
	info->is_signed = signed_;
	if (id->have_hw_id) {
		info->have_hwid = true;
		info->hwid = id->hw_id;
		info->hwid_source = "certificate";
	}
	if (id->have_sw_id) {
		info->have_sw_id = true;
		info->sw_id = (uint32_t)id->sw_id;
	}
	sha384 = id->ou_sha384 ? true : id->ou_sha256 ? false : sha384_default;
	info->pkhash_len = sha384 ? 48 : 32;
	memcpy(info->pkhash, sha384 ? id->root_sha384 : id->root_sha256, info->pkhash_len);
}

static void finish_ids(struct qc_mbn_info *info)
{
	if (!info->have_hwid)
		return;
	info->msm_id = (uint32_t)(info->hwid >> 32);
	info->oem_id = (uint16_t)(info->hwid >> 16);
	info->model_id = (uint16_t)info->hwid;
}

static int parse_elf(struct src *s, const uint8_t *head, size_t headlen, unsigned flags, struct qc_mbn_info *info)
{
	struct qc_elf_header eh;
	struct qc_elf_phdr *ph = NULL;
	uint8_t *table = NULL, *seg = NULL;
	struct qc_mbn_hashseg hs;
	int rc = qc_elf_parse_header(s->ctx, head, headlen, &eh);

	/* A file shorter than its ELF class's header is damaged, not
	 * something else. */
	if (rc < 0)
		return name_fail(s, QC_E_FORMAT);
	info->format = eh.is64 ? QC_MBN_ELF64 : QC_MBN_ELF32;
	info->machine = eh.machine;
	info->phnum = eh.phnum;
	info->end = eh.is64 ? QC_ELF64_EHDR_LEN : QC_ELF32_EHDR_LEN;
	table = malloc((size_t)eh.phnum * eh.phentsize);
	ph = calloc(eh.phnum, sizeof(*ph));
	if (!table || !ph) {
		rc = qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
		goto out;
	}
	rc = src_read(s, eh.phoff, table, (size_t)eh.phnum * eh.phentsize, "program header table");
	if (rc < 0)
		goto out;
	if (eh.phoff + (uint64_t)eh.phnum * eh.phentsize > info->end)
		info->end = eh.phoff + (uint64_t)eh.phnum * eh.phentsize;
	for (unsigned i = 0; i < eh.phnum; i++) {
		qc_elf_parse_phdr(&eh, table, i, &ph[i]);
		if (ph[i].offset > s->size || ph[i].filesz > s->size - ph[i].offset) {
			rc = qc_fail(s->ctx, QC_E_FORMAT,
				     "%s: segment %u (offset 0x%llx, 0x%llx bytes) runs past the end of the file (%llu bytes)",
				     s->name, i, (unsigned long long)ph[i].offset, (unsigned long long)ph[i].filesz,
				     (unsigned long long)s->size);
			goto out;
		}
		if (ph[i].filesz && ph[i].offset + ph[i].filesz > info->end)
			info->end = ph[i].offset + ph[i].filesz;
	}
	/* Section headers are not loaded, but they belong to the file. */
	if (eh.shoff && eh.shnum && eh.shentsize && eh.shoff <= s->size &&
	    (uint64_t)eh.shnum * eh.shentsize <= s->size - eh.shoff && eh.shoff + (uint64_t)eh.shnum * eh.shentsize > info->end)
		info->end = eh.shoff + (uint64_t)eh.shnum * eh.shentsize;

	info->hash_segment = qc_mbn_find_hash_segment(ph, eh.phnum);
	info->hashes_ok = -1;
	info->first_bad_segment = -1;
	if (info->hash_segment < 0) {
		rc = 0;
		goto out;
	}
	const struct qc_elf_phdr *h = &ph[info->hash_segment];

	if (h->filesz > QC_MBN_MAX_HASHSEG) {
		rc = qc_fail(s->ctx, QC_E_FORMAT, "%s: the hash segment claims %llu bytes (at most %u are accepted)",
			     s->name, (unsigned long long)h->filesz, QC_MBN_MAX_HASHSEG);
		goto out;
	}
	seg = malloc(h->filesz ? (size_t)h->filesz : 1);
	if (!seg) {
		rc = qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
		goto out;
	}
	rc = src_read(s, h->offset, seg, (size_t)h->filesz, "hash segment");
	if (rc < 0)
		goto out;
	rc = qc_mbn_parse_hashseg(s->ctx, seg, (size_t)h->filesz, &hs);
	if (rc < 0) {
		rc = name_fail(s, QC_E_FORMAT);
		goto out;
	}
	info->hash_segment_version = hs.version;
	info->image_id = hs.image_id;
	info->hash_algorithm = hs.digest_len == 48 ? "sha384" : "sha256";
	if (hs.version >= 7) {
		info->have_sw_id = true;
		info->sw_id = hs.sw_id;
	}
	if (hs.oem_md_len)
		take_metadata(info, seg + hs.oem_md_off, hs.oem_md_len);
	else if (hs.qti_md_len)
		take_metadata(info, seg + hs.qti_md_off, hs.qti_md_len);
	/* The OEM chain is the one a fused device checks; an image signed
	 * only by Qualcomm carries just the QTI chain. */
	if (hs.chain_len)
		take_chain(info, seg + hs.chain_off, hs.chain_len, hs.version >= 6, hs.sig_len > 0);
	else if (hs.qti_chain_len)
		take_chain(info, seg + hs.qti_chain_off, hs.qti_chain_len, hs.version >= 6, hs.qti_sig_len > 0);

	if (flags & QC_MBN_VERIFY_HASHES) {
		unsigned n = hs.hash_len / hs.digest_len;
		uint8_t d[48], zero[48] = {0};

		info->hashes_ok = n == eh.phnum;
		for (unsigned i = 0; i < eh.phnum && i < n; i++) {
			const uint8_t *want = seg + hs.hash_off + (size_t)i * hs.digest_len;

			if ((int)i == info->hash_segment || !ph[i].filesz) {
				memcpy(d, zero, hs.digest_len);
			} else {
				rc = src_digest(s, ph[i].offset, ph[i].filesz, hs.digest_len, d);
				if (rc < 0)
					goto out;
			}
			if (memcmp(d, want, hs.digest_len)) {
				info->hashes_ok = 0;
				info->hashes_bad++;
				if (info->first_bad_segment < 0)
					info->first_bad_segment = (int)i;
			}
		}
	}
	rc = 0;
out:
	free(seg);
	free(table);
	free(ph);
	return rc;
}

static int parse_legacy(struct src *s, const uint8_t *head, size_t headlen, struct qc_mbn_info *info)
{
	struct qc_mbn_legacy lh;
	int rc = qc_mbn_parse_legacy(s->ctx, head, headlen, s->size, &lh);

	if (rc < 0)
		return name_fail(s, rc);
	info->format = lh.header_len == 80 ? QC_MBN_LEGACY80 : QC_MBN_LEGACY40;
	info->image_id = lh.image_id;
	info->end = lh.header_len + (uint64_t)lh.image_size;
	info->hash_segment = -1;
	info->hashes_ok = -1;
	info->first_bad_segment = -1;
	if (lh.cert_size) {
		uint64_t off = lh.header_len + (uint64_t)(lh.cert_ptr - lh.dest);
		uint8_t *chain;

		if (lh.cert_size > QC_MBN_MAX_CHAIN)
			return qc_fail(s->ctx, QC_E_FORMAT, "%s: the certificate chain claims %u bytes", s->name,
				       lh.cert_size);
		chain = malloc(lh.cert_size);
		if (!chain)
			return qc_fail(s->ctx, QC_E_NOMEM, "out of memory");
		rc = src_read(s, off, chain, lh.cert_size, "certificate chain");
		if (rc == 0)
			take_chain(info, chain, lh.cert_size, false, lh.sig_size > 0);
		free(chain);
	}
	return rc;
}

static int parse(struct src *s, unsigned flags, struct qc_mbn_info *info)
{
	uint8_t head[80];
	size_t n = s->size < sizeof(head) ? (size_t)s->size : sizeof(head);
	int rc;

	memset(info, 0, sizeof(*info));
	info->file_size = s->size;
	rc = src_read(s, 0, head, n, "header");
	if (rc < 0)
		return rc;
	if (n >= 4 && !memcmp(head, "\x7f" "ELF", 4))
		rc = parse_elf(s, head, n, flags, info);
	else if (n >= 40)
		rc = parse_legacy(s, head, n, info);
	else
		rc = qc_fail(s->ctx, QC_E_FORMAT, "%s: %zu bytes are too few for an ELF or MBN image", s->name, n);
	if (rc == 0)
		finish_ids(info);
	return rc;
}

int qc_mbn_parse_buffer(qc_ctx *ctx, const uint8_t *buf, size_t len, unsigned flags, struct qc_mbn_info *info)
{
	struct src s = {.ctx = ctx, .name = "image", .mem = buf, .fd = -1, .size = len};

	return parse(&s, flags, info);
}

int qc_mbn_parse_file(qc_ctx *ctx, const char *path, unsigned flags, struct qc_mbn_info *info)
{
	struct src s = {.ctx = ctx, .name = path};
	struct stat st;
	int rc;

	s.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (s.fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(s.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(s.fd);
		return qc_fail(ctx, QC_E_FORMAT, "%s is not a regular file", path);
	}
	s.size = (uint64_t)st.st_size;
	rc = parse(&s, flags, info);
	close(s.fd);
	return rc;
}
