/* SPDX-License-Identifier: BSD-3-Clause */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "qcbox/usb.h"

static const struct option common_longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};

int cli_common_opt(struct cli *cli, int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'd':
		cli->device = arg;
		return 0;
	case CLI_OPT_JSON:
		cli->json = true;
		return 0;
	case 'v':
		cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
		return 0;
	case 'q':
		cli->verbosity = -1;
		return 0;
	case CLI_OPT_TRACE:
		cli->trace = arg;
		return 0;
	case CLI_OPT_TIMEOUT: {
		long v = strtol(arg, &end, 10);

		if (*end || v <= 0 || v > 3600000) {
			fprintf(stderr, "%s: --timeout takes milliseconds (1 to 3600000), not '%s'\n", cli->prog, arg);
			return -1;
		}
		cli->timeout_ms = (int)v;
		return 0;
	}
	case CLI_OPT_WAIT: {
		long v = arg ? strtol(arg, &end, 10) : -1;

		if (arg && (*end || v < 0 || v > 86400)) {
			fprintf(stderr, "%s: --wait takes seconds (0 to 86400), as --wait=SECONDS, not '%s'\n", cli->prog,
				arg);
			return -1;
		}
		cli->wait = true;
		cli->wait_ms = v < 0 ? -1 : (int)v * 1000;
		return 0;
	}
	case 'h':
		return 1;
	default:
		return -1;
	}
}

int cli_parse_options(struct cli *cli, int argc, char **argv, const char *shortopts, const struct option *longopts,
		      cli_opt_handler handler, void *user, int *first_arg, const char *usage, bool *help)
{
	struct option opts[64];
	char shorts[64];
	size_t n = 0;

	*help = false;
	for (const struct option *o = longopts; o && o->name; o++)
		if (n < 48)
			opts[n++] = *o;
	for (const struct option *o = common_longopts; o->name; o++)
		opts[n++] = *o;
	opts[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(shorts, sizeof(shorts), "%s%s", &CLI_COMMON_SHORTOPTS[1], shortopts ? shortopts : "");
	optind = 0;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shorts, opts, NULL);
		int rc;

		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			if (optopt && optopt < 256 && isprint(optopt))
				fprintf(stderr, "%s %s: unknown option or missing value: -%c\n", cli->prog, cli->cmd,
					optopt);
			else
				fprintf(stderr, "%s %s: unknown option or missing value: %s\n", cli->prog, cli->cmd,
					argv[optind - 1]);
			return cli_usage(cli, usage);
		}
		rc = cli_common_opt(cli, c, optarg);
		if (rc == 1) {
			*help = true;
			printf("usage: %s %s\n", cli->prog, usage);
			return CLI_OK;
		}
		if (rc == 0)
			continue;
		if (!handler)
			return cli_usage(cli, usage);
		rc = handler(cli, user, c, optarg);
		if (rc)
			return rc;
	}
	*first_arg = optind;
	return cli_apply(cli);
}

static void log_cb(void *user, int level, const char *msg)
{
	struct cli *cli = user;

	cli_progress_end(cli);
	fprintf(stderr, "%s: %s%s\n", cli->prog,
		level == QC_LOG_ERROR ? "error: " : level == QC_LOG_WARN ? "warning: " : "", msg);
}

