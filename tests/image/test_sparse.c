/* SPDX-License-Identifier: BSD-3-Clause */
/* Android sparse images: img2simg output (AOSP libsparse, a third-party
 * writer), hand-made images with CRC32 chunks, and every kind of malformed
 * header and chunk. */
#include "testutil.h"

#include "qcbox/gpt.h"
#include "qcbox/sparse.h"

static qc_ctx *ctx;
static char *tmp;

static int setup(void **state)
{
	(void)state;
	ctx = qc_ctx_new();
	tmp = tmpdir_new();
	return ctx ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	qc_ctx_free(ctx);
	tmpdir_free(tmp);
	return 0;
}

static char *tpath(const char *name)
{
	static char buf[8][600];
	static int k;

	k = (k + 1) % 8;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmp, name);
	return buf[k];
}

/* Deterministic "random" data. */
static void fill_noise(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

/* A raw image with data, zero runs, a repeated pattern, a hole and a
 * partial last block. */
static uint8_t *make_raw(size_t *len)
{
	const size_t bs = 4096, n = 40 * bs + 1000;
	uint8_t *r = calloc(1, n);

	fill_noise(r, 3 * bs, 1);
	for (size_t i = 8 * bs; i < 10 * bs; i += 4)
		memcpy(r + i, "\xab\xcd\xef\x01", 4);
	fill_noise(r + 20 * bs, bs + 17, 2);
	fill_noise(r + 40 * bs, 1000, 3);
	*len = n;
	return r;
}

static void expand_and_compare(const char *sparse, const uint8_t *want, size_t want_len)
{
	uint8_t *got;
	size_t len;

	assert_int_equal(qc_sparse_unsparse(ctx, sparse, tpath("expanded.img")), 0);
	got = slurp(tpath("expanded.img"), &len);
	assert_non_null(got);
	/* the sparse image holds whole blocks: the tail is zero padding */
	assert_true(len >= want_len);
	assert_memory_equal(got, want, want_len);
	for (size_t i = want_len; i < len; i++)
		assert_int_equal(got[i], 0);
	free(got);
}

static void test_img2simg(void **state)
{
	uint8_t *raw;
	size_t len;
	char cmd[2000];
	qc_sparse *s;
	struct qc_sparse_range r;

	(void)state;
	if (system("command -v img2simg >/dev/null 2>&1")) {
		fprintf(stderr, "img2simg is not installed (android-sdk-libsparse-utils): skipped\n");
		skip();
	}
	raw = make_raw(&len);
	spit(tpath("raw.img"), raw, len);
	snprintf(cmd, sizeof(cmd), "img2simg '%s' '%s' >/dev/null 2>&1", tpath("raw.img"), tpath("a.simg"));
	assert_int_equal(system(cmd), 0);
	assert_int_equal(qc_sparse_is_sparse(ctx, tpath("a.simg")), 1);
	assert_int_equal(qc_sparse_is_sparse(ctx, tpath("raw.img")), 0);
	assert_int_equal(qc_sparse_open(ctx, tpath("a.simg"), &s), 0);
	const struct qc_sparse_header *h = qc_sparse_get_header(s);
	const struct qc_sparse_stats *st = qc_sparse_get_stats(s);

	assert_int_equal(h->block_size, 4096);
	assert_int_equal(h->total_blocks, 41);
	assert_int_equal(st->expanded_bytes, 41 * 4096);
	/* blocks 0-2 and 20-21 and 40 are data, 8-9 the pattern, the rest zero */
	assert_int_equal(st->raw_bytes, 6 * 4096);
	assert_int_equal(st->raw_bytes + st->fill_bytes + st->dont_care_bytes, st->expanded_bytes);
	uint64_t next = 0, raw_seen = 0;
	int fills_with_pattern = 0;

	while (qc_sparse_next(s, &r) > 0) {
		assert_int_equal(r.out_block, next);
		next += r.blocks;
		if (r.type == QC_SPARSE_RAW) {
			uint8_t *b = malloc(r.bytes);

			assert_int_equal(qc_sparse_read(s, &r, 0, b, r.bytes), 0);
			size_t cmp = r.out_offset + r.bytes <= len ? r.bytes : len - r.out_offset;

			assert_memory_equal(b, raw + r.out_offset, cmp);
			free(b);
			raw_seen += r.bytes;
		}
		if (r.type == QC_SPARSE_FILL && r.fill == 0x01efcdabu) {
			assert_memory_equal(r.fill_bytes, "\xab\xcd\xef\x01", 4);
			assert_int_equal(r.out_block, 8);
			assert_int_equal(r.blocks, 2);
			fills_with_pattern++;
		}
	}
	assert_int_equal(next, 41);
	assert_int_equal(raw_seen, st->raw_bytes);
	assert_int_equal(fills_with_pattern, 1);
	/* the whole-image CRC equals the CRC of the raw file padded to blocks */
	uint32_t crc;

	assert_int_equal(qc_sparse_verify(s, &crc), 0);
	assert_int_equal(crc, qc_crc32_zeros(qc_crc32(raw, len), 41 * 4096 - len));
	qc_sparse_close(s);
	expand_and_compare(tpath("a.simg"), raw, len);

	/* and the other way: our raw-to-sparse conversion expands with
	 * simg2img (AOSP) to the same bytes */
	assert_int_equal(qc_sparse_from_raw(ctx, tpath("raw.img"), tpath("b.simg"), 4096, QC_SPARSE_ZERO_AS_DONT_CARE),
			 0);
	snprintf(cmd, sizeof(cmd), "simg2img '%s' '%s' >/dev/null 2>&1", tpath("b.simg"), tpath("b.raw"));
	assert_int_equal(system(cmd), 0);
	uint8_t *back;
	size_t blen;

	back = slurp(tpath("b.raw"), &blen);
	assert_int_equal(blen, 41 * 4096);
	assert_memory_equal(back, raw, len);
	free(back);
	assert_int_equal(qc_sparse_open(ctx, tpath("b.simg"), &s), 0);
	assert_int_equal(qc_sparse_get_stats(s)->dont_care_chunks, 3);
	assert_int_equal(qc_sparse_get_stats(s)->fill_chunks, 1);
	qc_sparse_close(s);
	free(raw);
}

/* Writer -> reader with every chunk type and CRC chunks in the middle and
 * at the end. */
static void test_writer_crc(void **state)
{
	qc_sparse_writer *w;
	qc_sparse *s;
	struct qc_sparse_range r;
	uint8_t data[3 * 1024];
	uint8_t want[12 * 1024] = {0};

	(void)state;
	fill_noise(data, sizeof(data), 7);
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("w.simg"), 1024, 12, true, &w), 0);
	assert_int_equal(qc_sparse_writer_raw(w, data, 3), 0);
	memcpy(want, data, sizeof(data));
	assert_int_equal(qc_sparse_writer_fill(w, 0x11223344u, 2), 0);
	for (int i = 3 * 1024; i < 5 * 1024; i += 4)
		memcpy(want + i, "\x44\x33\x22\x11", 4);
	assert_int_equal(qc_sparse_writer_crc(w), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 4), 0);
	assert_int_equal(qc_sparse_writer_raw(w, data, 2), 0);
	memcpy(want + 9 * 1024, data, 2048);
	assert_int_equal(qc_sparse_writer_fill(w, 0, 1), 0);
	assert_int_equal(qc_sparse_writer_close(w), 0);

	assert_int_equal(qc_sparse_open(ctx, tpath("w.simg"), &s), 0);
	assert_int_equal(qc_sparse_get_header(s)->total_chunks, 7);
	assert_int_equal(qc_sparse_get_stats(s)->crc_chunks, 2);
	int n = 0;
	int rc;

	while ((rc = qc_sparse_next(s, &r)) > 0)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 7);
	uint32_t crc;

	assert_int_equal(qc_sparse_verify(s, &crc), 0);
	assert_int_equal(crc, qc_crc32(want, sizeof(want)));
	qc_sparse_close(s);
	expand_and_compare(tpath("w.simg"), want, sizeof(want));

	/* a RAW byte changed after the fact: the first CRC chunk catches it,
	 * both while iterating and in verify */
	size_t len;
	uint8_t *img = slurp(tpath("w.simg"), &len);

	img[28 + 12 + 100] ^= 0x20;
	spit(tpath("bad.simg"), img, len);
	assert_int_equal(qc_sparse_open(ctx, tpath("bad.simg"), &s), 0);
	assert_int_equal(qc_sparse_next(s, &r), 1);
	assert_int_equal(qc_sparse_next(s, &r), 1);
	assert_int_equal(qc_sparse_next(s, &r), QC_E_CRC);
	assert_non_null(strstr(qc_last_error(ctx), "chunk 2"));
	assert_int_equal(qc_sparse_verify(s, NULL), QC_E_CRC);
	qc_sparse_close(s);
	assert_int_equal(qc_sparse_unsparse(ctx, tpath("bad.simg"), tpath("bad.raw")), QC_E_CRC);

	/* the header's image_checksum is checked by verify when set */
	img[28 + 12 + 100] ^= 0x20;
	uint32_t good = qc_crc32(want, sizeof(want));

	for (int i = 0; i < 4; i++)
		img[24 + i] = (uint8_t)((good + 1) >> (8 * i));
	spit(tpath("sum.simg"), img, len);
	assert_int_equal(qc_sparse_open(ctx, tpath("sum.simg"), &s), 0);
	assert_int_equal(qc_sparse_verify(s, NULL), QC_E_CRC);
	assert_non_null(strstr(qc_last_error(ctx), "image_checksum"));
	qc_sparse_close(s);
	free(img);

	/* the writer refuses to declare what it did not write */
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("short.simg"), 1024, 12, false, &w), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 11), 0);
	assert_int_equal(qc_sparse_writer_close(w), QC_E_RANGE);
	assert_int_equal(access(tpath("short.simg"), F_OK), -1);
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("long.simg"), 1024, 2, false, &w), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 3), QC_E_RANGE);
	qc_sparse_writer_abort(w);
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("x.simg"), 1022, 2, false, &w), QC_E_INVAL);
}

