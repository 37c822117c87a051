/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sahara host: HELLO handling, command mode (identity of the SoC), image
 * upload and reset.  Every packet is framed by its header's length field;
 * image data goes out raw in answer to READ_DATA, streamed from the file in
 * a fixed buffer.  An upload ends when END_IMAGE_TX and DONE_RESP say so,
 * never after some number of bytes: targets re-read and skip parts of an
 * image as they please.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "qcbox/mbn.h"
#include "sahara_impl.h"

/* Image data goes out in pieces of this size; a READ_DATA may ask for any
 * length, the buffer stays the same. */
#define SEND_CHUNK (1u << 20)
/* The largest command-mode answer we take (chip id v3 is ~48 bytes). */
#define MAX_EXEC_RESPONSE 65536u

int qc_sahara_send(qc_transport *t, const struct qc_sahara_packet *p)
{
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];
	size_t n = qc_sahara_encode(p, buf, sizeof(buf));
	qc_ctx *ctx = qc_transport_ctx(t);

	if (!n)
		return qc_fail(ctx, QC_E_INVAL, "cannot encode Sahara packet 0x%x", p->cmd);
	qc_log(ctx, QC_LOG_DEBUG, "sahara -> %s", qc_sahara_cmd_name(p->cmd));
	return qc_transport_write(t, buf, n, qc_get_timeout(ctx));
}

/* Reads LEN bytes; a timeout after some of them is a cut-short packet. */
static int read_part(qc_transport *t, uint8_t *buf, size_t len, int timeout_ms, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = qc_transport_read(t, buf + *got, len - *got, timeout_ms);

		if (n < 0)
			return (int)n;
		*got += (size_t)n;
	}
	return 0;
}

int qc_sahara_recv(qc_transport *t, int timeout_ms, struct qc_sahara_packet *p)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];
	uint32_t cmd, len;
	size_t got;
	int rc = read_part(t, buf, QC_SAHARA_HEADER_LEN, timeout_ms, &got);

	if (rc == QC_E_TIMEOUT && got)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device sent %zu bytes of a Sahara header and then nothing", got);
	if (rc == QC_E_TIMEOUT)
		return qc_fail(ctx, QC_E_TIMEOUT, "no Sahara packet from the device within %d ms", timeout_ms);
	if (rc < 0)
		return rc;
	rc = qc_sahara_check_header(ctx, buf, &cmd, &len);
	if (rc < 0)
		return rc;
	rc = read_part(t, buf + QC_SAHARA_HEADER_LEN, len - QC_SAHARA_HEADER_LEN, timeout_ms, &got);
	if (rc == QC_E_TIMEOUT)
		return qc_fail(ctx, QC_E_PROTOCOL, "the %s packet was cut short: %zu of its %u bytes arrived",
			       qc_sahara_cmd_name(cmd), got + QC_SAHARA_HEADER_LEN, len);
	if (rc < 0)
		return rc;
	rc = qc_sahara_decode(ctx, buf, len, p);
	if (rc == 0)
		qc_log(ctx, QC_LOG_DEBUG, "sahara <- %s", qc_sahara_cmd_name(cmd));
	return rc;
}

int qc_sahara_device_error(qc_ctx *ctx, const char *what, const struct qc_sahara_packet *p)
{
	uint32_t st = p->u.end_image.status;

	return qc_fail(ctx, QC_E_DEVICE, "the device stopped %s with status 0x%02x %s: %s", what, st,
		       qc_sahara_status_name(st), qc_sahara_status_text(st));
}

static void take_hello(struct qc_sahara_hello *out, const struct qc_sahara_packet *p)
{
	*out = p->u.hello;
	out->stray_len = 0;
}

int qc_sahara_get_hello(qc_transport *t, const struct qc_sahara_hello *given, struct qc_sahara_hello *out)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct qc_sahara_packet p;
	int rc;

	if (given) {
		*out = *given;
		return 0;
	}
	rc = qc_sahara_recv(t, qc_get_timeout(ctx), &p);
	if (rc == QC_E_TIMEOUT)
		return qc_fail(ctx, QC_E_TIMEOUT,
			       "no Sahara HELLO from %s within %d ms: the device is not in EDL mode or already runs a "
			       "programmer",
			       qc_transport_name(t), qc_get_timeout(ctx));
	if (rc < 0)
		return rc;
	if (p.cmd != QC_SAHARA_HELLO)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device sent %s where a Sahara HELLO was expected",
			       qc_sahara_cmd_name(p.cmd));
	take_hello(out, &p);
	return 0;
}

