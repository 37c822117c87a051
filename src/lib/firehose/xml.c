/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Firehose documents: parsing (libxml2) into a flat list of elements, and
 * building commands and answers with escaped attribute values.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "qcbox/firehose.h"

/* A quotable, single-line excerpt of a document for error sentences. */
static void excerpt(char *out, size_t cap, const char *text, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 5 < cap; i++) {
		unsigned char c = (unsigned char)text[i];

		out[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
	}
	if (n + 4 < cap && len > n) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

struct pool {
	char *p;
	size_t cap, len;
	bool overflow;
};

static const char *pool_add(struct pool *pl, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at;

	if (n > pl->cap - pl->len) {
		pl->overflow = true;
		return "";
	}
	at = pl->p + pl->len;
	memcpy(at, s, n);
	pl->len += n;
	return at;
}

void qc_fh_doc_free(struct qc_fh_doc *doc)
{
	free(doc->pool);
	doc->pool = NULL;
	doc->pool_cap = 0;
	doc->nelem = 0;
}

int qc_fh_doc_parse(qc_ctx *ctx, const char *text, size_t len, struct qc_fh_doc *doc)
{
	char ex[96];
	xmlParserCtxtPtr pc;
	xmlDocPtr x;
	xmlNodePtr root;
	struct pool pl;
	int rc = 0;

	doc->nelem = 0;
	excerpt(ex, sizeof(ex), text, len < 80 ? len : 80);
	if (len > QC_FH_DOC_MAX)
		return qc_fail(ctx, QC_E_TOOBIG, "XML document of %zu bytes is longer than the %d allowed: '%s'", len,
			       QC_FH_DOC_MAX, ex);
	/* No Firehose peer sends a DTD; refusing it keeps entity expansion
	 * (billion laughs) and external fetches out of reach entirely. */
	if (memmem(text, len, "<!DOCTYPE", 9) || memmem(text, len, "<!ENTITY", 8))
		return qc_fail(ctx, QC_E_PROTOCOL, "XML document with a DTD refused: '%s'", ex);
	/* Decoded strings are never longer than their escaped source, plus
	 * one NUL per string; each string costs at least 3 source bytes. */
	if (doc->pool_cap < len + 64) {
		char *p = realloc(doc->pool, len + 64);

		if (!p)
			return qc_fail(ctx, QC_E_NOMEM, "out of memory");
		doc->pool = p;
		doc->pool_cap = len + 64;
	}
	pl = (struct pool){.p = doc->pool, .cap = doc->pool_cap};

	pc = xmlNewParserCtxt();
	if (!pc)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	x = xmlCtxtReadMemory(pc, text, (int)len, NULL, NULL,
			      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (!x) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		char msg[128] = "";

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			msg[strcspn(msg, "\n")] = '\0';
		}
		xmlFreeParserCtxt(pc);
		return qc_fail(ctx, QC_E_PROTOCOL, "malformed XML document (%s): '%s'", msg[0] ? msg : "parse error",
			       ex);
	}
	root = xmlDocGetRootElement(x);
	if (!root || xmlStrcmp(root->name, BAD_CAST "data")) {
		rc = qc_fail(ctx, QC_E_PROTOCOL, "XML document without a <data> root element: '%s'", ex);
		goto out;
	}
	for (xmlNodePtr n = root->children; n; n = n->next) {
		struct qc_fh_elem *e;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (doc->nelem == QC_FH_MAX_ELEMS) {
			rc = qc_fail(ctx, QC_E_PROTOCOL, "XML document with more than %d elements: '%s'",
				     QC_FH_MAX_ELEMS, ex);
			goto out;
		}
		e = &doc->elem[doc->nelem++];
		e->tag = pool_add(&pl, (const char *)n->name);
		e->nattr = 0;
		for (xmlAttrPtr a = n->properties; a; a = a->next) {
			xmlChar *v;

			if (e->nattr == QC_FH_MAX_ATTRS) {
				rc = qc_fail(ctx, QC_E_PROTOCOL, "<%s> with more than %d attributes: '%s'", e->tag,
					     QC_FH_MAX_ATTRS, ex);
				goto out;
			}
			v = xmlNodeListGetString(x, a->children, 1);
			e->name[e->nattr] = pool_add(&pl, (const char *)a->name);
			e->value[e->nattr] = pool_add(&pl, v ? (const char *)v : "");
			e->nattr++;
			xmlFree(v);
		}
	}
	if (pl.overflow)
		rc = qc_fail(ctx, QC_E_PROTOCOL, "XML document decodes to more text than it holds: '%s'", ex);
out:
	if (rc < 0)
		doc->nelem = 0;
	xmlFreeDoc(x);
	xmlFreeParserCtxt(pc);
	return rc;
}

