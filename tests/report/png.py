"""A small PNG reader (8-bit RGB or RGBA, not interlaced: what Chromium writes), enough to look at a screenshot."""

from __future__ import annotations

import struct
import zlib

CHANNELS = {2: 3, 6: 4}  # colour type → channels


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """``(width, height, rows)``; each row holds ``width`` pixels of 3 (RGB) or 4 (RGBA) bytes."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    position, chunks, header = 8, [], None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    stride = CHANNELS[colour]
    raw = zlib.decompress(b"".join(chunks))
    rows, previous = [], bytes(width * stride)
    for y in range(height):
        start = y * (width * stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + width * stride])
        for i in range(len(line)):
            left = line[i - stride] if i >= stride else 0
            up = previous[i]
            corner = previous[i - stride] if i >= stride else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                line[i] = (line[i] + _paeth(left, up, corner)) & 0xFF
        previous = bytes(line)
        rows.append(previous)
    return width, height, rows


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def colours(width: int, rows: list[bytes]) -> dict[tuple[int, int, int], int]:
    """How many pixels have each RGB colour."""
    stride = len(rows[0]) // width
    counts: dict[tuple[int, int, int], int] = {}
    for row in rows:
        for x in range(0, len(row), stride):
            rgb = (row[x], row[x + 1], row[x + 2])
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts
