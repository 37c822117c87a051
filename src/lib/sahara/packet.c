/* SPDX-License-Identifier: BSD-3-Clause */
/* Sahara packet codec and the tables of names.  Shared by the host and the
 * simulated boot ROM, so the two can never disagree on a layout. */
#include <string.h>

#include "core/bytes.h"
#include "qcbox/sahara.h"

/* Indexed by status code.  The texts are ours: one widely copied table
 * shifts every description by one code, so each line here was checked
 * against the symbolic name on the same row. */
static const struct {
	const char *name, *text;
} statuses[] = {
	{"SUCCESS", "the operation succeeded"},
	{"INVALID_CMD", "the target received a command that is invalid in its current state"},
	{"PROTOCOL_MISMATCH", "the host and the target speak incompatible protocol versions"},
	{"INVALID_TARGET_PROTOCOL", "the target's protocol version is not supported"},
	{"INVALID_HOST_PROTOCOL", "the host's protocol version is not supported by the target"},
	{"INVALID_PACKET_SIZE", "the target received a packet of the wrong size"},
	{"UNEXPECTED_IMAGE_ID", "the image id is not the one the target expected"},
	{"INVALID_HEADER_SIZE", "the image header has an invalid size"},
	{"INVALID_DATA_SIZE", "the image data has an invalid size"},
	{"INVALID_IMAGE_TYPE", "the image is of a type the target does not load"},
	{"INVALID_TX_LENGTH", "the target was asked to send an invalid length"},
	{"INVALID_RX_LENGTH", "the target received an invalid length"},
	{"GENERAL_TX_RX_ERROR", "a transfer in either direction failed"},
	{"READ_DATA_ERROR", "the target could not send a READ_DATA request"},
	{"UNSUPPORTED_NUM_PHDRS", "the image has more program headers than the target supports"},
	{"INVALID_PHDR_SIZE", "a program header has an invalid size"},
	{"MULTIPLE_SHARED_SEG", "the image has more than one shared segment"},
	{"UNINIT_PHDR_LOC", "the program headers lie in an uninitialised location"},
	{"INVALID_DEST_ADDR", "a segment's destination address is not allowed"},
	{"INVALID_IMG_HDR_DATA_SIZE", "the image header's data size is invalid"},
	{"INVALID_ELF_HDR", "the ELF header is invalid"},
	{"UNKNOWN_HOST_ERROR", "the host reported an unknown error"},
	{"TIMEOUT_RX", "the target timed out waiting for data"},
	{"TIMEOUT_TX", "the target timed out sending data"},
	{"INVALID_HOST_MODE", "the mode the host asked for is not valid"},
	{"INVALID_MEMORY_READ", "the memory range asked for may not be read"},
	{"INVALID_DATA_SIZE_REQUEST", "the amount of data asked for is not allowed"},
	{"MEMORY_DEBUG_NOT_SUPPORTED", "the target does not support memory debug"},
	{"INVALID_MODE_SWITCH", "the requested mode switch is not allowed"},
	{"CMD_EXEC_FAILURE", "the client command failed to execute"},
	{"EXEC_CMD_INVALID_PARAM", "the client command had an invalid parameter"},
	{"EXEC_CMD_UNSUPPORTED", "the target does not support this client command"},
	{"EXEC_DATA_INVALID_CLIENT_CMD", "the data request named a different client command"},
	{"HASH_TABLE_AUTH_FAILURE", "the signature over the image's hash table did not verify"},
	{"HASH_VERIFICATION_FAILURE", "a segment of the image does not match its hash"},
	{"HASH_TABLE_NOT_FOUND", "the image has no hash table"},
	{"TARGET_INIT_FAILURE", "the target failed to initialise"},
	{"IMAGE_AUTH_FAILURE", "the image failed authentication (signed for another device or key)"},
	{"INVALID_IMG_HASH_TABLE_SIZE", "the image's hash table has an invalid size"},
	{"ENUMERATION_FAILURE", "USB enumeration failed"},
	{"HW_BULK_TRANSFER_ERROR", "a hardware bulk transfer failed"},
};

#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

const char *qc_sahara_status_name(uint32_t status) { return status < NSTATUS ? statuses[status].name : "UNKNOWN"; }

const char *qc_sahara_status_text(uint32_t status)
{
	return status < NSTATUS ? statuses[status].text : "the target reported a status this host does not know";
}

/* Per command: name and allowed total length.  Lengths come from the
 * packet layouts in the protocol notes (they agree with the constants both
 * public hosts check against). */