int cli_apply(struct cli *cli)
{
	qc_set_log(cli->ctx, log_cb, cli);
	qc_set_log_level(cli->ctx, cli->verbosity < 0 ? QC_LOG_ERROR : QC_LOG_WARN + cli->verbosity);
	if (cli->timeout_ms)
		qc_set_timeout(cli->ctx, cli->timeout_ms);
	qc_set_progress(cli->ctx, cli_progress, cli);
	if (cli->trace && qc_set_trace_file(cli->ctx, cli->trace) < 0)
		return cli_fail(cli, QC_E_IO);
	return CLI_OK;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --wait: USB devices are awaited through hotplug; other links (a serial
 * port that appears with the device, a simulator's socket) by retrying. */
static int open_waiting(struct cli *cli, const struct qc_device_spec *s, qc_transport **out)
{
	int64_t deadline = cli->wait_ms < 0 ? -1 : now_ms() + cli->wait_ms;
	int rc;

	if (s->kind == QC_TRANSPORT_USB) {
		cli_info(cli, "waiting for the device%s...\n", cli->wait_ms < 0 ? " (Ctrl-C to stop)" : "");
		rc = qc_usb_wait(cli->ctx, s, cli->wait_ms);
		if (rc == QC_E_TIMEOUT) {
			char why[512];

			snprintf(why, sizeof(why), "%s", qc_last_error(cli->ctx));
			return qc_fail(cli->ctx, QC_E_NODEV, "%s", why);
		}
		if (rc < 0)
			return rc;
		/* udev may still be setting the node's permissions. */
		if (deadline >= 0 && deadline < now_ms() + 2000)
			deadline = now_ms() + 2000;
	}
	for (;;) {
		rc = qc_transport_open_spec(cli->ctx, s, out);
		if (rc == 0 || (rc != QC_E_NODEV && rc != QC_E_PERM))
			return rc;
		if (deadline >= 0 && now_ms() >= deadline)
			return rc;
		sleep_ms(100);
	}
}

int cli_open_device(struct cli *cli, qc_transport **out)
{
	struct qc_device_spec s;
	int rc;

	if (!cli->wait) {
		rc = qc_transport_open(cli->ctx, cli->device ? cli->device : "usb", out);
		return rc < 0 ? rc : 0;
	}
	rc = qc_device_spec_parse(cli->ctx, cli->device ? cli->device : "usb", &s);
	if (rc == 0)
		rc = open_waiting(cli, &s, out);
	return rc < 0 ? rc : 0;
}

int cli_exit_for(int err)
{
	switch (err) {
	case QC_OK:
		return CLI_OK;
	case QC_E_INVAL:
	case QC_E_FORMAT:
		return CLI_USAGE;
	case QC_E_NODEV:
	case QC_E_AMBIGUOUS:
		return CLI_NODEV;
	default:
		return CLI_FAILED;
	}
}

static void json_error(struct cli *cli, const char *msg, int err)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	if (err)
		json_object_object_add(o, "code", json_object_new_string(qc_error_name(err)));
	cli_json_print(cli, o);
}

int cli_fail(struct cli *cli, int err)
{
	const char *msg = qc_last_error(cli->ctx);

	if (!msg[0])
		msg = qc_strerror(err);
	cli_progress_end(cli);
	fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, msg);
	if (cli->json)
		json_error(cli, msg, err);
	return cli_exit_for(err);
}

int cli_error(struct cli *cli, int code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_progress_end(cli);
	fprintf(stderr, "%s: %s: %s\n", cli->prog, cli->cmd, msg);
	if (cli->json)
		json_error(cli, msg, 0);
	return code;
}

int cli_usage(struct cli *cli, const char *usage)
{
	fprintf(stderr, "usage: %s %s\n", cli->prog, usage);
	return CLI_USAGE;
}

void cli_warn(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	cli_progress_end(cli);
	fprintf(stderr, "%s: warning: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_out(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void cli_info(struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->json || cli->verbosity < 0)
		return;
	cli_progress_end(cli);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void cli_json_print(struct cli *cli, json_object *obj)
{
	(void)cli;
	printf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								   JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

int cli_parse_u64(struct cli *cli, const char *what, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return cli_error(cli, CLI_USAGE, "%s: '%s' is not a number", what, s ? s : "");
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return cli_error(cli, CLI_USAGE, "%s: '%s' is not a number", what, s);
	*out = v;
	return CLI_OK;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int cli_parse_hex(struct cli *cli, const char *what, const char *s, uint8_t **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	uint8_t *b = malloc(cap);
	int hi = -1;

	if (!b)
		return cli_error(cli, CLI_FAILED, "out of memory");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s) || *s == ':') {
			if (hi >= 0)
				break;
			continue;
		}
		v = hexval((unsigned char)*s);
		if (v < 0)
			break;
		if (hi < 0) {
			hi = v;
		} else {
			b[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (*s || hi >= 0) {
		free(b);
		return cli_error(cli, CLI_USAGE, "%s: not a whole number of hex bytes", what);
	}
	*out = b;
	*len = n;
	return CLI_OK;
}

char *cli_hex(const void *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = buf;
	char *s = malloc(2 * len + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[2 * len] = '\0';
	return s;
}
