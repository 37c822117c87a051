/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated Firehose programmer: what runs on the phone after Sahara has
 * uploaded prog_firehose_*.elf.  It answers on the same link, with the log
 * chatter, NAK reasons and limits of a real DDR programmer, on the LUN
 * image files of the simulator's storage.
 */
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/bytes.h"
#include "firehose_sim.h"

static const struct qcsim_option firehose_options[] = {
    {"max-payload", "SIZE",
     "Firehose: largest raw write accepted (MaxPayloadSizeToTargetInBytesSupported, "
     "default 1M)"},
    {"max-payload-from", "SIZE", "Firehose: raw chunk size of <read> answers (default 1M)"},
    {"target-name", "NAME", "Firehose: TargetName in the configure answer (default QCS6490)"},
    {"no-digest", NULL, "Firehose: refuse getsha256digest, like programmers without it"},
    {"no-peek", NULL, "Firehose: refuse peek/poke, like production programmers"},
    {"storage-info-text", NULL, "Firehose: answer getstorageinfo with key: value lines instead of JSON"},
    {"late-logs", NULL, "Firehose: send a <log> after every response, as some programmers do"},
    {"xml-split", "N", "Firehose: send answers N bytes at a time (split documents)"},
    {"fault", "SPEC",
     "Firehose faults: nak:TAG (the next TAG command), nak:program:N (the Nth program), "
     "nak:program-data (NAK after the data), corrupt:program (store a flipped bit), garbage-xml"},
    {NULL, NULL, NULL},
};

/* Functions this programmer lists at start-up and on <nop>. */
static const char functions[] = "program read nop patch configure setbootablestoragedrive erase power "
				"getstorageinfo getsha256digest benchmark peek poke";

static int fh_init(struct qcsim *sim, void **state)
{
	struct fhsim *s = calloc(1, sizeof(*s));
	const char *tn = qcsim_opt(sim, "target-name");
	uint64_t split;
	int rc;

	if (!s)
		return qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
	s->sim = sim;
	if ((rc = qcsim_opt_u64(sim, "max-payload", 1u << 20, &s->max_payload)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "max-payload-from", 1u << 20, &s->max_payload_from)) < 0 ||
	    (rc = qcsim_opt_u64(sim, "xml-split", 0, &split)) < 0 || (rc = qcsim_storage(sim, &s->st)) < 0)
		goto fail;
	rc = QC_E_INVAL;
	if (s->max_payload < s->st->sector_size || s->max_payload > (64u << 20)) {
		qc_fail(qcsim_ctx(sim), rc, "--max-payload must be from one sector to 64M");
		goto fail;
	}
	if (s->max_payload_from < 512 || s->max_payload_from > FHSIM_BUF) {
		qc_fail(qcsim_ctx(sim), rc, "--max-payload-from must be from 512 to 4M");
		goto fail;
	}
	s->xml_split = (size_t)split;
	s->no_digest = qcsim_flag(sim, "no-digest");
	s->no_peek = qcsim_flag(sim, "no-peek");
	s->late_logs = qcsim_flag(sim, "late-logs");
	s->text_info = qcsim_flag(sim, "storage-info-text");
	snprintf(s->target_name, sizeof(s->target_name), "%s", tn ? tn : "QCS6490");
	s->bootable = -1;
	s->buf = malloc(FHSIM_BUF);
	if (!s->buf || qc_fh_framer_init(&s->fr, FHSIM_XML_MAX, 64 * 1024) < 0) {
		rc = qc_fail(qcsim_ctx(sim), QC_E_NOMEM, "out of memory");
		goto fail;
	}
	/* Memory behind peek: a recognisable pattern. */
	for (size_t i = 0; i < sizeof(s->mem); i++)
		s->mem[i] = (uint8_t)(i * 7 + 3);
	*state = s;
	return 0;
fail:
	free(s->buf);
	free(s);
	return rc;
}

static void fh_fini(struct qcsim *sim, void *state)
{
	struct fhsim *s = state;

	(void)sim;
	qc_fh_framer_free(&s->fr);
	qc_fh_doc_free(&s->doc);
	free(s->buf);
	free(s);
}

/* ---- answers ---- */

static int send_doc(struct fhsim *s, const char *doc, size_t len)
{
	if (!s->xml_split)
		return qcsim_write(s->sim, doc, len);
	for (size_t off = 0; off < len; off += s->xml_split) {
		size_t n = len - off < s->xml_split ? len - off : s->xml_split;
		struct timespec ts = {0, 200000};
		int rc = qcsim_write(s->sim, doc + off, n);

		if (rc < 0)
			return rc;
		nanosleep(&ts, NULL); /* so the host sees the pieces separately */
	}
	return 0;
}

