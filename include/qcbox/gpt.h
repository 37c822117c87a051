/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GUID partition tables (UEFI): reading and validating the primary and the
 * backup copy of one disk (a UFS LUN, the eMMC user area), and building
 * both copies for a disk of a given size.  Also the CRC-32 that GPT, the
 * Android sparse CRC chunk and ptool's CRC32() patch expression all use.
 *
 * Layout as Qualcomm's ptool writes it for flashing: the primary area is
 * LBA 0 (protective MBR), LBA 1 (header) and the entry array from LBA 2
 * (gpt_main0.bin); the backup area is the entry array followed by the
 * backup header in the last LBA (gpt_backup0.bin).  With 512-byte sectors
 * that is 34 and 33 sectors, with 4096-byte sectors 6 and 5.
 */
#ifndef QCBOX_GPT_H
#define QCBOX_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CRC-32/ISO-HDLC (zlib's crc32): reflected 0x04C11DB7, init and final XOR
 * 0xFFFFFFFF.  qc_crc32("123456789", 9) == 0xCBF43926. */
QC_API uint32_t qc_crc32(const void *buf, size_t len);
/* Incremental: crc = qc_crc32_update(0, a, n); crc = qc_crc32_update(crc, b, m)
 * equals qc_crc32 of a||b (the value passed and returned is the finished CRC,
 * as with zlib). */
QC_API uint32_t qc_crc32_update(uint32_t crc, const void *buf, size_t len);
/* The CRC of LEN zero bytes appended to data whose CRC is CRC, in O(log LEN). */
QC_API uint32_t qc_crc32_zeros(uint32_t crc, uint64_t len);
/* The CRC of a||b given crc(a), crc(b) and len(b) (zlib's crc32_combine). */
QC_API uint32_t qc_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

#define QC_GPT_HEADER_SIZE     92u	  /* bytes the header CRC covers in revision 1.0 */
#define QC_GPT_ENTRY_SIZE      128u	  /* the usual entry size */
#define QC_GPT_MAX_ARRAY_BYTES (1u << 20) /* larger entry arrays are refused as implausible */
#define QC_GPT_GUID_STR	       37	  /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */
#define QC_GPT_NAME_MAX	       109	  /* 36 UTF-16 units as UTF-8, + NUL */

/* One used entry (type GUID not all zero). */
struct qc_gpt_partition {
	uint32_t index;			 /* position in the entry array, from 0 */
	char name[QC_GPT_NAME_MAX];	 /* UTF-16LE name converted to UTF-8 */
	char type_guid[QC_GPT_GUID_STR]; /* lower-case, canonical mixed-endian form */
	char unique_guid[QC_GPT_GUID_STR];
	uint64_t first_lba;
	uint64_t last_lba; /* inclusive */
	uint64_t sectors;  /* last - first + 1, or 0 when last < first */
	uint64_t attributes;
};

/* What was found at one header location.  Each flag is meaningful only when
 * the one before it held: present -> header_crc_ok -> entries_crc_ok. */
struct qc_gpt_header {
	bool present; /* "EFI PART" and a plausible header size */
	bool header_crc_ok;
	bool entries_crc_ok;
	bool lba_ok; /* my_lba / alternate_lba / entry array where they must be */
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	char disk_guid[QC_GPT_GUID_STR];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc;
};

/* Damage flags (struct qc_gpt.damage). */
enum qc_gpt_damage {
	QC_GPT_PRIMARY_MISSING = 1u << 0, /* no header at LBA 1 */
	QC_GPT_PRIMARY_HEADER_CRC = 1u << 1,
	QC_GPT_PRIMARY_ENTRIES_CRC = 1u << 2,
	QC_GPT_PRIMARY_LBA = 1u << 3,	 /* my/alternate/entries LBA or usable range wrong */
	QC_GPT_BACKUP_MISSING = 1u << 4, /* no header in the last LBA */
	QC_GPT_BACKUP_HEADER_CRC = 1u << 5,
	QC_GPT_BACKUP_ENTRIES_CRC = 1u << 6,
	QC_GPT_BACKUP_LBA = 1u << 7,
	QC_GPT_COPIES_DIFFER = 1u << 8, /* both valid but not describing the same table */
	QC_GPT_NO_PMBR = 1u << 9,	/* LBA 0 lacks a protective MBR (informational) */
	QC_GPT_ENTRY_RANGE = 1u << 10,	/* a partition lies outside the usable LBAs */
};

struct qc_gpt {
	unsigned sector_size;
	uint64_t disk_sectors; /* as given, or inferred from the headers when given as 0 */
	bool has_gpt;	       /* false: neither copy present (a blank disk) */
	bool backup_checked;   /* false when no backup area was available */
	struct qc_gpt_header primary;
	struct qc_gpt_header backup;
	bool primary_valid; /* present, both CRCs and the LBAs correct */
	bool backup_valid;
	unsigned damage; /* enum qc_gpt_damage bits; 0 for a healthy GPT */
	/* Partitions of the primary copy when it is valid, else of the backup
	 * when that is valid, else none.  Entry order; unused entries skipped. */
	size_t count;
	struct qc_gpt_partition *parts;
};