int qc_sahara_send_hello_resp(qc_transport *t, const struct qc_sahara_hello *hello, uint32_t mode)
{
	struct qc_sahara_packet r = {.cmd = QC_SAHARA_HELLO_RESP};

	/* Answer in the target's own version (we speak 1 to 3); the reserved
	 * words stay zero. */
	r.u.hello_resp.version = hello->version < 1 ? 1 : hello->version > 3 ? 3 : hello->version;
	r.u.hello_resp.version_compatible = 1;
	r.u.hello_resp.status = QC_SAHARA_STATUS_SUCCESS;
	r.u.hello_resp.mode = mode;
	qc_log(qc_transport_ctx(t), QC_LOG_INFO, "Sahara v%u target (compatible with v%u), asking for %s mode",
	       hello->version, hello->version_compatible, qc_sahara_mode_name(mode));
	return qc_sahara_send(t, &r);
}

/* ----- detection ----- */

int qc_sahara_detect(qc_transport *t, int timeout_ms, struct qc_sahara_hello *hello)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	uint8_t buf[QC_SAHARA_MAX_PACKET_LEN];
	struct qc_sahara_packet p;
	size_t got = 0;
	int rc;

	memset(hello, 0, sizeof(*hello));
	/* One byte first: anything but 0x01 ends it there, so a running
	 * Firehose programmer ('<') or HDLC loader (0x7e) loses one byte. */
	rc = read_part(t, buf, 1, timeout_ms, &got);
	if (rc == QC_E_TIMEOUT)
		return 0;
	if (rc < 0)
		return rc;
	if (buf[0] == QC_SAHARA_HELLO) {
		rc = read_part(t, buf + 1, QC_SAHARA_HEADER_LEN - 1, timeout_ms, &got);
		got++;
		if (rc < 0 && rc != QC_E_TIMEOUT)
			return rc;
	}
	if (got < QC_SAHARA_HEADER_LEN || qc_get_le32(buf) != QC_SAHARA_HELLO) {
		memcpy(hello->stray, buf, got);
		hello->stray_len = got;
		qc_log(ctx, QC_LOG_DEBUG, "%zu bytes on the link are not a Sahara HELLO", got);
		return 0;
	}
	if (qc_get_le32(buf + 4) != 0x30)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device sent a HELLO of %u bytes; a HELLO is 48", qc_get_le32(buf + 4));
	rc = read_part(t, buf + QC_SAHARA_HEADER_LEN, 0x30 - QC_SAHARA_HEADER_LEN, timeout_ms, &got);
	if (rc == QC_E_TIMEOUT)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device's HELLO was cut short after %zu of 48 bytes", got + 8);
	if (rc < 0)
		return rc;
	rc = qc_sahara_decode(ctx, buf, 0x30, &p);
	if (rc < 0)
		return rc;
	take_hello(hello, &p);
	return 1;
}

/* ----- command mode ----- */

static void note_refused(struct qc_sahara_info *info, uint32_t cmd, uint32_t status)
{
	if (info->nrefused < sizeof(info->refused) / sizeof(info->refused[0])) {
		info->refused[info->nrefused] = cmd;
		info->refused_status[info->nrefused++] = status;
	}
}

/* Runs client command CMD; the answer goes to BUF (at most CAP bytes kept,
 * *LEN its full length).  QC_E_NAK when the target refuses it. */
