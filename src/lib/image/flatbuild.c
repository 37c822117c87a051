/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rawprogram*.xml / patch*.xml loading with libxml2.  These files come from
 * downloads of unknown origin, so the parser is run without network access,
 * without DTD loading or entity substitution, and a document with a DOCTYPE
 * at all is refused: ptool never writes one, and it is the only way to
 * declare entities (billion-laughs expansion, external files).
 */
#include <errno.h>
#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flatbuild_impl.h"

#include "core/bytes.h"

int qc_flatbuild_new(qc_ctx *ctx, qc_flatbuild **out)
{
	qc_flatbuild *fb;

	if (!out)
		return qc_fail(ctx, QC_E_INVAL, "qc_flatbuild_new needs a result");
	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	fb->ctx = ctx;
	fb->info.bootable_lun = -1;
	*out = fb;
	return 0;
}

static void free_program(struct qc_fb_program *p)
{
	free((char *)p->start_expr);
	free((char *)p->filename);
	free((char *)p->path);
	free((char *)p->label);
}

static void free_patch(struct qc_fb_patch *p)
{
	free((char *)p->start_expr);
	free((char *)p->value);
	free((char *)p->filename);
	free((char *)p->what);
}

static void free_erase(struct qc_fb_erase *e)
{
	free((char *)e->start_expr);
	free((char *)e->label);
}

void qc_flatbuild_free(qc_flatbuild *fb)
{
	if (!fb)
		return;
	for (size_t i = 0; i < fb->nprograms; i++)
		free_program(&fb->programs[i]);
	for (size_t i = 0; i < fb->npatches; i++)
		free_patch(&fb->patches[i]);
	for (size_t i = 0; i < fb->nerases; i++)
		free_erase(&fb->erases[i]);
	for (size_t i = 0; i < fb->nxml; i++)
		free(fb->xml[i]);
	for (size_t i = 0; i < fb->nmissing; i++)
		free(fb->missing[i]);
	free(fb->programs);
	free(fb->patches);
	free(fb->erases);
	free(fb->xml);
	free(fb->missing);
	free(fb);
}

const struct qc_flatbuild_info *qc_flatbuild_get(const qc_flatbuild *fb)
{
	struct qc_flatbuild_info *i = (struct qc_flatbuild_info *)&fb->info;

	i->nprograms = fb->nprograms;
	i->programs = fb->programs;
	i->npatches = fb->npatches;
	i->patches = fb->patches;
	i->ndisk_patches = 0;
	for (size_t k = 0; k < fb->npatches; k++)
		i->ndisk_patches += fb->patches[k].disk;
	i->nerases = fb->nerases;
	i->erases = fb->erases;
	i->nmissing = fb->nmissing;
	i->missing = (const char *const *)fb->missing;
	i->nxml = fb->nxml;
	i->xml = (const char *const *)fb->xml;
	return i;
}

/* ---- file kinds -------------------------------------------------------- */

/* The name of the first element, skipping the prolog, comments and PIs. */
static void root_name(const uint8_t *b, size_t n, char *out, size_t cap)
{
	size_t i = 0;

	out[0] = 0;
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;
	while (i < n) {
		if (b[i] != '<') {
			i++;
			continue;
		}
		if (i + 1 < n && (b[i + 1] == '?' || b[i + 1] == '!')) {
			/* a comment ends at "-->", a PI or declaration at '>' */
			bool comment = i + 3 < n && b[i + 1] == '!' && b[i + 2] == '-' && b[i + 3] == '-';

			i += 2;
			while (i < n && !(comment ? (b[i] == '>' && b[i - 1] == '-' && b[i - 2] == '-') : b[i] == '>'))
				i++;
			continue;
		}
		size_t k = 0;

		i++;
		while (i < n && k + 1 < cap && b[i] != '>' && b[i] != '/' && b[i] != ' ' && b[i] != '\t' &&
		       b[i] != '\r' && b[i] != '\n')
			out[k++] = (char)b[i++];
		out[k] = 0;
		return;
	}
}

