/* SPDX-License-Identifier: BSD-3-Clause */
/* qcbox read, write, erase, sha256, storage-info, peek, poke, reset, nop:
 * single Firehose commands against a target (partition or sector range). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "edl.h"
#include "streamcache.h"
#include "qcbox/flatbuild.h"
#include "qcbox/sparse.h"
#include "targets.h"

/* ---- files as program sources and read sinks ---- */

struct file_io {
	int fd;
	const char *path;
	qc_ctx *ctx;
	struct cli_stream_cache cache; /* output files of read */
	uint64_t pos;
};

static int file_read(void *user, uint64_t off, void *buf, size_t len)
{
	struct file_io *f = user;
	uint8_t *p = buf;

	while (len) {
		ssize_t n = pread(f->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qc_fail(f->ctx, QC_E_IO, "cannot read %s: %s", f->path, strerror(errno));
		if (n == 0)
			return qc_fail(f->ctx, QC_E_IO, "%s became shorter while it was being sent", f->path);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int file_write(void *user, uint64_t off, const void *buf, size_t len)
{
	struct file_io *f = user;
	const uint8_t *p = buf;

	(void)off; /* data comes in order */
	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return qc_fail(f->ctx, QC_E_IO, "cannot write %s: %s", f->path, strerror(errno));
		p += n;
		len -= (size_t)n;
		f->pos += (uint64_t)n;
	}
	cli_stream_cache_advance(&f->cache, f->pos);
	return 0;
}

static void span_json(json_object *o, const struct span *sp, unsigned ss)
{
	json_object_object_add(o, "target", json_object_new_string(sp->label));
	if (sp->name[0])
		json_object_object_add(o, "partition", json_object_new_string(sp->name));
	json_object_object_add(o, "lun", json_object_new_int64(sp->lun));
	json_object_object_add(o, "start", json_object_new_int64((int64_t)sp->start));
	json_object_object_add(o, "sectors", json_object_new_int64((int64_t)sp->count));
	json_object_object_add(o, "sector_size", json_object_new_int64(ss));
}

static const struct option edl_longopts[] = {EDL_LONGOPTS, {NULL, 0, NULL, 0}};

/* Parses a device command's options and checks it got NARGS arguments.
 * Returns -1 to go on (*FIRST is the first argument), else the exit status
 * (0 after --help). */
static int edl_args(struct cli *cli, int argc, char **argv, const struct option *longopts, const char *usage,
		    int nargs, struct edl_opts *o, int *first)
{
	bool help;
	int rc;

	edl_opts_init(o);
	rc = cli_parse_options(cli, argc, argv, "", longopts, edl_opt, o, first, usage, &help);
	if (rc || help)
		return rc;
	if (argc - *first != nargs)
		return cli_usage(cli, usage);
	return -1;
}

/* ---- read ---- */

int cmd_read(struct cli *cli, int argc, char **argv)
{
	const char *usage = "read [--storage T] [--loader L] TARGET FILE   (TARGET: NAME, LUN/NAME, LUN/START+COUNT)";
	struct edl_opts o;
	struct span sp;
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 2, &o, &first)) >= 0)
		return rc;
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	rc = target_resolve(cli, fh, argv[first], TARGET_READ, &sp);
	if (rc) {
		edl_close(t, fh);
		return rc;
	}
	struct file_io f = {.path = argv[first + 1], .ctx = cli->ctx};

	f.fd = open(f.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (f.fd < 0) {
		edl_close(t, fh);
		return cli_error(cli, CLI_USAGE, "cannot create %s: %s", f.path, strerror(errno));
	}
	cli_stream_cache_init(&f.cache, f.fd);
	rc = qc_fh_read(fh, sp.lun, sp.start, sp.count, file_write, &f, sp.label);
	if (close(f.fd) < 0 && rc == 0)
		rc = qc_fail(cli->ctx, QC_E_IO, "cannot write %s: %s", f.path, strerror(errno));
	if (rc < 0) {
		rc = cli_fail(cli, rc);
		edl_close(t, fh);
		return rc;
	}
	uint64_t bytes = sp.count * qc_fh_get_info(fh)->sector_size;

	if (cli->json) {
		json_object *j = json_object_new_object();

		span_json(j, &sp, qc_fh_get_info(fh)->sector_size);
		json_object_object_add(j, "file", json_object_new_string(f.path));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)bytes));
		cli_json_print(cli, j);
	} else {
		cli_info(cli, "read %s: %llu bytes to %s\n", sp.label, (unsigned long long)bytes, f.path);
	}
	edl_close(t, fh);
	return CLI_OK;
}