/* A large fill and don't-care run: the CRC is computed without expanding
 * (this would take seconds byte by byte). */
static void test_big_runs(void **state)
{
	qc_sparse_writer *w;
	qc_sparse *s;
	uint32_t crc;

	(void)state;
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("big.simg"), 4096, 0x40000000u, true, &w), 0);
	assert_int_equal(qc_sparse_writer_fill(w, 0xdeadbeefu, 0x20000000u), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 0x20000000u), 0);
	assert_int_equal(qc_sparse_writer_close(w), 0);
	assert_int_equal(qc_sparse_open(ctx, tpath("big.simg"), &s), 0);
	assert_int_equal(qc_sparse_get_stats(s)->expanded_bytes, 4ull << 40);
	assert_int_equal(qc_sparse_verify(s, &crc), 0);
	qc_sparse_close(s);
	/* cross-check the fill part on a small scale */
	uint8_t b[4096 * 4];

	for (size_t i = 0; i < sizeof(b); i += 4)
		memcpy(b + i, "\xef\xbe\xad\xde", 4);
	assert_int_equal(qc_sparse_writer_open(ctx, tpath("small.simg"), 4096, 6, false, &w), 0);
	assert_int_equal(qc_sparse_writer_fill(w, 0xdeadbeefu, 4), 0);
	assert_int_equal(qc_sparse_writer_skip(w, 2), 0);
	assert_int_equal(qc_sparse_writer_close(w), 0);
	assert_int_equal(qc_sparse_open(ctx, tpath("small.simg"), &s), 0);
	assert_int_equal(qc_sparse_verify(s, &crc), 0);
	assert_int_equal(crc, qc_crc32_zeros(qc_crc32(b, sizeof(b)), 2 * 4096));
	qc_sparse_close(s);
}

