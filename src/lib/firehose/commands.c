/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Firehose commands without a data phase: erase, patch,
 * setbootablestoragedrive, power, nop, getstorageinfo, peek, poke,
 * benchmark.  Answers other than ACK/NAK come back as <log> lines, so each
 * command installs a log hook that picks out what it needs.
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/bytes.h"
#include "fh_impl.h"

/* Sends a built command and waits for its ACK; *RESP (may be NULL) gets the
 * response element, valid until the next document. */
static int simple_resp(qc_fh *fh, struct qc_fh_xml *x, int timeout_ms, const char *what, const struct qc_fh_elem **resp)
{
	struct fh_resp r;
	char why[900];
	int n = qc_fh_xml_finish(x), rc;

	if (n < 0)
		return qc_fail(fh->ctx, n, "<%s> does not fit its buffer", fh->cmd);
	rc = fh_send(fh, x->buf, (size_t)n);
	if (rc == 0)
		rc = fh_response(fh, &r, timeout_ms);
	fh->hook = NULL;
	if (rc < 0)
		return rc;
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer refused %s%s", what, fh_reason(fh, why, sizeof(why)));
	if (resp)
		*resp = r.e;
	return 0;
}

static int simple(qc_fh *fh, struct qc_fh_xml *x, int timeout_ms, const char *what)
{
	return simple_resp(fh, x, timeout_ms, what, NULL);
}

int qc_fh_erase(qc_fh *fh, unsigned lun, uint64_t start, uint64_t sectors, const char *label)
{
	char at[256], why[900];
	struct fh_resp r;
	uint64_t bytes;
	int rc;

	if ((rc = fh_storage_ready(fh)) < 0)
		return rc;
	fh_where(at, sizeof(at), label, lun, start, sectors);
	fh_begin(fh, "erase", NULL, NULL);
	rc = fh_sector_cmd(fh, "erase", lun, start, sectors, label, sectors == 0);
	if (rc < 0)
		return rc;
	/* A whole-LUN erase can take long on eMMC; size unknown, so allow
	 * for a few GB. */
	bytes = sectors ? sectors * fh->info.sector_size : 4000000000ull;
	rc = fh_response(fh, &r, fh_timeout(fh, bytes));
	if (rc < 0)
		return fh_fail_during(fh, rc, "(erasing %s)", at);
	if (!r.ack)
		return qc_fail(fh->ctx, QC_E_NAK, "the programmer refused to erase %s%s", at,
			       fh_reason(fh, why, sizeof(why)));
	return 0;
}

int qc_fh_patch(qc_fh *fh, const struct qc_fh_patch *p)
{
	char buf[2048], what[512];
	struct qc_fh_xml x;

	int rc = fh_storage_ready(fh);

	if (rc < 0)
		return rc;
	snprintf(what, sizeof(what), "the patch '%s' (LUN %u, sector %s, byte %llu)", p->what ? p->what : "", p->lun,
		 p->start_sector, (unsigned long long)p->byte_offset);
	fh_begin(fh, "patch", NULL, NULL);
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "patch");
	qc_fh_xml_attrf(&x, "SECTOR_SIZE_IN_BYTES", "%u", fh->info.sector_size);
	qc_fh_xml_attrf(&x, "byte_offset", "%llu", (unsigned long long)p->byte_offset);
	qc_fh_xml_attr(&x, "filename", "DISK");
	qc_fh_xml_attrf(&x, "physical_partition_number", "%u", p->lun);
	qc_fh_xml_attrf(&x, "size_in_bytes", "%u", p->size_in_bytes);
	qc_fh_xml_attr(&x, "start_sector", p->start_sector);
	qc_fh_xml_attr(&x, "value", p->value);
	if (p->what)
		qc_fh_xml_attr(&x, "what", p->what);
	/* CRC32() over a partition array reads storage: allow for it. */
	return simple(fh, &x, fh_timeout(fh, 1 << 20), what);
}

int qc_fh_set_bootable(qc_fh *fh, unsigned lun)
{
	char buf[256], what[64];
	struct qc_fh_xml x;

	snprintf(what, sizeof(what), "to boot from LUN %u", lun);
	fh_begin(fh, "setbootablestoragedrive", NULL, NULL);
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "setbootablestoragedrive");
	qc_fh_xml_attrf(&x, "value", "%u", lun);
	return simple(fh, &x, qc_get_timeout(fh->ctx), what);
}