static int exec_cmd(qc_transport *t, struct qc_sahara_info *info, uint32_t cmd, uint8_t *buf, size_t cap, size_t *len)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct qc_sahara_packet p = {.cmd = QC_SAHARA_CMD_EXECUTE, .u.exec.client_cmd = cmd};
	int timeout = qc_get_timeout(ctx);
	uint32_t n;
	int rc;

	*len = 0;
	rc = qc_sahara_send(t, &p);
	if (rc < 0)
		return rc;
	do {
		/* A target may repeat CMD_READY before answering. */
		rc = qc_sahara_recv(t, timeout, &p);
		if (rc < 0)
			return rc;
	} while (p.cmd == QC_SAHARA_CMD_READY);
	if (p.cmd == QC_SAHARA_END_IMAGE_TX) {
		qc_log(ctx, QC_LOG_INFO, "the device refused %s: status 0x%02x %s", qc_sahara_exec_name(cmd),
		       p.u.end_image.status, qc_sahara_status_name(p.u.end_image.status));
		note_refused(info, cmd, p.u.end_image.status);
		return QC_E_NAK;
	}
	if (p.cmd != QC_SAHARA_CMD_EXECUTE_RESP || p.u.exec.client_cmd != cmd)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device answered %s for client command %s with %s (command 0x%x)",
			       qc_sahara_cmd_name(QC_SAHARA_CMD_EXECUTE), qc_sahara_exec_name(cmd),
			       qc_sahara_cmd_name(p.cmd), p.u.exec.client_cmd);
	n = p.u.exec.resp_length;
	if (n > MAX_EXEC_RESPONSE)
		return qc_fail(ctx, QC_E_TOOBIG, "the device announced a %u-byte answer to %s (at most %u are accepted)", n,
			       qc_sahara_exec_name(cmd), MAX_EXEC_RESPONSE);
	if (n == 0) {
		note_refused(info, cmd, QC_SAHARA_STATUS_SUCCESS);
		return QC_E_NAK;
	}
	p = (struct qc_sahara_packet){.cmd = QC_SAHARA_CMD_EXECUTE_DATA, .u.exec.client_cmd = cmd};
	rc = qc_sahara_send(t, &p);
	if (rc < 0)
		return rc;
	uint8_t *tmp = malloc(n);
	size_t got;

	if (!tmp)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	rc = read_part(t, tmp, n, timeout, &got);
	if (rc == QC_E_TIMEOUT)
		rc = qc_fail(ctx, QC_E_PROTOCOL, "the answer to %s was cut short: %zu of %u bytes arrived",
			     qc_sahara_exec_name(cmd), got, n);
	if (rc == 0) {
		memcpy(buf, tmp, n < cap ? n : cap);
		*len = n;
	}
	free(tmp);
	return rc;
}

