/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox diag ...: DIAG requests and offline DIAG stream parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qcbox/diag.h"

#define DIAG_USAGE                                                                                             \
	"diag COMMAND\n"                                                                                       \
	"  send HEX            send a raw request, print the reply\n"                                         \
	"  parse FILE          count frames, CRC errors and commands of a raw DIAG stream\n"

/* Opens the device and a DIAG session on it. */
static int diag_session(struct cli *cli, qc_transport **t, qc_diag **d)
{
	int rc = cli_open_device(cli, t);

	if (rc < 0)
		return rc;
	rc = qc_diag_open(*t, d);
	if (rc < 0) {
		qc_transport_close(*t);
		return rc;
	}
	return 0;
}

static int diag_send(struct cli *cli, int argc, char **argv)
{
	const char *usage = "diag send HEX   (e.g. 'diag send 00' or 'diag send \"4b 13 00 00\"')";
	uint8_t *req, resp[65536];
	size_t len, rlen;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first < 1)
		return cli_usage(cli, usage);
	/* The request may be given as one argument or as several bytes. */
	char joined[8192] = "";

	for (int i = first; i < argc; i++) {
		if (strlen(joined) + strlen(argv[i]) + 2 > sizeof(joined))
			return cli_error(cli, CLI_USAGE, "request too long");
		strcat(joined, argv[i]);
		strcat(joined, " ");
	}
	rc = cli_parse_hex(cli, "request", joined, &req, &len);
	if (rc)
		return rc;
	if (!len) {
		free(req);
		return cli_error(cli, CLI_USAGE, "empty request");
	}
	rc = diag_session(cli, &t, &d);
	if (rc < 0) {
		free(req);
		return cli_fail(cli, rc);
	}
	rc = qc_diag_send(d, req, len);
	if (rc == 0)
		rc = qc_diag_receive(d, resp, sizeof(resp), &rlen, qc_get_timeout(cli->ctx));
	free(req);
	if (rc < 0) {
		qc_diag_close(d);
		qc_transport_close(t);
		return cli_fail(cli, rc);
	}
	if (rlen > sizeof(resp))
		rlen = sizeof(resp);
	char *hex = cli_hex(resp, rlen);
	const char *err = rlen ? qc_diag_error_reply_name(resp[0]) : NULL;

	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "response", json_object_new_string(hex ? hex : ""));
		if (err)
			json_object_object_add(o, "error_reply", json_object_new_string(err));
		cli_json_print(cli, o);
	} else {
		for (size_t i = 0; i < rlen; i++)
			printf("%02x%s", resp[i], (i + 1) % 16 == 0 || i + 1 == rlen ? "\n" : " ");
	}
	if (err)
		fprintf(stderr, "%s: %s: the device answered: %s\n", cli->prog, cli->cmd, err);
	free(hex);
	qc_diag_close(d);
	qc_transport_close(t);
	/* Raw passthrough: an error reply is still a reply, but scripts
	 * should be able to tell. */
	return err ? CLI_FAILED : CLI_OK;
}

struct parse_opts {
	int framing; /* -1 auto */
};

enum { OPT_FRAMING = CLI_OPT_FIRST_COMMAND_OPT };

static int parse_opt(struct cli *cli, void *user, int c, const char *arg)
{
	struct parse_opts *o = user;

	if (c != OPT_FRAMING)
		return CLI_USAGE;
	if (!strcmp(arg, "hdlc"))
		o->framing = QC_FRAMING_HDLC;
	else if (!strcmp(arg, "nhdlc"))
		o->framing = QC_FRAMING_NHDLC;
	else if (!strcmp(arg, "auto"))
		o->framing = -1;
	else
		return cli_error(cli, CLI_USAGE, "--framing takes hdlc, nhdlc or auto");
	return CLI_OK;
}

static int diag_parse(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"framing", required_argument, NULL, OPT_FRAMING},
						 {NULL, 0, NULL, 0}};
	const char *usage = "diag parse [--framing hdlc|nhdlc|auto] FILE";
	struct parse_opts po = {.framing = -1};
	struct qc_diag_stream_stats st;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, parse_opt, &po, &first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - first != 1)
		return cli_usage(cli, usage);
	st.by_log_code = calloc(65536, sizeof(uint64_t));
	if (!st.by_log_code)
		return cli_error(cli, CLI_FAILED, "out of memory");
	rc = qc_diag_stream_parse_file(cli->ctx, argv[first], po.framing < 0 ? QC_FRAMING_HDLC : po.framing,
				       po.framing < 0, &st);
	if (rc < 0) {
		free(st.by_log_code);
		return cli_error(cli, rc == QC_E_NOTFOUND ? CLI_USAGE : CLI_FAILED, "%s", qc_last_error(cli->ctx));
	}
	if (cli->json) {
		json_object *o = json_object_new_object(), *cmds = json_object_new_object(),
			    *logs = json_object_new_object();
		char key[16];

		json_object_object_add(o, "file", json_object_new_string(argv[first]));
		json_object_object_add(o, "frames", json_object_new_int64((int64_t)st.frames));
		json_object_object_add(o, "crc_errors", json_object_new_int64((int64_t)st.crc_errors));
		json_object_object_add(o, "oversized", json_object_new_int64((int64_t)st.oversized));
		json_object_object_add(o, "framing_errors", json_object_new_int64((int64_t)st.framing_errors));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)st.bytes));
		for (int i = 0; i < 256; i++) {
			if (!st.by_cmd[i])
				continue;
			snprintf(key, sizeof(key), "0x%02x", i);
			json_object_object_add(cmds, key, json_object_new_int64((int64_t)st.by_cmd[i]));
		}
		for (int i = 0; i < 65536; i++) {
			if (!st.by_log_code[i])
				continue;
			snprintf(key, sizeof(key), "0x%04x", i);
			json_object_object_add(logs, key, json_object_new_int64((int64_t)st.by_log_code[i]));
		}
		json_object_object_add(o, "commands", cmds);
		json_object_object_add(o, "log_codes", logs);
		cli_json_print(cli, o);
	} else {
		printf("%s: %llu bytes, %llu frames, %llu CRC errors", argv[first], (unsigned long long)st.bytes,
		       (unsigned long long)st.frames, (unsigned long long)st.crc_errors);
		if (st.oversized)
			printf(", %llu oversized", (unsigned long long)st.oversized);
		if (st.framing_errors)
			printf(", %llu framing errors", (unsigned long long)st.framing_errors);
		printf("\ncommand  frames\n");
		for (int i = 0; i < 256; i++)
			if (st.by_cmd[i])
				printf("0x%02x  %9llu%s%s\n", i, (unsigned long long)st.by_cmd[i],
				       i == QC_DIAG_LOG ? "  (log)" : "",
				       i == QC_DIAG_EXT_MSG ? "  (message)" : "");
	}
	free(st.by_log_code);
	/* Damaged frames are data about the capture, not a failure to parse it. */
	return CLI_OK;
}

int cmd_diag(struct cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *, int, char **);
	} sub[] = {
		{"send", diag_send},
		{"parse", diag_parse},
	};

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("usage: %s %s", cli->prog, DIAG_USAGE);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		if (!strcmp(argv[1], sub[i].name)) {
			char cmd[64];

			snprintf(cmd, sizeof(cmd), "diag %s", sub[i].name);
			cli->cmd = cmd;
			int rc = sub[i].fn(cli, argc - 1, argv + 1);

			cli->cmd = "diag";
			return rc;
		}
	return cli_error(cli, CLI_USAGE, "unknown diag command '%s'\nusage: %s %s", argv[1], cli->prog, DIAG_USAGE);
}