/*
 * Reads SECTORS sectors starting at LBA into BUF (sectors * sector_size
 * bytes).  Returns 0, or a negative QC_E_* that aborts the parse (a read
 * beyond the disk should return QC_E_RANGE: that copy is then "missing").
 */
typedef int (*qc_gpt_read_fn)(void *user, uint64_t lba, uint32_t sectors, uint8_t *buf);

/*
 * Reads and validates both copies of the GPT of one disk through READ.
 * DISK_SECTORS is the disk size in sectors; 0 means unknown, in which case
 * the backup is looked for where the primary's alternate_lba points (and
 * disk_sectors inferred from it).  SECTOR_SIZE must be a power of two from
 * 512 to 65536.  A blank disk is not an error: *OUT has has_gpt false.
 * Damage is reported in OUT's flags, not as an error; errors are reserved
 * for bad arguments, out of memory and failed reads.  Free with qc_gpt_free.
 */
QC_API int qc_gpt_read(qc_ctx *ctx, unsigned sector_size, uint64_t disk_sectors, qc_gpt_read_fn read, void *user,
		       struct qc_gpt *out);

/*
 * The same from buffers: PRIMARY holds the disk from LBA 0 (e.g. a
 * gpt_main*.bin, or the first sectors read from the device); BACKUP, when
 * not NULL, holds the *last* BLEN bytes of the disk (e.g. gpt_backup*.bin).
 * Both lengths must be whole sectors.  With DISK_SECTORS 0 the disk size is
 * taken from the headers, which is what ptool's unpatched images need.
 */
QC_API int qc_gpt_parse(qc_ctx *ctx, const uint8_t *primary, size_t len, const uint8_t *backup, size_t blen,
			unsigned sector_size, uint64_t disk_sectors, struct qc_gpt *out);

QC_API void qc_gpt_free(struct qc_gpt *gpt);

/* The first partition called NAME (exact, case-sensitive), or NULL. */
QC_API const struct qc_gpt_partition *qc_gpt_find(const struct qc_gpt *gpt, const char *name);

/* "primary header CRC, backup missing" style summary of DAMAGE into BUF. */
QC_API const char *qc_gpt_damage_str(unsigned damage, char *buf, size_t len);

/* GUID helpers: 16 on-disk bytes <-> canonical lower-case text. */
QC_API void qc_gpt_guid_to_str(const uint8_t guid[16], char out[QC_GPT_GUID_STR]);
QC_API int qc_gpt_guid_from_str(const char *s, uint8_t guid[16]);

/* A partition to put in a new table. */
struct qc_gpt_new_partition {
	const char *name;	 /* UTF-8, at most 36 UTF-16 units */
	const char *type_guid;	 /* text form; all zeros writes an entry UEFI calls unused
				  * (ptool does so for its "last_parti" placeholder) */
	const char *unique_guid; /* text form; NULL: derived from the disk GUID and the name */
	uint64_t first_lba;
	uint64_t last_lba; /* inclusive; last = first - 1 makes an empty placeholder */
	uint64_t attributes;
};

struct qc_gpt_layout {
	unsigned sector_size;  /* 512 .. 65536, power of two */
	uint64_t disk_sectors; /* the backup header goes in LBA disk_sectors - 1 */
	const char *disk_guid; /* text form; NULL: all-zero GUID is refused, so give one */
	uint32_t num_entries;  /* 0: ptool's choice (128 for 512-byte sectors, else 32,
				* raised to a multiple of 32 that holds every partition) */
};

/*
 * Builds ptool-style images of a GPT: *PRIMARY = protective MBR + header +
 * entry array (first usable LBA = its length in sectors), *BACKUP = entry
 * array + backup header (to be written so that it ends at the last LBA).
 * The entry array area is at least 16 KiB, as UEFI asks.  Partitions must
 * lie inside the usable LBAs and not overlap.  Both buffers are malloc'd.
 */
QC_API int qc_gpt_build(qc_ctx *ctx, const struct qc_gpt_layout *layout, const struct qc_gpt_new_partition *parts,
			size_t count, uint8_t **primary, size_t *plen, uint8_t **backup, size_t *blen);

/* Sectors of the primary / backup area qc_gpt_build makes for a layout
 * (the first usable LBA is the primary count, the last usable is
 * disk_sectors - backup count - 1). */
QC_API uint64_t qc_gpt_primary_sectors(unsigned sector_size, uint32_t num_entries);
QC_API uint64_t qc_gpt_backup_sectors(unsigned sector_size, uint32_t num_entries);

#ifdef __cplusplus
}
#endif
#endif
