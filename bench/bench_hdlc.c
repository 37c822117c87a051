/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDLC throughput: decode-with-CRC-check and encode, on real DIAG captures
 * (or a synthetic log stream when none is given), next to a plain
 * byte-at-a-time implementation measured in the same run.
 * Prints a markdown table row set on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qcbox/hdlc.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The straightforward way: one branch chain per byte, one table step of CRC
 * per byte. */
static uint16_t bw_tab[256];

static void bw_init(void)
{
	for (int i = 0; i < 256; i++) {
		uint16_t c = (uint16_t)i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (uint16_t)((c >> 1) ^ 0x8408) : (uint16_t)(c >> 1);
		bw_tab[i] = c;
	}
}

static void bw_decode(const uint8_t *in, size_t n, uint64_t *frames, uint64_t *bad)
{
	static uint8_t frame[65536];
	size_t len = 0;
	int esc = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (c == 0x7e) {
			if (len >= 3) {
				uint16_t crc = 0xffff;

				for (size_t j = 0; j < len - 2; j++)
					crc = (uint16_t)((crc >> 8) ^ bw_tab[(crc ^ frame[j]) & 0xff]);
				crc ^= 0xffff;
				if (crc == (frame[len - 2] | frame[len - 1] << 8))
					(*frames)++;
				else
					(*bad)++;
			}
			len = 0;
			esc = 0;
		} else if (c == 0x7d) {
			esc = 1;
		} else {
			if (len < sizeof(frame))
				frame[len++] = esc ? c ^ 0x20 : c;
			esc = 0;
		}
	}
}

static size_t bw_encode(const uint8_t *p, size_t n, uint8_t *out)
{
	uint16_t crc = 0xffff;
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		crc = (uint16_t)((crc >> 8) ^ bw_tab[(crc ^ p[i]) & 0xff]);
	crc ^= 0xffff;
	for (size_t i = 0; i < n + 2; i++) {
		uint8_t c = i < n ? p[i] : (uint8_t)(i == n ? crc : crc >> 8);

		if (c == 0x7e || c == 0x7d) {
			out[o++] = 0x7d;
			out[o++] = c ^ 0x20;
		} else {
			out[o++] = c;
		}
	}
	out[o++] = 0x7e;
	return o;
}

static uint8_t *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(*n);
	if (!b || fread(b, 1, *n, f) != *n) {
		fclose(f);
		free(b);
		return NULL;
	}
	fclose(f);
	return b;
}

/* Log packets of 40..400 bytes with realistic content, HDLC-framed. */
static uint8_t *synthetic(size_t *n)
{
	size_t cap = 4u << 20, o = 0;
	uint8_t *b = malloc(cap), p[512];
	unsigned seed = 1;

	while (o + 2 * sizeof(p) < cap) {
		size_t len = 40 + (seed = seed * 1103515245 + 12345) % 360;

		p[0] = 0x10;
		for (size_t i = 1; i < len; i++)
			p[i] = (uint8_t)((seed = seed * 1103515245 + 12345) >> 16);
		o += (size_t)qc_hdlc_encode(p, len, b + o, cap - o, false);
	}
	*n = o;
	return b;
}

int main(int argc, char **argv)
{
	size_t one = 0, total, reps;
	uint8_t *cap = NULL, *big;
	const char *what = "synthetic log stream";

	bw_init();
	/* concatenate the captures, then repeat them to about 128 MiB */
	for (int i = 1; i < argc; i++) {
		size_t n;
		uint8_t *b = load(argv[i], &n);

		if (!b)
			continue;
		cap = realloc(cap, one + n);
		memcpy(cap + one, b, n);
		one += n;
		free(b);
		what = "real DIAG captures";
	}
	if (!one) {
		free(cap);
		cap = synthetic(&one);
	}
	reps = (128u << 20) / one + 1;
	total = reps * one;
	big = malloc(total);
	for (size_t r = 0; r < reps; r++)
		memcpy(big + r * one, cap, one);

	/* decode */
	struct qc_hdlc_decoder d;
	double best = 1e9, best_bw = 1e9;
	uint64_t frames = 0, bad = 0, bw_frames = 0, bw_bad = 0;

	qc_hdlc_decoder_init(&d, 65536);
	for (int round = 0; round < 5; round++) {
		double t0 = now();

		frames = bad = 0;
		qc_hdlc_decoder_reset(&d);
		for (size_t off = 0; off < total;) {
			size_t chunk = total - off < (1u << 20) ? total - off : (1u << 20), pos = 0;

			while (pos < chunk) {
				const uint8_t *f;
				size_t used, fl;
				int rc = qc_hdlc_decode(&d, big + off + pos, chunk - pos, &used, &f, &fl);

				pos += used;
				if (rc == 1)
					frames++;
				else if (rc == QC_E_CRC)
					bad++;
			}
			off += chunk;
		}
		double t = now() - t0;

		best = t < best ? t : best;
		t0 = now();
		bw_frames = bw_bad = 0;
		bw_decode(big, total, &bw_frames, &bw_bad);
		t = now() - t0;
		best_bw = t < best_bw ? t : best_bw;
	}
	if (frames != bw_frames || bad != bw_bad) {
		fprintf(stderr, "decoders disagree: %llu/%llu vs %llu/%llu\n", (unsigned long long)frames,
			(unsigned long long)bad, (unsigned long long)bw_frames, (unsigned long long)bw_bad);
		return 1;
	}

	/* encode: re-frame every decoded payload */
	uint8_t *out = malloc(2 * total + 1024);
	double ebest = 1e9, ebest_bw = 1e9;
	size_t payload_bytes = 0;

	for (int round = 0; round < 5; round++) {
		size_t pos = 0, o = 0, o2 = 0;
		double tq = 0, tb = 0;

		payload_bytes = 0;
		qc_hdlc_decoder_reset(&d);
		while (pos < one) {
			const uint8_t *f;
			size_t used, fl;
			int rc = qc_hdlc_decode(&d, cap + pos, one - pos, &used, &f, &fl);

			pos += used;
			if (rc != 1)
				continue;
			uint8_t tmp[65536];

			memcpy(tmp, f, fl);
			double t0 = now();

			for (size_t r = 0; r < reps; r++)
				o += (size_t)qc_hdlc_encode(tmp, fl, out + (o % total), 2 * total + 1024 - (o % total), false);
			tq += now() - t0;
			t0 = now();
			for (size_t r = 0; r < reps; r++)
				o2 += bw_encode(tmp, fl, out + (o2 % total));
			tb += now() - t0;
			payload_bytes += fl * reps;
		}
		ebest = tq < ebest ? tq : ebest;
		ebest_bw = tb < ebest_bw ? tb : ebest_bw;
	}

	printf("Input: %s, %zu bytes repeated to %.0f MiB, %llu frames per pass, 0 disagreements.\n\n", what, one,
	       (double)total / 1048576.0, (unsigned long long)frames);
	printf("| operation | qcbox | byte-at-a-time | ratio |\n|---|---|---|---|\n");
	printf("| decode + CRC check | %.0f MB/s | %.0f MB/s | %.1fx |\n", (double)total / best / 1e6,
	       (double)total / best_bw / 1e6, best_bw / best);
	printf("| encode (CRC + escape) | %.0f MB/s | %.0f MB/s | %.1fx |\n", (double)payload_bytes / ebest / 1e6,
	       (double)payload_bytes / ebest_bw / 1e6, ebest_bw / ebest);
	qc_hdlc_decoder_free(&d);
	free(out);
	free(big);
	free(cap);
	return 0;
}