int qc_fh_power(qc_fh *fh, const char *how, unsigned delay_s)
{
	char buf[256], what[64];
	struct qc_fh_xml x;

	if (strcmp(how, "reset") && strcmp(how, "off") && strcmp(how, "reset_to_edl"))
		return qc_fail(fh->ctx, QC_E_INVAL, "power '%s': expected reset, off or reset_to_edl", how);
	snprintf(what, sizeof(what), "<power value=\"%s\">", how);
	fh_begin(fh, "power", NULL, NULL);
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "power");
	qc_fh_xml_attr(&x, "value", how);
	if (delay_s)
		qc_fh_xml_attrf(&x, "DelayInSeconds", "%u", delay_s);
	return simple(fh, &x, qc_get_timeout(fh->ctx), what);
}

int qc_fh_nop(qc_fh *fh)
{
	char buf[256];
	struct qc_fh_xml x;

	fh_begin(fh, "nop", NULL, NULL);
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "nop");
	return simple(fh, &x, qc_get_timeout(fh->ctx), "<nop>");
}

int qc_fh_supports(const qc_fh *fh, const char *tag)
{
	char word[72];

	if (!fh->functions_known || !fh->functions[0])
		return -1;
	snprintf(word, sizeof(word), " %s ", tag);
	return strcasestr(fh->functions, word) != NULL;
}

/* ---- getstorageinfo ---- */

static void add_text(struct qc_fh_storage_info *si, const char *text)
{
	size_t n = strlen(si->text);

	if (n + strlen(text) + 2 < sizeof(si->text))
		snprintf(si->text + n, sizeof(si->text) - n, "%s%s", n ? "\n" : "", text);
}

static uint64_t json_u64(json_object *o, const char *key, bool *found)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	*found = true;
	if (json_object_is_type(v, json_type_string)) {
		uint64_t x = 0;

		qc_fh_parse_u64(json_object_get_string(v), &x);
		return x;
	}
	int64_t x = json_object_get_int64(v);

	return x < 0 ? 0 : (uint64_t)x;
}

static void json_str(json_object *o, const char *key, char *dst, size_t cap)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v))
		snprintf(dst, cap, "%s", json_object_get_string(v));
}

static unsigned clamp_u(uint64_t v)
{
	return v > 0x7fffffff ? 0 : (unsigned)v;
}

/* Newer programmers: one log holding {"storage_info": {...}}. */
static bool parse_json(struct qc_fh_storage_info *si, const char *text)
{
	const char *brace = strchr(text, '{');
	json_object *root, *info;
	bool any = false;

	if (!brace)
		return false;
	root = json_tokener_parse(brace);
	if (!root)
		return false;
	if (!json_object_object_get_ex(root, "storage_info", &info) || !json_object_is_type(info, json_type_object)) {
		json_object_put(root);
		return false;
	}
	si->json = true;
	si->total_blocks = json_u64(info, "total_blocks", &any);
	si->block_size = clamp_u(json_u64(info, "block_size", &any));
	si->page_size = clamp_u(json_u64(info, "page_size", &any));
	si->num_physical = clamp_u(json_u64(info, "num_physical", &any));
	si->manufacturer_id = clamp_u(json_u64(info, "manufacturer_id", &any));
	si->serial_num = json_u64(info, "serial_num", &any);
	json_str(info, "fw_version", si->fw_version, sizeof(si->fw_version));
	json_str(info, "mem_type", si->mem_type, sizeof(si->mem_type));
	json_str(info, "prod_name", si->prod_name, sizeof(si->prod_name));
	json_object_put(root);
	return true;
}

/* Older programmers: "key: value" or "key=value" lines.  Only keys whose
 * meaning is unambiguous are taken. */