static const struct {
	const char *name;
	uint32_t min, max;
} cmds[] = {
	[0x00] = {NULL, 0, 0},
	[QC_SAHARA_HELLO] = {"HELLO", 0x30, 0x30},
	[QC_SAHARA_HELLO_RESP] = {"HELLO_RESP", 0x30, 0x30},
	[QC_SAHARA_READ_DATA] = {"READ_DATA", 0x14, 0x14},
	[QC_SAHARA_END_IMAGE_TX] = {"END_IMAGE_TX", 0x10, 0x10},
	[QC_SAHARA_DONE] = {"DONE", 0x08, 0x08},
	[QC_SAHARA_DONE_RESP] = {"DONE_RESP", 0x0c, 0x0c},
	[QC_SAHARA_RESET] = {"RESET", 0x08, 0x08},
	[QC_SAHARA_RESET_RESP] = {"RESET_RESP", 0x08, 0x08},
	[QC_SAHARA_MEMORY_DEBUG] = {"MEMORY_DEBUG", 0x10, 0x10},
	[QC_SAHARA_MEMORY_READ] = {"MEMORY_READ", 0x10, 0x10},
	/* Header only on the targets we know of; one description adds a u32. */
	[QC_SAHARA_CMD_READY] = {"CMD_READY", 0x08, 0x0c},
	[QC_SAHARA_CMD_SWITCH_MODE] = {"CMD_SWITCH_MODE", 0x0c, 0x0c},
	[QC_SAHARA_CMD_EXECUTE] = {"CMD_EXECUTE", 0x0c, 0x0c},
	[QC_SAHARA_CMD_EXECUTE_RESP] = {"CMD_EXECUTE_RESP", 0x10, 0x10},
	[QC_SAHARA_CMD_EXECUTE_DATA] = {"CMD_EXECUTE_DATA", 0x0c, 0x0c},
	[QC_SAHARA_MEMORY_DEBUG_64] = {"MEMORY_DEBUG_64", 0x18, 0x18},
	[QC_SAHARA_MEMORY_READ_64] = {"MEMORY_READ_64", 0x18, 0x18},
	[QC_SAHARA_READ_DATA_64] = {"READ_DATA_64", 0x20, 0x20},
	[QC_SAHARA_RESET_STATE_MACHINE] = {"RESET_STATE_MACHINE", 0x08, 0x08},
	[QC_SAHARA_WRITE_DATA] = {"WRITE_DATA", 0, 0},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const char *qc_sahara_cmd_name(uint32_t cmd) { return cmd < NCMDS && cmds[cmd].name ? cmds[cmd].name : "UNKNOWN"; }

const char *qc_sahara_mode_name(uint32_t mode)
{
	static const char *const names[] = {"image transfer", "image transfer complete", "memory debug", "command"};

	return mode < 4 ? names[mode] : "unknown";
}

const char *qc_sahara_exec_name(uint32_t c)
{
	static const char *const names[] = {
		"NOP",		      "SERIAL_NUM_READ",    "MSM_HW_ID_READ",	    "OEM_PK_HASH_READ",
		"SWITCH_TO_DMSS_DLOAD", "SWITCH_TO_STREAM_DLOAD", "READ_DEBUG_DATA", "GET_SOFTWARE_VERSION_SBL",
		"GET_COMMAND_ID_LIST",  "GET_TRAINING_DATA",	    "READ_CHIP_ID_V3",
	};

	return c < sizeof(names) / sizeof(names[0]) ? names[c] : "UNKNOWN";
}

int qc_sahara_packet_length(uint32_t cmd, uint32_t *min, uint32_t *max)
{
	if (cmd >= NCMDS || !cmds[cmd].name || !cmds[cmd].min)
		return QC_E_UNSUPPORTED;
	*min = cmds[cmd].min;
	*max = cmds[cmd].max;
	return 0;
}

int qc_sahara_check_header(qc_ctx *ctx, const uint8_t *hdr, uint32_t *cmd, uint32_t *length)
{
	uint32_t c = qc_get_le32(hdr), l = qc_get_le32(hdr + 4), min, max;

	*cmd = c;
	*length = l;
	if (qc_sahara_packet_length(c, &min, &max) < 0) {
		if (c == QC_SAHARA_WRITE_DATA)
			return qc_fail(ctx, QC_E_PROTOCOL,
				       "the device sent WRITE_DATA (0x14), a Sahara v3 packet whose layout is not public");
		return qc_fail(ctx, QC_E_PROTOCOL, "the device sent an unknown Sahara packet (command 0x%x, length %u)",
			       c, l);
	}
	if (l > QC_SAHARA_MAX_PACKET_LEN)
		return qc_fail(ctx, QC_E_TOOBIG,
			       "the %s packet claims a length of %u bytes, more than any Sahara packet (%u)",
			       cmds[c].name, l, QC_SAHARA_MAX_PACKET_LEN);
	if (l < min || l > max) {
		if (min == max)
			return qc_fail(ctx, QC_E_PROTOCOL, "the %s packet claims a length of %u bytes; it must be %u",
				       cmds[c].name, l, min);
		return qc_fail(ctx, QC_E_PROTOCOL, "the %s packet claims a length of %u bytes; it must be %u to %u",
			       cmds[c].name, l, min, max);
	}
	return 0;
}

int qc_sahara_decode(qc_ctx *ctx, const uint8_t *buf, size_t len, struct qc_sahara_packet *pkt)
{
	const uint8_t *b = buf + QC_SAHARA_HEADER_LEN;
	int rc;

	memset(pkt, 0, sizeof(*pkt));
	if (len < QC_SAHARA_HEADER_LEN)
		return qc_fail(ctx, QC_E_PROTOCOL, "a Sahara packet of %zu bytes is shorter than its 8-byte header", len);
	rc = qc_sahara_check_header(ctx, buf, &pkt->cmd, &pkt->length);
	if (rc < 0)
		return rc;
	if (len != pkt->length)
		return qc_fail(ctx, QC_E_PROTOCOL, "the %s packet is %zu bytes but its header says %u",
			       qc_sahara_cmd_name(pkt->cmd), len, pkt->length);
	switch (pkt->cmd) {
	case QC_SAHARA_HELLO:
		pkt->u.hello.version = qc_get_le32(b);
		pkt->u.hello.version_compatible = qc_get_le32(b + 4);
		pkt->u.hello.max_cmd_len = qc_get_le32(b + 8);
		pkt->u.hello.mode = qc_get_le32(b + 12);
		for (int i = 0; i < 6; i++)
			pkt->u.hello.reserved[i] = qc_get_le32(b + 16 + 4 * i);
		break;
	case QC_SAHARA_HELLO_RESP:
		pkt->u.hello_resp.version = qc_get_le32(b);
		pkt->u.hello_resp.version_compatible = qc_get_le32(b + 4);
		pkt->u.hello_resp.status = qc_get_le32(b + 8);
		pkt->u.hello_resp.mode = qc_get_le32(b + 12);
		for (int i = 0; i < 6; i++)
			pkt->u.hello_resp.reserved[i] = qc_get_le32(b + 16 + 4 * i);
		break;
	case QC_SAHARA_READ_DATA:
		pkt->u.read.image_id = qc_get_le32(b);
		pkt->u.read.offset = qc_get_le32(b + 4);
		pkt->u.read.length = qc_get_le32(b + 8);
		break;
	case QC_SAHARA_READ_DATA_64:
		pkt->u.read.image_id = qc_get_le64(b);
		pkt->u.read.offset = qc_get_le64(b + 8);
		pkt->u.read.length = qc_get_le64(b + 16);
		break;
	case QC_SAHARA_END_IMAGE_TX:
		pkt->u.end_image.image_id = qc_get_le32(b);
		pkt->u.end_image.status = qc_get_le32(b + 4);
		break;
	case QC_SAHARA_DONE_RESP:
		pkt->u.done_resp.image_tx_status = qc_get_le32(b);
		break;
	case QC_SAHARA_MEMORY_DEBUG:
	case QC_SAHARA_MEMORY_READ:
		pkt->u.memory.address = qc_get_le32(b);
		pkt->u.memory.length = qc_get_le32(b + 4);
		break;
	case QC_SAHARA_MEMORY_DEBUG_64:
	case QC_SAHARA_MEMORY_READ_64:
		pkt->u.memory.address = qc_get_le64(b);
		pkt->u.memory.length = qc_get_le64(b + 8);
		break;
	case QC_SAHARA_CMD_SWITCH_MODE:
		pkt->u.switch_mode.mode = qc_get_le32(b);
		break;
	case QC_SAHARA_CMD_EXECUTE:
	case QC_SAHARA_CMD_EXECUTE_DATA:
		pkt->u.exec.client_cmd = qc_get_le32(b);
		break;
	case QC_SAHARA_CMD_EXECUTE_RESP:
		pkt->u.exec.client_cmd = qc_get_le32(b);
		pkt->u.exec.resp_length = qc_get_le32(b + 4);
		break;
	default: /* DONE, RESET, RESET_RESP, CMD_READY, RESET_STATE_MACHINE: header only */
		break;
	}
	return 0;
}

size_t qc_sahara_encode(const struct qc_sahara_packet *pkt, uint8_t *buf, size_t cap)
{
	uint32_t len, max;
	uint8_t *b = buf + QC_SAHARA_HEADER_LEN;

	if (qc_sahara_packet_length(pkt->cmd, &len, &max) < 0 || cap < len)
		return 0;
	memset(buf, 0, len);
	qc_put_le32(buf, pkt->cmd);
	qc_put_le32(buf + 4, len);
	switch (pkt->cmd) {
	case QC_SAHARA_HELLO:
		qc_put_le32(b, pkt->u.hello.version);
		qc_put_le32(b + 4, pkt->u.hello.version_compatible);
		qc_put_le32(b + 8, pkt->u.hello.max_cmd_len);
		qc_put_le32(b + 12, pkt->u.hello.mode);
		for (int i = 0; i < 6; i++)
			qc_put_le32(b + 16 + 4 * i, pkt->u.hello.reserved[i]);
		break;
	case QC_SAHARA_HELLO_RESP:
		qc_put_le32(b, pkt->u.hello_resp.version);
		qc_put_le32(b + 4, pkt->u.hello_resp.version_compatible);
		qc_put_le32(b + 8, pkt->u.hello_resp.status);
		qc_put_le32(b + 12, pkt->u.hello_resp.mode);
		for (int i = 0; i < 6; i++)
			qc_put_le32(b + 16 + 4 * i, pkt->u.hello_resp.reserved[i]);
		break;
	case QC_SAHARA_READ_DATA:
		qc_put_le32(b, (uint32_t)pkt->u.read.image_id);
		qc_put_le32(b + 4, (uint32_t)pkt->u.read.offset);
		qc_put_le32(b + 8, (uint32_t)pkt->u.read.length);
		break;
	case QC_SAHARA_READ_DATA_64:
		qc_put_le64(b, pkt->u.read.image_id);
		qc_put_le64(b + 8, pkt->u.read.offset);
		qc_put_le64(b + 16, pkt->u.read.length);
		break;
	case QC_SAHARA_END_IMAGE_TX:
		qc_put_le32(b, pkt->u.end_image.image_id);
		qc_put_le32(b + 4, pkt->u.end_image.status);
		break;
	case QC_SAHARA_DONE_RESP:
		qc_put_le32(b, pkt->u.done_resp.image_tx_status);
		break;
	case QC_SAHARA_MEMORY_DEBUG:
	case QC_SAHARA_MEMORY_READ:
		qc_put_le32(b, (uint32_t)pkt->u.memory.address);
		qc_put_le32(b + 4, (uint32_t)pkt->u.memory.length);
		break;
	case QC_SAHARA_MEMORY_DEBUG_64:
	case QC_SAHARA_MEMORY_READ_64:
		qc_put_le64(b, pkt->u.memory.address);
		qc_put_le64(b + 8, pkt->u.memory.length);
		break;
	case QC_SAHARA_CMD_SWITCH_MODE:
		qc_put_le32(b, pkt->u.switch_mode.mode);
		break;
	case QC_SAHARA_CMD_EXECUTE:
	case QC_SAHARA_CMD_EXECUTE_DATA:
		qc_put_le32(b, pkt->u.exec.client_cmd);
		break;
	case QC_SAHARA_CMD_EXECUTE_RESP:
		qc_put_le32(b, pkt->u.exec.client_cmd);
		qc_put_le32(b + 4, pkt->u.exec.resp_length);
		break;
	default:
		break;
	}
	return len;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* True if BUF[n..len) repeats BUF[0..n) (a partial last copy allowed). */
static bool repeats(const uint8_t *buf, size_t n, size_t len)
{
	for (size_t i = n; i < len; i++)
		if (buf[i] != buf[i % n])
			return false;
	return true;
}

size_t qc_sahara_pkhash_trim(const uint8_t *buf, size_t len)
{
	static const size_t sizes[] = {32, 48};

	/* A 48-byte digest followed by zeros must not be cut to 32: the
	 * 32-byte test then sees its nonzero tail and moves on to 48. */
	for (size_t i = 0; i < 2; i++) {
		size_t n = sizes[i];

		if (len < n)
			continue;
		if (len == n || all_zero(buf + n, len - n) || repeats(buf, n, len))
			return n;
	}
	return len;
}

int qc_sahara_parse_chip_id_v3(const uint8_t *buf, size_t len, struct qc_sahara_chip_id_v3 *out)
{
	if (len < 44)
		return QC_E_PROTOCOL;
	out->chip_id = qc_get_le32(buf);
	out->msm_id = qc_get_le32(buf + 36);
	out->oem_id = qc_get_le16(buf + 40);
	out->model_id = qc_get_le16(buf + 42);
	/* Some targets leave @40 zero and put the OEM id after the model. */
	if (!out->oem_id && len >= 46)
		out->oem_id = qc_get_le16(buf + 44);
	return 0;
}