int qc_fb_file_kind(qc_ctx *ctx, const char *path, enum qc_fb_file_kind *kind)
{
	uint8_t b[4096];
	char root[32];
	ssize_t n;
	int fd;

	*kind = QC_FB_UNKNOWN;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return qc_fail(ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	n = pread(fd, b, sizeof(b), 0);
	close(fd);
	if (n < 0)
		return qc_fail(ctx, QC_E_IO, "cannot read %s: %s", path, strerror(errno));
	if (n >= 4 && !memcmp(b,
			      "\x7f"
			      "ELF",
			      4)) {
		*kind = QC_FB_PROGRAMMER;
		return 0;
	}
	/* legacy MBN: the 80-byte header starts with its codeword and magic,
	 * the 40-byte one with an image id and header version 3 */
	if (n >= 80 && qc_get_le32(b) == 0x844bdcd1u && qc_get_le32(b + 4) == 0x73d71034u) {
		*kind = QC_FB_PROGRAMMER;
		return 0;
	}
	if (n >= 40 && qc_get_le32(b) < 0x100 && qc_get_le32(b + 4) == 3 && qc_get_le32(b + 16) > 0) {
		*kind = QC_FB_PROGRAMMER;
		return 0;
	}
	if (qc_sparse_probe(b, (size_t)n)) {
		*kind = QC_FB_SPARSE;
		return 0;
	}
	root_name(b, (size_t)n, root, sizeof(root));
	if (!strcasecmp(root, "data"))
		*kind = QC_FB_RAWPROGRAM;
	else if (!strcasecmp(root, "patches"))
		*kind = QC_FB_PATCH;
	return 0;
}

/* ---- parsing ----------------------------------------------------------- */

struct loader {
	qc_flatbuild *fb;
	qc_ctx *ctx;
	xmlDocPtr doc;
	const char *name; /* the XML's name as stored in fb->xml */
	const char *basedir;
	xmlNodePtr node; /* element being read, for line numbers */
	const char *tag;
};

static int fail_at(struct loader *l, int err, const char *fmt, ...) QC_PRINTF(3, 4);

/* "FILE line N: <tag>: what is wrong" */
static int fail_at(struct loader *l, int err, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return qc_fail(l->ctx, err, "%s line %ld: <%s>: %s", l->name, l->node ? xmlGetLineNo(l->node) : 0L, l->tag,
		       msg);
}

/* The value of attribute NAME (matched case-insensitively, as Firehose
 * targets do), malloc'd in *OUT, or NULL when absent. */
static int get_attr(struct loader *l, const char *name, char **out)
{
	*out = NULL;
	for (xmlAttrPtr a = l->node->properties; a; a = a->next) {
		if (strcasecmp((const char *)a->name, name))
			continue;
		xmlChar *v = xmlNodeListGetString(l->doc, a->children, 1);

		if (!v)
			v = xmlStrdup((const xmlChar *)"");
		if (!v)
			return qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
		if (strlen((const char *)v) > QC_FB_MAX_ATTR_LEN) {
			xmlFree(v);
			return fail_at(l, QC_E_TOOBIG, "attribute %s is longer than %u characters", name,
				       QC_FB_MAX_ATTR_LEN);
		}
		*out = strdup((const char *)v);
		xmlFree(v);
		if (!*out)
			return qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
		return 0;
	}
	return 0;
}

static int need_attr(struct loader *l, const char *name, char **out)
{
	int rc = get_attr(l, name, out);

	if (rc < 0)
		return rc;
	if (!*out)
		return fail_at(l, QC_E_FORMAT, "attribute %s is missing", name);
	return 0;
}

/* A plain number: decimal (ptool's trailing '.' allowed) or 0x hex. */
static int parse_num(struct loader *l, const char *name, const char *s, uint64_t max, uint64_t *out)
{
	const char *p = s;
	uint64_t v = 0;
	bool any = false;

	while (*p == ' ' || *p == '\t')
		p++;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		for (p += 2; *p; p++) {
			int d = *p >= '0' && *p <= '9'	 ? *p - '0'
				: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
				: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
							 : -1;

			if (d < 0)
				break;
			if (v > (UINT64_MAX >> 4))
				goto big;
			v = v << 4 | (uint64_t)d;
			any = true;
		}
	} else {
		for (; *p >= '0' && *p <= '9'; p++) {
			uint64_t d = (uint64_t)(*p - '0');

			if (v > (UINT64_MAX - d) / 10)
				goto big;
			v = v * 10 + d;
			any = true;
		}
		if (any && *p == '.')
			for (p++; *p == '0'; p++)
				;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (!any || *p)
		return fail_at(l, QC_E_FORMAT, "%s=\"%s\" is not a number", name, s);
	if (v > max)
		goto big;
	*out = v;
	return 0;
big:
	return fail_at(l, QC_E_FORMAT, "%s=\"%s\" is out of range", name, s);
}

static int num_attr(struct loader *l, const char *name, bool required, uint64_t def, uint64_t max, uint64_t *out)
{
	char *s;
	int rc = required ? need_attr(l, name, &s) : get_attr(l, name, &s);

	if (rc < 0)
		return rc;
	if (!s) {
		*out = def;
		return 0;
	}
	rc = parse_num(l, name, s, max, out);
	free(s);
	return rc;
}

static int bool_attr(struct loader *l, const char *name, bool *out)
{
	char *s;
	int rc = get_attr(l, name, &s);

	if (rc < 0)
		return rc;
	*out = s && (!strcasecmp(s, "true") || !strcmp(s, "1"));
	free(s);
	return 0;
}

static int sector_size_attr(struct loader *l, unsigned *out)
{
	uint64_t v;
	int rc = num_attr(l, "SECTOR_SIZE_IN_BYTES", true, 0, 1u << 20, &v);

	if (rc < 0)
		return rc;
	/* 512 (eMMC), 4096 (UFS), NAND pages from 2048; always a power of two */
	if (v < 512 || v > 65536 || (v & (v - 1))) {
		return fail_at(l, QC_E_FORMAT, "SECTOR_SIZE_IN_BYTES=\"%llu\" is not a power of two from 512 to 65536",
			       (unsigned long long)v);
	}
	*out = (unsigned)v;
	return 0;
}

static int lun_attr(struct loader *l, unsigned *out)
{
	uint64_t v;
	int rc = num_attr(l, "physical_partition_number", false, 0, QC_FB_MAX_LUN, &v);

	*out = (unsigned)v;
	return rc;
}

static int expr_attr(struct loader *l, const char *name, bool required, char **out, unsigned *needs)
{
	char what[256];
	int rc = required ? need_attr(l, name, out) : get_attr(l, name, out);

	if (rc < 0 || !*out)
		return rc;
	snprintf(what, sizeof(what), "%s line %ld: <%s> %s", l->name, xmlGetLineNo(l->node), l->tag, name);
	return qc_expr_check(l->ctx, *out, what, needs);
}

static char *join_path(const char *dir, const char *file)
{
	size_t dl, fl;
	char *p;

	if (file[0] == '/' || !dir || !*dir)
		return strdup(file);
	dl = strlen(dir);
	fl = strlen(file);
	p = malloc(dl + fl + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dl);
	p[dl] = '/';
	memcpy(p + dl + 1, file, fl + 1);
	return p;
}

static int grow(qc_ctx *ctx, void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 32;
	void *p = realloc(*arr, nc * elem);

	if (!p)
		return qc_fail(ctx, QC_E_NOMEM, "out of memory");
	*arr = p;
	*cap = nc;
	return 0;
}

static size_t total_entries(const qc_flatbuild *fb)
{
	return fb->nprograms + fb->npatches + fb->nerases;
}

static int load_program(struct loader *l)
{
	qc_flatbuild *fb = l->fb;
	struct qc_fb_program p = {0};
	char *s = NULL;
	int rc;

	p.xml = l->name;
	p.line = (unsigned)xmlGetLineNo(l->node);
	if ((rc = lun_attr(l, &p.lun)) < 0 || (rc = sector_size_attr(l, &p.sector_size)) < 0)
		goto fail;
	rc = expr_attr(l, "start_sector", true, &s, &p.start_needs);
	if (rc < 0)
		goto fail;
	p.start_expr = s;
	s = NULL;
	if (p.start_needs & QC_EXPR_NEEDS_CRC) {
		rc = fail_at(l, QC_E_FORMAT, "start_sector=\"%s\" uses CRC32()", p.start_expr);
		goto fail;
	}
	if (!p.start_needs) {
		char what[256];
		struct qc_expr_env env = {.what = what};

		snprintf(what, sizeof(what), "%s line %u: <%s> start_sector", l->name, p.line, l->tag);
		rc = qc_expr_eval(l->ctx, p.start_expr, &env, &p.start_sector);
		if (rc < 0)
			goto fail;
		p.start_known = true;
	}
	/* sectors stay below 2^48 so that byte offsets never overflow */
	if ((rc = num_attr(l, "num_partition_sectors", true, 0, 1ull << 48, &p.partition_sectors)) < 0 ||
	    (rc = num_attr(l, "file_sector_offset", false, 0, 1ull << 48, &p.file_sector_offset)) < 0)
		goto fail;
	if (p.start_known && p.start_sector > (1ull << 48)) {
		rc = fail_at(l, QC_E_FORMAT, "start_sector=\"%s\" is out of range", p.start_expr);
		goto fail;
	}
	if ((rc = get_attr(l, "filename", &s)) < 0)
		goto fail;
	p.filename = s ? s : strdup("");
	s = NULL;
	if ((rc = get_attr(l, "label", &s)) < 0)
		goto fail;
	p.label = s ? s : strdup("");
	s = NULL;
	if (!p.filename || !p.label) {
		rc = qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
		goto fail;
	}
	if (p.filename[0]) {
		p.path = join_path(l->basedir, p.filename);
		if (!p.path) {
			rc = qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
			goto fail;
		}
	}
	if ((rc = bool_attr(l, "sparse", &p.sparse_attr)) < 0 ||
	    (rc = bool_attr(l, "partofsingleimage", &p.part_of_single_image)) < 0 ||
	    (rc = bool_attr(l, "readbackverify", &p.readback_verify)) < 0)
		goto fail;
	if ((rc = grow(l->ctx, (void **)&fb->programs, &fb->cap_programs, fb->nprograms, sizeof(p))) < 0)
		goto fail;
	fb->programs[fb->nprograms++] = p;
	return 0;
fail:
	free(s);
	free_program(&p);
	return rc;
}

static int load_patch(struct loader *l)
{
	qc_flatbuild *fb = l->fb;
	struct qc_fb_patch p = {0};
	char *s = NULL;
	uint64_t v;
	unsigned needs;
	int rc;

	p.xml = l->name;
	p.line = (unsigned)xmlGetLineNo(l->node);
	if ((rc = lun_attr(l, &p.lun)) < 0 || (rc = sector_size_attr(l, &p.sector_size)) < 0)
		goto fail;
	if ((rc = expr_attr(l, "start_sector", true, &s, &needs)) < 0)
		goto fail;
	p.start_expr = s;
	s = NULL;
	if ((rc = num_attr(l, "byte_offset", true, 0, 1ull << 32, &p.byte_offset)) < 0 ||
	    (rc = num_attr(l, "size_in_bytes", true, 0, 8, &v)) < 0)
		goto fail;
	if (v < 1) {
		rc = fail_at(l, QC_E_FORMAT, "size_in_bytes must be 1 to 8");
		goto fail;
	}
	p.size_in_bytes = (unsigned)v;
	if ((rc = expr_attr(l, "value", true, &s, &p.value_needs)) < 0)
		goto fail;
	p.value = s;
	s = NULL;
	if ((rc = need_attr(l, "filename", &s)) < 0)
		goto fail;
	p.filename = s;
	s = NULL;
	p.disk = !strcmp(p.filename, "DISK");
	if ((rc = get_attr(l, "what", &s)) < 0)
		goto fail;
	p.what = s ? s : strdup("");
	s = NULL;
	if (!p.what) {
		rc = qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = grow(l->ctx, (void **)&fb->patches, &fb->cap_patches, fb->npatches, sizeof(p))) < 0)
		goto fail;
	fb->patches[fb->npatches++] = p;
	return 0;
fail:
	free(s);
	free_patch(&p);
	return rc;
}