/* ---- write ---- */

int cmd_write(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    EDL_LONGOPTS, {"no-verify", no_argument, NULL, EDL_OPT_NO_VERIFY}, {NULL, 0, NULL, 0}};
	const char *usage = "write [--storage T] [--loader L] [--no-verify] TARGET FILE";
	struct qc_fh_progress pr;
	struct edl_opts o;
	struct span sp;
	struct stat st;
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, longopts, usage, 2, &o, &first)) >= 0)
		return rc;
	struct file_io f = {.path = argv[first + 1], .ctx = cli->ctx};

	f.fd = open(f.path, O_RDONLY | O_CLOEXEC);
	if (f.fd < 0 || fstat(f.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = cli_error(cli, CLI_USAGE, "cannot read %s: %s", f.path, f.fd < 0 ? strerror(errno) : "not a file");
		if (f.fd >= 0)
			close(f.fd);
		return rc;
	}
	/* An Android sparse image is recognised by its magic and checked
	 * before the device is touched. */
	int is_sparse = qc_sparse_is_sparse(cli->ctx, f.path);
	uint64_t image_bytes = (uint64_t)st.st_size;
	qc_sparse *sparse = NULL;

	if (is_sparse < 0 || (is_sparse && (rc = qc_sparse_open(cli->ctx, f.path, &sparse)) < 0)) {
		close(f.fd);
		return cli_error(cli, CLI_USAGE, "%s", qc_last_error(cli->ctx));
	}
	if (sparse) {
		image_bytes = qc_sparse_get_stats(sparse)->expanded_bytes;
		qc_sparse_close(sparse);
	}
	if ((rc = edl_connect(cli, &o, &t, &fh))) {
		close(f.fd);
		return rc;
	}
	rc = target_resolve(cli, fh, argv[first], TARGET_WRITE, &sp);
	if (rc == 0) {
		unsigned ss = qc_fh_get_info(fh)->sector_size;
		uint64_t need = (image_bytes + ss - 1) / ss;

		if (!image_bytes) {
			rc = cli_error(cli, CLI_USAGE, "%s is empty: nothing to write", f.path);
		} else if (need > sp.count) {
			rc = cli_error(cli, CLI_USAGE, "%s (%llu sectors of %u bytes%s) does not fit %s (%llu sectors)",
				       f.path, (unsigned long long)need, ss, is_sparse ? " expanded" : "", sp.label,
				       (unsigned long long)sp.count);
		}
	}
	if (rc) {
		close(f.fd);
		edl_close(t, fh);
		return rc;
	}
	if (is_sparse) {
		struct qc_fh_image_result ir;
		struct qc_fb_program img = {
		    .xml = "",
		    .lun = sp.lun,
		    .sector_size = qc_fh_get_info(fh)->sector_size,
		    .start_known = true,
		    .start_sector = sp.start,
		    .partition_sectors = sp.count,
		    .filename = f.path,
		    .path = f.path,
		    .label = sp.label,
		    .sparse_attr = true,
		    .sparse = true,
		    .data_bytes = image_bytes,
		};

		close(f.fd);
		rc = qc_fh_write_image(fh, &img, sp.start, !o.no_verify, &ir);
		if (rc < 0) {
			rc = cli_fail(cli, rc);
			cli_info(cli, "%llu of %llu bytes of %s were written before the failure\n",
				 (unsigned long long)ir.bytes_done, (unsigned long long)ir.total_bytes, f.path);
			edl_close(t, fh);
			return rc;
		}
		if (cli->json) {
			json_object *j = json_object_new_object();

			span_json(j, &sp, qc_fh_get_info(fh)->sector_size);
			json_object_object_add(j, "file", json_object_new_string(f.path));
			json_object_object_add(j, "sparse", json_object_new_boolean(1));
			json_object_object_add(j, "bytes", json_object_new_int64((int64_t)ir.total_bytes));
			json_object_object_add(j, "programs", json_object_new_int64(ir.programs));
			json_object_object_add(j, "verified",
					       ir.verified == 1	  ? json_object_new_string("sha256")
					       : ir.verified == 2 ? json_object_new_string("readback")
								  : json_object_new_boolean(false));
			cli_json_print(cli, j);
		} else {
			cli_info(cli, "wrote sparse %s to %s: %llu bytes in %u programs, DONT_CARE skipped%s\n", f.path,
				 sp.label, (unsigned long long)ir.total_bytes, ir.programs,
				 o.no_verify ? "" : ", verified");
		}
		edl_close(t, fh);
		return CLI_OK;
	}
	struct qc_fh_program p = {
	    .lun = sp.lun,
	    .start_sector = sp.start,
	    .bytes = (uint64_t)st.st_size,
	    .read = file_read,
	    .user = &f,
	    .label = sp.label,
	    .verify = !o.no_verify,
	};

	rc = qc_fh_program(fh, &p, &pr);
	close(f.fd);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
		edl_close(t, fh);
		return rc;
	}
	if (cli->json) {
		json_object *j = json_object_new_object();

		span_json(j, &sp, qc_fh_get_info(fh)->sector_size);
		json_object_object_add(j, "sectors", json_object_new_int64((int64_t)pr.sectors));
		json_object_object_add(j, "file", json_object_new_string(f.path));
		json_object_object_add(j, "bytes", json_object_new_int64((int64_t)st.st_size));
		json_object_object_add(j, "verified",
				       pr.verified == 1	  ? json_object_new_string("sha256")
				       : pr.verified == 2 ? json_object_new_string("readback")
							  : json_object_new_boolean(false));
		cli_json_print(cli, j);
	} else {
		cli_info(cli, "wrote %s to %s: %llu bytes%s\n", f.path, sp.label, (unsigned long long)st.st_size,
			 pr.verified == 1   ? ", verified by SHA-256 digest"
			 : pr.verified == 2 ? ", verified by reading back"
					    : "");
	}
	edl_close(t, fh);
	return CLI_OK;
}

