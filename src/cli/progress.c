/* SPDX-License-Identifier: BSD-3-Clause */
/* One progress bar per item on stderr: bytes, MB/s and ETA.  On a terminal
 * it redraws in place at most ten times a second; otherwise it prints a
 * single line when the item is done, so logs stay readable. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void human(char *buf, size_t n, double bytes)
{
	const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
}

static void draw(struct cli *cli, uint64_t done, uint64_t total, bool final)
{
	double secs = (double)(now_ns() - cli->bar_start_ns) / 1e9;
	double rate = secs > 0 ? (double)done / secs : 0;
	char d[32], t[32], line[256];
	int pct = total ? (int)(100.0 * (double)done / (double)total) : 0;

	human(d, sizeof(d), (double)done);
	human(t, sizeof(t), (double)total);
	if (total) {
		char bar[26];
		int fill = pct / 4;
		double eta = rate > 0 ? (double)(total - (done < total ? done : total)) / rate : 0;

		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(25 - fill));
		bar[25] = '\0';
		snprintf(line, sizeof(line), "%-20.20s [%s] %3d%% %s/%s %6.1f MB/s ETA %d:%02d", cli->bar_label, bar,
			 pct, d, t, rate / 1e6, (int)eta / 60, (int)eta % 60);
	} else {
		snprintf(line, sizeof(line), "%-20.20s %s %6.1f MB/s", cli->bar_label, d, rate / 1e6);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
	else if (final)
		fprintf(stderr, "%s in %.1f s\n", line, secs);
}

void cli_progress(void *user, const char *label, uint64_t done, uint64_t total)
{
	struct cli *cli = user;
	uint64_t t = now_ns();

	if (cli->json || cli->verbosity < 0)
		return;
	if (!cli->bar_active || strncmp(cli->bar_label, label, sizeof(cli->bar_label) - 1) ||
	    cli->bar_total != total) {
		cli_progress_end(cli);
		snprintf(cli->bar_label, sizeof(cli->bar_label), "%s", label);
		cli->bar_start_ns = t;
		cli->bar_last_ns = 0;
		cli->bar_total = total;
		cli->bar_active = true;
	}
	if (total && done >= total) {
		draw(cli, done, total, true);
		cli->bar_active = false;
		return;
	}
	if (t - cli->bar_last_ns < 100000000u)
		return;
	cli->bar_last_ns = t;
	draw(cli, done, total, false);
}

/* Ends a bar left open (an error or a log line interrupts it). */
void cli_progress_end(struct cli *cli)
{
	if (!cli->bar_active)
		return;
	cli->bar_active = false;
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
}
