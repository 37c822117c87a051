/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Memory debug: after a crash the target answers HELLO with a region table
 * (MEMORY_DEBUG / MEMORY_DEBUG_64) and serves MEMORY_READ(_64) requests with
 * raw bytes.  Everything in the table is the device's word: names become
 * file names only after sanitizing, sizes are bounded before anything is
 * read, and files are opened relative to the destination directory without
 * following links.
 *
 * A refused read comes back as a 16-byte END_IMAGE_TX where raw data was
 * expected.  On a byte stream that is told apart from data by its length:
 * a read that stops after exactly those 16 bytes is an error.  Requests of
 * exactly 16 bytes are avoided for that reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/bytes.h"
#include "sahara_impl.h"

#define READ_CHUNK (512u << 10)
#define DEFAULT_MAX_REGION (64ull << 30)

void qc_sahara_sanitize_name(const char *in, size_t len, const char *fallback, char *out, size_t cap)
{
	size_t o = 0;

	if (!cap)
		return;
	for (size_t i = 0; i < len && in[i] && o + 1 < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			    c == '-' || c == '+';

		/* A dot survives unless it would start the name or follow
		 * another dot: no hidden files, no "..". */
		if (c == '.' && o > 0 && out[o - 1] != '.')
			keep = true;
		out[o++] = keep ? (char)c : '_';
	}
	out[o] = '\0';
	if (!o)
		snprintf(out, cap, "%s", fallback);
}

static void take_name(char *dst, const uint8_t *src)
{
	memcpy(dst, src, QC_SAHARA_REGION_NAME_LEN);
	dst[QC_SAHARA_REGION_NAME_LEN] = '\0';
}

int qc_sahara_parse_memtable(qc_ctx *ctx, const uint8_t *buf, size_t len, bool is64, struct qc_sahara_region *out,
			     size_t cap)
{
	size_t esz = is64 ? QC_SAHARA_REGION64_LEN : QC_SAHARA_REGION32_LEN, n;

	if (!len || len % esz)
		return qc_fail(ctx, QC_E_PROTOCOL, "the memory region table is %zu bytes, not a whole number of %zu-byte entries",
			       len, esz);
	if (len > QC_SAHARA_MAX_TABLE_LEN)
		return qc_fail(ctx, QC_E_TOOBIG, "the memory region table is %zu bytes (at most %u are accepted)", len,
			       QC_SAHARA_MAX_TABLE_LEN);
	n = len / esz;
	for (size_t i = 0; i < n && i < cap; i++) {
		const uint8_t *e = buf + i * esz, *names;
		struct qc_sahara_region *r = &out[i];
		char fallback[32];

		if (is64) {
			r->type = qc_get_le64(e);
			r->address = qc_get_le64(e + 8);
			r->length = qc_get_le64(e + 16);
			names = e + 24;
		} else {
			r->type = qc_get_le32(e);
			r->address = qc_get_le32(e + 4);
			r->length = qc_get_le32(e + 8);
			names = e + 12;
		}
		take_name(r->desc, names);
		take_name(r->filename, names + QC_SAHARA_REGION_NAME_LEN);
		snprintf(fallback, sizeof(fallback), "region%zu.bin", i);
		qc_sahara_sanitize_name(r->filename[0] ? r->filename : r->desc, QC_SAHARA_REGION_NAME_LEN, fallback,
					r->safe_name, sizeof(r->safe_name));
		/* Two regions may carry one name, and the index is ours.  The
		 * suffixes carry the entry's number, so one device-chosen name
		 * can block at most one candidate: quadratic at worst. */
		char base[QC_SAHARA_REGION_NAME_LEN + 1];

		snprintf(base, sizeof(base), "%s", r->safe_name);
		for (unsigned k = 0;; k++) {
			bool clash = !strcmp(r->safe_name, "index.json");

			for (size_t j = 0; j < i && !clash; j++)
				clash = !strcmp(out[j].safe_name, r->safe_name);
			if (!clash)
				break;
			char cand[64];

			if (k == 0)
				snprintf(cand, sizeof(cand), "%s.%zu", base, i);
			else
				snprintf(cand, sizeof(cand), "%s.%zu.%u", base, i, k);
			/* again through the filter: "x." + ".3" must not make ".." */
			qc_sahara_sanitize_name(cand, sizeof(cand), fallback, r->safe_name, sizeof(r->safe_name));
		}
	}
	return (int)n;
}

/* ----- reading memory ----- */

