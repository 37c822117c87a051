/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The simulated programmer's storage commands on the LUN image files:
 * program, read, erase, patch and getsha256digest, with the checks and NAK
 * reasons of a real programmer (sector size, LUN, range) and an event for
 * everything that changes the disk.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/bytes.h"
#include "firehose_sim.h"
#include "qcbox/flatbuild.h"
#include "qcbox/gpt.h"

#define FHSIM_MAP_WINDOW (64u << 20)
#define FHSIM_MAP_ALIGN	 65536u

uint64_t fhsim_lun_sectors(const struct fhsim *s)
{
	return s->st->lun_bytes / s->st->sector_size;
}

struct crc_ctx {
	struct fhsim *s;
	unsigned lun;
};

static int read_at(struct fhsim *s, unsigned lun, void *buf, size_t len, uint64_t off);
typedef int (*pipe_consume_fn)(void *user, const uint8_t *buf, size_t len);
static int read_pipelined(struct fhsim *s, unsigned lun, uint64_t base, uint64_t total, size_t chunk,
			  pipe_consume_fn consume, void *user);
static int consume_send(void *user, const uint8_t *buf, size_t len);

/* CRC32(start_sector, bytes) over the LUN as it is now: patches run after
 * the programs, so this sees the freshly written partition arrays. */
static int lun_crc(void *user, uint64_t start, uint64_t len, uint32_t *crc)
{
	struct crc_ctx *c = user;
	struct fhsim *s = c->s;
	uint64_t off = start * s->st->sector_size;
	uint32_t v = 0;

	if (start >= fhsim_lun_sectors(s) || len > s->st->lun_bytes - off)
		return qc_fail(qcsim_ctx(s->sim), QC_E_RANGE, "CRC32 over bytes beyond the end of LUN %u", c->lun);
	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < FHSIM_BUF ? (size_t)(len - done) : FHSIM_BUF;

		if (read_at(s, c->lun, s->buf, n, off + done) < 0)
			return qc_fail(qcsim_ctx(s->sim), QC_E_IO, "cannot read LUN %u", c->lun);
		v = qc_crc32_update(v, s->buf, n);
		done += n;
	}
	*crc = v;
	return 0;
}

/* start_sector and patch values are expressions a programmer evaluates:
 * NUM_DISK_SECTORS of this LUN, CRC32() over its current contents. */
static int eval(struct fhsim *s, unsigned lun, const char *text, uint64_t *out)
{
	struct crc_ctx c = {s, lun};
	struct qc_expr_env env = {.num_disk_sectors = fhsim_lun_sectors(s), .crc32 = lun_crc, .user = &c, .what = text};

	return qc_expr_eval(qcsim_ctx(s->sim), text, &env, out);
}

struct range {
	unsigned lun;
	uint64_t start, sectors;
	bool whole; /* no start/count given (erase of a LUN) */
};

/* Checks the addressing attributes like a programmer does; 1 when the
 * range is good, else the NAK went out (0) or an error. */
static int get_range(struct fhsim *s, const struct qc_fh_elem *e, struct range *r, bool optional)
{
	uint64_t ss = 0, lun = 0, n = 0;
	const char *start = qc_fh_attr(e, "start_sector"), *count = qc_fh_attr(e, "num_partition_sectors");
	int rc;

	memset(r, 0, sizeof(*r));
	if (qc_fh_attr_u64(e, "SECTOR_SIZE_IN_BYTES", &ss) != 1)
		return fhsim_nak(s, "<%s> without SECTOR_SIZE_IN_BYTES", e->tag);
	if (ss != s->st->sector_size)
		return fhsim_nak(s, "SECTOR_SIZE_IN_BYTES %llu does not match the device sector size %u",
				 (unsigned long long)ss, s->st->sector_size);
	if (qc_fh_attr_u64(e, "physical_partition_number", &lun) < 0 || lun >= s->st->luns)
		return fhsim_nak(s, "physical partition %s does not exist (this device has %u)",
				 qc_fh_attr(e, "physical_partition_number"), s->st->luns);
	r->lun = (unsigned)lun;
	if (optional && !start && !count) {
		r->whole = true;
		r->sectors = fhsim_lun_sectors(s);
		return 1;
	}
	if (!start || !count)
		return fhsim_nak(s, "<%s> needs start_sector and num_partition_sectors", e->tag);
	if ((rc = eval(s, r->lun, start, &r->start)) < 0)
		return fhsim_nak(s, "cannot evaluate start_sector: %s", qc_last_error(qcsim_ctx(s->sim)));
	if (qc_fh_parse_u64(count, &n) < 0)
		return fhsim_nak(s, "num_partition_sectors '%s' is not a number", count);
	if (!n)
		return fhsim_nak(s, "num_partition_sectors is 0");
	if (r->start >= fhsim_lun_sectors(s) || n > fhsim_lun_sectors(s) - r->start)
		return fhsim_nak(s, "sectors %llu..%llu are beyond the end of LUN %u (%llu sectors)",
				 (unsigned long long)r->start, (unsigned long long)(r->start + n - 1), r->lun,
				 (unsigned long long)fhsim_lun_sectors(s));
	r->sectors = n;
	return 1;
}