int qc_sahara_info(qc_transport *t, const struct qc_sahara_hello *hello, struct qc_sahara_info *info,
		   struct qc_sahara_hello *next)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct qc_sahara_hello h;
	struct qc_sahara_packet p;
	uint8_t buf[256];
	size_t n;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = qc_sahara_get_hello(t, hello, &h);
	if (rc < 0)
		return rc;
	info->version = h.version;
	info->version_compatible = h.version_compatible;
	info->hello_mode = h.mode;
	if (h.version < 2)
		return qc_fail(ctx, QC_E_UNSUPPORTED,
			       "the device speaks Sahara v%u, which has no command mode: it cannot report its serial "
			       "number, HWID or PK hash",
			       h.version);
	rc = qc_sahara_send_hello_resp(t, &h, QC_SAHARA_MODE_COMMAND);
	if (rc < 0)
		return rc;
	rc = qc_sahara_recv(t, qc_get_timeout(ctx), &p);
	if (rc < 0)
		return rc;
	if (p.cmd == QC_SAHARA_END_IMAGE_TX)
		return qc_sahara_device_error(ctx, "instead of entering command mode", &p);
	if (p.cmd != QC_SAHARA_CMD_READY)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device answered the command-mode request with %s",
			       qc_sahara_cmd_name(p.cmd));

	rc = exec_cmd(t, info, QC_SAHARA_EXEC_SERIAL_NUM_READ, buf, sizeof(buf), &n);
	if (rc == 0 && n >= 4) {
		info->have_serial = true;
		info->serial = qc_get_le32(buf);
	}
	/* v3 targets no longer answer MSM_HW_ID_READ; they get the chip id
	 * question below instead. */
	if (rc >= 0 || rc == QC_E_NAK) {
		if (h.version < 3) {
			rc = exec_cmd(t, info, QC_SAHARA_EXEC_MSM_HW_ID_READ, buf, sizeof(buf), &n);
			if (rc == 0 && n >= 8) {
				info->have_hwid = true;
				info->hwid = qc_get_le64(buf);
			}
		}
	}
	if (rc >= 0 || rc == QC_E_NAK) {
		rc = exec_cmd(t, info, QC_SAHARA_EXEC_OEM_PK_HASH_READ, buf, sizeof(buf), &n);
		if (rc == 0) {
			size_t l = qc_sahara_pkhash_trim(buf, n < sizeof(buf) ? n : sizeof(buf));

			if (l > sizeof(info->pkhash))
				l = sizeof(info->pkhash);
			memcpy(info->pkhash, buf, l);
			info->pkhash_len = l;
		}
	}
	if ((rc >= 0 || rc == QC_E_NAK) && !info->have_hwid) {
		struct qc_sahara_chip_id_v3 c;

		rc = exec_cmd(t, info, QC_SAHARA_EXEC_READ_CHIP_ID_V3, buf, sizeof(buf), &n);
		if (rc == 0 && qc_sahara_parse_chip_id_v3(buf, n < sizeof(buf) ? n : sizeof(buf), &c) == 0) {
			info->have_chip_id_v3 = true;
			info->chip_id_v3 = c.chip_id;
			info->have_hwid = true;
			info->hwid_from_chip_id_v3 = true;
			info->hwid = (uint64_t)c.msm_id << 32 | (uint64_t)c.oem_id << 16 | c.model_id;
		} else if (rc == 0) {
			qc_log(ctx, QC_LOG_WARN, "the chip id v3 answer is %zu bytes, too short to hold the MSM id", n);
		}
	}
	if (rc >= 0 || rc == QC_E_NAK) {
		rc = exec_cmd(t, info, QC_SAHARA_EXEC_GET_SBL_VERSION, buf, sizeof(buf), &n);
		if (rc == 0 && n >= 4) {
			info->have_sbl_version = true;
			info->sbl_version = qc_get_le32(buf);
		}
	}
	if (rc < 0 && rc != QC_E_NAK)
		return rc;
	if (info->have_hwid) {
		info->msm_id = (uint32_t)(info->hwid >> 32);
		info->oem_id = (uint16_t)(info->hwid >> 16);
		info->model_id = (uint16_t)info->hwid;
	}
	/* Leave with SWITCH_MODE rather than RESET: some targets stop
	 * answering Sahara after a RESET in command mode until power-cycled.
	 * The target restarts with a fresh HELLO. */
	p = (struct qc_sahara_packet){.cmd = QC_SAHARA_CMD_SWITCH_MODE,
				      .u.switch_mode.mode = QC_SAHARA_MODE_IMAGE_TX_PENDING};
	rc = qc_sahara_send(t, &p);
	if (rc < 0 || !next)
		return rc;
	return qc_sahara_get_hello(t, NULL, next);
}

/* ----- image upload ----- */

struct img {
	const struct qc_sahara_image *src;
	int fd;
	uint64_t size;
	uint64_t sent;
	char label[64];
};

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

static int open_images(qc_ctx *ctx, const struct qc_sahara_image *images, size_t n, struct img *out)
{
	for (size_t i = 0; i < n; i++) {
		struct img *m = &out[i];
		struct qc_mbn_info mi;
		struct stat st;
		int rc;

		m->src = &images[i];
		m->fd = -1;
		if (images[i].path)
			snprintf(m->label, sizeof(m->label), "%s", base_name(images[i].path));
		else if (images[i].id == QC_SAHARA_ANY_IMAGE)
			snprintf(m->label, sizeof(m->label), "programmer");
		else
			snprintf(m->label, sizeof(m->label), "image %u", images[i].id);
		if (!images[i].path) {
			m->size = images[i].size;
			continue;
		}
		/* Catch a wrong file before the device sees any of it. */
		rc = qc_mbn_parse_file(ctx, images[i].path, 0, &mi);
		if (rc == QC_E_FORMAT) {
			char msg[900];

			snprintf(msg, sizeof(msg), "%s", qc_last_error(ctx));
			return qc_fail(ctx, QC_E_FORMAT, "%s; a Sahara programmer is an ELF or MBN image", msg);
		}
		if (rc < 0)
			return rc;
		m->fd = open(images[i].path, O_RDONLY | O_CLOEXEC);
		if (m->fd < 0 || fstat(m->fd, &st) < 0)
			return qc_fail(ctx, QC_E_IO, "cannot open %s: %s", images[i].path, strerror(errno));
		m->size = (uint64_t)st.st_size;
	}
	return 0;
}