/* Little-endian header/chunk builders for the malformed images. */
static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct img {
	uint8_t b[4096];
	size_t len;
};

static void hdr(struct img *m, uint32_t blk, uint32_t blocks, uint32_t chunks)
{
	memset(m, 0, sizeof(*m));
	le32(m->b, QC_SPARSE_MAGIC);
	le16(m->b + 4, 1);
	le16(m->b + 8, 28);
	le16(m->b + 10, 12);
	le32(m->b + 12, blk);
	le32(m->b + 16, blocks);
	le32(m->b + 20, chunks);
	m->len = 28;
}

static void chunk(struct img *m, uint16_t type, uint32_t blocks, uint32_t total, size_t data)
{
	le16(m->b + m->len, type);
	le32(m->b + m->len + 4, blocks);
	le32(m->b + m->len + 8, total);
	m->len += 12 + data;
}

static void expect_bad(struct img *m, const char *words)
{
	qc_sparse *s = NULL;

	spit(tpath("m.simg"), m->b, m->len);
	assert_int_equal(qc_sparse_open(ctx, tpath("m.simg"), &s), QC_E_FORMAT);
	assert_null(s);
	if (!strstr(qc_last_error(ctx), words)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", qc_last_error(ctx), words);
		fail();
	}
	assert_non_null(strstr(qc_last_error(ctx), "m.simg"));
}