int fhsim_log(struct fhsim *s, const char *fmt, ...)
{
	char text[1024], doc[2048];
	struct qc_fh_xml x;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	qc_fh_xml_begin(&x, doc, sizeof(doc));
	qc_fh_xml_elem(&x, "log");
	qc_fh_xml_attr(&x, "value", text);
	n = qc_fh_xml_finish(&x);
	if (n < 0)
		return n;
	return send_doc(s, doc, (size_t)n);
}

int fhsim_ack(struct fhsim *s, bool ack, const char *rawmode)
{
	char doc[512];
	struct qc_fh_xml x;
	int n, rc;

	if (qcsim_fault(s->sim, "garbage-xml")) {
		static const char junk[] = "<?xml version=\"1.0\" ?><data><response value=\"ACK\" rawmode=\x01\xfe"
					   "</data>";

		qcsim_log(s->sim, "fault: garbage instead of a response");
		return send_doc(s, junk, sizeof(junk) - 1);
	}
	qc_fh_xml_begin(&x, doc, sizeof(doc));
	qc_fh_xml_elem(&x, "response");
	qc_fh_xml_attr(&x, "value", ack ? "ACK" : "NAK");
	if (rawmode)
		qc_fh_xml_attr(&x, "rawmode", rawmode);
	n = qc_fh_xml_finish(&x);
	if (n < 0)
		return n;
	rc = send_doc(s, doc, (size_t)n);
	/* Some programmers keep logging after their response. */
	if (rc == 0 && s->late_logs && (!rawmode || strcmp(rawmode, "true")))
		rc = fhsim_log(s, "INFO: response sent");
	return rc;
}

int fhsim_nak(struct fhsim *s, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	qcsim_log(s->sim, "NAK: %s", text);
	rc = fhsim_log(s, "ERROR: %s", text);
	return rc < 0 ? rc : fhsim_ack(s, false, NULL);
}

/* ---- configure ---- */

static int do_configure(struct fhsim *s, const struct qc_fh_elem *e)
{
	const char *mem = qc_fh_attr(e, "MemoryName");
	uint64_t ask = 0, every = 0;
	char doc[1024];
	struct qc_fh_xml x;
	int n;

	if (!mem || strcasecmp(mem, s->st->type))
		return fhsim_nak(s, "MemoryName '%s' is not this device's storage (%s)", mem ? mem : "(none)",
				 s->st->type);
	if (qc_fh_attr_u64(e, "MaxPayloadSizeToTargetInBytes", &ask) < 0 ||
	    qc_fh_attr_u64(e, "AckRawDataEveryNumPackets", &every) < 0)
		return fhsim_nak(s, "configure attributes must be numbers");
	if (!ask)
		ask = s->max_payload;
	if (qcsim_fault(s->sim, "nak:configure"))
		return fhsim_nak(s, "configure refused (injected fault)");
	if (ask > s->max_payload || ask < s->st->sector_size) {
		/* Tell the host the size to retry with, as DDR programmers do. */
		fhsim_log(s, "ERROR: a payload of %llu bytes to the target is not supported; use %llu",
			  (unsigned long long)ask, (unsigned long long)s->max_payload);
		qc_fh_xml_begin(&x, doc, sizeof(doc));
		qc_fh_xml_elem(&x, "response");
		qc_fh_xml_attr(&x, "value", "NAK");
		qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytes", "%llu", (unsigned long long)s->max_payload);
		qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytesSupported", "%llu",
				(unsigned long long)s->max_payload);
		n = qc_fh_xml_finish(&x);
		return n < 0 ? n : send_doc(s, doc, (size_t)n);
	}
	s->configured = true;
	s->payload = ask;
	s->ack_every = (unsigned)(every > 1000000 ? 1000000 : every);
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "memory", json_object_new_string(s->st->type));
	json_object_object_add(ev, "max_payload", json_object_new_int64((int64_t)ask));
	qcsim_event(s->sim, "configure", ev);
	qc_fh_xml_begin(&x, doc, sizeof(doc));
	qc_fh_xml_elem(&x, "response");
	qc_fh_xml_attr(&x, "value", "ACK");
	qc_fh_xml_attr(&x, "MinVersionSupported", "1");
	qc_fh_xml_attr(&x, "MemoryName", s->st->type);
	qc_fh_xml_attrf(&x, "MaxPayloadSizeFromTargetInBytes", "%llu", (unsigned long long)s->max_payload_from);
	qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytes", "%llu", (unsigned long long)ask);
	qc_fh_xml_attrf(&x, "MaxPayloadSizeToTargetInBytesSupported", "%llu", (unsigned long long)s->max_payload);
	qc_fh_xml_attr(&x, "MaxXMLSizeInBytes", "4096");
	qc_fh_xml_attr(&x, "Version", "1");
	qc_fh_xml_attr(&x, "TargetName", s->target_name);
	n = qc_fh_xml_finish(&x);
	return n < 0 ? n : send_doc(s, doc, (size_t)n);
}

