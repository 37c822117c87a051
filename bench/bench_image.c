/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Image-format throughput: CRC-32 (table) against a bit-at-a-time CRC and
 * zlib's crc32 when it is installed; the zero-run operator that checks
 * CRC chunks after DONT_CARE/FILL runs without touching bytes; GPT parsing.
 * Prints markdown rows on stdout.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qcbox/gpt.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t crc_bytewise(uint32_t crc, const uint8_t *p, size_t n)
{
	static uint32_t t[256];

	if (!t[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? (c >> 1) ^ 0xedb88320u : c >> 1;
			t[i] = c;
		}
	crc = ~crc;
	while (n--)
		crc = (crc >> 8) ^ t[(crc ^ *p++) & 0xff];
	return ~crc;
}

int main(void)
{
	const size_t len = 64u << 20;
	uint8_t *buf = malloc(len);
	volatile uint32_t sink = 0;
	double t, best;

	if (!buf)
		return 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 2654435761u >> 13);
	printf("| operation | qcbox | reference | ratio |\n|---|---|---|---|\n");

	best = 1e9;
	for (int r = 0; r < 3; r++) {
		t = now();
		sink ^= qc_crc32(buf, len);
		t = now() - t;
		best = t < best ? t : best;
	}
	double ours = (double)len / best / 1e6;

	t = now();
	sink ^= crc_bytewise(0, buf, len);
	double bw = (double)len / (now() - t) / 1e6;

	printf("| CRC-32, 64 MiB buffer | %.0f MB/s | %.0f MB/s (one table step per byte) | %.1fx |\n", ours, bw,
	       ours / bw);
	/* zlib, if present: the usual yardstick for CRC-32 */
	void *z = dlopen("libz.so.1", RTLD_NOW);
	unsigned long (*zcrc)(unsigned long, const unsigned char *, unsigned) =
	    z ? (unsigned long (*)(unsigned long, const unsigned char *, unsigned))dlsym(z, "crc32") : NULL;

	if (zcrc) {
		best = 1e9;
		for (int r = 0; r < 3; r++) {
			t = now();
			sink ^= (uint32_t)zcrc(0, buf, (unsigned)len);
			t = now() - t;
			best = t < best ? t : best;
		}
		double zl = (double)len / best / 1e6;

		if ((uint32_t)zcrc(0, buf, (unsigned)len) != qc_crc32(buf, len))
			printf("| (zlib disagrees!) | | | |\n");
		printf("| CRC-32, 64 MiB buffer | %.0f MB/s | %.0f MB/s (zlib crc32) | %.2fx |\n", ours, zl, ours / zl);
	}
	/* CRC of 1 TiB of zeros: what a DONT_CARE run costs a CRC check */
	int reps = 100000;

	t = now();
	for (int r = 0; r < reps; r++)
		sink ^= qc_crc32_zeros((uint32_t)r, (1ull << 40) + (uint64_t)r);
	t = now() - t;
	memset(buf, 0, 1u << 20);
	double t2 = now();

	sink ^= qc_crc32(buf, 1u << 20);
	t2 = now() - t2;
	printf("| CRC over a 1 TiB DONT_CARE run | %.2f us | %.0f s (reading zeros at the table rate) | |\n",
	       t / reps * 1e6, t2 * (1 << 20));

	/* GPT: build and parse a 128-entry table, both copies */
	struct qc_gpt_new_partition parts[100];
	char names[100][16];
	qc_ctx *ctx = qc_ctx_new();
	uint8_t *p, *b;
	size_t pl, bl;

	for (int i = 0; i < 100; i++) {
		snprintf(names[i], sizeof(names[i]), "part%d", i);
		parts[i] = (struct qc_gpt_new_partition){names[i],
							 "0fc63daf-8483-4772-8e79-3d69d8477de4",
							 NULL,
							 (uint64_t)64 + 16 * i,
							 (uint64_t)64 + 16 * i + 15,
							 0};
	}
	struct qc_gpt_layout lay = {512, 1 << 20, "4f1e3f5a-0b5b-4c1e-9c7e-2b0f6c1d9a10", 0};

	if (qc_gpt_build(ctx, &lay, parts, 100, &p, &pl, &b, &bl) < 0)
		return 1;
	reps = 20000;
	t = now();
	for (int r = 0; r < reps; r++) {
		struct qc_gpt g;

		if (qc_gpt_parse(ctx, p, pl, b, bl, 512, 1 << 20, &g) < 0 || g.count != 100)
			return 1;
		qc_gpt_free(&g);
	}
	t = now() - t;
	printf("| GPT parse, both copies, 100 partitions | %.1f us | | |\n", t / reps * 1e6);
	free(p);
	free(b);
	qc_ctx_free(ctx);
	free(buf);
	return sink == 0x12345678u;
}
