#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes a synthetic, unsigned boot-image ELF for tests and benchmarks.

Layout as in real programmers: a PT_NULL placeholder over the ELF header
and program headers (segment type 7), the hash segment (type 2) at 0x1000,
then LOAD segments of pseudo-random bytes; optionally a section header
table at the end.  Digest i of the hash table covers the file bytes of
program header i; the hash segment's own entry and empty segments are zero.

usage: mkelf.py OUT [--class 32|64] [--hashseg 3|5|6|7] [--size BYTES]
                [--segments N] [--seed N] [--sections] [--corrupt] [--legacy80]
"""
import argparse
import hashlib
import random
import struct


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--class", dest="cls", type=int, default=64, choices=(32, 64))
    ap.add_argument("--hashseg", type=int, default=6, choices=(3, 5, 6, 7))
    ap.add_argument("--size", type=int, default=65536, help="bytes of segment data in all")
    ap.add_argument("--segments", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sections", action="store_true", help="append a section header table")
    ap.add_argument("--corrupt", action="store_true", help="flip a byte of the last segment after hashing")
    ap.add_argument("--legacy80", action="store_true", help="an unsigned MBN with an 80-byte header instead")
    a = ap.parse_args()

    if a.legacy80:
        rnd = random.Random(a.seed)
        code = bytes(rnd.getrandbits(8) for _ in range(a.size))
        dest = 0xF800C050
        hdr = struct.pack("<20I", 0x844BDCD1, 0x73D71034, 13, 0xFFFFFFFF, 0xFFFFFFFF, 80, dest, len(code),
                          len(code), dest + len(code), 0, dest + len(code), 0, 1, 1, *([0xFFFFFFFF] * 5))
        with open(a.out, "wb") as f:
            f.write(hdr + code)
        return

    rnd = random.Random(a.seed)
    is64 = a.cls == 64
    ehsize, phsize = (64, 56) if is64 else (52, 32)
    nph = 2 + a.segments
    digest = hashlib.sha384 if a.hashseg in (6, 7) else hashlib.sha256
    dlen = digest().digest_size

    hdr_len = {3: 40, 5: 40, 6: 48, 7: 64}[a.hashseg]
    md_len = 120 if a.hashseg == 6 else 0
    hash_len = nph * dlen
    hs_len = hdr_len + md_len + hash_len
    seg_data = []
    left = a.size
    for i in range(a.segments):
        n = left // (a.segments - i)
        seg_data.append(bytes(rnd.getrandbits(8) for _ in range(n)))
        left -= n

    # program headers: (type, flags, offset, vaddr, filesz, memsz)
    phdrs = [(0, 0x07000000, 0, 0, ehsize + nph * phsize, 0),
             (0, 0x02200000, 0x1000, 0x80000000, hs_len, 0x1000)]
    off = 0x3000
    for i, d in enumerate(seg_data):
        off = (off + 15) & ~15
        phdrs.append((1, 0x5 if i == 0 else 0x6, off, 0x80100000 + off, len(d), len(d)))
        off += len(d)
    end = off
    shoff = shnum = shentsize = 0
    if a.sections:
        shentsize = 64 if is64 else 40
        shnum = 3
        shoff = end
        end += shnum * shentsize

    img = bytearray(end)
    for (t, fl, o, va, fs, ms), d in zip(phdrs[2:], seg_data):
        img[o:o + fs] = d

    def put_headers():
        ident = b"\x7fELF" + bytes([2 if is64 else 1, 1, 1]) + bytes(9)
        if is64:
            eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 0xB7, 1, 0x80103000, ehsize, shoff, 0, ehsize,
                                     phsize, nph, shentsize, shnum, 0)
        else:
            eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, 0x28, 1, 0x80103000, ehsize, shoff, 0, ehsize,
                                     phsize, nph, shentsize, shnum, 0)
        img[0:ehsize] = eh
        for i, (t, fl, o, va, fs, ms) in enumerate(phdrs):
            if is64:
                ph = struct.pack("<IIQQQQQQ", t, fl, o, va, va, fs, ms, 0x1000)
            else:
                ph = struct.pack("<IIIIIIII", t, o, va, va, fs, ms, fl, 0x1000)
            img[ehsize + i * phsize:ehsize + (i + 1) * phsize] = ph

    put_headers()
    hashes = []
    for i, (t, fl, o, va, fs, ms) in enumerate(phdrs):
        if i == 1 or fs == 0:
            hashes.append(bytes(dlen))
        else:
            hashes.append(digest(bytes(img[o:o + fs])).digest())
    table = b"".join(hashes)
    if a.hashseg == 3:
        h = struct.pack("<10I", 0, 3, 0, 0x80000000 + 40, hash_len, hash_len, 0, 0, 0, 0)
    elif a.hashseg == 5:
        h = struct.pack("<10I", 0, 5, 0, 0, hash_len, hash_len, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0)
    elif a.hashseg == 6:
        h = struct.pack("<12I", 0, 6, 0, 0, hash_len, hash_len, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0, 0, md_len)
    else:
        h = struct.pack("<16I", 0, 7, 24, 0, 0, hash_len, 0, 0, 0, 0, 1, 0, 3, 0, 3, 0)
    md = bytes(md_len)
    if md_len:
        # major, minor, sw_id 3 (programmer), hw_id, oem_id, model_id, app_id, flags, soc_vers[0]
        md = struct.pack("<10I", 0, 0, 3, 0, 0, 0, 0, 0, 0x6018, 0) + bytes(md_len - 40)
    img[0x1000:0x1000 + hs_len] = h + md + table
    if a.sections:
        img[shoff:shoff + shnum * shentsize] = bytes(rnd.getrandbits(8) for _ in range(shnum * shentsize))
    if a.corrupt:
        t, fl, o, va, fs, ms = phdrs[-1]
        img[o + fs // 2] ^= 0x40
    with open(a.out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main()
