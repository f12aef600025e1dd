#!/usr/bin/env python3
"""Extract files from a Qt binary resource file (.rcc, "qres" format), standard library only.

Usage: rcc-extract.py FILE.rcc OUT_DIR [GLOB ...]     (GLOBs match resource paths, e.g. '*/images/*.jpg')
       rcc-extract.py --list FILE.rcc

Format (qtbase src/corelib/io/qresource.cpp): a 20-byte header ("qres", version, then the big-endian offsets of
the tree, the data and the names; version 3 adds a flags word), a tree of 14-byte nodes (22 from version 2:
a modification time follows), names as a 2-byte length, a 4-byte hash and UTF-16BE text, and data as a 4-byte
length then the bytes. A node's flags say directory (2), zlib-compressed (1: qCompress, a 4-byte big-endian
uncompressed length then a zlib stream) or zstd-compressed (4).
"""
import fnmatch
import os
import struct
import sys
import zlib

COMPRESSED, DIRECTORY, COMPRESSED_ZSTD = 1, 2, 4


def entries(blob):
    """Yield (path, bytes) for every file in the resource."""
    if blob[:4] != b'qres':
        raise ValueError('not a Qt resource file (no "qres" magic)')
    version, tree, data, names = struct.unpack('>4I', blob[4:20])
    node_size = 14 if version == 1 else 22

    def name(node):
        offset = names + struct.unpack('>I', blob[node:node + 4])[0]
        length = struct.unpack('>H', blob[offset:offset + 2])[0]
        return blob[offset + 6:offset + 6 + 2 * length].decode('utf-16-be')

    def walk(index, prefix):
        node = tree + index * node_size
        flags = struct.unpack('>H', blob[node + 4:node + 6])[0]
        path = prefix + '/' + name(node) if index else ''
        if flags & DIRECTORY:
            count, first = struct.unpack('>2I', blob[node + 6:node + 14])
            for child in range(first, first + count):
                yield from walk(child, path)
            return
        offset = data + struct.unpack('>I', blob[node + 10:node + 14])[0]
        length = struct.unpack('>I', blob[offset:offset + 4])[0]
        payload = blob[offset + 4:offset + 4 + length]
        if flags & COMPRESSED_ZSTD:
            try:
                import zstandard
            except ImportError:
                raise SystemExit(f'{path} is zstd-compressed and the zstandard module is missing')
            payload = zstandard.ZstdDecompressor().decompress(payload)
        elif flags & COMPRESSED:
            payload = zlib.decompress(payload[4:])
        yield path.lstrip('/'), payload

    yield from walk(0, '')


def main(argv):
    if len(argv) == 2 and argv[0] == '--list':
        with open(argv[1], 'rb') as f:
            for path, payload in entries(f.read()):
                print(f'{len(payload)}\t{path}')
        return 0
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, out, globs = argv[0], argv[1], argv[2:]
    with open(source, 'rb') as f:
        blob = f.read()
    for path, payload in entries(blob):
        if globs and not any(fnmatch.fnmatch(path, g) for g in globs):
            continue
        target = os.path.join(out, path)
        if os.path.relpath(target, out).startswith('..'):
            raise SystemExit(f'unsafe path in resource: {path}')
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'wb') as f:
            f.write(payload)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
