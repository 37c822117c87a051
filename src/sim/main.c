/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox-sim: a simulated Qualcomm phone for testing qcbox and other tools. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_impl.h"

const struct qcsim_option *qcsim_core_options(void);
int qcsim_option_kind(const char *name);

static void print_options(const char *title, const struct qcsim_option *o)
{
	if (!o || !o->name)
		return;
	printf("\n%s:\n", title);
	for (; o->name; o++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		printf("  %-28s %s\n", left, o->help);
	}
}

static void usage(void)
{
	printf("usage: qcbox-sim [--mode MODE] --listen unix:PATH|tcp:PORT|pty[:LINK] [options]\n"
	       "A simulated Qualcomm phone: the device side of Sahara, Firehose, DIAG, DLOAD and\n"
	       "Streaming DLOAD, for testing without hardware.\n");
	print_options("Options", qcsim_core_options());
	for (size_t i = 0; qcsim_modes[i]; i++) {
		char title[64];

		snprintf(title, sizeof(title), "%s mode", qcsim_modes[i]->name);
		print_options(title, qcsim_modes[i]->options);
	}
}

int main(int argc, char **argv)
{
	struct qcsim *sim = qcsim_new();
	int rc;

	if (!sim) {
		fprintf(stderr, "qcbox-sim: out of memory\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 1; i < argc; i++) {
		char name[128];
		const char *a = argv[i], *value = NULL, *eq;
		int kind;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			qcsim_free(sim);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("qcbox-sim 0.1.0\n");
			qcsim_free(sim);
			return 0;
		}
		if (strncmp(a, "--", 2) || strlen(a) >= sizeof(name) + 2) {
			fprintf(stderr, "qcbox-sim: unexpected argument '%s' (see --help)\n", a);
			qcsim_free(sim);
			return 2;
		}
		snprintf(name, sizeof(name), "%s", a + 2);
		eq = strchr(a + 2, '=');
		if (eq) {
			name[eq - (a + 2)] = '\0';
			value = eq + 1;
		}
		kind = qcsim_option_kind(name);
		if (kind == 1 && !value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "qcbox-sim: option --%s needs a value\n", name);
				qcsim_free(sim);
				return 2;
			}
			value = argv[++i];
		}
		if (qcsim_set_option(sim, name, value) < 0) {
			fprintf(stderr, "qcbox-sim: %s\n", qc_last_error(qcsim_ctx(sim)));
			qcsim_free(sim);
			return 2;
		}
	}
	if (!qcsim_opt(sim, "listen")) {
		fprintf(stderr, "qcbox-sim: --listen unix:PATH|tcp:PORT|pty[:LINK] is required\n");
		qcsim_free(sim);
		return 2;
	}
	rc = qcsim_listen_and_serve(sim, qcsim_opt(sim, "listen"));
	if (rc < 0)
		fprintf(stderr, "qcbox-sim: %s\n", qc_last_error(qcsim_ctx(sim)));
	qcsim_free(sim);
	return rc < 0 ? 1 : 0;
}