static struct img *find_image(struct img *imgs, size_t n, uint64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (imgs[i].src->id == id)
			return &imgs[i];
	for (size_t i = 0; i < n; i++)
		if (imgs[i].src->id == QC_SAHARA_ANY_IMAGE)
			return &imgs[i];
	return NULL;
}

static int serve_read(qc_transport *t, struct img *imgs, size_t n, const struct qc_sahara_packet *p, uint8_t *buf,
		      struct qc_sahara_load_result *res)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	uint64_t id = p->u.read.image_id, off = p->u.read.offset, len = p->u.read.length;
	struct img *m = find_image(imgs, n, id);
	int timeout = qc_get_timeout(ctx);

	if (!m)
		return qc_fail(ctx, QC_E_NOTFOUND,
			       "the device asked for image %llu and no file was given for it (give it as %llu:FILE)",
			       (unsigned long long)id, (unsigned long long)id);
	if (!len)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device asked for 0 bytes of image %llu", (unsigned long long)id);
	if (off >= m->size || len > m->size - off)
		return qc_fail(ctx, QC_E_RANGE,
			       "the device asked for bytes 0x%llx+0x%llx of image %llu, beyond the end of %s (%llu bytes)",
			       (unsigned long long)off, (unsigned long long)len, (unsigned long long)id,
			       m->src->path ? m->src->path : "the image", (unsigned long long)m->size);
	res->requests++;
	if (p->cmd == QC_SAHARA_READ_DATA_64)
		res->read64 = true;
	while (len) {
		size_t k = len < SEND_CHUNK ? (size_t)len : SEND_CHUNK;
		const uint8_t *data;
		int rc;

		if (m->fd >= 0) {
			for (size_t done = 0; done < k;) {
				ssize_t r = pread(m->fd, buf + done, k - done, (off_t)(off + done));

				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					return qc_fail(ctx, QC_E_IO, "%s: read failed at offset %llu: %s", m->src->path,
						       (unsigned long long)(off + done), r < 0 ? strerror(errno) : "file shrank");
				done += (size_t)r;
			}
			data = buf;
		} else {
			data = (const uint8_t *)m->src->data + off;
		}
		rc = qc_transport_write(t, data, k, timeout);
		if (rc < 0)
			return rc;
		off += k;
		len -= k;
		m->sent += k;
		res->bytes += k;
		qc_progress(ctx, m->label, m->sent < m->size ? m->sent : m->size - 1, m->size);
	}
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int upload(qc_transport *t, const struct qc_sahara_hello *hello, struct img *imgs, size_t n,
		  struct qc_sahara_load_result *res)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	int timeout = qc_get_timeout(ctx);
	struct qc_sahara_packet p;
	uint8_t *buf = malloc(SEND_CHUNK);
	bool poked = false, greeted = hello != NULL;
	double start = 0;
	int rc;

	if (!buf)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	if (hello) {
		res->version = hello->version;
		if (hello->mode == QC_SAHARA_MODE_MEMORY_DEBUG) {
			rc = qc_fail(ctx, QC_E_UNSUPPORTED,
				     "the device is in memory-debug mode (it crashed): save its RAM with a ramdump or reset "
				     "it before uploading a programmer");
			goto out;
		}
		rc = qc_sahara_send_hello_resp(t, hello, QC_SAHARA_MODE_IMAGE_TX_PENDING);
		if (rc < 0)
			goto out;
	}
	for (;;) {
		rc = qc_sahara_recv(t, timeout, &p);
		if (rc == QC_E_TIMEOUT && !greeted && !poked && !res->requests) {
			/* Nothing at all: a target left mid-way by an earlier
			 * host may answer this with a fresh HELLO. */
			struct qc_sahara_packet r = {.cmd = QC_SAHARA_RESET_STATE_MACHINE};

			qc_log(ctx, QC_LOG_INFO, "no HELLO; asking the device to restart its Sahara state machine");
			poked = true;
			rc = qc_sahara_send(t, &r);
			if (rc < 0)
				goto out;
			continue;
		}
		if (rc == QC_E_TIMEOUT && !res->requests && !greeted)
			rc = qc_fail(ctx, QC_E_TIMEOUT,
				     "no Sahara HELLO from %s within %d ms: the device is not in EDL mode or already runs "
				     "a programmer",
				     qc_transport_name(t), timeout);
		if (rc < 0)
			goto out;
		switch (p.cmd) {
		case QC_SAHARA_HELLO:
			/* First contact, or the target restarted: start over. */
			greeted = true;
			res->version = p.u.hello.version;
			if (p.u.hello.mode == QC_SAHARA_MODE_MEMORY_DEBUG) {
				rc = qc_fail(ctx, QC_E_UNSUPPORTED,
					     "the device is in memory-debug mode (it crashed): save its RAM with a ramdump "
					     "or reset it before uploading a programmer");
				goto out;
			}
			rc = qc_sahara_send_hello_resp(t, &p.u.hello, QC_SAHARA_MODE_IMAGE_TX_PENDING);
			break;
		case QC_SAHARA_READ_DATA:
		case QC_SAHARA_READ_DATA_64:
			if (!res->requests)
				start = now_s();
			rc = serve_read(t, imgs, n, &p, buf, res);
			break;
		case QC_SAHARA_END_IMAGE_TX: {
			struct img *m = find_image(imgs, n, p.u.end_image.image_id);
			char what[128];

			if (p.u.end_image.status) {
				snprintf(what, sizeof(what), "loading image %u%s%s", p.u.end_image.image_id,
					 m && m->src->path ? " from " : "", m && m->src->path ? m->src->path : "");
				rc = qc_sahara_device_error(ctx, what, &p);
				goto out;
			}
			if (m)
				qc_progress(ctx, m->label, m->size, m->size);
			if (res->images < QC_SAHARA_MAX_IMAGES) {
				res->image_ids[res->images] = p.u.end_image.image_id;
				res->image_bytes[res->images] = m ? m->sent : 0;
				res->images++;
			}
			qc_log(ctx, QC_LOG_INFO, "the device accepted image %u", p.u.end_image.image_id);
			p = (struct qc_sahara_packet){.cmd = QC_SAHARA_DONE};
			rc = qc_sahara_send(t, &p);
			break;
		}
		case QC_SAHARA_DONE_RESP:
			if (p.u.done_resp.image_tx_status == QC_SAHARA_MODE_IMAGE_TX_COMPLETE) {
				res->seconds = start ? now_s() - start : 0;
				rc = 0;
				goto out;
			}
			/* More images pending: the target asks for the next one. */
			qc_log(ctx, QC_LOG_INFO, "the device wants another image");
			break;
		default:
			rc = qc_fail(ctx, QC_E_PROTOCOL, "the device sent %s during the image upload",
				     qc_sahara_cmd_name(p.cmd));
			goto out;
		}
		if (rc < 0)
			goto out;
	}
