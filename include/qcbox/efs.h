/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EFS2 over DIAG: the modem's flash file system, reached through DIAG
 * subsystem 0x13 (or 0x3E, the alternate endpoint of newer modems).
 *
 * A session starts with HELLO, which negotiates the transfer windows and
 * closes every file and directory the device still had open.  Reads and
 * writes then move data in the largest chunk the negotiated windows allow.
 *
 * Errors the device reports as an EFS errno come back as negative QC_E_*
 * codes with a sentence such as "EFS error ENOENT (2) for /x"; the raw
 * number stays available through qc_efs_last_errno().  EFS errno numbers
 * are not Linux's (EEXIST is 6), so never pass them to strerror().
 */
#ifndef QCBOX_EFS_H
#define QCBOX_EFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

/* DIAG subsystem ids of the two EFS2 endpoints. */
#define QC_EFS_SUBSYS_FS 0x13
#define QC_EFS_SUBSYS_FS_ALT 0x3e

/* Largest data chunk qcbox puts in one READ or WRITE, whatever the windows
 * allow: it keeps every packet under the 16 KiB request limit of DIAG
 * routers, with room for headers. */
#define QC_EFS_MAX_CHUNK 8192

/* st_mode bits as EFS reports them (octal, as in POSIX, plus item files). */
#define QC_EFS_S_IFMT 0170000
#define QC_EFS_S_IFIFO 0010000
#define QC_EFS_S_IFCHR 0020000
#define QC_EFS_S_IFDIR 0040000
#define QC_EFS_S_IFBLK 0060000
#define QC_EFS_S_IFREG 0100000
#define QC_EFS_S_IFLNK 0120000
#define QC_EFS_S_IFSOCK 0140000
#define QC_EFS_S_IFITM 0160000 /* item file: a small NV value stored in the inode */

/* open() flags: EFS takes the Linux/POSIX octal values. */
#define QC_EFS_O_RDONLY 00
#define QC_EFS_O_WRONLY 01
#define QC_EFS_O_RDWR 02
#define QC_EFS_O_CREAT 0100
#define QC_EFS_O_EXCL 0200
#define QC_EFS_O_TRUNC 01000
#define QC_EFS_O_APPEND 02000

/* Some EFS errno values (full table: qc_efs_errno_name()). */
enum {
	QC_EFS_EPERM = 1,
	QC_EFS_ENOENT = 2,
	QC_EFS_EEXIST = 6,
	QC_EFS_EBADF = 9,
	QC_EFS_ENOMEM = 12,
	QC_EFS_EACCES = 13,
	QC_EFS_EBUSY = 16,
	QC_EFS_EXDEV = 18,
	QC_EFS_ENODEV = 19,
	QC_EFS_ENOTDIR = 20,
	QC_EFS_EISDIR = 21,
	QC_EFS_EINVAL = 22,
	QC_EFS_EMFILE = 24,
	QC_EFS_ETXTBSY = 26,
	QC_EFS_ENOSPC = 28,
	QC_EFS_ESPIPE = 29,
	QC_EFS_FS_ERANGE = 34,
	QC_EFS_ENAMETOOLONG = 36,
	QC_EFS_ENOTEMPTY = 39,
	QC_EFS_ELOOP = 40,
	QC_EFS_EILSEQ = 92,
	QC_EFS_ESTALE = 116,
	QC_EFS_EDQUOT = 122,
	QC_EFS_ENOCARD = 301,
	QC_EFS_EBADFMT = 302,
	QC_EFS_ENOTITM = 303,
	QC_EFS_EROLLBACK = 304,
	QC_EFS_FS_ERANGE_NEW = 305,
	QC_EFS_ENOTHINGTOSYNC = 306,
	/* errors of the DIAG layer of EFS, not of the file system */
	QC_EFS_DIAG_INCONSISTENT_STATE = 0x40000001,
	QC_EFS_DIAG_INVALID_SEQ_NO = 0x40000002,
	QC_EFS_DIAG_DIR_NOT_OPEN = 0x40000003,
	QC_EFS_DIAG_DIRENT_NOT_FOUND = 0x40000004,
	QC_EFS_DIAG_INVALID_PATH = 0x40000005,
	QC_EFS_DIAG_PATH_TOO_LONG = 0x40000006,
	QC_EFS_DIAG_TOO_MANY_OPEN_DIRS = 0x40000007,
	QC_EFS_DIAG_INVALID_DIR_ENTRY = 0x40000008,
	QC_EFS_DIAG_TOO_MANY_OPEN_FILES = 0x40000009,
	QC_EFS_DIAG_UNKNOWN_FILETYPE = 0x4000000a,
	QC_EFS_DIAG_NOT_NAND_FLASH = 0x4000000b,
	QC_EFS_DIAG_UNAVAILABLE_INFO = 0x4000000c,
};