static int load_erase(struct loader *l)
{
	qc_flatbuild *fb = l->fb;
	struct qc_fb_erase e = {0};
	char *s = NULL;
	unsigned needs;
	int rc;

	e.xml = l->name;
	e.line = (unsigned)xmlGetLineNo(l->node);
	if ((rc = lun_attr(l, &e.lun)) < 0 || (rc = sector_size_attr(l, &e.sector_size)) < 0)
		goto fail;
	if ((rc = expr_attr(l, "start_sector", false, &s, &needs)) < 0)
		goto fail;
	e.start_expr = s;
	s = NULL;
	if ((rc = num_attr(l, "num_partition_sectors", false, 0, 1ull << 48, &e.sectors)) < 0)
		goto fail;
	if (!e.start_expr && e.sectors) {
		rc = fail_at(l, QC_E_FORMAT, "num_partition_sectors without start_sector");
		goto fail;
	}
	if ((rc = get_attr(l, "label", &s)) < 0)
		goto fail;
	e.label = s ? s : strdup("");
	s = NULL;
	if (!e.label) {
		rc = qc_fail(l->ctx, QC_E_NOMEM, "out of memory");
		goto fail;
	}
	if ((rc = grow(l->ctx, (void **)&fb->erases, &fb->cap_erases, fb->nerases, sizeof(e))) < 0)
		goto fail;
	fb->erases[fb->nerases++] = e;
	return 0;
fail:
	free(s);
	free_erase(&e);
	return rc;
}