static void parse_line(struct qc_fh_storage_info *si, const char *text)
{
	static const struct {
		const char *key;
		int field;
	} keys[] = {
	    {"total_blocks", 0},
	    {"Device Total Logical Blocks", 0},
	    {"UFS Total Logical Blocks", 0},
	    {"block_size", 1},
	    {"Device Block Size in Bytes", 1},
	    {"UFS Block Size", 1},
	    {"page_size", 2},
	    {"UFS Total Active LU", 3},
	    {"bNumberLu", 3},
	    {"num_physical", 3},
	    {"Device Total Physical Partitions", 3},
	    {"manufacturer_id", 4},
	    {"Device Manufacturer ID", 4},
	    {"UFS Dev Manufacturer ID", 4},
	    {"serial_num", 5},
	    {"Device Serial Number", 5},
	};
	const char *sep = strpbrk(text, ":=");
	size_t klen;
	uint64_t v;

	if (!sep)
		return;
	klen = (size_t)(sep - text);
	while (klen && isspace((unsigned char)text[klen - 1]))
		klen--;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].key) != klen || strncasecmp(text, keys[i].key, klen))
			continue;
		if (qc_fh_parse_u64(sep + 1, &v) < 0)
			return;
		switch (keys[i].field) {
		case 0: si->total_blocks = v; break;
		case 1: si->block_size = clamp_u(v); break;
		case 2: si->page_size = clamp_u(v); break;
		case 3: si->num_physical = clamp_u(v); break;
		case 4: si->manufacturer_id = clamp_u(v); break;
		case 5: si->serial_num = v; break;
		}
		return;
	}
}

static void storage_hook(qc_fh *fh, const char *text, void *user)
{
	struct qc_fh_storage_info *si = user;

	(void)fh;
	add_text(si, text);
	if (!si->json && strstr(text, "storage_info") && parse_json(si, text))
		return;
	if (!si->json)
		parse_line(si, text);
}

int qc_fh_storage_info(qc_fh *fh, unsigned lun, struct qc_fh_storage_info *out)
{
	char buf[256], what[64], line[320];
	const struct qc_fh_elem *resp = NULL;
	struct qc_fh_xml x;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(what, sizeof(what), "getstorageinfo for LUN %u", lun);
	fh_begin(fh, "getstorageinfo", storage_hook, out);
	qc_fh_xml_begin(&x, buf, sizeof(buf));
	qc_fh_xml_elem(&x, "getstorageinfo");
	qc_fh_xml_attrf(&x, "physical_partition_number", "%u", lun);
	rc = simple_resp(fh, &x, qc_get_timeout(fh->ctx), what, &resp);
	/* Some programmers put the figures on the response itself. */
	for (unsigned i = 0; rc == 0 && !out->json && resp && i < resp->nattr; i++) {
		snprintf(line, sizeof(line), "%s=%s", resp->name[i], resp->value[i]);
		parse_line(out, line);
	}
	if (rc == 0 && lun < FH_MAX_LUNS && out->total_blocks)
		fh->lun_sectors[lun] = out->total_blocks;
	return rc;
}

int qc_fh_lun_sectors(qc_fh *fh, unsigned lun, uint64_t *out)
{
	struct qc_fh_storage_info *si;
	int rc;

	if (lun < FH_MAX_LUNS && fh->lun_sectors[lun]) {
		*out = fh->lun_sectors[lun];
		return 0;
	}
	si = malloc(sizeof(*si));
	if (!si)
		return qc_fail(fh->ctx, QC_E_NOMEM, "out of memory");
	rc = qc_fh_storage_info(fh, lun, si);
	if (rc == 0 && !si->total_blocks)
		rc = qc_fail(fh->ctx, QC_E_UNSUPPORTED,
			     "the programmer's getstorageinfo for LUN %u gave no sector count", lun);
	if (rc == 0)
		*out = si->total_blocks;
	free(si);
	return rc;
}

/* ---- peek / poke ---- */

struct peek {
	uint8_t *buf;
	size_t len, got;
	bool extra;
};

/* Memory comes back as logs of "0x.." byte tokens; other logs are chatter. */
static void peek_hook(qc_fh *fh, const char *text, void *user)
{
	struct peek *pk = user;
	const char *p = text;
	uint8_t tmp[256];
	size_t n = 0;

	(void)fh;
	while (*p) {
		char *end;
		unsigned long v;

		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		if (p[0] != '0' || (p[1] != 'x' && p[1] != 'X'))
			return;
		v = strtoul(p + 2, &end, 16);
		if (end == p + 2 || v > 0xff || (*end && !isspace((unsigned char)*end) && *end != ','))
			return;
		if (n == sizeof(tmp))
			return;
		tmp[n++] = (uint8_t)v;
		p = end;
	}
	if (n > pk->len - pk->got) {
		pk->extra = true;
		n = pk->len - pk->got;
	}
	memcpy(pk->buf + pk->got, tmp, n);
	pk->got += n;
}