static void test_malformed(void **state)
{
	struct img m;
	qc_sparse *s;

	(void)state;
	/* a valid two-chunk image first, to be sure the builders are right */
	hdr(&m, 512, 3, 2);
	chunk(&m, QC_SPARSE_RAW, 1, 12 + 512, 512);
	chunk(&m, QC_SPARSE_DONT_CARE, 2, 12, 0);
	spit(tpath("m.simg"), m.b, m.len);
	assert_int_equal(qc_sparse_open(ctx, tpath("m.simg"), &s), 0);
	qc_sparse_close(s);

	hdr(&m, 512, 3, 2);
	m.b[0] ^= 1;
	expect_bad(&m, "magic");
	hdr(&m, 512, 3, 0);
	le16(m.b + 4, 2);
	expect_bad(&m, "version 2");
	hdr(&m, 512, 3, 0);
	le16(m.b + 8, 20);
	expect_bad(&m, "file_hdr_sz");
	hdr(&m, 512, 3, 0);
	le16(m.b + 10, 8);
	expect_bad(&m, "chunk_hdr_sz");
	hdr(&m, 510, 3, 0);
	expect_bad(&m, "blk_sz");
	hdr(&m, 0, 3, 0);
	expect_bad(&m, "blk_sz");
	hdr(&m, 512, 3, 0);
	m.len = 20;
	expect_bad(&m, "too short");
	/* chunk sizes that disagree with their content */
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_RAW, 1, 12 + 511, 511);
	expect_bad(&m, "total_sz 523");
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_FILL, 3, 12 + 8, 8);
	expect_bad(&m, "FILL");
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_DONT_CARE, 3, 16, 4);
	expect_bad(&m, "DONT_CARE");
	hdr(&m, 512, 3, 2);
	chunk(&m, QC_SPARSE_DONT_CARE, 3, 12, 0);
	chunk(&m, QC_SPARSE_CRC32, 1, 16, 4);
	expect_bad(&m, "CRC32");
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_RAW, 1, 4, 0);
	expect_bad(&m, "smaller than the chunk header");
	hdr(&m, 512, 3, 1);
	chunk(&m, 0xcac5, 3, 12, 0);
	expect_bad(&m, "unknown type 0xcac5");
	/* blocks against total_blks, both ways */
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_DONT_CARE, 4, 12, 0);
	expect_bad(&m, "past total_blks");
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_DONT_CARE, 2, 12, 0);
	expect_bad(&m, "cover 2 blocks");
	/* chunk count against the file */
	hdr(&m, 512, 3, 2);
	chunk(&m, QC_SPARSE_DONT_CARE, 3, 12, 0);
	expect_bad(&m, "total_chunks");
	hdr(&m, 512, 3, 3);
	chunk(&m, QC_SPARSE_DONT_CARE, 3, 12, 0);
	chunk(&m, QC_SPARSE_DONT_CARE, 0, 12, 0);
	m.len += 6; /* half a third header */
	expect_bad(&m, "truncated");
	hdr(&m, 512, 3, 0xffffffffu);
	expect_bad(&m, "total_chunks");
	/* RAW data promised beyond the end of the file */
	hdr(&m, 512, 3, 1);
	chunk(&m, QC_SPARSE_RAW, 3, 12 + 1536, 100);
	expect_bad(&m, "file ends");
	/* 32-bit overflow of blocks * blk_sz must not wrap into agreement */
	hdr(&m, 1u << 20, 0xffffffffu, 1);
	chunk(&m, QC_SPARSE_RAW, 4096, 12, 0);
	expect_bad(&m, "RAW");

	/* not a sparse image, not a regular file, absent */
	spit(tpath("plain.bin"), "hello world, this is not sparse at all", 38);
	assert_int_equal(qc_sparse_open(ctx, tpath("plain.bin"), &s), QC_E_FORMAT);
	assert_int_equal(qc_sparse_open(ctx, tmp, &s), QC_E_INVAL);
	assert_int_equal(qc_sparse_open(ctx, tpath("nope.simg"), &s), QC_E_NOTFOUND);
	assert_int_equal(qc_sparse_is_sparse(ctx, tpath("nope.simg")), QC_E_NOTFOUND);
	assert_false(qc_sparse_probe("\x3a\xff\x26", 3));
	assert_true(qc_sparse_probe("\x3a\xff\x26\xed", 4));
}

