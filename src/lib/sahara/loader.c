/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Choosing the programmer for a target from a directory of loaders.
 *
 * A target tells its HWID (MSM_ID << 32 | OEM_ID << 16 | MODEL_ID) and its
 * OEM PK hash (the hash of the root certificate it trusts).  A loader tells
 * the same in its certificates (OU "02 <hwid> HW_ID") or, from hash segment
 * v6 on, in its metadata, plus the hash of its own root certificate.  Up to
 * the SDM8xx era the loader's HW_ID starts with the MSM_ID; from SDM845 on
 * it starts with the SoC family (the upper half of TCSR_SOC_HW_VERSION,
 * e.g. 0x6000) and v6+ images list families in soc_vers.  The table below
 * maps MSM ids to families for that comparison.
 *
 * Collections named the way bkerler's tools name them,
 * <hwid16>_<pkhash16>_<anything>, are also matched by name when a file
 * carries no identity of its own (unsigned, or not parsable as ours).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "qcbox/mbn.h"
#include "qcbox/sahara.h"

/* MSM id (JTAG id, low 24 bits) -> SoC family, for SoCs whose loaders are
 * signed per family.  Facts collected from public loader collections. */
static const struct {
	uint32_t msm;
	uint16_t family;
	const char *name;
} socs[] = {
	{0x0160e1, 0x4003, "QCA4020"},   {0x05e0e1, 0x3002, "MSM8998"},	 {0x08c0e1, 0x3006, "SDM660"},
	{0x0ac0e1, 0x3007, "SDM630"},    {0x1070e1, 0x2013, "MDM9205"},	 {0x0af0e1, 0x2014, "QCS405"},
	{0x1040e1, 0x2014, "QCS404"},    {0x1260e1, 0x2017, "IPQ6018"},	 {0x08b0e1, 0x6000, "SDM845"},
	{0x08e0e1, 0x6001, "SDA845"},    {0x0960e1, 0x6002, "SDX24"},	 {0x0970e1, 0x6002, "SDX24M"},
	{0x0a50e1, 0x6003, "SM8150"},    {0x0a60e1, 0x6003, "SM8150p"},	 {0x0e80e1, 0x6003, "SA8155"},
	{0x0e90e1, 0x6003, "SA8155p"},   {0x0910e1, 0x6004, "SDM670"},	 {0x0930e1, 0x6004, "SDA670"},
	{0x0db0e1, 0x6004, "SDM710"},    {0x0b80e1, 0x6006, "SC8180X"},	 {0x0950e1, 0x6007, "SM6150"},
	{0x0ec0e1, 0x6007, "SM6150p"},   {0x0f50e1, 0x6007, "SM6155"},	 {0x0c30e1, 0x6008, "SM8250"},
	{0x0ce0e1, 0x6008, "SM8250"},    {0x1560e1, 0x6008, "SM8250"},	 {0x0e50e1, 0x600b, "SDX55"},
	{0x0cf0e1, 0x600b, "SDX55M"},    {0x0e60e1, 0x600c, "SM7150"},	 {0x0e70e1, 0x600c, "SM7150p"},
	{0x11e0e1, 0x600d, "SM7250"},    {0x18a0e1, 0x600d, "SM7250 (fraser)"}, {0x12a0e1, 0x600e, "SM7125"},
	{0x12b0e1, 0x600e, "SM7125 premier"}, {0x12c0e1, 0x600e, "SC7180"}, {0x1350e1, 0x600f, "SM8350"},
	{0x1420e1, 0x600f, "SM8350 premier"}, {0x13f0e1, 0x6012, "SM7225"}, {0x1440e1, 0x6013, "SM6375 (chitwan)"},
	{0x14a0e1, 0x6014, "SC8280X"},   {0x14b0e1, 0x6014, "SA8295P"},	 {0x14c0e1, 0x6014, "SA8540P"},
	{0x1610e1, 0x6016, "olympic"},   {0x1590e1, 0x6017, "cedros"},	 {0x1920e1, 0x6018, "SM7325"},
	{0x1930e1, 0x6018, "SC7280"},    {0x1940e1, 0x6018, "SC7295"},	 {0x10a0e1, 0x9001, "SM6125"},
	{0x1360e1, 0x9002, "SM4250"},    {0x1370e1, 0x9002, "SM4250P"},	 {0x14f0e1, 0x9003, "SM4125 (agatti)"},
	{0x1860e1, 0x9003, "QCS2290"},   {0x16f0e1, 0x9004, "SM4350 (mannar)"}, {0x16e0e1, 0x9004, "mannar P"},
	{0x1a90e1, 0x9006, "strait"},    {0x1b80e1, 0x9007, "SM6225"},
};