int qc_fh_peek(qc_fh *fh, uint64_t address, void *buf, size_t len)
{
	struct peek pk = {.buf = buf, .len = len};
	char xb[256], what[96];
	struct qc_fh_xml x;
	int rc;

	if (!len)
		return 0;
	if (len > (1u << 20))
		return qc_fail(fh->ctx, QC_E_TOOBIG, "peek of %zu bytes: at most 1 MiB at a time", len);
	snprintf(what, sizeof(what), "to peek %zu bytes at 0x%llx", len, (unsigned long long)address);
	fh_begin(fh, "peek", peek_hook, &pk);
	qc_fh_xml_begin(&x, xb, sizeof(xb));
	qc_fh_xml_elem(&x, "peek");
	qc_fh_xml_attrf(&x, "address64", "0x%llx", (unsigned long long)address);
	qc_fh_xml_attrf(&x, "SizeInBytes", "%zu", len);
	rc = simple(fh, &x, fh_timeout(fh, len * 100), what);
	if (rc < 0)
		return rc;
	if (pk.got != len || pk.extra)
		return qc_fail(fh->ctx, QC_E_PROTOCOL,
			       "the programmer answered a peek of %zu bytes at 0x%llx with %s bytes", len,
			       (unsigned long long)address, pk.extra ? "more" : "fewer");
	return 0;
}

int qc_fh_poke(qc_fh *fh, uint64_t address, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	/* One poke carries a number of up to 8 bytes; memory is little-endian. */
	for (size_t off = 0; off < len;) {
		size_t n = len - off < 8 ? len - off : 8;
		uint8_t le[8] = {0};
		uint64_t v;
		char xb[256], what[96];
		struct qc_fh_xml x;
		int rc;

		memcpy(le, b + off, n);
		v = qc_get_le64(le);
		snprintf(what, sizeof(what), "to poke %zu bytes at 0x%llx", n, (unsigned long long)(address + off));
		fh_begin(fh, "poke", NULL, NULL);
		qc_fh_xml_begin(&x, xb, sizeof(xb));
		qc_fh_xml_elem(&x, "poke");
		qc_fh_xml_attrf(&x, "address64", "0x%llx", (unsigned long long)(address + off));
		qc_fh_xml_attrf(&x, "SizeInBytes", "%zu", n);
		qc_fh_xml_attrf(&x, "value64", "0x%llx", (unsigned long long)v);
		rc = simple(fh, &x, qc_get_timeout(fh->ctx), what);
		if (rc < 0)
			return off ? fh_fail_during(fh, rc, "(the first %zu bytes were written)", off) : rc;
		off += n;
	}
	return 0;
}

struct text {
	char *buf;
	size_t cap, len;
};

static void text_hook(qc_fh *fh, const char *line, void *user)
{
	struct text *t = user;
	int n;

	(void)fh;
	if (!t->cap || t->len + 1 >= t->cap)
		return;
	n = snprintf(t->buf + t->len, t->cap - t->len, "%s\n", line);
	if (n > 0)
		t->len += (size_t)n < t->cap - t->len ? (size_t)n : t->cap - t->len - 1;
}

int qc_fh_benchmark(qc_fh *fh, unsigned trials, char *text, size_t cap)
{
	struct text t = {.buf = text, .cap = cap};
	char xb[512];
	struct qc_fh_xml x;

	if (cap)
		text[0] = '\0';
	if (qc_fh_supports(fh, "benchmark") == 0)
		return qc_fail(fh->ctx, QC_E_UNSUPPORTED, "the programmer does not offer <benchmark>");
	fh_begin(fh, "benchmark", text_hook, &t);
	qc_fh_xml_begin(&x, xb, sizeof(xb));
	qc_fh_xml_elem(&x, "benchmark");
	qc_fh_xml_attrf(&x, "trials", "%u", trials ? trials : 1);
	qc_fh_xml_attr(&x, "TestWritePerformance", "1");
	qc_fh_xml_attr(&x, "TestReadPerformance", "1");
	qc_fh_xml_attr(&x, "TestDigestPerformance", "1");
	return simple(fh, &x, fh_timeout(fh, (uint64_t)(trials ? trials : 1) << 26), "<benchmark>");
}