/* Drops entries added after a failed file, so a build is all or nothing per file. */
static void rollback(qc_flatbuild *fb, size_t np, size_t npa, size_t ne)
{
	while (fb->nprograms > np)
		free_program(&fb->programs[--fb->nprograms]);
	while (fb->npatches > npa)
		free_patch(&fb->patches[--fb->npatches]);
	while (fb->nerases > ne)
		free_erase(&fb->erases[--fb->nerases]);
}

static int walk(struct loader *l, xmlNodePtr root, enum qc_fb_file_kind *kind)
{
	int rc = 0;

	if (!strcasecmp((const char *)root->name, "data"))
		*kind = QC_FB_RAWPROGRAM;
	else if (!strcasecmp((const char *)root->name, "patches"))
		*kind = QC_FB_PATCH;
	else
		return qc_fail(l->ctx, QC_E_FORMAT,
			       "%s: the root element is <%.40s>, not <data> (rawprogram) or <patches> (patch)", l->name,
			       (const char *)root->name);
	for (xmlNodePtr n = root->children; n && rc == 0; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (total_entries(l->fb) >= QC_FB_MAX_ENTRIES)
			return qc_fail(l->ctx, QC_E_TOOBIG, "%s: more than %u entries in the flat build", l->name,
				       QC_FB_MAX_ENTRIES);
		l->node = n;
		l->tag = (const char *)n->name;
		if (!strcasecmp(l->tag, "program"))
			rc = load_program(l);
		else if (!strcasecmp(l->tag, "patch"))
			rc = load_patch(l);
		else if (!strcasecmp(l->tag, "erase"))
			rc = load_erase(l);
		else
			qc_log(l->ctx, QC_LOG_WARN, "%s line %ld: <%.40s> is not a flat-build element; ignored",
			       l->name, xmlGetLineNo(n), l->tag);
	}
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int qc_flatbuild_add_memory(qc_flatbuild *fb, const char *buf, size_t len, const char *name, const char *basedir,
			    enum qc_fb_file_kind *kind)
{
	struct loader l = {.fb = fb, .ctx = fb->ctx, .basedir = basedir};
	enum qc_fb_file_kind k = QC_FB_UNKNOWN;
	size_t np = fb->nprograms, npa = fb->npatches, ne = fb->nerases;
	xmlParserCtxtPtr pc = NULL;
	char *stored = NULL;
	int rc;

	if (kind)
		*kind = QC_FB_UNKNOWN;
	if (!buf && len)
		return qc_fail(fb->ctx, QC_E_INVAL, "qc_flatbuild_add_memory needs a buffer");
	name = name ? name : "(memory)";
	if (len > QC_FB_MAX_XML_BYTES)
		return qc_fail(fb->ctx, QC_E_TOOBIG, "%s: %zu bytes is more than a flat-build XML may have (%u)", name,
			       len, QC_FB_MAX_XML_BYTES);
	if (len > INT32_MAX)
		return qc_fail(fb->ctx, QC_E_TOOBIG, "%s is too large", name);
	stored = strdup(name);
	char **x = realloc(fb->xml, (fb->nxml + 1) * sizeof(*x));

	if (!stored || !x) {
		free(stored);
		if (x)
			fb->xml = x;
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory");
	}
	fb->xml = x;
	l.name = stored;

	pc = xmlNewParserCtxt();
	if (!pc) {
		free(stored);
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory for the XML parser");
	}
	/* no NOENT (entity substitution), no DTDLOAD/DTDATTR, no HUGE: the
	 * parser's own limits and entity-amplification checks stay on */
	l.doc = xmlCtxtReadMemory(pc, buf, (int)len, name, NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	if (!l.doc) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		char msg[256] = "not well-formed XML";

		if (e && e->message) {
			snprintf(msg, sizeof(msg), "%s", e->message);
			msg[strcspn(msg, "\n")] = 0;
		}
		rc = qc_fail(fb->ctx, QC_E_FORMAT, "%s line %d: malformed XML: %s", name, e ? e->line : 0, msg);
		goto out;
	}
	if (l.doc->intSubset || l.doc->extSubset) {
		rc = qc_fail(fb->ctx, QC_E_FORMAT,
			     "%s: has a DOCTYPE; flat-build XML never does, and entity declarations are refused", name);
		goto out;
	}
	xmlNodePtr root = xmlDocGetRootElement(l.doc);

	if (!root) {
		rc = qc_fail(fb->ctx, QC_E_FORMAT, "%s: no root element", name);
		goto out;
	}
	rc = walk(&l, root, &k);
	if (rc < 0)
		rollback(fb, np, npa, ne);
out:
	if (l.doc)
		xmlFreeDoc(l.doc);
	xmlFreeParserCtxt(pc);
	if (rc < 0) {
		free(stored);
		return rc;
	}
	fb->xml[fb->nxml++] = stored;
	if (kind)
		*kind = k;
	return 0;
}

int qc_flatbuild_add_file(qc_flatbuild *fb, const char *path, enum qc_fb_file_kind *kind)
{
	struct stat st;
	char *buf = NULL, *dir = NULL;
	size_t got = 0;
	int fd, rc;

	if (!path)
		return qc_fail(fb->ctx, QC_E_INVAL, "qc_flatbuild_add_file needs a path");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return qc_fail(fb->ctx, errno == ENOENT ? QC_E_NOTFOUND : QC_E_IO, "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return qc_fail(fb->ctx, QC_E_INVAL, "%s is not a regular file", path);
	}
	if ((uint64_t)st.st_size > QC_FB_MAX_XML_BYTES) {
		close(fd);
		return qc_fail(fb->ctx, QC_E_TOOBIG, "%s: %llu bytes is more than a flat-build XML may have (%u)", path,
			       (unsigned long long)st.st_size, QC_FB_MAX_XML_BYTES);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st.st_size) {
		free(buf);
		return qc_fail(fb->ctx, QC_E_IO, "cannot read %s", path);
	}
	dir = dir_of(path);
	if (!dir) {
		free(buf);
		return qc_fail(fb->ctx, QC_E_NOMEM, "out of memory");
	}
	rc = qc_flatbuild_add_memory(fb, buf, got, path, dir, kind);
	free(buf);
	free(dir);
	return rc;
}