/* "ENOENT", "EEXIST", "INVALID_PATH", ... or NULL for an unknown number. */
QC_API const char *qc_efs_errno_name(int32_t efs_errno);
/* A short description ("no such file or directory"), "unknown error" if unknown. */
QC_API const char *qc_efs_errno_text(int32_t efs_errno);
/* The QC_E_* code an EFS errno maps to (ENOENT -> QC_E_NOTFOUND, ...). */
QC_API int qc_efs_errno_to_error(int32_t efs_errno);

typedef struct qc_efs qc_efs;

/* HELLO parameters, as sent and as negotiated (each side keeps the smaller
 * window; the feature bits are the AND of both sides'). */
struct qc_efs_hello {
	uint32_t targ_pkt_window, targ_byte_window;
	uint32_t host_pkt_window, host_byte_window;
	uint32_t iter_pkt_window, iter_byte_window;
	uint32_t version, min_version, max_version;
	uint32_t feature_bits;
};

/* Bounds against a device that never stops answering. */
struct qc_efs_limits {
	uint32_t max_dir_entries;   /* entries read from one directory (default 16384) */
	uint32_t max_depth;         /* directory levels below the start of a walk (default 64) */
	uint64_t max_total_entries; /* entries in one recursive walk (default 262144) */
};

/* Opens an EFS2 session on D (not owned) and says HELLO.  SUBSYS is
 * QC_EFS_SUBSYS_FS, QC_EFS_SUBSYS_FS_ALT, or 0 to pick automatically: 0x13
 * first, then 0x3E if the device refuses the first as a bad command. */
QC_API int qc_efs_new(qc_diag *d, uint8_t subsys, qc_efs **out);
QC_API void qc_efs_free(qc_efs *e);
QC_API qc_ctx *qc_efs_ctx(const qc_efs *e);
/* The subsystem the session uses (0x13 or 0x3E). */
QC_API uint8_t qc_efs_subsys(const qc_efs *e);
/* Sends HELLO again (closes everything open on the device). */
QC_API int qc_efs_hello(qc_efs *e);
QC_API const struct qc_efs_hello *qc_efs_negotiated(const qc_efs *e);
/* Data bytes per READ / WRITE request, from the negotiated windows. */
QC_API size_t qc_efs_read_chunk(const qc_efs *e);
QC_API size_t qc_efs_write_chunk(const qc_efs *e);
/* Caps both chunks at BYTES (1..QC_EFS_MAX_CHUNK); 0 restores the default. */
QC_API int qc_efs_set_max_chunk(qc_efs *e, size_t bytes);
QC_API void qc_efs_get_limits(const qc_efs *e, struct qc_efs_limits *out);
QC_API int qc_efs_set_limits(qc_efs *e, const struct qc_efs_limits *limits);
/* The EFS errno of the last request that failed with one (0 if the last
 * failure was something else). */
QC_API int32_t qc_efs_last_errno(const qc_efs *e);

/* ----- file system calls, one request each ----- */
struct qc_efs_stat {
	uint32_t mode;  /* QC_EFS_S_IF* | permission bits */
	int64_t size;   /* -1 when the call does not report it (LSTAT) */
	uint32_t nlink; /* 0 when not reported */
	int64_t atime, mtime, ctime; /* seconds */
};

struct qc_efs_query {
	int32_t max_name, max_path, max_link_depth, max_file_size, max_dir_entries, max_mounts;
};

struct qc_efs_statfs {
	int32_t fs_id;
	char fs_type[9];
	uint32_t block_size, total_blocks, avail_blocks, free_blocks;
	uint32_t max_file_size, nfiles, max_nfiles;
};

QC_API int qc_efs_query(qc_efs *e, struct qc_efs_query *out);
/* Returns a device file descriptor (>= 0).  FLAGS are QC_EFS_O_*. */
QC_API int qc_efs_open(qc_efs *e, const char *path, int flags, uint32_t mode);
QC_API int qc_efs_close(qc_efs *e, int fd);
/* One READ of at most qc_efs_read_chunk() bytes at OFFSET; returns the
 * count (0 at end of file). */