out:
	free(buf);
	return rc;
}

static int load_images(qc_transport *t, const struct qc_sahara_hello *hello, const struct qc_sahara_image *images,
		       size_t n, struct qc_sahara_load_result *res)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct img imgs[QC_SAHARA_MAX_IMAGES];
	int rc;

	if (!n || n > QC_SAHARA_MAX_IMAGES)
		return qc_fail(ctx, QC_E_INVAL, "between 1 and %d images can be served", QC_SAHARA_MAX_IMAGES);
	memset(imgs, 0, sizeof(imgs));
	for (size_t i = 0; i < n; i++)
		imgs[i].fd = -1;
	rc = open_images(ctx, images, n, imgs);
	if (rc == 0) {
		if (images[0].path && !res->loader[0])
			snprintf(res->loader, sizeof(res->loader), "%s", images[0].path);
		rc = upload(t, hello, imgs, n, res);
	}
	for (size_t i = 0; i < n; i++)
		if (imgs[i].fd >= 0)
			close(imgs[i].fd);
	return rc;
}

int qc_sahara_load_images(qc_transport *t, const struct qc_sahara_hello *hello, const struct qc_sahara_image *images,
			  size_t n, struct qc_sahara_load_result *res)
{
	struct qc_sahara_load_result local;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	return load_images(t, hello, images, n, res);
}

