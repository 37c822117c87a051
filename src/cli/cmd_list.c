/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox list: the Qualcomm devices attached over USB, their modes and
 * serials, and the serial ports that carry a DIAG interface. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qcbox/usb.h"

#define LIST_USAGE                                                                                                     \
	"list [--probe] [--no-tty]\n"                                                                                  \
	"  --probe    open EDL devices to tell Sahara from a running Firehose programmer\n"                            \
	"  --no-tty   leave out serial ports (ttyUSB/ttyACM) of DIAG interfaces"

enum { OPT_PROBE = CLI_OPT_FIRST_COMMAND_OPT, OPT_NO_TTY };

static int list_opt(struct cli *cli, void *user, int c, const char *arg)
{
	unsigned *flags = user;

	(void)cli;
	(void)arg;
	if (c == OPT_PROBE)
		*flags |= QC_USB_LIST_PROBE;
	else if (c == OPT_NO_TTY)
		*flags &= ~(unsigned)QC_USB_LIST_TTY;
	else
		return CLI_USAGE;
	return CLI_OK;
}

static json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

static json_object *device_json(const struct qc_usb_device *d)
{
	json_object *o = json_object_new_object();
	char vidpid[16];

	snprintf(vidpid, sizeof(vidpid), "%04x:%04x", d->vid, d->pid);
	json_object_object_add(o, "spec", json_object_new_string(d->spec));
	json_object_object_add(o, "mode", json_object_new_string(qc_usb_mode_name(d->mode)));
	json_object_object_add(o, "serial", str_or_null(d->serial));
	json_object_object_add(o, "transport", json_object_new_string(d->kind == QC_TRANSPORT_TTY ? "tty" : "usb"));
	json_object_object_add(o, "vid_pid", json_object_new_string(vidpid));
	json_object_object_add(o, "bus_port", json_object_new_string(d->bus_port));
	json_object_object_add(o, "interface", json_object_new_int(d->interface));
	json_object_object_add(o, "product", str_or_null(d->product));
	json_object_object_add(o, "manufacturer", str_or_null(d->manufacturer));
	json_object_object_add(o, "driver", str_or_null(d->driver));
	json_object_object_add(o, "mode_probed", json_object_new_boolean(d->mode_probed));
	json_object_object_add(o, "accessible", json_object_new_boolean(d->accessible));
	if (d->kind == QC_TRANSPORT_TTY)
		json_object_object_add(o, "tty", json_object_new_string(d->tty));
	else if (d->speed_mbps)
		json_object_object_add(o, "speed_mbps", json_object_new_int(d->speed_mbps));
	return o;
}

static void print_table(struct cli *cli, const struct qc_usb_device *list, size_t n)
{
	cli_out(cli, "%-24s %-9s %-10s %-9s %-18s %s\n", "DEVICE", "MODE", "VID:PID", "PORT", "SERIAL", "PRODUCT");
	for (size_t i = 0; i < n; i++) {
		const struct qc_usb_device *d = &list[i];
		char vidpid[16], mode[16];

		snprintf(vidpid, sizeof(vidpid), "%04x:%04x", d->vid, d->pid);
		/* A mode read from the USB ID alone is marked as a guess for
		 * EDL, where a programmer may already be running. */
		snprintf(mode, sizeof(mode), "%s%s", qc_usb_mode_name(d->mode),
			 d->mode == QC_USB_MODE_SAHARA && !d->mode_probed ? "?" : "");
		cli_out(cli, "%-24s %-9s %-10s %-9s %-18s %s\n", d->spec, mode, vidpid, d->bus_port,
			d->serial[0] ? d->serial : "-", d->product[0] ? d->product : "-");
	}
	for (size_t i = 0; i < n; i++) {
		const struct qc_usb_device *d = &list[i];

		if (!d->accessible)
			cli_warn(cli, "%s: no permission to open %s; install the udev rules (see qcbox-list(1))",
				 d->spec, d->kind == QC_TRANSPORT_TTY ? d->tty : "the USB device");
		else if (d->kind == QC_TRANSPORT_USB && d->driver[0])
			cli_info(cli,
				 "%s: interface %d is bound to the kernel driver %s; qcbox detaches it while in use\n",
				 d->spec, d->interface, d->driver);
	}
	for (size_t i = 0; i < n; i++) {
		if (list[i].mode == QC_USB_MODE_SAHARA && !list[i].mode_probed) {
			cli_info(cli, "(sahara?: EDL by its USB ID; 'qcbox list --probe' tells a running Firehose "
				      "programmer apart)\n");
			break;
		}
	}
}

int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"probe", no_argument, NULL, OPT_PROBE}, {"no-tty", no_argument, NULL, OPT_NO_TTY}, {NULL, 0, NULL, 0}};
	unsigned flags = QC_USB_LIST_TTY;
	struct qc_usb_device *list;
	size_t n;
	bool help;
	int first, rc;

	rc = cli_parse_options(cli, argc, argv, "", longopts, list_opt, &flags, &first, LIST_USAGE, &help);
	if (rc || help)
		return rc;
	if (first != argc)
		return cli_usage(cli, LIST_USAGE);
	if (cli->wait) {
		struct qc_device_spec spec;

		rc = qc_device_spec_parse(cli->ctx, cli->device ? cli->device : "usb", &spec);
		if (rc == 0 && spec.kind != QC_TRANSPORT_USB)
			return cli_error(cli, CLI_USAGE, "--wait with list waits for USB devices; -d %s is not one",
					 cli->device);
		if (rc == 0) {
			cli_info(cli, "waiting for a device%s...\n", cli->wait_ms < 0 ? " (Ctrl-C to stop)" : "");
			rc = qc_usb_wait(cli->ctx, &spec, cli->wait_ms);
		}
		if (rc == QC_E_TIMEOUT)
			return cli_error(cli, CLI_NODEV, "%s", qc_last_error(cli->ctx));
		if (rc < 0)
			return cli_fail(cli, rc);
	}
	rc = qc_usb_list(cli->ctx, flags, &list, &n);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_object *o = json_object_new_object(), *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, device_json(&list[i]));
		json_object_object_add(o, "devices", arr);
		cli_json_print(cli, o);
	} else if (n) {
		print_table(cli, list, n);
	} else {
		cli_info(cli, "no Qualcomm devices found (in EDL, DIAG or download mode, on USB or a serial port)\n");
	}
	qc_usb_list_free(list);
	return CLI_OK;
}