/* ---- small commands ---- */

static int do_nop(struct fhsim *s)
{
	int rc = fhsim_log(s, "Chip serial num: 3735928559 (0xdeadbeef)");

	if (rc == 0)
		rc = fhsim_log(s, "Supported Functions (%d): %s", 14, functions);
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

static int do_bootable(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t lun;

	if (qc_fh_attr_u64(e, "value", &lun) != 1 || lun >= s->st->luns)
		return fhsim_nak(s, "setbootablestoragedrive value '%s' is not a LUN of this device",
				 qc_fh_attr(e, "value") ? qc_fh_attr(e, "value") : "");
	s->bootable = (int)lun;
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "lun", json_object_new_int64((int64_t)lun));
	qcsim_event(s->sim, "setbootablestoragedrive", ev);
	int rc = fhsim_log(s, "Set bootable drive to %llu.", (unsigned long long)lun);

	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

/* A reset takes the device off the link; reset_to_edl brings it back in
 * the boot ROM's Sahara mode, like a phone re-enumerating as 9008. */
static int do_power(struct fhsim *s, const struct qc_fh_elem *e)
{
	const char *v = qc_fh_attr(e, "value");
	int rc;

	if (!v ||
	    (strcasecmp(v, "reset") && strcasecmp(v, "off") && strcasecmp(v, "reset_to_edl") && strcasecmp(v, "edl")))
		return fhsim_nak(s, "power value '%s' is not reset, off or reset_to_edl", v ? v : "");
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "value", json_object_new_string(v));
	qcsim_event(s->sim, "power", ev);
	rc = fhsim_log(s, "Issuing %s", v);
	if (rc == 0)
		rc = fhsim_ack(s, true, NULL);
	if (rc < 0)
		return rc;
	if (!strcasecmp(v, "reset_to_edl") || !strcasecmp(v, "edl")) {
		rc = qcsim_switch(s->sim, "sahara", NULL, 0, true);
		return rc < 0 ? rc : FHSIM_SWITCH;
	}
	s->configured = false;
	return FHSIM_STOP;
}