const char *qc_fh_attr(const struct qc_fh_elem *e, const char *name)
{
	for (unsigned i = 0; i < e->nattr; i++)
		if (!strcasecmp(e->name[i], name))
			return e->value[i];
	return NULL;
}

int qc_fh_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	if (!isdigit((unsigned char)*s))
		return QC_E_FORMAT;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = strtoull(s + 2, &end, 16);
	else
		v = strtoull(s, &end, 10);
	if (errno || end == s)
		return QC_E_FORMAT;
	if (*end == '.')
		end++;
	while (isspace((unsigned char)*end))
		end++;
	if (*end)
		return QC_E_FORMAT;
	*out = v;
	return 0;
}

int qc_fh_attr_u64(const struct qc_fh_elem *e, const char *name, uint64_t *out)
{
	const char *v = qc_fh_attr(e, name);

	if (!v)
		return 0;
	return qc_fh_parse_u64(v, out) < 0 ? QC_E_FORMAT : 1;
}

/* ---- building ---- */

static void put(struct qc_fh_xml *x, const char *s, size_t n)
{
	if (x->overflow || n > x->cap - x->len) {
		x->overflow = true;
		return;
	}
	memcpy(x->buf + x->len, s, n);
	x->len += n;
}

static void puts_(struct qc_fh_xml *x, const char *s)
{
	put(x, s, strlen(s));
}

void qc_fh_xml_begin(struct qc_fh_xml *x, char *buf, size_t cap)
{
	*x = (struct qc_fh_xml){.buf = buf, .cap = cap};
	puts_(x, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?><data>");
}

static void close_elem(struct qc_fh_xml *x)
{
	if (x->open)
		puts_(x, " />");
	x->open = false;
}

void qc_fh_xml_elem(struct qc_fh_xml *x, const char *tag)
{
	close_elem(x);
	puts_(x, "<");
	puts_(x, tag);
	x->open = true;
}

void qc_fh_xml_attr(struct qc_fh_xml *x, const char *name, const char *value)
{
	char esc[8];

	puts_(x, " ");
	puts_(x, name);
	puts_(x, "=\"");
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		const char *rep = NULL;

		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default:
			/* Control characters would be normalised away (or
			 * make the document ill-formed): send them as
			 * references, except the ones XML 1.0 forbids. */
			if (*p < 0x20) {
				if (*p != '\t' && *p != '\n' && *p != '\r')
					continue;
				snprintf(esc, sizeof(esc), "&#%u;", *p);
				rep = esc;
			}
			break;
		}
		if (rep)
			puts_(x, rep);
		else
			put(x, (const char *)p, 1);
	}
	puts_(x, "\"");
}

void qc_fh_xml_attrf(struct qc_fh_xml *x, const char *name, const char *fmt, ...)
{
	char v[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(v, sizeof(v), fmt, ap) >= (int)sizeof(v))
		x->overflow = true;
	va_end(ap);
	qc_fh_xml_attr(x, name, v);
}

int qc_fh_xml_finish(struct qc_fh_xml *x)
{
	close_elem(x);
	puts_(x, "</data>");
	if (x->overflow)
		return QC_E_TOOBIG;
	if (x->len < x->cap)
		x->buf[x->len] = '\0';
	return (int)x->len;
}