QC_API int qc_efs_read(qc_efs *e, int fd, uint32_t offset, void *buf, size_t len);
/* One WRITE of at most qc_efs_write_chunk() bytes; returns the count written. */
QC_API int qc_efs_write(qc_efs *e, int fd, uint32_t offset, const void *buf, size_t len);
QC_API int qc_efs_stat(qc_efs *e, const char *path, struct qc_efs_stat *st);
QC_API int qc_efs_lstat(qc_efs *e, const char *path, struct qc_efs_stat *st);
QC_API int qc_efs_fstat(qc_efs *e, int fd, struct qc_efs_stat *st);
QC_API int qc_efs_statfs(qc_efs *e, const char *path, struct qc_efs_statfs *out);
QC_API int qc_efs_mkdir(qc_efs *e, const char *path, uint32_t mode);
QC_API int qc_efs_rmdir(qc_efs *e, const char *path);
QC_API int qc_efs_unlink(qc_efs *e, const char *path);
QC_API int qc_efs_rename(qc_efs *e, const char *oldpath, const char *newpath);
QC_API int qc_efs_chmod(qc_efs *e, const char *path, uint32_t mode);
/* Creates LINKPATH pointing at TARGET. */
QC_API int qc_efs_symlink(qc_efs *e, const char *target, const char *linkpath);
/* The target of a symlink, NUL-terminated; returns its length. */
QC_API int qc_efs_readlink(qc_efs *e, const char *path, char *buf, size_t cap);
/* TRUNCATE / FTRUNCATE: QC_E_UNSUPPORTED where the device does not offer them. */
QC_API int qc_efs_truncate(qc_efs *e, const char *path, uint32_t length);
QC_API int qc_efs_ftruncate(qc_efs *e, int fd, uint32_t length);

/* Item files (NV items stored as files, /nv/item_files/...): GET reads the
 * whole file in one reply (op 39, falling back to the older op 27), PUT
 * writes it in one request (op 38; it needs the security unlock). */
QC_API int qc_efs_get_item(qc_efs *e, const char *path, void *buf, size_t cap, size_t *len);
QC_API int qc_efs_put_item(qc_efs *e, const char *path, const void *data, size_t len, uint32_t flags);

/* ----- directories ----- */
enum qc_efs_type {
	QC_EFS_TYPE_FILE = 0,
	QC_EFS_TYPE_DIR = 1,
	QC_EFS_TYPE_SYMLINK = 2,
	QC_EFS_TYPE_IMMOVABLE = 3, /* a file the file system may not relocate */
	QC_EFS_TYPE_ITEM = 4,      /* not on the wire: a file whose mode says S_IFITM */
	QC_EFS_TYPE_OTHER = 15,
};
/* "file", "dir", "symlink", "immovable", "item", "other" */
QC_API const char *qc_efs_type_name(int type);
/* The type of an entry from READDIR's entry_type and mode, item files
 * folded in; pass QC_EFS_TYPE_OTHER as WIRE_TYPE to go by the mode alone
 * (after STAT). */
QC_API int qc_efs_type_of(int32_t wire_type, uint32_t mode);

struct qc_efs_dirent {
	/* The name exactly as the device sent it, NUL-terminated.  NAME_LEN
	 * counts bytes past an embedded NUL (a hostile name) and is capped at
	 * 259, which is over the 255 qc_efs_name_check() accepts. */
	char name[260];
	size_t name_len;
	int type;       /* enum qc_efs_type, item files folded in */
	int32_t wire_type; /* entry_type as sent */
	uint32_t mode;
	int64_t size;
	int64_t atime, mtime, ctime;
};

/* Returns a directory handle (>= 0). */
QC_API int qc_efs_opendir(qc_efs *e, const char *path, uint32_t *dirp);
/* Entry SEQ (1, 2, ...): returns 1 with an entry, 0 at the end (empty name). */
QC_API int qc_efs_readdir(qc_efs *e, uint32_t dirp, int32_t seq, struct qc_efs_dirent *ent);
QC_API int qc_efs_closedir(qc_efs *e, uint32_t dirp);
/* Reads a whole directory (bounded by max_dir_entries), sorted by name.
 * *ENTS is malloc'd; free it with free(). */
QC_API int qc_efs_listdir(qc_efs *e, const char *path, struct qc_efs_dirent **ents, size_t *count);

/* ----- names from the device ----- */
/* NULL if NAME (LEN bytes) is safe as one local path component, else the
 * reason it is refused: empty, ".", "..", contains '/', NUL or a control
 * character, longer than 255 bytes. */
QC_API const char *qc_efs_name_check(const char *name, size_t len);
/* Printable form of LEN bytes: control characters, backslashes and bytes
 * that are not UTF-8 become \xNN.  Always NUL-terminates OUT. */