static int do_storage_info(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t lun = 0, sectors = fhsim_lun_sectors(s);
	const char *mem = s->st->type;
	int rc;

	if (qc_fh_attr_u64(e, "physical_partition_number", &lun) < 0 || lun >= s->st->luns)
		return fhsim_nak(s, "getstorageinfo: physical partition %s does not exist",
				 qc_fh_attr(e, "physical_partition_number"));
	if (s->text_info) {
		rc = fhsim_log(s, "Device Total Logical Blocks: 0x%llx", (unsigned long long)sectors);
		if (rc == 0)
			rc = fhsim_log(s, "Device Block Size in Bytes: 0x%x", s->st->sector_size);
		if (rc == 0)
			rc = fhsim_log(s, "Device Total Physical Partitions: 0x%x", s->st->luns);
		if (rc == 0)
			rc = fhsim_log(s, "Device Manufacturer ID: 0x1ad");
		if (rc == 0)
			rc = fhsim_log(s, "Device Serial Number: 0x5153494d");
	} else {
		rc = fhsim_log(s,
			       "{\"storage_info\": {\"total_blocks\":%llu, \"block_size\":%u, \"page_size\":%u, "
			       "\"num_physical\":%u, \"manufacturer_id\":429, \"serial_num\":1364412749, "
			       "\"fw_version\":\"0100\",\"mem_type\":\"%s\",\"prod_name\":\"QCBOX-SIM-%s\"}}",
			       (unsigned long long)sectors, s->st->sector_size, s->st->sector_size, s->st->luns, mem,
			       mem);
	}
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

static int mem_range(struct fhsim *s, const struct qc_fh_elem *e, uint64_t *addr, uint64_t *len)
{
	if (qc_fh_attr_u64(e, "address64", addr) != 1 ||
	    (qc_fh_attr_u64(e, "SizeInBytes", len) != 1 && qc_fh_attr_u64(e, "size_in_bytes", len) != 1))
		return fhsim_nak(s, "%s needs address64 and SizeInBytes", e->tag);
	if (*addr < FHSIM_MEM_BASE || *len > FHSIM_MEM_SIZE || *addr - FHSIM_MEM_BASE > FHSIM_MEM_SIZE - *len)
		return fhsim_nak(s, "%s of %llu bytes at 0x%llx is outside accessible memory", e->tag,
				 (unsigned long long)*len, (unsigned long long)*addr);
	return 1;
}

static int do_peek(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t addr, len;
	int rc;

	if (s->no_peek)
		return fhsim_nak(s, "peek is not supported by this programmer");
	if ((rc = mem_range(s, e, &addr, &len)) != 1)
		return rc;
	rc = fhsim_log(s, "Using address 0x%llx", (unsigned long long)addr);
	for (uint64_t off = 0; rc == 0 && off < len; off += 16) {
		char line[16 * 5 + 1];
		size_t n = 0;

		for (uint64_t i = off; i < len && i < off + 16; i++)
			n += (size_t)snprintf(line + n, sizeof(line) - n, "%s0x%02X", i > off ? " " : "",
					      s->mem[addr - FHSIM_MEM_BASE + i]);
		rc = fhsim_log(s, "%s", line);
	}
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

static int do_poke(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t addr, len, v;
	int rc;

	if (s->no_peek)
		return fhsim_nak(s, "poke is not supported by this programmer");
	if ((rc = mem_range(s, e, &addr, &len)) != 1)
		return rc;
	if (len > 8 || (qc_fh_attr_u64(e, "value64", &v) != 1 && qc_fh_attr_u64(e, "value", &v) != 1))
		return fhsim_nak(s, "poke needs a value of at most 8 bytes");
	uint8_t le[8];

	qc_put_le64(le, v); /* memory is little-endian */
	memcpy(s->mem + (addr - FHSIM_MEM_BASE), le, (size_t)len);
	json_object *ev = json_object_new_object();

	json_object_object_add(ev, "address", json_object_new_int64((int64_t)addr));
	json_object_object_add(ev, "bytes", json_object_new_int64((int64_t)len));
	qcsim_event(s->sim, "poke", ev);
	return fhsim_ack(s, true, NULL);
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Real figures of the machine the simulator runs on: memory copies stand
 * in for storage writes/reads, SHA-256 for the digest engine. */
static int do_benchmark(struct fhsim *s, const struct qc_fh_elem *e)
{
	uint64_t trials = 1;
	const size_t n = FHSIM_BUF / 2;
	struct timespec t0;
	uint8_t md[32];
	int rc = 0;

	if (qc_fh_attr_u64(e, "trials", &trials) < 0 || trials < 1 || trials > 100)
		return fhsim_nak(s, "benchmark trials must be 1 to 100");
	memset(s->buf, 0xa5, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < trials; i++)
		memcpy(s->buf + n, s->buf, n);
	rc = fhsim_log(s, "Write performance: %.1f MB/s (%llu trials of %zu bytes)",
		       (double)n * (double)trials / seconds_since(&t0) / 1e6, (unsigned long long)trials, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < trials; i++)
		memcpy(s->buf, s->buf + n, n);
	if (rc == 0)
		rc = fhsim_log(s, "Read performance: %.1f MB/s", (double)n * (double)trials / seconds_since(&t0) / 1e6);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint64_t i = 0; i < trials; i++)
		EVP_Digest(s->buf, n, md, NULL, EVP_sha256(), NULL);
	if (rc == 0)
		rc = fhsim_log(s, "Digest performance: %.1f MB/s",
			       (double)n * (double)trials / seconds_since(&t0) / 1e6);
	return rc < 0 ? rc : fhsim_ack(s, true, NULL);
}

/* ---- the session ---- */

/* After a Sahara upload the programmer introduces itself, unasked. */
static int announce(struct fhsim *s)
{
	size_t len;
	const uint8_t *img = qcsim_handoff(s->sim, &len);
	uint8_t md[32];
	int rc;

	if (s->announced || !img || !len)
		return 0;
	s->announced = true;
	EVP_Digest(img, len, md, NULL, EVP_sha256(), NULL);
	rc = fhsim_log(s, "Binary build date: Nov 25 2026 @ 12:00:00");
	if (rc == 0)
		rc = fhsim_log(s, "Programmer image of %zu bytes, sha256 %02x%02x%02x%02x...", len, md[0], md[1], md[2],
			       md[3]);
	if (rc == 0)
		rc = fhsim_log(s, "Chip serial num: 3735928559 (0xdeadbeef)");
	if (rc == 0)
		rc = fhsim_log(s, "Supported Functions (%d): %s", 14, functions);
	return rc;
}

/* 1 with the next command document, or FHSIM_STOP when the host left. */
static int next_command(struct fhsim *s, const char **text, size_t *len)
{
	for (;;) {
		int rc = qc_fh_framer_next(&s->fr, text, len);
		size_t room;
		uint8_t *space;
		ssize_t n;

		if (rc == 1)
			return 1;
		if (rc < 0) {
			/* Cannot find the next document in this stream: say
			 * so and drop the link, as a programmer would. */
			if (rc == QC_E_TOOBIG)
				fhsim_nak(s, "XML command longer than %d bytes", FHSIM_XML_MAX);
			else
				fhsim_nak(s, "bytes outside an XML command");
			return FHSIM_STOP;
		}
		space = qc_fh_framer_space(&s->fr, &room);
		n = qcsim_read(s->sim, space, room, -1);
		if (n == QC_E_DISCONNECTED || n == 0)
			return FHSIM_STOP;
		if (n < 0)
			return (int)n;
		qc_fh_framer_fill(&s->fr, (size_t)n);
	}
}

static bool storage_cmd(const char *tag)
{
	static const char *const tags[] = {"program", "read", "erase", "patch", "getsha256digest"};

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strcasecmp(tag, tags[i]))
			return true;
	return false;
}

static int dispatch(struct fhsim *s, const struct qc_fh_elem *e)
{
	const char *t = e->tag;
	char fault[48];

	snprintf(fault, sizeof(fault), "nak:%s", t);
	if (strcasecmp(t, "configure") && strcasecmp(t, "program") && qcsim_fault(s->sim, fault))
		return fhsim_nak(s, "%s refused (injected fault)", t);
	if (!strcasecmp(t, "configure"))
		return do_configure(s, e);
	if (storage_cmd(t) && !s->configured)
		return fhsim_nak(s, "storage is not initialised: send <configure> before <%s>", t);
	if (!strcasecmp(t, "program"))
		return fhsim_program(s, e);
	if (!strcasecmp(t, "read"))
		return fhsim_read(s, e);
	if (!strcasecmp(t, "erase"))
		return fhsim_erase(s, e);
	if (!strcasecmp(t, "patch"))
		return fhsim_patch(s, e);
	if (!strcasecmp(t, "getsha256digest"))
		return fhsim_digest(s, e);
	if (!strcasecmp(t, "nop"))
		return do_nop(s);
	if (!strcasecmp(t, "setbootablestoragedrive"))
		return do_bootable(s, e);
	if (!strcasecmp(t, "power"))
		return do_power(s, e);
	if (!strcasecmp(t, "getstorageinfo"))
		return do_storage_info(s, e);
	if (!strcasecmp(t, "peek"))
		return do_peek(s, e);
	if (!strcasecmp(t, "poke"))
		return do_poke(s, e);
	if (!strcasecmp(t, "benchmark"))
		return do_benchmark(s, e);
	return fhsim_nak(s, "unrecognised tag <%s>", t);
}

static int fh_run(struct qcsim *sim, void *state)
{
	struct fhsim *s = state;
	int rc;

	qc_fh_framer_reset(&s->fr);
	s->programs = 0;
	rc = announce(s);
	while (rc == 0) {
		const char *text;
		size_t len;

		rc = next_command(s, &text, &len);
		if (rc != 1)
			break;
		if (qc_fh_doc_parse(qcsim_ctx(sim), text, len, &s->doc) < 0 || s->doc.nelem == 0) {
			rc = fhsim_nak(s, "cannot parse the command: %s", qc_last_error(qcsim_ctx(sim)));
		} else {
			qc_log(qcsim_ctx(sim), QC_LOG_DEBUG, "firehose command <%s>", s->doc.elem[0].tag);
			rc = dispatch(s, &s->doc.elem[0]);
		}
	}
	if (rc == FHSIM_SWITCH)
		return QCSIM_SWITCHED;
	if (rc == FHSIM_STOP || rc == QC_E_DISCONNECTED)
		return QCSIM_DISCONNECTED;
	return rc;
}

const struct qcsim_mode qcsim_mode_firehose = {
    .name = "firehose",
    .options = firehose_options,
    .init = fh_init,
    .run = fh_run,
    .fini = fh_fini,
};
