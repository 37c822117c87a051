/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EFS errno values (fs_errno.h).  They follow Linux for the common ones but
 * not all: EEXIST is 6, not 17, and 301..306 are EFS's own.  FS_ERANGE
 * moved from 34 to 305 in a later revision, so both are known.  Numbers
 * with bit 30 set come from the DIAG layer of EFS rather than the file
 * system.
 */
#include "qcbox/efs.h"

struct efs_errno {
	int32_t num;
	const char *name;
	const char *text;
	int err;
};

static const struct efs_errno table[] = {
	{QC_EFS_EPERM, "EPERM", "operation not permitted", QC_E_PERM},
	{QC_EFS_ENOENT, "ENOENT", "no such file or directory", QC_E_NOTFOUND},
	{QC_EFS_EEXIST, "EEXIST", "file exists", QC_E_EXISTS},
	{QC_EFS_EBADF, "EBADF", "bad file descriptor", QC_E_DEVICE},
	{QC_EFS_ENOMEM, "ENOMEM", "out of memory on the device", QC_E_DEVICE},
	{QC_EFS_EACCES, "EACCES", "permission denied", QC_E_PERM},
	{QC_EFS_EBUSY, "EBUSY", "device or resource busy", QC_E_BUSY},
	{QC_EFS_EXDEV, "EXDEV", "cross-device link", QC_E_DEVICE},
	{QC_EFS_ENODEV, "ENODEV", "no such device", QC_E_DEVICE},
	{QC_EFS_ENOTDIR, "ENOTDIR", "not a directory", QC_E_DEVICE},
	{QC_EFS_EISDIR, "EISDIR", "is a directory", QC_E_DEVICE},
	{QC_EFS_EINVAL, "EINVAL", "invalid argument", QC_E_DEVICE},
	{QC_EFS_EMFILE, "EMFILE", "too many open files", QC_E_DEVICE},
	{QC_EFS_ETXTBSY, "ETXTBSY", "file busy", QC_E_BUSY},
	{QC_EFS_ENOSPC, "ENOSPC", "no space left on the file system", QC_E_DEVICE},
	{QC_EFS_ESPIPE, "ESPIPE", "illegal seek", QC_E_DEVICE},
	{QC_EFS_FS_ERANGE, "FS_ERANGE", "parameter out of range", QC_E_RANGE},
	{QC_EFS_ENAMETOOLONG, "ENAMETOOLONG", "file name too long", QC_E_DEVICE},
	{QC_EFS_ENOTEMPTY, "ENOTEMPTY", "directory not empty", QC_E_DEVICE},
	{QC_EFS_ELOOP, "ELOOP", "too many symbolic links", QC_E_DEVICE},
	{QC_EFS_EILSEQ, "EILSEQ", "illegal byte sequence in a name", QC_E_DEVICE},
	{QC_EFS_ESTALE, "ESTALE", "stale handle", QC_E_DEVICE},
	{QC_EFS_EDQUOT, "EDQUOT", "quota exceeded", QC_E_DEVICE},
	{QC_EFS_ENOCARD, "ENOCARD", "no media present", QC_E_DEVICE},
	{QC_EFS_EBADFMT, "EBADFMT", "bad file system format", QC_E_DEVICE},
	{QC_EFS_ENOTITM, "ENOTITM", "not an item file", QC_E_DEVICE},
	{QC_EFS_EROLLBACK, "EROLLBACK", "rollback failed", QC_E_DEVICE},
	{QC_EFS_FS_ERANGE_NEW, "FS_ERANGE", "parameter out of range", QC_E_RANGE},
	{QC_EFS_ENOTHINGTOSYNC, "ENOTHINGTOSYNC", "nothing to synchronise", QC_E_DEVICE},
	{QC_EFS_DIAG_INCONSISTENT_STATE, "INCONSISTENT_STATE", "inconsistent EFS diag state", QC_E_PROTOCOL},
	{QC_EFS_DIAG_INVALID_SEQ_NO, "INVALID_SEQ_NO", "invalid sequence number", QC_E_PROTOCOL},
	{QC_EFS_DIAG_DIR_NOT_OPEN, "DIR_NOT_OPEN", "directory not open", QC_E_DEVICE},
	{QC_EFS_DIAG_DIRENT_NOT_FOUND, "DIRENT_NOT_FOUND", "directory entry not found", QC_E_NOTFOUND},
	{QC_EFS_DIAG_INVALID_PATH, "INVALID_PATH", "invalid path", QC_E_DEVICE},
	{QC_EFS_DIAG_PATH_TOO_LONG, "PATH_TOO_LONG", "path too long", QC_E_DEVICE},
	{QC_EFS_DIAG_TOO_MANY_OPEN_DIRS, "TOO_MANY_OPEN_DIRS", "too many open directories", QC_E_DEVICE},
	{QC_EFS_DIAG_INVALID_DIR_ENTRY, "INVALID_DIR_ENTRY", "invalid directory entry", QC_E_DEVICE},
	{QC_EFS_DIAG_TOO_MANY_OPEN_FILES, "TOO_MANY_OPEN_FILES", "too many open files", QC_E_DEVICE},
	{QC_EFS_DIAG_UNKNOWN_FILETYPE, "UNKNOWN_FILETYPE", "unknown file type", QC_E_DEVICE},
	{QC_EFS_DIAG_NOT_NAND_FLASH, "NOT_NAND_FLASH", "not NAND flash", QC_E_UNSUPPORTED},
	{QC_EFS_DIAG_UNAVAILABLE_INFO, "UNAVAILABLE_INFO", "information unavailable", QC_E_UNSUPPORTED},
};

static const struct efs_errno *lookup(int32_t e)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].num == e)
			return &table[i];
	return NULL;
}

const char *qc_efs_errno_name(int32_t efs_errno)
{
	const struct efs_errno *t = lookup(efs_errno);

	return t ? t->name : NULL;
}

const char *qc_efs_errno_text(int32_t efs_errno)
{
	const struct efs_errno *t = lookup(efs_errno);

	return t ? t->text : "unknown error";
}

int qc_efs_errno_to_error(int32_t efs_errno)
{
	const struct efs_errno *t = lookup(efs_errno);

	return t ? t->err : QC_E_DEVICE;
}