uint16_t qc_sahara_soc_family(uint32_t msm_id, const char **name)
{
	for (size_t i = 0; i < sizeof(socs) / sizeof(socs[0]); i++)
		if (socs[i].msm == (msm_id & 0xffffff)) {
			if (name)
				*name = socs[i].name;
			return socs[i].family;
		}
	if (name)
		*name = NULL;
	return 0;
}

static bool is_family(uint16_t v)
{
	for (size_t i = 0; i < sizeof(socs) / sizeof(socs[0]); i++)
		if (socs[i].family == v)
			return true;
	return false;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* <hwid16>_<pkhash16>_ at the start of the name or after "__". */
static bool name_identity(const char *base, uint64_t *hwid, char *pk16)
{
	const char *s = base;

	for (;;) {
		bool ok = true;

		for (int i = 0; i < 33 && ok; i++)
			ok = s[i] && (i == 16 ? s[i] == '_' : isxdigit((unsigned char)s[i]));
		if (ok && s[33] == '_') {
			char h[17];

			memcpy(h, s, 16);
			h[16] = '\0';
			*hwid = strtoull(h, NULL, 16);
			for (int i = 0; i < 16; i++)
				pk16[i] = (char)tolower((unsigned char)s[17 + i]);
			pk16[16] = '\0';
			return true;
		}
		s = strstr(s, "__");
		if (!s)
			return false;
		s += 2;
	}
}

struct want {
	const struct qc_sahara_info *dev;
	uint16_t family;
	const char *soc;
	char pk[97];
};

/* Does a loader's HWID (and soc_vers list) fit the target?  0 yes, else a
 * reason in WHY. */
static bool chip_fits(const struct want *w, uint64_t hwid, const uint16_t *socv, unsigned nsoc, char *why,
		      size_t cap)
{
	uint32_t dev_msm = w->dev->msm_id & 0xffffff, hi = (uint32_t)(hwid >> 32);
	uint16_t fam = (uint16_t)(hwid >> 48);

	for (unsigned i = 0; i < nsoc; i++)
		if (w->family && socv[i] == w->family)
			return true;
	if (hi && (hi & 0xffffff) == dev_msm)
		return true;
	if (hi && !(hi & 0xffff) && is_family(fam)) {
		if (w->family == fam)
			return true;
		if (!w->family)
			snprintf(why, cap, "signed for SoC family 0x%04x, and the device's MSM id 0x%08x is not in the "
				 "chip-family table", fam, w->dev->msm_id);
		else
			snprintf(why, cap, "signed for SoC family 0x%04x; the device (%s) is family 0x%04x", fam,
				 w->soc ? w->soc : "?", w->family);
		return false;
	}
	if (nsoc)
		snprintf(why, cap, "built for SoC family 0x%04x%s, not the device's (MSM id 0x%08x%s)", socv[0],
			 nsoc > 1 ? " and others" : "", w->dev->msm_id, w->family ? "" : ", family unknown");
	else
		snprintf(why, cap, "HWID %016llx is for MSM id 0x%08x; the device's is 0x%08x", (unsigned long long)hwid,
			 hi, w->dev->msm_id);
	return false;
}

/* Scores a candidate: <0 rejected (reason in WHY), higher is better. */
static int judge(qc_ctx *ctx, const struct want *w, const char *path, char *why, size_t cap)
{
	const struct qc_sahara_info *dev = w->dev;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct qc_mbn_info mi;
	uint64_t name_hwid = 0;
	char name_pk[17] = "", root[97];
	bool named = name_identity(base, &name_hwid, name_pk), chip_known = false, pk_known = false;
	int score = 0;

	if (qc_mbn_parse_file(ctx, path, 0, &mi) < 0) {
		snprintf(why, cap, "not a usable ELF or MBN image (%s)", ctx ? qc_last_error(ctx) : "parse error");
		return -1;
	}
	/* The chip. */
	if (dev->have_hwid) {
		if (mi.have_hwid && (mi.hwid >> 32 || mi.nsoc)) {
			if (!chip_fits(w, mi.hwid, mi.soc_vers, mi.nsoc, why, cap))
				return -1;
			chip_known = true;
			score += mi.hwid == dev->hwid ? 4 : 2;
		} else if (named) {
			if (!chip_fits(w, name_hwid, NULL, 0, why, cap)) {
				size_t l = strlen(why);

				snprintf(why + l, cap - l, " (by its file name)");
				return -1;
			}
			chip_known = true;
			score += name_hwid == dev->hwid ? 3 : 1;
		}
	}
	/* The key. */
	if (dev->pkhash_len) {
		const uint8_t *rh = dev->pkhash_len == 48 ? mi.id.root_sha384 : mi.id.root_sha256;

		if (mi.id.ncerts) {
			hex(root, rh, dev->pkhash_len);
			if (memcmp(rh, dev->pkhash, dev->pkhash_len)) {
				snprintf(why, cap, "its root certificate hash %.16s... differs from the device's PK hash %.16s...",
					 root, w->pk);
				return -1;
			}
			pk_known = true;
			score += 4;
		} else if (named) {
			if (strncmp(name_pk, w->pk, 16)) {
				snprintf(why, cap, "its name says PK hash %s..., the device's is %.16s...", name_pk, w->pk);
				return -1;
			}
			pk_known = true;
			score += 2;
		} else {
			snprintf(why, cap, "unsigned (no certificate chain), but the device checks PK hash %.16s...", w->pk);
			return -1;
		}
	}
	if (!chip_known && !pk_known) {
		if (!dev->have_hwid && !dev->pkhash_len)
			snprintf(why, cap, "the device reported neither HWID nor PK hash to compare with");
		else
			snprintf(why, cap, "carries no HWID (no certificate or metadata) and no <hwid>_<pkhash>_ name");
		return -1;
	}
	if (dev->have_hwid && !chip_known) {
		snprintf(why, cap, "carries no HWID (no certificate or metadata) and no <hwid>_<pkhash>_ name");
		return -1;
	}
	snprintf(why, cap, "%s%s%s", chip_known ? "HWID fits" : "", chip_known && pk_known ? ", " : "",
		 pk_known ? "PK hash fits" : "");
	return score;
}

struct walk {
	qc_ctx *ctx;
	const struct want *w;
	qc_sahara_candidate_fn fn;
	void *user;
	int best;
	char *best_path;
	size_t cap;
	unsigned seen, rejected;
	char (*reasons)[512]; /* kept for the summary when nothing fits */
	unsigned nreasons;
};

#define MAX_CANDIDATES 20000
#define MAX_DEPTH 8

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void walk_dir(struct walk *wk, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*p));

			if (!p)
				break;
			names = p;
		}
		names[n] = strdup(e->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	/* Sorted, so the choice among equals does not depend on the file system. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[4096], why[512];
		struct stat st;
		int score;

		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >= (int)sizeof(path) || lstat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < MAX_DEPTH)
				walk_dir(wk, path, depth + 1);
			continue;
		}
		if (S_ISLNK(st.st_mode) && (stat(path, &st) < 0 || !S_ISREG(st.st_mode)))
			continue;
		if (!S_ISREG(st.st_mode) || wk->seen >= MAX_CANDIDATES)
			continue;
		wk->seen++;
		why[0] = '\0';
		score = judge(wk->ctx, wk->w, path, why, sizeof(why));
		if (wk->fn)
			wk->fn(wk->user, path, score >= 0, why);
		if (score < 0) {
			wk->rejected++;
			if (!wk->fn && wk->nreasons < 200) {
				char(*r)[512] = realloc(wk->reasons, (wk->nreasons + 1) * sizeof(*r));

				if (r) {
					wk->reasons = r;
					snprintf(r[wk->nreasons++], sizeof(*r), "%s: %s", path, why);
				}
			}
			continue;
		}
		qc_log(wk->ctx, QC_LOG_DEBUG, "%s fits (%s, score %d)", path, why, score);
		if (score > wk->best) {
			wk->best = score;
			snprintf(wk->best_path, wk->cap, "%s", path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int qc_sahara_find_loader(qc_ctx *ctx, const char *dir, const struct qc_sahara_info *dev, char *path, size_t cap,
			  qc_sahara_candidate_fn fn, void *user)
{
	struct want w = {.dev = dev};
	struct walk wk = {.ctx = ctx, .w = &w, .fn = fn, .user = user, .best = -1, .best_path = path, .cap = cap};
	struct stat st;
	char devdesc[256];

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return qc_fail(ctx, QC_E_NOTFOUND, "%s is not a directory of loaders", dir);
	if (dev->have_hwid)
		w.family = qc_sahara_soc_family(dev->msm_id, &w.soc);
	hex(w.pk, dev->pkhash, dev->pkhash_len);
	path[0] = '\0';
	walk_dir(&wk, dir, 0);
	snprintf(devdesc, sizeof(devdesc), "HWID %s%016llx, PK hash %s%.16s%s", dev->have_hwid ? "" : "unknown ",
		 (unsigned long long)dev->hwid, dev->pkhash_len ? "" : "unknown", w.pk, dev->pkhash_len ? "..." : "");
	if (wk.best >= 0) {
		free(wk.reasons);
		return 0;
	}
	for (unsigned i = 0; i < wk.nreasons; i++)
		qc_log(ctx, QC_LOG_WARN, "%s", wk.reasons[i]);
	free(wk.reasons);
	if (!wk.seen)
		return qc_fail(ctx, QC_E_NOTFOUND, "%s holds no files to choose a loader from", dir);
	return qc_fail(ctx, QC_E_NOTFOUND, "none of the %u files in %s fits the device (%s)", wk.seen, dir, devdesc);
}