static void range_event(struct fhsim *s, const char *name, const struct range *r, uint64_t sectors, bool complete)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "lun", json_object_new_int64(r->lun));
	json_object_object_add(o, "start", json_object_new_int64((int64_t)r->start));
	json_object_object_add(o, "sectors", json_object_new_int64((int64_t)sectors));
	json_object_object_add(o, "sector_size", json_object_new_int64(s->st->sector_size));
	if (!complete)
		json_object_object_add(o, "complete", json_object_new_boolean(false));
	qcsim_event(s->sim, name, o);
}

/* Large aligned transfers bypass the page cache, as a device's flash does
 * not live in the host's memory; small or unaligned ones (patches, the
 * last sectors of an image) go through it.  Linux keeps the two coherent. */
static int lun_fd(struct fhsim *s, unsigned lun, const void *buf, size_t len, uint64_t off)
{
	if (s->st->dfd[lun] >= 0 && len >= (64u << 10) && !((uintptr_t)buf % 4096) && !(len % 4096) && !(off % 4096))
		return s->st->dfd[lun];
	return s->st->fd[lun];
}

static int write_at(struct fhsim *s, unsigned lun, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	int fd = lun_fd(s, lun, buf, len, off);

	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int read_at(struct fhsim *s, unsigned lun, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	int fd = lun_fd(s, lun, buf, len, off);

	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) { /* past the file: storage reads as erased */
			memset(p, 0, len);
			return 0;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

int fhsim_program(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t ss = s->st->sector_size, total, got = 0, stored = 0, base, packet, next_ack;
	size_t fill = 0;
	struct range r;
	char fault[48];
	bool corrupt, nak_end, gone = false;
	int werr = 0;
	uint64_t werr_at = 0;
	int rc = get_range(s, e, &r, false);

	if (rc != 1)
		return rc;
	s->programs++;
	snprintf(fault, sizeof(fault), "nak:program:%u", s->programs);
	if (qcsim_fault(s->sim, "nak:program") || qcsim_fault(s->sim, fault))
		return fhsim_nak(s, "programming LUN %u refused (injected fault)", r.lun);
	corrupt = qcsim_fault(s->sim, "corrupt:program");
	nak_end = qcsim_fault(s->sim, "nak:program-data");
	if ((rc = fhsim_ack(s, true, "true")) < 0)
		return rc;
	total = r.sectors * ss;
	base = r.start * ss;
	packet = s->ack_every ? (uint64_t)s->ack_every * s->payload : 0;
	next_ack = packet;
	while (got < total) {
		size_t want = total - got < FHSIM_BUF - fill ? (size_t)(total - got) : FHSIM_BUF - fill;
		size_t n = qc_fh_framer_take(&s->fr, s->buf + fill, want);

		if (!n) {
			ssize_t k = qcsim_read(s->sim, s->buf + fill, want, -1);

			if (k <= 0) {
				if (k < 0 && k != QC_E_DISCONNECTED)
					return (int)k;
				gone = true;
				break;
			}
			n = (size_t)k;
		}
		fill += n;
		got += n;
		if (fill == FHSIM_BUF || got == total) {
			/* After a failed write the rest is still taken off the
			 * link, so the NAK comes where the host expects it. */
			if (!werr && (werr = write_at(s, r.lun, s->buf, fill, base + stored)) < 0)
				werr_at = (base + stored) / ss;
			if (!werr)
				stored += fill;
			fill = 0;
		}
		while (packet && got >= next_ack) {
			if ((rc = fhsim_ack(s, true, "true")) < 0)
				return rc;
			next_ack += packet;
		}
	}
	if (gone) {
		/* What arrived in whole sectors is on the disk, like a real
		 * device cut off mid-transfer. */
		fill -= fill % ss;
		if (!werr && fill && write_at(s, r.lun, s->buf, fill, base + stored) == 0)
			stored += fill;
		qcsim_log(s->sim, "host left after %llu of %llu bytes of a program", (unsigned long long)got,
			  (unsigned long long)total);
		range_event(s, "program", &r, stored / ss, false);
		return FHSIM_STOP;
	}
	if (werr) {
		range_event(s, "program", &r, stored / ss, false);
		return fhsim_nak(s, "write failed at sector %llu: %s", (unsigned long long)werr_at, strerror(-werr));
	}
	if (corrupt) {
		uint8_t b;
		uint64_t at = base + total / 2;

		if (read_at(s, r.lun, &b, 1, at) == 0) {
			b ^= 0x10;
			write_at(s, r.lun, &b, 1, at);
		}
		qcsim_log(s->sim, "fault: corrupted the byte at sector %llu", (unsigned long long)(at / ss));
	}
	range_event(s, "program", &r, r.sectors, true);
	if (nak_end)
		return fhsim_nak(s, "programming failed after the data arrived (injected fault)");
	rc = fhsim_log(s, "Finished programming start_sector %llu and TotalSectorsToProgram %llu",
		       (unsigned long long)r.start, (unsigned long long)r.sectors);
	return rc < 0 ? rc : fhsim_ack(s, true, "false");
}

int fhsim_read(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t ss = s->st->sector_size, total, sent = 0, base;
	struct range r;
	int rc = get_range(s, e, &r, false);

	if (rc != 1)
		return rc;
	if ((rc = fhsim_ack(s, true, "true")) < 0)
		return rc;
	total = r.sectors * ss;
	base = r.start * ss;
	rc = read_pipelined(s, r.lun, base, total, (size_t)s->max_payload_from, consume_send, s);
	if (rc < 0)
		return rc;
	if (rc == 0)
		sent = total;
	while (sent < total) {
		size_t n = total - sent < s->max_payload_from ? (size_t)(total - sent) : (size_t)s->max_payload_from;

		if ((rc = read_at(s, r.lun, s->buf, n, base + sent)) < 0)
			memset(s->buf, 0, n);
		if ((rc = qcsim_write(s->sim, s->buf, n)) < 0)
			return rc;
		sent += n;
	}
	range_event(s, "read", &r, r.sectors, true);
	return fhsim_ack(s, true, "false");
}

/* UFS and eMMC erase to zeros (unmap/discard); NAND and NOR to 0xFF. */
int fhsim_erase(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t ss = s->st->sector_size, off, len;
	bool ones = !strcmp(s->st->type, "nand") || !strcmp(s->st->type, "spinor");
	struct range r;
	int rc = get_range(s, e, &r, true);

	if (rc != 1)
		return rc;
	off = r.start * ss;
	len = r.sectors * ss;
	if (ones || fallocate(s->st->fd[r.lun], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len)) {
		memset(s->buf, ones ? 0xff : 0, FHSIM_BUF);
		for (uint64_t done = 0; done < len;) {
			size_t n = len - done < FHSIM_BUF ? (size_t)(len - done) : FHSIM_BUF;

			if ((rc = write_at(s, r.lun, s->buf, n, off + done)) < 0)
				return fhsim_nak(s, "erase failed at sector %llu: %s",
						 (unsigned long long)((off + done) / ss), strerror(-rc));
			done += n;
		}
	}
	range_event(s, "erase", &r, r.sectors, true);
	rc = fhsim_log(s, "Erased %llu sectors of LUN %u from sector %llu", (unsigned long long)r.sectors, r.lun,
		       (unsigned long long)r.start);
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

/*
 * Long reads of the flash (a <read>, a getsha256digest) that large writes
 * put on the disk directly: a reader thread fills one aligned buffer with
 * O_DIRECT while the other is sent or hashed, so the command takes as long
 * as the slower of the two, and no page cache is filled for data that is
 * read once.
 */
struct disk_pipe {
	int fd;
	uint64_t at, end;
	size_t chunk;
	uint8_t *buf[2];
	size_t len[2];
	bool ready[2], stop;
	int err;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void *pipe_reader(void *arg)
{
	struct disk_pipe *p = arg;

	for (unsigned k = 0;; k++) {
		unsigned i = k & 1;
		size_t n, got = 0;

		pthread_mutex_lock(&p->mu);
		while (p->ready[i] && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			return NULL;
		n = p->end - p->at < p->chunk ? (size_t)(p->end - p->at) : p->chunk;
		while (got < n) {
			ssize_t r = pread(p->fd, p->buf[i] + got, n - got, (off_t)(p->at + got));

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				p->err = -errno;
				n = 0;
				break;
			}
			if (r == 0) { /* past the end of the file: erased */
				memset(p->buf[i] + got, 0, n - got);
				break;
			}
			got += (size_t)r;
		}
		p->at += n;
		pthread_mutex_lock(&p->mu);
		p->len[i] = n;
		p->ready[i] = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (n == 0)
			return NULL;
	}
}

/* Returns 0, the consumer's or the disk's error, or 1 when the pipelined
 * path cannot be used here (no O_DIRECT, unaligned, short). */
static int read_pipelined(struct fhsim *s, unsigned lun, uint64_t base, uint64_t total, size_t chunk,
			  pipe_consume_fn consume, void *user)
{
	struct disk_pipe p = {.fd = s->st->dfd[lun], .at = base, .end = base + total, .chunk = chunk};
	pthread_t th;
	int rc = 0;

	if (p.fd < 0 || base % 4096 || total % 4096 || chunk % 4096 || total < 2 * (uint64_t)chunk)
		return 1;
	if (posix_memalign((void **)&p.buf[0], 4096, chunk))
		return 1;
	if (posix_memalign((void **)&p.buf[1], 4096, chunk)) {
		free(p.buf[0]);
		return 1;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if (pthread_create(&th, NULL, pipe_reader, &p)) {
		rc = 1;
		goto out;
	}
	for (unsigned k = 0; rc == 0; k++) {
		unsigned i = k & 1;
		size_t n;

		pthread_mutex_lock(&p.mu);
		while (!p.ready[i])
			pthread_cond_wait(&p.cv, &p.mu);
		n = p.len[i];
		pthread_mutex_unlock(&p.mu);
		if (n == 0)
			break;
		rc = consume(user, p.buf[i], n);
		pthread_mutex_lock(&p.mu);
		p.ready[i] = false;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_mutex_lock(&p.mu);
	p.stop = true;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	pthread_join(th, NULL);
	if (rc == 0)
		rc = p.err;
out:
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.buf[0]);
	free(p.buf[1]);
	return rc;
}

static int consume_hash(void *user, const uint8_t *buf, size_t len)
{
	return EVP_DigestUpdate(user, buf, len) ? 0 : QC_E_NOMEM;
}

static int consume_send(void *user, const uint8_t *buf, size_t len)
{
	return qcsim_write(((struct fhsim *)user)->sim, buf, len);
}

int fhsim_digest(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t ss = s->st->sector_size, total, done = 0, base;
	uint8_t md[32];
	char hex[65];
	struct range r;
	EVP_MD_CTX *c;
	int rc;

	if (s->no_digest)
		return fhsim_nak(s, "unrecognised tag <%s>", e->tag);
	if ((rc = get_range(s, e, &r, false)) != 1)
		return rc;
	total = r.sectors * ss;
	base = r.start * ss;
	c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		return qc_fail(qcsim_ctx(s->sim), QC_E_NOMEM, "cannot set up SHA-256");
	}
	rc = read_pipelined(s, r.lun, base, total, 4u << 20, consume_hash, c);
	if (rc < 0) {
		EVP_MD_CTX_free(c);
		return fhsim_nak(s, "cannot read LUN %u: %s", r.lun, strerror(-rc));
	}
	if (rc == 0)
		done = total;
	while (done < total) {
		/* Small ranges: hash the page cache in place, a window at a
		 * time. */
		uint64_t at = base + done, skew = at % FHSIM_MAP_ALIGN;
		size_t n = total - done < FHSIM_MAP_WINDOW ? (size_t)(total - done) : FHSIM_MAP_WINDOW;
		void *m = mmap(NULL, n + skew, PROT_READ, MAP_SHARED, s->st->fd[r.lun], (off_t)(at - skew));

		if (m != MAP_FAILED) {
			madvise(m, n + skew, MADV_SEQUENTIAL);
			EVP_DigestUpdate(c, (const uint8_t *)m + skew, n);
			munmap(m, n + skew);
		} else {
			n = n < FHSIM_BUF ? n : FHSIM_BUF;
			if (read_at(s, r.lun, s->buf, n, at) < 0)
				memset(s->buf, 0, n);
			EVP_DigestUpdate(c, s->buf, n);
		}
		done += n;
	}
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02X", md[i]);
	range_event(s, "getsha256digest", &r, r.sectors, true);
	rc = fhsim_log(s, "Digest %s", hex);
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

int fhsim_patch(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t ss = 0, lun = 0, start, off, size, value, at;
	const char *fn = qc_fh_attr(e, "filename"), *st = qc_fh_attr(e, "start_sector"), *val = qc_fh_attr(e, "value");
	uint8_t b[8];
	int rc;

	if (!fn || strcmp(fn, "DISK"))
		return fhsim_nak(s, "patch of '%s': only filename=\"DISK\" patches apply to the device", fn ? fn : "");
	if (qc_fh_attr_u64(e, "SECTOR_SIZE_IN_BYTES", &ss) != 1 || ss != s->st->sector_size)
		return fhsim_nak(s, "patch SECTOR_SIZE_IN_BYTES does not match the device sector size %u",
				 s->st->sector_size);
	if (qc_fh_attr_u64(e, "physical_partition_number", &lun) < 0 || lun >= s->st->luns)
		return fhsim_nak(s, "patch: physical partition %s does not exist",
				 qc_fh_attr(e, "physical_partition_number"));
	if (qc_fh_attr_u64(e, "byte_offset", &off) != 1 || qc_fh_attr_u64(e, "size_in_bytes", &size) != 1 || !size ||
	    size > 8 || !st || !val)
		return fhsim_nak(s, "patch needs byte_offset, size_in_bytes (1 to 8), start_sector and value");
	if (eval(s, (unsigned)lun, st, &start) < 0)
		return fhsim_nak(s, "patch: cannot evaluate start_sector: %s", qc_last_error(qcsim_ctx(s->sim)));
	if (eval(s, (unsigned)lun, val, &value) < 0)
		return fhsim_nak(s, "patch: cannot evaluate value: %s", qc_last_error(qcsim_ctx(s->sim)));
	if (start >= fhsim_lun_sectors(s) || off > s->st->lun_bytes - start * ss ||
	    size > s->st->lun_bytes - start * ss - off)
		return fhsim_nak(s, "patch at sector %llu byte %llu is beyond the end of LUN %llu",
				 (unsigned long long)start, (unsigned long long)off, (unsigned long long)lun);
	at = start * ss + off;
	qc_put_le64(b, value); /* the low SIZE bytes go to the disk */
	if ((rc = write_at(s, (unsigned)lun, b, (size_t)size, at)) < 0)
		return fhsim_nak(s, "patch write failed: %s", strerror(-rc));
	json_object *o = json_object_new_object();

	json_object_object_add(o, "lun", json_object_new_int64((int64_t)lun));
	json_object_object_add(o, "start", json_object_new_int64((int64_t)start));
	json_object_object_add(o, "byte_offset", json_object_new_int64((int64_t)off));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)size));
	json_object_object_add(o, "value", json_object_new_int64((int64_t)value));
	qcsim_event(s->sim, "patch", o);
	return fhsim_ack(s, true, NULL);
}