/* ---- erase ---- */

int cmd_erase(struct cli *cli, int argc, char **argv)
{
	const char *usage = "erase [--storage T] [--loader L] TARGET   (a partition, LUN/START+COUNT, or a LUN number)";
	struct edl_opts o;
	struct span sp;
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 1, &o, &first)) >= 0)
		return rc;
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	rc = target_resolve(cli, fh, argv[first], TARGET_ERASE, &sp);
	if (rc == 0) {
		rc = qc_fh_erase(fh, sp.lun, sp.start, sp.whole_lun ? 0 : sp.count, sp.label);
		rc = rc < 0 ? cli_fail(cli, rc) : CLI_OK;
	}
	if (rc == CLI_OK) {
		if (cli->json) {
			json_object *j = json_object_new_object();

			span_json(j, &sp, qc_fh_get_info(fh)->sector_size);
			cli_json_print(cli, j);
		} else {
			cli_info(cli, "erased %s\n", sp.label);
		}
	}
	edl_close(t, fh);
	return rc;
}

/* ---- sha256 ---- */

int cmd_sha256(struct cli *cli, int argc, char **argv)
{
	const char *usage = "sha256 [--storage T] [--loader L] TARGET";
	struct edl_opts o;
	struct span sp;
	uint8_t md[32];
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 1, &o, &first)) >= 0)
		return rc;
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	rc = target_resolve(cli, fh, argv[first], TARGET_READ, &sp);
	if (rc == 0) {
		rc = qc_fh_sha256(fh, sp.lun, sp.start, sp.count, md);
		rc = rc < 0 ? cli_fail(cli, rc) : CLI_OK;
	}
	if (rc == CLI_OK) {
		char *hex = cli_hex(md, sizeof(md));

		if (cli->json) {
			json_object *j = json_object_new_object();

			span_json(j, &sp, qc_fh_get_info(fh)->sector_size);
			json_object_object_add(j, "sha256", json_object_new_string(hex ? hex : ""));
			cli_json_print(cli, j);
		} else {
			cli_out(cli, "%s  %s\n", hex ? hex : "", sp.label);
		}
		free(hex);
	}
	edl_close(t, fh);
	return rc;
}

/* ---- storage-info ---- */