int qc_sahara_load(qc_transport *t, const struct qc_sahara_hello *hello, const char *loader,
		   struct qc_sahara_load_result *res)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	struct qc_sahara_load_result local;
	struct qc_sahara_image img = {.id = QC_SAHARA_ANY_IMAGE, .path = loader};
	struct qc_sahara_hello h, next;
	struct stat st;
	int rc;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (stat(loader, &st) < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", loader,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return load_images(t, hello, &img, 1, res);

	/* A directory: ask the target who it is first. */
	rc = qc_sahara_get_hello(t, hello, &h);
	if (rc < 0)
		return rc;
	rc = qc_sahara_info(t, &h, &res->info, &next);
	if (rc == QC_E_UNSUPPORTED)
		return qc_fail(ctx, QC_E_UNSUPPORTED,
			       "the device speaks Sahara v%u and cannot tell its HWID or PK hash, so no loader in %s can "
			       "be chosen for it; name the loader file",
			       h.version, loader);
	if (rc < 0)
		return rc;
	res->have_info = true;
	rc = qc_sahara_find_loader(ctx, loader, &res->info, res->loader, sizeof(res->loader), NULL, NULL);
	if (rc < 0)
		return rc;
	res->matched = true;
	qc_log(ctx, QC_LOG_INFO, "loader for this device: %s", res->loader);
	img.path = res->loader;
	return load_images(t, &next, &img, 1, res);
}

/* ----- reset ----- */

int qc_sahara_reset(qc_transport *t, const struct qc_sahara_hello *hello)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	int timeout = qc_get_timeout(ctx);
	struct qc_sahara_packet p;
	struct qc_sahara_hello h;
	int rc = qc_sahara_get_hello(t, hello, &h);

	if (rc < 0)
		return rc;
	/* RESET must reach the target while it waits for a host packet, not
	 * while it waits for raw image data, where it would be taken for
	 * eight bytes of the image on a byte stream. */
	if (h.mode == QC_SAHARA_MODE_MEMORY_DEBUG) {
		rc = qc_sahara_send_hello_resp(t, &h, QC_SAHARA_MODE_MEMORY_DEBUG);
		if (rc == 0)
			rc = qc_sahara_recv(t, timeout, &p);
		if (rc == 0 && p.cmd != QC_SAHARA_MEMORY_DEBUG && p.cmd != QC_SAHARA_MEMORY_DEBUG_64)
			rc = qc_fail(ctx, QC_E_PROTOCOL, "the device answered memory-debug mode with %s",
				     qc_sahara_cmd_name(p.cmd));
	} else if (h.version >= 2) {
		rc = qc_sahara_send_hello_resp(t, &h, QC_SAHARA_MODE_COMMAND);
		if (rc == 0)
			rc = qc_sahara_recv(t, timeout, &p);
		if (rc == 0 && p.cmd == QC_SAHARA_END_IMAGE_TX)
			rc = qc_sahara_device_error(ctx, "instead of entering command mode", &p);
		else if (rc == 0 && p.cmd != QC_SAHARA_CMD_READY)
			rc = qc_fail(ctx, QC_E_PROTOCOL, "the device answered the command-mode request with %s",
				     qc_sahara_cmd_name(p.cmd));
	}
	/* A v1 target gets RESET in place of HELLO_RESP. */
	if (rc < 0)
		return rc;
	p = (struct qc_sahara_packet){.cmd = QC_SAHARA_RESET};
	rc = qc_sahara_send(t, &p);
	if (rc < 0)
		return rc;
	rc = qc_sahara_recv(t, timeout, &p);
	if (rc == QC_E_DISCONNECTED) {
		/* Gone before RESET_RESP reached us: that is a reset too. */
		qc_log(ctx, QC_LOG_INFO, "the device left the link after RESET");
		return 0;
	}
	if (rc < 0)
		return rc;
	if (p.cmd == QC_SAHARA_END_IMAGE_TX)
		return qc_sahara_device_error(ctx, "instead of resetting", &p);
	if (p.cmd != QC_SAHARA_RESET_RESP)
		return qc_fail(ctx, QC_E_PROTOCOL, "the device answered RESET with %s", qc_sahara_cmd_name(p.cmd));
	return 0;
}