static bool looks_like_end_image(const uint8_t *b, size_t n)
{
	static const uint8_t hdr[8] = {QC_SAHARA_END_IMAGE_TX, 0, 0, 0, 0x10, 0, 0, 0};

	return !memcmp(b, hdr, n < 8 ? n : 8);
}

/* Reads LEN bytes of target memory at ADDR into BUF.  QC_E_DEVICE (with
 * the status in *STATUS) when the target refused. */
static int mem_read(qc_transport *t, bool is64, uint64_t addr, size_t len, uint8_t *buf, uint32_t *status)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	int timeout = qc_get_timeout(ctx);
	struct qc_sahara_packet p = {.cmd = is64 ? QC_SAHARA_MEMORY_READ_64 : QC_SAHARA_MEMORY_READ};
	size_t got = 0;
	int rc;

	*status = 0;
	p.u.memory.address = addr;
	p.u.memory.length = len;
	rc = qc_sahara_send(t, &p);
	if (rc < 0)
		return rc;
	while (got < len) {
		ssize_t n = qc_transport_read(t, buf + got, len - got, timeout);

		if (n == QC_E_TIMEOUT && got == 16 && looks_like_end_image(buf, 16)) {
			*status = qc_get_le32(buf + 12);
			goto refused;
		}
		if (n == QC_E_TIMEOUT && got)
			return qc_fail(ctx, QC_E_PROTOCOL, "memory at 0x%llx: %zu of %zu bytes arrived",
				       (unsigned long long)addr, got, len);
		if (n < 0)
			return (int)n;
		got += (size_t)n;
	}
	/* A short request could be the front of an END_IMAGE_TX: if its tail
	 * follows at once, it was one. */
	if (len < 16 && looks_like_end_image(buf, len)) {
		uint8_t tail[16];

		memcpy(tail, buf, len);
		while (got < 16) {
			ssize_t n = qc_transport_read(t, tail + got, 16 - got, 100);

			if (n < 0)
				break;
			got += (size_t)n;
		}
		if (got == 16) {
			*status = qc_get_le32(tail + 12);
			goto refused;
		}
		if (got > len)
			return qc_fail(ctx, QC_E_PROTOCOL, "memory at 0x%llx: the device sent %zu bytes for %zu",
				       (unsigned long long)addr, got, len);
	}
	return 0;
refused:
	return qc_fail(ctx, QC_E_DEVICE, "the device refused to read 0x%zx bytes at 0x%llx: status 0x%02x %s: %s", len,
		       (unsigned long long)addr, *status, qc_sahara_status_name(*status), qc_sahara_status_text(*status));
}

/* ----- the dump ----- */

static bool selected(const struct qc_sahara_region *r, const struct qc_sahara_ramdump_opts *o)
{
	if (!o || !o->nglobs)
		return true;
	for (size_t i = 0; i < o->nglobs; i++)
		if (!fnmatch(o->globs[i], r->safe_name, 0) || !fnmatch(o->globs[i], r->filename, 0) ||
		    !fnmatch(o->globs[i], r->desc, 0))
			return true;
	return false;
}

/* Device strings in the index: printable ASCII, the rest as \xNN. */
static json_object *printable(const char *s)
{
	char out[QC_SAHARA_REGION_NAME_LEN * 4 + 1];
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)sprintf(out + o, "\\x%02x", c);
	}
	out[o] = '\0';
	return json_object_new_string(out);
}

static int save_region(qc_transport *t, int dirfd, bool is64, const struct qc_sahara_region *r, uint8_t *buf,
		       char *why, size_t whycap, uint64_t *bytes)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	int fd = openat(dirfd, r->safe_name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	uint64_t off = 0;
	uint32_t status;
	int rc = 0;

	if (fd < 0) {
		/* A link planted under the region's name is refused, not
		 * followed; the other regions still get saved. */
		int e = errno;

		snprintf(why, whycap, "cannot create %s: %s", r->safe_name,
			 e == ELOOP ? "it exists as a symbolic link" : strerror(e));
		return qc_fail(ctx, e == ELOOP ? QC_E_UNSAFE : QC_E_IO, "%s", why);
	}
	qc_progress(ctx, r->safe_name, 0, r->length);
	while (off < r->length) {
		uint64_t left = r->length - off;
		size_t k = left < READ_CHUNK ? (size_t)left : READ_CHUNK;

		/* 16 bytes of data would look like an END_IMAGE_TX. */
		if (k == 16)
			k = 8;
		rc = mem_read(t, is64, r->address + off, k, buf, &status);
		if (rc < 0) {
			snprintf(why, whycap, "%s", qc_last_error(ctx));
			break;
		}
		for (size_t w = 0; w < k;) {
			ssize_t n = write(fd, buf + w, k - w);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				snprintf(why, whycap, "writing %s: %s", r->safe_name, strerror(errno));
				rc = qc_fail(ctx, QC_E_IO, "%s", why);
				break;
			}
			w += (size_t)n;
		}
		if (rc < 0)
			break;
		off += k;
		*bytes += k;
		qc_progress(ctx, r->safe_name, off, r->length);
	}
	if (close(fd) < 0 && rc == 0) {
		snprintf(why, whycap, "writing %s: %s", r->safe_name, strerror(errno));
		rc = qc_fail(ctx, QC_E_IO, "%s", why);
	}
	if (rc < 0)
		unlinkat(dirfd, r->safe_name, 0);
	return rc;
}

