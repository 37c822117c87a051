/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox diag ...: device identity, raw requests, phone modes, SPC and
 * password, download switches, and offline DIAG stream parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qcbox/diag.h"
#include "qcbox/nv.h"

#define DIAG_USAGE                                                                                             \
	"diag COMMAND\n"                                                                                       \
	"  info                model, build, ESN, IMEI, MEID, DIAG version\n"                                 \
	"  send HEX            send a raw request, print the reply\n"                                         \
	"  mode MODE           offline, online, reset, ftm, lpm or poweroff\n"                                \
	"  spc CODE            send the six-digit service programming code\n"                                 \
	"  password HEX16      send the 8-byte security password\n"                                           \
	"  to-dload            switch the phone to DMSS download mode\n"                                      \
	"  to-edl              switch the phone to EDL (Sahara) mode\n"                                       \
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

static void diag_end(qc_transport *t, qc_diag *d)
{
	qc_diag_close(d);
	qc_transport_close(t);
}

/* Parses the options of a command that takes exactly NARGS positionals. */
static int simple_args(struct cli *cli, int argc, char **argv, int nargs, const char *usage, int *first, bool *help)
{
	int rc = cli_parse_options(cli, argc, argv, "", NULL, NULL, NULL, first, usage, help);

	if (rc || *help)
		return rc;
	if (argc - *first != nargs)
		return cli_usage(cli, usage);
	return CLI_OK;
}

static json_object *json_str_or_null(bool have, const char *s)
{
	return have ? json_object_new_string(s) : NULL;
}

static int diag_info(struct cli *cli, int argc, char **argv)
{
	const char *usage = "diag info";
	struct qc_diag_info info;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;
	char esn[16];

	rc = simple_args(cli, argc, argv, 0, usage, &first, &help);
	if (rc || help)
		return rc;
	rc = diag_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_diag_get_info(d, &info);
	diag_end(t, d);
	if (rc < 0)
		return cli_fail(cli, rc);
	/* The extended build id carries the full model name; the version
	 * reply only its first eight characters. */
	const char *model = info.have_ext && info.ext.model[0] ? info.ext.model : info.version.model;

	snprintf(esn, sizeof(esn), "%08x", info.esn);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "comp_date", json_object_new_string(info.version.comp_date));
		json_object_object_add(o, "comp_time", json_object_new_string(info.version.comp_time));
		json_object_object_add(o, "rel_date", json_object_new_string(info.version.rel_date));
		json_object_object_add(o, "rel_time", json_object_new_string(info.version.rel_time));
		json_object_object_add(o, "model", json_object_new_string(model));
		json_object_object_add(o, "build_id", json_str_or_null(info.have_ext, info.ext.build_id));
		json_object_object_add(o, "esn", json_str_or_null(info.have_esn, esn));
		if (info.have_imei)
			json_object_object_add(o, "imei", json_object_new_string(info.imei));
		if (info.have_imei2)
			json_object_object_add(o, "imei2", json_object_new_string(info.imei2));
		if (info.have_meid)
			json_object_object_add(o, "meid", json_object_new_string(info.meid));
		json_object_object_add(o, "diag_version",
				       info.have_diag_version ? json_object_new_int(info.diag_version) : NULL);
		json_object_object_add(o, "ver_dir", json_object_new_string(info.version.model));
		json_object_object_add(o, "mob_model", json_object_new_int(info.version.mob_model));
		json_object_object_add(o, "mob_firm_rev", json_object_new_int(info.version.mob_firm_rev));
		json_object_object_add(o, "hw_version", json_object_new_int(info.version.hw_major << 8 |
									     info.version.hw_minor));
		if (info.have_ext) {
			char hex[16];

			snprintf(hex, sizeof(hex), "%08x", info.ext.msm_hw_version);
			json_object_object_add(o, "msm_hw_version", json_object_new_string(hex));
			json_object_object_add(o, "mobile_model_id", json_object_new_int64(info.ext.mobile_model_id));
		}
		cli_json_print(cli, o);
		return CLI_OK;
	}
	printf("model         %s\n", model);
	printf("build id      %s\n", info.have_ext ? info.ext.build_id : "(not reported)");
	printf("compiled      %s %s\n", info.version.comp_date, info.version.comp_time);
	printf("released      %s %s\n", info.version.rel_date, info.version.rel_time);
	printf("ESN           %s\n", info.have_esn ? esn : "(none)");
	printf("IMEI          %s%s\n", info.have_imei ? info.imei : "(not set or not readable)",
	       info.have_imei && !qc_imei_luhn_ok(info.imei) ? "  (check digit wrong)" : "");
	if (info.have_imei2)
		printf("IMEI (SIM 2)  %s\n", info.imei2);
	if (info.have_meid)
		printf("MEID          %s\n", info.meid);
	if (info.have_diag_version)
		printf("DIAG version  %u\n", info.diag_version);
	else
		printf("DIAG version  (not reported)\n");
	return CLI_OK;
}