int cmd_storage_info(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {EDL_LONGOPTS,
						 {"lun", required_argument, NULL, EDL_OPT_LUN},
						 {"benchmark", no_argument, NULL, EDL_OPT_BENCHMARK},
						 {NULL, 0, NULL, 0}};
	const char *usage = "storage-info [--storage T] [--loader L] [--lun N] [--benchmark]";
	struct qc_fh_storage_info si;
	char bench[4096] = "";
	struct edl_opts o;
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, longopts, usage, 0, &o, &first)) >= 0)
		return rc;
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	rc = qc_fh_storage_info(fh, o.lun < 0 ? 0 : (unsigned)o.lun, &si);
	if (rc == 0 && o.benchmark)
		rc = qc_fh_benchmark(fh, 1, bench, sizeof(bench));
	if (rc < 0) {
		rc = cli_fail(cli, rc);
		edl_close(t, fh);
		return rc;
	}
	const struct qc_fh_info *in = qc_fh_get_info(fh);

	if (cli->json) {
		json_object *j = json_object_new_object(), *lines = json_object_new_array();
		char *save = NULL;

		json_object_object_add(j, "lun", json_object_new_int64(o.lun < 0 ? 0 : o.lun));
		json_object_object_add(j, "memory", json_object_new_string(in->memory_name));
		json_object_object_add(j, "target_name", json_object_new_string(in->target_name));
		json_object_object_add(j, "sector_size", json_object_new_int64(in->sector_size));
		json_object_object_add(j, "max_payload", json_object_new_int64(in->max_payload));
		json_object_object_add(j, "total_blocks", json_object_new_int64((int64_t)si.total_blocks));
		json_object_object_add(j, "block_size", json_object_new_int64(si.block_size));
		json_object_object_add(j, "page_size", json_object_new_int64(si.page_size));
		json_object_object_add(j, "num_physical", json_object_new_int64(si.num_physical));
		json_object_object_add(j, "manufacturer_id", json_object_new_int64(si.manufacturer_id));
		json_object_object_add(j, "serial_num", json_object_new_int64((int64_t)si.serial_num));
		json_object_object_add(j, "fw_version", json_object_new_string(si.fw_version));
		json_object_object_add(j, "mem_type", json_object_new_string(si.mem_type));
		json_object_object_add(j, "prod_name", json_object_new_string(si.prod_name));
		for (char *l = strtok_r(si.text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			json_object_array_add(lines, json_object_new_string(l));
		json_object_object_add(j, "log", lines);
		if (o.benchmark)
			json_object_object_add(j, "benchmark", json_object_new_string(bench));
		cli_json_print(cli, j);
	} else {
		cli_out(cli, "memory:        %s%s%s\n", in->memory_name, in->target_name[0] ? ", target " : "",
			in->target_name);
		cli_out(cli, "LUN:           %d of %u\n", o.lun < 0 ? 0 : o.lun, si.num_physical);
		cli_out(cli, "sectors:       %llu of %u bytes (%.1f MiB)\n", (unsigned long long)si.total_blocks,
			si.block_size ? si.block_size : in->sector_size,
			(double)si.total_blocks * (si.block_size ? si.block_size : in->sector_size) / 1048576.0);
		if (si.prod_name[0] || si.fw_version[0])
			cli_out(cli, "product:       %s (firmware %s, manufacturer 0x%x)\n", si.prod_name,
				si.fw_version, si.manufacturer_id);
		cli_out(cli, "payload:       %u bytes per raw write\n", in->max_payload);
		if (o.benchmark)
			cli_out(cli, "benchmark:\n%s", bench);
	}
	edl_close(t, fh);
	return CLI_OK;
}

/* ---- peek / poke ---- */

int cmd_peek(struct cli *cli, int argc, char **argv)
{
	const char *usage = "peek [--loader L] ADDR LEN";
	uint64_t addr, len;
	struct edl_opts o;
	qc_transport *t;
	qc_fh *fh;
	uint8_t *buf;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 2, &o, &first)) >= 0)
		return rc;
	if ((rc = cli_parse_u64(cli, "ADDR", argv[first], &addr)) ||
	    (rc = cli_parse_u64(cli, "LEN", argv[first + 1], &len)))
		return rc;
	if (!len || len > (1u << 20))
		return cli_error(cli, CLI_USAGE, "LEN must be 1 to 1048576 bytes");
	buf = malloc(len);
	if (!buf)
		return cli_error(cli, CLI_FAILED, "out of memory");
	if ((rc = edl_connect(cli, &o, &t, &fh))) {
		free(buf);
		return rc;
	}
	rc = qc_fh_peek(fh, addr, buf, len);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
	} else if (cli->json) {
		json_object *j = json_object_new_object();
		char *hex = cli_hex(buf, len);

		json_object_object_add(j, "address", json_object_new_int64((int64_t)addr));
		json_object_object_add(j, "data", json_object_new_string(hex ? hex : ""));
		cli_json_print(cli, j);
		free(hex);
		rc = CLI_OK;
	} else {
		for (uint64_t i = 0; i < len; i += 16) {
			printf("%08llx ", (unsigned long long)(addr + i));
			for (uint64_t k = i; k < i + 16 && k < len; k++)
				printf(" %02x", buf[k]);
			printf("\n");
		}
		rc = CLI_OK;
	}
	free(buf);
	edl_close(t, fh);
	return rc;
}