static int write_index(qc_ctx *ctx, int dirfd, json_object *regions)
{
	json_object *root = json_object_new_object();
	const char *s;
	int fd, rc = 0;

	json_object_object_add(root, "regions", regions);
	s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	fd = openat(dirfd, "index.json", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s) || write(fd, "\n", 1) != 1)
		rc = qc_fail(ctx, QC_E_IO, "cannot write index.json: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	json_object_put(root);
	return rc;
}

int qc_sahara_ramdump(qc_transport *t, const struct qc_sahara_hello *hello, const char *dir,
		      const struct qc_sahara_ramdump_opts *opts, qc_sahara_region_fn fn, void *user,
		      struct qc_sahara_ramdump_result *res)
{
	qc_ctx *ctx = qc_transport_ctx(t);
	uint64_t max_region = opts && opts->max_region ? opts->max_region : DEFAULT_MAX_REGION;
	struct qc_sahara_ramdump_result local;
	struct qc_sahara_region *regions = NULL;
	json_object *index = NULL;
	struct qc_sahara_packet p;
	struct qc_sahara_hello h;
	uint8_t *buf = NULL;
	int dirfd = -1, rc, nreg = 0, failed = 0;
	uint32_t status;
	bool is64;

	if (!res)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return qc_fail(ctx, QC_E_IO, "cannot create %s: %s", dir, strerror(errno));
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return qc_fail(ctx, QC_E_IO, "cannot open directory %s: %s", dir, strerror(errno));
	rc = qc_sahara_get_hello(t, hello, &h);
	if (rc < 0)
		goto out;
	if (h.version < 2) {
		rc = qc_fail(ctx, QC_E_UNSUPPORTED, "the device speaks Sahara v%u, which has no memory-debug mode",
			     h.version);
		goto out;
	}
	if (h.mode != QC_SAHARA_MODE_MEMORY_DEBUG)
		qc_log(ctx, QC_LOG_INFO, "the device offers %s mode; asking for memory debug",
		       qc_sahara_mode_name(h.mode));
	rc = qc_sahara_send_hello_resp(t, &h, QC_SAHARA_MODE_MEMORY_DEBUG);
	if (rc == 0)
		rc = qc_sahara_recv(t, qc_get_timeout(ctx), &p);
	if (rc < 0)
		goto out;
	if (p.cmd == QC_SAHARA_END_IMAGE_TX) {
		rc = qc_sahara_device_error(ctx, "instead of entering memory-debug mode", &p);
		goto out;
	}
	if (p.cmd != QC_SAHARA_MEMORY_DEBUG && p.cmd != QC_SAHARA_MEMORY_DEBUG_64) {
		rc = qc_fail(ctx, QC_E_PROTOCOL, "the device answered memory-debug mode with %s",
			     qc_sahara_cmd_name(p.cmd));
		goto out;
	}
	is64 = res->read64 = p.cmd == QC_SAHARA_MEMORY_DEBUG_64;
	if (!p.u.memory.length || p.u.memory.length > QC_SAHARA_MAX_TABLE_LEN ||
	    p.u.memory.length % (is64 ? QC_SAHARA_REGION64_LEN : QC_SAHARA_REGION32_LEN)) {
		rc = qc_fail(ctx, QC_E_PROTOCOL,
			     "the device announced a region table of %llu bytes (a whole number of %u-byte entries, at "
			     "most %u bytes, is expected)",
			     (unsigned long long)p.u.memory.length, is64 ? QC_SAHARA_REGION64_LEN : QC_SAHARA_REGION32_LEN,
			     QC_SAHARA_MAX_TABLE_LEN);
		goto out;
	}
	buf = malloc(READ_CHUNK > QC_SAHARA_MAX_TABLE_LEN ? READ_CHUNK : QC_SAHARA_MAX_TABLE_LEN);
	regions = calloc(QC_SAHARA_MAX_TABLE_LEN / QC_SAHARA_REGION32_LEN + 1, sizeof(*regions));
	if (!buf || !regions) {
		rc = qc_fail(ctx, QC_E_NOMEM, "out of memory");
		goto out;
	}
	rc = mem_read(t, is64, p.u.memory.address, (size_t)p.u.memory.length, buf, &status);
	if (rc < 0)
		goto out;
	nreg = qc_sahara_parse_memtable(ctx, buf, (size_t)p.u.memory.length, is64, regions,
					QC_SAHARA_MAX_TABLE_LEN / QC_SAHARA_REGION32_LEN + 1);
	if (nreg < 0) {
		rc = nreg;
		goto out;
	}
	res->regions = (size_t)nreg;
	index = json_object_new_array();
	for (int i = 0; i < nreg; i++) {
		const struct qc_sahara_region *r = &regions[i];
		json_object *e = json_object_new_object();
		char why[1024] = "", addr[32];
		bool saved = false, sel = selected(r, opts);

		if (sel) {
			res->selected++;
			if (r->length > max_region) {
				snprintf(why, sizeof(why), "its size of %llu bytes exceeds the limit of %llu",
					 (unsigned long long)r->length, (unsigned long long)max_region);
			} else if (r->address > UINT64_MAX - r->length) {
				snprintf(why, sizeof(why), "address 0x%llx + size 0x%llx wraps around",
					 (unsigned long long)r->address, (unsigned long long)r->length);
			} else {
				rc = save_region(t, dirfd, is64, r, buf, why, sizeof(why), &res->bytes);
				/* The link or the disk failing ends the dump;
				 * a refused region does not. */
				if (rc < 0 && rc != QC_E_DEVICE && rc != QC_E_UNSAFE) {
					json_object_put(e);
					goto out;
				}
				saved = rc == 0;
			}
			if (saved)
				res->saved++;
			else
				failed++;
		}
		snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)r->address);
		json_object_object_add(e, "name", json_object_new_string(r->safe_name));
		json_object_object_add(e, "file", saved ? json_object_new_string(r->safe_name) : NULL);
		json_object_object_add(e, "description", printable(r->desc));
		json_object_object_add(e, "device_filename", printable(r->filename));
		json_object_object_add(e, "type", json_object_new_int64((int64_t)r->type));
		json_object_object_add(e, "address", json_object_new_string(addr));
		json_object_object_add(e, "length", json_object_new_uint64(r->length));
		json_object_object_add(e, "selected", json_object_new_boolean(sel));
		json_object_object_add(e, "saved", json_object_new_boolean(saved));
		if (sel && !saved)
			json_object_object_add(e, "reason", json_object_new_string(why));
		json_object_array_add(index, e);
		if (sel && fn)
			fn(user, r, saved ? r->safe_name : NULL, saved, why);
		if (sel && !saved)
			qc_log(ctx, QC_LOG_WARN, "region %s not saved: %s", r->safe_name, why);
	}
	rc = write_index(ctx, dirfd, index);
	index = NULL;
	if (rc < 0)
		goto out;
	if (!opts || !opts->no_reset) {
		p = (struct qc_sahara_packet){.cmd = QC_SAHARA_RESET};
		rc = qc_sahara_send(t, &p);
		if (rc == 0)
			rc = qc_sahara_recv(t, qc_get_timeout(ctx), &p);
		/* A device that reboots before RESET_RESP reaches us did reset. */
		if (rc == QC_E_DISCONNECTED) {
			rc = 0;
			p.cmd = QC_SAHARA_RESET_RESP;
		}
		if (rc == 0 && p.cmd != QC_SAHARA_RESET_RESP)
			rc = qc_fail(ctx, QC_E_PROTOCOL, "the device answered RESET with %s", qc_sahara_cmd_name(p.cmd));
		if (rc < 0)
			goto out;
	}
	if (failed)
		rc = qc_fail(ctx, QC_E_DEVICE, "%d of %zu selected regions could not be saved (see %s/index.json)", failed,
			     res->selected, dir);
out:
	if (index)
		json_object_put(index);
	free(regions);
	free(buf);
	close(dirfd);
	return rc;
}