static int diag_mode(struct cli *cli, int argc, char **argv)
{
	const char *usage = "diag mode offline|online|reset|ftm|lpm|poweroff";
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc, mode;

	rc = simple_args(cli, argc, argv, 1, usage, &first, &help);
	if (rc || help)
		return rc;
	mode = qc_diag_mode_from_name(argv[first]);
	if (mode < 0)
		return cli_error(cli, CLI_USAGE, "unknown mode '%s' (offline, online, reset, ftm, lpm, poweroff)",
				 argv[first]);
	rc = diag_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_diag_set_mode(d, (enum qc_diag_mode)mode);
	diag_end(t, d);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "mode", json_object_new_string(qc_diag_mode_name((unsigned)mode)));
		cli_json_print(cli, o);
	} else if (mode == QC_DIAG_MODE_RESET || mode == QC_DIAG_MODE_POWER_OFF) {
		printf("the device accepted %s; its port goes away now\n", qc_diag_mode_name((unsigned)mode));
	} else {
		printf("the device is now %s\n", qc_diag_mode_name((unsigned)mode));
	}
	return CLI_OK;
}

/* SPC and password share the shape: send, report accepted or not. */
static int unlock_result(struct cli *cli, int rc, const char *what)
{
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "accepted", json_object_new_boolean(1));
		cli_json_print(cli, o);
	} else {
		printf("%s accepted\n", what);
	}
	return CLI_OK;
}

static int diag_spc(struct cli *cli, int argc, char **argv)
{
	const char *usage = "diag spc CODE   (six digits, e.g. 000000)";
	const char *code;
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = simple_args(cli, argc, argv, 1, usage, &first, &help);
	if (rc || help)
		return rc;
	code = argv[first];
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return cli_error(cli, CLI_USAGE, "the SPC must be six digits, not '%s'", code);
	rc = diag_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_diag_spc(d, code);
	diag_end(t, d);
	return unlock_result(cli, rc, "SPC");
}

static int diag_password(struct cli *cli, int argc, char **argv)
{
	const char *usage = "diag password HEX16   (8 bytes, e.g. FFFFFFFFFFFFFFFE)";
	qc_transport *t;
	qc_diag *d;
	uint8_t *pw;
	size_t len;
	bool help;
	int first, rc;

	rc = simple_args(cli, argc, argv, 1, usage, &first, &help);
	if (rc || help)
		return rc;
	rc = cli_parse_hex(cli, "password", argv[first], &pw, &len);
	if (rc)
		return rc;
	if (len != 8) {
		free(pw);
		return cli_error(cli, CLI_USAGE, "the password is 16 hex digits (8 bytes), not %zu bytes", len);
	}
	rc = diag_session(cli, &t, &d);
	if (rc < 0) {
		free(pw);
		return cli_fail(cli, rc);
	}
	rc = qc_diag_password(d, pw);
	free(pw);
	diag_end(t, d);
	return unlock_result(cli, rc, "security password");
}

static int diag_switch(struct cli *cli, int argc, char **argv, bool edl)
{
	const char *usage = edl ? "diag to-edl" : "diag to-dload";
	qc_transport *t;
	qc_diag *d;
	bool help;
	int first, rc;

	rc = simple_args(cli, argc, argv, 0, usage, &first, &help);
	if (rc || help)
		return rc;
	rc = diag_session(cli, &t, &d);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = edl ? qc_diag_to_edl(d) : qc_diag_to_dload(d);
	diag_end(t, d);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "switched_to", json_object_new_string(edl ? "sahara" : "dload"));
		cli_json_print(cli, o);
	} else {
		printf("the device is switching to %s; it comes back as a new port\n",
		       edl ? "EDL (Sahara, 05c6:9008)" : "DMSS download mode");
	}
	return CLI_OK;
}

static int diag_to_dload(struct cli *cli, int argc, char **argv) { return diag_switch(cli, argc, argv, false); }
static int diag_to_edl(struct cli *cli, int argc, char **argv) { return diag_switch(cli, argc, argv, true); }

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
		{"info", diag_info},
		{"send", diag_send},
		{"mode", diag_mode},
		{"spc", diag_spc},
		{"password", diag_password},
		{"to-dload", diag_to_dload},
		{"to-edl", diag_to_edl},
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