QC_API void qc_efs_escape(const char *name, size_t len, char *out, size_t cap);

/* ----- whole files ----- */
struct qc_efs_xfer {
	uint64_t bytes;         /* data moved */
	int64_t stated_size;    /* size the device stated (get) */
	bool short_read;        /* the file ended before its stated size */
	bool item;              /* moved with GET/PUT item-file calls */
	uint8_t sha256[32];     /* of the data moved (when asked) */
};

/* Copies remote PATH into local FD, streaming, with progress.  The copy
 * stops at the size STAT states, even if the device would send more; a file
 * that ends earlier is kept as read and flagged short_read. */
QC_API int qc_efs_get_file(qc_efs *e, const char *path, int fd, bool sha256, struct qc_efs_xfer *x);
/* Copies local FD (from its current offset to its end) into remote PATH,
 * created or truncated with MODE; with ITEM it is one PUT request. */
QC_API int qc_efs_put_file(qc_efs *e, int fd, const char *path, uint32_t mode, bool item, struct qc_efs_xfer *x);

/* ----- trees ----- */
enum qc_efs_report {
	QC_EFS_REFUSED = 1, /* a device name or symlink that is not safe to copy */
	QC_EFS_WARNING = 2, /* copied, but something is off (size changed) */
	QC_EFS_FAILED = 3,  /* this entry could not be copied; the walk goes on */
};

/* One entry a walk visited or copied.  PATH is the remote path in printable
 * form; LOCAL the path relative to the destination (copies only). */
struct qc_efs_entry {
	const char *path;
	const char *name;   /* last component, printable (it may contain '/') */
	const char *unsafe; /* listings: why the name is not safe to use, or NULL */
	const char *local;
	int type;
	uint32_t mode;
	int64_t size;      /* copies: bytes written; listings: stated size */
	int64_t mtime;
	const char *target; /* symlinks: printable target, when read */
	bool has_sha256;
	uint8_t sha256[32];
	bool created;      /* copies: the entry exists locally now */
};

struct qc_efs_tree_ops {
	/* Each entry visited (listing) or copied; may be NULL. */
	void (*entry)(void *user, const struct qc_efs_entry *ent);
	/* Each refused name, warning and failure, with one sentence. */
	void (*report)(void *user, enum qc_efs_report kind, const char *path, const char *msg);
	void *user;
	bool sha256;        /* copies: hash every file */
	bool read_links;    /* listings: readlink every symlink */
};

struct qc_efs_tree_stats {
	uint64_t files, dirs, symlinks, bytes;
	uint64_t refused, warnings, failed;
};

/* Lists PATH (recursively with RECURSE), depth first, each directory
 * sorted.  Directories whose names are unsafe are reported, not entered. */
QC_API int qc_efs_walk(qc_efs *e, const char *path, bool recurse, const struct qc_efs_tree_ops *ops,
		       struct qc_efs_tree_stats *stats);
/* Copies the remote directory REMOTE into the local directory LOCAL_DIR
 * (which must exist).  Nothing is written outside LOCAL_DIR: unsafe names
 * are refused and reported, symlinks are recreated only when their target
 * stays inside the copy, existing symlinks in LOCAL_DIR are never written
 * through.  Returns 0 when the walk finished (see STATS for refusals and
 * failures) or a negative error that ended it. */
QC_API int qc_efs_get_tree(qc_efs *e, const char *remote, const char *local_dir, const struct qc_efs_tree_ops *ops,
			   struct qc_efs_tree_stats *stats);
/* Copies the local directory LOCAL_DIR into the remote directory REMOTE
 * (created if missing).  Local symlinks are recreated as EFS symlinks, not
 * followed; FIFOs, sockets and devices are skipped with a warning. */
QC_API int qc_efs_put_tree(qc_efs *e, const char *local_dir, const char *remote, const struct qc_efs_tree_ops *ops,
			   struct qc_efs_tree_stats *stats);
/* Removes PATH and everything below it. */
QC_API int qc_efs_remove_tree(qc_efs *e, const char *path, const struct qc_efs_tree_ops *ops,
			      struct qc_efs_tree_stats *stats);
/* The whole file system into DIR/efs/, plus DIR/manifest.json listing every
 * entry's path, type, mode, size, SHA-256 (files), symlink target, and every
 * refused name and failure.  DIR is created if missing. */
QC_API int qc_efs_backup(qc_efs *e, const char *dir, const struct qc_efs_tree_ops *ops,
			 struct qc_efs_tree_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