static void test_trailing_and_reads(void **state)
{
	struct img m;
	qc_sparse *s;
	struct qc_sparse_range r;
	uint8_t b[16];

	(void)state;
	hdr(&m, 8, 3, 2);
	chunk(&m, QC_SPARSE_FILL, 2, 16, 0);
	memcpy(m.b + m.len - 0, "\x01\x02\x03\x04", 4);
	m.len += 4;
	chunk(&m, QC_SPARSE_RAW, 1, 20, 0);
	memcpy(m.b + m.len, "ABCDEFGH", 8);
	m.len += 8;
	memcpy(m.b + m.len, "junk", 4);
	m.len += 4;
	spit(tpath("t.simg"), m.b, m.len);
	assert_int_equal(qc_sparse_open(ctx, tpath("t.simg"), &s), 0);
	assert_int_equal(qc_sparse_get_stats(s)->trailing_bytes, 4);
	assert_int_equal(qc_sparse_next(s, &r), 1);
	assert_int_equal(r.type, QC_SPARSE_FILL);
	assert_int_equal(r.fill, 0x04030201u);
	assert_int_equal(qc_sparse_read(s, &r, 3, b, 9), 0);
	assert_memory_equal(b, "\x04\x01\x02\x03\x04\x01\x02\x03\x04", 9);
	assert_int_equal(qc_sparse_read(s, &r, 10, b, 7), QC_E_RANGE);
	assert_int_equal(qc_sparse_next(s, &r), 1);
	assert_int_equal(r.type, QC_SPARSE_RAW);
	assert_int_equal(r.out_offset, 16);
	assert_int_equal(qc_sparse_read(s, &r, 2, b, 6), 0);
	assert_memory_equal(b, "CDEFGH", 6);
	assert_int_equal(qc_sparse_next(s, &r), 0);
	assert_int_equal(qc_sparse_rewind(s), 0);
	assert_int_equal(qc_sparse_next(s, &r), 1);
	assert_int_equal(r.chunk, 0);
	qc_sparse_close(s);
	expand_and_compare(tpath("t.simg"),
			   (const uint8_t *)"\x01\x02\x03\x04\x01\x02\x03\x04"
					    "\x01\x02\x03\x04\x01\x02\x03\x04"
					    "ABCDEFGH",
			   24);
	/* expansion into a pipe-like output writes the zeros itself */
	assert_int_equal(qc_sparse_unsparse(ctx, tpath("t.simg"), "/dev/null"), 0);
	assert_int_equal(qc_sparse_unsparse(ctx, tpath("t.simg"), "/nonexistent-dir/x"), QC_E_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_img2simg),	       cmocka_unit_test(test_writer_crc),
	    cmocka_unit_test(test_big_runs),	       cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_trailing_and_reads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
