#!/usr/bin/env python3
# Writes a tiny test flat build: a GPT (primary and backup images, ptool
# layout) for one LUN, raw images for its partitions, rawprogram0.xml and a
# patch0.xml that fixes the backup header location the way ptool does.
#   mkgpt.py DIR SECTOR_SIZE DISK_SECTORS
import os, random, struct, sys, uuid, zlib

out, ss, disk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out, exist_ok=True)
rng = random.Random(7)
n_entries = 32 if ss == 4096 else 128
array_sectors = n_entries * 128 // ss
first_usable = 2 + array_sectors
last_usable = disk - 1 - array_sectors - 1
parts = [("boot_a", 4, 3000), ("boot_b", 4, 3000), ("data", 16, 9000)]
entries, lba, files = b"", first_usable, []
for name, sectors, size in parts:
    e = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le + uuid.UUID(int=rng.getrandbits(128)).bytes_le
    e += struct.pack("<QQQ", lba, lba + sectors - 1, 0) + name.encode("utf-16-le").ljust(72, b"\0")
    entries += e
    data = bytes(rng.getrandbits(8) for _ in range(size))
    open(os.path.join(out, name + ".img"), "wb").write(data)
    files.append((name, lba, sectors))
    lba += sectors
entries = entries.ljust(n_entries * 128, b"\0")
disk_guid = uuid.UUID(int=rng.getrandbits(128)).bytes_le


def header(my, alt, entries_lba):
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt, first_usable, last_usable,
                    disk_guid, entries_lba, n_entries, 128, zlib.crc32(entries))
    h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
    return h.ljust(ss, b"\0")


mbr = bytearray(ss)
mbr[446:462] = struct.pack("<BBBBBBBBII", 0, 0, 2, 0, 0xEE, 0xFF, 0xFF, 0xFF, 1, min(disk - 1, 0xFFFFFFFF))
mbr[510:512] = b"\x55\xaa"
open(os.path.join(out, "gpt_main0.bin"), "wb").write(bytes(mbr) + header(1, disk - 1, 2) + entries)
open(os.path.join(out, "gpt_backup0.bin"), "wb").write(entries + header(disk - 1, 1, disk - 1 - array_sectors))
back = array_sectors + 1
progs = [f'<program SECTOR_SIZE_IN_BYTES="{ss}" file_sector_offset="0" filename="gpt_main0.bin" label="PrimaryGPT" '
         f'num_partition_sectors="{first_usable}" physical_partition_number="0" start_sector="0" sparse="false"/>']
for name, start, sectors in files:
    progs.append(f'<program SECTOR_SIZE_IN_BYTES="{ss}" file_sector_offset="0" filename="{name}.img" label="{name}" '
                 f'num_partition_sectors="{sectors}" physical_partition_number="0" start_sector="{start}" sparse="false"/>')
progs.append(f'<program SECTOR_SIZE_IN_BYTES="{ss}" file_sector_offset="0" filename="gone.img" label="gone" '
             f'num_partition_sectors="1" physical_partition_number="0" start_sector="{last_usable}" sparse="false"/>')
progs.append(f'<program SECTOR_SIZE_IN_BYTES="{ss}" file_sector_offset="0" filename="gpt_backup0.bin" '
             f'label="BackupGPT" num_partition_sectors="{back}" physical_partition_number="0" '
             f'start_sector="NUM_DISK_SECTORS-{back}." sparse="false"/>')
open(os.path.join(out, "rawprogram0.xml"), "w").write(
    '<?xml version="1.0" ?>\n<data>\n' + "\n".join("  " + p for p in progs) + "\n</data>\n")
# the backup header must point at itself and at its array wherever the disk ends:
# rewrite both, zero the header CRC, then recompute it over 92 bytes
hdr = f"NUM_DISK_SECTORS-1."
patches = [
    (hdr, 24, 8, "NUM_DISK_SECTORS-1.", "backup header MyLBA"),
    (hdr, 72, 8, f"NUM_DISK_SECTORS-{back}.", "backup header entries LBA"),
    ("1", 32, 8, "NUM_DISK_SECTORS-1.", "primary header AlternateLBA"),
    ("1", 16, 4, "0", "zero primary header CRC"),
    ("1", 16, 4, "CRC32(1,92)", "primary header CRC"),
    (hdr, 16, 4, "0", "zero backup header CRC"),
    (hdr, 16, 4, "CRC32(NUM_DISK_SECTORS-1.,92)", "backup header CRC"),
]
with open(os.path.join(out, "patch0.xml"), "w") as f:
    f.write('<?xml version="1.0" ?>\n<patches>\n')
    for start, off, size, value, what in patches:
        f.write(f'  <patch SECTOR_SIZE_IN_BYTES="{ss}" byte_offset="{off}" filename="DISK" '
                f'physical_partition_number="0" size_in_bytes="{size}" start_sector="{start}" '
                f'value="{value}" what="{what}"/>\n')
    f.write('  <patch SECTOR_SIZE_IN_BYTES="%d" byte_offset="16" filename="gpt_main0.bin" physical_partition_number="0" '
            'size_in_bytes="4" start_sector="1" value="0" what="host-file patch, not for the device"/>\n' % ss)
    f.write("</patches>\n")
