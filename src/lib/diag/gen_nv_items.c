/* SPDX-License-Identifier: BSD-3-Clause */
/* Build-time generator: turns data/nv-items.tsv into a sorted constant
 * table, so the library never has to find the data file at run time.  A
 * malformed line fails the build with its line number. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 4096

struct entry {
	long number;
	char names[256];
	unsigned nam, sub, flags;
};

enum { F_SPC = 1, F_SPCR = 2, F_SEC = 4, F_SECRET = 8 };

static struct entry items[MAX_ITEMS];

static int die(const char *path, int line, const char *why)
{
	fprintf(stderr, "%s:%d: %s\n", path, line, why);
	return 1;
}

static int valid_names(const char *s)
{
	if (!*s || *s == ',')
		return 0;
	for (; *s; s++) {
		if (*s == ',') {
			if (s[1] == '\0' || s[1] == ',')
				return 0;
			continue;
		}
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return 0;
	}
	return 1;
}

/* Copies the next comma-separated name of *P into OUT; 0 at the end. */
static int next_name(const char **p, char *out, size_t cap)
{
	size_t len = strcspn(*p, ",");

	if (!**p)
		return 0;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, *p, len);
	out[len] = '\0';
	*p += strcspn(*p, ",");
	if (**p == ',')
		(*p)++;
	return 1;
}

static int parse_flags(struct entry *e, const char *s)
{
	char tok[64];

	while (next_name(&s, tok, sizeof(tok))) {
		char *end;

		if (!strncmp(tok, "nam=", 4)) {
			e->nam = (unsigned)strtoul(tok + 4, &end, 10);
			if (*end || e->nam < 1 || e->nam > 255)
				return 0;
		} else if (!strncmp(tok, "sub=", 4)) {
			e->sub = (unsigned)strtoul(tok + 4, &end, 10);
			if (*end || e->sub < 1 || e->sub > 255)
				return 0;
		} else if (!strcmp(tok, "spc")) {
			e->flags |= F_SPC;
		} else if (!strcmp(tok, "spcr")) {
			e->flags |= F_SPCR;
		} else if (!strcmp(tok, "sec")) {
			e->flags |= F_SEC;
		} else if (!strcmp(tok, "secret")) {
			e->flags |= F_SECRET;
		} else {
			return 0;
		}
	}
	return 1;
}

/* Every name and alias must be unique across the table. */
static int name_taken(size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = items[i].names;
		char tok[256];

		while (next_name(&p, tok, sizeof(tok)))
			if (!strcmp(tok, name))
				return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char line[1024];
	size_t n = 0;
	int lineno = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_nv_items nv-items.tsv\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *num, *names, *flags, *end;
		struct entry *e;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (n == MAX_ITEMS)
			return die(argv[1], lineno, "too many items");
		e = &items[n];
		memset(e, 0, sizeof(*e));
		num = line;
		names = strchr(num, '\t');
		if (!names)
			return die(argv[1], lineno, "expected NUMBER<TAB>NAMES[<TAB>FLAGS]");
		*names++ = '\0';
		flags = strchr(names, '\t');
		if (flags)
			*flags++ = '\0';
		e->number = strtol(num, &end, 10);
		if (*end || end == num || e->number < 0 || e->number > 65535)
			return die(argv[1], lineno, "item number must be 0..65535");
		if (n && e->number <= items[n - 1].number)
			return die(argv[1], lineno, "items must be sorted by number, without duplicates");
		if (strlen(names) >= sizeof(e->names) || !valid_names(names))
			return die(argv[1], lineno, "names are lower-case [a-z0-9_], separated by commas");
		{
			const char *p = names;
			char tok[256];

			while (next_name(&p, tok, sizeof(tok)))
				if (name_taken(n, tok) || isdigit((unsigned char)tok[0]))
					return die(argv[1], lineno, "name already used, or starts with a digit");
		}
		snprintf(e->names, sizeof(e->names), "%s", names);
		if (flags && *flags && !parse_flags(e, flags))
			return die(argv[1], lineno, "unknown flag (nam=N, sub=N, spc, spcr, sec, secret)");
		n++;
	}
	fclose(f);
	printf("/* Generated from data/nv-items.tsv by gen_nv_items; do not edit. */\n");
	printf("static const struct qc_nv_item_info nv_item_table[] = {\n");
	for (size_t i = 0; i < n; i++) {
		const char *comma = strchr(items[i].names, ',');
		int len = comma ? (int)(comma - items[i].names) : (int)strlen(items[i].names);

		printf("\t{%ld, \"%.*s\", \"%s\", %u, %u, 0x%x},\n", items[i].number, len, items[i].names,
		       comma ? comma + 1 : "", items[i].nam, items[i].sub, items[i].flags);
	}
	printf("};\n");
	return 0;
}
