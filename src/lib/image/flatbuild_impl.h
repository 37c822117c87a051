/* SPDX-License-Identifier: BSD-3-Clause */
/* The flat-build container, shared by the XML loader and the planner. */
#ifndef QC_FLATBUILD_IMPL_H
#define QC_FLATBUILD_IMPL_H

#include "qcbox/flatbuild.h"

struct qc_flatbuild {
	qc_ctx *ctx;
	struct qc_fb_program *programs;
	size_t nprograms, cap_programs;
	struct qc_fb_patch *patches;
	size_t npatches, cap_patches;
	struct qc_fb_erase *erases;
	size_t nerases, cap_erases;
	char **xml; /* names of the XML files, owned */
	size_t nxml;
	char **missing; /* owned copies */
	size_t nmissing;
	struct qc_flatbuild_info info;
};

#endif