int cmd_poke(struct cli *cli, int argc, char **argv)
{
	const char *usage = "poke [--loader L] ADDR HEX   (bytes in memory order)";
	struct edl_opts o;
	qc_transport *t;
	uint64_t addr;
	uint8_t *data;
	size_t len;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 2, &o, &first)) >= 0)
		return rc;
	if ((rc = cli_parse_u64(cli, "ADDR", argv[first], &addr)) ||
	    (rc = cli_parse_hex(cli, "HEX", argv[first + 1], &data, &len)))
		return rc;
	if (!len) {
		free(data);
		return cli_error(cli, CLI_USAGE, "HEX holds no bytes");
	}
	if ((rc = edl_connect(cli, &o, &t, &fh))) {
		free(data);
		return rc;
	}
	rc = qc_fh_poke(fh, addr, data, len);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
	} else {
		if (cli->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "address", json_object_new_int64((int64_t)addr));
			json_object_object_add(j, "bytes", json_object_new_int64((int64_t)len));
			cli_json_print(cli, j);
		} else {
			cli_info(cli, "wrote %zu bytes at 0x%llx\n", len, (unsigned long long)addr);
		}
		rc = CLI_OK;
	}
	free(data);
	edl_close(t, fh);
	return rc;
}

/* ---- reset / nop ---- */

int cmd_reset(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
	    EDL_LONGOPTS, {"to", required_argument, NULL, EDL_OPT_TO}, {NULL, 0, NULL, 0}};
	const char *usage = "reset [--to system|edl|off]";
	struct edl_opts o;
	qc_transport *t;
	const char *how;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, longopts, usage, 0, &o, &first)) >= 0)
		return rc;
	how = !o.to || !strcmp(o.to, "system") ? "reset" : !strcmp(o.to, "edl") ? "reset_to_edl" : "off";
	rc = cli_open_device(cli, &t);
	if (rc < 0)
		return cli_fail(cli, rc);
	rc = qc_edl_reset(t, &o.fh, how);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
	} else {
		if (cli->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "power", json_object_new_string(how));
			cli_json_print(cli, j);
		} else {
			cli_info(cli, "device %s\n",
				 !strcmp(how, "reset") ? "resetting"
				 : !strcmp(how, "off") ? "powering off"
						       : "resetting to EDL");
		}
		rc = CLI_OK;
	}
	qc_transport_close(t);
	return rc;
}

int cmd_nop(struct cli *cli, int argc, char **argv)
{
	const char *usage = "nop [--loader L]";
	struct edl_opts o;
	qc_transport *t;
	qc_fh *fh;
	int first, rc;

	if ((rc = edl_args(cli, argc, argv, edl_longopts, usage, 0, &o, &first)) >= 0)
		return rc;
	if ((rc = edl_connect(cli, &o, &t, &fh)))
		return rc;
	rc = qc_fh_nop(fh);
	if (rc < 0) {
		rc = cli_fail(cli, rc);
	} else {
		const struct qc_fh_info *in = qc_fh_get_info(fh);

		if (cli->json) {
			json_object *j = json_object_new_object();

			json_object_object_add(j, "ok", json_object_new_boolean(1));
			json_object_object_add(j, "memory", json_object_new_string(in->memory_name));
			json_object_object_add(j, "target_name", json_object_new_string(in->target_name));
			json_object_object_add(j, "max_payload", json_object_new_int64(in->max_payload));
			cli_json_print(cli, j);
		} else {
			cli_out(cli, "programmer answered (%s%s%s, payload %u bytes)\n", in->memory_name,
				in->target_name[0] ? ", " : "", in->target_name, in->max_payload);
		}
		rc = CLI_OK;
	}
	edl_close(t, fh);
	return rc;
}
